//! The overview tab: the projects with their status, the activity, and the schedule (timeline,
//! the selected milestone, dependencies).

use leptos::html;
use leptos::prelude::*;
use throughline_shared::ProjectId;
use throughline_shared::access::ProgramAction;
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis};
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::Retirement;
use throughline_shared::project::ProjectStage;
use throughline_shared::view::ProjectView;

fn stage_name(stage: ProjectStage) -> &'static str {
    match stage {
        ProjectStage::Active => "active",
        ProjectStage::Paused => "paused",
        ProjectStage::Closed => "closed",
    }
}

use super::state::Page;
use crate::app::use_now;
use crate::auth::use_auth;
use crate::components::activity::ActivityPanel;
use crate::components::dependency_table::DependencyTable;
use crate::components::feedback::ErrorBanner;
use crate::components::milestone_panel::MilestonePanel;
use crate::components::project_form::AddProjectForm;
use crate::components::rag_chip::{RagChip, RagTrend};
use crate::components::raid::{RaidRead, TopRisks};
use crate::components::schedule_forms::ScheduleActions;
use crate::components::status_form::StatusForm;
use crate::components::timeline::Timeline;
use crate::schedule::Schedule;
use crate::time;

#[component]
pub(super) fn Overview(page: Page, schedule: Schedule, raid: RaidRead) -> impl IntoView {
    let auth = use_auth();
    let program_id = page.id;
    let history = page.history;
    let view = page.view;
    let can = move |action: ProgramAction| auth.can(program_id, action);
    let adding = RwSignal::new(false);
    let add_button = NodeRef::<html::Button>::new();
    let close_add = Callback::new(move |_| {
        adding.set(false);
        if let Some(button) = add_button.get_untracked() {
            let _ = button.focus();
        }
    });
    let selected = RwSignal::new(None::<MilestoneId>);
    // In history the activity shows nothing after the moment shown.
    let until = Signal::derive(move || if history { page.cursor.get() } else { i64::MAX });

    view! {
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
                    <AddProjectForm program_id
                        on_accepted=page.accepted("Project added.".into()) on_close=close_add/>
                </Show>
                <ProjectsTable page/>
                <TopRisks program_id raid/>
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
                <ActivityPanel program_id events=page.events view live_after=page.live_after until/>
            </aside>
        </div>
        <section class="schedule-section" aria-labelledby="schedule-title">
            <div class="section-header schedule-header">
                <h2 id="schedule-title">"Schedule"</h2>
                <ScheduleSummary analysis=schedule.analysis/>
            </div>
            <Show when=move || !history>
                <ScheduleActions program_id view on_accepted=page.accepted("Saved.".into())/>
            </Show>
            <Timeline schedule flashed=page.flashed selected risk_marks=raid.marks()/>
            {move || selected.get().map(|milestone_id| view! {
                <MilestonePanel program_id milestone_id schedule history
                    on_accepted=page.accepted("Forecast saved.".into())
                    on_close=Callback::new(move |_| selected.set(None))/>
            })}
            <h3 class="subsection-title">"Dependencies"</h3>
            <DependencyTable program_id schedule selected history
                on_accepted=page.accepted("Dependency updated.".into())/>
            <RetiredMilestones page/>
        </section>
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
    let project = Memo::new(move |_| {
        page.view
            .with(|v| v.as_ref().and_then(|v| v.project(project_id).cloned()))
    });
    let stage = Memo::new(move |_| project.with(|p| p.as_ref().map(|p| p.stage)));
    let closed = move || stage.get() == Some(ProjectStage::Closed);
    let may_report = move || {
        !page.history && !closed() && auth.can(page.id, ProgramAction::ReportStatus(project_id))
    };

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
        <tbody class=move || format!(
            "project-group{}{}",
            if flashing.get() { " flash" } else { "" },
            if closed() { " closed" } else { "" }
        )>
            <tr
                data-testid="project-row"
                data-project-id=project_id.to_string()
                data-project-name=move || with_project(|p| p.name.clone())
                data-rag=move || with_project(|p| p.status.as_ref().map(|s| s.rag.as_str().to_string()).unwrap_or_else(|| "none".into()))
                data-highlighted=move || flashing.get().to_string()
                data-stage=move || stage.get().map(stage_name)
            >
                <th scope="row" class="col-project">
                    <div class="project-name">
                        {move || with_project(|p| p.name.clone())}
                        {move || project.with(|p| p.as_ref().filter(|p| p.stage != ProjectStage::Active).map(|p| view! {
                            <span class=format!("stage-chip {}", stage_name(p.stage)) data-testid="project-stage"
                                title=p.stage_reason.clone()>
                                {if p.stage == ProjectStage::Paused { "Paused" } else { "Closed" }}
                            </span>
                        }))}
                    </div>
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

/// Milestones taken out of the plan, newest first: gone from the timeline and its analysis, kept
/// here with who did it and why.
#[component]
fn RetiredMilestones(page: Page) -> impl IntoView {
    let retired = Memo::new(move |_| {
        page.view.with(|v| {
            v.as_ref()
                .map(|v| {
                    v.retired_milestones
                        .iter()
                        .rev()
                        .map(|m| {
                            let project = v.project(m.project_id).map(|p| p.name.clone());
                            (m.clone(), project.unwrap_or_default())
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <Show when=move || !retired.with(Vec::is_empty)>
            <details class="card retired" data-testid="retired-milestones">
                <summary>{move || format!("Cancelled or removed milestones ({})", retired.with(Vec::len))}</summary>
                <ul class="retired-list">
                    <For each=move || retired.get() key=|(m, _)| m.milestone_id
                        children=move |(m, project)| view! {
                            <li data-testid="retired-milestone" data-how=match m.how {
                                Retirement::Cancelled => "cancelled",
                                Retirement::Removed => "removed",
                            }>
                                <strong>{m.name}</strong>" "
                                <span class="muted">{project}</span>" — "
                                {match m.how {
                                    Retirement::Cancelled => "cancelled",
                                    Retirement::Removed => "removed as entered by mistake",
                                }}
                                {format!(" by {} on {}", m.by, crate::dates::day_month_year(m.at.date_naive()))}
                                {m.reason.map(|r| view! { <span class="muted">{format!(": {r}")}</span> })}
                            </li>
                        }/>
                </ul>
            </details>
        </Show>
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
