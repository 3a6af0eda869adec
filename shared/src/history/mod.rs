//! Replaying a program's history: the track the history scrubber draws (`GET …/history`: the
//! program's first and last events and marks for its decisions, slips, status changes and new
//! risks) and [`replay::Replay`], the cursor that folds a view forward event by event from a view
//! the server gave, with the same `ProgramView::apply` as live.

pub mod replay;

pub use replay::{Replay, Target, Wants};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// At most this many marks on a track (the newest): more than the track has pixels.
pub const MARKS_MAX: usize = 1_000;

/// A point of a program's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackPoint {
    pub position: i64,
    pub at: DateTime<Utc>,
}

/// What a mark on the track stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A decision approved or rejected.
    Decision,
    /// A milestone's forecast moved later.
    Slip,
    /// A project's reported RAG changed.
    Status,
    /// A risk identified.
    Risk,
}

impl MarkKind {
    /// The kind of mark an event of this type makes, before looking at what it says (a forecast
    /// change is a slip only when later; a status report a change only when its RAG differs).
    pub fn of_event_type(event_type: &str) -> Option<Self> {
        match event_type {
            "DecisionApproved" | "DecisionRejected" => Some(Self::Decision),
            "MilestoneForecastChanged" => Some(Self::Slip),
            "ProjectStatusReported" => Some(Self::Status),
            "RiskIdentified" => Some(Self::Risk),
            _ => None,
        }
    }

    /// Its wire name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Decision => "decision",
            Self::Slip => "slip",
            Self::Status => "status",
            Self::Risk => "risk",
        }
    }
}

/// One notable event on the track.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrackMark {
    pub position: i64,
    pub at: DateTime<Utc>,
    pub kind: MarkKind,
    /// The audit trail's sentence for it.
    pub text: String,
}

/// A program's history as the scrubber draws it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryTrack {
    /// The program's first event (its creation).
    pub first: TrackPoint,
    /// The program's latest event.
    pub last: TrackPoint,
    /// How many events the program has.
    pub events: i64,
    /// Oldest first; the newest [`MARKS_MAX`] if there are more.
    pub marks: Vec<TrackMark>,
    /// How many older marks were left off.
    pub marks_left_off: i64,
}
