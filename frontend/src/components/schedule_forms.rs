//! Changing the schedule from the program page: add a milestone, propose a dependency, baseline
//! the plan; links to importing a plan and to a calendar feed (`plan_files.rs`). Each
//! control appears only when the server would accept it from this user.
//!
//! Each form is a component that owns its fields, opened by its button and closed when its
//! command is accepted (or with Cancel or Escape, which give the focus back to the button). The
//! choices offered come from the program view and are keyed, so a live change to the program
//! never resets what is typed or chosen.

use leptos::ev::{KeyboardEvent, MouseEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{AddMilestoneRequest, CommandAccepted, ProposeDependencyRequest};
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;
use throughline_shared::{FieldError, ProgramId, ProjectId};
use web_sys::Event;

use crate::api::{self, ApiError, CsvTable};
use crate::auth::use_auth;
use crate::components::feedback::{FieldMessage, FormError, invalid};
use crate::dates;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    None,
    Milestone,
    Dependency,
}

const DEPENDENCY_TYPES: [(DependencyType, &str); 4] = [
    (DependencyType::FinishToStart, "Finish → start"),
    (DependencyType::StartToStart, "Start → start"),
    (DependencyType::FinishToFinish, "Finish → finish"),
    (DependencyType::StartToFinish, "Start → finish"),
];

/// A form field's text without the spaces around it.
fn trimmed(signal: RwSignal<String>) -> String {
    signal.with_untracked(|s| s.trim().to_string())
}

#[component]
pub fn ScheduleActions(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    let auth = use_auth();
    let open = RwSignal::new(Open::None);
    // Only a change of form re-creates one: setting the same value again keeps it as it is.
    let opened = Memo::new(move |_| open.get());
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    // The projects whose schedule this user may change.
    let projects = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref().map_or_else(Vec::new, |v| {
                v.projects
                    .iter()
                    .filter(|p| auth.can(program_id, ProgramAction::ChangeSchedule(p.project_id)))
                    .map(|p| (p.project_id, p.name.clone()))
                    .collect::<Vec<_>>()
            })
        })
    });
    let schedules = Memo::new(move |_| projects.with(|p| !p.is_empty()));
    let adds_projects = Memo::new(move |_| auth.can(program_id, ProgramAction::AddProject));
    let may_baseline = Memo::new(move |_| {
        auth.can(program_id, ProgramAction::Baseline)
            && view.with(|v| {
                v.as_ref()
                    .is_some_and(|v| v.milestones.iter().any(|m| m.baseline.is_none()))
            })
    });

    let milestone_button = NodeRef::<html::Button>::new();
    let dependency_button = NodeRef::<html::Button>::new();
    let button = move |what: Open| match what {
        Open::None => None,
        Open::Milestone => Some(milestone_button),
        Open::Dependency => Some(dependency_button),
    };
    let toggle = move |what: Open| {
        error.set(None);
        open.update(|o| *o = if *o == what { Open::None } else { what });
    };
    let close = Callback::new(move |()| {
        let was = open.get_untracked();
        open.set(Open::None);
        if let Some(b) = button(was).and_then(|b| b.get_untracked()) {
            let _ = b.focus();
        }
    });
    let accepted = Callback::new(move |accepted: CommandAccepted| {
        open.set(Open::None);
        on_accepted.run(accepted);
    });
    let baseline = move |_: MouseEvent| {
        error.set(None);
        spawn_local(async move {
            match api::baseline_program(program_id).await {
                Ok(done) => notice.set(Some(format!(
                    "Baselined {} milestone(s) at their current forecasts.",
                    done.baselined
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() != Open::None {
            ev.prevent_default();
            close.run(());
        }
    };
    let expanded = move |what: Open| move || (opened.get() == what).to_string();

    view! {
        <div on:keydown=on_keydown>
            <div class="schedule-actions">
                <Show when=move || schedules.get()>
                    <button type="button" class="btn btn-primary" data-testid="add-milestone"
                        node_ref=milestone_button aria-expanded=expanded(Open::Milestone)
                        on:click=move |_| toggle(Open::Milestone)>
                        "Add milestone"
                    </button>
                    <button type="button" class="btn btn-secondary" data-testid="propose-dependency"
                        node_ref=dependency_button aria-expanded=expanded(Open::Dependency)
                        on:click=move |_| toggle(Open::Dependency)>
                        "Propose dependency"
                    </button>
                </Show>
                <Show when=move || may_baseline.get()>
                    <button type="button" class="btn btn-secondary" data-testid="baseline-plan"
                        title="Set the baseline of every milestone without one to its current forecast"
                        on:click=baseline>
                        "Baseline the plan"
                    </button>
                </Show>
                // On a page of the administration app (`rel="external"`: loaded from the server).
                <Show when=move || adds_projects.get() || schedules.get()>
                    <a class="btn btn-secondary" data-testid="import-plan" rel="external"
                        title="Import an MS Project plan or an edited CSV export"
                        href=format!("/programs/{program_id}/plan-files")>
                        "Import…"
                    </a>
                </Show>
                <a class="btn btn-ghost" data-testid="calendar-feed" rel="external"
                    href=format!("/programs/{program_id}/plan-files#calendar")>
                    "Calendar feed"
                </a>
                <a class="btn btn-ghost" data-testid="export-milestones" download
                    href=CsvTable::Milestones.path(program_id)>
                    "Milestones CSV"
                </a>
                <a class="btn btn-ghost" data-testid="export-dependencies" download
                    href=CsvTable::Dependencies.path(program_id)>
                    "Dependencies CSV"
                </a>
            </div>
            {move || notice.get().map(|n| view! { <p class="form-note" role="status">{n}</p> })}
            <FormError error/>
            {move || match opened.get() {
                Open::None => ().into_any(),
                Open::Milestone => view! {
                    <MilestoneForm program_id projects on_accepted=accepted on_close=close/>
                }
                .into_any(),
                Open::Dependency => view! {
                    <DependencyForm program_id view on_accepted=accepted on_close=close/>
                }
                .into_any(),
            }}
        </div>
    }
}

/// Submit and Cancel, with the form's error above them.
#[component]
fn Actions(
    error: RwSignal<Option<ApiError>>,
    pending: RwSignal<bool>,
    submit: &'static str,
    testid: &'static str,
    on_close: Callback<()>,
) -> impl IntoView {
    view! {
        <FormError error/>
        <div class="form-actions">
            <button type="submit" class="btn btn-primary" data-testid=testid
                disabled=move || pending.get()>
                {submit}
            </button>
            <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                "Cancel"
            </button>
        </div>
    }
}

#[component]
fn MilestoneForm(
    program_id: ProgramId,
    projects: Memo<Vec<(ProjectId, String)>>,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    // None: the first project offered, which is what the select shows until one is chosen.
    let project = RwSignal::new(None::<ProjectId>);
    let name = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let deliverable = RwSignal::new(false);
    let start = RwSignal::new(String::new());
    let planned = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let chosen = Memo::new(move |_| {
        project
            .get()
            .or_else(|| projects.with(|p| p.first().map(|p| p.0)))
    });
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
        let project_id = chosen.get_untracked();
        let planned_day = planned.with_untracked(|p| dates::parse_input(p));
        let mut missing = Vec::new();
        if project_id.is_none() {
            missing.push(FieldError::new("project_id", "choose a project"));
        }
        if trimmed(name).is_empty() {
            missing.push(FieldError::new("name", "must not be empty"));
        }
        if planned_day.is_none() {
            missing.push(FieldError::new("planned", "choose a date"));
        }
        let deliverable = deliverable.get_untracked();
        let request = match (project_id, planned_day) {
            (Some(project_id), Some(planned)) if missing.is_empty() => AddMilestoneRequest {
                project_id,
                name: trimmed(name),
                kind: if deliverable {
                    MilestoneKind::Deliverable
                } else {
                    MilestoneKind::Milestone
                },
                owner: trimmed(owner),
                planned_start: start
                    .with_untracked(|s| dates::parse_input(s))
                    .filter(|_| deliverable),
                planned,
            },
            _ => {
                error.set(Some(ApiError {
                    fields: missing,
                    ..ApiError::local("validation_failed", "some fields are not valid")
                }));
                return;
            }
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::add_milestone(program_id, &request).await;
            pending.try_set(false);
            match result {
                Ok(accepted) => on_accepted.run(accepted),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };

    view! {
        <form class="card inline-form" data-testid="milestone-form" on:submit=on_submit
            novalidate=true aria-labelledby="milestone-form-title">
            <h3 id="milestone-form-title" class="form-title">"Add a milestone"</h3>
            <div class="field-row">
                <div class="field">
                    <label for="milestone-project">"Project"</label>
                    <select id="milestone-project" data-testid="milestone-project"
                        aria-invalid=move || invalid(error, "project_id")
                        aria-describedby="milestone-project-error"
                        on:change=move |ev| project.set(event_target_value(&ev).parse().ok())>
                        <For each=move || projects.get() key=|p| p.clone() let:p>
                            <option value=p.0.to_string()
                                prop:selected=move || chosen.get() == Some(p.0)>
                                {p.1}
                            </option>
                        </For>
                    </select>
                    <FieldMessage error field="project_id" id="milestone-project-error"/>
                </div>
                <div class="field">
                    <label for="milestone-name">"Name"</label>
                    <input type="text" id="milestone-name" data-testid="milestone-name-input"
                        node_ref=name_ref bind:value=name placeholder="e.g. PCI certification"
                        aria-invalid=move || invalid(error, "name")
                        aria-describedby="milestone-name-error"/>
                    <FieldMessage error field="name" id="milestone-name-error"/>
                </div>
                <div class="field">
                    <label for="milestone-owner">"Owner"</label>
                    <input type="text" id="milestone-owner" data-testid="milestone-owner"
                        bind:value=owner
                        aria-invalid=move || invalid(error, "owner")
                        aria-describedby="milestone-owner-error"/>
                    <FieldMessage error field="owner" id="milestone-owner-error"/>
                </div>
            </div>
            <label class="inline-check">
                <input type="checkbox" name="deliverable" data-testid="milestone-deliverable"
                    bind:checked=deliverable/>
                <span>"Deliverable (has a start)"</span>
            </label>
            <div class="field-row">
                <div class="field">
                    <label for="milestone-start">"Planned start (deliverables)"</label>
                    <input type="date" id="milestone-start" data-testid="milestone-start"
                        bind:value=start
                        aria-invalid=move || invalid(error, "planned_start")
                        aria-describedby="milestone-start-error"/>
                    <FieldMessage error field="planned_start" id="milestone-start-error"/>
                </div>
                <div class="field">
                    <label for="milestone-planned">"Planned date (finish)"</label>
                    <input type="date" id="milestone-planned" data-testid="milestone-planned"
                        bind:value=planned
                        aria-invalid=move || invalid(error, "planned")
                        aria-describedby="milestone-planned-error"/>
                    <FieldMessage error field="planned" id="milestone-planned-error"/>
                </div>
            </div>
            <Actions error pending submit="Add milestone" testid="milestone-submit" on_close/>
        </form>
    }
}

/// A project's milestones, for a select's `<optgroup>`.
type MilestoneGroup = (ProjectId, String, Vec<(MilestoneId, String)>);

/// "Choose…", then the program's milestones grouped by project. Groups are keyed by everything
/// they show, and each option says whether it is the chosen one, so a live change to the program
/// redraws only the groups it touched and keeps the choice.
#[component]
fn MilestoneOptions(
    groups: Memo<Vec<MilestoneGroup>>,
    chosen: RwSignal<Option<MilestoneId>>,
) -> impl IntoView {
    view! {
        <option value="" prop:selected=move || chosen.with(Option::is_none)>"Choose…"</option>
        <For each=move || groups.get() key=|g| g.clone() let:group>
            <optgroup label=group.1>
                {group.2.into_iter().map(|(id, name)| view! {
                    <option value=id.to_string() prop:selected=move || chosen.get() == Some(id)>
                        {name}
                    </option>
                }).collect_view()}
            </optgroup>
        </For>
    }
}

#[component]
fn DependencyForm(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let provider = RwSignal::new(None::<MilestoneId>);
    let consumer = RwSignal::new(None::<MilestoneId>);
    let kind = RwSignal::new(DependencyType::FinishToStart);
    let lag = RwSignal::new("0".to_string());
    let need_by = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let groups = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref().map_or_else(Vec::new, |v| {
                v.projects
                    .iter()
                    .map(|p| {
                        let milestones = v
                            .milestones
                            .iter()
                            .filter(|m| m.project_id == p.project_id)
                            .map(|m| (m.milestone_id, m.name.clone()))
                            .collect();
                        (p.project_id, p.name.clone(), milestones)
                    })
                    .collect::<Vec<MilestoneGroup>>()
            })
        })
    });
    let first = NodeRef::<html::Select>::new();
    Effect::new(move |_| {
        if let Some(select) = first.get() {
            let _ = select.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let missing: Vec<FieldError> = [("provider", provider), ("consumer", consumer)]
            .into_iter()
            .filter(|(_, chosen)| chosen.get_untracked().is_none())
            .map(|(field, _)| FieldError::new(field, "choose a milestone"))
            .collect();
        let (Some(provider), Some(consumer)) = (provider.get_untracked(), consumer.get_untracked())
        else {
            error.set(Some(ApiError {
                fields: missing,
                ..ApiError::local("validation_failed", "some fields are not valid")
            }));
            return;
        };
        let request = ProposeDependencyRequest {
            provider,
            consumer,
            kind: kind.get_untracked(),
            lag_days: trimmed(lag).parse().unwrap_or(0),
            need_by: need_by.with_untracked(|d| dates::parse_input(d)),
            provider_owner: None,
            consumer_owner: None,
            description: String::new(),
            expected_version: None,
            reason: None,
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::propose_dependency(program_id, &request).await;
            pending.try_set(false);
            match result {
                Ok(accepted) => on_accepted.run(accepted),
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let pick = |chosen: RwSignal<Option<MilestoneId>>| {
        move |ev: Event| chosen.set(event_target_value(&ev).parse().ok())
    };

    view! {
        <form class="card inline-form" data-testid="dependency-form" on:submit=on_submit
            novalidate=true aria-labelledby="dependency-form-title">
            <h3 id="dependency-form-title" class="form-title">"Propose a dependency"</h3>
            <div class="field-row">
                <div class="field">
                    <label for="dependency-provider">"Needs (provider)"</label>
                    <select id="dependency-provider" data-testid="dependency-provider"
                        node_ref=first on:change=pick(provider)
                        aria-invalid=move || invalid(error, "provider")
                        aria-describedby="dependency-provider-error">
                        <MilestoneOptions groups chosen=provider/>
                    </select>
                    <FieldMessage error field="provider" id="dependency-provider-error"/>
                </div>
                <div class="field">
                    <label for="dependency-consumer">"Needed by (consumer)"</label>
                    <select id="dependency-consumer" data-testid="dependency-consumer"
                        on:change=pick(consumer)
                        aria-invalid=move || invalid(error, "consumer")
                        aria-describedby="dependency-consumer-error">
                        <MilestoneOptions groups chosen=consumer/>
                    </select>
                    <FieldMessage error field="consumer" id="dependency-consumer-error"/>
                </div>
            </div>
            <div class="field-row">
                <div class="field">
                    <label for="dependency-type">"Type"</label>
                    <select id="dependency-type" data-testid="dependency-type"
                        on:change=move |ev| {
                            let code = event_target_value(&ev);
                            if let Some((k, _)) = DEPENDENCY_TYPES.iter().find(|(k, _)| k.code() == code) {
                                kind.set(*k);
                            }
                        }>
                        {DEPENDENCY_TYPES.into_iter().map(|(k, label)| view! {
                            <option value=k.code() prop:selected=move || kind.get() == k>
                                {label}
                            </option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="dependency-lag">"Lag (days)"</label>
                    <input type="number" id="dependency-lag" data-testid="dependency-lag"
                        bind:value=lag
                        aria-invalid=move || invalid(error, "lag_days")
                        aria-describedby="dependency-lag-error"/>
                    <FieldMessage error field="lag_days" id="dependency-lag-error"/>
                </div>
                <div class="field">
                    <label for="dependency-need-by">"Need-by date "<span class="optional">"(optional)"</span></label>
                    <input type="date" id="dependency-need-by" data-testid="dependency-need-by"
                        bind:value=need_by
                        aria-invalid=move || invalid(error, "need_by")
                        aria-describedby="dependency-need-by-error"/>
                    <FieldMessage error field="need_by" id="dependency-need-by-error"/>
                </div>
            </div>
            <Actions error pending submit="Propose" testid="dependency-submit" on_close/>
        </form>
    }
}
