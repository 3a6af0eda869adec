//! Where everything sits on the program timeline: a pure function of the view, the analysis, the
//! zoom and the filters, so it can be tested without a browser.

use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashMap;
use throughline_shared::ProjectId;
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis};
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::view::ProgramView;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    Weeks,
    Months,
    Quarters,
}

impl Zoom {
    pub const ALL: [Zoom; 3] = [Zoom::Weeks, Zoom::Months, Zoom::Quarters];

    pub fn label(self) -> &'static str {
        match self {
            Zoom::Weeks => "Weeks",
            Zoom::Months => "Months",
            Zoom::Quarters => "Quarters",
        }
    }

    fn pixels_per_day(self) -> f64 {
        match self {
            Zoom::Weeks => 14.0,
            Zoom::Months => 4.0,
            Zoom::Quarters => 1.4,
        }
    }
}

/// How a milestone reads on the timeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerStatus {
    OnTrack,
    /// Slipped against its baseline, or something it needs is at risk.
    AtRisk,
    /// Overdue, or something it needs is late or broken.
    Late,
    Met,
}

impl MarkerStatus {
    pub fn wire_name(self) -> &'static str {
        match self {
            MarkerStatus::OnTrack => "on_track",
            MarkerStatus::AtRisk => "at_risk",
            MarkerStatus::Late => "late",
            MarkerStatus::Met => "met",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MarkerStatus::OnTrack => "on track",
            MarkerStatus::AtRisk => "at risk",
            MarkerStatus::Late => "late",
            MarkerStatus::Met => "met",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    pub id: MilestoneId,
    pub name: String,
    pub kind: MilestoneKind,
    /// The forecast (or actual) finish.
    pub x: f64,
    /// A deliverable's start.
    pub x_start: Option<f64>,
    /// The baseline, when it differs from the forecast.
    pub x_baseline: Option<f64>,
    pub y: f64,
    pub status: MarkerStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: DependencyId,
    pub path: String,
    pub status: DependencyStatus,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub project_id: ProjectId,
    pub name: String,
    pub top: f64,
    pub height: f64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub width: f64,
    pub height: f64,
    pub lanes: Vec<Lane>,
    pub markers: HashMap<MilestoneId, Marker>,
    pub arrows: HashMap<DependencyId, Arrow>,
    pub ticks: Vec<Tick>,
    pub today_x: Option<f64>,
    /// Marker and arrow ids in drawing order (for keyed lists).
    pub marker_order: Vec<MilestoneId>,
    pub arrow_order: Vec<DependencyId>,
}

pub const AXIS_HEIGHT: f64 = 34.0;
pub const ROW_HEIGHT: f64 = 26.0;
const LANE_PADDING: f64 = 10.0;
/// Room after a marker for its name before the next marker in the same row.
const CHAR_WIDTH: f64 = 6.6;

pub struct Filters {
    pub project: Option<ProjectId>,
    /// Only milestones in trouble (and what they depend on).
    pub trouble_only: bool,
}

/// How every milestone reads: met, late, at risk or on track. Linear in milestones plus
/// dependencies, so a big program lays out quickly.
pub fn statuses(
    view: &ProgramView,
    analysis: &ScheduleAnalysis,
) -> HashMap<MilestoneId, MarkerStatus> {
    let health = analysis.by_dependency();
    // The worst input of each consumer: late (or broken) beats at risk.
    let mut inputs: HashMap<MilestoneId, MarkerStatus> = HashMap::new();
    for d in &view.dependencies {
        let input = match health.get(&d.dependency_id).map(|h| h.status) {
            Some(DependencyStatus::Late | DependencyStatus::Broken) => MarkerStatus::Late,
            Some(DependencyStatus::AtRisk) => MarkerStatus::AtRisk,
            _ => continue,
        };
        let worst = inputs.entry(d.consumer).or_insert(input);
        if input == MarkerStatus::Late {
            *worst = MarkerStatus::Late;
        }
    }
    let overdue: std::collections::HashSet<MilestoneId> =
        analysis.overdue.iter().copied().collect();
    view.milestones
        .iter()
        .map(|m| {
            let id = m.milestone_id;
            let status = if m.actual.is_some() {
                MarkerStatus::Met
            } else if inputs.get(&id) == Some(&MarkerStatus::Late) || overdue.contains(&id) {
                MarkerStatus::Late
            } else if inputs.contains_key(&id) || m.variance_days().is_some_and(|v| v > 0) {
                MarkerStatus::AtRisk
            } else {
                MarkerStatus::OnTrack
            };
            (id, status)
        })
        .collect()
}

/// How one milestone reads.
pub fn status_of(view: &ProgramView, analysis: &ScheduleAnalysis, id: MilestoneId) -> MarkerStatus {
    statuses(view, analysis)
        .remove(&id)
        .unwrap_or(MarkerStatus::OnTrack)
}

pub fn layout(
    view: &ProgramView,
    analysis: &ScheduleAnalysis,
    zoom: Zoom,
    filters: &Filters,
) -> Layout {
    let today = analysis.today;
    let statuses = statuses(view, analysis);
    let health = analysis.by_dependency();
    let visible: Vec<&throughline_shared::view::MilestoneView> = view
        .milestones
        .iter()
        .filter(|m| filters.project.is_none_or(|p| p == m.project_id))
        .filter(|m| {
            !filters.trouble_only
                || matches!(
                    statuses[&m.milestone_id],
                    MarkerStatus::AtRisk | MarkerStatus::Late
                )
        })
        .collect();

    // The date range: every date shown, and today, with a margin.
    let dates = visible.iter().flat_map(|m| {
        [
            Some(m.actual.unwrap_or(m.forecast)),
            m.forecast_start,
            m.baseline,
        ]
        .into_iter()
        .flatten()
    });
    let (min, max) = dates
        .chain(std::iter::once(today))
        .fold((today, today), |(lo, hi), d| (lo.min(d), hi.max(d)));
    let start = first_of_month(min - Duration::days(10));
    let end = max + Duration::days(45);
    let ppd = zoom.pixels_per_day();
    let x_of = |d: NaiveDate| (d - start).num_days() as f64 * ppd;
    let width = x_of(end).max(320.0);

    // Lanes: one per project with visible milestones (all projects when none is filtered away).
    let mut lanes = Vec::new();
    let mut markers = HashMap::new();
    let mut marker_order = Vec::new();
    let mut top = AXIS_HEIGHT;
    for project in &view.projects {
        if filters.project.is_some_and(|p| p != project.project_id) {
            continue;
        }
        let mut items: Vec<_> = visible
            .iter()
            .filter(|m| m.project_id == project.project_id)
            .collect();
        if items.is_empty() && filters.trouble_only {
            continue;
        }
        items.sort_by_key(|m| (m.forecast_start.unwrap_or(m.forecast), m.forecast));
        // Greedy rows: a marker goes in the first row whose last label ends before it.
        let mut row_ends: Vec<f64> = Vec::new();
        for m in items {
            let finish = m.actual.unwrap_or(m.forecast);
            let x = x_of(finish);
            let x_start = m.forecast_start.filter(|_| m.actual.is_none()).map(x_of);
            let left = x_start.unwrap_or(x).min(m.baseline.map_or(x, x_of)) - 8.0;
            let right = x + 12.0 + m.name.chars().count() as f64 * CHAR_WIDTH;
            let row = row_ends
                .iter()
                .position(|&end| end < left)
                .unwrap_or(row_ends.len());
            if row == row_ends.len() {
                row_ends.push(right);
            } else {
                row_ends[row] = right;
            }
            marker_order.push(m.milestone_id);
            markers.insert(
                m.milestone_id,
                Marker {
                    id: m.milestone_id,
                    name: m.name.clone(),
                    kind: m.kind,
                    x,
                    x_start,
                    x_baseline: m.baseline.filter(|b| *b != finish).map(x_of),
                    y: top + LANE_PADDING + ROW_HEIGHT * (row as f64 + 0.5),
                    status: statuses[&m.milestone_id],
                },
            );
        }
        let height = LANE_PADDING * 2.0 + ROW_HEIGHT * row_ends.len().max(1) as f64;
        lanes.push(Lane {
            project_id: project.project_id,
            name: project.name.clone(),
            top,
            height,
        });
        top += height;
    }

    // Arrows between visible markers, from the provider's end to the consumer's.
    let mut arrows = HashMap::new();
    let mut arrow_order = Vec::new();
    for d in &view.dependencies {
        let Some(health) = health.get(&d.dependency_id) else {
            continue;
        };
        if health.status == DependencyStatus::Cancelled {
            continue;
        }
        let (Some(p), Some(c)) = (markers.get(&d.provider), markers.get(&d.consumer)) else {
            continue;
        };
        let (x1, y1) = (p.x + 7.0, p.y);
        let (x2, y2) = (c.x_start.unwrap_or(c.x) - 8.0, c.y);
        let bend = ((x2 - x1).abs() / 2.0).clamp(24.0, 120.0);
        arrows.insert(
            d.dependency_id,
            Arrow {
                id: d.dependency_id,
                // Whole pixels: exact float formatting would cost wasm size for nothing visible.
                path: format!(
                    "M{},{} C{},{} {},{} {},{}",
                    px(x1),
                    px(y1),
                    px(x1 + bend),
                    px(y1),
                    px(x2 - bend),
                    px(y2),
                    px(x2),
                    px(y2)
                ),
                status: health.status,
            },
        );
        arrow_order.push(d.dependency_id);
    }

    Layout {
        width,
        height: top + 8.0,
        lanes,
        markers,
        arrows,
        ticks: ticks(start, end, zoom, &x_of),
        today_x: Some(x_of(today)),
        marker_order,
        arrow_order,
    }
}

/// A coordinate in whole pixels.
pub fn px(x: f64) -> i64 {
    x.round() as i64
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("day 1 exists")
}

fn ticks(
    start: NaiveDate,
    end: NaiveDate,
    zoom: Zoom,
    x_of: &dyn Fn(NaiveDate) -> f64,
) -> Vec<Tick> {
    let mut ticks = Vec::new();
    match zoom {
        Zoom::Weeks => {
            // Mondays.
            let mut d =
                start + Duration::days((7 - start.weekday().num_days_from_monday() as i64) % 7);
            while d <= end {
                ticks.push(Tick {
                    x: x_of(d),
                    label: crate::dates::day_month(d),
                });
                d += Duration::days(7);
            }
        }
        Zoom::Months | Zoom::Quarters => {
            let step = if zoom == Zoom::Months { 1 } else { 3 };
            let mut d = first_of_month(start);
            while !d.month0().is_multiple_of(step) {
                d = next_month(d);
            }
            while d <= end {
                let label = if zoom == Zoom::Months {
                    crate::dates::month_year(d)
                } else {
                    format!("Q{} {}", d.month0() / 3 + 1, d.year())
                };
                ticks.push(Tick { x: x_of(d), label });
                for _ in 0..step {
                    d = next_month(d);
                }
            }
        }
    }
    ticks
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("first of a month")
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use throughline_shared::ProgramId;
    use throughline_shared::dependency::DependencyState;
    use throughline_shared::schedule::DependencyType;
    use throughline_shared::view::{DependencyView, MilestoneView, ProjectView};
    use uuid::Uuid;

    fn d(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, month, day).unwrap()
    }

    fn project(n: u128) -> ProjectView {
        ProjectView {
            project_id: ProjectId::from_uuid(Uuid::from_u128(n)),
            name: format!("P{n}"),
            manager: "M".into(),
            version: 1,
            status: None,
            previous_rag: None,
            added_at: Utc.timestamp_opt(0, 0).unwrap(),
            objectives: Vec::new(),
        }
    }

    fn milestone(n: u128, project: u128, forecast: NaiveDate) -> MilestoneView {
        MilestoneView {
            milestone_id: MilestoneId::from_uuid(Uuid::from_u128(100 + n)),
            project_id: ProjectId::from_uuid(Uuid::from_u128(project)),
            name: format!("Milestone number {n}"),
            kind: MilestoneKind::Milestone,
            owner: "O".into(),
            planned: forecast,
            planned_start: None,
            forecast,
            forecast_start: None,
            baseline: Some(forecast),
            actual: None,
            version: 1,
            external_ref: None,
        }
    }

    fn dependency(
        n: u128,
        provider: u128,
        consumer: u128,
        state: DependencyState,
    ) -> DependencyView {
        DependencyView {
            dependency_id: DependencyId::from_uuid(Uuid::from_u128(500 + n)),
            provider: MilestoneId::from_uuid(Uuid::from_u128(100 + provider)),
            provider_project: ProjectId::from_uuid(Uuid::from_u128(1)),
            consumer: MilestoneId::from_uuid(Uuid::from_u128(100 + consumer)),
            consumer_project: ProjectId::from_uuid(Uuid::from_u128(2)),
            kind: DependencyType::FinishToStart,
            lag_days: 0,
            need_by: None,
            provider_owner: "A".into(),
            consumer_owner: "B".into(),
            description: String::new(),
            state,
            proposed_at: Utc.timestamp_opt(0, 0).unwrap(),
            closed_reason: None,
        }
    }

    fn program() -> ProgramView {
        let mut view = ProgramView::new(ProgramId::from_uuid(Uuid::from_u128(9)));
        view.projects = vec![project(1), project(2)];
        // Two close milestones in P1 (their labels would collide), one in P2.
        view.milestones = vec![
            milestone(1, 1, d(3, 1)),
            milestone(2, 1, d(3, 3)),
            milestone(3, 2, d(3, 20)),
        ];
        view.dependencies = vec![
            dependency(1, 1, 3, DependencyState::Agreed),
            dependency(2, 2, 3, DependencyState::Cancelled),
        ];
        view
    }

    fn no_filter() -> Filters {
        Filters {
            project: None,
            trouble_only: false,
        }
    }

    #[test]
    fn close_milestones_stack_in_rows_and_lanes_follow_each_other() {
        let view = program();
        let layout = layout(&view, &view.analyse(d(2, 1)), Zoom::Weeks, &no_filter());
        assert_eq!(layout.lanes.len(), 2);
        let (m1, m2) = (
            &layout.markers[&view.milestones[0].milestone_id],
            &layout.markers[&view.milestones[1].milestone_id],
        );
        assert!(m2.y > m1.y, "the second marker goes below the first");
        assert_eq!(
            layout.lanes[1].top,
            layout.lanes[0].top + layout.lanes[0].height
        );
        assert!(
            (m2.x - m1.x - 2.0 * 14.0).abs() < 1e-9,
            "two days at 14 px a day"
        );
        // Cancelled dependencies draw no arrow.
        assert_eq!(layout.arrow_order.len(), 1);
        assert!(
            layout
                .ticks
                .iter()
                .all(|t| t.x >= 0.0 && t.x <= layout.width)
        );
    }

    #[test]
    fn a_slip_turns_the_consumer_late_and_the_filter_keeps_only_trouble() {
        let mut view = program();
        view.dependencies[0].need_by = Some(d(2, 10));
        view.milestones[0].forecast = d(3, 5);
        let analysis = view.analyse(d(2, 15));
        let consumer = view.milestones[2].milestone_id;
        assert_eq!(status_of(&view, &analysis, consumer), MarkerStatus::Late);
        let filtered = layout(
            &view,
            &analysis,
            Zoom::Months,
            &Filters {
                project: None,
                trouble_only: true,
            },
        );
        // The slipped provider (at risk against its baseline) and its late consumer remain.
        assert_eq!(filtered.marker_order.len(), 2);
        assert_eq!(
            filtered.arrows.values().next().map(|a| a.status),
            Some(DependencyStatus::Late)
        );
    }
}
