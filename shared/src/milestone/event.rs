//! The milestone's events, its kind and how it may leave the plan.

use crate::event::AggregateEvent;
use crate::ids::{MilestoneId, ProgramId, ProjectId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A point in time, or a piece of work with a start and a finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    Milestone,
    Deliverable,
}

/// Facts about a milestone. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MilestoneEvent {
    MilestoneAdded {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        name: String,
        kind: MilestoneKind,
        owner: String,
        /// A deliverable's planned start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        planned_start: Option<NaiveDate>,
        /// The planned date (a deliverable's planned finish); also the first forecast.
        planned: NaiveDate,
        /// Where it was imported from, e.g. `Ledger#12` (MS Project file stem # task UID), so
        /// later imports can link to it and a second import of the same plan is refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_ref: Option<String>,
    },
    MilestoneForecastChanged {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: NaiveDate,
        to: NaiveDate,
        /// A deliverable's new forecast start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<NaiveDate>,
    },
    MilestoneBaselined {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        baseline: NaiveDate,
    },
    MilestoneRebaselined {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: NaiveDate,
        to: NaiveDate,
    },
    MilestoneMet {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        actual: NaiveDate,
    },
    /// How far the work has come (percent complete, `from` what it was) and, for a deliverable,
    /// when it actually started: as its owner or an imported plan reports it.
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    MilestoneProgressReported {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: u8,
        percent_complete: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        actual_start: Option<NaiveDate>,
    },
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    MilestoneRenamed {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: String,
        to: String,
    },
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    MilestoneOwnerChanged {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: String,
        to: String,
    },
    /// A deliverable becomes a point in time (its start is dropped), or a milestone becomes a
    /// deliverable starting on `start`.
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    MilestoneKindChanged {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: MilestoneKind,
        to: MilestoneKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<NaiveDate>,
    },
    /// Now delivered by `project_id`, no longer by `from_project`.
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    MilestoneMoved {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from_project: ProjectId,
        /// Both projects' names at the time, so the record reads on its own.
        from_project_name: String,
        project_name: String,
    },
    /// No longer planned (the reason is in the metadata).
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    MilestoneCancelled {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
    },
    /// It should never have been added (the reason is in the metadata).
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    MilestoneRemoved {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
    },
}

/// How long after adding a milestone its creator may remove it as a mistake. Later, or once it is
/// baselined, someone may rely on it: it is cancelled instead, which says so.
pub const REMOVAL_WINDOW_HOURS: i64 = 24;

/// How a milestone left the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Retirement {
    Cancelled,
    /// Entered by mistake.
    Removed,
}

impl AggregateEvent for MilestoneEvent {
    const STREAM_TYPE: &'static str = "milestone";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            MilestoneEvent::MilestoneAdded { program_id, .. }
            | MilestoneEvent::MilestoneForecastChanged { program_id, .. }
            | MilestoneEvent::MilestoneBaselined { program_id, .. }
            | MilestoneEvent::MilestoneRebaselined { program_id, .. }
            | MilestoneEvent::MilestoneMet { program_id, .. }
            | MilestoneEvent::MilestoneProgressReported { program_id, .. }
            | MilestoneEvent::MilestoneRenamed { program_id, .. }
            | MilestoneEvent::MilestoneOwnerChanged { program_id, .. }
            | MilestoneEvent::MilestoneKindChanged { program_id, .. }
            | MilestoneEvent::MilestoneMoved { program_id, .. }
            | MilestoneEvent::MilestoneCancelled { program_id, .. }
            | MilestoneEvent::MilestoneRemoved { program_id, .. } => *program_id,
        })
    }
}

impl MilestoneEvent {
    pub fn project_id(&self) -> ProjectId {
        match self {
            MilestoneEvent::MilestoneAdded { project_id, .. }
            | MilestoneEvent::MilestoneForecastChanged { project_id, .. }
            | MilestoneEvent::MilestoneBaselined { project_id, .. }
            | MilestoneEvent::MilestoneRebaselined { project_id, .. }
            | MilestoneEvent::MilestoneMet { project_id, .. }
            | MilestoneEvent::MilestoneProgressReported { project_id, .. }
            | MilestoneEvent::MilestoneRenamed { project_id, .. }
            | MilestoneEvent::MilestoneOwnerChanged { project_id, .. }
            | MilestoneEvent::MilestoneKindChanged { project_id, .. }
            | MilestoneEvent::MilestoneMoved { project_id, .. }
            | MilestoneEvent::MilestoneCancelled { project_id, .. }
            | MilestoneEvent::MilestoneRemoved { project_id, .. } => *project_id,
        }
    }

    pub fn milestone_id(&self) -> MilestoneId {
        match self {
            MilestoneEvent::MilestoneAdded { milestone_id, .. }
            | MilestoneEvent::MilestoneForecastChanged { milestone_id, .. }
            | MilestoneEvent::MilestoneBaselined { milestone_id, .. }
            | MilestoneEvent::MilestoneRebaselined { milestone_id, .. }
            | MilestoneEvent::MilestoneMet { milestone_id, .. }
            | MilestoneEvent::MilestoneProgressReported { milestone_id, .. }
            | MilestoneEvent::MilestoneRenamed { milestone_id, .. }
            | MilestoneEvent::MilestoneOwnerChanged { milestone_id, .. }
            | MilestoneEvent::MilestoneKindChanged { milestone_id, .. }
            | MilestoneEvent::MilestoneMoved { milestone_id, .. }
            | MilestoneEvent::MilestoneCancelled { milestone_id, .. }
            | MilestoneEvent::MilestoneRemoved { milestone_id, .. } => *milestone_id,
        }
    }
}
