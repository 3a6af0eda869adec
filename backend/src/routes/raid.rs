//! The RAID register: reads (register, one risk with its history, exposure; each as of any
//! point) and the commands on risks, issues, assumptions and the program's RAID settings.

use crate::auth::{Principal, authorize, authorize_writer};
use crate::commands::raid::{self as commands, AssumptionStep, IssueStep, RiskStep, Step};
use crate::error::ApiError;
use crate::event_store::{EventStore, read_stream};
use crate::queries::program::view_at;
use crate::queries::raid::raid_view;
use crate::request_context::RequestContext;
use crate::routes::Json;
use crate::routes::programs::AsOf;
use crate::view_cache::ViewCache;
use actix_web::{HttpResponse, get, post, put, web};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::{ProgramAccess, ProgramAction};
use throughline_shared::api::{CommandAccepted, ErrorResponse};
use throughline_shared::ids::{ActionId, AssumptionId, DependencyId, ProjectId, RiskId};
use throughline_shared::raid::Band;
use throughline_shared::raid::exposure::{ExposureContext, exposure};
use throughline_shared::raid::register::{RaidFilter, RaidKind, RaidRegister, StateFilter};
use throughline_shared::raid::requests::{
    AddRaidActionRequest, AssessRiskRequest, ChangeRaidActionRequest, ExposureResponse,
    IdentifyRiskRequest, InvalidateAssumptionRequest, RaidTextRequest, RaiseIssueRequest,
    RealiseRiskRequest, RecordAssumptionRequest, RespondRequest, ReviseAssumptionRequest,
    ReviseIssueRequest, ReviseRiskRequest, RiskDetailResponse, SetAppetiteRequest,
    SetCategoriesRequest,
};
use throughline_shared::raid::suggestions::{RiskSuggestion, suggestions};
use throughline_shared::view::ProgramView;
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RaidQuery {
    /// As in `GET /api/programs/{id}`: a position, an instant or a date. Absent: now.
    #[param(schema_with = crate::routes::openapi::as_of_schema)]
    pub as_of: Option<String>,
    /// The day staleness and overdue actions are judged on. Default: the as-of day, or today.
    pub today: Option<NaiveDate>,
    pub kind: Option<RaidKind>,
    pub project: Option<ProjectId>,
    /// Items owned by this person (ignoring case).
    pub owner: Option<String>,
    pub band: Option<Band>,
    pub state: Option<StateFilter>,
    /// Only stale risks and overdue issues and assumptions (`true`), or none of them (`false`).
    pub stale: Option<bool>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RaidAsOfQuery {
    #[param(schema_with = crate::routes::openapi::as_of_schema)]
    pub as_of: Option<String>,
    /// Only exposures that reach this project.
    pub project: Option<ProjectId>,
}

/// The program as it was at `up_to` (the whole log: as it is now, from this instance's view
/// cache): its schedule is what exposure is pushed through.
async fn program_at(
    pool: &PgPool,
    views: &ViewCache,
    program_id: ProgramId,
    up_to: i64,
) -> Result<ProgramView, ApiError> {
    let view = if up_to == i64::MAX {
        let head = ViewCache::head(pool).await.map_err(ApiError::internal)?;
        views
            .view(pool, program_id, head)
            .await
            .map_err(ApiError::internal)?
    } else {
        view_at(pool, program_id, up_to).await?
    };
    view.ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/raid", tag = "raid",
    params(("program_id" = Uuid, Path), RaidQuery),
    responses((status = 200, body = RaidRegister), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/raid")]
pub async fn get_register(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<RaidQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let query = query.into_inner();
    let (up_to, then) = AsOf::resolve(query.as_of.as_deref(), &pool).await?;
    let view = raid_view(&pool, program_id, up_to)
        .await
        .map_err(ApiError::internal)?;
    let filter = RaidFilter {
        kind: query.kind,
        project: query.project,
        owner: query.owner,
        band: query.band,
        state: query.state,
        stale: query.stale,
    };
    let today = query.today.unwrap_or(then.date_naive());
    Ok(HttpResponse::Ok().json(view.register(today, &filter)))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/raid/risks/{risk_id}", tag = "raid",
    params(("program_id" = Uuid, Path), ("risk_id" = Uuid, Path), RaidAsOfQuery),
    responses((status = 200, body = RiskDetailResponse), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/raid/risks/{risk_id}")]
pub async fn get_risk(
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    path: web::Path<(Uuid, Uuid)>,
    query: web::Query<RaidAsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, risk_id) = path.into_inner();
    let (program_id, risk_id) = (ProgramId(program_id), RiskId(risk_id));
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (up_to, then) = AsOf::resolve(query.as_of.as_deref(), &pool).await?;
    let raid = raid_view(&pool, program_id, up_to)
        .await
        .map_err(ApiError::internal)?;
    let missing = || ApiError::not_found(format!("risk {risk_id} was not found in this program"));
    let risk = raid.risk(risk_id).ok_or_else(missing)?;
    let row = raid
        .register(
            then.date_naive(),
            &RaidFilter {
                kind: Some(RaidKind::Risk),
                ..Default::default()
            },
        )
        .risks
        .into_iter()
        .find(|r| r.risk_id == risk_id)
        .ok_or_else(missing)?;
    let history = read_stream(pool.get_ref(), risk_id.0)
        .await
        .map_err(ApiError::internal)?
        .into_iter()
        .filter(|e| e.position <= up_to)
        .map(|e| e.described())
        .collect();
    let program = program_at(&pool, &views, program_id, up_to).await?;
    let exposure = ExposureContext::new(&program).of(risk_id, risk);
    Ok(HttpResponse::Ok().json(RiskDetailResponse {
        risk: row,
        history,
        exposure,
    }))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/raid/exposure", tag = "raid",
    params(("program_id" = Uuid, Path), RaidAsOfQuery),
    responses((status = 200, body = ExposureResponse), (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/raid/exposure")]
pub async fn get_exposure(
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<RaidAsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (up_to, _) = AsOf::resolve(query.as_of.as_deref(), &pool).await?;
    let raid = raid_view(&pool, program_id, up_to)
        .await
        .map_err(ApiError::internal)?;
    let program = program_at(&pool, &views, program_id, up_to).await?;
    let mut risks = exposure(&raid, &program);
    if let Some(project) = query.project {
        risks.retain(|e| e.projects.contains(&project));
    }
    Ok(HttpResponse::Ok().json(ExposureResponse {
        position: raid.position.max(program.position),
        risks,
    }))
}

/// A writer's access to the program and the program as it is now (to check what an item names).
async fn writer(
    pool: &PgPool,
    views: &ViewCache,
    principal: &Principal,
    program_id: ProgramId,
) -> Result<(ProgramAccess, ProgramView), ApiError> {
    let access = authorize_writer(pool, principal, program_id).await?;
    let view = program_at(pool, views, program_id, i64::MAX).await?;
    Ok((access, view))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/risks", tag = "raid",
    params(("program_id" = Uuid, Path)), request_body = IdentifyRiskRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the risk's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/raid/risks")]
pub async fn identify_risk(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<IdentifyRiskRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let (access, view) = writer(&pool, &views, &principal, program_id).await?;
    let accepted =
        commands::identify_risk(&store, &ctx, program_id, &view, &access, body.into_inner())
            .await?;
    Ok(HttpResponse::Created().json(accepted))
}

async fn item_step(
    store: &EventStore,
    pool: &PgPool,
    views: &ViewCache,
    principal: &Principal,
    ctx: &RequestContext,
    (program_id, id): (Uuid, Uuid),
    step: Step,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId(program_id);
    let (access, view) = writer(pool, views, principal, program_id).await?;
    let accepted = commands::item_step(store, ctx, program_id, id, &view, &access, step).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

/// One `POST /api/programs/{program_id}/raid/<items>/{<id>}/<verb>` endpoint: its handler makes
/// the body the step.
macro_rules! step_endpoint {
    ($name:ident, $id:literal, $api_path:literal, $path:literal, $body:ty, $doc:literal, $step:expr) => {
        #[doc = $doc]
        #[utoipa::path(post, path = $api_path, tag = "raid",
            params(("program_id" = Uuid, Path), ($id = Uuid, Path)), request_body = $body,
            responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
                (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
        #[post($path)]
        pub async fn $name(
            store: web::Data<EventStore>,
            pool: web::Data<PgPool>,
            views: web::Data<ViewCache>,
            principal: Principal,
            ctx: RequestContext,
            path: web::Path<(Uuid, Uuid)>,
            body: Json<$body>,
        ) -> Result<HttpResponse, ApiError> {
            let step: fn($body) -> Step = $step;
            item_step(&store, &pool, &views, &principal, &ctx, path.into_inner(), step(body.into_inner())).await
        }
    };
}

/// One `POST …/{<id>}/actions/{action_id}` endpoint: marks an item's action done, dropped or open.
macro_rules! action_endpoint {
    ($name:ident, $id:literal, $api_path:literal, $path:literal, $step:expr) => {
        #[doc = "Marks one of the item's actions done, dropped or open again, with a note."]
        #[utoipa::path(post, path = $api_path, tag = "raid",
            params(("program_id" = Uuid, Path), ($id = Uuid, Path), ("action_id" = Uuid, Path)),
            request_body = ChangeRaidActionRequest,
            responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
                (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
        #[post($path)]
        pub async fn $name(
            store: web::Data<EventStore>,
            pool: web::Data<PgPool>,
            views: web::Data<ViewCache>,
            principal: Principal,
            ctx: RequestContext,
            path: web::Path<(Uuid, Uuid, Uuid)>,
            body: Json<ChangeRaidActionRequest>,
        ) -> Result<HttpResponse, ApiError> {
            let (program_id, item, action_id) = path.into_inner();
            let step: fn(ActionId, ChangeRaidActionRequest) -> Step = $step;
            let step = step(ActionId(action_id), body.into_inner());
            item_step(&store, &pool, &views, &principal, &ctx, (program_id, item), step).await
        }
    };
}

step_endpoint!(
    revise_risk,
    "risk_id",
    "/api/programs/{program_id}/raid/risks/{risk_id}/revise",
    "/programs/{program_id}/raid/risks/{risk_id}/revise",
    ReviseRiskRequest,
    "Revises what the risk is, who owns it and what it threatens.",
    |b| Step::Risk(RiskStep::Revise(b))
);
step_endpoint!(
    assess_risk,
    "risk_id",
    "/api/programs/{program_id}/raid/risks/{risk_id}/assess",
    "/programs/{program_id}/raid/risks/{risk_id}/assess",
    AssessRiskRequest,
    "Reassesses the risk as it stands (probability × impact, days, cost), with the reason.",
    |b| Step::Risk(RiskStep::Assess(b))
);
step_endpoint!(
    assess_residual,
    "risk_id",
    "/api/programs/{program_id}/raid/risks/{risk_id}/residual",
    "/programs/{program_id}/raid/risks/{risk_id}/residual",
    AssessRiskRequest,
    "Sets the residual (target) assessment the response aims for.",
    |b| Step::Risk(RiskStep::Residual(b))
);
step_endpoint!(
    respond_to_risk,
    "risk_id",
    "/api/programs/{program_id}/raid/risks/{risk_id}/respond",
    "/programs/{program_id}/raid/risks/{risk_id}/respond",
    RespondRequest,
    "Chooses the response. Accepting a risk above the program's appetite is refused (422) without an approved risk-acceptance decision.",
    |b| Step::Risk(RiskStep::Respond(b))
);
step_endpoint!(
    add_risk_action,
    "risk_id",
    "/api/programs/{program_id}/raid/risks/{risk_id}/actions",
    "/programs/{program_id}/raid/risks/{risk_id}/actions",
    AddRaidActionRequest,
    "Adds a treatment action.",
    |b| Step::Risk(RiskStep::AddAction(b))
);
step_endpoint!(
    close_risk,
    "risk_id",
    "/api/programs/{program_id}/raid/risks/{risk_id}/close",
    "/programs/{program_id}/raid/risks/{risk_id}/close",
    RaidTextRequest,
    "Closes the risk with the reason; flagged when no treatment was done and it was not accepted.",
    |b| Step::Risk(RiskStep::Close(b))
);

action_endpoint!(
    change_risk_action,
    "risk_id",
    "/api/programs/{program_id}/raid/risks/{risk_id}/actions/{action_id}",
    "/programs/{program_id}/raid/risks/{risk_id}/actions/{action_id}",
    |id, b| Step::Risk(RiskStep::ChangeAction(id, b))
);

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/risks/{risk_id}/realise", tag = "raid",
    params(("program_id" = Uuid, Path), ("risk_id" = Uuid, Path)), request_body = RealiseRiskRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the issue the risk became"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/raid/risks/{risk_id}/realise")]
pub async fn realise_risk(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<RealiseRiskRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, risk_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let accepted = commands::realise_risk(
        &store,
        &ctx,
        program_id,
        RiskId(risk_id),
        &access,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/issues", tag = "raid",
    params(("program_id" = Uuid, Path)), request_body = RaiseIssueRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the issue's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/raid/issues")]
pub async fn raise_issue(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<RaiseIssueRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let (access, view) = writer(&pool, &views, &principal, program_id).await?;
    let details = body.into_inner().details;
    let accepted = commands::raise_issue(&store, &ctx, program_id, &view, &access, details).await?;
    Ok(HttpResponse::Created().json(accepted))
}

step_endpoint!(
    revise_issue,
    "issue_id",
    "/api/programs/{program_id}/raid/issues/{issue_id}/revise",
    "/programs/{program_id}/raid/issues/{issue_id}/revise",
    ReviseIssueRequest,
    "Revises the issue: severity, owner, date to resolve by, scope, links.",
    |b| Step::Issue(IssueStep::Revise(b))
);
step_endpoint!(
    add_issue_action,
    "issue_id",
    "/api/programs/{program_id}/raid/issues/{issue_id}/actions",
    "/programs/{program_id}/raid/issues/{issue_id}/actions",
    AddRaidActionRequest,
    "Adds an action to resolve the issue.",
    |b| Step::Issue(IssueStep::AddAction(b))
);
step_endpoint!(
    resolve_issue,
    "issue_id",
    "/api/programs/{program_id}/raid/issues/{issue_id}/resolve",
    "/programs/{program_id}/raid/issues/{issue_id}/resolve",
    RaidTextRequest,
    "Resolves the issue with the resolution.",
    |b| Step::Issue(IssueStep::Resolve(b))
);

action_endpoint!(
    change_issue_action,
    "issue_id",
    "/api/programs/{program_id}/raid/issues/{issue_id}/actions/{action_id}",
    "/programs/{program_id}/raid/issues/{issue_id}/actions/{action_id}",
    |id, b| Step::Issue(IssueStep::ChangeAction(id, b))
);

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/assumptions", tag = "raid",
    params(("program_id" = Uuid, Path)), request_body = RecordAssumptionRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the assumption's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/raid/assumptions")]
pub async fn record_assumption(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<RecordAssumptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let (access, view) = writer(&pool, &views, &principal, program_id).await?;
    let details = body.into_inner().details;
    let accepted =
        commands::record_assumption(&store, &ctx, program_id, &view, &access, details).await?;
    Ok(HttpResponse::Created().json(accepted))
}

step_endpoint!(
    revise_assumption,
    "assumption_id",
    "/api/programs/{program_id}/raid/assumptions/{assumption_id}/revise",
    "/programs/{program_id}/raid/assumptions/{assumption_id}/revise",
    ReviseAssumptionRequest,
    "Revises the assumption: statement, owner, date to validate by, scope, links.",
    |b| Step::Assumption(AssumptionStep::Revise(b))
);
step_endpoint!(
    validate_assumption,
    "assumption_id",
    "/api/programs/{program_id}/raid/assumptions/{assumption_id}/validate",
    "/programs/{program_id}/raid/assumptions/{assumption_id}/validate",
    RaidTextRequest,
    "Records that the assumption held, with the evidence.",
    |b| Step::Assumption(AssumptionStep::Validate(b))
);

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/assumptions/{assumption_id}/invalidate", tag = "raid",
    params(("program_id" = Uuid, Path), ("assumption_id" = Uuid, Path)), request_body = InvalidateAssumptionRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the risk it raised"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/raid/assumptions/{assumption_id}/invalidate")]
pub async fn invalidate_assumption(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<InvalidateAssumptionRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, assumption_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let (access, view) = writer(&pool, &views, &principal, program_id).await?;
    let accepted = commands::invalidate_assumption(
        &store,
        &ctx,
        program_id,
        AssumptionId(assumption_id),
        &view,
        &access,
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Created().json(accepted))
}

#[utoipa::path(put, path = "/api/programs/{program_id}/raid/appetite", tag = "raid",
    params(("program_id" = Uuid, Path)), request_body = SetAppetiteRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[put("/programs/{program_id}/raid/appetite")]
pub async fn set_appetite(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<SetAppetiteRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted = commands::set_appetite(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(put, path = "/api/programs/{program_id}/raid/categories", tag = "raid",
    params(("program_id" = Uuid, Path)), request_body = SetCategoriesRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[put("/programs/{program_id}/raid/categories")]
pub async fn set_categories(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<SetCategoriesRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted = commands::set_categories(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestionsQuery {
    #[param(schema_with = crate::routes::openapi::as_of_schema)]
    pub as_of: Option<String>,
    /// The day dependencies are judged on. Default: the as-of day, or today.
    pub today: Option<NaiveDate>,
}

#[utoipa::path(get, path = "/api/programs/{program_id}/raid/suggestions", tag = "raid",
    params(("program_id" = Uuid, Path), SuggestionsQuery),
    responses((status = 200, body = [RiskSuggestion], description = "a risk per dependency late, at risk or broken that no risk links and whose trouble was not dismissed"),
        (status = 400, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/raid/suggestions")]
pub async fn get_suggestions(
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<SuggestionsQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (up_to, then) = AsOf::resolve(query.as_of.as_deref(), &pool).await?;
    let raid = raid_view(&pool, program_id, up_to)
        .await
        .map_err(ApiError::internal)?;
    let program = program_at(&pool, &views, program_id, up_to).await?;
    let today = query.today.unwrap_or(then.date_naive());
    Ok(HttpResponse::Ok().json(suggestions(&program, &program.analyse(today), &raid)))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/suggestions/{dependency_id}/accept", tag = "raid",
    params(("program_id" = Uuid, Path), ("dependency_id" = Uuid, Path)),
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the risk identified"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[post("/programs/{program_id}/raid/suggestions/{dependency_id}/accept")]
pub async fn accept_suggestion(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, dependency_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let (access, view) = writer(&pool, &views, &principal, program_id).await?;
    let today = Utc::now().date_naive();
    let accepted = commands::accept_suggestion(
        &store,
        &ctx,
        &view,
        &access,
        DependencyId(dependency_id),
        today,
    )
    .await?;
    Ok(HttpResponse::Created().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/suggestions/{dependency_id}/dismiss", tag = "raid",
    params(("program_id" = Uuid, Path), ("dependency_id" = Uuid, Path)), request_body = RaidTextRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/raid/suggestions/{dependency_id}/dismiss")]
pub async fn dismiss_suggestion(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<RaidTextRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, dependency_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    let (access, view) = writer(&pool, &views, &principal, program_id).await?;
    let today = Utc::now().date_naive();
    let accepted = commands::dismiss_suggestion(
        &store,
        &ctx,
        &view,
        &access,
        DependencyId(dependency_id),
        body.into_inner(),
        today,
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}
