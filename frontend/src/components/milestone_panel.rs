//! The selected milestone: its dates, what it depends on and what depends on it, and (for those
//! allowed) a forecast form whose slip-impact preview shows what the change would move before it
//! is saved. The preview runs the same pure analysis the server records with every slip.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::api::{ChangeForecastRequest, CommandAccepted, MeetMilestoneRequest};
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::ProgramView;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{FieldMessage, FormError, invalid};
use crate::dates;
use crate::timeline_layout::status_of;

fn date(d: NaiveDate) -> String {
    dates::day_month_year(d)
}

fn signed_days(days: i64) -> String {
    match days {
        0 => "on plan".into(),
        d if d > 0 => format!("+{d} d"),
        d => format!("{d} d"),
    }
}

#[component]
pub fn MilestonePanel(
    program_id: ProgramId,
    milestone_id: MilestoneId,
    view: RwSignal<Option<ProgramView>>,
    analysis: Memo<Option<ScheduleAnalysis>>,
    history: bool,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let auth = use_auth();
    let milestone = Memo::new(move |_| {
        view.with(|v| v.as_ref().and_then(|v| v.milestone(milestone_id).cloned()))
    });
    let project_name = move |id| {
        view.with(|v| {
            v.as_ref()
                .and_then(|v| v.project(id).map(|p| p.name.clone()))
                .unwrap_or_default()
        })
    };
    let milestone_name = move |id| {
        view.with(|v| {
            v.as_ref()
                .and_then(|v| v.milestone(id).map(|m| m.name.clone()))
                .unwrap_or_else(|| id.to_string())
        })
    };
    let may_change = move || {
        !history
            && milestone.with(|m| {
                m.as_ref().is_some_and(|m| {
                    m.actual.is_none()
                        && auth.can(program_id, ProgramAction::ChangeSchedule(m.project_id))
                })
            })
    };

    // The form: a new forecast date, previewed as it is typed.
    let new_forecast = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let parsed = Memo::new(move |_| dates::parse_input(&new_forecast.get()));
    let preview = Memo::new(move |_| {
        let to = parsed.get()?;
        let from = milestone.with(|m| m.as_ref().map(|m| m.forecast))?;
        let days = (to - from).num_days();
        let today = analysis.with(|a| a.as_ref().map(|a| a.today))?;
        (days > 0).then(|| {
            view.with(|v| {
                v.as_ref()
                    .map(|v| v.preview_slip(milestone_id, days, today))
            })
        })?
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(forecast) = parsed.get_untracked() else {
            error.set(Some(ApiError::field_error("forecast", "choose a date")));
            return;
        };
        let request = ChangeForecastRequest {
            forecast,
            start: None,
            expected_version: milestone.with_untracked(|m| m.as_ref().map(|m| m.version)),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::change_forecast(program_id, milestone_id, &request).await;
            pending.set(false);
            match result {
                Ok(accepted) => {
                    new_forecast.set(String::new());
                    reason.set(String::new());
                    on_accepted.run(accepted);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let mark_met = move |_| {
        if pending.get_untracked() {
            return;
        }
        let today = analysis.with_untracked(|a| a.as_ref().map(|a| a.today));
        let Some(actual) = today else { return };
        let request = MeetMilestoneRequest {
            actual,
            expected_version: milestone.with_untracked(|m| m.as_ref().map(|m| m.version)),
            reason: None,
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::meet_milestone(program_id, milestone_id, &request).await;
            pending.set(false);
            match result {
                Ok(accepted) => on_accepted.run(accepted),
                Err(e) => error.set(Some(e)),
            }
        });
    };

    let links = move || {
        let v = view.get()?;
        let a = analysis.get()?;
        let row = |other: MilestoneId, dependency: &throughline_shared::view::DependencyView| {
            let health = a.dependency(dependency.dependency_id);
            let status = health.map(|h| h.status);
            let gap = health.map_or(0, |h| h.gap_days);
            let other_project = v.milestone(other).map(|m| project_name(m.project_id));
            view! {
                <li class="link-row" data-testid="milestone-link" data-status=status.map(|s| s.wire_name())>
                    <span class=format!("dep-chip {}", status.map_or("", |s| s.wire_name()))>
                        {status.map(|s| s.label())}
                    </span>
                    <span>{milestone_name(other)}</span>
                    <span class="muted">{other_project}</span>
                    {(gap > 0).then(|| view! { <span class="gap">{format!("{gap} d short")}</span> })}
                </li>
            }
        };
        let needs: Vec<_> = v
            .dependencies
            .iter()
            .filter(|d| d.consumer == milestone_id)
            .map(|d| row(d.provider, d))
            .collect();
        let feeds: Vec<_> = v
            .dependencies
            .iter()
            .filter(|d| d.provider == milestone_id)
            .map(|d| row(d.consumer, d))
            .collect();
        Some(view! {
            <div class="links">
                <div>
                    <h4>"Needs"</h4>
                    {if needs.is_empty() { view! { <p class="muted">"Nothing from other milestones."</p> }.into_any() }
                     else { view! { <ul>{needs}</ul> }.into_any() }}
                </div>
                <div>
                    <h4>"Needed by"</h4>
                    {if feeds.is_empty() { view! { <p class="muted">"No milestone depends on it."</p> }.into_any() }
                     else { view! { <ul>{feeds}</ul> }.into_any() }}
                </div>
            </div>
        })
    };

    let preview_view = move || {
        let p = preview.get()?;
        let v = view.get()?;
        let moved = p
            .moved
            .iter()
            .map(|m| {
                let name = v
                    .milestone(m.milestone)
                    .map(|x| x.name.clone())
                    .unwrap_or_default();
                view! {
                    <li data-testid="impact-moved">
                        <strong>{name}</strong>
                        <span class="muted">{project_name(m.project)}</span>
                        <span>{format!("+{} d → {}", m.days, date(m.to))}</span>
                    </li>
                }
            })
            .collect_view();
        let trouble = p
            .dependencies_in_trouble
            .iter()
            .filter_map(|h| {
                let d = v.dependency(h.dependency_id)?;
                Some(view! {
                    <li data-testid="impact-dependency">
                        <span class=format!("dep-chip {}", h.status.wire_name())>{h.status.label()}</span>
                        {format!("{} ← {} ({} d short)", milestone_name(d.consumer), milestone_name(d.provider), h.gap_days)}
                    </li>
                })
            })
            .collect_view();
        let objectives = p
            .newly_threatened_objectives
            .iter()
            .filter_map(|id| v.objectives.iter().find(|o| o.objective_id == *id))
            .map(|o| view! { <li data-testid="impact-objective">{o.title.clone()}</li> })
            .collect_view();
        let nothing = p.moved.is_empty()
            && p.dependencies_in_trouble.is_empty()
            && p.newly_threatened_objectives.is_empty();
        Some(view! {
            <div class="impact-preview" data-testid="impact-preview" role="status" aria-live="polite">
                <h4>{format!("If it slips {} days", p.days)}</h4>
                {if nothing {
                    view! { <p>"Nothing else moves: the slack downstream absorbs it."</p> }.into_any()
                } else {
                    view! {
                        {(!p.moved.is_empty()).then(|| view! {
                            <p>{format!("{} milestone(s) downstream would have to move:", p.moved.len())}</p>
                            <ul class="impact-list">{moved}</ul>
                        })}
                        {(!p.dependencies_in_trouble.is_empty()).then(|| view! {
                            <p>"Dependencies that turn at risk or late:"</p>
                            <ul class="impact-list">{trouble}</ul>
                        })}
                        {(!p.newly_threatened_objectives.is_empty()).then(|| view! {
                            <p>"Objectives whose target date it threatens:"</p>
                            <ul class="impact-list">{objectives}</ul>
                        })}
                    }.into_any()
                }}
            </div>
        })
    };

    move || {
        milestone.get().map(|m| {
            let status = view.with(|v| {
                analysis.with(|a| match (v, a) {
                    (Some(v), Some(a)) => Some(status_of(v, a, milestone_id)),
                    _ => None,
                })
            });
            let variance = m.variance_days();
            view! {
                <section class="card milestone-panel" data-testid="milestone-panel"
                    aria-label=format!("Milestone {}", m.name)>
                    <header class="panel-head">
                        <div>
                            <p class="eyebrow">{project_name(m.project_id)}</p>
                            <h3 data-testid="milestone-name">{m.name.clone()}</h3>
                            <p class="muted">{format!("Owner: {}", m.owner)}</p>
                        </div>
                        {status.map(|s| view! {
                            <span class=format!("status-pill {}", s.wire_name()) data-testid="milestone-status">
                                {s.label()}
                            </span>
                        })}
                        <button type="button" class="btn btn-ghost" aria-label="Close"
                            on:click=move |_| on_close.run(())>"×"</button>
                    </header>
                    <dl class="dates">
                        <div><dt>"Planned"</dt><dd>{date(m.planned)}</dd></div>
                        <div><dt>"Baseline"</dt><dd>{m.baseline.map(date).unwrap_or_else(|| "not baselined".into())}</dd></div>
                        <div><dt>"Forecast"</dt><dd data-testid="milestone-forecast">{date(m.forecast)}</dd></div>
                        <div><dt>"Variance"</dt><dd>{variance.map(signed_days).unwrap_or_else(|| "—".into())}</dd></div>
                        {m.actual.map(|a| view! { <div><dt>"Met"</dt><dd>{date(a)}</dd></div> })}
                    </dl>
                    {links}
                    <Show when=may_change>
                        <form class="forecast-form" data-testid="forecast-form" on:submit=on_submit novalidate>
                            <div class="field-row">
                                <label class="field">
                                    <span>"New forecast"</span>
                                    <input type="date" data-testid="forecast-input"
                                        aria-invalid=move || invalid(error, "forecast")
                                        aria-describedby=format!("forecast-error-{milestone_id}")
                                        prop:value=move || new_forecast.get()
                                        on:input=move |ev| new_forecast.set(event_target_value(&ev))/>
                                    <FieldMessage error field="forecast" id=format!("forecast-error-{milestone_id}")/>
                                </label>
                                <label class="field grow">
                                    <span>"Reason (optional)"</span>
                                    <input type="text" data-testid="forecast-reason" maxlength="4000"
                                        prop:value=move || reason.get()
                                        on:input=move |ev| reason.set(event_target_value(&ev))/>
                                </label>
                            </div>
                            {preview_view}
                            <FormError error/>
                            <div class="form-actions">
                                <button type="submit" class="btn btn-primary" data-testid="save-forecast"
                                    disabled=move || pending.get()>
                                    {move || if pending.get() { "Saving…" } else { "Save forecast" }}
                                </button>
                                <button type="button" class="btn btn-secondary" data-testid="mark-met"
                                    disabled=move || pending.get() on:click=mark_met>
                                    "Mark met today"
                                </button>
                            </div>
                        </form>
                    </Show>
                </section>
            }
        })
    }
}
