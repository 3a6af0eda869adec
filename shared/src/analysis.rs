//! Schedule analysis of a program view as of a day: each dependency's status (at risk, late, met…)
//! with its gap, overdue milestones, the critical path, objectives whose target dates are
//! threatened, and "what if this milestone slips N days?" previews.
//!
//! "Today" is a parameter: the server passes the current date (or the as-of date of a view of the
//! past), the browser its own clock, so a view of any past moment is judged as it stood then.

use crate::date::{add_days, days_between};
use crate::dependency::DependencyState;
use crate::ids::{DependencyId, MilestoneId, ObjectiveId, ProjectId};
use crate::schedule::{Health, Item, Link, Moved, Schedule, ScheduleError, Shift};
use crate::view::ProgramView;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

/// Where a dependency stands: its recorded lifecycle state, overridden by what the dates say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DependencyStatus {
    Proposed,
    Agreed,
    /// The provider's forecast (plus lag) misses the need-by date, which is still ahead.
    AtRisk,
    /// The need-by date has passed and the provider has not delivered.
    Late,
    /// The provider milestone was met.
    Met,
    Broken,
    Cancelled,
}

impl DependencyStatus {
    pub fn label(self) -> &'static str {
        match self {
            DependencyStatus::Proposed => "Proposed",
            DependencyStatus::Agreed => "Agreed",
            DependencyStatus::AtRisk => "At risk",
            DependencyStatus::Late => "Late",
            DependencyStatus::Met => "Met",
            DependencyStatus::Broken => "Broken",
            DependencyStatus::Cancelled => "Cancelled",
        }
    }

    pub fn wire_name(self) -> &'static str {
        match self {
            DependencyStatus::Proposed => "proposed",
            DependencyStatus::Agreed => "agreed",
            DependencyStatus::AtRisk => "at_risk",
            DependencyStatus::Late => "late",
            DependencyStatus::Met => "met",
            DependencyStatus::Broken => "broken",
            DependencyStatus::Cancelled => "cancelled",
        }
    }

    /// Most urgent first: what a program manager looks at before anything else.
    pub fn urgency(self) -> u8 {
        match self {
            DependencyStatus::Late => 0,
            DependencyStatus::Broken => 1,
            DependencyStatus::AtRisk => 2,
            DependencyStatus::Proposed => 3,
            DependencyStatus::Agreed => 4,
            DependencyStatus::Met => 5,
            DependencyStatus::Cancelled => 6,
        }
    }

    pub fn is_trouble(self) -> bool {
        matches!(
            self,
            DependencyStatus::AtRisk | DependencyStatus::Late | DependencyStatus::Broken
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyHealth {
    pub dependency_id: DependencyId,
    pub status: DependencyStatus,
    /// Days the provider (plus lag) delivers after the need-by date; 0 when it makes it.
    pub gap_days: i64,
    /// The need-by date in force (the dependency's own, or the consumer's forecast).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_by: Option<NaiveDate>,
    /// When the provider's forecast (plus lag) delivers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivers: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectiveOutlook {
    pub objective_id: ObjectiveId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_date: Option<NaiveDate>,
    pub contributing_projects: Vec<ProjectId>,
    /// The latest forecast (or actual) finish among the contributing projects' milestones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_finish: Option<NaiveDate>,
    /// The milestone that finishes last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_milestone: Option<MilestoneId>,
    /// The latest finish is after the target date.
    pub threatened: bool,
    /// By how many days (0 when not threatened).
    pub days_over: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScheduleAnalysis {
    pub today: NaiveDate,
    pub dependencies: Vec<DependencyHealth>,
    /// Not met, and the forecast date has passed.
    pub overdue: Vec<MilestoneId>,
    /// Milestones with no float against the program's end, in dependency order.
    pub critical_path: Vec<MilestoneId>,
    pub objectives: Vec<ObjectiveOutlook>,
}

impl ScheduleAnalysis {
    pub fn dependency(&self, id: DependencyId) -> Option<&DependencyHealth> {
        self.dependencies.iter().find(|d| d.dependency_id == id)
    }

    /// Every dependency's health by id, for loops over many dependencies.
    pub fn by_dependency(&self) -> HashMap<DependencyId, &DependencyHealth> {
        self.dependencies
            .iter()
            .map(|d| (d.dependency_id, d))
            .collect()
    }

    pub fn count(&self, status: DependencyStatus) -> usize {
        self.dependencies
            .iter()
            .filter(|d| d.status == status)
            .count()
    }
}

/// What a slip would do, before anyone saves it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlipPreview {
    pub milestone_id: MilestoneId,
    pub days: i64,
    /// Everything downstream the slip pushes, in dependency order (the milestone itself excluded).
    pub moved: Vec<Moved>,
    /// Dependencies that would turn at risk or late if only this forecast moved (as happens on
    /// save: other teams' forecasts stay where their owners put them).
    pub dependencies_in_trouble: Vec<DependencyHealth>,
    /// Objectives whose target date is missed after the slip but was not before.
    pub newly_threatened_objectives: Vec<ObjectiveId>,
}

impl ProgramView {
    /// The analysis items: forecast dates, actuals for met milestones.
    fn schedule_items(&self) -> Vec<Item> {
        self.milestones
            .iter()
            .map(|m| Item {
                id: m.milestone_id,
                project: m.project_id,
                start: m.forecast_start,
                finish: m.actual.unwrap_or(m.forecast),
                done: m.actual.is_some(),
            })
            .collect()
    }

    fn schedule_links(&self) -> Vec<Link> {
        // Both ends in the plan: a dependency on a milestone retired by a racing proposal must
        // not cost the program its whole dependency analysis.
        let planned: std::collections::HashSet<_> =
            self.milestones.iter().map(|m| m.milestone_id).collect();
        self.dependencies
            .iter()
            .filter(|d| {
                d.state.is_active()
                    && planned.contains(&d.provider)
                    && planned.contains(&d.consumer)
            })
            .map(|d| Link {
                id: d.dependency_id,
                provider: d.provider,
                consumer: d.consumer,
                kind: d.kind,
                lag_days: d.lag_days,
                need_by: d.need_by,
            })
            .collect()
    }

    /// The dependency graph of the active dependencies. The register refuses cycles, so this
    /// only fails on a log written by something else; the analysis then sees no dependencies.
    pub fn schedule(&self) -> Schedule {
        self.try_schedule()
            .unwrap_or_else(|_| Schedule::unlinked(self.schedule_items()))
    }

    pub fn try_schedule(&self) -> Result<Schedule, ScheduleError> {
        Schedule::new(self.schedule_items(), self.schedule_links())
    }

    pub fn analyse(&self, today: NaiveDate) -> ScheduleAnalysis {
        let schedule = self.schedule();
        ScheduleAnalysis {
            today,
            dependencies: self.dependency_health(&schedule, today),
            overdue: self
                .milestones
                .iter()
                .filter(|m| m.actual.is_none() && m.forecast < today)
                .map(|m| m.milestone_id)
                .collect(),
            critical_path: schedule.critical_path(),
            objectives: self.objective_outlook(&HashMap::new()),
        }
    }

    fn dependency_health(&self, schedule: &Schedule, today: NaiveDate) -> Vec<DependencyHealth> {
        let health: HashMap<DependencyId, _> = schedule
            .health(today)
            .into_iter()
            .map(|h| (h.link, h))
            .collect();
        let met: HashSet<MilestoneId> = self
            .milestones
            .iter()
            .filter(|m| m.actual.is_some())
            .map(|m| m.milestone_id)
            .collect();
        self.dependencies
            .iter()
            .map(|d| {
                let link = health.get(&d.dependency_id);
                let status = match (d.state, link) {
                    (DependencyState::Broken, _) => DependencyStatus::Broken,
                    (DependencyState::Cancelled, _) => DependencyStatus::Cancelled,
                    _ if met.contains(&d.provider) => DependencyStatus::Met,
                    (_, Some(h)) if h.health == Health::Late => DependencyStatus::Late,
                    (_, Some(h)) if h.health == Health::AtRisk => DependencyStatus::AtRisk,
                    (DependencyState::Agreed, _) => DependencyStatus::Agreed,
                    _ => DependencyStatus::Proposed,
                };
                DependencyHealth {
                    dependency_id: d.dependency_id,
                    status,
                    gap_days: link.map_or(0, |h| h.gap_days),
                    need_by: link.map(|h| h.need_by),
                    delivers: link.map(|h| h.delivers),
                }
            })
            .collect()
    }

    /// Each objective against its target date, with milestones moved by `shift` days.
    fn objective_outlook(&self, shift: &HashMap<MilestoneId, i64>) -> Vec<ObjectiveOutlook> {
        self.objectives
            .iter()
            .map(|objective| {
                let contributing: Vec<ProjectId> = self
                    .projects
                    .iter()
                    .filter(|p| p.objectives.contains(&objective.objective_id))
                    .map(|p| p.project_id)
                    .collect();
                let latest = self
                    .milestones
                    .iter()
                    .filter(|m| contributing.contains(&m.project_id))
                    .map(|m| {
                        let finish = add_days(
                            m.actual.unwrap_or(m.forecast),
                            shift.get(&m.milestone_id).copied().unwrap_or(0),
                        );
                        (finish, m.milestone_id)
                    })
                    .max();
                let days_over = match (objective.target_date, latest) {
                    (Some(target), Some((finish, _))) => days_between(target, finish).max(0),
                    _ => 0,
                };
                ObjectiveOutlook {
                    objective_id: objective.objective_id,
                    target_date: objective.target_date,
                    contributing_projects: contributing,
                    latest_finish: latest.map(|(f, _)| f),
                    latest_milestone: latest.map(|(_, m)| m),
                    threatened: days_over > 0,
                    days_over,
                }
            })
            .collect()
    }

    /// What a slip pushes downstream and which objectives it newly threatens: recorded with
    /// every slip as the projection folds it.
    pub fn slip_impact(
        &self,
        milestone: MilestoneId,
        shift: Shift,
    ) -> (Vec<Moved>, Vec<ObjectiveId>) {
        self.slip_impact_on(&self.schedule(), milestone, shift)
    }

    fn slip_impact_on(
        &self,
        schedule: &Schedule,
        milestone: MilestoneId,
        shift: Shift,
    ) -> (Vec<Moved>, Vec<ObjectiveId>) {
        let moved = schedule.impact_of(milestone, shift);
        let shift: HashMap<MilestoneId, i64> =
            moved.iter().map(|m| (m.milestone, m.days)).collect();
        let before: HashSet<ObjectiveId> = self
            .objective_outlook(&HashMap::new())
            .into_iter()
            .filter(|o| o.threatened)
            .map(|o| o.objective_id)
            .collect();
        let newly_threatened_objectives = self
            .objective_outlook(&shift)
            .into_iter()
            .filter(|o| o.threatened && !before.contains(&o.objective_id))
            .map(|o| o.objective_id)
            .collect();
        (
            moved.into_iter().skip(1).collect(),
            newly_threatened_objectives,
        )
    }

    /// "What if `milestone` slips `days` days?" as of `today` — computed without changing anything.
    pub fn preview_slip(&self, milestone: MilestoneId, days: i64, today: NaiveDate) -> SlipPreview {
        let schedule = self.schedule();
        let (moved, newly_threatened_objectives) =
            self.slip_impact_on(&schedule, milestone, Shift::both(days));
        // On save only this forecast moves: judge the dependencies against that.
        let dependencies_in_trouble = match self.milestone(milestone) {
            Some(_) if days != 0 => {
                let mut items = self.schedule_items();
                if let Some(slipped) = items.iter_mut().find(|i| i.id == milestone) {
                    slipped.finish = add_days(slipped.finish, days);
                    slipped.start = slipped.start.map(|s| add_days(s, days));
                }
                // Moving a date cannot make the graph cyclic; should it fail anyway, judge
                // without links rather than panic.
                let after = Schedule::new(items.clone(), self.schedule_links())
                    .unwrap_or_else(|_| Schedule::unlinked(items));
                let trouble_before: HashSet<DependencyId> = self
                    .dependency_health(&schedule, today)
                    .into_iter()
                    .filter(|h| h.status.is_trouble())
                    .map(|h| h.dependency_id)
                    .collect();
                self.dependency_health(&after, today)
                    .into_iter()
                    .filter(|h| h.status.is_trouble() && !trouble_before.contains(&h.dependency_id))
                    .collect()
            }
            _ => Vec::new(),
        };
        SlipPreview {
            milestone_id: milestone,
            days,
            moved,
            dependencies_in_trouble,
            newly_threatened_objectives,
        }
    }
}
