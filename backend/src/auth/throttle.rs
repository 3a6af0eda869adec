//! Login throttling, keyed by the user name that was typed, whether or not it exists (so the
//! answers never tell which names exist): each failure answers a little later, and after
//! `max_failures` within the lockout period the name is locked for that period.

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

/// Records a failure and locks the name once it has failed too often. Returns the delay to
/// answer with, which grows with the number of consecutive failures.
pub async fn record_failure(
    pool: &PgPool,
    settings: &AuthSettings,
    username: &str,
) -> Result<Duration, sqlx::Error> {
    let failures: i32 = sqlx::query_scalar(
        "INSERT INTO login_failures AS f (username, failures, last_failure_at) VALUES ($1, 1, now()) \
         ON CONFLICT (username) DO UPDATE SET \
           failures = CASE WHEN f.last_failure_at < now() - make_interval(secs => $2) THEN 1 \
                           ELSE f.failures + 1 END, \
           last_failure_at = now(), \
           locked_until = CASE \
             WHEN f.last_failure_at >= now() - make_interval(secs => $2) AND f.failures + 1 >= $3 \
             THEN now() + make_interval(secs => $2) ELSE f.locked_until END \
         RETURNING failures",
    )
    .bind(username)
    .bind(settings.lockout.as_secs_f64())
    .bind(settings.max_failures)
    .fetch_one(pool)
    .await?;
    if failures >= settings.max_failures {
        tracing::warn!(username, failures, "login locked after repeated failures");
    }
    Ok(settings.failure_delay * failures.clamp(1, 10) as u32)
}

/// A successful login starts the count again.
pub async fn clear(pool: &PgPool, username: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_failures WHERE username = $1")
        .bind(username)
        .execute(pool)
        .await?;
    Ok(())
}
