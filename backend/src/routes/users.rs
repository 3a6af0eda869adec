//! User administration (organisation administrators) and the user directory (administrators and
//! whoever holds a role in some program, so program managers can pick whom to grant a role; a
//! signed-in user with no role learns nothing about the organisation's accounts).

use super::Json;
use crate::accounts;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, get, post, web};
use sqlx::PgPool;
use throughline_shared::UserId;
use throughline_shared::api::{CreateUserRequest, ErrorResponse, ReasonRequest, UserSummary};
use uuid::Uuid;

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct SetPasswordRequest {
    /// 12 to 256 characters.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
}

/// Every user, by user name (administrators, and members of some program).
#[utoipa::path(get, path = "/api/users", tag = "users",
    responses((status = 200, body = [UserSummary]),
        (status = 403, body = ErrorResponse, description = "no role in any program, or a program-limited token")))]
#[get("/users")]
pub async fn list_users(
    pool: web::Data<PgPool>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    if principal.token_program().is_some() {
        return Err(principal.deny("this API token is limited to one program"));
    }
    if !principal.admin && principal.memberships(pool.get_ref()).await?.is_empty() {
        return Err(principal.deny("the user directory needs a role in some program"));
    }
    Ok(HttpResponse::Ok().json(accounts::list_users(pool.get_ref()).await?))
}

/// Creates a user with an initial password (administrators only).
#[utoipa::path(post, path = "/api/users", tag = "users", request_body = CreateUserRequest,
    responses((status = 201, body = UserSummary), (status = 403, body = ErrorResponse, description = "not an administrator, or called with an API token"),
        (status = 409, body = ErrorResponse, description = "`already_exists`: the user name is taken"), (status = 422, body = ErrorResponse)))]
#[post("/users")]
pub async fn create_user(
    store: web::Data<EventStore>,
    principal: Principal,
    ctx: RequestContext,
    body: Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    principal.require_session()?;
    let user = accounts::create_user(&store, &ctx, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(user))
}

async fn set_active(
    store: &EventStore,
    principal: &Principal,
    ctx: &RequestContext,
    user_id: Uuid,
    active: bool,
    reason: Option<String>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    principal.require_session()?;
    let user_id = UserId(user_id);
    if !active && user_id == principal.user_id {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "cannot_deactivate_self",
            "you cannot deactivate your own account; ask another administrator",
        ));
    }
    accounts::set_active(store, ctx, user_id, active, reason).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deactivates a user: their sessions end and their tokens stop working (administrators only).
#[utoipa::path(post, path = "/api/users/{user_id}/deactivate", tag = "users", params(("user_id" = Uuid, Path)),
    request_body(content = Option<ReasonRequest>, description = "Optional; a body that cannot be read counts as none"),
    responses((status = 204), (status = 403, body = ErrorResponse, description = "not an administrator, or called with an API token"),
        (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "`cannot_deactivate_self`, or `nothing_to_change`: already deactivated")))]
#[post("/users/{user_id}/deactivate")]
pub async fn deactivate_user(
    store: web::Data<EventStore>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Option<Json<ReasonRequest>>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.and_then(|b| b.into_inner().reason);
    set_active(&store, &principal, &ctx, path.into_inner(), false, reason).await
}

/// Lets a deactivated user log in again (administrators only).
#[utoipa::path(post, path = "/api/users/{user_id}/reactivate", tag = "users", params(("user_id" = Uuid, Path)),
    request_body(content = Option<ReasonRequest>, description = "Optional; a body that cannot be read counts as none"),
    responses((status = 204), (status = 403, body = ErrorResponse, description = "not an administrator, or called with an API token"),
        (status = 404, body = ErrorResponse),
        (status = 422, body = ErrorResponse, description = "`nothing_to_change`: already active")))]
#[post("/users/{user_id}/reactivate")]
pub async fn reactivate_user(
    store: web::Data<EventStore>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Option<Json<ReasonRequest>>,
) -> Result<HttpResponse, ApiError> {
    let reason = body.and_then(|b| b.into_inner().reason);
    set_active(&store, &principal, &ctx, path.into_inner(), true, reason).await
}

/// Sets a user's password, e.g. when they forgot it; ends their sessions (administrators only).
#[utoipa::path(post, path = "/api/users/{user_id}/password", tag = "users", params(("user_id" = Uuid, Path)),
    request_body = SetPasswordRequest,
    responses((status = 204), (status = 403, body = ErrorResponse, description = "not an administrator, or called with an API token"),
        (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)))]
#[post("/users/{user_id}/password")]
pub async fn set_password(
    store: web::Data<EventStore>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
    body: Json<SetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_admin()?;
    principal.require_session()?;
    accounts::set_password(
        &store,
        &ctx,
        UserId(path.into_inner()),
        body.into_inner().new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
