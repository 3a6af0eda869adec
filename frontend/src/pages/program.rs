//! `/programs/:id`: one program with its projects, kept live by folding streamed events into the
//! loaded view with the same `ProgramView::apply` the server uses; `?as_of=` shows its history.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use throughline_shared::api::CommandAccepted;
use throughline_shared::project::ProjectEvent;
use throughline_shared::view::{ProgramView, ProjectView};
use throughline_shared::{DecodeError, DomainEvent, ProgramId, ProjectId, RecordedEvent};

use crate::api::{self, ApiError, AsOf};
use crate::app::use_now;
use crate::auth::use_auth;
use crate::components::activity::ActivityPanel;
use crate::components::audit::AuditTab;
use crate::components::dependency_table::DependencyTable;
use crate::components::edit_program_form::EditProgramForm;
use crate::components::feedback::{ErrorBanner, Loading};
use crate::components::governance::{GovernanceRead, GovernanceTab};
use crate::components::live_indicator::LiveIndicator;
use crate::components::milestone_panel::MilestonePanel;
use crate::components::project_form::AddProjectForm;
use crate::components::rag_chip::{RagChip, RagCountChips, RagTrend};
use crate::components::schedule_forms::ScheduleActions;
use crate::components::scope_panel::ScopePanel;
use crate::components::status_form::StatusForm;
use crate::components::timeline::{Timeline, day_of_ms};
use crate::dates;
use crate::live::{self, LiveSlot, LiveStatus};
use crate::pages::not_found::ProgramNotFound;
use crate::time;
use throughline_shared::access::ProgramAction;
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis};
use throughline_shared::ids::MilestoneId;

/// How long a row stays highlighted after a live change.
const HIGHLIGHT: Duration = Duration::from_millis(2500);

#[component]
pub fn ProgramPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let params = params.read();
        (
            params.get("id"),
            query.read().get("as_of"),
            Tab::of(params.get("tab").as_deref()),
        )
    });
    move || {
        let (id, as_of, tab) = key.get();
        match (id.and_then(|id| id.parse::<ProgramId>().ok()), tab) {
            (None, _) | (_, None) => view! { <ProgramNotFound/> }.into_any(),
            (Some(id), Some(tab)) => {
                let as_of = as_of.as_deref().and_then(AsOf::parse);
                view! { <ProgramScreen id as_of tab/> }.into_any()
            }
        }
    }
}

/// The program page's tabs, one URL each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Overview,
    Objectives,
    Governance,
    Audit,
}

impl Tab {
    /// The tab of the page's `:tab` segment (absent: the overview); `None` for a segment that
    /// names no tab.
    fn of(segment: Option<&str>) -> Option<Self> {
        match segment {
            None => Some(Tab::Overview),
            Some("objectives") => Some(Tab::Objectives),
            Some("governance") => Some(Tab::Governance),
            Some("audit") => Some(Tab::Audit),
            Some(_) => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Load {
    Loading,
    Loaded,
    NotFound,
    Failed(ApiError),
}

/// Merge `new` into `list` (newest first), without duplicates.
fn merge_events(list: &mut Vec<RecordedEvent>, new: Vec<RecordedEvent>) {
    list.extend(new);
    list.sort_by_key(|e| std::cmp::Reverse(e.position));
    list.dedup_by_key(|e| e.position);
}

#[derive(Clone, Copy)]
struct Page {
    id: ProgramId,
    history: bool,
    view: RwSignal<Option<ProgramView>>,
    load: RwSignal<Load>,
    events: RwSignal<Vec<RecordedEvent>>,
    events_error: RwSignal<Option<ApiError>>,
    /// Events above this position arrived live (for the brief highlight in the activity panel).
    live_after: RwSignal<i64>,
    live_status: RwSignal<LiveStatus>,
    /// Projects changed by a live event, each with a token so a later change extends the flash.
    highlighted: RwSignal<Vec<(ProjectId, u64)>>,
    /// Milestones moved by a live event a moment ago.
    flashed: RwSignal<Vec<MilestoneId>>,
    next_token: StoredValue<u64>,
    notice: RwSignal<Option<String>>,
    open_status: RwSignal<Option<ProjectId>>,
}

impl Page {
    /// Fold streamed events into the view and the activity panel.
    fn apply_events(self, batch: Vec<RecordedEvent>) {
        if batch.is_empty() {
            return;
        }
        let mut changed = Vec::new();
        let mut moved = Vec::new();
        let mut reload = false;
        self.view.update(|view| {
            let Some(view) = view else { return };
            for recorded in &batch {
                match recorded.decode() {
                    Ok(event) => {
                        let before = view.position;
                        view.apply(recorded, &event);
                        if view.position > before
                            && let DomainEvent::Milestone(event) = &event
                        {
                            moved.push(event.milestone_id());
                        }
                        if view.position > before
                            && let DomainEvent::Project(
                                ProjectEvent::ProjectAdded { project_id, .. }
                                | ProjectEvent::ProjectStatusReported { project_id, .. },
                            ) = event
                        {
                            changed.push(project_id);
                        }
                    }
                    // The program's own events (renames, phase, scope, roles: rare) are not
                    // decoded here, to keep their decoder out of the wasm: the view is read
                    // again instead. Governance events have their own view.
                    Err(DecodeError::UnknownStreamType(stream)) => {
                        reload |= stream == "program";
                    }
                    Err(err) => leptos::logging::warn!(
                        "event {} could not be decoded: {err}",
                        recorded.position
                    ),
                }
            }
        });
        self.events.update(|list| merge_events(list, batch));
        if reload {
            self.reload_view();
        }
        for project_id in changed {
            self.highlight(project_id);
        }
        if !moved.is_empty() {
            self.flashed.update(|f| f.extend(moved.iter().copied()));
            let flashed = self.flashed;
            set_timeout(
                move || {
                    flashed.update(|f| {
                        for id in &moved {
                            if let Some(i) = f.iter().position(|x| x == id) {
                                f.remove(i);
                            }
                        }
                    })
                },
                HIGHLIGHT,
            );
        }
    }

    /// Reads the view again, then folds onto it the live events that arrived after its position
    /// (all of them are in `events`, also those that arrive while this read is under way).
    fn reload_view(self) {
        spawn_local(async move {
            let Ok(mut fresh) = api::get_program(self.id, None).await else {
                return;
            };
            let since = fresh.position;
            self.events.with_untracked(|list| {
                for recorded in list.iter().rev().filter(|e| e.position > since) {
                    if let Ok(event) = recorded.decode() {
                        fresh.apply(recorded, &event);
                    }
                }
            });
            self.view.set(Some(fresh));
        });
    }

    fn highlight(self, project_id: ProjectId) {
        let token = self.next_token.get_value();
        self.next_token.set_value(token + 1);
        self.highlighted.update(|h| {
            h.retain(|(p, _)| *p != project_id);
            h.push((project_id, token));
        });
        let highlighted = self.highlighted;
        set_timeout(
            move || highlighted.update(|h| h.retain(|(p, t)| !(*p == project_id && *t == token))),
            HIGHLIGHT,
        );
    }

    /// After our own command: the live stream normally delivers its events within milliseconds;
    /// if it has not after a moment (e.g. while reconnecting), read the view again.
    fn catch_up_to(self, accepted: CommandAccepted) {
        let page = self;
        set_timeout(
            move || {
                let behind = page
                    .view
                    .try_with_untracked(|v| {
                        v.as_ref().is_some_and(|v| v.position < accepted.position)
                    })
                    .unwrap_or(false);
                if behind {
                    spawn_local(async move {
                        if let Ok(fresh) = api::get_program(page.id, None).await {
                            page.view.update(|v| {
                                if v.as_ref().is_none_or(|v| v.position < fresh.position) {
                                    *v = Some(fresh);
                                }
                            });
                        }
                        if let Ok(events) = api::all_program_events(page.id).await {
                            page.events.update(|list| merge_events(list, events));
                        }
                    });
                }
            },
            Duration::from_millis(1500),
        );
    }

    fn accepted(self, message: String) -> Callback<CommandAccepted> {
        Callback::new(move |accepted: CommandAccepted| {
            self.notice.set(Some(message.clone()));
            self.catch_up_to(accepted);
        })
    }
}

#[component]
fn ProgramScreen(id: ProgramId, as_of: Option<AsOf>, tab: Tab) -> impl IntoView {
    let history = as_of.is_some();
    let page = Page {
        id,
        history,
        view: RwSignal::new(None),
        load: RwSignal::new(Load::Loading),
        events: RwSignal::new(Vec::new()),
        events_error: RwSignal::new(None),
        live_after: RwSignal::new(i64::MAX),
        live_status: RwSignal::new(LiveStatus::Connecting),
        highlighted: RwSignal::new(Vec::new()),
        flashed: RwSignal::new(Vec::new()),
        next_token: StoredValue::new(0),
        notice: RwSignal::new(None),
        open_status: RwSignal::new(None),
    };
    let as_of = StoredValue::new(as_of);
    let slot = LiveSlot::tied_to_owner();

    let load = move || {
        let slot = slot.clone();
        page.load.set(Load::Loading);
        spawn_local(async move {
            let as_of = as_of.get_value();
            match api::get_program(id, as_of.as_ref()).await {
                Ok(view) => {
                    let position = view.position;
                    page.view.set(Some(view));
                    page.load.set(Load::Loaded);
                    if history || slot.is_disposed() {
                        return;
                    }
                    page.live_after.set(position);
                    let subscription = live::subscribe(
                        Some(id),
                        position,
                        move |events, _covered| page.apply_events(events),
                        move |status| page.live_status.set(status),
                    );
                    slot.set(subscription);
                }
                Err(e) if e.is_not_found() => page.load.set(Load::NotFound),
                Err(e) => page.load.set(Load::Failed(e)),
            }
        });
        spawn_local(async move {
            match api::all_program_events(id).await {
                Ok(events) => {
                    page.events_error.set(None);
                    page.events.update(|list| merge_events(list, events));
                }
                Err(e) => page.events_error.set(Some(e)),
            }
        });
    };
    let retry = {
        let load = load.clone();
        Callback::new(move |_| load())
    };
    load();

    move || match page.load.get() {
        Load::Loading => view! { <Loading label="Loading program…"/> }.into_any(),
        Load::NotFound => {
            let live_id = history.then_some(id);
            view! { <ProgramNotFound live_id/> }.into_any()
        }
        Load::Failed(e) => view! {
            <ErrorBanner title="Could not load this program" message=e.message on_retry=retry/>
        }
        .into_any(),
        Load::Loaded => view! { <ProgramLoaded page as_of=as_of.get_value() tab/> }.into_any(),
    }
}

#[component]
fn ProgramLoaded(page: Page, as_of: Option<AsOf>, tab: Tab) -> impl IntoView {
    let objectives_tab = tab == Tab::Objectives;
    let auth = use_auth();
    let program_id = page.id;
    // Controls appear only for what the server would accept from this user.
    let can = move |action: ProgramAction| auth.can(program_id, action);
    let view = page.view;
    let history = page.history;
    let editing = RwSignal::new(false);
    let adding = RwSignal::new(false);
    let edit_button = NodeRef::<html::Button>::new();
    let add_button = NodeRef::<html::Button>::new();
    let now = use_now();
    // Dates are judged on the day being looked at: today, or the as-of day of a view of the past.
    let as_of_day = as_of.as_ref().and_then(|a| match a {
        AsOf::Instant(at) => chrono::DateTime::parse_from_rfc3339(at)
            .ok()
            .map(|t| t.date_naive()),
        AsOf::Position(_) => None,
    });
    let analysis: Memo<Option<ScheduleAnalysis>> = Memo::new(move |_| {
        let live_day = day_of_ms(now.get());
        view.with(|v| {
            v.as_ref().map(|v| {
                let day = if history {
                    as_of_day
                        .or(v.updated_at.map(|t| t.date_naive()))
                        .unwrap_or(live_day)
                } else {
                    live_day
                };
                v.analyse(day)
            })
        })
    });
    let selected = RwSignal::new(None::<MilestoneId>);
    // Decisions waiting past their forum's SLA are flagged on the governance tab's label, seen
    // from every tab of the page.
    let governance = GovernanceRead::start(program_id, as_of.as_ref(), page.events);
    // History stays history when switching tabs.
    let tab_query = as_of
        .as_ref()
        .map(|a| format!("?as_of={}", api::encode(&a.query_value())))
        .unwrap_or_default();

    // The activity panel shows what the page shows: in history, nothing after the chosen point.
    let visible_events = Signal::derive(move || {
        let limit = if history {
            view.with(|v| v.as_ref().map_or(0, |v| v.position))
        } else {
            i64::MAX
        };
        page.events.with(|list| {
            list.iter()
                .filter(|e| e.position <= limit)
                .cloned()
                .collect::<Vec<_>>()
        })
    });

    Effect::new(move |_| {
        let name = view.with(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
        let title = if history {
            format!("{name} (history) · Throughline")
        } else {
            format!("{name} · Throughline")
        };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
    });

    let close_edit = Callback::new(move |_| {
        editing.set(false);
        if let Some(button) = edit_button.get_untracked() {
            let _ = button.focus();
        }
    });
    let close_add = Callback::new(move |_| {
        adding.set(false);
        if let Some(button) = add_button.get_untracked() {
            let _ = button.focus();
        }
    });

    let header = move || {
        view.get().map(|v| {
            let counts = v.rag_counts();
            let rollup = v.rollup_rag();
            let objectives = v
                .objectives
                .iter()
                .map(|o| {
                    let mut target = Vec::new();
                    if let Some(kpi) = &o.kpi {
                        target.push(format!("KPI: {kpi}"));
                    }
                    match (&o.target_value, o.target_date) {
                        (Some(value), Some(date)) => {
                            target.push(format!("Target: {value} by {}", dates::day_month_year(date)))
                        }
                        (Some(value), None) => target.push(format!("Target: {value}")),
                        (None, Some(date)) => {
                            target.push(format!("Due {}", dates::day_month_year(date)))
                        }
                        (None, None) => {}
                    }
                    let outlook = analysis.with(|a| {
                        a.as_ref().and_then(|a| {
                            a.objectives.iter().find(|x| x.objective_id == o.objective_id).cloned()
                        })
                    });
                    let contributors: Vec<String> = outlook
                        .as_ref()
                        .map(|x| {
                            x.contributing_projects
                                .iter()
                                .filter_map(|p| v.project(*p).map(|p| p.name.clone()))
                                .collect()
                        })
                        .unwrap_or_default();
                    let threat = outlook.filter(|x| x.threatened).map(|x| view! {
                        <span class="objective-threat" data-testid="objective-threatened">
                            {format!(
                                "Threatened: work finishes {} ({} days after the target)",
                                x.latest_finish.map(dates::day_month_year).unwrap_or_default(),
                                x.days_over
                            )}
                        </span>
                    });
                    view! {
                        <li class="objective" data-testid="objective">
                            <span class="objective-title">{o.title.clone()}</span>
                            {(!target.is_empty()).then(|| view! {
                                <span class="objective-target">{target.join(" · ")}</span>
                            })}
                            {(!contributors.is_empty()).then(|| view! {
                                <span class="objective-target" data-testid="objective-contributors">
                                    {format!("Contributing: {}", contributors.join(", "))}
                                </span>
                            })}
                            {threat}
                        </li>
                    }
                })
                .collect_view();
            // The overview names the objectives; their tab shows targets, contributors, threats.
            let has_objectives = objectives_tab && !v.objectives.is_empty();
            view! {
                <div class="program-header-main">
                    <p class="eyebrow">"Program"</p>
                    <h1 data-testid="program-name">{v.name.clone()}</h1>
                    <p class="program-meta">
                        <span>"Sponsor: "<strong data-testid="program-sponsor">{v.sponsor.clone()}</strong></span>
                        {v.created_at.map(|at| view! {
                            <span class="muted">
                                {format!(
                                    "Created {} by {}",
                                    time::date_time(&at),
                                    v.created_by.clone().unwrap_or_default()
                                )}
                            </span>
                        })}
                    </p>
                    {(!v.description.is_empty()).then(|| view! {
                        <p class="program-description" data-testid="program-description">
                            {v.description.clone()}
                        </p>
                    })}
                    {has_objectives.then(|| view! {
                        <div class="objectives-block">
                            <h2 class="panel-title">"Strategic objectives"</h2>
                            <ul class="objective-list">{objectives}</ul>
                        </div>
                    })}
                </div>
                <div class="program-health card" data-testid="program-health">
                    <p class="health-label">"Overall health"</p>
                    <div data-testid="rollup-rag"><RagChip rag=rollup large=true/></div>
                    <p class="health-note">"Worst reported project status"</p>
                    <RagCountChips counts=counts/>
                </div>
            }
        })
    };

    let history_banner = {
        let as_of = as_of.clone();
        move || {
            let as_of = as_of.clone()?;
            let id = page.id;
            let navigate = use_navigate();
            let position = view.with(|v| v.as_ref().map_or(0, |v| v.position));
            let label = match &as_of {
                AsOf::Position(p) => format!("position #{p}"),
                AsOf::Instant(at) => time::rfc3339_readable(at),
            };
            let detail = view.with(|v| {
                v.as_ref().and_then(|v| v.updated_at).map(|at| {
                    format!(
                        "last change before then: #{position}, {}",
                        time::date_time(&at)
                    )
                })
            });
            Some(view! {
                <div class="banner banner-history" role="status" data-testid="history-banner">
                    <div class="banner-text">
                        <strong>{format!("Viewing history as of {label}")}</strong>
                        <span>
                            "This is the program as it stood then. It is read-only."
                            {detail.map(|d| format!(" ({d})"))}
                        </span>
                    </div>
                    <button type="button" class="btn btn-primary" data-testid="back-to-live"
                        on:click=move |_| navigate(&format!("/programs/{id}"), Default::default())>
                        "Back to live"
                    </button>
                </div>
            })
        }
    };

    // Events the fold had to skip (see `ProgramView::unfolded`): say so rather than show a
    // program that silently lacks them.
    let unfolded_banner = move || {
        view.with(|v| {
            v.as_ref()
                .filter(|v| v.unfolded_count > 0)
                .map(|v| (v.unfolded_count, v.unfolded.first().map(|u| u.position)))
        })
        .map(|(count, first)| {
            view! {
                <div class="banner banner-warning" role="status" data-testid="unfolded-banner">
                    <div class="banner-text">
                        <strong>{if count == 1 {
                            "One recorded change cannot be shown".to_string()
                        } else {
                            format!("{count} recorded changes cannot be shown")
                        }}</strong>
                        <span>{unfolded_explanation(count, first)}</span>
                    </div>
                </div>
            }
        })
    };

    view! {
        {history_banner}
        {unfolded_banner}
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <A href="/">"Programs"</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{move || view.with(|v| v.as_ref().map(|v| v.name.clone()))}</span>
        </nav>
        <section class=move || if history { "program-header history" } else { "program-header" }
            aria-label="Program details">
            {header}
        </section>
        <div class="toolbar">
            <Show when=move || !history>
                <LiveIndicator status=page.live_status/>
            </Show>
            <Show when=move || !history && can(ProgramAction::Edit)>
                <button type="button" class="btn btn-secondary" data-testid="edit-program"
                    node_ref=edit_button aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>
                    "Edit details"
                </button>
            </Show>
            <A href=format!("/programs/{program_id}/members") attr:class="btn btn-secondary"
                attr:data-testid="members-link">
                "Members"
            </A>
            {move || (!can(ProgramAction::Edit) && !history).then(|| view! {
                <span class="pill pill-readonly" data-testid="read-only-badge"
                    title="Your role in this program does not allow changes">
                    {if auth.access(program_id).can_write_anything() { "Limited access" } else { "Read-only" }}
                </span>
            })}
            <AsOfControl id=page.id as_of=as_of.clone()
                latest=Signal::derive(move || view.with(|v| v.as_ref().map_or(0, |v| v.position)))/>
        </div>
        <nav class="tabs" aria-label="Program views">
            <A href=format!("/programs/{program_id}{tab_query}") exact=true>"Overview and schedule"</A>
            <A href=format!("/programs/{program_id}/objectives{tab_query}")>
                {move || analysis.with(|a| {
                    let threatened = a.as_ref().map_or(0, |a| a.objectives.iter().filter(|o| o.threatened).count());
                    if threatened > 0 {
                        format!("Objectives and scope ({threatened} threatened)")
                    } else {
                        "Objectives and scope".to_string()
                    }
                })}
            </A>
            <A href=format!("/programs/{program_id}/governance{tab_query}")>
                {move || match governance.bottlenecks() {
                    0 => "Governance".to_string(),
                    n => format!("Governance ({n} past SLA)"),
                }}
            </A>
            <A href=format!("/programs/{program_id}/audit{tab_query}")>"Audit trail"</A>
        </nav>
        <Show when=move || editing.get() && !history>
            {move || view.get_untracked().map(|program| view! {
                <EditProgramForm program on_accepted=page.accepted("Program details saved.".into())
                    on_close=close_edit/>
            })}
        </Show>
        <p class="visually-hidden" role="status" aria-live="polite">
            {move || page.notice.get()}
        </p>

        {match tab {
            Tab::Governance => view! {
                <GovernanceTab program_id view governance history/>
            }.into_any(),
            Tab::Audit => view! { <AuditTab program_id view as_of=as_of.clone()/> }.into_any(),
            Tab::Objectives => view! {
                <section class="card scope-card" aria-label="Phase and scope">
                    <ScopePanel view/>
                </section>
            }
            .into_any(),
            Tab::Overview => view! {
        <div class="layout-main-side">
            <section class="main-column" aria-labelledby="projects-title">
                <div class="section-header">
                    <h2 id="projects-title">"Projects"</h2>
                    <Show when=move || !history && can(ProgramAction::AddProject)>
                        <button type="button" class="btn btn-primary" data-testid="add-project"
                            node_ref=add_button aria-expanded=move || adding.get().to_string()
                            on:click=move |_| adding.update(|a| *a = !*a)>
                            "Add project"
                        </button>
                    </Show>
                </div>
                <Show when=move || adding.get() && !history>
                    <AddProjectForm program_id=page.id
                        on_accepted=page.accepted("Project added.".into()) on_close=close_add/>
                </Show>
                <ProjectsTable page/>
            </section>
            <aside class="card side-panel activity-panel" data-testid="activity-panel"
                aria-labelledby="activity-title">
                <h2 id="activity-title" class="panel-title">"Activity"</h2>
                <p class="panel-note">
                    {if history { "Changes up to this point, newest first." }
                     else { "Every change, newest first. Select #n to see the program as it stood then." }}
                </p>
                {move || page.events_error.get().map(|e| view! {
                    <ErrorBanner title="Could not load the activity" message=e.message/>
                })}
                <ActivityPanel program_id=page.id events=visible_events view=view
                    live_after=page.live_after/>
            </aside>
        </div>
        <section class="schedule-section" aria-labelledby="schedule-title">
            <div class="section-header schedule-header">
                <h2 id="schedule-title">"Schedule"</h2>
                <ScheduleSummary analysis/>
            </div>
            <Show when=move || !history>
                <ScheduleActions program_id view on_accepted=page.accepted("Saved.".into())/>
            </Show>
            <Timeline view analysis flashed=page.flashed selected/>
            {move || selected.get().map(|milestone_id| view! {
                <MilestonePanel program_id milestone_id view analysis history
                    on_accepted=page.accepted("Forecast saved.".into())
                    on_close=Callback::new(move |_| selected.set(None))/>
            })}
            <h3 class="subsection-title">"Dependencies"</h3>
            <DependencyTable program_id view analysis selected history
                on_accepted=page.accepted("Dependency updated.".into())/>
        </section>
            }
            .into_any(),
        }}
    }
}

#[component]
fn ProjectsTable(page: Page) -> impl IntoView {
    let view = page.view;
    let project_ids = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref()
                .map(|v| v.projects.iter().map(|p| p.project_id).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    });
    view! {
        <Show
            when=move || !project_ids.with(Vec::is_empty)
            fallback=move || view! {
                <div class="empty-state small" data-testid="no-projects">
                    <p>
                        {if page.history {
                            "No projects had been added at this point."
                        } else {
                            "No projects yet. Add the first project to start reporting its status."
                        }}
                    </p>
                </div>
            }
        >
            <div class="table-wrap card">
                <table class="data-table project-table" data-testid="project-table">
                    <thead>
                        <tr>
                            <th scope="col">"Project"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Narrative"</th>
                            <th scope="col">"Reported"</th>
                            <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                        </tr>
                    </thead>
                    <For
                        each=move || project_ids.get()
                        key=|id| *id
                        children=move |project_id| view! { <ProjectRow page project_id/> }
                    />
                </table>
            </div>
        </Show>
    }
}

#[component]
fn ProjectRow(page: Page, project_id: ProjectId) -> impl IntoView {
    let now = use_now();
    let auth = use_auth();
    let may_report =
        move || !page.history && auth.can(page.id, ProgramAction::ReportStatus(project_id));
    let project = Memo::new(move |_| {
        page.view
            .with(|v| v.as_ref().and_then(|v| v.project(project_id).cloned()))
    });
    let open = Memo::new(move |_| page.open_status.get() == Some(project_id));
    let flashing = Memo::new(move |_| {
        page.highlighted
            .with(|h| h.iter().any(|(p, _)| *p == project_id))
    });
    let button = NodeRef::<html::Button>::new();
    let close = Callback::new(move |_| {
        page.open_status.set(None);
        if let Some(button) = button.get_untracked() {
            let _ = button.focus();
        }
    });
    let with_project = move |f: fn(&ProjectView) -> String| {
        project.with(|p| p.as_ref().map(f).unwrap_or_default())
    };
    let form_id = format!("status-form-{project_id}");

    view! {
        // One <tbody> per project keeps the row and its form together.
        <tbody class=move || if flashing.get() { "project-group flash" } else { "project-group" }>
            <tr
                data-testid="project-row"
                data-project-id=project_id.to_string()
                data-project-name=move || with_project(|p| p.name.clone())
                data-rag=move || with_project(|p| p.status.as_ref().map(|s| s.rag.as_str().to_string()).unwrap_or_else(|| "none".into()))
                data-highlighted=move || flashing.get().to_string()
            >
                <th scope="row" class="col-project">
                    <div class="project-name">{move || with_project(|p| p.name.clone())}</div>
                    <div class="muted">{move || with_project(|p| format!("Managed by {}", p.manager))}</div>
                </th>
                <td class="col-status" data-label="Status">
                    {move || project.get().map(|p| {
                        let current = p.status.as_ref().map(|s| s.rag);
                        view! {
                            <div class="status-cell">
                                <RagChip rag=current/>
                                <RagTrend previous=p.previous_rag current=current/>
                            </div>
                        }
                    })}
                </td>
                <td class="col-narrative" data-label="Narrative" data-testid="project-narrative">
                    {move || project.get().map(|p| match p.status {
                        Some(s) => view! { <span>{s.narrative}</span> }.into_any(),
                        None => view! { <span class="muted">"No status reported yet"</span> }.into_any(),
                    })}
                </td>
                <td class="col-reported" data-label="Reported">
                    {move || project.get().and_then(|p| p.status).map(|s| {
                        let at = s.reported_at;
                        view! {
                            <div data-testid="reported-by">{s.reported_by}</div>
                            <time class="muted" datetime=at.to_rfc3339() title=time::date_time_seconds(&at)>
                                {move || time::relative(&at, now.get())}
                            </time>
                        }
                    })}
                </td>
                <td class="col-actions">
                    {move || may_report().then(|| view! {
                        <button
                            type="button"
                            class="btn btn-secondary btn-small"
                            data-testid="report-status"
                            node_ref=button
                            aria-expanded=move || open.get().to_string()
                            aria-controls=form_id.clone()
                            on:click=move |_| {
                                page.open_status.update(|o| {
                                    *o = if *o == Some(project_id) { None } else { Some(project_id) }
                                })
                            }
                        >
                            "Report status"
                            <span class="visually-hidden">
                                {move || with_project(|p| format!(" for {}", p.name))}
                            </span>
                        </button>
                    })}
                </td>
            </tr>
            <Show when=move || open.get() && may_report()>
                <tr class="form-row">
                    <td colspan="5" id=format!("status-form-{project_id}")>
                        {move || project.get_untracked().map(|project| view! {
                            <StatusForm
                                program_id=page.id
                                project
                                on_accepted=page.accepted("Status reported.".into())
                                on_close=close
                            />
                        })}
                    </td>
                </tr>
            </Show>
        </tbody>
    }
}

/// Pick a past position or date and time; the page then shows the program as it stood then.
#[component]
fn AsOfControl(
    id: ProgramId,
    as_of: Option<AsOf>,
    /// The newest change number the page knows of, offered as a hint.
    latest: Signal<i64>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let mode = RwSignal::new(match as_of {
        Some(AsOf::Instant(_)) => "time",
        _ => "position",
    });
    let position = RwSignal::new(match &as_of {
        Some(AsOf::Position(p)) => p.to_string(),
        _ => String::new(),
    });
    let instant = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let first = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        if open.get()
            && let Some(input) = first.get()
        {
            let _ = input.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = if mode.get_untracked() == "position" {
            match position.get_untracked().trim().parse::<i64>() {
                Ok(p) if p >= 1 => Some(p.to_string()),
                _ => None,
            }
        } else {
            time::local_input_to_rfc3339(&instant.get_untracked())
        };
        match value {
            Some(value) => {
                error.set(None);
                open.set(false);
                navigate(
                    &format!(
                        "/programs/{id}?as_of={}",
                        js_sys::encode_uri_component(&value)
                    ),
                    Default::default(),
                );
            }
            None => error.set(Some(if mode.get_untracked() == "position" {
                "Enter a position number of 1 or more.".into()
            } else {
                "Pick a date and time.".into()
            })),
        }
    };

    view! {
        <div class="as-of">
            <button type="button" class="btn btn-secondary" data-testid="as-of-toggle"
                aria-expanded=move || open.get().to_string() aria-controls="as-of-form"
                on:click=move |_| open.update(|o| *o = !*o)>
                "View history…"
            </button>
            <Show when=move || open.get()>
                <form id="as-of-form" class="card as-of-form" data-testid="as-of-form"
                    on:submit=on_submit.clone()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" { ev.prevent_default(); open.set(false); }
                    }>
                    <fieldset class="segmented">
                        <legend>"Show the program as it stood at"</legend>
                        <label>
                            <input type="radio" name="as-of-mode" value="position"
                                prop:checked=move || mode.get() == "position"
                                on:change=move |_| mode.set("position")/>
                            "A change number"
                        </label>
                        <label>
                            <input type="radio" name="as-of-mode" value="time"
                                prop:checked=move || mode.get() == "time"
                                on:change=move |_| mode.set("time")/>
                            "A date and time"
                        </label>
                    </fieldset>
                    {move || if mode.get() == "position" {
                        view! {
                            <div class="field">
                                <label for="as-of-position">"Change number (#)"</label>
                                <input type="number" min="1" step="1" id="as-of-position"
                                    data-testid="as-of-position" node_ref=first bind:value=position
                                    aria-describedby="as-of-position-hint"/>
                                <p class="hint" id="as-of-position-hint">
                                    {move || format!(
                                        "The #n shown in the activity list; this page is at #{}.",
                                        latest.get()
                                    )}
                                </p>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <div class="field">
                                <label for="as-of-time">"Date and time (your time zone)"</label>
                                <input type="datetime-local" step="1" id="as-of-time"
                                    data-testid="as-of-time" node_ref=first bind:value=instant/>
                            </div>
                        }.into_any()
                    }}
                    {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" data-testid="as-of-submit">
                            "Show"
                        </button>
                        <button type="button" class="btn btn-secondary"
                            on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
        </div>
    }
}

/// The schedule's trouble at a glance: late and at-risk dependencies, overdue milestones.
#[component]
fn ScheduleSummary(analysis: Memo<Option<ScheduleAnalysis>>) -> impl IntoView {
    move || {
        analysis.with(|a| {
            a.as_ref().map(|a| {
                let late = a.count(DependencyStatus::Late) + a.count(DependencyStatus::Broken);
                let at_risk = a.count(DependencyStatus::AtRisk);
                let overdue = a.overdue.len();
                let threatened = a.objectives.iter().filter(|o| o.threatened).count();
                let class = |n: usize, trouble: &str| {
                    if n > 0 {
                        format!("count {trouble}")
                    } else {
                        "count".to_string()
                    }
                };
                view! {
                    <ul class="schedule-summary" data-testid="schedule-summary">
                        <li class=class(late, "late") data-testid="late-count">
                            <strong>{late}</strong>" late or broken"
                        </li>
                        <li class=class(at_risk, "at_risk") data-testid="at-risk-count">
                            <strong>{at_risk}</strong>" at risk"
                        </li>
                        <li class=class(overdue, "late")>
                            <strong>{overdue}</strong>" overdue milestones"
                        </li>
                        <li class=class(threatened, "late") data-testid="threatened-count">
                            <strong>{threatened}</strong>" objectives threatened"
                        </li>
                    </ul>
                }
            })
        })
    }
}

/// What the banner for skipped events says, in the singular or the plural.
fn unfolded_explanation(count: u64, first: Option<i64>) -> String {
    let it = if count == 1 { "it" } else { "them" };
    let at = first.map_or(String::new(), |p| {
        if count == 1 {
            format!(" (#{p})")
        } else {
            format!(" (the first at #{p})")
        }
    });
    format!(
        "The log keeps {it}{at}, but this version of Throughline cannot read {it}; every \
         other change is shown. An administrator can repair {it} with a correcting change."
    )
}
