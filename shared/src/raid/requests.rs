//! What the RAID endpoints take and answer.

use super::assumption::AssumptionDetails;
use super::exposure::RiskExposure;
use super::issue::{IssueDetails, Severity};
use super::register::RiskRow;
use super::risk::{ResponseStrategy, RiskDetails};
use super::settings::Appetite;
use super::{Assessment, RaidLink};
use crate::RecordedEvent;
use crate::error::FieldError;
use crate::governance::session::ActionStatus;
use crate::ids::ProjectId;
use crate::view::ProgramView;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IdentifyRiskRequest {
    pub details: RiskDetails,
    /// A first assessment, given with the risk.
    #[serde(default)]
    pub assessment: Option<Assessment>,
    #[serde(default)]
    pub review_by: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviseRiskRequest {
    pub details: RiskDetails,
    /// The version edited: 409 if someone changed the risk since.
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// A reassessment, or a residual (target) assessment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssessRiskRequest {
    pub assessment: Assessment,
    pub reason: String,
    /// When to look at it again (reassessments only).
    #[serde(default)]
    pub review_by: Option<NaiveDate>,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RespondRequest {
    pub strategy: ResponseStrategy,
    pub reason: String,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddRaidActionRequest {
    pub title: String,
    pub owner: String,
    pub due: NaiveDate,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeRaidActionRequest {
    pub status: ActionStatus,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// Closing a risk, resolving an issue, validating an assumption: the words why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaidTextRequest {
    pub text: String,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// The risk happened: it becomes an issue (by default with its title, owner, scope and links, and
/// a severity from its band).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RealiseRiskRequest {
    pub reason: String,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub resolve_by: Option<NaiveDate>,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaiseIssueRequest {
    pub details: IssueDetails,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviseIssueRequest {
    pub details: IssueDetails,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordAssumptionRequest {
    pub details: AssumptionDetails,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviseAssumptionRequest {
    pub details: AssumptionDetails,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

/// The assumption is false: the risk it raises (by default titled from the statement, with its
/// owner, scope and links, in the program's first category, not yet assessed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InvalidateAssumptionRequest {
    pub note: String,
    #[serde(default)]
    pub risk: Option<IdentifyRiskRequest>,
    #[serde(default)]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetAppetiteRequest {
    pub appetite: Appetite,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetCategoriesRequest {
    pub categories: Vec<String>,
}

/// One risk with everything that happened to it and where it reaches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskDetailResponse {
    pub risk: RiskRow,
    /// Its events, oldest first, each with its sentence.
    pub history: Vec<RecordedEvent>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exposure: Option<RiskExposure>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExposureResponse {
    pub position: i64,
    pub risks: Vec<RiskExposure>,
}

/// The projects and links an item names, checked against the program as it is: each must be
/// one of its projects, milestones, dependencies or objectives.
pub fn unknown_refs(
    view: &ProgramView,
    projects: &[ProjectId],
    links: &[RaidLink],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    for (i, p) in projects.iter().enumerate() {
        if view.project(*p).is_none() {
            errors.push(FieldError::new(
                format!("details.projects[{i}]"),
                format!("project {p} is not a project of this program"),
            ));
        }
    }
    for (i, link) in links.iter().enumerate() {
        let known = match link {
            RaidLink::Milestone(m) => view.milestone(*m).is_some(),
            RaidLink::Dependency(d) => view.dependency(*d).is_some(),
            RaidLink::Objective(o) => view.objectives.iter().any(|x| x.objective_id == *o),
        };
        if !known {
            errors.push(FieldError::new(
                format!("details.links[{i}]"),
                "is not a milestone, dependency or objective of this program",
            ));
        }
    }
    errors
}
