//! Sessions of a forum: the agenda previewed, the session opened, its record kept, closed.

use super::caller;
use crate::auth::{Principal, authorize};
use crate::commands::governance::{self as commands, SessionStep};
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::queries::agenda::agenda_for;
use crate::request_context::RequestContext;
use crate::routes::Json;
use actix_web::get;
use actix_web::{HttpResponse, post, web};
use chrono::Utc;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{CommandAccepted, ErrorResponse};
use throughline_shared::governance::requests::{
    ActionRequest, ActionStatusRequest, AttendanceRequest, MinutesRequest, OpenSessionRequest,
};
use throughline_shared::governance::session::{Agenda, SessionCommand};
use throughline_shared::ids::{ActionId, ForumId, SessionId};
use uuid::Uuid;

#[utoipa::path(get, path = "/api/programs/{program_id}/forums/{forum_id}/agenda", tag = "governance",
    params(("program_id" = Uuid, Path), ("forum_id" = Uuid, Path)),
    responses((status = 200, body = Agenda, description = "what the forum's session would have on its table now"),
        (status = 404, body = ErrorResponse, description = "no such program or forum"),
        (status = 422, body = ErrorResponse, description = "`no_next_session`: the forum's cadence has no session after today")))]
#[get("/programs/{program_id}/forums/{forum_id}/agenda")]
pub async fn preview_agenda(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, forum_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (agenda, _) = agenda_for(&pool, program_id, ForumId(forum_id), Utc::now()).await?;
    Ok(HttpResponse::Ok().json(agenda))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/forums/{forum_id}/sessions", tag = "governance",
    params(("program_id" = Uuid, Path), ("forum_id" = Uuid, Path)), request_body = OpenSessionRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the session's id; its agenda is in the governance view"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse, description = "no such program or forum"),
        (status = 422, body = ErrorResponse, description = "`validation_failed`, or `no_next_session`: no date given and the forum's cadence has no session after today")))]
#[post("/programs/{program_id}/forums/{forum_id}/sessions")]
pub async fn open_session(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<OpenSessionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, forum_id) = path.into_inner();
    let (program_id, forum_id) = (ProgramId(program_id), ForumId(forum_id));
    let access = authorize(&pool, &principal, program_id, ProgramAction::TakePart).await?;
    let now = Utc::now();
    let (agenda, next) = agenda_for(&pool, program_id, forum_id, now).await?;
    let date = body.into_inner().date.unwrap_or(next);
    let accepted = commands::open_session(
        &store,
        &ctx,
        program_id,
        forum_id,
        caller(&principal, &access),
        date,
        agenda,
    )
    .await?;
    Ok(HttpResponse::Created().json(accepted))
}

async fn session_step(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    program_id: Uuid,
    session_id: Uuid,
    step: SessionStep,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId(program_id);
    let access = authorize(&pool, &principal, program_id, ProgramAction::TakePart).await?;
    let accepted = commands::session_step(
        &store,
        &ctx,
        program_id,
        SessionId(session_id),
        caller(&principal, &access),
        access.can(ProgramAction::RaiseDecision),
        step,
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/sessions/{session_id}/attendance", tag = "governance",
    params(("program_id" = Uuid, Path), ("session_id" = Uuid, Path)), request_body = AttendanceRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/sessions/{session_id}/attendance")]
pub async fn record_attendance(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<AttendanceRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, session_id) = path.into_inner();
    let step = SessionStep::Attendance(body.into_inner());
    session_step(store, pool, principal, ctx, program_id, session_id, step).await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/sessions/{session_id}/minutes", tag = "governance",
    params(("program_id" = Uuid, Path), ("session_id" = Uuid, Path)), request_body = MinutesRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/sessions/{session_id}/minutes")]
pub async fn record_minutes(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<MinutesRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, session_id) = path.into_inner();
    let step = SessionStep::Command(SessionCommand::RecordMinutes {
        minutes: body.into_inner().minutes,
    });
    session_step(store, pool, principal, ctx, program_id, session_id, step).await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/sessions/{session_id}/actions", tag = "governance",
    params(("program_id" = Uuid, Path), ("session_id" = Uuid, Path)), request_body = ActionRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/sessions/{session_id}/actions")]
pub async fn record_action(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ActionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, session_id) = path.into_inner();
    let request = body.into_inner();
    let step = SessionStep::Command(SessionCommand::RecordAction {
        action_id: ActionId::from_uuid(Uuid::new_v4()),
        title: request.title,
        owner: request.owner,
        due: request.due,
    });
    session_step(store, pool, principal, ctx, program_id, session_id, step).await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/sessions/{session_id}/actions/{action_id}", tag = "governance",
    params(("program_id" = Uuid, Path), ("session_id" = Uuid, Path), ("action_id" = Uuid, Path)),
    request_body = ActionStatusRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/sessions/{session_id}/actions/{action_id}")]
pub async fn change_action(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    body: Json<ActionStatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, session_id, action_id) = path.into_inner();
    let request = body.into_inner();
    let step = SessionStep::Command(SessionCommand::ChangeAction {
        action_id: ActionId(action_id),
        status: request.status,
        note: request.note,
    });
    session_step(store, pool, principal, ctx, program_id, session_id, step).await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/sessions/{session_id}/close", tag = "governance",
    params(("program_id" = Uuid, Path), ("session_id" = Uuid, Path)),
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/sessions/{session_id}/close")]
pub async fn close_session(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, session_id) = path.into_inner();
    let step = SessionStep::Command(SessionCommand::Close);
    session_step(store, pool, principal, ctx, program_id, session_id, step).await
}
