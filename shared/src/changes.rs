//! What changed in a program between two moments: one diff of the views a reader saw at each —
//! the program view with its analysis judged on that moment's day, the governance view and the
//! RAID register — so the answer is, by construction, the difference of the two folded views.
//! Derived values are compared too: dependency health, objectives' outlook, the critical path and
//! each milestone's float.
//!
//! Each list holds the items that were added, removed or changed, in the order of the later view
//! (removed ones after); an item that did not change is left out, and each changed item carries
//! only the fields that changed.

use crate::analysis::{DependencyStatus, ScheduleAnalysis};
use crate::governance::decision::DecisionState;
use crate::governance::view::GovernanceView;
use crate::ids::{DecisionId, DependencyId, EscalationId, MilestoneId, ObjectiveId, RiskId};
use crate::project::ProjectStage;
use crate::raid::risk::RiskState;
use crate::raid::view::RaidView;
use crate::view::ProgramView;
use crate::{ProjectId, Rag};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// A value then and now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change<T> {
    pub from: T,
    pub to: T,
}

fn change<T: PartialEq + Clone>(from: &T, to: &T) -> Option<Change<T>> {
    (from != to).then(|| Change {
        from: from.clone(),
        to: to.clone(),
    })
}

/// Whether an item came, went or stayed and changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Added,
    Removed,
    Changed,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneDiff {
    pub milestone_id: MilestoneId,
    pub name: String,
    pub project_id: ProjectId,
    pub presence: Presence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<Change<NaiveDate>>,
    /// Days the forecast moved (later is positive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub moved_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Change<Option<NaiveDate>>>,
    /// Forecast against baseline, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variance_days: Option<Change<Option<i64>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<Change<Option<NaiveDate>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed: Option<Change<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<Change<ProjectId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<Change<u8>>,
    /// Days it can slip without moving the program's end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub float_days: Option<Change<Option<i64>>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyDiff {
    pub dependency_id: DependencyId,
    pub provider: MilestoneId,
    pub consumer: MilestoneId,
    pub presence: Presence,
    /// Where it stands, as the analysis of each day judges it (absent: not in that view).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Change<Option<DependencyStatus>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gap_days: Option<Change<i64>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectDiff {
    pub project_id: ProjectId,
    pub name: String,
    pub presence: Presence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rag: Option<Change<Option<Rag>>>,
    /// The latest report's narrative, when a new report came in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub narrative: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Change<ProjectStage>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed: Option<Change<String>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectiveDiff {
    pub objective_id: ObjectiveId,
    pub title: String,
    pub presence: Presence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threatened: Option<Change<bool>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_over: Option<Change<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_finish: Option<Change<Option<NaiveDate>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_date: Option<Change<Option<NaiveDate>>>,
}

/// The chain with no float, then and now, and who joined or left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriticalPathDiff {
    pub from: Vec<MilestoneId>,
    pub to: Vec<MilestoneId>,
    pub joined: Vec<MilestoneId>,
    pub left: Vec<MilestoneId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionDiff {
    pub decision_id: DecisionId,
    pub question: String,
    pub presence: Presence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Change<Option<DecisionState>>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationDiff {
    pub escalation_id: EscalationId,
    pub subject: String,
    pub presence: Presence,
    /// The level of the path it stands at (0 is the first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Change<usize>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Change<bool>>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskDiff {
    pub risk_id: RiskId,
    pub title: String,
    pub presence: Presence,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Change<Option<u8>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<Change<RiskState>>,
}

/// Everything that changed between two moments of a program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramChanges {
    /// The log positions compared (each view holds every event up to its position).
    pub from: i64,
    pub to: i64,
    /// The days each side's analysis was judged on.
    pub from_day: NaiveDate,
    pub to_day: NaiveDate,
    pub milestones: Vec<MilestoneDiff>,
    pub dependencies: Vec<DependencyDiff>,
    pub projects: Vec<ProjectDiff>,
    pub objectives: Vec<ObjectiveDiff>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub critical_path: Option<CriticalPathDiff>,
    pub decisions: Vec<DecisionDiff>,
    pub escalations: Vec<EscalationDiff>,
    pub risks: Vec<RiskDiff>,
}

impl ProgramChanges {
    /// Nothing changed.
    pub fn is_empty(&self) -> bool {
        self.milestones.is_empty()
            && self.dependencies.is_empty()
            && self.projects.is_empty()
            && self.objectives.is_empty()
            && self.critical_path.is_none()
            && self.decisions.is_empty()
            && self.escalations.is_empty()
            && self.risks.is_empty()
    }
}

/// One side of the comparison: the views as of `position`, judged on `day`. A program that did
/// not exist yet is `None`.
pub struct Moment<'a> {
    pub position: i64,
    pub day: NaiveDate,
    pub program: Option<&'a ProgramView>,
    pub governance: &'a GovernanceView,
    pub raid: &'a RaidView,
}

/// Pairs the items of two lists by key: (before, after) for each, the later list's order first,
/// then what is only in the earlier one.
fn pair<'a, T, K: Eq + Hash + Copy>(
    before: &'a [T],
    after: &'a [T],
    key: impl Fn(&T) -> K,
) -> Vec<(Option<&'a T>, Option<&'a T>)> {
    let earlier: HashMap<K, &T> = before.iter().map(|t| (key(t), t)).collect();
    let later: HashSet<K> = after.iter().map(&key).collect();
    after
        .iter()
        .map(|t| (earlier.get(&key(t)).copied(), Some(t)))
        .chain(
            before
                .iter()
                .filter(|t| !later.contains(&key(t)))
                .map(|t| (Some(t), None)),
        )
        .collect()
}

fn presence<T>(before: Option<&T>, after: Option<&T>) -> Presence {
    match (before, after) {
        (None, _) => Presence::Added,
        (_, None) => Presence::Removed,
        _ => Presence::Changed,
    }
}

/// What changed from `before` to `after`.
pub fn changes(before: &Moment<'_>, after: &Moment<'_>) -> ProgramChanges {
    let empty = |m: &Moment<'_>| ProgramView::new(m.governance.program_id);
    let (b_empty, a_empty) = (empty(before), empty(after));
    let b = before.program.unwrap_or(&b_empty);
    let a = after.program.unwrap_or(&a_empty);
    let (b_analysis, a_analysis) = (b.analyse(before.day), a.analyse(after.day));
    let float = |v: &ProgramView| -> HashMap<MilestoneId, i64> {
        v.try_schedule()
            .map(|s| s.float_days().into_iter().collect())
            .unwrap_or_default()
    };
    let (b_float, a_float) = (float(b), float(a));
    ProgramChanges {
        from: before.position,
        to: after.position,
        from_day: before.day,
        to_day: after.day,
        milestones: milestones(b, a, (&b_float, &a_float)),
        dependencies: dependencies(b, a, (&b_analysis, &a_analysis)),
        projects: projects(b, a),
        objectives: objectives(b, a, (&b_analysis, &a_analysis)),
        critical_path: critical_path(&b_analysis, &a_analysis),
        decisions: decisions(before.governance, after.governance),
        escalations: escalations(before.governance, after.governance),
        risks: risks(before.raid, after.raid),
    }
}

fn milestones(
    b: &ProgramView,
    a: &ProgramView,
    (b_float, a_float): (&HashMap<MilestoneId, i64>, &HashMap<MilestoneId, i64>),
) -> Vec<MilestoneDiff> {
    pair(&b.milestones, &a.milestones, |m| m.milestone_id)
        .into_iter()
        .filter_map(|(then, now)| {
            let m = now.or(then)?;
            let id = m.milestone_id;
            let float = change(&b_float.get(&id).copied(), &a_float.get(&id).copied());
            let diff = match (then, now) {
                (Some(t), Some(n)) => MilestoneDiff {
                    forecast: change(&t.forecast, &n.forecast),
                    moved_days: (t.forecast != n.forecast)
                        .then(|| (n.forecast - t.forecast).num_days()),
                    baseline: change(&t.baseline, &n.baseline),
                    variance_days: change(&t.variance_days(), &n.variance_days()),
                    met: change(&t.actual, &n.actual),
                    renamed: change(&t.name, &n.name),
                    project: change(&t.project_id, &n.project_id),
                    percent_complete: change(&t.percent_complete, &n.percent_complete),
                    float_days: float,
                    ..bare(m, Presence::Changed)
                },
                _ => MilestoneDiff {
                    float_days: float,
                    ..bare(m, presence(then, now))
                },
            };
            let unchanged = diff == bare(m, Presence::Changed);
            (!unchanged).then_some(diff)
        })
        .collect()
}

fn bare(m: &crate::view::MilestoneView, presence: Presence) -> MilestoneDiff {
    MilestoneDiff {
        milestone_id: m.milestone_id,
        name: m.name.clone(),
        project_id: m.project_id,
        presence,
        forecast: None,
        moved_days: None,
        baseline: None,
        variance_days: None,
        met: None,
        renamed: None,
        project: None,
        percent_complete: None,
        float_days: None,
    }
}

fn dependencies(
    b: &ProgramView,
    a: &ProgramView,
    (b_analysis, a_analysis): (&ScheduleAnalysis, &ScheduleAnalysis),
) -> Vec<DependencyDiff> {
    let (b_health, a_health) = (b_analysis.by_dependency(), a_analysis.by_dependency());
    pair(&b.dependencies, &a.dependencies, |d| d.dependency_id)
        .into_iter()
        .filter_map(|(then, now)| {
            let d = now.or(then)?;
            let id = d.dependency_id;
            let (was, is) = (b_health.get(&id), a_health.get(&id));
            let status = change(&was.map(|h| h.status), &is.map(|h| h.status));
            let gap_days = change(
                &was.map_or(0, |h| h.gap_days),
                &is.map_or(0, |h| h.gap_days),
            );
            let presence = presence(then, now);
            (presence != Presence::Changed || status.is_some() || gap_days.is_some()).then_some(
                DependencyDiff {
                    dependency_id: id,
                    provider: d.provider,
                    consumer: d.consumer,
                    presence,
                    status,
                    gap_days,
                },
            )
        })
        .collect()
}

fn projects(b: &ProgramView, a: &ProgramView) -> Vec<ProjectDiff> {
    pair(&b.projects, &a.projects, |p| p.project_id)
        .into_iter()
        .filter_map(|(then, now)| {
            let p = now.or(then)?;
            let rag = |p: Option<&crate::view::ProjectView>| {
                p.and_then(|p| p.status.as_ref()).map(|s| s.rag)
            };
            let reported =
                then.and_then(|t| t.status.as_ref()) != now.and_then(|n| n.status.as_ref());
            let diff = ProjectDiff {
                project_id: p.project_id,
                name: p.name.clone(),
                presence: presence(then, now),
                rag: change(&rag(then), &rag(now)),
                narrative: now
                    .and_then(|n| n.status.as_ref())
                    .filter(|_| reported)
                    .map(|s| s.narrative.clone()),
                stage: then.zip(now).and_then(|(t, n)| change(&t.stage, &n.stage)),
                renamed: then.zip(now).and_then(|(t, n)| change(&t.name, &n.name)),
            };
            let quiet = diff.presence == Presence::Changed
                && diff.rag.is_none()
                && diff.narrative.is_none()
                && diff.stage.is_none()
                && diff.renamed.is_none();
            (!quiet).then_some(diff)
        })
        .collect()
}

fn objectives(
    b: &ProgramView,
    a: &ProgramView,
    (b_analysis, a_analysis): (&ScheduleAnalysis, &ScheduleAnalysis),
) -> Vec<ObjectiveDiff> {
    let outlook = |analysis: &ScheduleAnalysis, id: ObjectiveId| {
        analysis
            .objectives
            .iter()
            .find(|o| o.objective_id == id)
            .map(|o| (o.threatened, o.days_over, o.latest_finish))
            .unwrap_or_default()
    };
    pair(&b.objectives, &a.objectives, |o| o.objective_id)
        .into_iter()
        .filter_map(|(then, now)| {
            let o = now.or(then)?;
            let id = o.objective_id;
            let (was, is) = (outlook(b_analysis, id), outlook(a_analysis, id));
            let diff = ObjectiveDiff {
                objective_id: id,
                title: o.title.clone(),
                presence: presence(then, now),
                threatened: change(&was.0, &is.0),
                days_over: change(&was.1, &is.1),
                latest_finish: change(&was.2, &is.2),
                target_date: then
                    .zip(now)
                    .and_then(|(t, n)| change(&t.target_date, &n.target_date)),
            };
            let quiet = diff.presence == Presence::Changed
                && diff.threatened.is_none()
                && diff.days_over.is_none()
                && diff.latest_finish.is_none()
                && diff.target_date.is_none();
            (!quiet).then_some(diff)
        })
        .collect()
}

fn critical_path(b: &ScheduleAnalysis, a: &ScheduleAnalysis) -> Option<CriticalPathDiff> {
    let (was, is): (HashSet<_>, HashSet<_>) = (
        b.critical_path.iter().collect(),
        a.critical_path.iter().collect(),
    );
    // The same milestones in another order (the graph's order moves with unrelated links) is
    // the same path.
    if was == is {
        return None;
    }
    Some(CriticalPathDiff {
        from: b.critical_path.clone(),
        to: a.critical_path.clone(),
        joined: a
            .critical_path
            .iter()
            .filter(|m| !was.contains(m))
            .copied()
            .collect(),
        left: b
            .critical_path
            .iter()
            .filter(|m| !is.contains(m))
            .copied()
            .collect(),
    })
}

fn decisions(b: &GovernanceView, a: &GovernanceView) -> Vec<DecisionDiff> {
    pair(&b.decisions, &a.decisions, |d| d.decision_id)
        .into_iter()
        .filter_map(|(then, now)| {
            let d = now.or(then)?;
            let state = change(&then.map(|t| t.state), &now.map(|n| n.state));
            let presence = presence(then, now);
            (presence != Presence::Changed || state.is_some()).then(|| DecisionDiff {
                decision_id: d.decision_id,
                question: d.question.clone(),
                presence,
                state,
            })
        })
        .collect()
}

fn escalations(b: &GovernanceView, a: &GovernanceView) -> Vec<EscalationDiff> {
    pair(&b.escalations, &a.escalations, |e| e.escalation_id)
        .into_iter()
        .filter_map(|(then, now)| {
            let e = now.or(then)?;
            let level = then.zip(now).and_then(|(t, n)| change(&t.level, &n.level));
            let resolved = change(
                &then.is_some_and(|t| t.resolution.is_some()),
                &now.is_some_and(|n| n.resolution.is_some()),
            )
            .filter(|_| then.is_some() && now.is_some());
            let presence = presence(then, now);
            (presence != Presence::Changed || level.is_some() || resolved.is_some()).then(|| {
                EscalationDiff {
                    escalation_id: e.escalation_id,
                    subject: e.subject_label.clone(),
                    presence,
                    level,
                    resolved,
                }
            })
        })
        .collect()
}

fn risks(b: &RaidView, a: &RaidView) -> Vec<RiskDiff> {
    let list = |v: &RaidView| -> Vec<(RiskId, String, Option<u8>, RiskState)> {
        v.risks()
            .filter_map(|r| {
                Some((
                    r.id?,
                    r.details.title.clone(),
                    r.inherent.map(|a| a.score()),
                    r.state,
                ))
            })
            .collect()
    };
    let (was, is) = (list(b), list(a));
    pair(&was, &is, |r| r.0)
        .into_iter()
        .filter_map(|(then, now)| {
            let r = now.or(then)?;
            // Added or gone, the score it came with or had: from or to none.
            let score = change(&then.and_then(|t| t.2), &now.and_then(|n| n.2));
            let state = then.zip(now).and_then(|(t, n)| change(&t.3, &n.3));
            let presence = presence(then, now);
            (presence != Presence::Changed || score.is_some() || state.is_some()).then(|| {
                RiskDiff {
                    risk_id: r.0,
                    title: r.1.clone(),
                    presence,
                    score,
                    state,
                }
            })
        })
        .collect()
}
