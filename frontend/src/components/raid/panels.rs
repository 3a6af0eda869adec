//! Risks seen together: grouped by shared cause or category (their combined expected slip and
//! cost, flagged when together above appetite), and each risk's reach through the schedule.

use super::{Empty, Raid, tag};
use leptos::prelude::*;
use throughline_shared::money::{Totals, group_thousands};
use throughline_shared::raid::exposure::RiskExposure;
use throughline_shared::raid::register::GroupBy;

/// "EUR 12,000.00 + USD 300.00", or "—".
fn totals_text(totals: &Totals) -> String {
    if totals.0.is_empty() {
        return "—".to_string();
    }
    totals
        .0
        .iter()
        .map(|t| {
            let sign = if t.minor < 0 { "-" } else { "" };
            let m = t.minor.unsigned_abs();
            format!("{} {sign}{}", t.currency, group_thousands(m / 100))
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

#[component]
pub(super) fn Groups(raid: Raid) -> impl IntoView {
    let groups = move || {
        raid.data
            .with(|r| r.as_ref().map_or_else(Vec::new, |r| r.causes.clone()))
    };
    view! {
        <div class="card groups-card" data-testid="risk-groups">
            <h3 class="subsection-title">"By cause and category"</h3>
            <Empty text=Signal::derive(move || groups().is_empty().then_some("No cause or category shared by open risks yet."))/>
            <ul class="raid-groups">
                {move || groups().into_iter().map(|g| {
                        let by = match g.by {
                            GroupBy::Cause => "cause",
                            GroupBy::Category => "category",
                        };
                        let projects = raid.scope_names(&g.projects);
                        let n = g.risks.len();
                        view! {
                            <li class="raid-group" class:over=g.above_appetite data-testid="risk-group">
                                <div class="group-head">
                                    <span class="eyebrow">{by}</span>
                                    <strong>{g.name.clone()}</strong>
                                    {g.above_appetite.then(|| tag("flag flag-late", "together above appetite", None))}
                                </div>
                                <div class="muted small-note">
                                    {format!("{n} risk{} · {projects}", if n == 1 { "" } else { "s" })}
                                </div>
                                <div class="group-figures">
                                    <span><strong>{g.expected_days}</strong>" days expected"</span>
                                    <span><strong>{g.worst_days}</strong>" at worst"</span>
                                    <span>{format!("cost {}", totals_text(&g.expected_cost))}</span>
                                </div>
                            </li>
                        }
                }).collect_view()}
            </ul>
        </div>
    }
}

#[component]
pub(super) fn ExposurePanel(raid: Raid) -> impl IntoView {
    let risks = move || {
        raid.exposure.with(|e| {
            e.as_ref().map_or_else(Vec::new, |e| {
                e.risks
                    .iter()
                    .filter(|r| !r.milestones.is_empty() || !r.objectives.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };
    view! {
        <h3 class="subsection-title">"Exposure through the schedule"</h3>
        <p class="hint">
            "Each risk's schedule impact pushed through the dependencies: expected (probability × days) and at worst."
        </p>
        <Empty testid="no-exposure"
            text=Signal::derive(move || risks().is_empty().then_some("No open risk threatens a milestone with a schedule impact."))/>
        <div class="exposure-grid" data-testid="exposure">
            {move || risks().into_iter().map(|risk| exposure_card(raid, risk)).collect_view()}
        </div>
    }
}

fn exposure_card(raid: Raid, risk: RiskExposure) -> impl IntoView {
    let objectives = raid.program.with_untracked(|v| {
        risk.objectives
            .iter()
            .map(|o| {
                let title = v
                    .as_ref()
                    .and_then(|v| {
                        v.objectives
                            .iter()
                            .find(|x| x.objective_id == o.objective_id)
                    })
                    .map_or_else(|| "an objective".to_string(), |x| x.title.clone());
                (title, o.expected_days_over, o.worst_days_over)
            })
            .collect::<Vec<_>>()
    });
    let projects = raid.scope_names(&risk.projects);
    // Milestones, then objectives pushed past their target, as rows of one kind.
    let rows: Vec<(String, bool, String, i64, i64)> = risk
        .milestones
        .iter()
        .map(|m| {
            (
                raid.milestone_name(m.milestone_id),
                !m.direct,
                raid.project_name(m.project_id),
                m.expected_days,
                m.worst_days,
            )
        })
        .chain(objectives.into_iter().map(|(title, expected, worst)| {
            (
                format!("Objective: {title}"),
                false,
                "past its target".to_string(),
                expected,
                worst,
            )
        }))
        .collect();
    view! {
        <article class="card exposure-card" data-testid="exposure-risk">
            <h4>{risk.title.clone()}</h4>
            <p class="muted small-note">
                {format!("{}% likely · {} days if it happens · reaches {projects}",
                    risk.probability_percent, risk.schedule_days)}
            </p>
            <table class="data-table exposure-table">
                <thead>
                    <tr>
                        <th scope="col">"Milestone"</th>
                        <th scope="col">"Project"</th>
                        <th scope="col" class="num">"Expected"</th>
                        <th scope="col" class="num">"Worst"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|(name, downstream, project, expected, worst)| view! {
                        <tr>
                            <td>
                                {name}
                                {downstream.then(|| tag("muted small-note", "downstream", None))}
                            </td>
                            <td class="muted">{project}</td>
                            <td class="num">{format!("+{expected}d")}</td>
                            <td class="num">{format!("+{worst}d")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </article>
    }
}
