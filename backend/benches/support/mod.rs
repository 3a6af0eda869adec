//! What the benchmarks share: their own databases, the scale and part switches.
#![allow(dead_code)]

use serde_json::{Value, json};
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

/// The metadata of an event a benchmark appends itself.
pub fn metadata() -> throughline_shared::EventMetadata {
    throughline_shared::EventMetadata {
        actor: "bench".into(),
        actor_id: None,
        token_id: None,
        correlation_id: Uuid::new_v4(),
        causation_id: None,
        request_id: None,
        reason: None,
    }
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
        snapshot_every: throughline_backend::queries::snapshots::DEFAULT_EVERY,
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

/// Milestones per workstream in the big program (see [`big_program`]).
pub const CLUSTER: usize = 20;

pub async fn post_csv(client: &reqwest::Client, url: String, csv: String) {
    let res = client
        .post(url)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
}

/// A program built through the CSV imports: up to 50 projects, `milestones` milestones and about
/// twice as many dependencies.
pub struct BigProgram {
    pub program: String,
    pub milestone_ids: Vec<String>,
    pub project_ids: Vec<String>,
    pub dependencies: usize,
}

pub async fn big_program(client: &reqwest::Client, base: &str, milestones: usize) -> BigProgram {
    let program: Value = client
        .post(format!("{base}/api/programs"))
        .json(&json!({"name": "Scale", "sponsor": "Bench"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let program = program["program_id"].as_str().unwrap().to_string();
    let project_count = 50.min(milestones);
    for p in 0..project_count {
        let res = client
            .post(format!("{base}/api/programs/{program}/projects"))
            .json(&json!({"name": format!("P{p}"), "manager": "Bench"}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success());
    }
    let mut csv = String::from("project,name,owner,planned\n");
    for i in 0..milestones {
        let planned = chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()
            + chrono::Duration::days((i / 10) as i64);
        csv.push_str(&format!(
            "P{},M{i},Owner {},{planned}\n",
            i % project_count,
            i % 97
        ));
    }
    post_csv(
        client,
        format!("{base}/api/programs/{program}/milestones.csv"),
        csv,
    )
    .await;
    // Clusters of 20 milestones (a workstream): each needs the one or two before it, and each
    // cluster's last milestone needs the next cluster's first. A slip moves its own cluster and
    // one milestone beyond, however large the program: the same footprint in a program of 20
    // milestones (one cluster) and of 5,000, which is what the bytes-per-event comparison needs.
    let mut csv = String::from("provider_project,provider,consumer_project,consumer\n");
    let mut pair = |i: usize, j: usize| {
        csv.push_str(&format!(
            "P{},M{i},P{},M{j}\n",
            i % project_count,
            j % project_count
        ));
    };
    for i in 0..milestones {
        for step in [1, 2] {
            if i % CLUSTER >= step {
                pair(i - step, i);
            }
        }
        if i % CLUSTER == CLUSTER - 1 && i + 1 < milestones {
            pair(i + 1, i);
        }
    }
    let dependencies = csv.lines().count() - 1;
    post_csv(
        client,
        format!("{base}/api/programs/{program}/dependencies.csv"),
        csv,
    )
    .await;
    let view: Value = client
        .get(format!("{base}/api/programs/{program}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let milestone_ids: Vec<String> = view["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["milestone_id"].as_str().unwrap().to_string())
        .collect();
    let project_ids: Vec<String> = view["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project_id"].as_str().unwrap().to_string())
        .collect();
    BigProgram {
        program,
        milestone_ids,
        project_ids,
        dependencies,
    }
}
