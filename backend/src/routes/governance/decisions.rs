//! Decisions: raised, tabled for a session, voted on, decided.

use super::caller;
use crate::auth::{Principal, authorize};
use crate::commands::governance as commands;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use crate::routes::Json;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{CommandAccepted, ErrorResponse};
use throughline_shared::governance::requests::{
    DecideRequest, RaiseDecisionRequest, TableDecisionRequest, VoteRequest,
};
use throughline_shared::ids::DecisionId;
use uuid::Uuid;

#[utoipa::path(post, path = "/api/programs/{program_id}/decisions", tag = "governance",
    params(("program_id" = Uuid, Path)), request_body = RaiseDecisionRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the decision's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/decisions")]
pub async fn raise_decision(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<RaiseDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::RaiseDecision).await?;
    let accepted = commands::raise_decision(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/decisions/{decision_id}/table", tag = "governance",
    params(("program_id" = Uuid, Path), ("decision_id" = Uuid, Path)), request_body = TableDecisionRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/decisions/{decision_id}/table")]
pub async fn table_decision(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<TableDecisionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, decision_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let access = authorize(&pool, &principal, program_id, ProgramAction::TakePart).await?;
    let accepted = commands::table_decision(
        &store,
        &ctx,
        program_id,
        DecisionId(decision_id),
        caller(&principal, &access),
        body.into_inner().session,
        Utc::now().date_naive(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/decisions/{decision_id}/votes", tag = "governance",
    params(("program_id" = Uuid, Path), ("decision_id" = Uuid, Path)), request_body = VoteRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse, description = "not a member of the forum, or not in review")))]
#[post("/programs/{program_id}/decisions/{decision_id}/votes")]
pub async fn vote(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<VoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, decision_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    authorize(&pool, &principal, program_id, ProgramAction::TakePart).await?;
    let accepted = commands::vote(
        &store,
        &ctx,
        program_id,
        DecisionId(decision_id),
        body.into_inner().vote,
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/decisions/{decision_id}/outcome", tag = "governance",
    params(("program_id" = Uuid, Path), ("decision_id" = Uuid, Path)), request_body = DecideRequest,
    responses((status = 200, body = CommandAccepted, description = "approved, rejected or deferred; an approval's effects are appended with it"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "no quorum, votes that do not carry the outcome, or an effect whose target changed")))]
#[post("/programs/{program_id}/decisions/{decision_id}/outcome")]
pub async fn decide(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<DecideRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, decision_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let access = authorize(&pool, &principal, program_id, ProgramAction::TakePart).await?;
    let accepted = commands::decide_outcome(
        &store,
        &ctx,
        program_id,
        DecisionId(decision_id),
        caller(&principal, &access),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}
