use crate::auth::{Principal, Readable};
use crate::error::ApiError;
use crate::event_store::{
    EventFilter, head_position, read_events, read_events_of_programs, verify_chain,
};
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::RecordedEvent;
use throughline_shared::api::{EventPage, VerifyReport};
use uuid::Uuid;

pub const DEFAULT_PAGE: i64 = 100;
pub const MAX_PAGE: i64 = 1_000;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Return events after this position (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many events (default 100).
    #[param(minimum = 1, maximum = 1000)]
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

/// Pages through the global log in position order: all of it for administrators, otherwise the
/// events of the programs the caller may read (account events are for administrators only).
#[utoipa::path(get, path = "/api/events", tag = "events", params(PageQuery),
    responses((status = 200, body = EventPage), (status = 400, body = throughline_shared::api::ErrorResponse)))]
#[get("/events")]
pub async fn list_events(
    pool: web::Data<PgPool>,
    principal: Principal,
    query: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let (after, limit) = query.validate()?;
    let pool = pool.get_ref();
    let head = head_position(pool).await.map_err(ApiError::internal)?;
    let events = match principal.readable(pool).await? {
        Readable::All => {
            read_events(
                pool,
                EventFilter {
                    after,
                    up_to: Some(head),
                    program_id: None,
                    limit,
                },
            )
            .await
        }
        Readable::Only(programs) => {
            let programs: Vec<Uuid> = programs.into_iter().map(|p| p.0).collect();
            read_events_of_programs(pool, &programs, after, head, limit).await
        }
    }
    .map_err(ApiError::internal)?;
    // A short page has seen everything up to the head, even where nothing was the caller's.
    let next_after = if (events.len() as i64) < limit {
        head.max(after)
    } else {
        events.last().map_or(after, |e| e.position)
    };
    Ok(HttpResponse::Ok().json(EventPage {
        events: events.into_iter().map(RecordedEvent::described).collect(),
        next_after,
        head,
    }))
}

/// Walks the hash chain and reports the first broken link, if any (administrators only).
#[utoipa::path(get, path = "/api/verify", tag = "events",
    responses((status = 200, body = VerifyReport),
        (status = 403, body = throughline_shared::api::ErrorResponse, description = "not an organisation administrator, or a program-limited token")))]
#[get("/verify")]
pub async fn verify(
    pool: web::Data<PgPool>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    let report = verify_chain(pool.get_ref(), |_| {})
        .await
        .map_err(ApiError::internal)?;
    if !report.ok {
        tracing::error!(?report, "the event log's hash chain is broken");
    }
    Ok(HttpResponse::Ok().json(report))
}
