use crate::error::ApiError;
use crate::event_store::head_position;
use actix_web::{HttpResponse, get, web};
use sqlx::PgPool;
use throughline_shared::api::HealthResponse;

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses((status = 200, body = HealthResponse), (status = 503, body = throughline_shared::api::ErrorResponse)))]
#[get("/health")]
pub async fn health(pool: web::Data<PgPool>) -> Result<HttpResponse, ApiError> {
    let head = head_position(pool.get_ref())
        .await
        .map_err(|e| ApiError::unavailable(format!("the database is unreachable: {e}")))?;
    Ok(HttpResponse::Ok().json(HealthResponse {
        status: "ok".into(),
        head_position: head,
        version: env!("CARGO_PKG_VERSION").into(),
    }))
}
