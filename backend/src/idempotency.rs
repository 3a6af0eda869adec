//! `Idempotency-Key` on commands (IETF httpapi draft): a client that lost its answer (a kill, an
//! outage, a dropped connection) retries with the same key and gets the original answer, with
//! nothing appended twice.
//!
//! Two mechanisms, so that no interleaving appends twice:
//! - Answers are kept per user and key for 24 hours (`idempotency_keys`), with a fingerprint of
//!   the request (method, URL, body): the same key with another request is refused (422).
//! - The request's event ids are derived from the user and key (`IdempotencyScope`), so a retry
//!   that runs again — because the first run died between its append and its answer, or is
//!   still running — appends events with the ids already in the log, and the event store answers
//!   with the original events instead of appending (see `event_store::appender`).
//!
//! The middleware sits inside authentication on `/api` and acts on `POST`/`PATCH` operations the
//! API has. A key is 1–255 visible ASCII characters, bare or as a quoted sf-string (else 400
//! `invalid_idempotency_key`); it is claimed per user with a SHA-256 fingerprint of method, URL
//! and body. The same key with another request within 24 h is 422 `idempotency_key_reused`; an
//! answered key is answered again with the stored status, content type and body
//! (`Idempotent-Replayed: true`) and appends nothing. Sign-in/out and token creation refuse a key
//! (400 `idempotency_not_supported`: their answers set a cookie or show a secret once). Answers
//! marked `Cache-Control: no-store` (they hold a secret) and 5xx answers are not kept. Keys older
//! than 24 h are taken over as new and purged hourly (`purge_every_hour`).

use crate::auth::Principal;
use crate::error::ApiError;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut};
use actix_web::{HttpMessage, HttpResponse};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use uuid::Uuid;

pub const HEADER: &str = "idempotency-key";
/// Set on an answer that is a replay of the original one.
pub const REPLAYED: &str = "idempotent-replayed";
const KEY_MAX: usize = 255;
/// The largest body a command takes (imported files: 20 MB), with room for the form around it.
const BODY_MAX: usize = 21 * 1024 * 1024;
/// The namespace of the ids derived from keys (a v5 UUID of its own).
const NAMESPACE: Uuid = Uuid::from_u128(0x6c1f_3f0c_2b1e_5a8e_9d47_0b51_6e2a_93c4);

/// In a request's extensions when it came with a key: the namespace its event ids are derived
/// from (see `RequestContext::event_ids`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IdempotencyScope(pub Uuid);

/// Where a key is refused rather than honoured: signing in and out (the answer sets cookies) and
/// token creation (its answer is a secret shown once, and a run again would mint another).
fn unsupported(method: &Method, path: &str) -> bool {
    path.starts_with("/api/auth/") || (method == Method::POST && path == "/api/tokens")
}

/// The methods the API's commands use. Others are left alone, so a method no route has is still
/// answered 405 whatever its headers.
fn is_command(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PATCH)
}

/// The key as sent: an sf-string (`"…"`) or a bare token, 1–255 visible ASCII characters.
fn parse_key(value: &HeaderValue) -> Result<String, ApiError> {
    let invalid = || {
        ApiError::bad_request(
            "invalid_idempotency_key",
            format!("Idempotency-Key must be 1 to {KEY_MAX} visible ASCII characters, e.g. a UUID"),
        )
    };
    let text = value.to_str().map_err(|_| invalid())?.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if text.is_empty()
        || text.len() > KEY_MAX
        || !text.bytes().all(|b| b.is_ascii_graphic() && b != b'"')
    {
        return Err(invalid());
    }
    Ok(text.to_string())
}

pub fn scope_of(user: Uuid, key: &str) -> IdempotencyScope {
    let mut name = user.as_bytes().to_vec();
    name.extend_from_slice(key.as_bytes());
    IdempotencyScope(Uuid::new_v5(&NAMESPACE, &name))
}

fn fingerprint(method: &Method, uri: &str, body: &[u8]) -> Vec<u8> {
    let mut hash = Sha256::new();
    hash.update(method.as_str().as_bytes());
    hash.update([0]);
    hash.update(uri.as_bytes());
    hash.update([0]);
    hash.update(body);
    hash.finalize().to_vec()
}

/// What the table says of a key.
enum Seen {
    /// Not seen within 24 hours (or only with an answer not kept): run the command.
    Run,
    /// Answered before: replay it.
    Answered {
        status: i16,
        content_type: Option<String>,
        body: Vec<u8>,
    },
    Mismatch,
}

/// Fingerprint, status, content type and body of a claimed key.
type KeyRow = (Vec<u8>, Option<i16>, Option<String>, Option<Vec<u8>>);

async fn claim(
    pool: &PgPool,
    user: Uuid,
    key: &str,
    fingerprint: &[u8],
) -> Result<Seen, sqlx::Error> {
    // A key older than 24 hours is a new key: its row is taken over.
    let fresh: Option<i32> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (user_id, key, fingerprint) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, key) DO UPDATE \
           SET fingerprint = EXCLUDED.fingerprint, created_at = now(), status = NULL, \
               content_type = NULL, body = NULL \
           WHERE idempotency_keys.created_at < now() - interval '24 hours' \
         RETURNING 1",
    )
    .bind(user)
    .bind(key)
    .bind(fingerprint)
    .fetch_optional(pool)
    .await?;
    if fresh.is_some() {
        return Ok(Seen::Run);
    }
    let row: Option<KeyRow> = sqlx::query_as(
        "SELECT fingerprint, status, content_type, body FROM idempotency_keys \
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        Some((stored, _, _, _)) if stored != fingerprint => Seen::Mismatch,
        Some((_, Some(status), content_type, Some(body))) => Seen::Answered {
            status,
            content_type,
            body,
        },
        _ => Seen::Run,
    })
}

async fn read_body(payload: Payload) -> Result<Bytes, ApiError> {
    let mut payload = payload;
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            ApiError::bad_request("invalid_body", format!("cannot read the body: {e}"))
        })?;
        if body.len() + chunk.len() > BODY_MAX {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the body is larger than {BODY_MAX} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The middleware, inside authentication (it needs the caller).
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(value) = req.headers().get(HEADER).cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    // Only for an operation the API has: any other is answered 404 or 405 whatever its headers.
    let operation = crate::routes::openapi::allowed_methods(req.path())
        .is_some_and(|allow| allow.split(", ").any(|m| m == req.method().as_str()));
    if !is_command(req.method()) || !operation {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let refuse = |req: ServiceRequest, e: ApiError| {
        let response = actix_web::ResponseError::error_response(&e);
        Ok(req.into_response(response).map_into_boxed_body())
    };
    if unsupported(req.method(), req.path()) {
        let e = ApiError::bad_request(
            "idempotency_not_supported",
            "this endpoint does not take an Idempotency-Key (its answer sets a cookie or shows a secret once)",
        );
        return refuse(req, e);
    }
    let key = match parse_key(&value) {
        Ok(key) => key,
        Err(e) => return refuse(req, e),
    };
    let Some(user) = req.extensions().get::<Principal>().map(|p| p.user_id.0) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(pool) = req.app_data::<actix_web::web::Data<PgPool>>().cloned() else {
        return refuse(req, ApiError::internal("no database pool configured"));
    };
    let body = match read_body(req.take_payload()).await {
        Ok(body) => body,
        Err(e) => return refuse(req, e),
    };
    let uri = req.uri().to_string();
    let print = fingerprint(req.method(), &uri, &body);
    match claim(&pool, user, &key, &print).await {
        Err(e) => return refuse(req, ApiError::internal(e)),
        Ok(Seen::Mismatch) => {
            let e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency_key_reused",
                "this Idempotency-Key was used for a different request in the last 24 hours; use a new key for a new request",
            );
            return refuse(req, e);
        }
        Ok(Seen::Answered {
            status,
            content_type,
            body,
        }) => {
            let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::OK);
            let mut answer = HttpResponse::build(status);
            answer.insert_header((REPLAYED, "true"));
            if let Some(content_type) = content_type {
                answer.insert_header((header::CONTENT_TYPE, content_type));
            }
            return Ok(req.into_response(answer.body(body)).map_into_boxed_body());
        }
        Ok(Seen::Run) => {}
    }
    req.extensions_mut().insert(scope_of(user, &key));
    req.set_payload(Payload::from(body));
    let response = next.call(req).await?;
    let status = response.status();
    let no_store = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-store"));
    if status.is_server_error() || no_store {
        return Ok(response.map_into_boxed_body());
    }
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let Ok(bytes) = actix_web::body::to_bytes(body).await else {
        return Err(ApiError::internal("an answer could not be read to keep it").into());
    };
    if let Err(e) = sqlx::query(
        "UPDATE idempotency_keys SET status = $3, content_type = $4, body = $5 \
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user)
    .bind(&key)
    .bind(status.as_u16() as i16)
    .bind(content_type)
    .bind(bytes.as_ref())
    .execute(pool.get_ref())
    .await
    {
        // The answer still goes out; a retry runs the command again, which the derived event
        // ids make safe.
        tracing::warn!(error = %e, "could not keep an idempotent answer");
    }
    Ok(ServiceResponse::new(request, head.set_body(bytes)).map_into_boxed_body())
}

/// Forgets keys older than 24 hours, hourly.
pub async fn purge_every_hour(pool: PgPool) {
    let mut ticks = tokio::time::interval(std::time::Duration::from_secs(3600));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        if let Err(e) = sqlx::query(
            "DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'",
        )
        .execute(&pool)
        .await
        {
            tracing::warn!(error = %e, "could not purge old idempotency keys");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        let ok = |s: &str| parse_key(&HeaderValue::from_str(s).unwrap());
        assert_eq!(ok("abc-123").unwrap(), "abc-123");
        assert_eq!(
            ok("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"").unwrap(),
            "8e03978e-40d5-43e8-bc93-6894a57f9324"
        );
        assert!(ok("").is_err());
        assert!(ok("\"\"").is_err());
        assert!(ok("a b").is_err());
        assert!(ok(&"k".repeat(KEY_MAX)).is_ok());
        assert!(ok(&"k".repeat(KEY_MAX + 1)).is_err());
    }

    #[test]
    fn scopes_differ_by_user_and_key() {
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert_eq!(scope_of(a, "k"), scope_of(a, "k"));
        assert_ne!(scope_of(a, "k"), scope_of(b, "k"));
        assert_ne!(scope_of(a, "k"), scope_of(a, "k2"));
    }
}
