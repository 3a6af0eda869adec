//! Programs and their projects: commands, current views, views as of any past moment, audit trail.

use super::Json;
use super::events::PageQuery;
use crate::auth::{Principal, authorize, grant_from_row, judge};
use crate::commands;
use crate::error::ApiError;
use crate::event_store::{
    EventFilter, EventStore, head_position, position_at_instant, read_events,
};
use crate::projection::{PROGRAM_VIEWS, load_heads, load_views};
use crate::queries::program::{FOLD_PAGE, fold_into, view_at};
use crate::request_context::RequestContext;
use crate::static_assets::{Encoding, choose};
use crate::view_cache::{Snapshot, ViewCache};
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sqlx::PgPool;
use std::collections::BTreeMap;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{
    AddProjectRequest, ChangePhaseRequest, CommandAccepted, CreateProgramRequest,
    EditProgramRequest, ErrorResponse, EventPage, ProgramMember, ProjectObjectivesRequest,
    ReportStatusRequest, RoleChangeRequest, ScopeRequest, UserSummary,
};
use throughline_shared::ids::ScopeItemId;
use throughline_shared::view::{ProgramSummary, ProgramView};
use throughline_shared::{ProgramId, ProjectId, RecordedEvent, UserId};
use uuid::Uuid;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// A log position (e.g. `1234`), an instant (RFC 3339, e.g. `2026-11-01T09:00:00Z`) or a date
    /// (`2026-11-01`, meaning the end of that day, UTC). Absent: now.
    #[param(schema_with = super::openapi::as_of_schema)]
    pub as_of: Option<String>,
}

/// The point in the log a read is taken at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AsOf {
    Position(i64),
    Instant(DateTime<Utc>),
}

impl AsOf {
    pub fn parse(raw: &str) -> Result<Self, ApiError> {
        let raw = raw.trim();
        if let Ok(position) = raw.parse::<i64>() {
            if position < 0 {
                return Err(ApiError::bad_request(
                    "invalid_as_of",
                    "as_of position must be 0 or more",
                ));
            }
            return Ok(AsOf::Position(position));
        }
        if let Ok(instant) = DateTime::parse_from_rfc3339(raw) {
            return Ok(AsOf::Instant(instant.with_timezone(&Utc)));
        }
        if let Ok(date) = NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            let end = date
                .and_hms_micro_opt(23, 59, 59, 999_999)
                .expect("valid time");
            return Ok(AsOf::Instant(end.and_utc()));
        }
        Err(ApiError::bad_request(
            "invalid_as_of",
            format!(
                "as_of {raw:?} is neither a position, an RFC 3339 instant nor a YYYY-MM-DD date"
            ),
        ))
    }

    /// The last log position a read includes and the instant to judge it on ("today", ageing,
    /// SLAs): the whole log and now without `as_of`; else the point named, and for a position the
    /// time its event was recorded.
    pub async fn resolve(
        raw: Option<&str>,
        pool: &PgPool,
    ) -> Result<(i64, DateTime<Utc>), ApiError> {
        let Some(raw) = raw else {
            return Ok((i64::MAX, Utc::now()));
        };
        let as_of = AsOf::parse(raw)?;
        let position = as_of.position(pool).await?;
        let then = match as_of {
            AsOf::Instant(t) => t,
            AsOf::Position(p) => {
                sqlx::query_scalar("SELECT recorded_at FROM events WHERE position = $1")
                    .bind(p)
                    .fetch_optional(pool)
                    .await
                    .map_err(ApiError::internal)?
                    .unwrap_or_else(Utc::now)
            }
        };
        Ok((position, then))
    }

    /// The last log position included in a read as of this point.
    pub async fn position(self, pool: &PgPool) -> Result<i64, ApiError> {
        match self {
            AsOf::Position(p) => Ok(p),
            AsOf::Instant(t) => position_at_instant(pool, t)
                .await
                .map_err(ApiError::internal),
        }
    }
}

async fn as_of_position(pool: &PgPool, query: &AsOfQuery) -> Result<Option<i64>, ApiError> {
    match &query.as_of {
        Some(raw) => Ok(Some(AsOf::parse(raw)?.position(pool).await?)),
        None => Ok(None),
    }
}

/// Every program the caller may read, newest activity first.
#[utoipa::path(get, path = "/api/programs", tag = "programs", params(AsOfQuery),
    responses((status = 200, body = [ProgramSummary]), (status = 400, body = ErrorResponse, description = "`invalid_as_of`, or a malformed query")))]
#[get("/programs")]
pub async fn list_programs(
    pool: web::Data<PgPool>,
    principal: Principal,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let pool = pool.get_ref();
    let readable = principal.readable(pool).await?;
    let mut views = BTreeMap::new();
    match as_of_position(pool, &query).await? {
        Some(position) => {
            let filter = EventFilter {
                after: 0,
                up_to: Some(position),
                program_id: None,
                limit: FOLD_PAGE,
            };
            fold_into(pool, filter, &mut views).await?;
        }
        None => {
            let mut tx = pool.begin().await.map_err(ApiError::internal)?;
            // One snapshot for the checkpoint and the rows, so the catch-up below starts exactly
            // where the rows end.
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await
                .map_err(ApiError::internal)?;
            let checkpoint: i64 = sqlx::query_scalar(
                "SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = $1), 0)",
            )
            .bind(PROGRAM_VIEWS)
            .fetch_one(&mut *tx)
            .await
            .map_err(ApiError::internal)?;
            // The heads and projects are enough for the list (a summary reads no milestone); a program with
            // events after the checkpoint is loaded whole, since folding them needs all of it.
            let head = head_position(&mut *tx).await.map_err(ApiError::internal)?;
            for view in load_heads(&mut tx).await.map_err(ApiError::internal)? {
                views.insert(view.program_id, view);
            }
            let changed: Vec<Uuid> = sqlx::query_scalar(
                "SELECT DISTINCT program_id FROM events \
                 WHERE position > $1 AND position <= $2 AND program_id IS NOT NULL",
            )
            .bind(checkpoint)
            .bind(head)
            .fetch_all(&mut *tx)
            .await
            .map_err(ApiError::internal)?;
            if !changed.is_empty() {
                let mut whole = load_views(&mut tx, &changed)
                    .await
                    .map_err(ApiError::internal)?;
                for id in &changed {
                    let id = ProgramId::from_uuid(*id);
                    match whole.remove(&id) {
                        Some(view) => views.insert(id, view),
                        // Created after the checkpoint: folded from nothing.
                        None => views.remove(&id),
                    };
                }
            }
            tx.commit().await.map_err(ApiError::internal)?;
            let filter = EventFilter {
                after: checkpoint,
                up_to: Some(head),
                program_id: None,
                limit: FOLD_PAGE,
            };
            fold_into(pool, filter, &mut views).await?;
        }
    }
    let mut summaries: Vec<ProgramSummary> = views
        .values()
        .filter(|v| v.exists() && readable.contains(v.program_id))
        .map(ProgramView::summary)
        .collect();
    summaries.sort_by_key(|s| std::cmp::Reverse(s.position));
    Ok(HttpResponse::Ok().json(summaries))
}

/// Starts a program; its creator becomes its program manager.
#[utoipa::path(post, path = "/api/programs", tag = "programs", request_body = CreateProgramRequest,
    responses((status = 201, body = CommandAccepted),
        (status = 403, body = ErrorResponse, description = "a read-only or program-limited token, or (with `THROUGHLINE_PROGRAM_CREATORS=admins`) not an administrator")))]
#[post("/programs")]
pub async fn create_program(
    store: web::Data<EventStore>,
    settings: web::Data<crate::auth::AuthSettings>,
    principal: Principal,
    ctx: RequestContext,
    body: Json<CreateProgramRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::auth::require_program_creator(&principal, &settings)?;
    let accepted = commands::create_program(&store, &ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(accepted))
}

/// The program with its projects, now or as of a past position or instant.
#[utoipa::path(get, path = "/api/programs/{program_id}", tag = "programs", params(("program_id" = Uuid, Path), AsOfQuery),
    responses((status = 200, body = ProgramView),
        (status = 400, body = ErrorResponse, description = "`invalid_as_of`, or a malformed id or query"),
        (status = 404, body = ErrorResponse, description = "no such program, one the caller may not read, or one that did not exist yet at `as_of`")))]
#[get("/programs/{program_id}")]
pub async fn get_program(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    views: web::Data<ViewCache>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<AsOfQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    let Some(as_of) = query.as_of.as_deref() else {
        // The head comes with the caller's access, in one query: any head read after the
        // request arrived makes the answer include every write acknowledged before it.
        let (access, head) = principal.access_and_head(&pool, program_id).await?;
        judge(&principal, access, program_id, ProgramAction::Read)?;
        let snapshot = views
            .current(&pool, program_id, head)
            .await
            .map_err(ApiError::internal)?
            .ok_or_else(|| ApiError::not_found(format!("program {program_id} was not found")))?;
        return Ok(encoded_answer(&req, &snapshot));
    };
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let position = AsOf::parse(as_of)?.position(&pool).await?;
    let view = view_at(&pool, program_id, position).await?.ok_or_else(|| {
        ApiError::not_found(format!(
            "program {program_id} did not exist at log position {position}"
        ))
    })?;
    Ok(HttpResponse::Ok().json(view))
}

/// The cached view, gzipped as kept if the client takes gzip (the compression middleware leaves
/// an answer that already has a Content-Encoding alone).
fn encoded_answer(req: &HttpRequest, snapshot: &Snapshot) -> HttpResponse {
    let mut answer = HttpResponse::Ok();
    answer
        .content_type(ContentType::json())
        .insert_header((header::VARY, "accept-encoding"));
    if accepts_gzip(req) {
        answer.insert_header((header::CONTENT_ENCODING, "gzip"));
        answer.body(snapshot.encoded.gzip())
    } else {
        answer.body(snapshot.encoded.identity())
    }
}

/// Whether `Accept-Encoding` ranks gzip above the plain body (the one parser, shared with the
/// UI's precompressed files: q-values, `*`, `x-gzip`, `identity`).
fn accepts_gzip(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok());
    choose(accept, &[Encoding::Gzip]) == Some(Encoding::Gzip)
}

/// Renames the program or changes its description or sponsor.
#[utoipa::path(patch, path = "/api/programs/{program_id}", tag = "programs", params(("program_id" = Uuid, Path)),
    request_body = EditProgramRequest,
    responses((status = 200, body = CommandAccepted), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[patch("/programs/{program_id}")]
pub async fn edit_program(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<EditProgramRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let accepted = commands::edit_program(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

/// Adds a project to the program.
#[utoipa::path(post, path = "/api/programs/{program_id}/projects", tag = "projects", params(("program_id" = Uuid, Path)),
    request_body = AddProjectRequest,
    responses((status = 201, body = CommandAccepted), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/projects")]
pub async fn add_project(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<AddProjectRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::AddProject).await?;
    let accepted = commands::add_project(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(accepted))
}

/// Reports a project's RAG status with a narrative.
#[utoipa::path(post, path = "/api/programs/{program_id}/projects/{project_id}/status", tag = "projects",
    params(("program_id" = Uuid, Path), ("project_id" = Uuid, Path)),
    request_body = ReportStatusRequest,
    responses((status = 200, body = CommandAccepted), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/projects/{project_id}/status")]
pub async fn report_status(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReportStatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, project_id) = path.into_inner();
    let (program_id, project_id) = (ProgramId(program_id), ProjectId(project_id));
    authorize(
        &pool,
        &principal,
        program_id,
        ProgramAction::ReportStatus(project_id),
    )
    .await?;
    let accepted =
        commands::report_status(&store, &ctx, program_id, project_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProgramEventsQuery {
    /// Return events after this position (default 0: from the start).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many events (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Only events up to this point (see `as_of` on the program view).
    #[param(schema_with = super::openapi::as_of_schema)]
    pub as_of: Option<String>,
}

/// The program's audit trail: every event of the program and its projects, in position order.
#[utoipa::path(get, path = "/api/programs/{program_id}/events", tag = "events",
    params(("program_id" = Uuid, Path), ProgramEventsQuery),
    responses((status = 200, body = EventPage), (status = 404, body = ErrorResponse), (status = 400, body = ErrorResponse)))]
#[get("/programs/{program_id}/events")]
pub async fn program_events(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
    query: web::Query<ProgramEventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    let (after, limit) = PageQuery {
        after: query.after,
        limit: query.limit,
    }
    .validate()?;
    let pool = pool.get_ref();
    let head = head_position(pool).await.map_err(ApiError::internal)?;
    let up_to = match &query.as_of {
        Some(raw) => AsOf::parse(raw)?.position(pool).await?.min(head),
        None => head,
    };
    let exists: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM events WHERE program_id = $1 AND stream_id = $1)",
    )
    .bind(program_id.0)
    .fetch_one(pool)
    .await
    .map_err(ApiError::internal)?;
    if !exists {
        return Err(ApiError::not_found(format!(
            "program {program_id} was not found"
        )));
    }
    let events = read_events(
        pool,
        EventFilter {
            after,
            up_to: Some(up_to),
            program_id: Some(program_id),
            limit,
        },
    )
    .await
    .map_err(ApiError::internal)?;
    let next_after = events.last().map(|e| e.position).unwrap_or(after);
    Ok(HttpResponse::Ok().json(EventPage {
        events: events.into_iter().map(RecordedEvent::described).collect(),
        next_after,
        head: up_to,
    }))
}

/// Everyone holding a role in the program, with their roles.
#[utoipa::path(get, path = "/api/programs/{program_id}/members", tag = "members", params(("program_id" = Uuid, Path)),
    responses((status = 200, body = [ProgramMember]), (status = 404, body = ErrorResponse)))]
#[get("/programs/{program_id}/members")]
pub async fn list_members(
    pool: web::Data<PgPool>,
    principal: Principal,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Read).await?;
    type Row = (Uuid, String, String, bool, bool, String, Uuid);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT u.user_id, u.username, u.display_name, u.admin, u.active, m.role, m.project_id \
         FROM program_members m JOIN users u USING (user_id) \
         WHERE m.program_id = $1 ORDER BY u.username, m.role, m.project_id",
    )
    .bind(program_id.0)
    .fetch_all(pool.get_ref())
    .await
    .map_err(ApiError::internal)?;
    let mut members: Vec<ProgramMember> = Vec::new();
    for (user_id, username, display_name, admin, active, role, project) in rows {
        let Some(grant) = grant_from_row((role, project)) else {
            continue;
        };
        match members.last_mut() {
            Some(m) if m.user.user_id.0 == user_id => m.grants.push(grant),
            _ => members.push(ProgramMember {
                user: UserSummary {
                    user_id: UserId(user_id),
                    username,
                    display_name,
                    admin,
                    active,
                },
                grants: vec![grant],
            }),
        }
    }
    Ok(HttpResponse::Ok().json(members))
}

/// Gives a user a role in the program (program managers and administrators).
#[utoipa::path(post, path = "/api/programs/{program_id}/members", tag = "members", params(("program_id" = Uuid, Path)),
    request_body = RoleChangeRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/members")]
pub async fn grant_role(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<RoleChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::ManageMembers).await?;
    let accepted = commands::change_role(&store, &ctx, program_id, body.into_inner(), true).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

/// Takes a role from a user (program managers and administrators). A program always keeps at
/// least one program manager.
#[utoipa::path(post, path = "/api/programs/{program_id}/members/revoke", tag = "members", params(("program_id" = Uuid, Path)),
    request_body = RoleChangeRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/members/revoke")]
pub async fn revoke_role(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<RoleChangeRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::ManageMembers).await?;
    let accepted =
        commands::change_role(&store, &ctx, program_id, body.into_inner(), false).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/phase", tag = "programs", params(("program_id" = Uuid, Path)),
    request_body = ChangePhaseRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/phase")]
pub async fn change_phase(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<ChangePhaseRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let accepted = commands::change_phase(&store, &ctx, program_id, body.into_inner()).await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/scope", tag = "programs", params(("program_id" = Uuid, Path)),
    request_body = ScopeRequest,
    responses((status = 201, body = CommandAccepted, description = "`stream_id` is the new scope item's id"),
        (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/scope")]
pub async fn add_scope_item(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<ScopeRequest>,
) -> Result<HttpResponse, ApiError> {
    let program_id = ProgramId::from_uuid(path.into_inner());
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let accepted = commands::set_scope(&store, &ctx, program_id, None, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/scope/{scope_item_id}", tag = "programs",
    params(("program_id" = Uuid, Path), ("scope_item_id" = Uuid, Path)),
    request_body = ScopeRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/scope/{scope_item_id}")]
pub async fn revise_scope_item(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ScopeRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, item) = path.into_inner();
    let program_id = ProgramId(program_id);
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let accepted = commands::set_scope(
        &store,
        &ctx,
        program_id,
        Some(ScopeItemId(item)),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

#[utoipa::path(post, path = "/api/programs/{program_id}/projects/{project_id}/objectives", tag = "projects",
    params(("program_id" = Uuid, Path), ("project_id" = Uuid, Path)),
    request_body = ProjectObjectivesRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/projects/{project_id}/objectives")]
pub async fn set_project_objectives(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ProjectObjectivesRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, project_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let accepted = commands::set_project_objectives(
        &store,
        &ctx,
        program_id,
        ProjectId(project_id),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}
