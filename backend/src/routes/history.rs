//! The history scrubber's track (`GET …/history`): where a program's history starts and ends and
//! its notable events, for the program page to draw and step through.

use crate::auth::{Principal, authorize};
use crate::error::ApiError;
use crate::event_store::head_position;
use crate::queries::history::track;
use actix_web::{HttpResponse, get, web};
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::ErrorResponse;
use throughline_shared::history::HistoryTrack;
use uuid::Uuid;

#[utoipa::path(get, path = "/api/programs/{program_id}/history", tag = "programs",
    params(("program_id" = Uuid, Path)),
    responses((status = 200, body = HistoryTrack, description = "the program's first and latest events, how many it has, and its newest notable events (decisions taken, slips, RAG changes, new risks), oldest first"),
        (status = 400, body = ErrorResponse, description = "a malformed id"),
        (status = 404, body = ErrorResponse, description = "no such program, or one the caller may not read")))]
#[get("/programs/{program_id}/history")]
pub async fn get_history(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let head = head_position(pool.get_ref())
        .await
        .map_err(ApiError::internal)?;
    let track = track(&pool, program_id, head)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))?;
    Ok(HttpResponse::Ok().json(track))
}
