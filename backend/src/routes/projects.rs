//! A project's own details and stage.

use super::Json;
use crate::auth::{Principal, authorize};
use crate::commands::project as commands;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use actix_web::{HttpResponse, post, web};
use sqlx::PgPool;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{
    CommandAccepted, ErrorResponse, ProjectStageRequest, ReviseProjectRequest,
};
use throughline_shared::{ProgramId, ProjectId};
use uuid::Uuid;

/// Renames a project or gives it a new manager (one event each), as the program manager.
#[utoipa::path(post, path = "/api/programs/{program_id}/projects/{project_id}/details", tag = "projects",
    params(("program_id" = Uuid, Path), ("project_id" = Uuid, Path)),
    request_body = ReviseProjectRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/programs/{program_id}/projects/{project_id}/details")]
pub async fn revise_project(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ReviseProjectRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, project_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let accepted = commands::revise_project(
        &store,
        &ctx,
        program_id,
        ProjectId(project_id),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}

/// Pauses, resumes or closes a project, as the program manager. Closing is refused while any of
/// its milestones is neither met nor cancelled, naming them.
#[utoipa::path(post, path = "/api/programs/{program_id}/projects/{project_id}/stage", tag = "projects",
    params(("program_id" = Uuid, Path), ("project_id" = Uuid, Path)),
    request_body = ProjectStageRequest,
    responses((status = 200, body = CommandAccepted), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse),
        (status = 409, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "no reason, already at that stage, closed already, or milestones still open (`details` names them)")))]
#[post("/programs/{program_id}/projects/{project_id}/stage")]
pub async fn change_project_stage(
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<(Uuid, Uuid)>,
    body: Json<ProjectStageRequest>,
) -> Result<HttpResponse, ApiError> {
    let (program_id, project_id) = path.into_inner();
    let program_id = ProgramId(program_id);
    authorize(&pool, &principal, program_id, ProgramAction::Edit).await?;
    let accepted = commands::change_project_stage(
        &store,
        &ctx,
        program_id,
        ProjectId(project_id),
        body.into_inner(),
    )
    .await?;
    Ok(HttpResponse::Ok().json(accepted))
}
