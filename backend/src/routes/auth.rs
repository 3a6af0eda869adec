//! Logging in and out, and who the caller is.

use crate::accounts;
use crate::auth::{AuthSettings, Credential, Principal, password, session, throttle};
use crate::commands::CommandError;
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use sqlx::PgPool;
use throughline_shared::UserId;
use throughline_shared::api::{ChangePasswordRequest, ErrorResponse, LoginRequest, MeResponse};
use throughline_shared::user::normalize_username;
use uuid::Uuid;

fn too_many_attempts(username: &str, until: chrono::DateTime<chrono::Utc>) -> ApiError {
    let seconds = (until - chrono::Utc::now()).num_seconds().max(1);
    tracing::warn!(%username, "sign-in refused: locked after repeated failures");
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!(
            "too many failed sign-ins; try again in {} minute(s)",
            (seconds + 59) / 60
        ),
    )
    .with_details(serde_json::json!({ "retry_after_seconds": seconds }))
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the user name or the password is wrong",
    )
}

/// Logs in with a user name and password; sets the session cookie and returns who you are with
/// the CSRF token to send on writes. Repeated failures are slowed down, then locked out for a
/// while; the answer never tells whether the user name exists.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorResponse), (status = 429, body = ErrorResponse)))]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<AuthSettings>,
    body: web::Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest {
        username,
        password: typed,
    } = body.into_inner();
    let username = normalize_username(&username);
    let pool = pool.get_ref();
    if let Some(until) = throttle::locked_until(pool, &username)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(too_many_attempts(&username, until));
    }
    let (allowed, failure_delay) = throttle::reserve_attempt(pool, &settings, &username)
        .await
        .map_err(ApiError::internal)?;
    if !allowed {
        // Parallel guesses beyond the allowance: refused before any password is checked.
        let until = throttle::locked_until(pool, &username)
            .await
            .map_err(ApiError::internal)?
            .unwrap_or_else(|| chrono::Utc::now() + settings.lockout);
        return Err(too_many_attempts(&username, until));
    }
    type Row = (Uuid, String, String, bool, bool, Option<String>);
    let user: Option<Row> = sqlx::query_as(
        "SELECT u.user_id, u.username, u.display_name, u.admin, u.active, c.password_hash \
         FROM users u LEFT JOIN credentials c USING (user_id) WHERE u.username = $1",
    )
    .bind(&username)
    .fetch_optional(pool)
    .await
    .map_err(ApiError::internal)?;
    let stored = user.as_ref().and_then(|u| u.5.clone());
    let matches = password::verify(typed, stored)
        .await
        .map_err(ApiError::internal)?;
    let user = user.filter(|u| matches && u.4);
    let Some((user_id, username, display_name, admin, _, Some(checked_hash))) = user else {
        tracing::warn!(%username, "failed sign-in");
        tokio::time::sleep(failure_delay).await;
        return Err(invalid_credentials());
    };
    throttle::clear(pool, &username)
        .await
        .map_err(ApiError::internal)?;
    let user_id = UserId(user_id);
    // Only while the password checked is still the current one: a reset in between wins.
    let Some(new) = session::create(pool, &settings, user_id, &checked_hash)
        .await
        .map_err(ApiError::internal)?
    else {
        return Err(invalid_credentials());
    };
    tracing::info!(%username, "logged in");
    let principal = Principal {
        user_id,
        username,
        display_name,
        admin,
        credential: Credential::Session {
            id_hash: Vec::new(),
            csrf_token: new.csrf_token.clone(),
        },
    };
    let body = me_response(pool, &principal).await?;
    Ok(HttpResponse::Ok()
        .cookie(session::cookie(&req, &new.id, &settings))
        .json(body))
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)))]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_session()?;
    if let Credential::Session { id_hash, .. } = &principal.credential {
        session::delete(pool.get_ref(), id_hash)
            .await
            .map_err(ApiError::internal)?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(&req))
        .finish())
}

async fn me_response(pool: &PgPool, principal: &Principal) -> Result<MeResponse, ApiError> {
    Ok(MeResponse {
        user: principal.summary(),
        csrf_token: match &principal.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token.clone()),
            Credential::Token { .. } => None,
        },
        token_scope: principal.token_scope(),
        memberships: principal.memberships(pool).await?,
    })
}

/// Who you are, the programs you belong to with your roles there, and your CSRF token.
#[utoipa::path(get, path = "/api/me", tag = "auth",
    responses((status = 200, body = MeResponse), (status = 401, body = ErrorResponse)))]
#[get("/me")]
pub async fn me(pool: web::Data<PgPool>, principal: Principal) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(me_response(pool.get_ref(), &principal).await?))
}

/// Changes your own password (after checking the current one) and ends all your sessions,
/// this one included.
#[utoipa::path(post, path = "/api/me/password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse), (status = 429, body = ErrorResponse)))]
#[post("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    settings: web::Data<AuthSettings>,
    principal: Principal,
    ctx: RequestContext,
    body: web::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, CommandError> {
    principal.require_session()?;
    // Guessing the current password from a hijacked session counts like failed sign-ins.
    let (allowed, failure_delay) =
        throttle::reserve_attempt(pool.get_ref(), &settings, &principal.username)
            .await
            .map_err(ApiError::internal)?;
    if !allowed {
        let until = chrono::Utc::now() + settings.lockout;
        return Err(too_many_attempts(&principal.username, until).into());
    }
    let ChangePasswordRequest {
        current_password,
        new_password,
    } = body.into_inner();
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM credentials WHERE user_id = $1")
            .bind(principal.user_id.0)
            .fetch_optional(pool.get_ref())
            .await
            .map_err(ApiError::internal)?;
    if !password::verify(current_password, stored)
        .await
        .map_err(ApiError::internal)?
    {
        tokio::time::sleep(failure_delay).await;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "some fields are not valid",
        )
        .with_details(serde_json::json!([{"field": "current_password", "message": "is not your current password"}]))
        .into());
    }
    throttle::clear(pool.get_ref(), &principal.username)
        .await
        .map_err(ApiError::internal)?;
    accounts::set_password(&store, &ctx, principal.user_id, new_password).await?;
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(&req))
        .finish())
}
