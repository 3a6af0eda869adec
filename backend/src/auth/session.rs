//! Interactive sessions: a random id in an HttpOnly cookie, stored only as its hash, with an
//! absolute lifetime and an idle timeout, and a CSRF token that every cookie-authenticated write
//! must echo in a header.
//!
//! Ending a session (sign-out, password change, deactivation) also ends its live WebSockets at
//! once: every deletion is announced on this process's `ended` channel, which each live socket of
//! a session listens to. Other instances learn of it through PostgreSQL `NOTIFY` on
//! `throughline_signouts` when they run `relay_sign_outs`; without it (or while its connection is
//! down) their sockets close at the next heartbeat re-check of the credential (20 s).

use super::AuthSettings;
use super::secret::{lookup_hash, random_hex};
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::sync::{Arc, LazyLock};
use std::time::Duration;
use throughline_shared::UserId;
use tokio::sync::broadcast;

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

/// Ends one session and its live sockets.
pub async fn delete(pool: &PgPool, id_hash: &[u8]) -> Result<(), sqlx::Error> {
    let gone: Vec<Vec<u8>> =
        sqlx::query_scalar("DELETE FROM sessions WHERE id_hash = $1 RETURNING id_hash")
            .bind(id_hash)
            .fetch_all(pool)
            .await?;
    announce_ended(pool, gone).await;
    Ok(())
}

/// Ends every session of a user and their live sockets.
pub async fn delete_all_of(pool: &PgPool, user_id: UserId) -> Result<(), sqlx::Error> {
    let gone: Vec<Vec<u8>> =
        sqlx::query_scalar("DELETE FROM sessions WHERE user_id = $1 RETURNING id_hash")
            .bind(user_id.0)
            .fetch_all(pool)
            .await?;
    announce_ended(pool, gone).await;
    Ok(())
}

/// The PostgreSQL channel on which instances tell each other which sessions ended. (Separate
/// from the event log's channel: ended sessions are not events.)
pub const SIGN_OUT_CHANNEL: &str = "throughline_signouts";

/// Ended sessions, by id hash. Process-wide rather than per application: the hashes are of
/// random ids, so an announcement can only ever match the session it is about.
static ENDED: LazyLock<broadcast::Sender<Arc<[u8]>>> =
    LazyLock::new(|| broadcast::channel(1_024).0);

/// Announcements of ended sessions (id hashes), for live sockets to close theirs. A receiver that
/// lags behind must re-check its credential in the database.
pub fn ended_sessions() -> broadcast::Receiver<Arc<[u8]>> {
    ENDED.subscribe()
}

/// Tells this process's live sockets at once, and other instances through `NOTIFY`.
async fn announce_ended(pool: &PgPool, gone: Vec<Vec<u8>>) {
    if gone.is_empty() {
        return;
    }
    for hash in &gone {
        // No receivers is fine: no live socket is open right now.
        let _ = ENDED.send(Arc::from(hash.as_slice()));
    }
    // A NOTIFY payload is limited to 8000 bytes: 100 hashes (6,500 bytes) per notification.
    for chunk in gone.chunks(100) {
        let payload = chunk.iter().map(hex::encode).collect::<Vec<_>>().join(",");
        if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
            .bind(SIGN_OUT_CHANNEL)
            .bind(payload)
            .execute(pool)
            .await
        {
            // The sessions are gone; other instances' sockets close at their next re-check.
            tracing::warn!(error = %e, "could not announce ended sessions to other instances");
        }
    }
}

/// Passes other instances' ended sessions on to this process's live sockets (it also hears this
/// instance's own, which is harmless: closing a closed socket does nothing). Runs until the pool
/// is closed; a lost connection is re-established, and what was announced meanwhile is caught by
/// the sockets' heartbeat re-check.
pub async fn relay_sign_outs(pool: PgPool) {
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for sign-outs; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen(SIGN_OUT_CHANNEL).await {
            tracing::warn!(error = %e, "cannot listen for sign-outs; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(notification) => {
                    for hash in notification.payload().split(',') {
                        if let Ok(hash) = hex::decode(hash) {
                            let _ = ENDED.send(Arc::from(hash));
                        }
                    }
                }
                Err(sqlx::Error::PoolClosed) => return,
                Err(e) => {
                    tracing::warn!(error = %e, "sign-out LISTEN connection failed; reconnecting");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    break;
                }
            }
        }
    }
}

/// The session cookie: HttpOnly (scripts cannot read it), SameSite=Strict (other sites cannot
/// make the browser send it), Secure when the request came over TLS.
pub fn cookie(req: &HttpRequest, id: &str, settings: &AuthSettings) -> Cookie<'static> {
    Cookie::build(COOKIE, id.to_string())
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(super::is_tls(req, settings))
        .max_age(time::Duration::seconds(
            i64::try_from(settings.session_lifetime.as_secs()).unwrap_or(i64::MAX),
        ))
        .finish()
}

pub fn removal_cookie(req: &HttpRequest, settings: &AuthSettings) -> Cookie<'static> {
    let mut cookie = Cookie::build(COOKIE, "")
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(super::is_tls(req, settings))
        .finish();
    cookie.make_removal();
    cookie
}
