//! The top of the program page: the history and skipped-events banners, the program's name,
//! sponsor and description, its objectives (on their tab), and its overall health. Each part reads
//! only what it shows, so a live event patches the words it changed.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use throughline_shared::Rag;
use throughline_shared::view::{ProgramView, RagCounts};

use super::Tab;
use super::state::Page;
use crate::components::rag_chip::{RagChip, RagCountChips};
use crate::dates;
use crate::schedule::Schedule;
use crate::time;

/// The program's own details.
#[derive(Clone, Debug, PartialEq)]
struct Details {
    name: String,
    sponsor: String,
    created: Option<(DateTime<Utc>, String)>,
    description: String,
}

/// One objective as its tab shows it.
#[derive(Clone, Debug, PartialEq)]
struct Objective {
    title: String,
    target: Vec<String>,
    contributors: Vec<String>,
    threat: Option<String>,
}

#[component]
pub(super) fn ProgramHeader(page: Page, schedule: Schedule, tab: Memo<Tab>) -> impl IntoView {
    let view = page.view;
    let details = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref().map(|v| Details {
                name: v.name.clone(),
                sponsor: v.sponsor.clone(),
                created: v
                    .created_at
                    .map(|at| (at, v.created_by.clone().unwrap_or_default())),
                description: v.description.clone(),
            })
        })
    });
    let health = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref().map_or((RagCounts::default(), None::<Rag>), |v| {
                (v.rag_counts(), v.rollup_rag())
            })
        })
    });
    // The overview names the objectives; their tab shows targets, contributors, threats.
    let objectives = Memo::new(move |_| {
        if tab.get() != Tab::Objectives {
            return Vec::new();
        }
        schedule.analysis.with(|a| {
            schedule
                .with(|v| objectives_of(v, a.as_ref()))
                .unwrap_or_default()
        })
    });
    let field = move |f: fn(&Details) -> String| {
        move || details.with(|d| d.as_ref().map(f).unwrap_or_default())
    };

    view! {
        <section class=move || if page.history { "program-header history" } else { "program-header" }
            aria-label="Program details">
            <div class="program-header-main">
                <p class="eyebrow">"Program"</p>
                <h1 data-testid="program-name">{field(|d| d.name.clone())}</h1>
                <p class="program-meta">
                    <span>"Sponsor: "<strong data-testid="program-sponsor">{field(|d| d.sponsor.clone())}</strong></span>
                    {move || details.with(|d| d.as_ref().and_then(|d| d.created.clone())).map(|(at, by)| view! {
                        <span class="muted">{format!("Created {} by {by}", time::date_time(&at))}</span>
                    })}
                </p>
                {move || details.with(|d| d.as_ref().map(|d| d.description.clone()).filter(|d| !d.is_empty()))
                    .map(|description| view! {
                        <p class="program-description" data-testid="program-description">{description}</p>
                    })}
                {move || (tab.get() == Tab::Objectives).then(|| objectives.with(|list| view! {
                    <div class="objectives-block">
                        <div class="panel-head">
                            <h2 class="panel-title">"Strategic objectives"</h2>
                            // The administration app's page: loaded from the server.
                            {(!page.history).then(|| view! {
                                <a href=format!("/programs/{}/objectives/edit", page.id) rel="external"
                                    class="btn btn-secondary btn-small" data-testid="manage-objectives">
                                    "Manage objectives"
                                </a>
                            })}
                        </div>
                        {list.is_empty().then(|| view! {
                            <p class="muted">"No strategic objectives yet."</p>
                        })}
                        <ul class="objective-list">
                            {list.iter().map(|o| view! {
                                <li class="objective" data-testid="objective">
                                    <span class="objective-title">{o.title.clone()}</span>
                                    {(!o.target.is_empty()).then(|| view! {
                                        <span class="objective-target">{o.target.join(" · ")}</span>
                                    })}
                                    {(!o.contributors.is_empty()).then(|| view! {
                                        <span class="objective-target" data-testid="objective-contributors">
                                            {format!("Contributing: {}", o.contributors.join(", "))}
                                        </span>
                                    })}
                                    {o.threat.clone().map(|threat| view! {
                                        <span class="objective-threat" data-testid="objective-threatened">{threat}</span>
                                    })}
                                </li>
                            }).collect_view()}
                        </ul>
                    </div>
                }))}
            </div>
            <div class="program-health card" data-testid="program-health">
                <p class="health-label">"Overall health"</p>
                {move || {
                    let (counts, rollup) = health.get();
                    view! {
                        <div data-testid="rollup-rag"><RagChip rag=rollup large=true/></div>
                        <p class="health-note">"Worst reported project status"</p>
                        <RagCountChips counts=counts/>
                    }
                }}
            </div>
        </section>
    }
}

fn objectives_of(
    v: &ProgramView,
    analysis: Option<&throughline_shared::analysis::ScheduleAnalysis>,
) -> Vec<Objective> {
    v.objectives
        .iter()
        .map(|o| {
            let mut target = Vec::new();
            if let Some(kpi) = &o.kpi {
                target.push(format!("KPI: {kpi}"));
            }
            match (&o.target_value, o.target_date) {
                (Some(value), Some(date)) => target.push(format!(
                    "Target: {value} by {}",
                    dates::day_month_year(date)
                )),
                (Some(value), None) => target.push(format!("Target: {value}")),
                (None, Some(date)) => target.push(format!("Due {}", dates::day_month_year(date))),
                (None, None) => {}
            }
            let outlook = analysis.and_then(|a| {
                a.objectives
                    .iter()
                    .find(|x| x.objective_id == o.objective_id)
            });
            let contributors = outlook
                .map(|x| {
                    x.contributing_projects
                        .iter()
                        .filter_map(|p| v.project(*p).map(|p| p.name.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let threat = outlook.filter(|x| x.threatened).map(|x| {
                format!(
                    "Threatened: work finishes {} ({} days after the target)",
                    x.latest_finish
                        .map(dates::day_month_year)
                        .unwrap_or_default(),
                    x.days_over
                )
            });
            Objective {
                title: o.title.clone(),
                target,
                contributors,
                threat,
            }
        })
        .collect()
}

/// In history: which moment is shown, and the way back to the live program.
#[component]
pub(super) fn HistoryBanner(page: Page, at: RwSignal<Option<DateTime<Utc>>>) -> impl IntoView {
    let id = page.id;
    let navigate = use_navigate();
    let label = move || {
        let when = at.get().map(|at| format!(", {}", time::date_time(&at)));
        format!(
            "Viewing history as of #{}{}",
            page.cursor.get(),
            when.unwrap_or_default()
        )
    };
    view! {
        <div class="banner banner-history" role="status" data-testid="history-banner">
            <div class="banner-text">
                <strong>{label}</strong>
                <span>"This is the program as it stood then, right after that change. It is read-only."</span>
            </div>
            <button type="button" class="btn btn-primary" data-testid="back-to-live"
                on:click=move |_| navigate(&format!("/programs/{id}"), Default::default())>
                "Back to live"
            </button>
        </div>
    }
}

/// Events the fold had to skip (see `ProgramView::unfolded`): said so, rather than showing a
/// program that silently lacks them.
#[component]
pub(super) fn UnfoldedBanner(view: RwSignal<Option<ProgramView>>) -> impl IntoView {
    let skipped = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref()
                .filter(|v| v.unfolded_count > 0)
                .map(|v| (v.unfolded_count, v.unfolded.first().map(|u| u.position)))
        })
    });
    move || {
        skipped.get().map(|(count, first)| {
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
