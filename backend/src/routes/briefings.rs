//! Executive briefings (`/api/programs/{id}/briefings…`): the published list and cadence, a
//! draft as of any moment, publishing, each published briefing with its Markdown and PDF, and
//! its check against the log.

use crate::auth::{AuthSettings, Principal, authorize, own_scheme_and_host};
use crate::commands::briefing as commands;
use crate::error::ApiError;
use crate::event_store::{EventStore, head_position, verify_link};
use crate::interop::{briefing_md, briefing_pdf as pdf};
use crate::queries::briefing::{DraftFailed, Published, briefing_log, draft, published};
use crate::queries::program::view_at;
use crate::request_context::RequestContext;
use crate::routes::Json;
use crate::routes::programs::AsOf;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use chrono::Utc;
use serde::Deserialize;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{CommandAccepted, ErrorResponse};
use throughline_shared::briefing::requests::{
    BriefingDetail, BriefingDraft, BriefingPublishedResponse, BriefingVerification,
    PublishBriefingRequest, SetBriefingCadenceRequest,
};
use throughline_shared::briefing::{BriefingLog, PublishedBriefing};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DraftQuery {
    /// The moment to report on: a log position, an RFC 3339 instant or a date (its end, UTC).
    /// Absent: now.
    #[param(schema_with = crate::routes::openapi::as_of_schema)]
    pub as_of: Option<String>,
}

async fn head(pool: &PgPool) -> Result<i64, ApiError> {
    head_position(pool).await.map_err(ApiError::internal)
}

fn draft_error(error: DraftFailed) -> ApiError {
    // Each read error passed on as its own type, so an unreachable database is a 503.
    match error {
        DraftFailed::NoProgram(position) => ApiError::not_found(format!(
            "the program did not exist at log position {position}"
        )),
        DraftFailed::Read(e) => e.into(),
        DraftFailed::Log(e) => ApiError::internal(e),
    }
}

#[utoipa::path(get, path = "/api/programs/{program_id}/briefings", tag = "briefings",
    params(("program_id" = Uuid, Path)),
    responses((status = 200, body = BriefingLog, description = "published briefings, oldest first; the cadence and the day the next is due"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/briefings")]
pub async fn list_briefings(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let view = view_at(&pool, program_id, i64::MAX)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("program {program_id}")))?;
    let (log, _) = briefing_log(
        &pool,
        program_id,
        i64::MAX,
        view.created_at.map(|t| t.date_naive()),
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(log))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/briefings/draft", tag = "briefings",
    params(("program_id" = Uuid, Path), DraftQuery),
    responses((status = 200, body = BriefingDraft, description = "the briefing generated from the log as of that moment, every sentence with the events it rests on"),
        (status = 400, body = ErrorResponse, description = "`invalid_as_of`"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/briefings/draft")]
pub async fn draft_briefing(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<DraftQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (position, at) = AsOf::resolve(query.as_of.as_deref(), &pool).await?;
    let position = position.min(head(&pool).await?);
    let day = at.min(Utc::now()).date_naive();
    let (document, log, version) = draft(&pool, program_id, position, day)
        .await
        .map_err(draft_error)?;
    Ok(HttpResponse::Ok().json(BriefingDraft {
        document,
        expected_version: version,
        log,
    }))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/briefings", tag = "briefings",
    params(("program_id" = Uuid, Path)), request_body = PublishBriefingRequest,
    responses((status = 201, body = BriefingPublishedResponse, description = "the briefing generated as of `as_of` on `day`, with the narrative and highlights, recorded with its SHA-256"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse, description = "a briefing was published since the draft was read"),
        (status = 422, body = ErrorResponse, description = "a moment past the log's head or a day outside it, an empty narrative, too many highlights, a moment before the last briefing's, or exactly the last briefing again")))]
#[post("/programs/{program_id}/briefings")]
pub async fn publish_briefing(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<PublishBriefingRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let request = body.into_inner();
    let head = head(&pool).await?;
    let recorded_day = crate::queries::briefing::recorded_at(&pool, request.as_of.max(0))
        .await
        .map_err(ApiError::internal)?
        .date_naive();
    let today = Utc::now().date_naive();
    let refuse = |message: String| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_moment", message)
    };
    if request.as_of < 1 || request.as_of > head {
        return Err(refuse(format!(
            "as_of must be a position of the log, 1 to {head} (got {})",
            request.as_of
        )));
    }
    if request.day > today || request.day < recorded_day {
        return Err(refuse(format!(
            "day must be from {recorded_day} (when position {} was recorded) to {today} (got {})",
            request.as_of, request.day
        )));
    }
    let published = commands::publish(&store, &ctx, program_id, request).await?;
    Ok(HttpResponse::Created().json(published))
}

#[utoipa::path(put, path = "/api/programs/{program_id}/briefings/cadence", tag = "briefings",
    params(("program_id" = Uuid, Path)), request_body = SetBriefingCadenceRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[put("/programs/{program_id}/briefings/cadence")]
pub async fn set_briefing_cadence(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<SetBriefingCadenceRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Govern).await?;
    let accepted =
        commands::set_cadence(&store, &ctx, program_id, body.into_inner().every_days).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

/// Published briefing `number` of the program, or 404.
async fn one(
    pool: &PgPool,
    principal: &Principal,
    program_id: Uuid,
    number: u32,
) -> Result<(PublishedBriefing, Published), ApiError> {
    let program_id = ProgramId::from_uuid(program_id);
    authorize(pool, principal, program_id, ProgramAction::Read).await?;
    let not_found = || ApiError::not_found(format!("briefing {number} of program {program_id}"));
    let found = published(pool, program_id, number)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(not_found)?;
    let document = &found.content.document;
    let briefing = PublishedBriefing {
        number,
        position: found.event.position,
        published_at: found.event.recorded_at,
        published_by: found.event.metadata.actor.clone(),
        as_of: document.as_of,
        as_of_day: document.as_of_day,
        overall: document.overall,
        content_hash: found.recorded_hash.clone(),
    };
    Ok((briefing, found))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/briefings/{number}", tag = "briefings",
    params(("program_id" = Uuid, Path), ("number" = u32, Path, minimum = 1)),
    responses((status = 200, body = BriefingDetail), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/briefings/{number:\\d+}")]
pub async fn get_briefing(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<(Uuid, u32)>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, number) = path.into_inner();
    let (briefing, found) = one(&pool, &principal, program_id, number).await?;
    Ok(HttpResponse::Ok().json(BriefingDetail {
        briefing,
        content: found.content,
    }))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/briefings/{number}/verify", tag = "briefings",
    params(("program_id" = Uuid, Path), ("number" = u32, Path, minimum = 1)),
    responses((status = 200, body = BriefingVerification, description = "the content re-hashed and compared with the hash its event recorded, and that event's link of the log's chain re-computed"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/briefings/{number:\\d+}/verify")]
pub async fn verify_briefing(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<(Uuid, u32)>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, number) = path.into_inner();
    let (briefing, found) = one(&pool, &principal, program_id, number).await?;
    let event_hash_matches = verify_link(&pool, briefing.position)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(BriefingVerification {
        number,
        content_matches: found.stored_hash == found.recorded_hash,
        recorded_hash: found.recorded_hash,
        computed_hash: found.stored_hash,
        event_hash_matches,
        position: briefing.position,
    }))
}

/// A briefing's file, to save rather than cache: named by its number and day only.
fn file(
    briefing: &PublishedBriefing,
    content_type: &str,
    extension: &str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            "Content-Disposition",
            format!(
                "attachment; filename=\"briefing-{}-{}.{extension}\"",
                briefing.number, briefing.as_of_day
            ),
        ))
        .insert_header(("Cache-Control", "no-store"))
        .body(body)
}

#[utoipa::path(get, path = "/api/programs/{program_id}/briefings/{number}/briefing.md", tag = "briefings",
    params(("program_id" = Uuid, Path), ("number" = u32, Path, minimum = 1)),
    responses((status = 200, body = String, content_type = "text/markdown", description = "the briefing as Markdown, each sentence linking to the events it rests on"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/briefings/{number:\\d+}/briefing.md")]
pub async fn briefing_markdown_file(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<AuthSettings>,
    principal: Principal,
    path: web::Path<(Uuid, u32)>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, number) = path.into_inner();
    let (briefing, found) = one(&pool, &principal, program_id, number).await?;
    let content = found.content;
    let (scheme, host) = own_scheme_and_host(&req, &settings);
    let base = format!("{scheme}://{host}");
    let body = briefing_md::markdown(&briefing, &content, &briefing_md::Links { base: &base });
    Ok(file(&briefing, "text/markdown; charset=utf-8", "md", body))
}

#[utoipa::path(get, path = "/api/programs/{program_id}/briefings/{number}/briefing.pdf", tag = "briefings",
    params(("program_id" = Uuid, Path), ("number" = u32, Path, minimum = 1)),
    responses((status = 200, body = Vec<u8>, content_type = "application/pdf", description = "the briefing as an A4 PDF with its timeline picture"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/briefings/{number:\\d+}/briefing.pdf")]
pub async fn briefing_pdf_file(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<(Uuid, u32)>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, number) = path.into_inner();
    let (briefing, found) = one(&pool, &principal, program_id, number).await?;
    let content = found.content;
    let body = web::block(move || {
        let bytes = pdf::pdf(&briefing, &content);
        (briefing, bytes)
    })
    .await
    .map_err(ApiError::internal)?;
    let (briefing, bytes) = body;
    Ok(file(&briefing, "application/pdf", "pdf", bytes))
}
