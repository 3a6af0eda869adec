//! The JSON error body every endpoint answers with: `{"error": {"code", "message", "details"}}`.
//!
//! The one place where domain and store errors (`CommandError`) get an HTTP status and code.
//! Every `ApiError::internal(e)` whose `e` is an unreachable database (`db::unreachable_in`)
//! becomes 503 `unavailable` with `Retry-After: 1`; with the pools' 1.5 s acquire timeout
//! (`db::ACQUIRE_TIMEOUT`) an outage is answered within two seconds on every route, and service
//! resumes on the first request after the database is back.

use crate::commands::CommandError;
use crate::commands::governance::RaiseInstead;
use crate::event_store::{AppendError, StoreError};
use crate::queries::agenda::AgendaError;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::{Value, json};
use std::fmt;
use throughline_shared::DomainError;
use throughline_shared::api::{ErrorBody, ErrorResponse};
use throughline_shared::governance::rights::DecisionKind;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Option<Value>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// A failure that is ours, not the client's: logged in full, answered without internals.
    /// A database that cannot be reached is not a bug but an outage: answered 503 with
    /// `Retry-After`, so clients and load balancers wait and retry instead of giving up.
    pub fn internal<E: fmt::Display + 'static>(error: E) -> Self {
        if crate::db::unreachable_in(&error) {
            tracing::warn!(error = %error, "database unreachable");
            return Self::database_unavailable();
        }
        tracing::error!(error = %error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to handle the request; it has been logged",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
            .with_details(serde_json::json!({ "retry_after_seconds": RETRY_AFTER_OUTAGE }))
    }

    /// The database did not answer in time: nothing was changed.
    pub fn database_unavailable() -> Self {
        Self::unavailable(
            "the database cannot be reached right now; nothing was changed, try again shortly",
        )
    }

    /// The seconds a client should wait before retrying, when the error says.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        self.details.as_ref()?.get("retry_after_seconds")?.as_u64()
    }
}

/// How long a client is asked to wait after an outage answer: short, since the service resumes
/// within a second of the database coming back.
pub const RETRY_AFTER_OUTAGE: u64 = 1;

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if matches!(
            self.status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        ) && let Some(seconds) = self.retry_after_seconds()
        {
            response.insert_header((actix_web::http::header::RETRY_AFTER, seconds.max(1)));
        }
        response.json(ErrorResponse {
            error: ErrorBody {
                code: self.code.to_string(),
                message: self.message.clone(),
                details: self.details.clone(),
            },
        })
    }
}

/// A command's refusal or failure as the API answers it: one status and code per kind, the
/// domain's own words as the message, and what a client needs to act on in `details`.
impl From<crate::projection::NotInForce> for ApiError {
    fn from(error: crate::projection::NotInForce) -> Self {
        match error {
            crate::projection::NotInForce::Database(e) => ApiError::internal(e),
            lagging @ crate::projection::NotInForce::Lagging(_) => {
                ApiError::unavailable(lagging.to_string())
            }
        }
    }
}

impl From<AgendaError> for ApiError {
    fn from(error: AgendaError) -> Self {
        let message = error.to_string();
        match error {
            AgendaError::ProgramNotFound(_) | AgendaError::ForumNotFound(_) => {
                ApiError::not_found(message)
            }
            AgendaError::NoNextSession => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "no_next_session", message)
            }
            AgendaError::Read(e) => e.into(),
        }
    }
}

impl From<CommandError> for ApiError {
    fn from(error: CommandError) -> Self {
        let message = error.to_string();
        match error {
            CommandError::Domain(DomainError::Invalid(fields)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation_failed",
                "some fields are not valid",
            )
            .with_details(json!(fields)),
            CommandError::Domain(DomainError::NotFound(what)) => {
                ApiError::not_found(format!("{what} was not found"))
            }
            CommandError::Domain(DomainError::AlreadyExists(_)) => {
                ApiError::new(StatusCode::CONFLICT, "already_exists", message)
            }
            CommandError::Domain(DomainError::Cycle(cycle)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "dependency_cycle",
                message,
            )
            .with_details(json!({ "cycle": cycle })),
            CommandError::Domain(DomainError::Stale { current, .. }) => {
                ApiError::new(StatusCode::CONFLICT, "version_conflict", message)
                    .with_details(json!({ "current_version": current }))
            }
            CommandError::Domain(DomainError::NothingToChange(_)) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "nothing_to_change",
                message,
            ),
            CommandError::Forbidden(message) => {
                ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
            }
            CommandError::StaleVersion { current, .. } => {
                ApiError::new(StatusCode::CONFLICT, "version_conflict", message)
                    .with_details(json!({ "current_version": current }))
            }
            CommandError::OutcomeRaced => {
                ApiError::new(StatusCode::CONFLICT, "version_conflict", message)
            }
            CommandError::DecisionRequired(raise) => decision_required(*raise),
            CommandError::RowsRefused(rows) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_csv",
                format!("{message} ({})", rows.first().cloned().unwrap_or_default()),
            )
            .with_details(json!({ "rows": rows })),
            CommandError::ProjectsToCreate(projects) => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "projects_to_create",
                message,
            )
            .with_details(json!({ "projects": projects })),
            CommandError::Append(AppendError::Conflict { current, .. }) => ApiError::new(
                StatusCode::CONFLICT,
                "version_conflict",
                "someone else changed this at the same moment; reload and try again",
            )
            .with_details(json!({ "current_version": current })),
            CommandError::Append(AppendError::Unavailable) => {
                ApiError::unavailable("the event store is shutting down")
            }
            CommandError::Append(AppendError::DatabaseUnavailable {
                outcome_unknown: false,
            }) => ApiError::database_unavailable(),
            CommandError::Append(AppendError::DatabaseUnavailable {
                outcome_unknown: true,
            }) => ApiError::unavailable(
                "the database went away while your change was being saved, so it may or may not \
                 have been recorded; retry with the same Idempotency-Key to find out safely",
            )
            .with_details(
                json!({ "retry_after_seconds": RETRY_AFTER_OUTAGE, "outcome_unknown": true }),
            ),
            CommandError::Append(AppendError::StreamTypeMismatch { .. }) => {
                ApiError::new(StatusCode::CONFLICT, "stream_type_mismatch", message)
            }
            CommandError::Append(AppendError::EventIdReused(_) | AppendError::Invalid(_)) => {
                ApiError::bad_request("invalid_append", message)
            }
            CommandError::Append(AppendError::Database(e)) if crate::db::is_unreachable(&e) => {
                ApiError::database_unavailable()
            }
            CommandError::Append(e @ AppendError::Database(_)) => ApiError::internal(e.to_string()),
            CommandError::Store(StoreError::Database(e)) if crate::db::is_unreachable(&e) => {
                ApiError::database_unavailable()
            }
            CommandError::Store(e) => ApiError::internal(e.to_string()),
            CommandError::Decode(e) => ApiError::internal(e.to_string()),
            CommandError::Password(e) => e.into(),
            CommandError::Unavailable(message) => ApiError::unavailable(message),
            CommandError::NotInForce(e) => e.into(),
            CommandError::Internal(message) => ApiError::internal(message),
        }
    }
}

/// `422 decision_required`: the forum that decides the change, and the decision to raise there
/// (`details.suggested_request`, ready to post to `details.raise_at`).
fn decision_required(raise: RaiseInstead) -> ApiError {
    let RaiseInstead {
        program_id,
        forum_id,
        forum,
        reason,
        message,
        change,
    } = raise;
    let mut details = json!({
        "forum_id": forum_id,
        "forum": forum,
        "kind": change.kind,
        "magnitude": change.magnitude,
        "reason": reason,
        "raise_at": format!("/api/programs/{program_id}/decisions"),
        "suggested_request": {
            "kind": change.kind,
            "question": change.question,
            "options": [{"title": "Make the change"}, {"title": "Keep things as they are"}],
            "effects": [change.effect],
        },
    });
    if matches!(
        change.kind,
        DecisionKind::Rebaseline | DecisionKind::ObjectiveChange
    ) {
        // A raised re-baseline's (or objective change's) magnitude is computed from its effect,
        // as the target is then.
        details["magnitude_days"] = json!(change.magnitude);
    } else if let Some(magnitude) = change.magnitude {
        details["suggested_request"]["magnitude"] = json!(magnitude);
    }
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "decision_required",
        message,
    )
    .with_details(details)
}

/// Answers for malformed JSON bodies, paths and query strings: 400 with what was wrong.
pub mod extractors {
    use super::ApiError;
    use actix_web::error::{JsonPayloadError, PathError, QueryPayloadError};
    use actix_web::{HttpRequest, web};

    pub fn json_config() -> web::JsonConfig {
        web::JsonConfig::default().limit(256 * 1024).error_handler(
            |err: JsonPayloadError, _req: &HttpRequest| {
                let (code, message) = match &err {
                    JsonPayloadError::ContentType => (
                        "unsupported_media_type",
                        "send the body as JSON with Content-Type: application/json".to_string(),
                    ),
                    JsonPayloadError::Deserialize(e) => {
                        ("invalid_body", format!("invalid JSON body: {e}"))
                    }
                    JsonPayloadError::Overflow { limit }
                    | JsonPayloadError::OverflowKnownLength { limit, .. } => (
                        "body_too_large",
                        format!("the body is larger than {limit} bytes"),
                    ),
                    other => ("invalid_body", format!("cannot read the body: {other}")),
                };
                let status = if code == "unsupported_media_type" {
                    actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE
                } else if code == "body_too_large" {
                    actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    actix_web::http::StatusCode::BAD_REQUEST
                };
                ApiError::new(status, code, message).into()
            },
        )
    }

    pub fn path_config() -> web::PathConfig {
        web::PathConfig::default().error_handler(|err: PathError, _req: &HttpRequest| {
            ApiError::bad_request("invalid_path", format!("invalid id in the URL: {err}")).into()
        })
    }

    pub fn query_config() -> web::QueryConfig {
        web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req: &HttpRequest| {
            ApiError::bad_request("invalid_query", format!("invalid query string: {err}")).into()
        })
    }
}
