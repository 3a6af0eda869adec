//! Changing the schedule from the program page: add a milestone, propose a dependency, baseline
//! the plan, import an MS Project plan, and get a calendar feed. Each control appears only when
//! the server would accept it from this user.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::access::{ProgramAction, TokenScope};
use throughline_shared::api::{
    AddMilestoneRequest, CommandAccepted, CreateTokenRequest, ProposeDependencyRequest,
};
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, ProjectId};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{FieldMessage, FormError, invalid};
use crate::dates;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    None,
    Milestone,
    Dependency,
    Import,
    Calendar,
}

#[component]
pub fn ScheduleActions(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    let auth = use_auth();
    let open = RwSignal::new(Open::None);
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let projects = move || {
        view.with(|v| {
            v.as_ref()
                .map(|v| {
                    v.projects
                        .iter()
                        .filter(|p| {
                            auth.can(program_id, ProgramAction::ChangeSchedule(p.project_id))
                        })
                        .map(|p| (p.project_id, p.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let may_add = move || !projects().is_empty();
    let may_baseline = move || {
        auth.can(program_id, ProgramAction::Baseline)
            && view.with(|v| {
                v.as_ref()
                    .is_some_and(|v| v.milestones.iter().any(|m| m.baseline.is_none()))
            })
    };
    let toggle = move |what: Open| open.update(|o| *o = if *o == what { Open::None } else { what });
    let baseline = move |_| {
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
    let done = Callback::new(move |accepted: CommandAccepted| {
        open.set(Open::None);
        on_accepted.run(accepted);
    });
    let close = Callback::new(move |_| open.set(Open::None));
    view! {
        <div class="schedule-actions">
            {move || may_add().then(|| view! {
                <button type="button" class="btn btn-primary" data-testid="add-milestone"
                    on:click=move |_| toggle(Open::Milestone)>"Add milestone"</button>
                <button type="button" class="btn btn-secondary" data-testid="propose-dependency"
                    on:click=move |_| toggle(Open::Dependency)>"Propose dependency"</button>
            })}
            {move || may_baseline().then(|| view! {
                <button type="button" class="btn btn-secondary" data-testid="baseline-plan"
                    title="Set the baseline of every milestone without one to its current forecast"
                    on:click=baseline>"Baseline the plan"</button>
            })}
            {move || auth.can(program_id, ProgramAction::AddProject).then(|| view! {
                <button type="button" class="btn btn-secondary" data-testid="import-plan"
                    on:click=move |_| toggle(Open::Import)>"Import MS Project…"</button>
            })}
            <button type="button" class="btn btn-ghost" data-testid="calendar-feed"
                on:click=move |_| toggle(Open::Calendar)>"Calendar feed"</button>
            <a class="btn btn-ghost" data-testid="export-milestones" download
                href=format!("/api/programs/{program_id}/milestones.csv")>"Milestones CSV"</a>
            <a class="btn btn-ghost" data-testid="export-dependencies" download
                href=format!("/api/programs/{program_id}/dependencies.csv")>"Dependencies CSV"</a>
        </div>
        {move || notice.get().map(|n| view! { <p class="form-note" role="status">{n}</p> })}
        <FormError error/>
        {move || match open.get() {
            Open::Milestone => view! {
                <AddMilestoneForm program_id projects=projects() on_accepted=done on_close=close/>
            }.into_any(),
            Open::Dependency => view! {
                <ProposeDependencyForm program_id view on_accepted=done on_close=close/>
            }.into_any(),
            Open::Import => view! { <ImportForm program_id on_close=close/> }.into_any(),
            Open::Calendar => view! { <CalendarFeed program_id view/> }.into_any(),
            Open::None => ().into_any(),
        }}
    }
}

type Pending<T> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, ApiError>>>>;

/// Runs `request` once at a time, showing its error, and on success resets and reports.
fn submitter<T: 'static>(
    pending: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    request: impl Fn() -> Option<Pending<T>> + 'static,
    on_ok: impl Fn(T) + Copy + 'static,
) -> impl Fn(SubmitEvent) + 'static {
    move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(future) = request() else { return };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = future.await;
            pending.set(false);
            match result {
                Ok(value) => on_ok(value),
                Err(e) => error.set(Some(e)),
            }
        });
    }
}

#[component]
fn AddMilestoneForm(
    program_id: ProgramId,
    projects: Vec<(ProjectId, String)>,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let project = RwSignal::new(
        projects
            .first()
            .map(|p| p.0.to_string())
            .unwrap_or_default(),
    );
    let name = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let deliverable = RwSignal::new(false);
    let start = RwSignal::new(String::new());
    let planned = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let on_submit = submitter(
        pending,
        error,
        move || {
            let Some(planned_date) = dates::parse_input(&planned.get_untracked()) else {
                error.set(Some(ApiError::field_error("planned", "choose a date")));
                return None;
            };
            let request = AddMilestoneRequest {
                project_id: project.get_untracked().parse().ok()?,
                name: name.get_untracked(),
                kind: if deliverable.get_untracked() {
                    MilestoneKind::Deliverable
                } else {
                    MilestoneKind::Milestone
                },
                owner: owner.get_untracked(),
                planned_start: dates::parse_input(&start.get_untracked())
                    .filter(|_| deliverable.get_untracked()),
                planned: planned_date,
            };
            Some(
                Box::pin(async move { api::add_milestone(program_id, &request).await })
                    as Pending<_>,
            )
        },
        move |accepted| on_accepted.run(accepted),
    );
    view! {
        <form class="card inline-form" data-testid="milestone-form" on:submit=on_submit novalidate
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h3 class="form-title">"Add a milestone"</h3>
            <div class="field-row">
                <label class="field">
                    <span>"Project"</span>
                    <select data-testid="milestone-project" on:change=move |ev| project.set(event_target_value(&ev))>
                        {projects.into_iter().map(|(id, name)| view! { <option value=id.to_string()>{name}</option> }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span>"Name"</span>
                    <input type="text" data-testid="milestone-name-input" bind:value=name autofocus
                        aria-invalid=move || invalid(error, "name") placeholder="e.g. PCI certification"/>
                    <FieldMessage error field="name" id="milestone-name-error"/>
                </label>
                <label class="field">
                    <span>"Owner"</span>
                    <input type="text" data-testid="milestone-owner" bind:value=owner
                        aria-invalid=move || invalid(error, "owner")/>
                    <FieldMessage error field="owner" id="milestone-owner-error"/>
                </label>
            </div>
            <div class="field-row">
                <label class="inline-check">
                    <input type="checkbox" bind:checked=deliverable/>
                    <span>"Deliverable (has a start)"</span>
                </label>
                <Show when=move || deliverable.get()>
                    <label class="field">
                        <span>"Planned start"</span>
                        <input type="date" bind:value=start aria-invalid=move || invalid(error, "start")/>
                        <FieldMessage error field="start" id="milestone-start-error"/>
                    </label>
                </Show>
                <label class="field">
                    <span>{move || if deliverable.get() { "Planned finish" } else { "Planned date" }}</span>
                    <input type="date" data-testid="milestone-planned" bind:value=planned
                        aria-invalid=move || invalid(error, "planned")/>
                    <FieldMessage error field="planned" id="milestone-planned-error"/>
                </label>
            </div>
            <FormFooter error pending submit="Add milestone" testid="milestone-submit" on_close/>
        </form>
    }
}

/// The error, the submit button and "Cancel" at the foot of a form.
#[component]
fn FormFooter(
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
                disabled=move || pending.get()>{submit}</button>
            <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>"Cancel"</button>
        </div>
    }
}

/// Milestones as `<option>`s grouped by project.
fn milestone_options(view: &ProgramView) -> impl IntoView + use<> {
    view.projects
        .iter()
        .map(|p| {
            let options = view
                .milestones
                .iter()
                .filter(|m| m.project_id == p.project_id)
                .map(|m| view! { <option value=m.milestone_id.to_string()>{m.name.clone()}</option> })
                .collect_view();
            view! { <optgroup label=p.name.clone()>{options}</optgroup> }
        })
        .collect_view()
}

#[component]
fn ProposeDependencyForm(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let provider = RwSignal::new(String::new());
    let consumer = RwSignal::new(String::new());
    let kind = RwSignal::new("FS".to_string());
    let lag = RwSignal::new("0".to_string());
    let need_by = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let on_submit = submitter(
        pending,
        error,
        move || {
            let pick = |v: RwSignal<String>, field: &str| {
                let id = v.get_untracked().parse::<MilestoneId>().ok();
                if id.is_none() {
                    error.set(Some(ApiError::field_error(field, "choose a milestone")));
                }
                id
            };
            let request = ProposeDependencyRequest {
                provider: pick(provider, "provider")?,
                consumer: pick(consumer, "consumer")?,
                kind: [
                    DependencyType::FinishToStart,
                    DependencyType::StartToStart,
                    DependencyType::FinishToFinish,
                    DependencyType::StartToFinish,
                ]
                .into_iter()
                .find(|k| k.code() == kind.get_untracked())
                .unwrap_or(DependencyType::FinishToStart),
                lag_days: lag.get_untracked().trim().parse().unwrap_or(0),
                need_by: dates::parse_input(&need_by.get_untracked()),
                provider_owner: None,
                consumer_owner: None,
                description: String::new(),
                expected_version: None,
                reason: None,
            };
            Some(
                Box::pin(async move { api::propose_dependency(program_id, &request).await })
                    as Pending<_>,
            )
        },
        move |accepted| on_accepted.run(accepted),
    );
    let options = move || view.with(|v| v.as_ref().map(milestone_options));
    view! {
        <form class="card inline-form" data-testid="dependency-form" on:submit=on_submit novalidate
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h3 class="form-title">"Propose a dependency"</h3>
            <div class="field-row">
                <label class="field">
                    <span>"Needs (provider)"</span>
                    <select data-testid="dependency-provider" on:change=move |ev| provider.set(event_target_value(&ev))
                        aria-invalid=move || invalid(error, "provider")>
                        <option value="">"Choose…"</option>
                        {options}
                    </select>
                    <FieldMessage error field="provider" id="dependency-provider-error"/>
                </label>
                <label class="field">
                    <span>"Needed by (consumer)"</span>
                    <select data-testid="dependency-consumer" on:change=move |ev| consumer.set(event_target_value(&ev))
                        aria-invalid=move || invalid(error, "consumer")>
                        <option value="">"Choose…"</option>
                        {options}
                    </select>
                    <FieldMessage error field="consumer" id="dependency-consumer-error"/>
                </label>
            </div>
            <div class="field-row">
                <label class="field">
                    <span>"Type"</span>
                    <select data-testid="dependency-type" on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="FS">"Finish → start"</option>
                        <option value="SS">"Start → start"</option>
                        <option value="FF">"Finish → finish"</option>
                        <option value="SF">"Start → finish"</option>
                    </select>
                </label>
                <label class="field">
                    <span>"Lag (days)"</span>
                    <input type="number" data-testid="dependency-lag" bind:value=lag
                        aria-invalid=move || invalid(error, "lag_days")/>
                    <FieldMessage error field="lag_days" id="dependency-lag-error"/>
                </label>
                <label class="field">
                    <span>"Need-by date (optional)"</span>
                    <input type="date" data-testid="dependency-need-by" bind:value=need_by/>
                </label>
            </div>
            <FormFooter error pending submit="Propose" testid="dependency-submit" on_close/>
        </form>
    }
}

#[component]
fn ImportForm(program_id: ProgramId, on_close: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let report = RwSignal::new(None::<String>);
    let on_change = move |ev: leptos::ev::Event| {
        let Some(file) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        pending.set(true);
        error.set(None);
        report.set(None);
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let result = match text.ok().and_then(|t| t.as_string()) {
                Some(xml) => api::import_mspdi(program_id, xml).await,
                None => Err(ApiError::local(
                    "unreadable_file",
                    "The file could not be read.",
                )),
            };
            pending.set(false);
            match result {
                Ok(r) => report.set(Some(format!(
                    "Imported {} milestones and {} dependencies. {}",
                    r.milestones,
                    r.dependencies,
                    r.warnings.join(" ")
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="card inline-form" data-testid="import-form"
            on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <h3 class="form-title">"Import an MS Project plan"</h3>
            <p class="form-note">
                "Save the plan as XML in MS Project. Milestones come in with their baselines; links between them (also through tasks, and to plans imported before) become dependencies. A file with any error imports nothing."
            </p>
            <input type="file" accept=".xml,application/xml,text/xml" data-testid="import-file"
                on:change=on_change disabled=move || pending.get()/>
            {move || report.get().map(|r| view! { <p class="form-note" role="status" data-testid="import-report">{r}</p> })}
            <FormError error/>
        </div>
    }
}

#[component]
fn CalendarFeed(program_id: ProgramId, view: RwSignal<Option<ProgramView>>) -> impl IntoView {
    let url = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let create = move |_| {
        let name = view.with_untracked(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
        let request = CreateTokenRequest {
            name: format!("Calendar: {name}"),
            scope: TokenScope::ReadOnly,
            program_id: Some(program_id),
        };
        spawn_local(async move {
            match api::create_token(&request).await {
                Ok(created) => {
                    let origin = web_sys::window()
                        .and_then(|w| w.location().origin().ok())
                        .unwrap_or_default();
                    url.set(Some(format!(
                        "{origin}/api/programs/{program_id}/calendar.ics?token={}",
                        created.secret
                    )));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <div class="card inline-form" data-testid="calendar-form">
            <h3 class="form-title">"Milestones in your calendar"</h3>
            <p class="form-note">
                "A private address for calendar apps (one all-day event per milestone, moving with its forecast). It carries a read-only key for this program only; revoke it on your account page to stop the feed."
            </p>
            {move || match url.get() {
                Some(u) => view! {
                    <input type="text" class="mono wide" readonly data-testid="calendar-url" prop:value=u/>
                    <p class="form-note">"Copy it now: it is shown only once."</p>
                }.into_any(),
                None => view! {
                    <button type="button" class="btn btn-primary" data-testid="create-calendar-url" on:click=create>
                        "Create a calendar address"
                    </button>
                }.into_any(),
            }}
            <FormError error/>
        </div>
    }
}
