//! Login throttling.
//!
//! **By name** (untrusted clients): keyed by the user name that was typed, whether or not it exists
//! (so the answers never tell which names exist): every attempt is counted before the password is
//! checked (a success clears the count), each failure answers a little later, and after
//! `max_failures` within the lockout period the name is locked for that period.
//!
//! **By device** (trusted clients, OWASP's "device cookies"): a browser that signed in as the user
//! before presents its `tl_device` token; its attempts are counted the same way against that
//! device instead of the name, so someone guessing a name's password from elsewhere locks out
//! untrusted clients only, never the user's own browsers.

use super::AuthSettings;
use super::secret::{lookup_hash, random_hex};
use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite, time};
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::time::Duration;
use throughline_shared::UserId;

/// What a counted attempt may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Check the password; a failure answers after this long.
    Go { failure_delay: Duration },
    /// Refused before any password is checked, until then.
    Locked { until: DateTime<Utc> },
}

/// If the name is locked, until when.
pub async fn locked_until(
    pool: &PgPool,
    username: &str,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let locked: Option<Option<DateTime<Utc>>> = sqlx::query_scalar(
        "SELECT locked_until FROM login_failures WHERE username = $1 AND locked_until > now()",
    )
    .bind(username)
    .fetch_optional(pool)
    .await?;
    Ok(locked.flatten())
}

fn judge(settings: &AuthSettings, attempts: i32, locked_until: Option<DateTime<Utc>>) -> Attempt {
    if attempts <= settings.max_failures {
        Attempt::Go {
            failure_delay: settings.failure_delay * attempts.clamp(1, 10) as u32,
        }
    } else {
        let lockout = chrono::Duration::from_std(settings.lockout)
            .unwrap_or_else(|_| chrono::Duration::minutes(15));
        Attempt::Locked {
            until: locked_until.unwrap_or_else(|| Utc::now() + lockout),
        }
    }
}

/// Counts an attempt against the name before the password is checked, atomically, so parallel
/// guesses cannot all pass the lock check before any failure is recorded. At most `max_failures`
/// go ahead per lockout period; the one reaching it sets the lock.
pub async fn reserve_attempt(
    pool: &PgPool,
    settings: &AuthSettings,
    username: &str,
) -> Result<Attempt, sqlx::Error> {
    let (attempts, locked_until): (i32, Option<DateTime<Utc>>) = sqlx::query_as(
        "INSERT INTO login_failures AS f (username, failures, last_failure_at, locked_until) \
         VALUES ($1, 1, now(), CASE WHEN $3 <= 1 THEN now() + make_interval(secs => $2) END) \
         ON CONFLICT (username) DO UPDATE SET \
           failures = CASE WHEN f.last_failure_at < now() - make_interval(secs => $2) \
                             OR f.locked_until <= now() THEN 1 \
                           ELSE f.failures + 1 END, \
           last_failure_at = now(), \
           locked_until = CASE \
             WHEN f.last_failure_at < now() - make_interval(secs => $2) OR f.locked_until <= now() \
               THEN CASE WHEN $3 <= 1 THEN now() + make_interval(secs => $2) END \
             WHEN f.failures + 1 >= $3 \
               THEN coalesce(f.locked_until, now() + make_interval(secs => $2)) \
             ELSE f.locked_until END \
         RETURNING failures, locked_until",
    )
    .bind(username)
    .bind(settings.lockout.as_secs_f64())
    .bind(settings.max_failures)
    .fetch_one(pool)
    .await?;
    if attempts == settings.max_failures {
        tracing::warn!(
            username,
            attempts,
            "sign-in from untrusted clients locked after repeated failures"
        );
    }
    Ok(judge(settings, attempts, locked_until))
}

/// A successful login starts the name's count again.
pub async fn clear(pool: &PgPool, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(pool)
        .await?;
    Ok(())
}

/// The device cookie: long-lived, HttpOnly, SameSite=Strict, sent only to the sign-in endpoint.
pub const DEVICE_COOKIE: &str = "tl_device";
const DEVICE_COOKIE_PATH: &str = "/api/auth/login";
/// A user's trusted devices beyond this many (least recently used first) are forgotten.
const DEVICES_PER_USER: i64 = 20;

/// A device token the request presented that is valid for the user whose name was typed.
#[derive(Clone, Debug)]
pub struct TrustedDevice {
    pub token: String,
    hash: Vec<u8>,
}

/// The request's device cookie, if it belongs to `user_id` and has not expired. (One for another
/// user, or unknown, or expired, is ignored: the client is then untrusted for this sign-in.)
pub async fn trusted_device(
    pool: &PgPool,
    req: &HttpRequest,
    user_id: UserId,
) -> Result<Option<TrustedDevice>, sqlx::Error> {
    let Some(token) = req.cookie(DEVICE_COOKIE).map(|c| c.value().to_string()) else {
        return Ok(None);
    };
    // Ours are 64 hex digits; anything else is not worth a query.
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let hash = lookup_hash(&token);
    let known: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM trusted_devices \
         WHERE token_hash = $1 AND user_id = $2 AND expires_at > now())",
    )
    .bind(&hash)
    .bind(user_id.0)
    .fetch_one(pool)
    .await?;
    Ok(known.then_some(TrustedDevice { token, hash }))
}

/// Counts an attempt against a trusted device, like `reserve_attempt` does against a name. `None`:
/// the device was forgotten in between (the caller then treats the client as untrusted).
pub async fn reserve_device_attempt(
    pool: &PgPool,
    settings: &AuthSettings,
    device: &TrustedDevice,
) -> Result<Option<Attempt>, sqlx::Error> {
    let row: Option<(i32, Option<DateTime<Utc>>)> = sqlx::query_as(
        "UPDATE trusted_devices AS d SET \
           failures = CASE WHEN d.last_failure_at IS NULL \
                             OR d.last_failure_at < now() - make_interval(secs => $2) \
                             OR d.locked_until <= now() THEN 1 \
                           ELSE d.failures + 1 END, \
           last_failure_at = now(), \
           locked_until = CASE \
             WHEN d.last_failure_at IS NULL \
               OR d.last_failure_at < now() - make_interval(secs => $2) OR d.locked_until <= now() \
               THEN CASE WHEN $3 <= 1 THEN now() + make_interval(secs => $2) END \
             WHEN d.failures + 1 >= $3 \
               THEN coalesce(d.locked_until, now() + make_interval(secs => $2)) \
             ELSE d.locked_until END \
         WHERE d.token_hash = $1 AND d.expires_at > now() \
         RETURNING d.failures, d.locked_until",
    )
    .bind(&device.hash)
    .bind(settings.lockout.as_secs_f64())
    .bind(settings.max_failures)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|(attempts, locked_until)| {
        if attempts == settings.max_failures {
            tracing::warn!(
                attempts,
                "a trusted device is locked after repeated failures"
            );
        }
        judge(settings, attempts, locked_until)
    }))
}

/// After a successful sign-in: the device presented is trusted for longer and its count starts
/// again; a client without one gets a new device token (returned, for the cookie).
pub async fn trust_device(
    pool: &PgPool,
    settings: &AuthSettings,
    user_id: UserId,
    presented: Option<&TrustedDevice>,
) -> Result<String, sqlx::Error> {
    let lifetime = settings.device_lifetime.as_secs_f64();
    if let Some(device) = presented {
        let refreshed = sqlx::query(
            "UPDATE trusted_devices SET failures = 0, last_failure_at = NULL, locked_until = NULL, \
               last_used_at = now(), expires_at = now() + make_interval(secs => $2) \
             WHERE token_hash = $1",
        )
        .bind(&device.hash)
        .bind(lifetime)
        .execute(pool)
        .await?
        .rows_affected();
        if refreshed == 1 {
            return Ok(device.token.clone());
        }
    }
    let token = random_hex();
    sqlx::query(
        "INSERT INTO trusted_devices (token_hash, user_id, expires_at) \
         VALUES ($1, $2, now() + make_interval(secs => $3))",
    )
    .bind(lookup_hash(&token))
    .bind(user_id.0)
    .bind(lifetime)
    .execute(pool)
    .await?;
    // Forget expired devices of this user and all but the most recently used few.
    sqlx::query(
        "DELETE FROM trusted_devices WHERE user_id = $1 AND (expires_at <= now() OR token_hash IN ( \
           SELECT token_hash FROM trusted_devices WHERE user_id = $1 \
           ORDER BY last_used_at DESC OFFSET $2))",
    )
    .bind(user_id.0)
    .bind(DEVICES_PER_USER)
    .execute(pool)
    .await?;
    Ok(token)
}

/// The device cookie for `token`.
pub fn device_cookie(req: &HttpRequest, token: &str, settings: &AuthSettings) -> Cookie<'static> {
    Cookie::build(DEVICE_COOKIE, token.to_string())
        .path(DEVICE_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(super::is_tls(req, settings))
        .max_age(time::Duration::seconds(
            i64::try_from(settings.device_lifetime.as_secs()).unwrap_or(i64::MAX),
        ))
        .finish()
}
