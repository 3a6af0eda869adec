//! Where everything sits on the program timeline: a pure function of the view, the analysis, the
//! zoom and the filters, so it can be tested without a browser. Also which part of it is worth
//! drawing ([`Window`]): a big program's timeline is far larger than its scroll box, and only
//! what the box shows (and a margin) is in the page.

use chrono::{Datelike, Duration, NaiveDate};
use std::collections::HashMap;
use throughline_shared::ProjectId;
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis};
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::view::{MilestoneView, ProgramView};

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
    /// A move proposed after a slip and not answered yet: where it would go.
    pub x_pending: Option<f64>,
    /// Comparing two moments: where it stood at the earlier one, when that differs.
    pub x_was: Option<f64>,
    pub y: f64,
    pub status: MarkerStatus,
    /// What it covers, its name included: from the leftmost of start, baseline and finish to the
    /// end of its name.
    pub left: f64,
    pub right: f64,
}

/// An arrow from the provider's end (`x1`, `y1`) to the consumer's start (`x2`, `y2`).
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub id: DependencyId,
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub status: DependencyStatus,
}

impl Arrow {
    /// How far the curve's control points reach out horizontally from its ends.
    fn bend(&self) -> f64 {
        ((self.x2 - self.x1).abs() / 2.0).clamp(24.0, 120.0)
    }

    /// The SVG path: a cubic curve leaving and entering horizontally. Whole pixels: exact float
    /// formatting would cost wasm size for nothing visible.
    pub fn path(&self) -> String {
        let bend = self.bend();
        format!(
            "M{},{} C{},{} {},{} {},{}",
            px(self.x1),
            px(self.y1),
            px(self.x1 + bend),
            px(self.y1),
            px(self.x2 - bend),
            px(self.y2),
            px(self.x2),
            px(self.y2)
        )
    }

    /// Whether any of it (control points included, which bound the curve) is in `window`.
    pub fn in_window(&self, window: &Window) -> bool {
        let bend = self.bend();
        window.overlaps(
            self.x1.min(self.x2 - bend),
            self.x2.max(self.x1 + bend),
            self.y1.min(self.y2) - 6.0,
            self.y1.max(self.y2) + 6.0,
        )
    }
}

impl Marker {
    pub fn in_window(&self, window: &Window) -> bool {
        window.overlaps(self.left, self.right, self.y - 8.0, self.y + 8.0)
    }
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

/// The part of the timeline that is drawn, in the timeline's own pixels: what its scroll box
/// shows plus a margin on every side, its edges rounded out to whole blocks. A scroll of less than
/// a block leaves it as it is (nothing is redrawn); a longer one draws what comes into it and drops
/// what leaves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Window {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
}

/// Margin and rounding, in pixels: about a fifth of what the box shows, so a scroll by the wheel
/// redraws a little at a time, and the margin drawn beyond the box stays small.
const BLOCK_X: f64 = 240.0;
const BLOCK_Y: f64 = 120.0;

impl Window {
    /// For a scroll box scrolled to (`scroll_left`, `scroll_top`) that shows `width` × `height`.
    pub fn around(scroll_left: f64, scroll_top: f64, width: f64, height: f64) -> Self {
        let down = |v: f64, block: f64| (v / block).floor() * block;
        let up = |v: f64, block: f64| (v / block).ceil() * block;
        Self {
            left: down(scroll_left - BLOCK_X, BLOCK_X),
            right: up(scroll_left + width + BLOCK_X, BLOCK_X),
            top: down(scroll_top - BLOCK_Y, BLOCK_Y),
            bottom: up(scroll_top + height + BLOCK_Y, BLOCK_Y),
        }
    }

    pub fn overlaps(&self, left: f64, right: f64, top: f64, bottom: f64) -> bool {
        left <= self.right && right >= self.left && top <= self.bottom && bottom >= self.top
    }
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

/// How one milestone reads: what [`statuses`] says of it, from its own dependencies only.
pub fn status_of(view: &ProgramView, analysis: &ScheduleAnalysis, id: MilestoneId) -> MarkerStatus {
    let Some(m) = view.milestone(id) else {
        return MarkerStatus::OnTrack;
    };
    if m.actual.is_some() {
        return MarkerStatus::Met;
    }
    let mut worst = None;
    for d in view.dependencies.iter().filter(|d| d.consumer == id) {
        match analysis.dependency(d.dependency_id).map(|h| h.status) {
            Some(DependencyStatus::Late | DependencyStatus::Broken) => {
                worst = Some(MarkerStatus::Late)
            }
            Some(DependencyStatus::AtRisk) if worst.is_none() => worst = Some(MarkerStatus::AtRisk),
            _ => {}
        }
    }
    if worst == Some(MarkerStatus::Late) || analysis.overdue.contains(&id) {
        MarkerStatus::Late
    } else if worst.is_some() || m.variance_days().is_some_and(|v| v > 0) {
        MarkerStatus::AtRisk
    } else {
        MarkerStatus::OnTrack
    }
}

/// `was`: when comparing two moments, each milestone's finish at the earlier one (empty otherwise).
pub fn layout(
    view: &ProgramView,
    analysis: &ScheduleAnalysis,
    zoom: Zoom,
    filters: &Filters,
    was: &HashMap<MilestoneId, NaiveDate>,
) -> Layout {
    let today = analysis.today;
    let statuses = statuses(view, analysis);
    let health = analysis.by_dependency();
    let visible: Vec<&MilestoneView> = view
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
            was.get(&m.milestone_id).copied(),
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
    let mut by_project: HashMap<ProjectId, Vec<&MilestoneView>> = HashMap::new();
    for m in visible {
        by_project.entry(m.project_id).or_default().push(m);
    }
    let mut lanes = Vec::new();
    let mut markers = HashMap::new();
    let mut marker_order = Vec::new();
    let mut top = AXIS_HEIGHT;
    for project in &view.projects {
        if filters.project.is_some_and(|p| p != project.project_id) {
            continue;
        }
        let mut items = by_project.remove(&project.project_id).unwrap_or_default();
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
            let x_was = was
                .get(&m.milestone_id)
                .filter(|w| **w != finish)
                .map(|w| x_of(*w));
            let left = x_start
                .unwrap_or(x)
                .min(m.baseline.map_or(x, x_of))
                .min(x_was.unwrap_or(x))
                - 8.0;
            let right = (x + 12.0 + m.name.chars().count() as f64 * CHAR_WIDTH)
                .max(x_was.map_or(x, |w| w + 8.0));
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
                    x_pending: view
                        .pending_moves
                        .iter()
                        .find(|p| p.milestone_id == m.milestone_id)
                        .map(|p| x_of(p.to)),
                    x_was,
                    y: top + LANE_PADDING + ROW_HEIGHT * (row as f64 + 0.5),
                    status: statuses[&m.milestone_id],
                    left,
                    right,
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
        arrows.insert(
            d.dependency_id,
            Arrow {
                id: d.dependency_id,
                x1: p.x + 7.0,
                y1: p.y,
                x2: c.x_start.unwrap_or(c.x) - 8.0,
                y2: c.y,
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
            stage: Default::default(),
            stage_reason: None,
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
            percent_complete: 0,
            actual_start: None,
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
            version: 1,
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
        let layout = layout(
            &view,
            &view.analyse(d(2, 1)),
            Zoom::Weeks,
            &no_filter(),
            &HashMap::new(),
        );
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
        let all = statuses(&view, &analysis);
        for m in &view.milestones {
            assert_eq!(
                status_of(&view, &analysis, m.milestone_id),
                all[&m.milestone_id]
            );
        }
        let filtered = layout(
            &view,
            &analysis,
            Zoom::Months,
            &Filters {
                project: None,
                trouble_only: true,
            },
            &HashMap::new(),
        );
        // The slipped provider (at risk against its baseline) and its late consumer remain.
        assert_eq!(filtered.marker_order.len(), 2);
        assert_eq!(
            filtered.arrows.values().next().map(|a| a.status),
            Some(DependencyStatus::Late)
        );
    }

    #[test]
    fn comparing_puts_a_ghost_where_a_moved_milestone_stood_and_widens_the_range_to_it() {
        let view = program();
        let analysis = view.analyse(d(2, 1));
        let plain = layout(&view, &analysis, Zoom::Weeks, &no_filter(), &HashMap::new());
        assert!(plain.markers.values().all(|m| m.x_was.is_none()));
        let (moved, unmoved) = (&view.milestones[0], &view.milestones[1]);
        // The first stood a year earlier; the second where it stands now.
        let was = HashMap::from([
            (moved.milestone_id, moved.forecast - Duration::days(365)),
            (unmoved.milestone_id, unmoved.forecast),
        ]);
        let compared = layout(&view, &analysis, Zoom::Weeks, &no_filter(), &was);
        let m = &compared.markers[&moved.milestone_id];
        let ghost = m.x_was.expect("a ghost where it stood");
        assert!(
            (m.x - ghost - 365.0 * 14.0).abs() < 1e-9,
            "a year at 14 px a day"
        );
        assert!(ghost >= 0.0, "the range reaches back to the ghost");
        assert!(
            m.left <= ghost - 8.0,
            "the ghost is part of what the marker covers"
        );
        // Pulled in by a year: the ghost stands far right of its name, and still counts.
        let later = HashMap::from([(moved.milestone_id, moved.forecast + Duration::days(365))]);
        let pulled = layout(&view, &analysis, Zoom::Weeks, &no_filter(), &later);
        let m = &pulled.markers[&moved.milestone_id];
        assert!(m.right >= m.x_was.unwrap() + 8.0);
        assert_eq!(compared.markers[&unmoved.milestone_id].x_was, None);
        assert!(compared.width > plain.width);
    }

    #[test]
    fn the_window_covers_the_box_with_a_margin_and_moves_in_blocks() {
        let w = Window::around(1000.0, 500.0, 1200.0, 640.0);
        assert!(w.left <= 1000.0 - 200.0 && w.right >= 2200.0 + 200.0);
        assert!(w.top <= 500.0 - 100.0 && w.bottom >= 1140.0 + 100.0);
        // A short scroll draws nothing new; a long one moves the window.
        assert_eq!(Window::around(1010.0, 505.0, 1200.0, 640.0), w);
        assert_ne!(Window::around(1600.0, 500.0, 1200.0, 640.0), w);
    }

    #[test]
    fn only_what_overlaps_the_window_is_in_it() {
        let view = program();
        let layout = layout(
            &view,
            &view.analyse(d(2, 1)),
            Zoom::Weeks,
            &no_filter(),
            &HashMap::new(),
        );
        let everything = Window::around(0.0, 0.0, layout.width, layout.height);
        assert!(layout.markers.values().all(|m| m.in_window(&everything)));
        assert!(layout.arrows.values().all(|a| a.in_window(&everything)));
        let far_below = Window {
            left: 0.0,
            right: layout.width,
            top: layout.height + 500.0,
            bottom: layout.height + 1000.0,
        };
        assert!(!layout.markers.values().any(|m| m.in_window(&far_below)));
        assert!(!layout.arrows.values().any(|a| a.in_window(&far_below)));
        // A marker's name counts: a window just right of its diamond still holds it.
        let m = &layout.markers[&view.milestones[2].milestone_id];
        let on_its_name = Window {
            left: m.x + 20.0,
            right: m.x + 30.0,
            top: m.y,
            bottom: m.y,
        };
        assert!(m.in_window(&on_its_name));
        let arrow = layout.arrows.values().next().unwrap();
        assert!(
            arrow
                .path()
                .starts_with(&format!("M{},{} C", px(arrow.x1), px(arrow.y1)))
        );
    }
}
