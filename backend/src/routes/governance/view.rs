//! The program's governance view, now or as of a point in the log.

use crate::auth::{Principal, authorize};
use crate::error::ApiError;
use crate::queries::briefing::briefing_log;
use crate::queries::governance::governance_view;
use crate::routes::programs::AsOf;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::ErrorResponse;
use throughline_shared::governance::requests::GovernanceResponse;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GovernanceQuery {
    /// As in `GET /api/programs/{id}`: a position, an instant or a date. Absent: now.
    #[param(schema_with = crate::routes::openapi::as_of_schema)]
    pub as_of: Option<String>,
    /// The moment to judge ageing and SLAs against. Default: the as-of instant, or now.
    pub now: Option<DateTime<Utc>>,
}

#[utoipa::path(get, path = "/api/programs/{program_id}/governance", tag = "governance",
    params(("program_id" = Uuid, Path), GovernanceQuery),
    responses((status = 200, body = GovernanceResponse), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/governance")]
pub async fn get_governance(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<GovernanceQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (up_to, then) = AsOf::resolve(query.as_of.as_deref(), &pool).await?;
    let view = governance_view(&pool, program_id, up_to)
        .await
        .map_err(ApiError::internal)?;
    let attention = view.attention(query.now.unwrap_or(then));
    let rights_in_words = view.charter.rights.iter().map(|r| r.sentence()).collect();
    let created: Option<DateTime<Utc>> = sqlx::query_scalar(
        "SELECT recorded_at FROM events WHERE stream_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(program_id.0)
    .fetch_optional(pool.get_ref())
    .await
    .map_err(ApiError::internal)?;
    let (briefings, _) = briefing_log(&pool, program_id, up_to, created.map(|t| t.date_naive()))
        .await
        .map_err(ApiError::internal)?;
    let today = attention.now.date_naive();
    let briefing_due = briefings.next_due.filter(|due| *due <= today);
    Ok(HttpResponse::Ok().json(GovernanceResponse {
        view,
        attention,
        rights_in_words,
        briefing_due,
    }))
}
