//! What the tests that run the real server binary share: starting it, waiting for it, signing in.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

pub const BIN: &str = env!("CARGO_BIN_EXE_throughline");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn server(database_url: &str, port: u16) -> Child {
    server_logging(database_url, port, "warn")
}

/// A server logging at `level` (a test that cuts its database off would drown in warnings).
pub fn server_logging(database_url: &str, port: u16, level: &str) -> Child {
    Command::new(BIN)
        .env("DATABASE_URL", database_url)
        .env("THROUGHLINE_ADDR", format!("127.0.0.1:{port}"))
        .env("THROUGHLINE_UI_DIR", "/nonexistent")
        .env("RUST_LOG", level)
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start the server binary")
}

pub async fn wait_healthy(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(res) = client.get(format!("{base}/api/health")).send().await
            && res.status().is_success()
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become healthy");
}

/// Creates an administrator with the CLI, logs in like a browser and returns a client that sends
/// the session cookie and CSRF token (sessions live in the database, so it outlives a restart).
pub async fn log_in_as_new_admin(database_url: &str, base: &str) -> reqwest::Client {
    let password = "kill test password 123";
    let status = Command::new(BIN)
        .args(["create-admin", "--username", "kill-admin"])
        .env("DATABASE_URL", database_url)
        .env("THROUGHLINE_ADMIN_PASSWORD", password)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(status.success(), "create-admin failed");
    let res = reqwest::Client::new()
        .post(format!("{base}/api/auth/login"))
        .json(&json!({"username": "kill-admin", "password": password}))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "login failed: {}", res.status());
    let cookie = res
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .expect("a session cookie")
        .to_string();
    let me: Value = res.json().await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::COOKIE, cookie.parse().unwrap());
    headers.insert(
        "x-csrf-token",
        me["csrf_token"].as_str().unwrap().parse().unwrap(),
    );
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .default_headers(headers)
        .build()
        .unwrap()
}

pub async fn post(client: &reqwest::Client, url: String, body: Value) -> Value {
    let res = client.post(url).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    res.json().await.unwrap()
}
