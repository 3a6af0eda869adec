//! A program's objectives: read with their versions, added, revised and retired.

use super::Json;
use crate::auth::{Principal, authorize};
use crate::commands::objective as commands;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use actix_web::{HttpResponse, get, post, web};
use sqlx::PgPool;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{
    CommandAccepted, ErrorResponse, ObjectiveRequest, ObjectivesResponse, RetireObjectiveRequest,
};
use throughline_shared::objective::ObjectiveChange;
use throughline_shared::{ObjectiveId, ProgramId};
use uuid::Uuid;

/// The objectives in force, each with its own version, and those retired.
#[utoipa::path(get, path = "/api/programs/{program_id}/objectives", tag = "programs",
    params(("program_id" = Uuid, Path)),
    responses((status = 200, body = ObjectivesResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/objectives")]
pub async fn list_objectives(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    Ok(HttpResponse::Ok().json(commands::objectives(&store, program_id).await?))
}

/// Adds an objective, as the program manager, unless a decision right gives objective changes
/// to a forum (`422 decision_required`, with the decision to raise).
#[utoipa::path(post, path = "/api/programs/{program_id}/objectives", tag = "programs",
    params(("program_id" = Uuid, Path)),
    request_body = ObjectiveRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the new objective's id, `version` its own"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "invalid terms, no reason, a title taken, or `decision_required`")))]
#[post("/programs/{program_id}/objectives")]
pub async fn add_objective(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<ObjectiveRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let request = body.into_inner();
    // Derived from the request's ids, so a retry with the same idempotency key names the same
    // objective.
    let objective_id = ObjectiveId::from_uuid(ctx.event_ids().id(0).0);
    let change = ObjectiveChange::Add {
        objective_id,
        terms: request.terms(),
    };
    let accepted =
        commands::change_objective(&store, &ctx, program_id, change, request.reason, None).await?;
    Ok(HttpResponse::Created().json(accepted))
}

/// Restates an objective's terms (title, KPI, target value, target date) against its own
/// version; the decision rights may give it to a forum, sized by the days its target moves.
#[utoipa::path(post, path = "/api/programs/{program_id}/objectives/{objective_id}", tag = "programs",
    params(("program_id" = Uuid, Path), ("objective_id" = Uuid, Path)),
    request_body = ObjectiveRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "invalid terms, no reason, nothing to change, retired, or `decision_required`")))]
#[post("/programs/{program_id}/objectives/{objective_id}")]
pub async fn revise_objective(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ObjectiveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, objective_id) = path.into_inner();
    let request = body.into_inner();
    let change = ObjectiveChange::Revise {
        objective_id: ObjectiveId(objective_id),
        terms: request.terms(),
    };
    let against = (request.reason, request.expected_version);
    change_existing(&store, &pool, &principal, &ctx, program_id, change, against).await
}

/// Retires an objective: it leaves the program's objectives (kept in its history and in
/// `retired`), and the projects' contributions to it no longer count.
#[utoipa::path(post, path = "/api/programs/{program_id}/objectives/{objective_id}/retire", tag = "programs",
    params(("program_id" = Uuid, Path), ("objective_id" = Uuid, Path)),
    request_body = RetireObjectiveRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "no reason, retired already, or `decision_required`")))]
#[post("/programs/{program_id}/objectives/{objective_id}/retire")]
pub async fn retire_objective(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<RetireObjectiveRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, objective_id) = path.into_inner();
    let request = body.into_inner();
    let change = ObjectiveChange::Retire {
        objective_id: ObjectiveId(objective_id),
    };
    let against = (request.reason, request.expected_version);
    change_existing(&store, &pool, &principal, &ctx, program_id, change, against).await
}

/// A revision or retirement, as the program manager, with its reason and against the objective's
/// own version (`against`).
async fn change_existing(
    store: &EventStore,
    pool: &PgPool,
    principal: &Principal,
    ctx: &RequestContext,
    program_id: Uuid,
    change: ObjectiveChange,
    (reason, expected_version): (String, Option<i64>),
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId(program_id);
    authorize(pool, principal, program_id, ProgramAction::Edit).await?;
    let accepted =
        commands::change_objective(store, ctx, program_id, change, reason, expected_version)
            .await?;
    Ok(HttpResponse::Ok().json(accepted))
}
