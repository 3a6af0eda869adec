//! Who is acting, and the ids that tie an event back to the request that caused it.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use std::future::{Ready, ready};
use throughline_shared::EventMetadata;
use tracing_actix_web::RequestId;
use uuid::Uuid;

/// The configured identity that acts until accounts exist.
#[derive(Clone, Debug)]
pub struct Operator(pub String);

#[derive(Clone, Debug)]
pub struct RequestContext {
    pub actor: String,
    pub request_id: Option<String>,
    /// From `X-Correlation-Id` when the client groups several requests into one intention.
    pub correlation_id: Uuid,
    /// One id per command, recorded as the causation id of every event it appends.
    pub command_id: Uuid,
}

impl RequestContext {
    pub fn metadata(&self, reason: Option<String>) -> EventMetadata {
        EventMetadata {
            actor: self.actor.clone(),
            correlation_id: self.correlation_id,
            causation_id: Some(self.command_id),
            request_id: self.request_id.clone(),
            reason: reason
                .map(|r| r.trim().to_string())
                .filter(|r| !r.is_empty()),
        }
    }
}

impl FromRequest for RequestContext {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let actor = req
            .app_data::<web::Data<Operator>>()
            .map(|o| o.0.clone())
            .unwrap_or_else(|| "unknown".into());
        let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
        let command_id = Uuid::new_v4();
        let correlation_id = req
            .headers()
            .get("x-correlation-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v).ok())
            .unwrap_or(command_id);
        ready(Ok(Self {
            actor,
            request_id,
            correlation_id,
            command_id,
        }))
    }
}
