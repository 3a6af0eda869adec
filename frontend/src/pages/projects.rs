//! A program's projects as the program manager keeps them: renamed, given a new manager, paused,
//! resumed or closed (once each of its milestones is met or cancelled). Every change is an event
//! in the program's audit trail; the program page shows each project's stage, live.

use leptos::prelude::*;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::CommandAccepted;
use throughline_shared::project::ProjectStage;
use throughline_shared::view::{ProgramView, ProjectView};
use throughline_shared::{ObjectiveId, ProgramId, ProjectId};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::project_form::ManageProjectForm;
use crate::pages::not_found::{ProgramReadFailed, program_page};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    program_page(|id| view! { <Projects id/> })
}

type ProgramRead = LocalResource<Result<ProgramView, ApiError>>;

fn stage_label(stage: ProjectStage) -> &'static str {
    match stage {
        ProjectStage::Active => "Active",
        ProjectStage::Paused => "Paused",
        ProjectStage::Closed => "Closed",
    }
}

#[component]
fn Projects(id: ProgramId) -> impl IntoView {
    let auth = use_auth();
    let program: ProgramRead = LocalResource::new(move || async move {
        let view = api::get_program(id, None).await;
        if let Ok(v) = &view
            && let Some(document) = web_sys::window().and_then(|w| w.document())
        {
            document.set_title(&format!("Projects of {} · Throughline", v.name));
        }
        view
    });
    let can_manage = Memo::new(move |_| auth.can(id, ProgramAction::Edit));
    let notice = RwSignal::new(None::<String>);
    let changed = Callback::new(move |_: CommandAccepted| {
        notice.set(Some("Project updated.".into()));
        program.refetch();
    });
    let name = move || {
        program.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .map(|v| v.name.clone())
                .unwrap_or_default()
        })
    };
    let ids = move || {
        program.with(|p| match p {
            Some(Ok(v)) => v.projects.iter().map(|p| p.project_id).collect(),
            _ => Vec::new(),
        })
    };
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}") rel="external">{name}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Projects"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Projects"</h1>
                <p class="lede">
                    {move || if can_manage.get() {
                        "Rename a project, name its new manager, say which objectives it serves, put it on hold or close it. A project closes once each of its milestones is met or cancelled."
                    } else {
                        "The program's projects and where each stands. Only program managers change them."
                    }}
                </p>
            </div>
        </div>
        {move || notice.get().map(|n| view! {
            <p class="banner banner-ok" role="status" data-testid="projects-notice">{n}</p>
        })}
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading projects…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ProgramReadFailed errors title="Could not load the projects"/> }>
                {move || program.with(|p| p.as_ref().map(|p| p.as_ref().map(|_| ()).map_err(Clone::clone)))}
                <div class="table-wrap card">
                    <table class="data-table" data-testid="projects-table">
                        <thead>
                            <tr>
                                <th scope="col">"Project"</th>
                                <th scope="col">"Stage"</th>
                                <th scope="col" class="num">"Open milestones"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <For each=ids key=|p: &ProjectId| *p let:project_id>
                            <ProjectSettingsRow id program project_id can_manage changed/>
                        </For>
                    </table>
                </div>
            </ErrorBoundary>
        </Transition>
    }
}

/// A project as its row shows it: the project, its open milestones, the program's objectives.
type Row = (ProjectView, usize, Vec<(ObjectiveId, String)>);

/// One project, keyed: a change re-renders only its row.
#[component]
fn ProjectSettingsRow(
    id: ProgramId,
    program: ProgramRead,
    project_id: ProjectId,
    can_manage: Memo<bool>,
    changed: Callback<CommandAccepted>,
) -> impl IntoView {
    let row = Memo::new(move |_| {
        program.with(|p| match p {
            Some(Ok(v)) => v.project(project_id).map(|p| {
                let open = v
                    .milestones
                    .iter()
                    .filter(|m| m.project_id == project_id && m.actual.is_none())
                    .count();
                let objectives: Vec<(ObjectiveId, String)> = v
                    .objectives
                    .iter()
                    .map(|o| (o.objective_id, o.title.clone()))
                    .collect();
                (p.clone(), open, objectives)
            }),
            _ => None,
        })
    });
    let managing = RwSignal::new(false);
    let close = Callback::new(move |()| managing.set(false));
    let text =
        move |f: fn(&Row) -> String| move || row.with(|r| r.as_ref().map(f).unwrap_or_default());
    let closed = move || {
        row.with(|r| {
            r.as_ref()
                .is_some_and(|(p, _, _)| p.stage == ProjectStage::Closed)
        })
    };
    view! {
        <tbody>
            <tr data-testid="project-settings-row" data-project-id=project_id.to_string()
                data-stage=text(|(p, _, _)| stage_label(p.stage).to_lowercase())>
                <th scope="row">
                    <div class="project-name">{text(|(p, _, _)| p.name.clone())}</div>
                    <div class="muted">{text(|(p, _, _)| format!("Managed by {}", p.manager))}</div>
                </th>
                <td>
                    <span class=text(|(p, _, _)| format!("stage-chip {}", stage_label(p.stage).to_lowercase()))>
                        {text(|(p, _, _)| stage_label(p.stage).to_string())}
                    </span>
                    <span class="muted block">{text(|(p, _, _)| p.stage_reason.clone().unwrap_or_default())}</span>
                </td>
                <td class="num">{text(|(_, open, _)| open.to_string())}</td>
                <td class="col-actions">
                    <Show when=move || can_manage.get() && !closed()>
                        <button type="button" class="btn btn-secondary btn-small" data-testid="manage-project"
                            aria-expanded=move || managing.get().to_string()
                            on:click=move |_| managing.update(|m| *m = !*m)>
                            "Manage"
                            <span class="visually-hidden">{text(|(p, _, _)| format!(" {}", p.name))}</span>
                        </button>
                    </Show>
                </td>
            </tr>
            // Opened with the project as it was: a change elsewhere meanwhile is a conflict.
            {move || managing.get().then(|| untrack(|| row.get().map(|(project, _, objectives)| view! {
                <tr class="form-row">
                    <td colspan="4">
                        <ManageProjectForm program_id=id project objectives on_accepted=changed on_close=close/>
                    </td>
                </tr>
            })))}
        </tbody>
    }
}
