//! Request and response bodies of the HTTP API and messages of the live stream.

use crate::event::RecordedEvent;
use crate::ids::{ProgramId, ProjectId};
use crate::program::ObjectiveDraft;
use crate::rag::Rag;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Every error response: `{"error": {"code": ..., "message": ..., "details": ...}}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `validation_failed`, `version_conflict`, `not_found`.
    pub code: String,
    pub message: String,
    /// Field errors for `validation_failed`; `{"current_version": n}` for `version_conflict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub details: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateProgramRequest {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub sponsor: String,
    #[serde(default)]
    pub objectives: Vec<ObjectiveDraft>,
}

/// Only the fields present are changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EditProgramRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sponsor: Option<String>,
    /// The program version the editor saw; a different current version is a 409 conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddProjectRequest {
    pub name: String,
    pub manager: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportStatusRequest {
    pub rag: Rag,
    pub narrative: String,
    /// The project version the reporter saw; a different current version is a 409 conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// What a successful command answers: where its events landed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CommandAccepted {
    pub stream_id: Uuid,
    /// The stream's version after the command.
    pub version: i64,
    /// The global position of the command's last event.
    pub position: i64,
    pub program_id: ProgramId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
}

/// A page of the global log in position order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventPage {
    pub events: Vec<RecordedEvent>,
    /// Pass as `after` to get the next page.
    pub next_after: i64,
    /// The log's last position when the page was read.
    pub head: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthResponse {
    pub status: String,
    pub head_position: i64,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifyReport {
    pub ok: bool,
    pub checked: i64,
    pub head_position: i64,
    /// The first position whose hash does not match its contents or its predecessor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_broken_position: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// Sent by the browser over the live WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMessage {
    /// Receive every event of `program_id` (or of every program, when absent) after `after`.
    Subscribe {
        #[serde(default)]
        program_id: Option<ProgramId>,
        after: i64,
    },
}

/// Sent by the server over the live WebSocket.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMessage {
    /// Events in position order. Every position up to `covered` has been considered, so a client
    /// that reconnects resumes with `after = covered` and misses nothing.
    Events {
        events: Vec<RecordedEvent>,
        covered: i64,
    },
    Error {
        message: String,
    },
}
