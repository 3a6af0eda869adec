//! Request and response bodies of the HTTP API and messages of the live stream.

use crate::access::{Membership, ProgramAccess, ProgramRole, RoleGrant, TokenScope};
use crate::event::RecordedEvent;
use crate::ids::{ProgramId, ProjectId, TokenId, UserId};
use crate::program::ObjectiveDraft;
use crate::rag::Rag;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

mod schedule;
pub use schedule::*;

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
    /// Any JSON value, absent when there is nothing more to say: for `validation_failed` an
    /// array of field errors (`[{"field", "message"}]`, see `FieldError`); for
    /// `version_conflict` an object `{"current_version": n}`; for `dependency_cycle`
    /// `{"cycle": [names]}`; for `invalid_csv` `{"rows": [problems]}`; for 429 and some 503
    /// answers `{"retry_after_seconds": n}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Value>))]
    pub details: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateProgramRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub description: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub sponsor: String,
    #[serde(default)]
    pub objectives: Vec<ObjectiveDraft>,
}

/// Only the fields present are changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EditProgramRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub sponsor: Option<String>,
    /// The program version the editor saw; a different current version is a 409 conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AddProjectRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub manager: String,
    /// The program objectives the project contributes to.
    #[serde(default)]
    pub objectives: Vec<crate::ids::ObjectiveId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportStatusRequest {
    pub rag: Rag,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub narrative: String,
    /// The project version the reporter saw; a different current version is a 409 conflict.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
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
    /// Each projection's checkpoint and how far it is behind the head.
    #[serde(default)]
    pub projections: Vec<ProjectionHealth>,
    /// Programs whose view skipped events it could not fold (see the view's `unfolded`): they
    /// need a compensating event, or an upcaster and `throughline rebuild`.
    #[serde(default)]
    pub programs_with_unfolded_events: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectionHealth {
    pub name: String,
    pub position: i64,
    pub behind: i64,
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

// ---- Accounts, sessions, tokens and membership -------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

/// A user as others see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    /// Organisation administrator.
    pub admin: bool,
    pub active: bool,
}

/// Who the caller is and what they belong to: the UI shows and hides controls from this.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MeResponse {
    pub user: UserSummary,
    /// Send as `X-CSRF-Token` with every write made with the session cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// Set when the caller authenticated with an API token rather than a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_scope: Option<TokenScope>,
    pub memberships: Vec<Membership>,
    /// Whether the caller may start programs here (`THROUGHLINE_PROGRAM_CREATORS`), so the UI
    /// offers "New program" only to those the server would let.
    #[serde(default = "yes")]
    pub can_create_programs: bool,
}

fn yes() -> bool {
    true
}

impl MeResponse {
    /// The caller's rights in one program (the same check the server makes).
    pub fn access(&self, program_id: ProgramId) -> ProgramAccess {
        ProgramAccess {
            admin: self.user.admin,
            grants: self
                .memberships
                .iter()
                .find(|m| m.program_id == program_id)
                .map(|m| m.grants.clone())
                .unwrap_or_default(),
            read_only: self.token_scope == Some(TokenScope::ReadOnly),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateUserRequest {
    /// Letters, digits, `.`, `_` and `-`; stored lower-case (user names are case-insensitive).
    #[cfg_attr(feature = "openapi", schema(min_length = 2, max_length = 64))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub display_name: String,
    /// The initial password (12 to 256 characters); the user should change it.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 256))]
    pub password: String,
    #[serde(default)]
    pub admin: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReasonRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 12 to 256 characters.
    #[cfg_attr(feature = "openapi", schema(min_length = 12, max_length = 256))]
    pub new_password: String,
    /// Also revoke all your API tokens. Absent means false, and false is not written, so a body
    /// without it reads and writes exactly as before.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub revoke_tokens: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateTokenRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: String,
    pub scope: TokenScope,
    /// Limit the token to one program.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<ProgramId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub token_id: TokenId,
    pub name: String,
    pub scope: TokenScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<ProgramId>,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The only time a token's secret is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: TokenInfo,
    /// Send as `Authorization: Bearer <secret>`. It cannot be shown again.
    pub secret: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleChangeRequest {
    pub user_id: UserId,
    pub role: ProgramRole,
    /// Required for `project_manager`: the project they manage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// One member of a program with every role they hold there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramMember {
    pub user: UserSummary,
    pub grants: Vec<RoleGrant>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePhaseRequest {
    pub phase: crate::scope::ProgramPhase,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// A new scope item (with a title), or an existing one moved in or out (to its URL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeRequest {
    /// Required for a new scope item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: Option<String>,
    pub in_scope: bool,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub rationale: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectObjectivesRequest {
    pub objectives: Vec<crate::ids::ObjectiveId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// A project's new name, new manager, or both (an absent field stays as it is).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReviseProjectRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub manager: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
}

/// Pause, resume or close a project. Pausing and closing need a reason; closing needs every one
/// of its milestones met or cancelled first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectStageRequest {
    pub stage: crate::project::ProjectStage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 4000))]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

/// A page of a program's audit trail, with the log head it was read against so a reader can
/// check what they were given (`GET /api/programs/{id}/audit`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    pub events: Vec<RecordedEvent>,
    /// Pass as `after` to get the next page.
    pub next_after: i64,
    /// The log's last position the page was read against, and its hash (hex SHA-256).
    pub head: i64,
    pub head_hash: String,
}

#[cfg(test)]
mod tests {
    use super::ChangePasswordRequest;

    #[test]
    fn revoking_tokens_with_a_password_change_is_written_only_when_asked() {
        let before = r#"{"current_password":"old one","new_password":"a new long one"}"#;
        let read: ChangePasswordRequest = serde_json::from_str(before).unwrap();
        assert!(!read.revoke_tokens);
        assert_eq!(serde_json::to_string(&read).unwrap(), before);
        let revoking = ChangePasswordRequest {
            revoke_tokens: true,
            ..read
        };
        assert_eq!(
            serde_json::to_value(&revoking).unwrap()["revoke_tokens"],
            serde_json::Value::Bool(true)
        );
    }
}

/// A new objective, or an objective's terms as they should be from now on (all of them: an
/// absent KPI, target value or date is cleared), with the reason for the change.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectiveRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 200))]
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub kpi: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub target_value: Option<String>,
    /// A date between 1900-01-01 and 2200-12-31.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_date: Option<chrono::NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub reason: String,
    /// The objective's own version (see `ObjectiveEntry`), for a revision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

impl ObjectiveRequest {
    pub fn terms(&self) -> crate::program::ObjectiveDraft {
        crate::program::ObjectiveDraft {
            title: self.title.clone(),
            kpi: self.kpi.clone(),
            target_value: self.target_value.clone(),
            target_date: self.target_date,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetireObjectiveRequest {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 4000))]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_version: Option<i64>,
}

/// An objective in force, with its own version (what a revision or retirement expects).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectiveEntry {
    pub objective: crate::program::StrategicObjective,
    pub version: i64,
}

/// A program's objectives now: those in force and those retired (oldest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectivesResponse {
    pub objectives: Vec<ObjectiveEntry>,
    pub retired: Vec<crate::program::StrategicObjective>,
}
