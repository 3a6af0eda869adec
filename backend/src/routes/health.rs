use crate::error::ApiError;
use crate::event_store::head_position;
use actix_web::{HttpResponse, get, web};
use sqlx::PgPool;
use throughline_shared::api::{HealthResponse, ProjectionHealth};

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/health", tag = "system", security(()),
    responses((status = 200, body = HealthResponse),
        (status = 503, body = throughline_shared::api::ErrorResponse, description = "`unavailable`: the database is unreachable")))]
#[get("/health")]
pub async fn health(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let unreachable =
        |e: sqlx::Error| ApiError::unavailable(format!("the database is unreachable: {e}"));
    let head = head_position(pool.get_ref()).await.map_err(unreachable)?;
    let (checkpoints, unfolded): (Vec<(String, i64)>, i64) = tokio::try_join!(
        sqlx::query_as("SELECT name, position FROM projection_checkpoints ORDER BY name")
            .fetch_all(pool.get_ref()),
        sqlx::query_scalar("SELECT count(*) FROM program_views WHERE unfolded_count > 0")
            .fetch_one(pool.get_ref()),
    )
    .map_err(unreachable)?;
    Ok(HttpResponse::Ok().json(HealthResponse {
        status: "ok".into(),
        head_position: head,
        version: env!("CARGO_PKG_VERSION").into(),
        projections: checkpoints
            .into_iter()
            .map(|(name, position)| ProjectionHealth {
                name,
                position,
                behind: head.saturating_sub(position).max(0),
            })
            .collect(),
        programs_with_unfolded_events: unfolded,
    }))
}
