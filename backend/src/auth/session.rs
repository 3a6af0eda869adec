//! Interactive sessions: a random id in an HttpOnly cookie, stored only as its hash, with an
//! absolute lifetime and an idle timeout, and a CSRF token that every cookie-authenticated write
//! must echo in a header.

use super::AuthSettings;
use super::secret::{lookup_hash, random_hex};
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};
use sqlx::PgPool;
use throughline_shared::UserId;

pub const COOKIE: &str = "tl_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub struct NewSession {
    pub id: String,
    pub csrf_token: String,
}

/// Starts a session, but only if `checked_hash` (the password hash the login was checked against)
/// is still the user's: a password reset that lands in between wins, and no session is made.
pub async fn create(
    pool: &PgPool,
    settings: &AuthSettings,
    user_id: UserId,
    checked_hash: &str,
) -> Result<Option<NewSession>, sqlx::Error> {
    let id = random_hex();
    let csrf_token = random_hex();
    let created = sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, expires_at) \
         SELECT $1, $2, $3, now() + make_interval(secs => $4) FROM credentials \
         WHERE user_id = $2 AND password_hash = $5",
    )
    .bind(lookup_hash(&id))
    .bind(user_id.0)
    .bind(&csrf_token)
    .bind(settings.session_lifetime.as_secs_f64())
    .bind(checked_hash)
    .execute(pool)
    .await?
    .rows_affected();
    Ok((created == 1).then_some(NewSession { id, csrf_token }))
}

pub async fn delete(pool: &PgPool, id_hash: &[u8]) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn delete_all_of(pool: &PgPool, user_id: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id.0)
        .execute(pool)
        .await?;
    Ok(())
}

/// The session cookie: HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot
/// make the browser send it), Secure when the request came over TLS.
pub fn cookie(req: &HttpRequest, id: &str, settings: &AuthSettings) -> Cookie<'static> {
    Cookie::build(COOKIE, id.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_tls(req))
        .max_age(time::Duration::seconds(
            settings.session_lifetime.as_secs() as i64
        ))
        .finish()
}

pub fn removal_cookie(req: &HttpRequest) -> Cookie<'static> {
    let mut cookie = Cookie::build(COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(is_tls(req))
        .finish();
    cookie.make_removal();
    cookie
}

fn is_tls(req: &HttpRequest) -> bool {
    req.connection_info().scheme() == "https"
}
