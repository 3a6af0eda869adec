//! Escalations: raised, moved up, resolved.

use crate::auth::{Principal, authorize};
use crate::commands::governance as commands;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::queries::governance::governance_view;
use crate::queries::program::current_view;
use crate::queries::raid::raid_view;
use crate::request_context::RequestContext;
use crate::routes::Json;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{CommandAccepted, ErrorResponse};
use throughline_shared::governance::escalation::ItemRef;
use throughline_shared::governance::requests::{EscalateRequest, EscalationStepRequest};
use throughline_shared::ids::EscalationId;
use uuid::Uuid;

#[utoipa::path(post, path = "/api/programs/{program_id}/escalations", tag = "governance",
    params(("program_id" = Uuid, Path)), request_body = EscalateRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the escalation's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/escalations")]
pub async fn escalate(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<EscalateRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::TakePart).await?;
    let view = current_view(&pool, program_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))?;
    let request = body.into_inner();
    // A decision or a risk is named from its own view (the program view holds neither).
    let looked_up = match request.subject {
        ItemRef::Decision(id) => governance_view(&pool, program_id, i64::MAX)
            .await
            .map_err(ApiError::internal)?
            .decision(id)
            .map(|d| d.question.clone()),
        ItemRef::Risk(id) => raid_view(&pool, program_id, i64::MAX)
            .await
            .map_err(ApiError::internal)?
            .risk(id)
            .map(|r| r.details.title.clone()),
        _ => None,
    };
    let accepted = commands::escalate(
        &store,
        &ctx,
        program_id,
        &view,
        looked_up,
        request,
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Created().json(accepted))
}

async fn escalation_step(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<EscalationStepRequest>,
    resolve: bool,
) -> Result<HttpResponse, ApiError> {
    let (program_id, escalation_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let action = if resolve {
        ProgramAction::RaiseDecision
    } else {
        ProgramAction::TakePart
    };
    authorize(&pool, &principal, program_id, action).await?;
    let accepted = commands::escalation_step(
        &store,
        &ctx,
        program_id,
        EscalationId(escalation_id),
        resolve,
        body.into_inner(),
        Utc::now(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/escalations/{escalation_id}/move-up", tag = "governance",
    params(("program_id" = Uuid, Path), ("escalation_id" = Uuid, Path)), request_body = EscalationStepRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/escalations/{escalation_id}/move-up")]
pub async fn move_escalation_up(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<EscalationStepRequest>,
) -> Result<HttpResponse, ApiError> {
    escalation_step(store, pool, principal, ctx, path, body, false).await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/escalations/{escalation_id}/resolve", tag = "governance",
    params(("program_id" = Uuid, Path), ("escalation_id" = Uuid, Path)), request_body = EscalationStepRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/escalations/{escalation_id}/resolve")]
pub async fn resolve_escalation(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<EscalationStepRequest>,
) -> Result<HttpResponse, ApiError> {
    escalation_step(store, pool, principal, ctx, path, body, true).await
}
