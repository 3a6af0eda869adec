//! The selected milestone: its dates, what it depends on and what depends on it, and (for those
//! allowed) a forecast form whose slip-impact preview shows what the change would move before it
//! is saved. The preview runs the same pure analysis the server records with every slip. Its
//! details can be changed and it can be taken out of the plan (`milestone_edit`).

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::analysis::DependencyStatus;
use throughline_shared::api::{ChangeForecastRequest, CommandAccepted, MeetMilestoneRequest};
use throughline_shared::ids::MilestoneId;
use throughline_shared::project::ProjectStage;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::cascade::{PendingMoveAnswer, ProposeMoves};
use crate::components::feedback::{FieldMessage, FormError, invalid};
use crate::components::milestone_edit::{DetailsForm, RetireForm};
use crate::dates;
use crate::schedule::Schedule;
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

/// One dependency of the milestone, seen from it: the milestone at the other end.
#[derive(Clone, Debug, PartialEq)]
struct Link {
    other: String,
    other_project: Option<String>,
    status: Option<DependencyStatus>,
    gap_days: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Details,
    Retire,
}

#[component]
pub fn MilestonePanel(
    program_id: ProgramId,
    milestone_id: MilestoneId,
    schedule: Schedule,
    history: bool,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let auth = use_auth();
    let analysis = schedule.analysis;
    // Everything here is read through `schedule`: a live status report elsewhere in the program
    // re-runs none of it, and a schedule change patches the parts it touched (never the form).
    let milestone = Memo::new(move |_| {
        schedule
            .with(|v| schedule.lookup(v, |by_id| by_id.milestone(milestone_id).cloned()))
            .flatten()
    });
    let project_name = Memo::new(move |_| {
        let project = milestone.with(|m| m.as_ref().map(|m| m.project_id))?;
        schedule
            .with(|v| schedule.lookup(v, |by_id| by_id.project(project).map(|p| p.name.clone())))
            .flatten()
    });
    let status = Memo::new(move |_| {
        analysis.with(|a| {
            let a = a.as_ref()?;
            schedule.with(|v| status_of(v, a, milestone_id))
        })
    });
    let links = Memo::new(move |_| {
        analysis
            .with(|a| {
                let a = a.as_ref()?;
                schedule.with(|v| {
                    schedule.lookup(v, |by_id| {
                        let link = |other: MilestoneId, id| {
                            let health = by_id.health(a, id);
                            let other = by_id.milestone(other);
                            Link {
                                other: other.map(|m| m.name.clone()).unwrap_or_default(),
                                other_project: other
                                    .and_then(|m| by_id.project(m.project_id))
                                    .map(|p| p.name.clone()),
                                status: health.map(|h| h.status),
                                gap_days: health.map_or(0, |h| h.gap_days),
                            }
                        };
                        let needs: Vec<Link> = v
                            .dependencies
                            .iter()
                            .filter(|d| d.consumer == milestone_id)
                            .map(|d| link(d.provider, d.dependency_id))
                            .collect();
                        let feeds: Vec<Link> = v
                            .dependencies
                            .iter()
                            .filter(|d| d.provider == milestone_id)
                            .map(|d| link(d.consumer, d.dependency_id))
                            .collect();
                        (needs, feeds)
                    })
                })
            })
            .unwrap_or_default()
    });
    let may_change = move || {
        !history
            && milestone.with(|m| {
                m.as_ref().is_some_and(|m| {
                    m.actual.is_none()
                        && auth.can(program_id, ProgramAction::ChangeSchedule(m.project_id))
                })
            })
    };

    // Renaming or re-owning: allowed once met too (the dates are facts, the name is not).
    let may_edit = move || {
        !history
            && milestone.with(|m| {
                m.as_ref().is_some_and(|m| {
                    auth.can(program_id, ProgramAction::ChangeSchedule(m.project_id))
                })
            })
    };
    // The open form, if any: its details, or taking it out of the plan.
    let form = RwSignal::new(None::<Form>);
    let stop_editing = Callback::new(move |()| {
        form.try_set(None);
    });
    let toggle = move |which: Form| form.update(|f| *f = (*f != Some(which)).then_some(which));
    // Where it may move: the program's projects not closed.
    let open_projects = move || {
        schedule.view.with_untracked(|v| {
            v.iter()
                .flat_map(|v| &v.projects)
                .filter(|p| p.stage != ProjectStage::Closed)
                .map(|p| (p.project_id, p.name.clone()))
                .collect::<Vec<_>>()
        })
    };
    let active_dependencies = move || {
        schedule.view.with_untracked(|v| {
            v.iter()
                .flat_map(|v| &v.dependencies)
                .filter(|d| {
                    d.state.is_active()
                        && (d.provider == milestone_id || d.consumer == milestone_id)
                })
                .count()
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
        (days > 0)
            .then(|| schedule.with(|v| v.preview_slip(milestone_id, days, today)))
            .flatten()
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

    let link_list = |links: &[Link]| {
        links
            .iter()
            .map(|l| {
                let wire = l.status.map(|s| s.wire_name());
                let gap = l.gap_days;
                view! {
                    <li class="link-row" data-testid="milestone-link" data-status=wire>
                        <span class=format!("dep-chip {}", wire.unwrap_or(""))>
                            {l.status.map(|s| s.label())}
                        </span>
                        <span>{l.other.clone()}</span>
                        <span class="muted">{l.other_project.clone()}</span>
                        {(gap > 0).then(|| view! { <span class="gap">{format!("{gap} d short")}</span> })}
                    </li>
                }
            })
            .collect_view()
    };
    let links_view = move || {
        links.with(|(needs, feeds)| {
            view! {
                <div class="links">
                    <div>
                        <h4>"Needs"</h4>
                        {if needs.is_empty() { view! { <p class="muted">"Nothing from other milestones."</p> }.into_any() }
                         else { view! { <ul>{link_list(needs)}</ul> }.into_any() }}
                    </div>
                    <div>
                        <h4>"Needed by"</h4>
                        {if feeds.is_empty() { view! { <p class="muted">"No milestone depends on it."</p> }.into_any() }
                         else { view! { <ul>{link_list(feeds)}</ul> }.into_any() }}
                    </div>
                </div>
            }
        })
    };

    let preview_view = move || {
        let p = preview.get()?;
        let names = schedule.with(|v| {
            schedule.lookup(v, |by_id| {
                let milestone_name = |id| {
                    by_id
                        .milestone(id)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| id.to_string())
                };
                let project_name = |id| {
                    by_id
                        .project(id)
                        .map(|p| p.name.clone())
                        .unwrap_or_default()
                };
                let moved: Vec<_> = p
                    .moved
                    .iter()
                    .map(|m| {
                        let name = by_id
                            .milestone(m.milestone)
                            .map(|x| x.name.clone())
                            .unwrap_or_default();
                        (
                            name,
                            project_name(m.project),
                            format!("+{} d → {}", m.days, date(m.to)),
                        )
                    })
                    .collect();
                let trouble: Vec<_> = p
                    .dependencies_in_trouble
                    .iter()
                    .filter_map(|h| {
                        let d = by_id.dependency(h.dependency_id)?;
                        Some((
                            h.status,
                            format!(
                                "{} ← {} ({} d short)",
                                milestone_name(d.consumer),
                                milestone_name(d.provider),
                                h.gap_days
                            ),
                        ))
                    })
                    .collect();
                let objectives: Vec<String> = p
                    .newly_threatened_objectives
                    .iter()
                    .filter_map(|id| v.objectives.iter().find(|o| o.objective_id == *id))
                    .map(|o| o.title.clone())
                    .collect();
                (moved, trouble, objectives)
            })
        })?;
        let (moved, trouble, objectives) = names;
        let moved = moved
            .into_iter()
            .map(|(name, project, change)| {
                view! {
                    <li data-testid="impact-moved">
                        <strong>{name}</strong>
                        <span class="muted">{project}</span>
                        <span>{change}</span>
                    </li>
                }
            })
            .collect_view();
        let trouble = trouble
            .into_iter()
            .map(|(status, text)| {
                view! {
                    <li data-testid="impact-dependency">
                        <span class=format!("dep-chip {}", status.wire_name())>{status.label()}</span>
                        {text}
                    </li>
                }
            })
            .collect_view();
        let objectives = objectives
            .into_iter()
            .map(|title| view! { <li data-testid="impact-objective">{title}</li> })
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

    let field = move |f: fn(&throughline_shared::view::MilestoneView) -> String| {
        move || milestone.with(|m| m.as_ref().map(f).unwrap_or_default())
    };
    let exists = Memo::new(move |_| milestone.with(Option::is_some));
    view! {
        <Show when=move || exists.get()>
            <section class="card milestone-panel" data-testid="milestone-panel"
                aria-label=field(|m| format!("Milestone {}", m.name))>
                <header class="panel-head">
                    <div>
                        <p class="eyebrow">{move || project_name.get().unwrap_or_default()}</p>
                        <h3 data-testid="milestone-name">{field(|m| m.name.clone())}</h3>
                        <p class="muted">{field(|m| format!("Owner: {}", m.owner))}</p>
                    </div>
                    {move || status.get().map(|s| view! {
                        <span class=format!("status-pill {}", s.wire_name()) data-testid="milestone-status">
                            {s.label()}
                        </span>
                    })}
                    <Show when=may_edit>
                        <button type="button" class="btn btn-secondary btn-small" data-testid="edit-milestone"
                            aria-expanded=move || (form.get() == Some(Form::Details)).to_string()
                            on:click=move |_| toggle(Form::Details)>
                            "Edit details"
                        </button>
                    </Show>
                    <Show when=may_change>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="retire-milestone"
                            aria-expanded=move || (form.get() == Some(Form::Retire)).to_string()
                            on:click=move |_| toggle(Form::Retire)>
                            "Cancel or remove…"
                        </button>
                    </Show>
                    <button type="button" class="btn btn-ghost" aria-label="Close"
                        on:click=move |_| on_close.run(())>"×"</button>
                </header>
                // Opened on `form` alone: a live change to the milestone while the form is
                // open (its own rename arriving before the answer) must not rebuild it.
                {move || form.get().and_then(|which| untrack(|| {
                    let milestone = milestone.get()?;
                    Some(match which {
                        Form::Details if may_edit() => view! {
                            <DetailsForm program_id milestone projects=open_projects()
                                on_accepted on_done=stop_editing/>
                        }.into_any(),
                        Form::Retire if may_change() => view! {
                            <RetireForm program_id milestone dependencies=active_dependencies()
                                on_accepted on_done=stop_editing/>
                        }.into_any(),
                        _ => ().into_any(),
                    })
                }))}
                <dl class="dates">
                    <div><dt>"Planned"</dt><dd>{field(|m| date(m.planned))}</dd></div>
                    <div><dt>"Baseline"</dt><dd>{field(|m| m.baseline.map(date).unwrap_or_else(|| "not baselined".into()))}</dd></div>
                    <div><dt>"Forecast"</dt><dd data-testid="milestone-forecast">{field(|m| date(m.forecast))}</dd></div>
                    <div><dt>"Variance"</dt><dd>{field(|m| m.variance_days().map(signed_days).unwrap_or_else(|| "—".into()))}</dd></div>
                    {move || milestone.with(|m| m.as_ref().and_then(|m| m.actual)).map(|a| view! {
                        <div><dt>"Met"</dt><dd>{date(a)}</dd></div>
                    })}
                    {move || milestone.with(|m| m.as_ref().filter(|m| m.percent_complete > 0 || m.actual_start.is_some()).map(|m| {
                        let started = m.actual_start.map(|s| format!(", started {}", date(s))).unwrap_or_default();
                        format!("{}% complete{started}", m.percent_complete)
                    })).map(|text| view! {
                        <div><dt>"Progress"</dt><dd data-testid="milestone-progress">{text}</dd></div>
                    })}
                </dl>
                {links_view}
                <ProposeMoves program_id milestone_id schedule history on_accepted/>
                <PendingMoveAnswer program_id milestone_id schedule history on_accepted/>
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
        </Show>
    }
}
