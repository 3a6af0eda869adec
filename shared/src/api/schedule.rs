//! The schedule's requests and answers: milestones, dependencies, baselines and imports.

use crate::ids::ProjectId;
use serde::{Deserialize, Serialize};

/// A new milestone (a point in time) or deliverable (with a planned start) of one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddMilestoneRequest {
    pub project_id: ProjectId,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[serde(default = "default_milestone_kind")]
    pub kind: crate::milestone::MilestoneKind,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub owner: String,
    /// A deliverable's planned start, not after `planned`. A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_start: Option<chrono::NaiveDate>,
    /// A date between 1900-01-01 and 2200-12-31.
    pub planned: chrono::NaiveDate,
}

fn default_milestone_kind() -> crate::milestone::MilestoneKind {
    crate::milestone::MilestoneKind::Milestone
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeForecastRequest {
    /// A date between 1900-01-01 and 2200-12-31.
    pub forecast: chrono::NaiveDate,
    /// A deliverable's new forecast start (absent: keeps its current start). A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<chrono::NaiveDate>,
    /// The milestone version the editor saw; a different current version is a 409 conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// Baseline one milestone (at its forecast, or at `baseline`); re-baselining needs a reason.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaselineMilestoneRequest {
    /// Absent: the milestone's forecast. A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeetMilestoneRequest {
    /// A date between 1900-01-01 and 2200-12-31.
    pub actual: chrono::NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// How far the work has come: percent complete and, for a deliverable, the day it actually
/// started (absent: as it is).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportProgressRequest {
    #[cfg_attr(feature = "openapi", schema(maximum = 100))]
    pub percent_complete: u8,
    /// A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_start: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// A milestone's new name, new owner, or both (an absent field stays as it is); each change is
/// its own event, with what it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviseMilestoneRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub owner: Option<String>,
    /// Milestone ↔ deliverable; a milestone becoming a deliverable needs `start`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<crate::milestone::MilestoneKind>,
    /// The start of a milestone becoming a deliverable: a date between 1900-01-01 and 2200-12-31,
    /// not after its forecast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<chrono::NaiveDate>,
    /// Another project of the program to deliver it (the caller may change the schedule of both).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// Cancel a milestone (no longer planned) or remove it (entered by mistake): either way its
/// dependencies are let go of in the same append. The reason is required.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetireMilestoneRequest {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 1, max_length = 4000, pattern = r"\S")
    )]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

/// A dependency's terms as they should be from now on (an event for each that changes). Changing
/// the type or lag of an agreed dependency asks its provider to agree again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviseDependencyRequest {
    pub kind: crate::schedule::DependencyType,
    #[cfg_attr(feature = "openapi", schema(minimum = -3650, maximum = 3650))]
    pub lag_days: i32,
    /// A date between 1900-01-01 and 2200-12-31; absent: the consumer's own forecast.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_by: Option<chrono::NaiveDate>,
    /// The dependency's own `version` (as in the program view), not the register's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// Baseline the whole program: every milestone without a baseline gets its forecast as baseline,
/// all in one atomic append.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaselineProgramRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BaselineProgramAccepted {
    /// How many milestones were baselined.
    pub baselined: usize,
    /// The global position of the last event.
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposeDependencyRequest {
    pub provider: crate::ids::MilestoneId,
    pub consumer: crate::ids::MilestoneId,
    #[serde(default = "default_dependency_type")]
    pub kind: crate::schedule::DependencyType,
    /// Days between the provider's end and the consumer's start or end (negative: overlap).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(minimum = -3650, maximum = 3650))]
    pub lag_days: i32,
    /// Absent: follows the consumer's forecast. A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_by: Option<chrono::NaiveDate>,
    /// Default: the provider milestone's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub provider_owner: Option<String>,
    /// Default: the consumer milestone's owner.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub consumer_owner: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub description: String,
    /// The register version (`dependencies_version` of the program view) the editor saw.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

fn default_dependency_type() -> crate::schedule::DependencyType {
    crate::schedule::DependencyType::FinishToStart
}

/// Agree, break or cancel a dependency (break and cancel need a reason), or change its need-by
/// date (`need_by`; absent: the consumer's forecast).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyChangeRequest {
    /// A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_by: Option<chrono::NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// What an import of a project plan did. All of it, or (on any error) nothing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub project_id: ProjectId,
    /// A new project was created for the plan (none was named).
    pub project_created: bool,
    pub milestones: usize,
    pub baselined: usize,
    pub met: usize,
    pub dependencies: usize,
    /// Links between ordinary tasks that were followed back to the milestones they connect.
    pub collapsed_links: usize,
    /// Links not imported, and why (e.g. to a project file not imported yet).
    pub warnings: Vec<String>,
    /// The global position of the import's last event (0 for a preview, or when nothing changed).
    pub position: i64,
    /// Of `milestones`, how many are deliverables (tasks with a start and a finish).
    #[serde(default)]
    pub deliverables: usize,
    /// Tasks imported before whose forecast or actual finish changed, and those that did not.
    #[serde(default)]
    pub updated: usize,
    #[serde(default)]
    pub unchanged: usize,
    /// Projects created for the plan (its title, or its summary tasks).
    #[serde(default)]
    pub projects_created: Vec<String>,
    /// What the file holds that is not imported, and why.
    #[serde(default)]
    pub skipped: Vec<String>,
    /// Nothing was appended: this is what the import would do.
    #[serde(default)]
    pub preview: bool,
}

/// What a CSV import did. All of it, or (when any row cannot be applied) nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CsvImportReport {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The global position of the import's last event (0 when nothing changed).
    pub position: i64,
}

/// Propose the moves a slip pushes downstream to their owners, as one change set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProposeCascadeRequest {
    /// The slip: the log position of the forecast change (a `SlipRecord`'s `position`).
    pub slip_position: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// An owner's answer to their part of a cascade: accept, counter with a date, or decline (with a
/// reason).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AnswerMoveRequest {
    #[serde(flatten)]
    pub answer: crate::cascade::PartAnswer,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: String,
}
