//! Connecting to PostgreSQL: create the database if needed, then migrate.

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use std::str::FromStr;
use std::time::Duration;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Creates the database named in `url` if it does not exist yet.
pub async fn ensure_database(url: &str) -> anyhow::Result<()> {
    let options = PgConnectOptions::from_str(url)?;
    let name = options
        .get_database()
        .ok_or_else(|| anyhow::anyhow!("DATABASE_URL must name a database"))?
        .to_string();
    let mut admin = options.clone().database("postgres").connect().await?;
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
            .bind(&name)
            .fetch_one(&mut admin)
            .await?;
    if !exists {
        let quoted = format!("\"{}\"", name.replace('"', "\"\""));
        let create = format!("CREATE DATABASE {quoted}");
        match sqlx::raw_sql(sqlx::AssertSqlSafe(create))
            .execute(&mut admin)
            .await
        {
            Ok(_) => tracing::info!(database = %name, "created database"),
            // Another process created it between our check and our CREATE.
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
            Err(e) => return Err(e.into()),
        }
    }
    admin.close().await?;
    Ok(())
}

/// How long a request waits for a connection by default: long enough for a busy pool, short
/// enough that a database outage is answered (503) well within two seconds.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_millis(1500);

pub async fn connect(url: &str, max_connections: u32) -> anyhow::Result<PgPool> {
    connect_with_timeout(url, max_connections, ACQUIRE_TIMEOUT).await
}

pub async fn connect_with_timeout(
    url: &str,
    max_connections: u32,
    acquire_timeout: Duration,
) -> anyhow::Result<PgPool> {
    let options = PgConnectOptions::from_str(url)?;
    Ok(PgPoolOptions::new()
        .max_connections(max_connections)
        .acquire_timeout(acquire_timeout)
        .connect_with(options)
        .await?)
}

/// Whether `error` means the database could not be reached or went away (as opposed to a query
/// it refused): an outage, answered 503 and retried, never a bug.
pub fn is_unreachable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        // Class 08: connection exceptions; 57P01-03: the server is shutting down or starting;
        // 53300: no connection slot left.
        sqlx::Error::Database(e) => e.code().is_some_and(|code| {
            code.starts_with("08") || matches!(code.as_ref(), "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// `is_unreachable` for the error types that carry a database error, looked up by type so that
/// every `ApiError::internal(e)` call site answers an outage as one.
pub fn unreachable_in(error: &dyn std::any::Any) -> bool {
    use crate::event_store::{AppendError, StoreError};
    if let Some(e) = error.downcast_ref::<sqlx::Error>() {
        return is_unreachable(e);
    }
    if let Some(StoreError::Database(e)) = error.downcast_ref::<StoreError>() {
        return is_unreachable(e);
    }
    if let Some(e) = error.downcast_ref::<AppendError>() {
        return matches!(e, AppendError::Database(e) if is_unreachable(e));
    }
    if let Some(e) = error.downcast_ref::<anyhow::Error>() {
        return e.downcast_ref::<sqlx::Error>().is_some_and(is_unreachable)
            || matches!(e.downcast_ref::<StoreError>(), Some(StoreError::Database(e)) if is_unreachable(e));
    }
    false
}

pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await?;
    Ok(())
}
