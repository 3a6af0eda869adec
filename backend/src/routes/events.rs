use crate::error::ApiError;
use crate::event_store::{EventFilter, head_position, read_events, verify_chain};
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::api::{EventPage, VerifyReport};

pub const DEFAULT_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 1_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PageQuery {
    /// Return events after this position (default 0: from the start).
    pub after: Option<i64>,
    /// At most this many events (default 100, at most 1000).
    pub limit: Option<i64>,
}

impl PageQuery {
    pub fn validate(&self) -> Result<(i64, i64), ApiError> {
        let after = self.after.unwrap_or(0);
        if after < 0 {
            return Err(ApiError::bad_request(
                "invalid_query",
                "after must be 0 or more",
            ));
        }
        let limit = self.limit.unwrap_or(DEFAULT_PAGE);
        if !(1..=MAX_PAGE).contains(&limit) {
            return Err(ApiError::bad_request(
                "invalid_query",
                format!("limit must be between 1 and {MAX_PAGE}"),
            ));
        }
        Ok((after, limit))
    }
}

/// Pages through the global log in position order.
#[utoipa::path(get, path = "/api/events", tag = "events", params(PageQuery),
    responses((status = 200, body = EventPage), (status = 400, body = throughline_shared::api::ErrorResponse)))]
#[get("/events")]
pub async fn list_events(
    pool: web::Data<PgPool>,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (after, limit) = query.validate()?;
    let head = head_position(pool.get_ref())
        .await
        .map_err(ApiError::internal)?;
    let events = read_events(
        pool.get_ref(),
        EventFilter {
            after,
            up_to: Some(head),
            program_id: None,
            limit,
        },
    )
    .await
    .map_err(ApiError::internal)?;
    let next_after = events.last().map(|e| e.position).unwrap_or(after);
    Ok(HttpResponse::Ok().json(EventPage {
        events,
        next_after,
        head,
    }))
}

/// Walks the hash chain and reports the first broken link, if any.
#[utoipa::path(get, path = "/api/verify", tag = "events",
    responses((status = 200, body = VerifyReport)))]
#[get("/verify")]
pub async fn verify(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let report = verify_chain(pool.get_ref(), |_| {})
        .await
        .map_err(ApiError::internal)?;
    if !report.ok {
        tracing::error!(?report, "the event log's hash chain is broken");
    }
    Ok(HttpResponse::Ok().json(report))
}
