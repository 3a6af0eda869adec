//! The register as read: its rows, counts, heatmap and groups, and the filters a read may
//! narrow it by. Built by [`super::view::RaidView::register`].

use super::assumption::{AssumptionDetails, AssumptionState};
use super::issue::IssueDetails;
use super::risk::{ResponseStrategy, RiskDetails, RiskState, Roam};
use super::settings::Appetite;
use super::{Assessment, Band, RaidAction, Rating};
use crate::event::RecordedEvent;
use crate::ids::{AssumptionId, DecisionId, IssueId, ProgramId, ProjectId, RiskId};
use crate::money::Totals;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// One point of a risk's score trajectory: after an assessment of either kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScorePoint {
    pub position: i64,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual: Option<u8>,
}

/// When an item was created and last changed, and its stream's version (for `expected_version`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Stamp {
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Stamp {
    pub(super) fn new(recorded: &RecordedEvent) -> Self {
        Self {
            version: recorded.version,
            created_at: recorded.recorded_at,
            updated_at: recorded.recorded_at,
        }
    }

    pub(super) fn touch(&mut self, recorded: &RecordedEvent) {
        self.version = recorded.version;
        self.updated_at = recorded.recorded_at;
    }
}

/// What a register read may be narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaidFilter {
    /// Only risks, issues or assumptions.
    #[serde(default)]
    pub kind: Option<RaidKind>,
    /// Items of this project (program-level items have none).
    #[serde(default)]
    pub project: Option<ProjectId>,
    /// Items owned by this person (exact, ignoring case).
    #[serde(default)]
    pub owner: Option<String>,
    /// Risks in this band (of their current score).
    #[serde(default)]
    pub band: Option<Band>,
    #[serde(default)]
    pub state: Option<StateFilter>,
    /// Only stale risks (not reassessed by their review date) and overdue issues and
    /// assumptions.
    #[serde(default)]
    pub stale: Option<bool>,
}

/// RAID's three kinds of item. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RaidKind {
    Risk,
    Issue,
    Assumption,
}

/// A state to narrow the register to: `open` and `closed` for every kind, or one kind's own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StateFilter {
    Open,
    Closed,
    Identified,
    Assessed,
    InTreatment,
    Realised,
    Resolved,
    Validated,
    Invalidated,
}

impl RaidFilter {
    pub(super) fn wants(&self, kind: RaidKind) -> bool {
        self.kind.is_none_or(|k| k == kind) && (self.band.is_none() || kind == RaidKind::Risk)
    }

    fn common(&self, projects: &[ProjectId], owner: &str) -> bool {
        self.project.is_none_or(|p| projects.contains(&p))
            && self
                .owner
                .as_deref()
                .is_none_or(|o| o.trim().eq_ignore_ascii_case(owner))
    }

    pub(super) fn keeps_risk(&self, r: &RiskRow) -> bool {
        let state = match self.state {
            None => true,
            Some(StateFilter::Open) => r.state.is_open(),
            Some(StateFilter::Closed) => !r.state.is_open(),
            Some(StateFilter::Identified) => r.state == RiskState::Identified,
            Some(StateFilter::Assessed) => r.state == RiskState::Assessed,
            Some(StateFilter::InTreatment) => r.state == RiskState::InTreatment,
            Some(StateFilter::Realised) => r.state == RiskState::Realised,
            Some(_) => false,
        };
        state
            && self.common(&r.details.projects, &r.details.owner)
            && self.band.is_none_or(|b| r.band == Some(b))
            && self.stale.is_none_or(|s| r.stale == s)
    }

    pub(super) fn keeps_issue(&self, r: &IssueRow) -> bool {
        let open = r.resolution.is_none();
        let state = match self.state {
            None => true,
            Some(StateFilter::Open) => open,
            Some(StateFilter::Closed | StateFilter::Resolved) => !open,
            Some(_) => false,
        };
        state
            && self.common(&r.details.projects, &r.details.owner)
            && self.stale.is_none_or(|s| r.overdue == s)
    }

    pub(super) fn keeps_assumption(&self, r: &AssumptionRow) -> bool {
        let state = match self.state {
            None => true,
            Some(StateFilter::Open) => r.state == AssumptionState::Open,
            Some(StateFilter::Closed) => r.state != AssumptionState::Open,
            Some(StateFilter::Validated) => r.state == AssumptionState::Validated,
            Some(StateFilter::Invalidated) => r.state == AssumptionState::Invalidated,
            Some(_) => false,
        };
        state
            && self.common(&r.details.projects, &r.details.owner)
            && self.stale.is_none_or(|s| r.overdue == s)
    }
}

/// A risk as the register shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskRow {
    pub risk_id: RiskId,
    pub details: RiskDetails,
    pub state: RiskState,
    pub roam: Roam,
    /// The current score (probability × impact), once assessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherent: Option<Assessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub residual: Option<Assessment>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<ResponseStrategy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted_by: Option<DecisionId>,
    /// Why an open risk is above the program's appetite, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub above_appetite: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<NaiveDate>,
    pub stale: bool,
    pub actions: Vec<RaidAction>,
    pub overdue_actions: usize,
    /// The issue it became, if realised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue_id: Option<IssueId>,
    /// Closed with no treatment done and not accepted.
    pub without_treatment: bool,
    /// The latest score points, oldest first.
    pub trend: Vec<ScorePoint>,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueRow {
    pub issue_id: IssueId,
    pub details: IssueDetails,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_risk: Option<RiskId>,
    pub overdue: bool,
    pub actions: Vec<RaidAction>,
    pub overdue_actions: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssumptionRow {
    pub assumption_id: AssumptionId,
    pub details: AssumptionDetails,
    pub state: AssumptionState,
    /// The risk it raised, if invalidated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk_id: Option<RiskId>,
    pub overdue: bool,
    pub stamp: Stamp,
}

/// Counts for the register's header and the overview.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaidCounts {
    pub risks_open: usize,
    pub above_appetite: usize,
    pub stale: usize,
    pub overdue_actions: usize,
    pub closed_without_treatment: usize,
    pub issues_open: usize,
    pub issues_overdue: usize,
    pub assumptions_open: usize,
    pub assumptions_overdue: usize,
}

/// How many open risks sit in each cell of the 5×5 grid.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Heatmap {
    /// Every cell, probability 1–5 × impact 1–5, by the current assessment.
    pub inherent: Vec<HeatCell>,
    /// The same, by the residual (target) assessment, for risks that have one.
    pub residual: Vec<HeatCell>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeatCell {
    pub probability: Rating,
    pub impact: Rating,
    pub count: usize,
}

impl Heatmap {
    /// Of the open risks among `rows` (so a filtered register has a filtered heatmap).
    pub(super) fn of<'a>(rows: impl Iterator<Item = &'a RiskRow> + Clone) -> Heatmap {
        let grid = |pick: &dyn Fn(&RiskRow) -> Option<Assessment>| -> Vec<HeatCell> {
            let mut counts = [[0usize; 5]; 5];
            for a in rows.clone().filter(|r| r.state.is_open()).filter_map(pick) {
                let (p, i) = (
                    usize::from(a.probability.get()),
                    usize::from(a.impact.get()),
                );
                if let Some(c) = counts
                    .get_mut(p.saturating_sub(1))
                    .and_then(|row| row.get_mut(i.saturating_sub(1)))
                {
                    *c += 1;
                }
            }
            Rating::ALL
                .into_iter()
                .flat_map(|p| Rating::ALL.into_iter().map(move |i| (p, i)))
                .map(|(probability, impact)| HeatCell {
                    probability,
                    impact,
                    count: counts
                        .get(usize::from(probability.get()).saturating_sub(1))
                        .and_then(|row| row.get(usize::from(impact.get()).saturating_sub(1)))
                        .copied()
                        .unwrap_or(0),
                })
                .collect()
        };
        Heatmap {
            inherent: grid(&|r| r.inherent),
            residual: grid(&|r| r.residual),
        }
    }
}

/// Whether a group shares a cause or a category. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Cause,
    Category,
}

/// Open risks that share a cause or a category, with their combined exposure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskGroup {
    pub by: GroupBy,
    pub name: String,
    pub risks: Vec<RiskId>,
    pub projects: Vec<ProjectId>,
    /// Sum of probability × days.
    pub expected_days: u32,
    /// Sum of days if every one of them happened.
    pub worst_days: u32,
    pub expected_cost: Totals,
    /// Together above the program's appetite for days or money.
    pub above_appetite: bool,
}

/// The register read: rows, heatmap, groups and counts, as of `position`, judged on `today`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaidRegister {
    pub program_id: ProgramId,
    pub position: i64,
    pub today: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appetite: Option<Appetite>,
    pub categories: Vec<String>,
    pub counts: RaidCounts,
    pub heatmap: Heatmap,
    pub causes: Vec<RiskGroup>,
    pub risks: Vec<RiskRow>,
    pub issues: Vec<IssueRow>,
    pub assumptions: Vec<AssumptionRow>,
}
