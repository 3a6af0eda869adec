//! Milestones, dependencies and the schedule analysis of a program.

use super::Json;
use super::programs::AsOf;
use crate::auth::{Principal, authorize, authorize_writer, require};
use crate::commands::CommandError;
use crate::commands::schedule::{self as commands, DependencyChange, MilestoneChange};
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::queries::program::{current_view, view_at};
use crate::request_context::RequestContext;
use actix_web::{HttpResponse, get, post, web};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::{ProgramAccess, ProgramAction};
use throughline_shared::analysis::{ScheduleAnalysis, SlipPreview};
use throughline_shared::api::{
    AddMilestoneRequest, BaselineMilestoneRequest, BaselineProgramAccepted, BaselineProgramRequest,
    ChangeForecastRequest, CommandAccepted, DependencyChangeRequest, ErrorResponse,
    MeetMilestoneRequest, ProposeDependencyRequest, ReportProgressRequest, RetireMilestoneRequest,
    ReviseDependencyRequest, ReviseMilestoneRequest,
};
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::{MilestoneCommand, Retirement};
use throughline_shared::view::ProgramView;
use uuid::Uuid;

/// The check to run once a command knows what it touches. `require` refuses only with
/// `403 forbidden`, so its message is all the command needs to carry back.
pub(super) fn allow<'a>(
    principal: &'a Principal,
    access: &'a ProgramAccess,
) -> impl Fn(ProgramAction) -> Result<(), CommandError> + 'a {
    move |action| {
        require(principal, access, action).map_err(|denied| {
            debug_assert_eq!(denied.code, "forbidden");
            CommandError::Forbidden(denied.message)
        })
    }
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones", tag = "schedule",
    params(("program_id" = Uuid, Path)), request_body = AddMilestoneRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the new milestone's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/milestones")]
pub async fn add_milestone(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<AddMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let request = body.into_inner();
    authorize(
        &pool,
        &principal,
        program_id,
        ProgramAction::ChangeSchedule(request.project_id),
    )
    .await?;
    let accepted = commands::add_milestone(&store, &ctx, program_id, request).await?;
    Ok(HttpResponse::Created().json(accepted))
}

/// Runs `command` on the milestone the path names, once the caller may write in its program (the
/// command then checks the milestone's own project), against `expected_version`.
async fn on_milestone(
    (store, pool, principal, ctx): (&EventStore, &PgPool, &Principal, &RequestContext),
    (program_id, milestone_id): (Uuid, Uuid),
    (expected_version, reason): (Option<i64>, Option<String>),
    command: MilestoneCommand,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId(program_id);
    let access = authorize_writer(pool, principal, program_id).await?;
    let change = MilestoneChange {
        program_id,
        milestone_id: MilestoneId(milestone_id),
        expected_version,
        reason,
    };
    let accepted =
        commands::change_milestone(store, ctx, change, command, allow(principal, &access)).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones/{milestone_id}/forecast", tag = "schedule",
    params(("program_id" = Uuid, Path), ("milestone_id" = Uuid, Path)), request_body = ChangeForecastRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/milestones/{milestone_id}/forecast")]
pub async fn change_forecast(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ChangeForecastRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let command = MilestoneCommand::ChangeForecast {
        to: request.forecast,
        start: request.start,
    };
    on_milestone(
        (&store, &pool, &principal, &ctx),
        path.into_inner(),
        (request.expected_version, request.reason),
        command,
    )
    .await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones/{milestone_id}/baseline", tag = "schedule",
    params(("program_id" = Uuid, Path), ("milestone_id" = Uuid, Path)), request_body = BaselineMilestoneRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/milestones/{milestone_id}/baseline")]
pub async fn baseline_milestone(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<BaselineMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let command = MilestoneCommand::Baseline {
        to: request.baseline,
        reason: request.reason.clone(),
    };
    on_milestone(
        (&store, &pool, &principal, &ctx),
        path.into_inner(),
        (request.expected_version, request.reason),
        command,
    )
    .await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones/{milestone_id}/met", tag = "schedule",
    params(("program_id" = Uuid, Path), ("milestone_id" = Uuid, Path)), request_body = MeetMilestoneRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/milestones/{milestone_id}/met")]
pub async fn meet_milestone(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<MeetMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let command = MilestoneCommand::Meet {
        actual: request.actual,
    };
    on_milestone(
        (&store, &pool, &principal, &ctx),
        path.into_inner(),
        (request.expected_version, request.reason),
        command,
    )
    .await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones/{milestone_id}/progress", tag = "schedule",
    params(("program_id" = Uuid, Path), ("milestone_id" = Uuid, Path)), request_body = ReportProgressRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/milestones/{milestone_id}/progress")]
pub async fn report_progress(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReportProgressRequest>,
) -> Result<HttpResponse, ApiError> {
    let request = body.into_inner();
    let command = MilestoneCommand::ReportProgress {
        percent_complete: request.percent_complete,
        actual_start: request.actual_start,
    };
    on_milestone(
        (&store, &pool, &principal, &ctx),
        path.into_inner(),
        (request.expected_version, request.reason),
        command,
    )
    .await
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones/{milestone_id}/details", tag = "schedule",
    params(("program_id" = Uuid, Path), ("milestone_id" = Uuid, Path)), request_body = ReviseMilestoneRequest,
    responses((status = 200, body = CommandAccepted, description = "renamed, re-owned, its kind changed and/or moved to another project: one event each"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/milestones/{milestone_id}/details")]
pub async fn revise_milestone(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReviseMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, milestone_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let request = body.into_inner();
    let change = MilestoneChange {
        program_id,
        milestone_id: MilestoneId(milestone_id),
        expected_version: request.expected_version,
        reason: request.reason.clone(),
    };
    let accepted =
        commands::revise_milestone(&store, &ctx, change, request, allow(&principal, &access))
            .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[derive(Debug, Deserialize)]
pub struct RetirePath {
    program_id: Uuid,
    milestone_id: Uuid,
    how: String,
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones/{milestone_id}/{how}", tag = "schedule",
    params(("program_id" = Uuid, Path), ("milestone_id" = Uuid, Path),
        ("how" = inline(RetirementName), Path, description = "`cancel` (no longer planned) or `remove` (entered by mistake: by whoever added it, within a day, before it is baselined)")),
    request_body = RetireMilestoneRequest,
    responses((status = 200, body = CommandAccepted, description = "the milestone left the plan; its dependencies were broken (where it provided) or cancelled, in the same append"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/milestones/{milestone_id}/{how}")]
pub async fn retire_milestone(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<RetirePath>,
    body: Json<RetireMilestoneRequest>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let how = match path.how.as_str() {
        "cancel" => Retirement::Cancelled,
        "remove" => Retirement::Removed,
        other => {
            return Err(ApiError::not_found(format!(
                "no milestone change {other:?} here: use cancel or remove"
            )));
        }
    };
    let program_id = ProgramId(path.program_id);
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let request = body.into_inner();
    let change = MilestoneChange {
        program_id,
        milestone_id: MilestoneId(path.milestone_id),
        expected_version: request.expected_version,
        reason: Some(request.reason),
    };
    let accepted =
        commands::retire_milestone(&store, &ctx, change, how, allow(&principal, &access)).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

/// How `POST …/milestones/{milestone_id}/{how}` takes the milestone out of the plan.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)] // Only documents the path segment, which is read as a string.
pub enum RetirementName {
    Cancel,
    Remove,
}

#[utoipa::path(post, path = "/api/programs/{program_id}/dependencies/{dependency_id}", tag = "schedule",
    params(("program_id" = Uuid, Path), ("dependency_id" = Uuid, Path)), request_body = ReviseDependencyRequest,
    responses((status = 200, body = CommandAccepted, description = "the type and lag, and the need-by date: one event each that changed; new terms of an agreed dependency are for its provider to agree again"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "the dependency changed since `expected_version`"),
        (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/dependencies/{dependency_id}")]
pub async fn revise_dependency(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReviseDependencyRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, dependency_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let accepted = commands::revise_dependency(
        &store,
        &ctx,
        program_id,
        DependencyId(dependency_id),
        body.into_inner(),
        allow(&principal, &access),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/baseline", tag = "schedule",
    params(("program_id" = Uuid, Path)), request_body = BaselineProgramRequest,
    responses((status = 200, body = BaselineProgramAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/baseline")]
pub async fn baseline_program(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<BaselineProgramRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Baseline).await?;
    let accepted = commands::baseline_program(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/dependencies", tag = "schedule",
    params(("program_id" = Uuid, Path)), request_body = ProposeDependencyRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the new dependency's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "invalid, or `dependency_cycle` with the cycle named in `details.cycle`")))]
#[post("/programs/{program_id}/dependencies")]
pub async fn propose_dependency(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<ProposeDependencyRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let accepted = commands::propose_dependency(
        &store,
        &ctx,
        program_id,
        body.into_inner(),
        allow(&principal, &access),
    )
    .await?;
    Ok(HttpResponse::Created().json(accepted))
}

/// What `POST …/dependencies/{dependency_id}/{change}` does to the dependency.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "kebab-case")]
#[allow(dead_code)] // Only documents the path segment, which is read as a string.
pub enum DependencyChangeName {
    Agree,
    NeedBy,
    Break,
    Cancel,
}

#[derive(Debug, Deserialize)]
pub struct DependencyPath {
    program_id: Uuid,
    dependency_id: Uuid,
    change: String,
}

#[utoipa::path(post, path = "/api/programs/{program_id}/dependencies/{dependency_id}/{change}", tag = "schedule",
    params(("program_id" = Uuid, Path), ("dependency_id" = Uuid, Path),
        ("change" = inline(DependencyChangeName), Path, description = "`agree`, `need-by`, `break` (needs a reason) or `cancel` (needs a reason)")),
    request_body = DependencyChangeRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse, description = "no such program or dependency, or a `change` that is none of the four"),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/dependencies/{dependency_id}/{change}")]
pub async fn change_dependency(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<DependencyPath>,
    body: Json<DependencyChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let path = path.into_inner();
    let program_id = ProgramId(path.program_id);
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let change = match path.change.as_str() {
        "agree" => DependencyChange::Agree,
        "need-by" => DependencyChange::ChangeNeedBy,
        "break" => DependencyChange::Break,
        "cancel" => DependencyChange::Cancel,
        other => {
            return Err(ApiError::not_found(format!(
                "no dependency change {other:?}: use agree, need-by, break or cancel"
            )));
        }
    };
    let accepted = commands::change_dependency(
        &store,
        &ctx,
        program_id,
        DependencyId(path.dependency_id),
        change,
        body.into_inner(),
        allow(&principal, &access),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalysisQuery {
    /// As in `GET /api/programs/{id}`: a position, an instant or a date. Absent: now.
    #[param(schema_with = super::openapi::as_of_schema)]
    pub as_of: Option<String>,
    /// The day to judge dates against. Default: the as-of day, or today (UTC).
    pub today: Option<NaiveDate>,
}

/// The view to analyse and the day to judge it on.
async fn view_and_day(
    pool: &PgPool,
    program_id: ProgramId,
    as_of: Option<&str>,
    today: Option<NaiveDate>,
) -> Result<(ProgramView, NaiveDate), ApiError> {
    let not_found = || ApiError::not_found(format!("program {program_id} was not found"));
    match as_of {
        None => {
            let view = current_view(pool, program_id)
                .await?
                .ok_or_else(not_found)?;
            Ok((view, today.unwrap_or_else(|| Utc::now().date_naive())))
        }
        Some(raw) => {
            let as_of = AsOf::parse(raw)?;
            let position = as_of.position(pool).await?;
            let view = view_at(pool, program_id, position)
                .await?
                .ok_or_else(not_found)?;
            let day = match as_of {
                AsOf::Instant(t) => t.date_naive(),
                AsOf::Position(_) => view
                    .updated_at
                    .map_or_else(|| Utc::now().date_naive(), |t| t.date_naive()),
            };
            Ok((view, today.unwrap_or(day)))
        }
    }
}

#[utoipa::path(get, path = "/api/programs/{program_id}/schedule", tag = "schedule",
    params(("program_id" = Uuid, Path), AnalysisQuery),
    responses((status = 200, body = ScheduleAnalysis), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/schedule")]
pub async fn schedule_analysis(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<AnalysisQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (view, today) =
        view_and_day(&pool, program_id, query.as_of.as_deref(), query.today).await?;
    Ok(HttpResponse::Ok().json(view.analyse(today)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImpactQuery {
    /// The milestone that would slip.
    pub milestone: Uuid,
    /// By how many days (later), at most ten years.
    #[param(minimum = 1, maximum = 3650)]
    pub days: i64,
    /// As in `GET /api/programs/{id}`: a position, an instant or a date. Absent: now.
    #[param(schema_with = super::openapi::as_of_schema)]
    pub as_of: Option<String>,
    /// The day to judge dates against. Default: the as-of day, or today (UTC).
    pub today: Option<NaiveDate>,
}

/// The longest slip a preview considers: ten years.
const PREVIEW_DAYS_MAX: i64 = 3650;

#[utoipa::path(get, path = "/api/programs/{program_id}/impact", tag = "schedule",
    params(("program_id" = Uuid, Path), ImpactQuery),
    responses((status = 200, body = SlipPreview, description = "What the slip would move; nothing is written"),
        (status = 400, body = ErrorResponse, description = "`invalid_days`, `invalid_as_of`, or a missing or malformed parameter"),
        (status = 404, body = ErrorResponse, description = "no such program, or no such milestone in it")))]
#[get("/programs/{program_id}/impact")]
pub async fn slip_impact(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<ImpactQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    if !(1..=PREVIEW_DAYS_MAX).contains(&query.days) {
        return Err(ApiError::bad_request(
            "invalid_days",
            format!("days must be between 1 and {PREVIEW_DAYS_MAX}"),
        ));
    }
    let (view, today) =
        view_and_day(&pool, program_id, query.as_of.as_deref(), query.today).await?;
    let milestone = MilestoneId(query.milestone);
    if view.milestone(milestone).is_none() {
        return Err(ApiError::not_found(format!(
            "milestone {milestone} was not found in program {program_id}"
        )));
    }
    let preview: SlipPreview = view.preview_slip(milestone, query.days, today);
    Ok(HttpResponse::Ok().json(preview))
}
