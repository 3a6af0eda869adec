//! Faults, with the real server binary: a retried command lands once (`Idempotency-Key`) even when
//! the server was killed between its append and its answer; SIGTERM closes live sockets with
//! "reconnect" and exits in time; a PostgreSQL outage (a private cluster stopped mid-load) is
//! answered 503 within two seconds, and nothing refused lands later.
// Figures are printed for the run's log.
#![allow(clippy::print_stdout)]

mod support;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};
use support::{free_port, log_in_as_new_admin, post, server, server_logging, wait_healthy};
use tokio::process::Command;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

fn test_database() -> String {
    format!(
        "postgres://postgres@127.0.0.1:5432/throughline_test_{}",
        Uuid::new_v4().simple()
    )
}

/// A program with `n` projects; returns the program and the projects' status URLs.
async fn program_with_projects(
    client: &reqwest::Client,
    base: &str,
    n: usize,
) -> (String, Vec<String>) {
    let program = post(
        client,
        format!("{base}/api/programs"),
        json!({"name": "Faults", "sponsor": "Sponsor"}),
    )
    .await["program_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut urls = Vec::new();
    for j in 0..n {
        let project = post(
            client,
            format!("{base}/api/programs/{program}/projects"),
            json!({"name": format!("Project {j}"), "manager": "PM"}),
        )
        .await["project_id"]
            .as_str()
            .unwrap()
            .to_string();
        urls.push(format!(
            "{base}/api/programs/{program}/projects/{project}/status"
        ));
    }
    (program, urls)
}

/// How many status reports with each narrative the log holds.
async fn narratives(pool: &PgPool) -> HashMap<String, usize> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT payload->>'narrative' FROM events WHERE event_type = 'ProjectStatusReported'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut counts = HashMap::new();
    for (n,) in rows {
        *counts.entry(n).or_insert(0) += 1;
    }
    counts
}

async fn report(
    client: &reqwest::Client,
    url: &str,
    key: &str,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(url)
        .header("idempotency-key", key)
        .json(&json!({"rag": "amber", "narrative": key}))
        .send()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_retried_with_their_keys_after_a_kill_land_exactly_once() {
    let database_url = test_database();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = server(&database_url, port);
    wait_healthy(&reqwest::Client::new(), &base).await;
    let client = log_in_as_new_admin(&database_url, &base).await;
    let (_, urls) = program_with_projects(&client, &base, 6).await;

    // Six reporters, each sending keyed reports until the server dies under them.
    let writers: Vec<_> = urls
        .iter()
        .cloned()
        .enumerate()
        .map(|(w, url)| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut answered: Vec<(String, Value)> = Vec::new();
                for n in 0.. {
                    let key = format!("w{w}-{n}");
                    match report(&client, &url, &key).await {
                        Ok(res) if res.status().is_success() => {
                            answered.push((key, res.json().await.unwrap()));
                        }
                        // The one in flight when the server died: its outcome is unknown.
                        _ => return (url, answered, key),
                    }
                }
                unreachable!()
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().await.expect("SIGKILL the server");
    let mut results = Vec::new();
    for w in writers {
        results.push(w.await.unwrap());
    }
    let answered: usize = results.iter().map(|(_, a, _)| a.len()).sum();
    assert!(
        answered > 30,
        "only {answered} reports were answered before the kill"
    );

    let _child = server(&database_url, port);
    wait_healthy(&client, &base).await;
    let pool = PgPool::connect(&database_url).await.unwrap();
    let before = narratives(&pool).await;
    let landed_unanswered = results
        .iter()
        .filter(|(_, _, key)| before.contains_key(key))
        .count();
    println!(
        "{answered} answered before the kill; of the {} in flight, {landed_unanswered} had landed without an answer",
        results.len()
    );

    for (url, answered, in_flight) in &results {
        // The unanswered one, retried with its key: accepted, and not appended twice.
        let res = report(&client, url, in_flight).await.unwrap();
        assert!(
            res.status().is_success(),
            "retry of {in_flight}: {}",
            res.status()
        );
        // An answered one, retried: the original answer, replayed.
        if let Some((key, original)) = answered.last() {
            let res = report(&client, url, key).await.unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(
                res.headers()
                    .get("idempotent-replayed")
                    .map(|v| v.to_str().unwrap()),
                Some("true")
            );
            assert_eq!(&res.json::<Value>().await.unwrap(), original);
        }
    }

    let after = narratives(&pool).await;
    for (_, answered, in_flight) in &results {
        for key in answered.iter().map(|(k, _)| k).chain([in_flight]) {
            assert_eq!(
                after.get(key),
                Some(&1),
                "report {key} is in the log {:?} times",
                after.get(key)
            );
        }
    }
    let total: usize = after.values().sum();
    assert_eq!(
        total,
        answered + results.len(),
        "reports beyond the ones sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_live_sockets_with_reconnect_and_exits_in_time() {
    let database_url = test_database();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = server(&database_url, port);
    wait_healthy(&reqwest::Client::new(), &base).await;
    let client = log_in_as_new_admin(&database_url, &base).await;
    let (program, urls) = program_with_projects(&client, &base, 2).await;
    let token = post(
        &client,
        format!("{base}/api/tokens"),
        json!({"name": "live", "scope": "read_only"}),
    )
    .await["secret"]
        .as_str()
        .unwrap()
        .to_string();

    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://127.0.0.1:{port}/api/live")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws.send(Message::Text(
        format!(r#"{{"type":"subscribe","program_id":"{program}","after":0}}"#).into(),
    ))
    .await
    .unwrap();

    // Writers keep going through the shutdown; whatever was acknowledged must be in the log.
    let writers: Vec<_> = urls
        .iter()
        .cloned()
        .map(|url| {
            let client = client.clone();
            tokio::spawn(async move {
                let mut acked = Vec::new();
                for n in 0.. {
                    let narrative = format!("{url}-{n}");
                    match client
                        .post(&url)
                        .json(&json!({"rag": "green", "narrative": narrative}))
                        .send()
                        .await
                    {
                        Ok(res) if res.status().is_success() => acked.push(narrative),
                        _ => return acked,
                    }
                }
                acked
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;

    let pid = child.id().expect("a running server").to_string();
    let signalled = Instant::now();
    let status = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .unwrap();
    assert!(status.success());

    // The socket is told to reconnect, before the server is gone.
    let close = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(message) = ws.next().await {
            if let Ok(Message::Close(frame)) = message {
                return frame;
            }
        }
        None
    })
    .await
    .expect("no close frame within 5 s")
    .expect("the socket closed without a close frame");
    assert_eq!(u16::from(close.code), 1012, "{close:?}");
    assert_eq!(close.reason.as_str(), "reconnect");

    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server did not exit within 10 s of SIGTERM")
        .unwrap();
    println!("exited {exit:?} {:?} after SIGTERM", signalled.elapsed());
    assert!(exit.success(), "{exit:?}");

    let pool = PgPool::connect(&database_url).await.unwrap();
    let log = narratives(&pool).await;
    for w in writers {
        for narrative in w.await.unwrap() {
            assert_eq!(
                log.get(&narrative),
                Some(&1),
                "acknowledged {narrative} is not in the log once"
            );
        }
    }
}

/// A PostgreSQL cluster of the test's own, on a free port, that it can stop and start.
struct PrivateCluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_postgres: bool,
}

impl PrivateCluster {
    async fn start_new() -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .expect("PostgreSQL's binaries under /usr/lib/postgresql")
            .filter_map(|e| e.ok())
            .map(|e| e.path().join("bin"))
            .filter(|p| p.join("initdb").exists())
            .max()
            .expect("initdb");
        let dir = std::env::temp_dir().join(format!("throughline-pg-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        // initdb refuses to run as root: then the cluster belongs to `postgres`.
        let uid = std::process::Command::new("id").arg("-u").output().unwrap();
        let as_postgres = String::from_utf8_lossy(&uid.stdout).trim() == "0";
        if as_postgres {
            let ok = std::process::Command::new("chown")
                .args(["postgres:", dir.to_str().unwrap()])
                .status()
                .unwrap();
            assert!(ok.success());
        }
        let cluster = Self {
            bin,
            dir,
            port: free_port(),
            as_postgres,
        };
        let data = cluster.dir.join("data");
        cluster
            .run(
                "initdb",
                &[
                    "-D",
                    data.to_str().unwrap(),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--no-sync",
                    "-E",
                    "UTF8",
                ],
            )
            .await;
        cluster.start().await;
        cluster
    }

    async fn run(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let mut command = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(&program);
            c
        } else {
            Command::new(&program)
        };
        let out = command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    async fn start(&self) {
        let data = self.dir.join("data");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("log");
        self.run(
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        )
        .await;
    }

    /// A fast shutdown: open transactions are rolled back, connections cut.
    async fn stop(&self) {
        let data = self.dir.join("data");
        self.run(
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"],
        )
        .await;
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/throughline", self.port)
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        let data = self.dir.join("data");
        let pg_ctl = self.bin.join("pg_ctl");
        let mut command = if self.as_postgres {
            let mut c = std::process::Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(pg_ctl);
            c
        } else {
            std::process::Command::new(pg_ctl)
        };
        let _ = command
            .args(["-D", data.to_str().unwrap_or(""), "-m", "immediate", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One request of the load, as the client saw it.
#[derive(Debug)]
struct Answer {
    key: Option<String>,
    sent: Instant,
    took: Duration,
    status: Option<u16>,
    retry_after: bool,
    outcome_unknown: bool,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_is_answered_503_fast_and_nothing_refused_lands_later() {
    let cluster = PrivateCluster::start_new().await;
    let database_url = cluster.url();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _child = server_logging(&database_url, port, "off");
    wait_healthy(&reqwest::Client::new(), &base).await;
    let client = log_in_as_new_admin(&database_url, &base).await;
    let (program, urls) = program_with_projects(&client, &base, 4).await;

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for (w, url) in urls.iter().cloned().enumerate() {
        let (client, stop) = (client.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for n in 0.. {
                if stop.load(std::sync::atomic::Ordering::Relaxed) {
                    break;
                }
                let key = format!("o{w}-{n}");
                let sent = Instant::now();
                let res = report(&client, &url, &key).await;
                answers.push(answer(Some(key), sent, res).await);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answers
        }));
    }
    for _ in 0..2 {
        let (client, stop) = (client.clone(), stop.clone());
        let url = format!("{base}/api/programs/{program}");
        tasks.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let sent = Instant::now();
                let res = client.get(&url).send().await;
                answers.push(answer(None, sent, res).await);
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            answers
        }));
    }

    tokio::time::sleep(Duration::from_millis(1500)).await;
    cluster.stop().await;
    let down = Instant::now();
    tokio::time::sleep(Duration::from_secs(5)).await;
    // The database takes connections a little before `pg_ctl` says so: "down" ends here.
    let starting = Instant::now();
    cluster.start().await;
    let up = Instant::now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answers: Vec<Answer> = Vec::new();
    for t in tasks {
        answers.extend(t.await.unwrap());
    }

    let slowest = answers.iter().map(|a| a.took).max().unwrap();
    let refused: Vec<&Answer> = answers.iter().filter(|a| a.status == Some(503)).collect();
    let first_success_after = answers
        .iter()
        .filter(|a| a.sent >= up && a.status.is_some_and(|s| s < 300))
        .map(|a| a.sent + a.took - up)
        .min();
    let during: Vec<&Answer> = answers
        .iter()
        .filter(|a| a.sent > down + Duration::from_millis(200) && a.sent + a.took < starting)
        .collect();
    println!(
        "{} requests, {} answered 503, slowest answer {slowest:?}, first success {first_success_after:?} after the database was back",
        answers.len(),
        refused.len()
    );
    assert!(
        !during.is_empty(),
        "no request was answered while the database was down"
    );
    for a in &answers {
        assert!(a.status.is_some(), "a request got no answer: {a:?}");
        assert!(
            a.took < Duration::from_millis(2500),
            "a request waited {:?} for its answer: {a:?}",
            a.took
        );
        assert!(
            matches!(a.status, Some(200 | 201 | 503)),
            "unexpected answer {a:?}"
        );
    }
    for a in &during {
        assert_eq!(
            a.status,
            Some(503),
            "answered while the database was down: {a:?}"
        );
    }
    for a in &refused {
        assert!(a.retry_after, "a 503 without Retry-After: {a:?}");
    }
    let resumed = first_success_after.expect("no success after the database came back");
    assert!(
        resumed < Duration::from_secs(3),
        "resumed only {resumed:?} after the database was back"
    );

    // Nothing refused as "not recorded" landed later; every success is there once; a refusal
    // with an unknown outcome is retried with its key and then is there once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let pool = PgPool::connect(&database_url).await.unwrap();
    let log = narratives(&pool).await;
    let mut seen = HashSet::new();
    for a in answers.iter().filter(|a| a.key.is_some()) {
        let key = a.key.as_ref().unwrap();
        seen.insert(key.clone());
        match a.status {
            Some(200 | 201) => assert_eq!(
                log.get(key),
                Some(&1),
                "{key} acknowledged but not in the log once"
            ),
            Some(503) if !a.outcome_unknown => {
                assert_eq!(
                    log.get(key),
                    None,
                    "{key} was refused as not recorded, yet it is in the log"
                )
            }
            _ => assert!(
                log.get(key).is_none_or(|n| *n == 1),
                "{key} is in the log more than once"
            ),
        }
    }
    for a in answers.iter().filter(|a| a.outcome_unknown) {
        let key = a.key.as_ref().unwrap();
        let w: usize = key[1..key.find('-').unwrap()].parse().unwrap();
        let res = report(&client, &urls[w], key).await.unwrap();
        assert!(
            res.status().is_success(),
            "retry of {key}: {}",
            res.status()
        );
    }
    let log = narratives(&pool).await;
    for a in answers.iter().filter(|a| a.outcome_unknown) {
        let key = a.key.as_ref().unwrap();
        assert_eq!(
            log.get(key),
            Some(&1),
            "{key}, retried, is not in the log once"
        );
    }
    assert!(log.keys().all(|k| seen.contains(k) || !k.starts_with('o')));
}

async fn answer(
    key: Option<String>,
    sent: Instant,
    res: reqwest::Result<reqwest::Response>,
) -> Answer {
    let took = sent.elapsed();
    match res {
        Ok(res) => {
            let status = res.status().as_u16();
            let retry_after = res.headers().contains_key("retry-after");
            let body: Value = res.json().await.unwrap_or(Value::Null);
            Answer {
                key,
                sent,
                took,
                status: Some(status),
                retry_after,
                outcome_unknown: body["error"]["details"]["outcome_unknown"] == true,
            }
        }
        Err(_) => Answer {
            key,
            sent,
            took,
            status: None,
            retry_after: false,
            outcome_unknown: true,
        },
    }
}
