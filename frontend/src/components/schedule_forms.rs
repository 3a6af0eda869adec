//! Changing the schedule from the program page: add a milestone, propose a dependency, baseline
//! the plan, import an MS Project plan or an edited CSV export, and get a calendar feed. Each
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
use throughline_shared::access::{ProgramAction, TokenScope};
use throughline_shared::api::{
    AddMilestoneRequest, CommandAccepted, CreateTokenRequest, ImportReport,
    ProposeDependencyRequest,
};
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;
use throughline_shared::{FieldError, ProgramId, ProjectId};
use web_sys::Event;

use crate::api::{self, ApiError, CsvTable};
use crate::auth::use_auth;
use crate::components::feedback::{ErrorDetails, FieldMessage, FormError, invalid};
use crate::dates;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    None,
    Milestone,
    Dependency,
    Import,
    Calendar,
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
    let import_button = NodeRef::<html::Button>::new();
    let calendar_button = NodeRef::<html::Button>::new();
    let button = move |what: Open| match what {
        Open::None => None,
        Open::Milestone => Some(milestone_button),
        Open::Dependency => Some(dependency_button),
        Open::Import => Some(import_button),
        Open::Calendar => Some(calendar_button),
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
                <Show when=move || adds_projects.get() || schedules.get()>
                    <button type="button" class="btn btn-secondary" data-testid="import-plan"
                        title="Import an MS Project plan or an edited CSV export"
                        node_ref=import_button aria-expanded=expanded(Open::Import)
                        on:click=move |_| toggle(Open::Import)>
                        "Import…"
                    </button>
                </Show>
                <button type="button" class="btn btn-ghost" data-testid="calendar-feed"
                    node_ref=calendar_button aria-expanded=expanded(Open::Calendar)
                    on:click=move |_| toggle(Open::Calendar)>
                    "Calendar feed"
                </button>
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
                Open::Import => view! {
                    <ImportForm program_id adds_projects schedules/>
                }
                .into_any(),
                Open::Calendar => view! { <CalendarForm program_id view/> }.into_any(),
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

/// The text of the file chosen in a file input (and the input cleared, so choosing the same file
/// again, say after fixing it, imports it again).
async fn chosen_file(ev: &Event) -> Option<Result<String, ApiError>> {
    let input = event_target::<web_sys::HtmlInputElement>(ev);
    let file = input.files()?.get(0)?;
    input.set_value("");
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
    Some(
        text.ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| ApiError::local("unreadable_file", "The file could not be read.")),
    )
}

/// An MS Project plan as a new project, or an edited CSV export of the milestones or the
/// dependencies. Either all of a file is imported or, on any problem, none of it.
#[component]
fn ImportForm(
    program_id: ProgramId,
    adds_projects: Memo<bool>,
    schedules: Memo<bool>,
) -> impl IntoView {
    let table = RwSignal::new(CsvTable::Milestones);
    let report = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // The last CSV sent, for confirming the projects it would create.
    let last_csv = StoredValue::new(None::<(CsvTable, String)>);
    // A plan is previewed first: what it would add and skip, imported on confirmation.
    let by_summaries = RwSignal::new(false);
    let last_plan = StoredValue::new(None::<String>);
    let plan_preview = RwSignal::new(None::<ImportReport>);
    let send = move |file: FileKind, table: CsvTable, text: String, create: bool| {
        match file {
            FileKind::Csv => last_csv.set_value(Some((table, text.clone()))),
            FileKind::Plan if !create => {
                last_plan.set_value(Some(text.clone()));
                spawn_local(async move {
                    pending.try_set(true);
                    let result =
                        api::import_mspdi(program_id, text, by_summaries.get_untracked(), true)
                            .await;
                    pending.try_set(false);
                    match result {
                        Ok(preview) => {
                            plan_preview.try_set(Some(preview));
                        }
                        Err(e) => {
                            error.try_set(Some(e));
                        }
                    }
                });
                return;
            }
            FileKind::Plan => plan_preview.set(None),
        }
        // For a plan: how its tasks are grouped; for a CSV: the projects confirmed.
        let flag = match file {
            FileKind::Plan => by_summaries.get_untracked(),
            FileKind::Csv => create,
        };
        spawn_local(async move {
            pending.try_set(true);
            let result = send_file(program_id, file, table, text, flag).await;
            pending.try_set(false);
            match result {
                Ok(done) => {
                    report.try_set(Some(done));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let import_plan = move |_| {
        if let Some(text) = last_plan.get_value() {
            error.set(None);
            send(FileKind::Plan, CsvTable::Milestones, text, true);
        }
    };
    let confirm = move |_| {
        if let Some((table, text)) = last_csv.get_value() {
            error.set(None);
            send(FileKind::Csv, table, text, true);
        }
    };
    let import = move |ev: Event, file: FileKind| {
        let table = table.get_untracked();
        report.set(None);
        error.set(None);
        spawn_local(async move {
            let Some(text) = chosen_file(&ev).await else {
                return;
            };
            let text = match text {
                Ok(text) => text,
                Err(e) => {
                    error.try_set(Some(e));
                    return;
                }
            };
            send(file, table, text, false);
        });
    };
    let asks_projects =
        move || error.with(|e| e.as_ref().is_some_and(|e| e.code == "projects_to_create"));

    view! {
        <div class="card inline-form" data-testid="import-form">
            <h3 class="form-title">"Import"</h3>
            <Show when=move || adds_projects.get()>
                <div class="field">
                    <label for="import-mspdi">"An MS Project plan"</label>
                    <p class="form-note" id="import-mspdi-note">
                        "Save the plan as XML in MS Project. Its tasks come in as milestones and deliverables \
                         with their baselines, current dates and actual finishes; its links (also to plans \
                         imported before) become dependencies. You see what it would do first; a plan \
                         imported again updates the tasks it brought."
                    </p>
                    <label class="checkbox">
                        <input type="checkbox" data-testid="import-by-summaries"
                            prop:checked=move || by_summaries.get()
                            on:change=move |ev| by_summaries.set(event_target_checked(&ev))/>
                        <span>"A project for each top-level summary task"</span>
                    </label>
                    <input type="file" id="import-mspdi" accept=".xml,application/xml,text/xml"
                        data-testid="import-file" aria-describedby="import-mspdi-note"
                        disabled=move || pending.get()
                        on:change=move |ev| import(ev, FileKind::Plan)/>
                </div>
                {move || plan_preview.get().map(|p| view! {
                    <div class="plan-preview" data-testid="plan-preview" role="status">
                        <p>{format!(
                            "The plan would add {} tasks ({} deliverables), update {} and propose {} dependencies.",
                            p.milestones, p.deliverables, p.updated, p.dependencies
                        )}</p>
                        {(!p.projects_created.is_empty()).then(|| view! {
                            <p>{format!("New projects: {}.", p.projects_created.join(", "))}</p>
                        })}
                        <ul>
                            {p.skipped.iter().chain(&p.warnings).map(|s| view! { <li>"Not imported: "{s.clone()}</li> }).collect_view()}
                        </ul>
                        <button type="button" class="btn btn-primary" data-testid="import-plan-confirm"
                            disabled=move || pending.get() on:click=import_plan>
                            "Import the plan"
                        </button>
                    </div>
                })}
            </Show>
            <Show when=move || schedules.get()>
                <div class="field-row">
                    <div class="field">
                        <label for="import-csv-table">"An edited CSV export of"</label>
                        <select id="import-csv-table" data-testid="import-csv-table"
                            on:change=move |ev| table.set(if event_target_value(&ev) == "dependencies" {
                                CsvTable::Dependencies
                            } else {
                                CsvTable::Milestones
                            })>
                            <option value="milestones"
                                prop:selected=move || table.get() == CsvTable::Milestones>
                                "the milestones"
                            </option>
                            <option value="dependencies"
                                prop:selected=move || table.get() == CsvTable::Dependencies>
                                "the dependencies"
                            </option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="import-csv">"CSV file"</label>
                        <input type="file" id="import-csv" accept=".csv,text/csv"
                            data-testid="import-csv-file" aria-describedby="import-csv-note"
                            disabled=move || pending.get()
                            on:change=move |ev| import(ev, FileKind::Csv)/>
                    </div>
                </div>
                <p class="form-note" id="import-csv-note">
                    "The export's own columns, of this program or another: a row changes the milestone \
                     (forecast, actual, first baseline) or dependency (need-by date) with its id or, \
                     failing that, its project and name, and adds or proposes it when there is none. \
                     Projects are matched by name; missing ones are created once you confirm."
                </p>
            </Show>
            <p class="form-note">"A file with any error imports nothing."</p>
            <p class="form-note" role="status" data-testid="import-report">
                {move || if pending.get() { Some("Importing…".to_string()) } else { report.get() }}
            </p>
            {move || error.get().map(|error| view! {
                <div class="form-error" role="alert" data-testid="form-error">
                    <ErrorDetails error/>
                </div>
            })}
            {move || asks_projects().then(|| view! {
                <button type="button" class="btn btn-primary" data-testid="import-create-projects"
                    disabled=move || pending.get() on:click=confirm>
                    "Create these projects and import"
                </button>
            })}
        </div>
    }
}

#[derive(Clone, Copy)]
enum FileKind {
    /// An MS Project XML plan.
    Plan,
    /// A CSV export of the table chosen.
    Csv,
}

/// Imports a file; what it did, in words. `flag`: a plan's grouping by summary tasks, or a CSV's
/// projects confirmed.
async fn send_file(
    program_id: ProgramId,
    file: FileKind,
    table: CsvTable,
    text: String,
    flag: bool,
) -> Result<String, ApiError> {
    Ok(match file {
        FileKind::Plan => {
            let r = api::import_mspdi(program_id, text, flag, false).await?;
            format!(
                "Imported {} tasks ({} updated) and {} dependencies. {}",
                r.milestones,
                r.updated,
                r.dependencies,
                r.warnings.join(" ")
            )
        }
        FileKind::Csv => {
            let r = api::import_csv(program_id, table, text, flag).await?;
            format!(
                "Imported: {} created, {} updated, {} unchanged.",
                r.created, r.updated, r.unchanged
            )
        }
    })
}

/// A private calendar address: a read-only token for this program, shown once.
#[component]
fn CalendarForm(program_id: ProgramId, view: RwSignal<Option<ProgramView>>) -> impl IntoView {
    let url = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let create = move |_: MouseEvent| {
        if pending.get_untracked() {
            return;
        }
        let name = view.with_untracked(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
        let request = CreateTokenRequest {
            name: format!("Calendar: {name}"),
            scope: TokenScope::ReadOnly,
            program_id: Some(program_id),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::create_token(&request).await;
            pending.try_set(false);
            match result {
                Ok(created) => {
                    let origin = web_sys::window()
                        .and_then(|w| w.location().origin().ok())
                        .unwrap_or_default();
                    url.try_set(Some(format!(
                        "{origin}/api/programs/{program_id}/calendar.ics?token={}",
                        created.secret
                    )));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="card inline-form" data-testid="calendar-form">
            <h3 class="form-title">"Milestones in your calendar"</h3>
            <p class="form-note">
                "A private address for calendar apps (one all-day event per milestone, moving with its \
                 forecast). It carries a read-only key for this program only; revoke it on your account \
                 page to stop the feed."
            </p>
            {move || match url.get() {
                Some(url) => view! {
                    <input type="text" class="mono wide" readonly data-testid="calendar-url"
                        aria-label="Calendar address" value=url/>
                    <p class="form-note">"Copy it now: it is shown only once."</p>
                }
                .into_any(),
                None => view! {
                    <button type="button" class="btn btn-primary" data-testid="create-calendar-url"
                        disabled=move || pending.get() on:click=create>
                        "Create a calendar address"
                    </button>
                }
                .into_any(),
            }}
            <FormError error/>
        </div>
    }
}
