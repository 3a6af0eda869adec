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
    pub fn internal(error: impl fmt::Display) -> Self {
        tracing::error!(error = %error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "the server failed to handle the request; it has been logged",
        )
    }

    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", message)
    }
}

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
        HttpResponse::build(self.status).json(ErrorResponse {
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
