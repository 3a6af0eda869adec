//! Request and response bodies of the governance API.

use super::charter::EscalationLevel;
use super::decision::{DecisionOption, Vote};
use super::escalation::ItemRef;
use super::forum::Cadence;
use super::rights::DecisionKind;
use super::view::{GovernanceAttention, GovernanceView};
use crate::ids::{DecisionId, DependencyId, ForumId, MilestoneId, ObjectiveId, RiskId, UserId};
use crate::program::ObjectiveDraft;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A forum to establish, or the whole of an existing one to revise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveForumRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub purpose: String,
    pub chair: UserId,
    /// Besides the chair (who is always a member).
    #[serde(default)]
    pub members: Vec<UserId>,
    /// Votes needed to decide: at least 1, at most the chair and the other members together.
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub quorum: u32,
    pub cadence: Cadence,
    /// A date between 1900-01-01 and 2200-12-31.
    pub first_session: NaiveDate,
    /// Days a decision may wait for this forum before it is overdue.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 366))]
    pub decision_sla_days: u32,
    /// The charter's version the editor saw (`GovernanceView.charter_version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRightRequest {
    pub kind: DecisionKind,
    /// Absent: every decision of the kind. Budget in minor units (cents), re-baselines in days,
    /// risk acceptance in score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub threshold: Option<i64>,
    pub forum_id: ForumId,
}

/// The whole set of rules (replacing the previous set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRightsRequest {
    pub rights: Vec<DecisionRightRequest>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationPathRequest {
    /// From the first level up: 1 to 8 levels.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 8))]
    pub levels: Vec<EscalationLevel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

/// A change a decision proposes; the server records the version of its target as it is now, and
/// approval refuses the effect if the target has changed since.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "effect")]
pub enum EffectRequest {
    Rebaseline {
        milestone_id: MilestoneId,
        /// A date between 1900-01-01 and 2200-12-31.
        to: NaiveDate,
    },
    CancelDependency {
        dependency_id: DependencyId,
    },
    Supersede {
        decision_id: DecisionId,
    },
    /// Accept a risk of the program (its response becomes "accept", naming this decision).
    AcceptRisk {
        risk_id: RiskId,
    },
    /// Add an objective to the program.
    AddObjective {
        terms: ObjectiveDraft,
    },
    /// Restate an objective's terms (all of them: absent ones are cleared), against the
    /// objective's version the terms were written from, when given.
    ReviseObjective {
        objective_id: ObjectiveId,
        terms: ObjectiveDraft,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<i64>,
    },
    RetireObjective {
        objective_id: ObjectiveId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_version: Option<i64>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaiseDecisionRequest {
    pub kind: DecisionKind,
    /// The size of the change, for routing by threshold; for a re-baseline it is computed from
    /// the effects (the largest move in days) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub question: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub context: String,
    /// Two to 50 options to choose from.
    #[cfg_attr(feature = "openapi", schema(min_items = 2, max_items = 50))]
    pub options: Vec<DecisionOption>,
    /// The index of the recommended option in `options`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(maximum = 49))]
    pub recommendation: Option<usize>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub effects: Vec<EffectRequest>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 50))]
    pub links: Vec<ItemRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableDecisionRequest {
    /// The session date; absent: the forum's next session. A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VoteRequest {
    pub vote: Vote,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OutcomeChoice {
    Approve,
    Reject,
    Defer,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecideRequest {
    pub outcome: OutcomeChoice,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub rationale: String,
    /// For a deferral: until when. A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The decision's version the decider saw (`DecisionView.version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalateRequest {
    pub subject: ItemRef,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub reason: String,
}

/// A reason to move an escalation up, or how it was resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationStepRequest {
    /// Why it moves up, or how it was resolved.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

/// The governance view with what needs attention on the day asked for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceResponse {
    pub view: GovernanceView,
    pub attention: GovernanceAttention,
    /// The decision rights in words, in the order of `view.charter.rights`.
    pub rights_in_words: Vec<String>,
    /// The day the program's executive briefing was due, when it is due or overdue on the day
    /// asked for (`briefing` cadence).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub briefing_due: Option<NaiveDate>,
}

/// Opens a session of a forum, with its agenda assembled from the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSessionRequest {
    /// Absent: the forum's next session by its cadence (today if it meets today). A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceRequest {
    /// Members of the forum who attended: at least one.
    #[cfg_attr(feature = "openapi", schema(min_items = 1))]
    pub present: Vec<UserId>,
    #[serde(default)]
    pub apologies: Vec<UserId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinutesRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 16000))]
    pub minutes: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub owner: String,
    /// A date between 1900-01-01 and 2200-12-31.
    pub due: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionStatusRequest {
    pub status: super::session::ActionStatus,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub note: String,
}
