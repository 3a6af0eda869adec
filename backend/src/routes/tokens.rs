//! Your own API tokens: create (the secret is shown once), list with last use, revoke.

use super::Json;
use crate::accounts;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use actix_web::{HttpResponse, get, post, web};
use sqlx::PgPool;
use throughline_shared::TokenId;
use throughline_shared::api::{CreateTokenRequest, CreatedToken, ErrorResponse, TokenInfo};
use uuid::Uuid;

/// Your tokens, newest first, with when each was last used.
#[utoipa::path(get, path = "/api/tokens", tag = "tokens",
    responses((status = 200, body = [TokenInfo]),
        (status = 403, body = ErrorResponse, description = "called with an API token: tokens are managed from a signed-in session")))]
#[get("/tokens")]
pub async fn list_tokens(
    pool: web::Data<PgPool>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_session()?;
    Ok(HttpResponse::Ok().json(accounts::list_tokens(pool.get_ref(), principal.user_id).await?))
}

/// Creates a token; the answer holds its secret, which is never shown again.
#[utoipa::path(post, path = "/api/tokens", tag = "tokens", request_body = CreateTokenRequest,
    responses((status = 201, body = CreatedToken),
        (status = 403, body = ErrorResponse, description = "called with an API token: tokens are made from a signed-in session"),
        (status = 422, body = ErrorResponse)))]
#[post("/tokens")]
pub async fn create_token(
    store: web::Data<EventStore>,
    principal: Principal,
    ctx: RequestContext,
    body: Json<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_session()?;
    let created =
        accounts::create_token(&store, &ctx, principal.user_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Revokes one of your tokens; it is refused from the moment this answers.
#[utoipa::path(post, path = "/api/tokens/{token_id}/revoke", tag = "tokens", params(("token_id" = Uuid, Path)),
    responses((status = 204),
        (status = 403, body = ErrorResponse, description = "called with an API token: tokens are revoked from a signed-in session"),
        (status = 404, body = ErrorResponse, description = "no such token of yours"),
        (status = 422, body = ErrorResponse, description = "`nothing_to_change`: already revoked")))]
#[post("/tokens/{token_id}/revoke")]
pub async fn revoke_token(
    store: web::Data<EventStore>,
    principal: Principal,
    ctx: RequestContext,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    principal.require_session()?;
    accounts::revoke_token(&store, &ctx, principal.user_id, TokenId(path.into_inner())).await?;
    Ok(HttpResponse::NoContent().finish())
}
