//! Cascades by agreement: a slip's downstream moves proposed to their owners, and each answer.

use super::Json;
use super::schedule::allow;
use crate::auth::{Principal, authorize_writer};
use crate::commands::cascade as commands;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use actix_web::{HttpResponse, post, web};
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::api::{
    AnswerMoveRequest, CommandAccepted, ErrorResponse, ProposeCascadeRequest,
};
use throughline_shared::ids::{CascadeId, MilestoneId};
use uuid::Uuid;

/// Proposes the moves a recent slip pushes downstream (onto milestones not met whose forecast is
/// earlier than the slip pushes it) to their owners, as one change set: the program manager's,
/// or the slipped milestone's project manager's, to propose. Each move is then pending on the
/// plan until its owner answers.
#[utoipa::path(post, path = "/api/programs/{program_id}/cascades", tag = "schedule",
    params(("program_id" = Uuid, Path)), request_body = ProposeCascadeRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the cascade's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "not a recent slip, or nothing downstream still needs to move")))]
#[post("/programs/{program_id}/cascades")]
pub async fn propose_cascade(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<ProposeCascadeRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId(path.into_inner());
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let accepted = commands::propose_cascade(
        &store,
        &ctx,
        program_id,
        body.into_inner(),
        allow(&principal, &access),
    )
    .await?;
    Ok(HttpResponse::Created().json(accepted))
}

/// The milestone owner's answer to their move: accepted (the forecast moves as proposed),
/// countered (it moves to their own date) or declined (it holds, with the reason). The forecast
/// change names the slip as its cause.
#[utoipa::path(post, path = "/api/programs/{program_id}/cascades/{cascade_id}/moves/{milestone_id}", tag = "schedule",
    params(("program_id" = Uuid, Path), ("cascade_id" = Uuid, Path), ("milestone_id" = Uuid, Path)),
    request_body = AnswerMoveRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "answered already, the milestone moved since the proposal, or a decline without a reason")))]
#[post("/programs/{program_id}/cascades/{cascade_id}/moves/{milestone_id}")]
pub async fn answer_move(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<AnswerMoveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, cascade_id, milestone_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let accepted = commands::answer_move(
        &store,
        &ctx,
        program_id,
        CascadeId(cascade_id),
        MilestoneId(milestone_id),
        body.into_inner(),
        allow(&principal, &access),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}
