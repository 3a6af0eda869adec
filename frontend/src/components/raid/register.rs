//! The risk register: filters (band, open or closed, project, stale only, a heatmap cell), a
//! sort, and one row per risk with its score, band, trend, response, review date and flags. A
//! row opens into its panel (details, actions, history, controls).

use super::risk_panel::RiskPanel;
use super::{Choice, Empty, Raid, Rows, band_class, day, expanded, sort_title, sorted, tag};
use chrono::Datelike;
use leptos::prelude::*;
use throughline_shared::ids::{ProjectId, RiskId};
use throughline_shared::raid::Band;
use throughline_shared::raid::register::{RiskRow, ScorePoint};
use throughline_shared::raid::risk::Roam;

/// How the register is ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortBy {
    /// Highest score first (unassessed last), then title.
    Score,
    Title,
    /// Soonest review first (none last).
    Review,
}

/// What the reader narrowed the register to. Band, state, project and stale mean what they mean
/// to the server's `RaidFilter` (the same matching is done here, on the whole register, so the
/// heatmap and counts stay whole).
#[derive(Clone, Debug, Default, PartialEq)]
struct Narrowing {
    band: Option<Band>,
    /// `Some(true)`: open only; `Some(false)`: closed only.
    open: Option<bool>,
    project: Option<ProjectId>,
    stale: bool,
    cell: Option<(u8, u8)>,
    residual: bool,
}

impl Narrowing {
    fn keeps(&self, r: &RiskRow) -> bool {
        let assessment = if self.residual {
            r.residual
        } else {
            r.inherent
        };
        self.band.is_none_or(|b| r.band == Some(b))
            && self.open.is_none_or(|o| r.state.is_open() == o)
            && self.project.is_none_or(|p| r.details.projects.contains(&p))
            && (!self.stale || r.stale)
            && self.cell.is_none_or(|(p, i)| {
                // The heatmap counts open risks only.
                r.state.is_open()
                    && assessment.is_some_and(|a| a.probability.get() == p && a.impact.get() == i)
            })
    }
}

fn order(rows: &[RiskRow], narrowing: &Narrowing, sort: SortBy) -> Vec<uuid::Uuid> {
    let keyed = rows
        .iter()
        .filter(|r| narrowing.keeps(r))
        .enumerate()
        .map(|(i, r)| {
            let first = match sort {
                // Highest first, unassessed last.
                SortBy::Score => r.score.map_or(0, |s| -i64::from(s)),
                SortBy::Title => 0,
                // Soonest first, none last.
                SortBy::Review => r
                    .review_by
                    .map_or(i64::MAX, |d| i64::from(d.num_days_from_ce())),
            };
            (first, sort_title(&r.details.title), i, r.risk_id.as_uuid())
        })
        .collect();
    sorted(keyed)
}

#[component]
pub(super) fn RiskRegister(
    raid: Raid,
    cell: RwSignal<Option<(u8, u8)>>,
    residual: RwSignal<bool>,
) -> impl IntoView {
    // The selects' values, as their options name them ("" for any).
    let band = RwSignal::new(String::new());
    let open = RwSignal::new("open".to_string());
    let project = RwSignal::new(String::new());
    let stale = RwSignal::new(false);
    let sort = RwSignal::new("score".to_string());
    let ids = Memo::new(move |_| {
        let narrowing = Narrowing {
            band: band.with(|b| Band::from_wire_name(b)),
            open: open.with(|o| match o.as_str() {
                "open" => Some(true),
                "closed" => Some(false),
                _ => None,
            }),
            project: project.with(|p| p.parse().ok()),
            stale: stale.get(),
            cell: cell.get(),
            residual: residual.get(),
        };
        let sort = sort.with(|s| match s.as_str() {
            "title" => SortBy::Title,
            "review" => SortBy::Review,
            _ => SortBy::Score,
        });
        raid.data.with(|r| {
            r.as_ref()
                .map_or_else(Vec::new, |r| order(&r.risks, &narrowing, sort))
        })
    });
    let projects = Signal::derive(move || {
        raid.program.with(|v| {
            let mut options = vec![(String::new(), "Any".to_string())];
            if let Some(v) = v {
                options.extend(
                    v.projects
                        .iter()
                        .map(|p| (p.project_id.to_string(), p.name.clone())),
                );
            }
            options
        })
    });
    let bands = Signal::stored(
        std::iter::once((String::new(), "Any".to_string()))
            .chain(
                Band::ALL
                    .into_iter()
                    .rev()
                    .map(|b| (b.wire_name().to_string(), b.label().to_string())),
            )
            .collect(),
    );
    let states = Signal::stored(vec![
        ("open".to_string(), "Open".to_string()),
        ("closed".to_string(), "Closed or realised".to_string()),
        (String::new(), "All".to_string()),
    ]);
    let sorts = Signal::stored(vec![
        ("score".to_string(), "Score".to_string()),
        ("title".to_string(), "Title".to_string()),
        ("review".to_string(), "Review date".to_string()),
    ]);
    let empty = Signal::derive(move || {
        ids.with(Vec::is_empty).then(|| {
            if raid
                .data
                .with(|r| r.as_ref().is_some_and(|r| !r.risks.is_empty()))
            {
                "No risk matches these filters."
            } else {
                "No risks identified yet."
            }
        })
    });
    view! {
        <h3 class="subsection-title" id="risk-register">"Risk register"</h3>
        <div class="toolbar raid-filters" role="group" aria-label="Narrow the register">
            <Choice label="Band" name="band" value=band options=bands inline=true/>
            <Choice label="State" name="state" value=open options=states inline=true/>
            <Choice label="Project" name="project" value=project options=projects inline=true/>
            <label class="inline-check">
                <input type="checkbox" name="stale" prop:checked=move || stale.get()
                    on:change=move |ev| stale.set(event_target_checked(&ev))/>
                " Stale only"
            </label>
            <Choice label="Sort by" name="sort" value=sort options=sorts inline=true/>
            {move || cell.get().map(|(p, i)| view! {
                <button type="button" class="btn btn-ghost btn-small" data-testid="clear-cell"
                    on:click=move |_| cell.set(None)>
                    {format!("Cell P{p} × I{i} ✕")}
                </button>
            })}
        </div>
        <div class="card table-wrap">
            <table class="data-table raid-table" data-testid="risk-register">
                <thead>
                    <tr>
                        <th scope="col">"Risk"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Scope"</th>
                        <th scope="col">"Score"</th>
                        <th scope="col">"Trend"</th>
                        <th scope="col">"Response"</th>
                        <th scope="col">"Review by"</th>
                        <th scope="col">"Actions"</th>
                    </tr>
                </thead>
                <Rows raid ids row=risk_row/>
            </table>
            <Empty text=empty testid="no-risks"/>
        </div>
    }
}

fn risk_row(raid: Raid, id: uuid::Uuid) -> AnyView {
    view! { <RiskRowView raid id=RiskId::from_uuid(id)/> }.into_any()
}

pub(super) fn roam_word(roam: Roam) -> &'static str {
    match roam {
        Roam::Resolved => "resolved",
        Roam::Owned => "owned",
        Roam::Accepted => "accepted",
        Roam::Mitigated => "mitigated",
    }
}

/// One risk's row (and, opened, its panel), re-drawn only when this risk changes.
#[component]
fn RiskRowView(raid: Raid, id: RiskId) -> impl IntoView {
    let row = Memo::new(move |_| {
        raid.data
            .with(|r| r.as_ref()?.risks.iter().find(|x| x.risk_id == id).cloned())
    });
    let opened = RwSignal::new(false);
    let panel_id = format!("risk-panel-{id}");
    let cells = move || {
        row.with(|r| {
            r.as_ref().map(|r| {
                let scope = raid.scope_names(&r.details.projects);
                let closed = !r.state.is_open();
                let cells = risk_cells(r, scope, opened, panel_id.clone());
                view! { <tr class=if closed { "closed" } else { "" }>{cells}</tr> }
            })
        })
    };
    view! {
        <tbody class="risk-group" data-testid="risk-row" data-risk=id.to_string()>
            {cells}
            {move || opened.get().then(|| view! {
                <tr class="risk-panel-row">
                    <td colspan="8" id=format!("risk-panel-{id}")>
                        <RiskPanel raid id row/>
                    </td>
                </tr>
            })}
        </tbody>
    }
}

/// Everything on the row that is read, not used.
fn risk_cells(r: &RiskRow, scope: String, opened: RwSignal<bool>, panel_id: String) -> AnyView {
    let score = match (r.score, r.band) {
        (Some(s), Some(b)) => view! {
            <span class=band_class(b) data-testid="score">{format!("{s} · {}", b.label())}</span>
        }
        .into_any(),
        _ => tag("muted", "not assessed", None).into_any(),
    };
    let residual = r.residual.map(|a| {
        tag(
            "muted small-note line",
            &format!("target {}", a.score()),
            None,
        )
    });
    let above = r.above_appetite.clone().map(|why| {
        view! {
            <span class="flag flag-late line" data-testid="above-appetite" title=why.clone()>
                "Above appetite"
            </span>
            <span class="visually-hidden">{format!(": {why}")}</span>
        }
    });
    let response = match r.strategy {
        Some(s) => format!("{} · {}", s.label(), roam_word(r.roam)),
        None => roam_word(r.roam).to_string(),
    };
    let review = r.review_by.map_or_else(|| "—".to_string(), day);
    let stale = r
        .stale
        .then(|| tag("pill pill-stale", "stale", Some("stale")));
    let open_actions = r
        .actions
        .iter()
        .filter(|a| a.status == throughline_shared::governance::session::ActionStatus::Open)
        .count();
    let overdue = (r.overdue_actions > 0).then(|| {
        tag(
            "flag flag-late line",
            &format!("{} overdue", r.overdue_actions),
            None,
        )
    });
    let state = (!r.state.is_open()).then(|| {
        let word = if r.without_treatment {
            format!("{} without treatment", r.state.label())
        } else {
            r.state.label().to_string()
        };
        tag("pill pill-off", &word, None)
    });
    let title = r.details.title.clone();
    let category = r.details.category.clone();
    view! {
        <th scope="row" class="risk-title-cell">
            <button type="button" class="link-button risk-title" data-testid="risk-title"
                aria-expanded=expanded(opened) aria-controls=panel_id
                on:click=move |_| opened.update(|o| *o = !*o)>
                {title}
            </button>
            {state}
            {tag("muted small-note line", &category, None)}
        </th>
        <td>{r.details.owner.clone()}</td>
        <td class="muted">{scope}</td>
        <td class="nowrap">{score}{residual}{above}</td>
        <td>{sparkline(&r.trend)}</td>
        <td>{response}</td>
        <td class="nowrap">{review}{stale}</td>
        <td class="nowrap">{format!("{open_actions} open")}{overdue}</td>
    }
    .into_any()
}

/// The sparkline's box in tenths of a pixel: whole numbers only, so no float formatting is linked
/// into the wasm (`docs/benchmarks.md`).
const SPARK_W: i32 = 720;
const SPARK_H: i32 = 220;

/// The points of a score trajectory in the sparkline's box: scores 1–25 bottom to top, evenly
/// spaced left to right (one point is drawn flat across).
fn spark_points(scores: &[u8]) -> Vec<(i32, i32)> {
    let y = |s: u8| SPARK_H - 20 - (i32::from(s.clamp(1, 25)) - 1) * (SPARK_H - 40) / 24;
    match scores {
        [] => Vec::new(),
        [one] => vec![(20, y(*one)), (SPARK_W - 20, y(*one))],
        many => {
            let gaps = i32::try_from(many.len() - 1).unwrap_or(i32::MAX).max(1);
            many.iter()
                .enumerate()
                .map(|(i, s)| {
                    let i = i32::try_from(i).unwrap_or(gaps);
                    (20 + (SPARK_W - 40) * i / gaps, y(*s))
                })
                .collect()
        }
    }
}

pub(super) fn sparkline(points: &[ScorePoint]) -> AnyView {
    let scores: Vec<u8> = points.iter().filter_map(|p| p.score).collect();
    if scores.is_empty() {
        return tag("muted", "—", None).into_any();
    }
    let label = format!(
        "Score trend: {}",
        scores
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(" → ")
    );
    let title = label.clone();
    let xy = spark_points(&scores);
    let (last_x, last_y) = xy.last().copied().unwrap_or((0, 0));
    let rising = scores.len() > 1 && scores.last() > scores.first();
    let falling = scores.len() > 1 && scores.last() < scores.first();
    let line: String = xy
        .iter()
        .map(|(x, y)| format!("{x},{y}"))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="sparkline" class:rising=rising class:falling=falling
            viewBox="0 0 720 220" width="72" height="22"
            role="img" aria-label=label data-testid="sparkline">
            <title>{title}</title>
            <polyline points=line fill="none"/>
            <circle cx=last_x cy=last_y r="25"/>
        </svg>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::spark_points;

    #[test]
    fn sparklines_run_left_to_right_and_higher_scores_sit_higher() {
        assert!(spark_points(&[]).is_empty());
        let flat = spark_points(&[6]);
        assert_eq!(flat.len(), 2);
        assert_eq!(flat[0].1, flat[1].1);
        let up = spark_points(&[4, 12, 20]);
        assert!(up[0].0 < up[1].0 && up[1].0 < up[2].0);
        assert!(
            up[2].1 < up[0].1,
            "a higher score is drawn higher (smaller y)"
        );
    }
}
