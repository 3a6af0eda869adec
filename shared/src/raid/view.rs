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
use super::settings::{Appetite, RaidSettings, RaidSettingsEvent};
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
    /// Its cause and its category as groups are keyed (trimmed, lower case; empty for none).
    cause: String,
    category: String,
}

impl RiskEntry {
    fn key(&self, by: GroupBy) -> &str {
        match by {
            GroupBy::Cause => &self.cause,
            GroupBy::Category => &self.category,
        }
    }

    fn keys(&self) -> [(GroupBy, String); 2] {
        [
            (GroupBy::Cause, self.cause.clone()),
            (GroupBy::Category, self.category.clone()),
        ]
    }
}

fn group_key(text: &str) -> String {
    text.trim().to_lowercase()
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
    /// Per group (cause or category) above the appetite now: the position of the event that
    /// took it there, which names its escalation.
    groups_above: HashMap<(GroupBy, String), i64>,
    /// Per cause and per category: the risks filed under it (indexes into `risks`, open or not),
    /// so a risk's event re-judges its groups without a scan of the register.
    group_members: HashMap<(GroupBy, String), Vec<usize>>,
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
            groups_above: HashMap::new(),
            group_members: HashMap::new(),
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
            DomainEvent::RaidSettings(e) => {
                self.settings.apply(e);
                if matches!(e, RaidSettingsEvent::RiskAppetiteSet { .. }) {
                    let mut keys: Vec<(GroupBy, String)> = self
                        .risks
                        .iter()
                        .filter(|e| e.risk.state.is_open())
                        .flat_map(RiskEntry::keys)
                        .chain(self.groups_above.keys().cloned())
                        .collect();
                    keys.sort();
                    keys.dedup();
                    self.track_groups(recorded.position, keys);
                }
            }
            _ => return,
        }
        self.position = recorded.position;
    }

    /// Notes, for each of `keys`, whether its group is above the appetite after the event at
    /// `position`, and since when.
    fn track_groups(&mut self, position: i64, keys: impl IntoIterator<Item = (GroupBy, String)>) {
        for (by, name) in keys {
            if name.is_empty() {
                continue;
            }
            let members: Vec<&Risk> = self
                .group_members
                .get(&(by, name.clone()))
                .into_iter()
                .flatten()
                .filter_map(|&i| self.risks.get(i))
                .filter(|e| e.risk.state.is_open())
                .map(|e| &e.risk)
                .collect();
            let above = members.len() >= 2 && self.combined(members.iter().copied()).3;
            if above {
                self.groups_above.entry((by, name)).or_insert(position);
            } else {
                self.groups_above.remove(&(by, name));
            }
        }
    }

    /// Since which position the group of open risks sharing `name` (a cause or a category) has
    /// been above the appetite, if it is.
    pub fn group_above_since(&self, by: GroupBy, name: &str) -> Option<i64> {
        self.groups_above.get(&(by, group_key(name))).copied()
    }

    fn apply_risk(&mut self, recorded: &RecordedEvent, event: &RiskEvent) {
        let id = event.risk_id();
        let at = match (event, self.risk_index.get(&id)) {
            (RiskEvent::RiskIdentified { .. }, None) => {
                self.risk_index.insert(id, self.risks.len());
                self.risks.push(RiskEntry {
                    risk: Risk::default(),
                    stamp: Stamp::new(recorded),
                    trend: Vec::new(),
                    cause: String::new(),
                    category: String::new(),
                });
                self.risks.len() - 1
            }
            (_, Some(&i)) => i,
            _ => return,
        };
        let Some(entry) = self.risks.get_mut(at) else {
            return;
        };
        entry.risk.apply(event);
        entry.stamp.touch(recorded);
        // What can change a group's combined exposure: its members (a cause or category set or
        // revised, a risk closed or realised) and their assessments.
        let regroups = matches!(
            event,
            RiskEvent::RiskIdentified { .. }
                | RiskEvent::RiskRevised { .. }
                | RiskEvent::RiskAssessed { .. }
                | RiskEvent::RiskClosed { .. }
                | RiskEvent::RiskRealised { .. }
        );
        let mut moved: Vec<((GroupBy, String), (GroupBy, String))> = Vec::new();
        if regroups {
            for (by, key, new) in [
                (GroupBy::Cause, &mut entry.cause, &entry.risk.details.cause),
                (
                    GroupBy::Category,
                    &mut entry.category,
                    &entry.risk.details.category,
                ),
            ] {
                let new = group_key(new);
                if *key != new {
                    moved.push(((by, std::mem::replace(key, new.clone())), (by, new)));
                }
            }
        }
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
        if regroups {
            let keys = entry.keys();
            for (old, new) in &moved {
                if let Some(members) = self.group_members.get_mut(old) {
                    members.retain(|&i| i != at);
                }
                if !new.1.is_empty() {
                    self.group_members.entry(new.clone()).or_default().push(at);
                }
            }
            let left = moved.into_iter().map(|(old, _)| old);
            self.track_groups(recorded.position, left.chain(keys));
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
        let mut by: HashMap<(GroupBy, &str), Vec<&RiskEntry>> = HashMap::new();
        for e in self.risks.iter().filter(|e| e.risk.state.is_open()) {
            for group_by in [GroupBy::Cause, GroupBy::Category] {
                let key = e.key(group_by);
                if !key.is_empty() && e.risk.id.is_some() {
                    by.entry((group_by, key)).or_default().push(e);
                }
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

    /// Summed expected days, worst days and expected cost of `members`, and whether together
    /// they exceed the appetite.
    fn combined<'r>(&self, members: impl Iterator<Item = &'r Risk>) -> (u32, u32, Totals, bool) {
        let mut expected_days: u32 = 0;
        let mut worst_days: u32 = 0;
        let mut expected_cost = Totals::default();
        for a in members.filter_map(|r| r.inherent) {
            expected_days = expected_days.saturating_add(a.expected_days().unwrap_or(0));
            worst_days = worst_days.saturating_add(a.schedule_days.map_or(0, u32::from));
            if let Some(c) = a.expected_cost() {
                expected_cost.add(c);
            }
        }
        let above = self.settings.appetite.is_some_and(|a: Appetite| {
            let cost = a
                .cost
                .and_then(|l| Money::new(expected_cost.of(l.currency()), l.currency()));
            a.exceeded_by_total(expected_days, cost)
        });
        (expected_days, worst_days, expected_cost, above)
    }

    fn group(&self, by: GroupBy, members: &[&RiskEntry]) -> RiskGroup {
        let name = members
            .first()
            .map(|e| match by {
                GroupBy::Cause => e.risk.details.cause.trim().to_string(),
                GroupBy::Category => e.risk.details.category.trim().to_string(),
            })
            .unwrap_or_default();
        let mut projects: Vec<ProjectId> = members
            .iter()
            .flat_map(|e| e.risk.details.projects.iter().copied())
            .collect();
        projects.sort();
        projects.dedup();
        let (expected_days, worst_days, expected_cost, above_appetite) =
            self.combined(members.iter().map(|e| &e.risk));
        RiskGroup {
            by,
            name,
            risks: members.iter().filter_map(|e| e.risk.id).collect(),
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
