//! The JSON error body every endpoint answers with: `{"error": {"code", "message", "details"}}`.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde_json::Value;
use std::fmt;
use throughline_shared::api::{ErrorBody, ErrorResponse};

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
