//! The RAID register of one program, folded from its risk, issue, assumption and settings
//! streams (now, or as of any position), and what is read off it on a given day: the register's
//! rows with their filters, the 5×5 heatmap (inherent and residual), risks grouped by cause and by
//! category with their combined exposure, and what is stale or overdue.

use super::assumption::{Assumption, AssumptionEvent, AssumptionState};
use super::issue::{Issue, IssueEvent};
use super::register::{
    AssumptionRow, GroupBy, Heatmap, IssueRow, RaidCounts, RaidFilter, RaidKind, RaidRegister,
    RiskGroup, RiskRow, ScorePoint, Stamp,
};
use super::risk::{Risk, RiskEvent};
use super::settings::{Appetite, RaidSettings};
use crate::event::{DomainEvent, RecordedEvent};
use crate::ids::{AssumptionId, IssueId, ProgramId, ProjectId, RiskId};
use crate::money::{Money, Totals};
use chrono::NaiveDate;
use std::collections::HashMap;

/// The most score points a risk's trend keeps (the latest ones; its history has all of them).
pub const TREND_MAX: usize = 60;

#[derive(Clone, Debug)]
struct RiskEntry {
    risk: Risk,
    stamp: Stamp,
    trend: Vec<ScorePoint>,
}

#[derive(Clone, Debug)]
struct IssueEntry {
    issue: Issue,
    stamp: Stamp,
}

#[derive(Clone, Debug)]
struct AssumptionEntry {
    assumption: Assumption,
    stamp: Stamp,
}

/// A program's RAID register, folded. Build with [`RaidView::new`], feed every event of the
/// program's RAID streams in log order with [`RaidView::apply`], then read it for a day with
/// [`RaidView::register`].
#[derive(Clone, Debug)]
pub struct RaidView {
    pub program_id: ProgramId,
    /// The last position folded.
    pub position: i64,
    settings: RaidSettings,
    risks: Vec<RiskEntry>,
    risk_index: HashMap<RiskId, usize>,
    issues: Vec<IssueEntry>,
    issue_index: HashMap<IssueId, usize>,
    assumptions: Vec<AssumptionEntry>,
    assumption_index: HashMap<AssumptionId, usize>,
}

impl RaidView {
    pub fn new(program_id: ProgramId) -> Self {
        Self {
            program_id,
            position: 0,
            settings: RaidSettings::default(),
            risks: Vec::new(),
            risk_index: HashMap::new(),
            issues: Vec::new(),
            issue_index: HashMap::new(),
            assumptions: Vec::new(),
            assumption_index: HashMap::new(),
        }
    }

    /// Folds one event; events of other programs, other streams or already folded positions are
    /// ignored, and an event about an item never created (a log written by something else) does
    /// nothing.
    pub fn apply(&mut self, recorded: &RecordedEvent, event: &DomainEvent) {
        if recorded.program_id != Some(self.program_id) || recorded.position <= self.position {
            return;
        }
        match event {
            DomainEvent::Risk(e) => self.apply_risk(recorded, e),
            DomainEvent::Issue(e) => self.apply_issue(recorded, e),
            DomainEvent::Assumption(e) => self.apply_assumption(recorded, e),
            DomainEvent::RaidSettings(e) => self.settings.apply(e),
            _ => return,
        }
        self.position = recorded.position;
    }

    fn apply_risk(&mut self, recorded: &RecordedEvent, event: &RiskEvent) {
        let id = event.risk_id();
        let entry = match (event, self.risk_index.get(&id)) {
            (RiskEvent::RiskIdentified { .. }, None) => {
                self.risk_index.insert(id, self.risks.len());
                self.risks.push(RiskEntry {
                    risk: Risk::default(),
                    stamp: Stamp::new(recorded),
                    trend: Vec::new(),
                });
                self.risks.last_mut()
            }
            (_, Some(&i)) => self.risks.get_mut(i),
            _ => None,
        };
        let Some(entry) = entry else { return };
        entry.risk.apply(event);
        entry.stamp.touch(recorded);
        if matches!(
            event,
            RiskEvent::RiskAssessed { .. } | RiskEvent::RiskResidualAssessed { .. }
        ) {
            if entry.trend.len() >= TREND_MAX {
                entry.trend.remove(0);
            }
            entry.trend.push(ScorePoint {
                position: recorded.position,
                at: recorded.recorded_at,
                score: entry.risk.inherent.map(|a| a.score()),
                residual: entry.risk.residual.map(|a| a.score()),
            });
        }
    }

    fn apply_issue(&mut self, recorded: &RecordedEvent, event: &IssueEvent) {
        let id = event.issue_id();
        let entry = match (event, self.issue_index.get(&id)) {
            (IssueEvent::IssueRaised { .. }, None) => {
                self.issue_index.insert(id, self.issues.len());
                self.issues.push(IssueEntry {
                    issue: Issue::default(),
                    stamp: Stamp::new(recorded),
                });
                self.issues.last_mut()
            }
            (_, Some(&i)) => self.issues.get_mut(i),
            _ => None,
        };
        if let Some(entry) = entry {
            entry.issue.apply(event);
            entry.stamp.touch(recorded);
        }
    }

    fn apply_assumption(&mut self, recorded: &RecordedEvent, event: &AssumptionEvent) {
        let id = event.assumption_id();
        let entry = match (event, self.assumption_index.get(&id)) {
            (AssumptionEvent::AssumptionRecorded { .. }, None) => {
                self.assumption_index.insert(id, self.assumptions.len());
                self.assumptions.push(AssumptionEntry {
                    assumption: Assumption::default(),
                    stamp: Stamp::new(recorded),
                });
                self.assumptions.last_mut()
            }
            (_, Some(&i)) => self.assumptions.get_mut(i),
            _ => None,
        };
        if let Some(entry) = entry {
            entry.assumption.apply(event);
            entry.stamp.touch(recorded);
        }
    }

    pub fn settings(&self) -> &RaidSettings {
        &self.settings
    }

    pub fn risk(&self, id: RiskId) -> Option<&Risk> {
        self.risk_index
            .get(&id)
            .and_then(|&i| self.risks.get(i))
            .map(|e| &e.risk)
    }

    /// The score trajectory of a risk (the latest [`TREND_MAX`] points).
    pub fn trend(&self, id: RiskId) -> &[ScorePoint] {
        self.risk_index
            .get(&id)
            .and_then(|&i| self.risks.get(i))
            .map_or(&[], |e| e.trend.as_slice())
    }

    /// Every risk, open or not.
    pub fn risks(&self) -> impl Iterator<Item = &Risk> {
        self.risks.iter().map(|e| &e.risk)
    }

    /// Open risks, each with its id: what exposure and aggregation look at.
    pub fn open_risks(&self) -> impl Iterator<Item = (RiskId, &Risk)> {
        self.risks
            .iter()
            .filter(|e| e.risk.state.is_open())
            .filter_map(|e| e.risk.id.map(|id| (id, &e.risk)))
    }

    fn risk_row(&self, entry: &RiskEntry, today: NaiveDate) -> Option<RiskRow> {
        let risk = &entry.risk;
        Some(RiskRow {
            risk_id: risk.id?,
            details: risk.details.clone(),
            state: risk.state,
            roam: risk.roam(),
            score: risk.inherent.map(|a| a.score()),
            band: risk.inherent.map(|a| a.band()),
            inherent: risk.inherent,
            residual: risk.residual,
            strategy: risk.strategy,
            accepted_by: risk.accepted_by,
            above_appetite: if risk.state.is_open() {
                self.settings.appetite.and_then(|a| risk.above_appetite(&a))
            } else {
                None
            },
            review_by: risk.review_by,
            stale: risk.is_stale(today),
            overdue_actions: risk.actions.iter().filter(|a| a.is_overdue(today)).count(),
            actions: risk.actions.clone(),
            issue_id: risk.issue,
            without_treatment: risk.without_treatment,
            trend: entry.trend.clone(),
            stamp: entry.stamp,
        })
    }

    /// The register as it reads on `today`, narrowed by `filter`. Risks come by score (highest
    /// first), then title; issues by severity; assumptions by their date.
    pub fn register(&self, today: NaiveDate, filter: &RaidFilter) -> RaidRegister {
        let mut risks: Vec<RiskRow> = if filter.wants(RaidKind::Risk) {
            self.risks
                .iter()
                .filter_map(|e| self.risk_row(e, today))
                .filter(|r| filter.keeps_risk(r))
                .collect()
        } else {
            Vec::new()
        };
        risks.sort_by(|a, b| {
            b.score
                .cmp(&a.score)
                .then_with(|| a.details.title.cmp(&b.details.title))
        });
        let mut issues: Vec<IssueRow> = if filter.wants(RaidKind::Issue) {
            self.issues
                .iter()
                .filter_map(|e| {
                    Some(IssueRow {
                        issue_id: e.issue.id?,
                        details: e.issue.details.clone(),
                        from_risk: e.issue.from_risk,
                        overdue: e.issue.is_overdue(today),
                        overdue_actions: e
                            .issue
                            .actions
                            .iter()
                            .filter(|a| a.is_overdue(today))
                            .count(),
                        actions: e.issue.actions.clone(),
                        resolution: e.issue.resolution.clone(),
                        stamp: e.stamp,
                    })
                })
                .filter(|r| filter.keeps_issue(r))
                .collect()
        } else {
            Vec::new()
        };
        issues.sort_by(|a, b| {
            b.details
                .severity
                .cmp(&a.details.severity)
                .then_with(|| a.details.title.cmp(&b.details.title))
        });
        let mut assumptions: Vec<AssumptionRow> = if filter.wants(RaidKind::Assumption) {
            self.assumptions
                .iter()
                .filter_map(|e| {
                    Some(AssumptionRow {
                        assumption_id: e.assumption.id?,
                        details: e.assumption.details.clone(),
                        state: e.assumption.state,
                        risk_id: e.assumption.risk,
                        overdue: e.assumption.is_overdue(today),
                        stamp: e.stamp,
                    })
                })
                .filter(|r| filter.keeps_assumption(r))
                .collect()
        } else {
            Vec::new()
        };
        assumptions.sort_by_key(|a| (a.details.validate_by, a.stamp.created_at));
        RaidRegister {
            program_id: self.program_id,
            position: self.position,
            today,
            appetite: self.settings.appetite,
            categories: self.settings.categories(),
            counts: self.counts(today),
            heatmap: Heatmap::of(risks.iter()),
            causes: self.groups(),
            risks,
            issues,
            assumptions,
        }
    }

    fn counts(&self, today: NaiveDate) -> RaidCounts {
        let appetite = self.settings.appetite;
        let open: Vec<&Risk> = self.open_risks().map(|(_, r)| r).collect();
        RaidCounts {
            risks_open: open.len(),
            above_appetite: open
                .iter()
                .filter(|r| appetite.is_some_and(|a| r.above_appetite(&a).is_some()))
                .count(),
            stale: open.iter().filter(|r| r.is_stale(today)).count(),
            overdue_actions: open
                .iter()
                .flat_map(|r| r.actions.iter())
                .chain(
                    self.issues
                        .iter()
                        .filter(|e| e.issue.is_open())
                        .flat_map(|e| e.issue.actions.iter()),
                )
                .filter(|a| a.is_overdue(today))
                .count(),
            closed_without_treatment: self
                .risks
                .iter()
                .filter(|e| e.risk.without_treatment)
                .count(),
            issues_open: self.issues.iter().filter(|e| e.issue.is_open()).count(),
            issues_overdue: self
                .issues
                .iter()
                .filter(|e| e.issue.is_overdue(today))
                .count(),
            assumptions_open: self
                .assumptions
                .iter()
                .filter(|e| e.assumption.state == AssumptionState::Open)
                .count(),
            assumptions_overdue: self
                .assumptions
                .iter()
                .filter(|e| e.assumption.is_overdue(today))
                .count(),
        }
    }

    /// Open risks sharing a cause, and open risks sharing a category, when two or more do: their
    /// combined exposure, and whether together they exceed the appetite (five small vendor risks
    /// can make one program risk).
    pub fn groups(&self) -> Vec<RiskGroup> {
        let mut by: HashMap<(GroupBy, String), Vec<(RiskId, &Risk)>> = HashMap::new();
        for (id, risk) in self.open_risks() {
            let cause = risk.details.cause.trim().to_lowercase();
            if !cause.is_empty() {
                by.entry((GroupBy::Cause, cause))
                    .or_default()
                    .push((id, risk));
            }
            let category = risk.details.category.trim().to_lowercase();
            if !category.is_empty() {
                by.entry((GroupBy::Category, category))
                    .or_default()
                    .push((id, risk));
            }
        }
        let mut groups: Vec<RiskGroup> = by
            .into_iter()
            .filter(|(_, members)| members.len() >= 2)
            .map(|((group_by, _), members)| self.group(group_by, &members))
            .collect();
        // A category whose open risks are exactly a cause's says nothing the cause does not.
        let causes: Vec<Vec<RiskId>> = groups
            .iter()
            .filter(|g| g.by == GroupBy::Cause)
            .map(|g| sorted(&g.risks))
            .collect();
        groups.retain(|g| g.by == GroupBy::Cause || !causes.contains(&sorted(&g.risks)));
        groups.sort_by(|a, b| {
            b.expected_days
                .cmp(&a.expected_days)
                .then_with(|| a.by.cmp(&b.by))
                .then_with(|| a.name.cmp(&b.name))
        });
        groups
    }

    fn group(&self, by: GroupBy, members: &[(RiskId, &Risk)]) -> RiskGroup {
        let name = members
            .first()
            .map(|(_, r)| match by {
                GroupBy::Cause => r.details.cause.trim().to_string(),
                GroupBy::Category => r.details.category.trim().to_string(),
            })
            .unwrap_or_default();
        let mut projects: Vec<ProjectId> = members
            .iter()
            .flat_map(|(_, r)| r.details.projects.iter().copied())
            .collect();
        projects.sort();
        projects.dedup();
        let mut expected_days: u32 = 0;
        let mut worst_days: u32 = 0;
        let mut expected_cost = Totals::default();
        for (_, r) in members {
            if let Some(a) = r.inherent {
                expected_days = expected_days.saturating_add(a.expected_days().unwrap_or(0));
                worst_days = worst_days.saturating_add(a.schedule_days.map_or(0, u32::from));
                if let Some(c) = a.expected_cost() {
                    expected_cost.add(c);
                }
            }
        }
        let above_appetite = self.settings.appetite.is_some_and(|a: Appetite| {
            let cost = a
                .cost
                .and_then(|l| Money::new(expected_cost.of(l.currency()), l.currency()));
            a.exceeded_by_total(expected_days, cost)
        });
        RiskGroup {
            by,
            name,
            risks: members.iter().map(|(id, _)| *id).collect(),
            projects,
            expected_days,
            worst_days,
            expected_cost,
            above_appetite,
        }
    }
}

fn sorted(ids: &[RiskId]) -> Vec<RiskId> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}
