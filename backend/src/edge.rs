//! Checks every request gets before any route sees it.

use crate::error::ApiError;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// A NUL character anywhere in the URL (path or query, raw or percent-encoded) is refused with
/// 400: no identifier, filter or date can hold one, and PostgreSQL refuses it in text, so letting
/// it through would only turn a client's mistake into a server error. Bodies are checked where
/// they are parsed (every text field passes the domain's `Validator`).
pub async fn refuse_nul_in_url<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let uri = req.uri().to_string();
    if uri.contains('\0') || uri.to_ascii_lowercase().contains("%00") {
        return Err(ApiError::bad_request(
            "invalid_url",
            "the URL contains a NUL character (%00), which no parameter may hold",
        )
        .into());
    }
    next.call(req).await
}

/// Answers to a WebSocket upgrade request (the handshake's refusals included, e.g. a 401 from
/// the auth middleware) are sent uncompressed: actix's `Compress` would gzip such a body while
/// the connection is set up for an upgrade, and the client then reads a chunked body that is not
/// chunked. Marking the response `identity` makes `Compress` leave it alone. Registered inside
/// `Compress`.
pub async fn uncompressed_upgrades<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let upgrade = req.headers().contains_key(header::UPGRADE);
    let mut response = next.call(req).await;
    if upgrade {
        let identity = HeaderValue::from_static("identity");
        if let Ok(res) = &mut response {
            res.headers_mut().insert(header::CONTENT_ENCODING, identity);
        }
    }
    response
}
