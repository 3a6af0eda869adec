//! What the benchmarks share: their own databases, the scale and part switches.
#![allow(dead_code)]

use sqlx::PgPool;
use std::net::SocketAddr;
use std::time::Duration;
use throughline_backend::configuration::Settings;
use throughline_backend::event_store::EventStore;
use throughline_backend::request_context::RequestContext;
use throughline_backend::startup::Application;
use throughline_backend::{accounts, db};
use throughline_shared::access::TokenScope;
use throughline_shared::api::{CreateTokenRequest, CreateUserRequest};
use uuid::Uuid;

/// `BENCH_SCALE=0.1` shrinks every workload (for a quick look).
pub fn scale(n: usize) -> usize {
    let s: f64 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0);
    ((n as f64) * s).max(1.0) as usize
}

/// `BENCH_ONLY=a,c` runs only those parts.
pub fn enabled(part: &str) -> bool {
    std::env::var("BENCH_ONLY").map_or(true, |only| only.split(',').any(|p| p.trim() == part))
}

/// A new, migrated database (`BENCH_SCHEMA_SQL` is run on it, to try schema changes).
pub async fn database(tag: &str) -> (String, PgPool) {
    let server = std::env::var("TEST_DATABASE_SERVER")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let url = format!(
        "{server}/throughline_bench_{tag}_{}",
        Uuid::new_v4().simple()
    );
    db::ensure_database(&url).await.unwrap();
    let pool = db::connect(&url, 64).await.unwrap();
    db::migrate(&pool).await.unwrap();
    if let Ok(sql) = std::env::var("BENCH_SCHEMA_SQL") {
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&pool)
            .await
            .unwrap();
    }
    (url, pool)
}

pub async fn drop_database(url: &str, pool: PgPool) {
    pool.close().await;
    let name = url.rsplit('/').next().unwrap().to_string();
    let admin = db::connect(&url.replace(&name, "postgres"), 1)
        .await
        .unwrap();
    let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
    )))
    .execute(&admin)
    .await;
}

pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

/// The `q` quantile of sorted durations.
pub fn quantile(sorted: &[std::time::Duration], q: f64) -> std::time::Duration {
    sorted
        .get(((sorted.len().saturating_sub(1)) as f64 * q).round() as usize)
        .copied()
        .unwrap_or_default()
}

/// A server spawned in this process, with an administrator's read-write token.
pub struct Server {
    pub port: u16,
    pub base: String,
    pub pool: PgPool,
    pub store: EventStore,
    pub token: String,
    /// Sends the token on every request.
    pub client: reqwest::Client,
}

pub async fn server(url: &str, pool_size: u32) -> Server {
    server_as(url, pool_size, "bench").await
}

/// Like `server`, with its administrator named `admin` (another instance on the same database
/// needs another name).
pub async fn server_as(url: &str, pool_size: u32, admin: &str) -> Server {
    let settings = Settings {
        database_url: url.to_string(),
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        ui_dir: "/nonexistent".into(),
        auth: Default::default(),
        pool_size,
        escalation_check: Duration::from_secs(3600),
        metrics_addr: None,
        view_cache_bytes: 256 << 20,
    };
    let app = Application::build(settings).await.unwrap();
    let port = app.port();
    let pool = app.pool().clone();
    tokio::spawn(app.run_until_stopped());
    let store = EventStore::start(pool.clone());
    let ctx = RequestContext::system("bench");
    let user = accounts::create_user(
        &store,
        &ctx,
        CreateUserRequest {
            username: admin.into(),
            display_name: "Bench".into(),
            password: "bench password 1234".into(),
            admin: true,
        },
    )
    .await
    .unwrap();
    let token = accounts::create_token(
        &store,
        &ctx,
        user.user_id,
        CreateTokenRequest {
            name: "bench".into(),
            scope: TokenScope::ReadWrite,
            program_id: None,
        },
    )
    .await
    .unwrap()
    .secret;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    Server {
        port,
        base: format!("http://127.0.0.1:{port}"),
        pool,
        store,
        token,
        client,
    }
}
