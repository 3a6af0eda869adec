//! Plans in from MS Project, milestones out to calendars.

use super::programs::AsOf;
use super::schedule::allow;
use crate::auth::{Principal, authorize, authorize_writer};
use crate::commands::import::{
    Grouping, ImportOptions, import_dependency_rows, import_milestone_rows, import_plan,
    import_risk_rows,
};
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::interop::{csv_io, ical, mspdi, raid_csv};
use crate::queries::program::{current_view, view_at};
use crate::queries::raid::raid_view;
use crate::request_context::RequestContext;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use futures_util::StreamExt;
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::access::{ProgramAccess, ProgramAction};
use throughline_shared::api::{CsvImportReport, ErrorResponse, ImportReport};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, ProjectId};
use uuid::Uuid;

/// Big enough for a plan of thousands of tasks; a larger body is refused before it is read.
const IMPORT_MAX_BYTES: usize = 20 * 1024 * 1024;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Import into this project of the program; absent: the project named after the plan
    /// (created when the program has none of that name).
    pub project_id: Option<Uuid>,
    /// `plan` (default): one project for the file; `summaries`: a project per top-level summary
    /// task.
    #[param(inline)]
    pub grouping: Option<Grouping>,
    /// Say what the import would do (created, updated, skipped and why), appending nothing.
    #[serde(default)]
    pub preview: bool,
}

async fn read_body(mut payload: web::Payload, invalid: &'static str) -> Result<String, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request("unreadable_body", e.to_string()))?;
        if body.len() + chunk.len() > IMPORT_MAX_BYTES {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "a plan may be at most {} MB",
                    IMPORT_MAX_BYTES / 1024 / 1024
                ),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            invalid,
            "the file is not UTF-8 text",
        )
    })
}

#[utoipa::path(post, path = "/api/programs/{program_id}/import/mspdi", tag = "interop",
    params(("program_id" = Uuid, Path), ImportQuery),
    request_body(content = String, content_type = "application/xml",
        description = "An MS Project XML (MSPDI) file: its tasks become milestones (flagged, or of no duration) and deliverables (a start and a finish), with their baseline 0, current dates and actual finish; summary tasks group them (into projects, with `grouping=summaries`); links (with their type and lag, through summary tasks, and to earlier imported plans: CrossProject) become dependencies. A plan imported before is updated by its tasks' UIDs"),
    responses((status = 201, body = ImportReport), (status = 200, body = ImportReport, description = "a preview (`preview=true`): nothing appended"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 413, body = ErrorResponse, description = "the file is larger than 20 MB"),
        (status = 422, body = ErrorResponse, description = "`invalid_mspdi` (the file), `validation_failed`, `dependency_cycle`; nothing is imported")))]
#[post("/programs/{program_id}/import/mspdi")]
pub async fn import_mspdi(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let access = authorize_writer(&pool, &principal, program_id).await?;
    let xml = read_body(payload, "invalid_mspdi").await?;
    let plan = mspdi::parse(&xml).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_mspdi",
            e.to_string(),
        )
    })?;
    let options = ImportOptions {
        into: query.project_id.map(ProjectId),
        grouping: query.grouping.unwrap_or_default(),
        preview: query.preview,
    };
    let report = import_plan(
        &store,
        &ctx,
        program_id,
        options,
        plan,
        allow(&principal, &access),
    )
    .await?;
    if report.preview {
        return Ok(HttpResponse::Ok().json(report));
    }
    tracing::info!(%program_id, milestones = report.milestones, updated = report.updated, dependencies = report.dependencies, "imported an MS Project plan");
    Ok(HttpResponse::Created().json(report))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarQuery {
    /// A read-only API token limited to this program, for calendar apps that cannot send
    /// headers. Revoke it on the account page to end the feed.
    #[param(pattern = "^[^\\x00]*$")]
    pub token: Option<String>,
}

#[utoipa::path(get, path = "/api/programs/{program_id}/calendar.ics", tag = "interop",
    params(("program_id" = Uuid, Path), CalendarQuery),
    responses((status = 200, body = String, content_type = "text/calendar", description = "RFC 5545: one all-day event per milestone, on its forecast (or actual) date"),
        (status = 401, body = ErrorResponse, description = "not signed in, and no valid `token`"),
        (status = 403, body = ErrorResponse, description = "`token_not_read_only`: a `token` in the URL must be a read-only API token"),
        (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/calendar.ics")]
pub async fn calendar(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    // Read by the authentication middleware; declared for the OpenAPI document.
    _query: web::Query<CalendarQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let view = current_view(&pool, program_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))?;
    let analysis = view.analyse(Utc::now().date_naive());
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(ical::calendar(&view, &analysis)))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CsvQuery {
    /// As in `GET /api/programs/{id}`: export the program as it stood then.
    #[param(schema_with = super::openapi::as_of_schema)]
    pub as_of: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MilestonesImportQuery {
    /// Create the projects the file names that the program does not have (managed by the
    /// importer). Without it such a file is refused with `projects_to_create`, naming them.
    #[serde(default)]
    pub create_projects: bool,
}

/// The view to export (now, or as of a point) and the day its statuses are judged on.
async fn export_view(
    pool: &PgPool,
    program_id: ProgramId,
    as_of: Option<&str>,
) -> Result<(ProgramView, chrono::NaiveDate), ApiError> {
    let not_found = || ApiError::not_found(format!("program {program_id} was not found"));
    match as_of {
        None => Ok((
            current_view(pool, program_id)
                .await?
                .ok_or_else(not_found)?,
            Utc::now().date_naive(),
        )),
        Some(raw) => {
            let as_of = AsOf::parse(raw)?;
            let view = view_at(pool, program_id, as_of.position(pool).await?)
                .await?
                .ok_or_else(not_found)?;
            let day = view
                .updated_at
                .map_or_else(|| Utc::now().date_naive(), |t| t.date_naive());
            Ok((view, day))
        }
    }
}

fn csv_response(name: &str, body: String) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{name}.csv\""),
        ))
        .body(body)
}

#[utoipa::path(get, path = "/api/programs/{program_id}/milestones.csv", tag = "interop",
    params(("program_id" = Uuid, Path), CsvQuery),
    responses((status = 200, body = String, content_type = "text/csv", description = "milestone_id, project, name, kind, owner, planned_start, planned, baseline, forecast_start, forecast, actual, variance_days"),
        (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/milestones.csv")]
pub async fn export_milestones(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<CsvQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (view, _) = export_view(&pool, program_id, query.as_of.as_deref()).await?;
    Ok(csv_response("milestones", csv_io::milestones_csv(&view)))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/dependencies.csv", tag = "interop",
    params(("program_id" = Uuid, Path), CsvQuery),
    responses((status = 200, body = String, content_type = "text/csv", description = "dependency_id, provider_project, provider, consumer_project, consumer, type, lag_days, need_by, state, status, gap_days, provider_owner, consumer_owner"),
        (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/dependencies.csv")]
pub async fn export_dependencies(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<CsvQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (view, day) = export_view(&pool, program_id, query.as_of.as_deref()).await?;
    let analysis = view.analyse(day);
    Ok(csv_response(
        "dependencies",
        csv_io::dependencies_csv(&view, &analysis),
    ))
}

/// The program now, and its rows, once the caller may read it and the file parses.
async fn csv_import_input<R: for<'de> Deserialize<'de>>(
    pool: &PgPool,
    principal: &Principal,
    program_id: ProgramId,
    payload: web::Payload,
) -> Result<(ProgramAccess, ProgramView, Vec<R>), ApiError> {
    let access = authorize_writer(pool, principal, program_id).await?;
    let text = read_body(payload, "invalid_csv").await?;
    let rows = csv_io::read::<R>(&text).map_err(|problems| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_csv",
            format!("nothing was imported: {}", problems[0]),
        )
        .with_details(serde_json::json!({ "rows": problems }))
    })?;
    let view = current_view(pool, program_id)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))?;
    Ok((access, view, rows))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/milestones.csv", tag = "interop",
    params(("program_id" = Uuid, Path), MilestonesImportQuery),
    request_body(content = String, content_type = "text/csv",
        description = "The export's columns, of this program or another. A row is about the milestone with its milestone_id when it is this program's, else about the one its project and name give: its forecast, actual and first baseline are updated, or it is added to the named project"),
    responses((status = 200, body = CsvImportReport),
        (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "`invalid_csv` with every row's problem in `details.rows`, or `projects_to_create` naming in `details.projects` the projects to confirm; nothing is imported")))]
#[post("/programs/{program_id}/milestones.csv")]
pub async fn import_milestones(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    query: web::Query<MilestonesImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let (access, view, rows) = csv_import_input(&pool, &principal, program_id, payload).await?;
    let report = import_milestone_rows(
        &store,
        &ctx,
        &view,
        rows,
        query.create_projects,
        allow(&principal, &access),
    )
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/dependencies.csv", tag = "interop",
    params(("program_id" = Uuid, Path)),
    request_body(content = String, content_type = "text/csv",
        description = "The export's columns (by project and milestone names). New pairs are proposed, a changed need_by is recorded"),
    responses((status = 200, body = CsvImportReport),
        (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "`invalid_csv` with every row's problem in `details.rows`; nothing is imported")))]
#[post("/programs/{program_id}/dependencies.csv")]
pub async fn import_dependencies(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let (access, view, rows) = csv_import_input(&pool, &principal, program_id, payload).await?;
    let report =
        import_dependency_rows(&store, &ctx, &view, rows, allow(&principal, &access)).await?;
    Ok(HttpResponse::Ok().json(report))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/raid/risks.csv", tag = "raid",
    params(("program_id" = Uuid, Path), CsvQuery),
    responses((status = 200, body = String, content_type = "text/csv", description = "risk_id, title, description, cause, category, owner, projects (names, `;`-separated), probability, impact, schedule_days, cost (major units), currency, review_by, proximity; export only: score, band, state, response, residual_score, stale"),
        (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/raid/risks.csv")]
pub async fn export_risks(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<CsvQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (up_to, then) = AsOf::resolve(query.as_of.as_deref(), &pool).await?;
    let (view, _) = export_view(&pool, program_id, query.as_of.as_deref()).await?;
    let raid = raid_view(&pool, program_id, up_to)
        .await
        .map_err(ApiError::internal)?;
    Ok(csv_response(
        "risks",
        raid_csv::risks_csv(&raid, &view, then.date_naive()),
    ))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/raid/risks.csv", tag = "raid",
    params(("program_id" = Uuid, Path)),
    request_body(content = String, content_type = "text/csv",
        description = "The export's columns. Rows with a risk_id revise that risk and reassess it if its rating, days, cost or review date changed; rows without one identify a new risk"),
    responses((status = 200, body = CsvImportReport),
        (status = 403, body = ErrorResponse), (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "`invalid_csv` with every row's problem in `details.rows`; nothing is imported")))]
#[post("/programs/{program_id}/raid/risks.csv")]
pub async fn import_risks(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let (access, view, rows) = csv_import_input(&pool, &principal, program_id, payload).await?;
    let report = import_risk_rows(&store, &ctx, &view, &access, rows).await?;
    Ok(HttpResponse::Ok().json(report))
}
