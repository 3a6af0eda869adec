//! Who is acting, and the ids that tie an event back to the request that caused it.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::event_store::AppendRequest;
use crate::idempotency::IdempotencyScope;
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::{Ready, ready};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use throughline_shared::error::{TEXT_MAX, Validator};
use throughline_shared::{DomainError, EventId, EventMetadata, TokenId, UserId};
use tracing_actix_web::RequestId;
use uuid::Uuid;

#[derive(Clone, Debug)]
pub struct RequestContext {
    /// The user name recorded as the events' actor.
    pub actor: String,
    pub actor_id: Option<UserId>,
    pub token_id: Option<TokenId>,
    pub request_id: Option<String>,
    /// From `X-Correlation-Id` when the client groups several requests into one intention.
    pub correlation_id: Uuid,
    /// One id per command, recorded as the causation id of every event it appends.
    pub command_id: Uuid,
    /// Set when the request came with an `Idempotency-Key`: its event ids are derived from it.
    pub idempotency: Option<IdempotencyScope>,
    /// Appends made so far by this request (each gets its own derived ids).
    appends: Arc<AtomicU32>,
}

/// The ids of one append's events: derived from the request's idempotency key (the same on a
/// retry, so the store recognises events already in the log), or new time-ordered ids.
pub struct EventIds(Option<Uuid>);

impl EventIds {
    pub fn id(&self, index: usize) -> EventId {
        match self.0 {
            Some(namespace) => {
                EventId::from_uuid(Uuid::new_v5(&namespace, &(index as u64).to_be_bytes()))
            }
            None => EventId::from_uuid(Uuid::now_v7()),
        }
    }
}

impl RequestContext {
    /// A command run outside any request, e.g. by the `create-admin` subcommand.
    pub fn system(actor: impl Into<String>) -> Self {
        let command_id = Uuid::new_v4();
        Self {
            actor: actor.into(),
            actor_id: None,
            token_id: None,
            request_id: None,
            correlation_id: command_id,
            command_id,
            idempotency: None,
            appends: Arc::default(),
        }
    }

    /// Gives the events of `request` this request's next derived ids, if it has an idempotency
    /// key (they keep their new ids otherwise).
    pub fn identify(&self, mut request: AppendRequest) -> AppendRequest {
        if self.idempotency.is_some() {
            let ids = self.event_ids();
            let events = request.streams.iter_mut().flat_map(|s| s.events.iter_mut());
            for (index, event) in events.enumerate() {
                event.event_id = ids.id(index);
            }
        }
        request
    }

    /// Ids for the events of this request's next append. Deterministic per key and per append,
    /// in the order the command makes its appends.
    pub fn event_ids(&self) -> EventIds {
        let n = self.appends.fetch_add(1, Ordering::Relaxed);
        EventIds(
            self.idempotency
                .map(|scope| Uuid::new_v5(&scope.0, &n.to_be_bytes())),
        )
    }

    /// The event metadata for this request, with a `reason` the caller typed, checked as any
    /// text the domain takes (length, no control characters but line breaks): a reason is kept
    /// in the log forever.
    pub fn metadata_for(&self, reason: Option<String>) -> Result<EventMetadata, DomainError> {
        if let Some(reason) = &reason {
            let mut v = Validator::new();
            v.optional_text("reason", reason, TEXT_MAX);
            v.finish()?;
        }
        Ok(self.metadata(reason))
    }

    /// The event metadata for this request, with a reason the server wrote.
    pub fn metadata(&self, reason: Option<String>) -> EventMetadata {
        EventMetadata {
            actor: self.actor.clone(),
            actor_id: self.actor_id,
            token_id: self.token_id,
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
    type Error = ApiError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let principal = match Principal::from_request(req, payload).into_inner() {
            Ok(p) => p,
            Err(e) => return ready(Err(e)),
        };
        let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
        let command_id = Uuid::new_v4();
        let correlation_id = req
            .headers()
            .get("x-correlation-id")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| Uuid::parse_str(v).ok())
            .unwrap_or(command_id);
        ready(Ok(Self {
            actor: principal.username.clone(),
            actor_id: Some(principal.user_id),
            token_id: principal.token_id(),
            request_id,
            correlation_id,
            command_id,
            idempotency: req.extensions().get::<IdempotencyScope>().copied(),
            appends: Arc::default(),
        }))
    }
}
