//! Add a project to a program; rename it, give it a new manager, pause, resume or close it.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::{
    AddProjectRequest, CommandAccepted, ProjectObjectivesRequest, ProjectStageRequest,
    ReviseProjectRequest,
};
use throughline_shared::project::ProjectStage;
use throughline_shared::view::ProjectView;
use throughline_shared::{ObjectiveId, ProgramId};

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid, submit};

#[component]
pub fn AddProjectForm(
    program_id: ProgramId,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let manager = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let name_ref = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        if let Some(input) = name_ref.get() {
            let _ = input.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = AddProjectRequest {
            name: name.get_untracked(),
            manager: manager.get_untracked(),
            objectives: Vec::new(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::add_project(program_id, &request).await;
            pending.set(false);
            match result {
                Ok(accepted) => {
                    name.set(String::new());
                    manager.set(String::new());
                    on_accepted.run(accepted);
                    on_close.run(());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    };

    view! {
        <form class="card inline-form" data-testid="project-form" on:submit=on_submit
            on:keydown=on_keydown novalidate=true aria-labelledby="add-project-title">
            <h3 id="add-project-title" class="form-title">"Add a project"</h3>
            <div class="field-row">
                <div class="field">
                    <label for="project-name">"Project name"</label>
                    <input type="text" id="project-name" data-testid="project-name"
                        node_ref=name_ref bind:value=name
                        placeholder="e.g. Card gateway migration"
                        aria-invalid=move || invalid(error, "name")
                        aria-describedby="project-name-error"/>
                    <FieldMessage error field="name" id="project-name-error"/>
                </div>
                <div class="field">
                    <label for="project-manager">"Project manager"</label>
                    <input type="text" id="project-manager" data-testid="project-manager"
                        bind:value=manager placeholder="Who is accountable"
                        aria-invalid=move || invalid(error, "manager")
                        aria-describedby="project-manager-error"/>
                    <FieldMessage error field="manager" id="project-manager-error"/>
                </div>
            </div>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="project-submit"
                    disabled=move || pending.get()>
                    {move || if pending.get() { "Adding…" } else { "Add project" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}

/// The program manager's changes to a project: its name and manager, and its stage — paused (on
/// hold), resumed, or closed once every milestone is met or cancelled (the server names those
/// still open). Against the version shown when the form opened.
#[component]
pub fn ManageProjectForm(
    program_id: ProgramId,
    project: ProjectView,
    /// The program's objectives in force (id, title), for the project's contributions.
    objectives: Vec<(ObjectiveId, String)>,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let project_id = project.project_id;
    // Contributions to retired objectives are not offered again (nor kept: they no longer count).
    let contributes = RwSignal::new(
        project
            .objectives
            .iter()
            .copied()
            .filter(|o| objectives.iter().any(|(id, _)| id == o))
            .collect::<Vec<ObjectiveId>>(),
    );
    let name = RwSignal::new(project.name.clone());
    let manager = RwSignal::new(project.manager.clone());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let version = project.version;
    let (was_name, was_manager) = (project.name.clone(), project.manager.clone());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let changed = |signal: RwSignal<String>, was: &str| {
            let now = signal.with_untracked(|s| s.trim().to_string());
            (now != was).then_some(now)
        };
        let request = ReviseProjectRequest {
            name: changed(name, &was_name),
            manager: changed(manager, &was_manager),
            expected_version: Some(version),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        submit(
            pending,
            error,
            async move { api::revise_project(program_id, project_id, &request).await },
            on_accepted,
            on_close,
        );
    };
    let stage_to = move |stage: ProjectStage| {
        if pending.get_untracked() {
            return;
        }
        let request = ProjectStageRequest {
            stage,
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
            expected_version: Some(version),
        };
        submit(
            pending,
            error,
            async move { api::change_project_stage(program_id, project_id, &request).await },
            on_accepted,
            on_close,
        );
    };
    let save_contributions = move |_| {
        if pending.get_untracked() {
            return;
        }
        let request = ProjectObjectivesRequest {
            objectives: contributes.get_untracked(),
            expected_version: Some(version),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        submit(
            pending,
            error,
            async move { api::set_project_objectives(program_id, project_id, &request).await },
            on_accepted,
            on_close,
        );
    };
    let contributions = (!objectives.is_empty()).then(|| {
        view! {
            <fieldset class="field checkbox-group" data-testid="project-contributions">
                <legend>"Contributes to"</legend>
                {objectives.into_iter().map(|(objective, title)| view! {
                    <label class="checkbox">
                        <input type="checkbox" data-testid="contributes-to"
                            prop:checked=move || contributes.with(|c| c.contains(&objective))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                contributes.update(|c| {
                                    c.retain(|o| *o != objective);
                                    if on {
                                        c.push(objective);
                                    }
                                });
                            }/>
                        <span>{title}</span>
                    </label>
                }).collect_view()}
                <button type="button" class="btn btn-secondary btn-small" data-testid="save-contributions"
                    disabled=move || pending.get() on:click=save_contributions>
                    "Save contributions"
                </button>
            </fieldset>
        }
    });
    let ids = (
        format!("manage-name-error-{project_id}"),
        format!("manage-manager-error-{project_id}"),
        format!("manage-reason-error-{project_id}"),
    );
    let paused = project.stage == ProjectStage::Paused;
    view! {
        <form class="inline-form" data-testid="manage-project-form" on:submit=on_submit novalidate>
            <div class="field-row">
                <label class="field grow">
                    <span>"Project name"</span>
                    <input type="text" maxlength="200" data-testid="manage-project-name" bind:value=name
                        aria-invalid=move || invalid(error, "name") aria-describedby=ids.0.clone()/>
                    <FieldMessage error field="name" id=ids.0/>
                </label>
                <label class="field">
                    <span>"Project manager"</span>
                    <input type="text" maxlength="200" data-testid="manage-project-manager" bind:value=manager
                        aria-invalid=move || invalid(error, "manager") aria-describedby=ids.1.clone()/>
                    <FieldMessage error field="manager" id=ids.1/>
                </label>
            </div>
            <label class="field">
                <span>"Reason (needed to pause or close)"</span>
                <input type="text" maxlength="4000" data-testid="manage-project-reason" bind:value=reason
                    aria-invalid=move || invalid(error, "reason") aria-describedby=ids.2.clone()/>
                <FieldMessage error field="reason" id=ids.2/>
            </label>
            {contributions}
            <FieldMessage error field="objectives" id=format!("manage-objectives-error-{project_id}")/>
            <FieldMessage error field="milestones" id=format!("manage-milestones-error-{project_id}")/>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="save-project"
                    disabled=move || pending.get()>"Save name and manager"</button>
                {if paused {
                    view! {
                        <button type="button" class="btn btn-secondary" data-testid="resume-project"
                            disabled=move || pending.get() on:click=move |_| stage_to(ProjectStage::Active)>
                            "Resume"
                        </button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-secondary" data-testid="pause-project"
                            disabled=move || pending.get() on:click=move |_| stage_to(ProjectStage::Paused)>
                            "Pause"
                        </button>
                    }.into_any()
                }}
                <button type="button" class="btn btn-danger" data-testid="close-project"
                    disabled=move || pending.get() on:click=move |_| stage_to(ProjectStage::Closed)>
                    "Close project"
                </button>
                <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
