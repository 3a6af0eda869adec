//! Systemic risk: each open risk's schedule impact pushed through the dependency graph with the
//! same slip-impact engine that records real slips ([`Schedule::impact`]). A risk linked to a
//! milestone (or to a dependency: its provider's delivery) with an impact of N days and
//! probability p exposes every milestone downstream — in any project — by p × N days expected and
//! N at worst, and the objectives those projects serve by what it would add past their target.

use super::view::RaidView;
use crate::date::{add_days, days_between};
use crate::ids::{MilestoneId, ObjectiveId, ProjectId, RiskId};
use crate::raid::RaidLink;
use crate::raid::risk::Risk;
use crate::schedule::Schedule;
use crate::view::ProgramView;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// A milestone a risk would push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExposedMilestone {
    pub milestone_id: MilestoneId,
    pub project_id: ProjectId,
    /// Its forecast (or actual) date now.
    pub from: NaiveDate,
    /// By probability × the days pushed, rounded.
    pub expected_days: i64,
    /// If the risk happened in full.
    pub worst_days: i64,
    /// Linked to the risk itself rather than reached through dependencies.
    pub direct: bool,
}

/// An objective a risk threatens: the days it would add past the objective's target date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExposedObjective {
    pub objective_id: ObjectiveId,
    pub expected_days_over: i64,
    pub worst_days_over: i64,
    pub direct: bool,
}

/// One risk's reach through the program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskExposure {
    pub risk_id: RiskId,
    pub title: String,
    pub probability_percent: u8,
    pub schedule_days: u16,
    /// Dependency order: what it hits first comes first.
    pub milestones: Vec<ExposedMilestone>,
    /// Every project with an exposed milestone, the risk's own among them.
    pub projects: Vec<ProjectId>,
    pub objectives: Vec<ExposedObjective>,
}

/// What every exposure of one program is computed against: the schedule, built once.
pub struct ExposureContext<'a> {
    view: &'a ProgramView,
    schedule: Schedule,
    /// Per objective: its target and the latest finish of its projects' milestones now.
    objectives: Vec<(ObjectiveId, Option<NaiveDate>, Option<NaiveDate>)>,
    /// Per project: the objectives it serves.
    serves: HashMap<ProjectId, Vec<ObjectiveId>>,
}

impl<'a> ExposureContext<'a> {
    pub fn new(view: &'a ProgramView) -> Self {
        let serves: HashMap<ProjectId, Vec<ObjectiveId>> = view
            .projects
            .iter()
            .map(|p| (p.project_id, p.objectives.clone()))
            .collect();
        let mut latest: HashMap<ObjectiveId, NaiveDate> = HashMap::new();
        for m in &view.milestones {
            for o in serves.get(&m.project_id).into_iter().flatten() {
                let finish = m.actual.unwrap_or(m.forecast);
                let e = latest.entry(*o).or_insert(finish);
                *e = (*e).max(finish);
            }
        }
        let objectives = view
            .objectives
            .iter()
            .map(|o| {
                (
                    o.objective_id,
                    o.target_date,
                    latest.get(&o.objective_id).copied(),
                )
            })
            .collect();
        Self {
            view,
            schedule: view.schedule(),
            objectives,
            serves,
        }
    }

    /// Where `risk` would reach; `None` when it has no schedule impact assessed or links to
    /// nothing in the schedule.
    pub fn of(&self, risk_id: RiskId, risk: &Risk) -> Option<RiskExposure> {
        let assessment = risk.inherent?;
        let days = assessment.schedule_days.filter(|d| *d > 0)?;
        let percent = assessment.probability.percent();
        let expected = |d: i64| (d * i64::from(percent) + 50).div_euclid(100);
        let mut sources: Vec<MilestoneId> = Vec::new();
        let mut direct_objectives: Vec<ObjectiveId> = Vec::new();
        for link in &risk.details.links {
            match link {
                RaidLink::Milestone(m) => sources.push(*m),
                RaidLink::Dependency(d) => {
                    if let Some(d) = self.view.dependency(*d) {
                        sources.push(d.provider);
                    }
                }
                RaidLink::Objective(o) => direct_objectives.push(*o),
            }
        }
        // Per milestone, the furthest any source pushes it (sources may share descendants).
        let mut pushed: Vec<ExposedMilestone> = Vec::new();
        let mut at: HashMap<MilestoneId, usize> = HashMap::new();
        for source in &sources {
            for moved in self.schedule.impact(*source, i64::from(days)) {
                let entry = ExposedMilestone {
                    milestone_id: moved.milestone,
                    project_id: moved.project,
                    from: moved.from,
                    expected_days: expected(moved.days),
                    worst_days: moved.days,
                    direct: sources.contains(&moved.milestone),
                };
                match at.get(&moved.milestone).and_then(|&i| pushed.get_mut(i)) {
                    Some(known) if known.worst_days >= moved.days => {}
                    Some(known) => *known = entry,
                    None => {
                        at.insert(moved.milestone, pushed.len());
                        pushed.push(entry);
                    }
                }
            }
        }
        if pushed.is_empty() && direct_objectives.is_empty() {
            return None;
        }
        let mut projects: Vec<ProjectId> = pushed
            .iter()
            .map(|m| m.project_id)
            .chain(risk.details.projects.iter().copied())
            .collect();
        projects.sort();
        projects.dedup();
        let objectives = self.objectives_hit(&pushed, &direct_objectives, days, expected);
        Some(RiskExposure {
            risk_id,
            title: risk.details.title.clone(),
            probability_percent: percent,
            schedule_days: days,
            milestones: pushed,
            projects,
            objectives,
        })
    }

    fn objectives_hit(
        &self,
        pushed: &[ExposedMilestone],
        direct: &[ObjectiveId],
        days: u16,
        expected: impl Fn(i64) -> i64,
    ) -> Vec<ExposedObjective> {
        let over = |target: Option<NaiveDate>, finish: Option<NaiveDate>| match (target, finish) {
            (Some(t), Some(f)) => days_between(t, f).max(0),
            _ => 0,
        };
        let mut hit = Vec::new();
        for &(objective_id, target, latest) in &self.objectives {
            let is_direct = direct.contains(&objective_id);
            // The latest finish of the objective's projects if the risk happened in full, and
            // as expected.
            let mut worst = latest;
            let mut likely = latest;
            for m in pushed {
                let serves = self
                    .serves
                    .get(&m.project_id)
                    .is_some_and(|o| o.contains(&objective_id));
                if serves {
                    worst = worst.max(Some(add_days(m.from, m.worst_days)));
                    likely = likely.max(Some(add_days(m.from, m.expected_days)));
                }
            }
            if is_direct {
                worst = worst.map(|f| add_days(f, i64::from(days)));
                likely = likely.map(|f| add_days(f, expected(i64::from(days))));
            }
            let before = over(target, latest);
            let worst_days_over = over(target, worst) - before;
            let expected_days_over = over(target, likely) - before;
            if worst_days_over > 0 || is_direct {
                hit.push(ExposedObjective {
                    objective_id,
                    expected_days_over,
                    worst_days_over,
                    direct: is_direct,
                });
            }
        }
        hit
    }
}

/// Every open risk's exposure, the widest reach (most expected days, summed) first.
pub fn exposure(raid: &RaidView, view: &ProgramView) -> Vec<RiskExposure> {
    let context = ExposureContext::new(view);
    let mut all: Vec<RiskExposure> = raid
        .open_risks()
        .filter_map(|(id, risk)| context.of(id, risk))
        .collect();
    all.sort_by_key(|e| {
        std::cmp::Reverse(
            e.milestones
                .iter()
                .map(|m| m.expected_days)
                .fold(0i64, i64::saturating_add),
        )
    });
    all
}
