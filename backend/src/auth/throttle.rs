//! Login throttling, keyed by the user name that was typed, whether or not it exists (so the
//! answers never tell which names exist): every attempt is counted before the password is checked
//! (a success clears the count), each failure answers a little later, and after `max_failures`
//! within the lockout period the name is locked for that period.

use super::AuthSettings;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use std::time::Duration;

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

/// Counts an attempt before the password is checked, atomically, so parallel guesses cannot all
/// pass the lock check before any failure is recorded. Returns whether this attempt may go ahead
/// (at most `max_failures` per lockout period; the one reaching it sets the lock) and how long a
/// failure should take to answer.
pub async fn reserve_attempt(
    pool: &PgPool,
    settings: &AuthSettings,
    username: &str,
) -> Result<(bool, Duration), sqlx::Error> {
    let attempts: i32 = sqlx::query_scalar(
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
         RETURNING failures",
    )
    .bind(username)
    .bind(settings.lockout.as_secs_f64())
    .bind(settings.max_failures)
    .fetch_one(pool)
    .await?;
    if attempts == settings.max_failures {
        tracing::warn!(username, attempts, "sign-in locked after repeated failures");
    }
    Ok((
        attempts <= settings.max_failures,
        settings.failure_delay * attempts.clamp(1, 10) as u32,
    ))
}

/// A successful login starts the count again.
pub async fn clear(pool: &PgPool, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(pool)
        .await?;
    Ok(())
}
