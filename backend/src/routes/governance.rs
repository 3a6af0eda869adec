//! Forums, decision rights, the escalation path, decisions and escalations of a program.

use super::Json;
use super::programs::{AsOf, current_view, view_at};
use crate::auth::{Principal, authorize};
use crate::commands::CommandError;
use crate::commands::governance::{self as commands, Caller};
use crate::error::ApiError;
use crate::event_store::{EventStore, read_program_streams};
use crate::request_context::RequestContext;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::{ProgramAccess, ProgramAction};
use throughline_shared::api::{CommandAccepted, ErrorResponse};
use throughline_shared::event::AggregateEvent;
use throughline_shared::governance::charter::CharterEvent;
use throughline_shared::governance::decision::DecisionEvent;
use throughline_shared::governance::escalation::{EscalationEvent, ItemRef};
use throughline_shared::governance::requests::{
    ActionRequest, ActionStatusRequest, AttendanceRequest, DecideRequest, DecisionRightsRequest,
    EscalateRequest, EscalationPathRequest, EscalationStepRequest, GovernanceResponse,
    MinutesRequest, OpenSessionRequest, RaiseDecisionRequest, SaveForumRequest,
    TableDecisionRequest, VoteRequest,
};
use throughline_shared::governance::session::{
    Agenda, SessionCommand, SessionEvent, assemble_agenda,
};
use throughline_shared::governance::view::GovernanceView;
use throughline_shared::ids::{ActionId, DecisionId, EscalationId, ForumId, SessionId};
use throughline_shared::view::ProgramView;
use uuid::Uuid;

/// The stream types the governance view is folded from.
const GOVERNANCE_STREAMS: [&str; 4] = [
    CharterEvent::STREAM_TYPE,
    DecisionEvent::STREAM_TYPE,
    EscalationEvent::STREAM_TYPE,
    SessionEvent::STREAM_TYPE,
];

/// The program's governance as it stood at `up_to` (the whole log: `i64::MAX`).
pub(crate) async fn governance_view(
    pool: &PgPool,
    program_id: ProgramId,
    up_to: i64,
) -> Result<GovernanceView, ApiError> {
    let events = read_program_streams(pool, program_id.0, &GOVERNANCE_STREAMS, up_to)
        .await
        .map_err(ApiError::internal)?;
    let mut view = GovernanceView::new(program_id);
    for recorded in &events {
        // As with program views: an event that does not decode is logged and skipped, so one bad
        // event never takes a program's governance page down with it.
        match recorded.decode() {
            Ok(event) => view.apply(recorded, &event),
            Err(e) => tracing::error!(
                %program_id,
                position = recorded.position,
                error = %e,
                "a governance event cannot be decoded; skipped"
            ),
        }
    }
    Ok(view)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GovernanceQuery {
    /// As in `GET /api/programs/{id}`: a position, an instant or a date. Absent: now.
    #[param(schema_with = super::openapi::as_of_schema)]
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
    let (up_to, then) = match query.as_of.as_deref() {
        None => (i64::MAX, Utc::now()),
        Some(raw) => {
            let as_of = AsOf::parse(raw)?;
            let position = as_of.position(&pool).await?;
            let then = match as_of {
                AsOf::Instant(t) => t,
                AsOf::Position(p) => {
                    sqlx::query_scalar("SELECT recorded_at FROM events WHERE position = $1")
                        .bind(p)
                        .fetch_optional(pool.get_ref())
                        .await
                        .map_err(ApiError::internal)?
                        .unwrap_or_else(Utc::now)
                }
            };
            (position, then)
        }
    };
    let view = governance_view(&pool, program_id, up_to).await?;
    let attention = view.attention(query.now.unwrap_or(then));
    let rights_in_words = view.charter.rights.iter().map(|r| r.sentence()).collect();
    Ok(HttpResponse::Ok().json(GovernanceResponse {
        view,
        attention,
        rights_in_words,
    }))
}

fn caller(principal: &Principal, access: &ProgramAccess) -> Caller {
    Caller {
        user_id: Some(principal.user_id),
        governs: access.can(ProgramAction::Govern),
    }
}

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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted =
        commands::set_escalation_path(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::TakePart).await?;
    let view = current_view(&pool, program_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))?;
    let request = body.into_inner();
    // Only an escalated decision needs the governance view (for its question).
    let decisions: Vec<(DecisionId, String)> = match request.subject {
        ItemRef::Decision(id) => governance_view(&pool, program_id, i64::MAX)
            .await?
            .decision(id)
            .map(|d| vec![(d.decision_id, d.question.clone())])
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let accepted = commands::escalate(
        &store,
        &ctx,
        program_id,
        &view,
        &decisions,
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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
    escalation_step(store, pool, principal, ctx, path, body, true).await
}

/// The agenda of `forum_id`'s session now (from the governance view, the program as it is and as
/// it was at the forum's previous session, judged on today), and the forum's next session day.
pub(crate) async fn agenda_for(
    pool: &PgPool,
    program_id: ProgramId,
    forum_id: ForumId,
    now: DateTime<Utc>,
) -> Result<(Agenda, NaiveDate), ApiError> {
    let governance = governance_view(pool, program_id, i64::MAX).await?;
    let Some(forum) = governance.forum(forum_id) else {
        return Err(ApiError::not_found(format!(
            "forum {forum_id} was not found"
        )));
    };
    let next = commands::next_session(&forum.rules, now.date_naive()).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "no_next_session",
            "the forum's cadence has no session after today",
        )
    })?;
    let view = current_view(pool, program_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))?;
    let then = match governance.last_session_position(forum_id) {
        Some(position) => Some((
            view_at(pool, program_id, position)
                .await?
                .unwrap_or_else(|| ProgramView::new(program_id)),
            position,
        )),
        None => None,
    };
    let analysis = view.analyse(now.date_naive());
    let agenda = assemble_agenda(
        forum_id,
        &governance,
        &view,
        then.as_ref().map(|(v, p)| (v, *p)),
        &analysis,
        now,
    );
    Ok((agenda, next))
}

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
) -> Result<HttpResponse, CommandError> {
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
    step: commands::SessionStep,
) -> Result<HttpResponse, CommandError> {
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
) -> Result<HttpResponse, CommandError> {
    let (program_id, session_id) = path.into_inner();
    let step = commands::SessionStep::Attendance(body.into_inner());
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
) -> Result<HttpResponse, CommandError> {
    let (program_id, session_id) = path.into_inner();
    let step = commands::SessionStep::Command(SessionCommand::RecordMinutes {
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
) -> Result<HttpResponse, CommandError> {
    let (program_id, session_id) = path.into_inner();
    let request = body.into_inner();
    let step = commands::SessionStep::Command(SessionCommand::RecordAction {
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
) -> Result<HttpResponse, CommandError> {
    let (program_id, session_id, action_id) = path.into_inner();
    let request = body.into_inner();
    let step = commands::SessionStep::Command(SessionCommand::ChangeAction {
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
) -> Result<HttpResponse, CommandError> {
    let (program_id, session_id) = path.into_inner();
    let step = commands::SessionStep::Command(SessionCommand::Close);
    session_step(store, pool, principal, ctx, program_id, session_id, step).await
}
