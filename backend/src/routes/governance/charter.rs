//! The charter: forums, decision rights and the escalation path.

use crate::auth::{Principal, authorize};
use crate::commands::governance as commands;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use crate::routes::Json;
use actix_web::{HttpResponse, post, web};
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{CommandAccepted, ErrorResponse};
use throughline_shared::governance::requests::{
    DecisionRightsRequest, EscalationPathRequest, SaveForumRequest,
};
use throughline_shared::ids::ForumId;
use uuid::Uuid;

#[utoipa::path(post, path = "/api/programs/{program_id}/forums", tag = "governance",
    params(("program_id" = Uuid, Path)), request_body = SaveForumRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the new forum's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/forums")]
pub async fn establish_forum(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<SaveForumRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted = commands::save_forum(&store, &ctx, program_id, None, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/forums/{forum_id}", tag = "governance",
    params(("program_id" = Uuid, Path), ("forum_id" = Uuid, Path)), request_body = SaveForumRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/forums/{forum_id}")]
pub async fn revise_forum(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<SaveForumRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, forum_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted = commands::save_forum(
        &store,
        &ctx,
        program_id,
        Some(ForumId(forum_id)),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/decision-rights", tag = "governance",
    params(("program_id" = Uuid, Path)), request_body = DecisionRightsRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/decision-rights")]
pub async fn set_decision_rights(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<DecisionRightsRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted =
        commands::set_decision_rights(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/escalation-path", tag = "governance",
    params(("program_id" = Uuid, Path)), request_body = EscalationPathRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/escalation-path")]
pub async fn set_escalation_path(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<EscalationPathRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted =
        commands::set_escalation_path(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}
