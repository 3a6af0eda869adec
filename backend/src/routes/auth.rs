//! Logging in and out, and who the caller is.

use super::Json;
use crate::accounts;
use crate::auth::throttle::{Attempt, TrustedDevice};
use crate::auth::{AuthSettings, Credential, Principal, password, retry_later, session, throttle};
use crate::error::ApiError;
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use sqlx::PgPool;
use throughline_shared::UserId;
use throughline_shared::api::{ErrorResponse, LoginRequest, MeResponse};
use throughline_shared::error::Validator;
use throughline_shared::user::{PASSWORD_MAX, normalize_username, validate_username};
use uuid::Uuid;

/// 429 with `Retry-After` (set from the details by the `authenticate` middleware).
fn too_many_attempts(username: &str, until: chrono::DateTime<chrono::Utc>) -> ApiError {
    let seconds = (until - chrono::Utc::now()).num_seconds().max(1);
    tracing::warn!(%username, "sign-in refused: locked after repeated failures");
    retry_later(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        format!(
            "too many failed sign-ins; try again in {} minute(s)",
            (seconds + 59) / 60
        ),
        u64::try_from(seconds).unwrap_or(1),
    )
}

fn invalid_credentials() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the user name or the password is wrong",
    )
}

/// Counts this attempt: against the trusted device the client presented (if it is one of the
/// typed user's), else against the typed name. The failure delay if it may go ahead.
async fn count_attempt(
    pool: &PgPool,
    settings: &AuthSettings,
    username: &str,
    device: &mut Option<TrustedDevice>,
) -> Result<std::time::Duration, ApiError> {
    if let Some(trusted) = device.as_ref() {
        match throttle::reserve_device_attempt(pool, settings, trusted)
            .await
            .map_err(ApiError::internal)?
        {
            Some(Attempt::Go { failure_delay }) => return Ok(failure_delay),
            Some(Attempt::Locked { until }) => return Err(too_many_attempts(username, until)),
            // Forgotten in between: an untrusted client after all.
            None => *device = None,
        }
    }
    if let Some(until) = throttle::locked_until(pool, username)
        .await
        .map_err(ApiError::internal)?
    {
        return Err(too_many_attempts(username, until));
    }
    match throttle::reserve_attempt(pool, settings, username)
        .await
        .map_err(ApiError::internal)?
    {
        Attempt::Go { failure_delay } => Ok(failure_delay),
        // Parallel guesses beyond the allowance: refused before any password is checked.
        Attempt::Locked { until } => Err(too_many_attempts(username, until)),
    }
}

/// Logs in with a user name and password; sets the session cookie and returns who you are with
/// the CSRF token to send on writes. Repeated failures are slowed down, then the name is locked
/// for a while for untrusted clients; a browser that signed in as this user before (its
/// `tl_device` cookie) is throttled on its own instead. The answer never tells whether the user
/// name exists.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest, security(()),
    responses((status = 200, body = MeResponse, description = "Signed in: the session cookie is set (and the browser's `tl_device` cookie)"),
        (status = 401, body = ErrorResponse, description = "`invalid_credentials`: the user name or the password is wrong (never which)"),
        (status = 429, body = ErrorResponse, description = "`too_many_attempts`: the name (or this browser) is locked after repeated failures",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 503, body = ErrorResponse, description = "`busy`: every core is checking a password; try again shortly",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again")))))]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<AuthSettings>,
    body: Json<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest {
        username,
        password: typed,
    } = body.into_inner();
    let username = normalize_username(&username);
    // No account can have a name outside the user-name rules, nor a password longer than they
    // allow: such an attempt is refused before it reaches the throttle's table (whose index
    // refuses huge keys) or a password hash, with the answer every failed sign-in gets.
    let mut rules = Validator::new();
    validate_username(&mut rules, "username", &username);
    if rules.finish().is_err() || typed.chars().count() > PASSWORD_MAX {
        return Err(invalid_credentials());
    }
    let pool = pool.get_ref();
    let mut device = throttle::trusted_device(pool, &req, accounts::user_id_for(&username))
        .await
        .map_err(ApiError::internal)?;
    // A core to check the password on first: an attempt refused because the server is busy is
    // not counted against anyone.
    let permit = password::permit().await?;
    let failure_delay = count_attempt(pool, &settings, &username, &mut device).await?;
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
    let matches = password::verify(permit, typed, stored)
        .await
        .map_err(ApiError::internal)?;
    let user = user.filter(|u| matches && u.4);
    let Some((user_id, username, display_name, admin, _, Some(checked_hash))) = user else {
        tracing::warn!(%username, trusted_device = device.is_some(), "failed sign-in");
        tokio::time::sleep(failure_delay).await;
        return Err(invalid_credentials());
    };
    // A trusted device's success clears its own count only: a lock on the name (someone guessing
    // from elsewhere) stays in force for untrusted clients.
    if device.is_none() {
        throttle::clear(pool, &username)
            .await
            .map_err(ApiError::internal)?;
    }
    let user_id = UserId(user_id);
    // Only while the password checked is still the current one: a reset in between wins.
    let Some(new) = session::create(pool, &settings, user_id, &checked_hash)
        .await
        .map_err(ApiError::internal)?
    else {
        return Err(invalid_credentials());
    };
    let device_token = throttle::trust_device(pool, &settings, user_id, device.as_ref())
        .await
        .map_err(ApiError::internal)?;
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
    let body = me_response(pool, &principal, &settings).await?;
    Ok(HttpResponse::Ok()
        .cookie(session::cookie(&req, &new.id, &settings))
        .cookie(throttle::device_cookie(&req, &device_token, &settings))
        .json(body))
}

/// Ends the current session.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth",
    responses((status = 204, description = "Signed out: the session has ended and its cookie is removed"),
        (status = 401, body = ErrorResponse),
        (status = 403, body = ErrorResponse, description = "called with an API token (there is no session to end), or without the `X-CSRF-Token`")))]
#[post("/auth/logout")]
pub async fn logout(
    req: HttpRequest,
    pool: web::Data<PgPool>,
    settings: web::Data<AuthSettings>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    principal.require_session()?;
    if let Credential::Session { id_hash, .. } = &principal.credential {
        // Also closes the session's live sockets on this instance at once (see `session`).
        session::delete(pool.get_ref(), id_hash)
            .await
            .map_err(ApiError::internal)?;
    }
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(&req, &settings))
        .finish())
}

async fn me_response(
    pool: &PgPool,
    principal: &Principal,
    settings: &AuthSettings,
) -> Result<MeResponse, ApiError> {
    Ok(MeResponse {
        can_create_programs: crate::auth::may_create_programs(principal, settings),
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
    responses((status = 200, body = MeResponse)))]
#[get("/me")]
pub async fn me(
    pool: web::Data<PgPool>,
    settings: web::Data<AuthSettings>,
    principal: Principal,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(me_response(pool.get_ref(), &principal, &settings).await?))
}

/// Changing one's own password: the current one, the new one, and whether to revoke every API
/// token of the account too (for when the password may have leaked with them).
#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// 12 to 256 characters.
    #[schema(min_length = 12, max_length = 256)]
    pub new_password: String,
    /// Also revoke all your API tokens (each an `ApiTokenRevoked` event). Default: false.
    #[serde(default)]
    pub revoke_tokens: bool,
}

/// Changes your own password (after checking the current one) and ends all your sessions,
/// this one included; with `revoke_tokens`, revokes all your API tokens too.
#[utoipa::path(post, path = "/api/me/password", tag = "auth", request_body = ChangePasswordRequest,
    responses((status = 204, description = "Changed; every session of the account has ended, this one included"),
        (status = 403, body = ErrorResponse, description = "called with an API token: this needs a signed-in session"),
        (status = 422, body = ErrorResponse, description = "`validation_failed`: not the current password, or a new one outside the policy"),
        (status = 429, body = ErrorResponse, description = "`too_many_attempts`: too many wrong current passwords", headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))),
        (status = 503, body = ErrorResponse, description = "`busy`: every core is checking a password; try again shortly", headers(("Retry-After" = u64, description = "Seconds to wait before trying again")))))]
#[post("/me/password")]
pub async fn change_password(
    req: HttpRequest,
    store: web::Data<EventStore>,
    pool: web::Data<PgPool>,
    settings: web::Data<AuthSettings>,
    principal: Principal,
    ctx: RequestContext,
    body: Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    principal.require_session()?;
    let permit = password::permit().await?;
    // Guessing the current password from a hijacked session counts like failed sign-ins.
    let failure_delay =
        match throttle::reserve_attempt(pool.get_ref(), &settings, &principal.username)
            .await
            .map_err(ApiError::internal)?
        {
            Attempt::Go { failure_delay } => failure_delay,
            Attempt::Locked { until } => {
                return Err(too_many_attempts(&principal.username, until));
            }
        };
    let ChangePasswordRequest {
        current_password,
        new_password,
        revoke_tokens,
    } = body.into_inner();
    let stored: Option<String> =
        sqlx::query_scalar("SELECT password_hash FROM credentials WHERE user_id = $1")
            .bind(principal.user_id.0)
            .fetch_optional(pool.get_ref())
            .await
            .map_err(ApiError::internal)?;
    if !password::verify(permit, current_password, stored)
        .await
        .map_err(ApiError::internal)?
    {
        tokio::time::sleep(failure_delay).await;
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "some fields are not valid",
        )
        .with_details(serde_json::json!([{"field": "current_password", "message": "is not your current password"}])));
    }
    throttle::clear(pool.get_ref(), &principal.username)
        .await
        .map_err(ApiError::internal)?;
    accounts::set_password(&store, &ctx, principal.user_id, new_password).await?;
    if revoke_tokens {
        let revoked = accounts::revoke_all_tokens(&store, &ctx, principal.user_id).await?;
        tracing::info!(user = %principal.username, revoked, "API tokens revoked with a password change");
    }
    Ok(HttpResponse::NoContent()
        .cookie(session::removal_cookie(&req, &settings))
        .finish())
}
