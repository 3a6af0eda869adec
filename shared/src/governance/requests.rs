//! Request and response bodies of the governance API.

use super::charter::EscalationLevel;
use super::decision::{DecisionOption, Vote};
use super::escalation::ItemRef;
use super::forum::Cadence;
use super::rights::DecisionKind;
use super::view::{GovernanceAttention, GovernanceView};
use crate::ids::{DecisionId, DependencyId, ForumId, MilestoneId, UserId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A forum to establish, or the whole of an existing one to revise.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveForumRequest {
    pub name: String,
    #[serde(default)]
    pub purpose: String,
    pub chair: UserId,
    /// Besides the chair (who is always a member).
    #[serde(default)]
    pub members: Vec<UserId>,
    pub quorum: u32,
    pub cadence: Cadence,
    pub first_session: NaiveDate,
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
        to: NaiveDate,
    },
    CancelDependency {
        dependency_id: DependencyId,
    },
    Supersede {
        decision_id: DecisionId,
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
    pub question: String,
    #[serde(default)]
    pub context: String,
    pub options: Vec<DecisionOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<usize>,
    #[serde(default)]
    pub effects: Vec<EffectRequest>,
    #[serde(default)]
    pub links: Vec<ItemRef>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TableDecisionRequest {
    /// The session date; absent: the forum's next session.
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
    pub rationale: String,
    /// For a deferral: until when.
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
    pub reason: String,
}

/// A reason to move an escalation up, or how it was resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationStepRequest {
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
}

/// Opens a session of a forum, with its agenda assembled from the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSessionRequest {
    /// Absent: the forum's next session by its cadence (today if it meets today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttendanceRequest {
    /// Members of the forum who attended.
    pub present: Vec<UserId>,
    #[serde(default)]
    pub apologies: Vec<UserId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MinutesRequest {
    pub minutes: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionRequest {
    pub title: String,
    pub owner: String,
    pub due: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionStatusRequest {
    pub status: super::session::ActionStatus,
    #[serde(default)]
    pub note: String,
}
