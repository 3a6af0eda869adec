//! Memory under a sign-in flood: starts the real `throughline` server as a child process on a
//! fresh database, measures its resident memory (VmRSS from /proc/<pid>/status) idle (the
//! baseline) and after one warm-up sign-in, then fires rounds of 1,000 parallel sign-ins with
//! unknown names at it (127.0.0.1 only) and prints the peak during each round and the RSS after
//! it, right away and once idle threads and allocator caches have had time to let go.
//!
//! Not a test (nothing here runs under `cargo test`). Run it against a release build:
//!
//! ```sh
//! cargo build --release -p throughline-backend --bin throughline --example signin_rss
//! target/release/examples/signin_rss            # ROUNDS=3 PARALLEL=1000 by default
//! ```
//!
//! `THROUGHLINE_BIN` overrides the server binary (default: `../throughline` next to this
//! example's directory); `TEST_DATABASE_SERVER` the PostgreSQL server
//! (`postgres://postgres@127.0.0.1:5432`). Linux only (reads /proc).
// An example's figures are its output.
#![allow(clippy::print_stdout)]

use serde_json::json;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The child's resident set in KiB, or `None` once it is gone.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn threads(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .and_then(|v| v.trim().parse().ok())
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

struct Server {
    child: Child,
    url: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(binary: &PathBuf, database_url: &str) -> anyhow::Result<Server> {
    let mut child = Command::new(binary)
        .arg("serve")
        .env("DATABASE_URL", database_url)
        .env("THROUGHLINE_ADDR", "127.0.0.1:0")
        .env("THROUGHLINE_UI_DIR", "/nonexistent")
        .env("RUST_LOG", "error")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", binary.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let url = loop {
        let Some(line) = lines.next() else {
            anyhow::bail!("the server exited before it served");
        };
        if let Some(url) = line?.strip_prefix("Throughline is running at ") {
            break url.trim().to_string();
        }
    };
    if !url.starts_with("http://127.0.0.1:") {
        anyhow::bail!("refusing to flood {url}: 127.0.0.1 only");
    }
    Ok(Server { child, url })
}

/// Samples the child's RSS every 20 ms until stopped; returns the peak.
fn sample_peak(pid: u32, stop: Arc<AtomicU64>) -> std::thread::JoinHandle<u64> {
    std::thread::spawn(move || {
        let mut peak = 0;
        while stop.load(Ordering::Relaxed) == 0 {
            if let Some(rss) = rss_kib(pid) {
                peak = peak.max(rss);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        peak
    })
}

async fn sign_in(client: &reqwest::Client, url: &str, name: &str) -> u16 {
    match client
        .post(format!("{url}/api/auth/login"))
        .json(&json!({"username": name, "password": "not anybody's password"}))
        .send()
        .await
    {
        Ok(res) => res.status().as_u16(),
        Err(_) => 0,
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rounds = env_number("ROUNDS", 3);
    let parallel = env_number("PARALLEL", 1_000);
    let binary = match std::env::var_os("THROUGHLINE_BIN") {
        Some(path) => PathBuf::from(path),
        None => std::env::current_exe()?
            .parent()
            .and_then(|examples| examples.parent())
            .map(|dir| dir.join("throughline"))
            .ok_or_else(|| anyhow::anyhow!("set THROUGHLINE_BIN"))?,
    };
    let server = std::env::var("TEST_DATABASE_SERVER")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let database = format!("throughline_bench_rss_{}", uuid::Uuid::new_v4().simple());
    let database_url = format!("{server}/{database}");

    let running = start_server(&binary, &database_url)?;
    let pid = running.child.id();
    let url = running.url.clone();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(parallel)
        .timeout(Duration::from_secs(120))
        .build()?;

    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = rss_kib(pid).ok_or_else(|| anyhow::anyhow!("the server died"))?;
    println!(
        "server {} (pid {pid}), {parallel} parallel sign-ins x {rounds} rounds",
        binary.display()
    );
    println!("baseline, idle:                  {:>10}", mib(idle));
    let status = sign_in(&client, &url, "warm-up-name").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let warm = rss_kib(pid).unwrap_or(0);
    println!("after one sign-in ({status}):          {:>10}", mib(warm));

    let mut last_after = warm;
    for round in 1..=rounds {
        let stop = Arc::new(AtomicU64::new(0));
        let sampler = sample_peak(pid, stop.clone());
        let started = Instant::now();
        let mut attempts = tokio::task::JoinSet::new();
        for i in 0..parallel {
            let client = client.clone();
            let url = url.clone();
            attempts
                .spawn(async move { sign_in(&client, &url, &format!("nobody-{round}-{i}")).await });
        }
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        while let Some(status) = attempts.join_next().await {
            *statuses.entry(status.unwrap_or(0)).or_default() += 1;
        }
        let took = started.elapsed();
        let right_after = rss_kib(pid).unwrap_or(0);
        stop.store(1, Ordering::Relaxed);
        let peak = sampler.join().unwrap_or(0).max(right_after);
        // Blocking-pool threads idle out after 10 s; allocators return memory on their own delay.
        tokio::time::sleep(Duration::from_secs(12)).await;
        let settled = rss_kib(pid).unwrap_or(0);
        last_after = settled;
        println!(
            "round {round}: {took:>6.1?}  statuses {statuses:?}\n  peak {:>10}   right after {:>10}   12 s later {:>10}   threads {}",
            mib(peak),
            mib(right_after),
            mib(settled),
            threads(pid).unwrap_or(0),
        );
    }
    println!(
        "after {rounds} x {parallel}: {} (baseline {}, +{})",
        mib(last_after),
        mib(idle),
        mib(last_after.saturating_sub(idle))
    );
    drop(running);

    // Leave no database behind.
    let admin = sqlx::PgPool::connect(&format!("{server}/postgres")).await?;
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
    )))
    .execute(&admin)
    .await?;
    Ok(())
}
