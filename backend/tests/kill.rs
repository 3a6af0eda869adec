//! Durability: SIGKILL the real server binary in the middle of a write load, restart it, and check
//! that every acknowledged append is there and the projection equals a rebuild from position 0.

use serde_json::{Value, json};
use sqlx::PgPool;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::Command;
use uuid::Uuid;

mod support;

use support::{BIN, free_port, log_in_as_new_admin, post, server, wait_healthy};

async fn program_views(pool: &PgPool) -> Vec<(Uuid, Value, i64)> {
    // The head with its parts put back: the whole view as stored.
    sqlx::query_as(
        "SELECT v.program_id, v.view || coalesce((SELECT jsonb_object_agg(kind, parts) FROM \
       (SELECT CASE kind WHEN 'dependency' THEN 'dependencies' ELSE kind || 's' END AS kind, jsonb_agg(body ORDER BY ord) AS parts FROM program_view_parts p \
        WHERE p.program_id = v.program_id GROUP BY kind) k), '{}'), \
     v.position FROM program_views v ORDER BY v.program_id",
    )
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_appends_survive_a_kill_and_projections_equal_a_rebuild() {
    let database_url = format!(
        "postgres://postgres@127.0.0.1:5432/throughline_test_{}",
        Uuid::new_v4().simple()
    );
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let anonymous = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut child = server(&database_url, port);
    wait_healthy(&anonymous, &base).await;
    let client = log_in_as_new_admin(&database_url, &base).await;

    let mut projects = Vec::new();
    for p in 0..4 {
        let program = post(
            &client,
            format!("{base}/api/programs"),
            json!({"name": format!("Program {p}"), "sponsor": "Sponsor"}),
        )
        .await["program_id"]
            .as_str()
            .unwrap()
            .to_string();
        for j in 0..3 {
            let project = post(
                &client,
                format!("{base}/api/programs/{program}/projects"),
                json!({"name": format!("Project {j}"), "manager": "PM"}),
            )
            .await["project_id"]
                .as_str()
                .unwrap()
                .to_string();
            projects.push((program.clone(), project));
        }
    }

    // Twelve reporters, one per project, each recording what the server acknowledged.
    let writers: Vec<_> = projects
        .iter()
        .cloned()
        .map(|(program, project)| {
            let client = client.clone();
            let url = format!("{base}/api/programs/{program}/projects/{project}/status");
            tokio::spawn(async move {
                let mut acked: Vec<(i64, i64, String)> = Vec::new();
                for n in 0.. {
                    let narrative = format!("report {n}");
                    let Ok(res) = client
                        .post(&url)
                        .json(&json!({"rag": "amber", "narrative": narrative}))
                        .send()
                        .await
                    else {
                        break;
                    };
                    if !res.status().is_success() {
                        break;
                    }
                    let Ok(body) = res.json::<Value>().await else {
                        break;
                    };
                    acked.push((
                        body["position"].as_i64().unwrap(),
                        body["version"].as_i64().unwrap(),
                        narrative,
                    ));
                }
                (project, acked)
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(1500)).await;
    child.kill().await.expect("SIGKILL the server");
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.push(w.await.unwrap());
    }
    let total: usize = acknowledged.iter().map(|(_, a)| a.len()).sum();
    assert!(
        total > 50,
        "the load acknowledged only {total} appends before the kill"
    );

    let mut child = server(&database_url, port);
    wait_healthy(&client, &base).await;
    let pool = PgPool::connect(&database_url).await.unwrap();
    for (project, acked) in &acknowledged {
        let project = Uuid::parse_str(project).unwrap();
        for (position, version, narrative) in acked {
            let row: Option<(Uuid, i64, String)> = sqlx::query_as(
                "SELECT stream_id, version, payload->>'narrative' FROM events WHERE position = $1",
            )
            .bind(position)
            .fetch_optional(&pool)
            .await
            .unwrap();
            assert_eq!(
                row,
                Some((project, *version, narrative.clone())),
                "acknowledged append at position {position} is missing or different"
            );
        }
    }
    let report: Value = client
        .get(format!("{base}/api/verify"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["ok"], true, "{report}");

    // Let the restarted projection catch up, then compare with a rebuild from position 0.
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&pool)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let at: Option<i64> = sqlx::query_scalar(
            "SELECT position FROM projection_checkpoints WHERE name = 'program_views'",
        )
        .fetch_optional(&pool)
        .await
        .unwrap();
        if at == Some(head) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "projection stuck at {at:?} of {head}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let live = program_views(&pool).await;
    child.kill().await.unwrap();

    let status = Command::new(BIN)
        .arg("rebuild")
        .env("DATABASE_URL", &database_url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(status.success());
    assert_eq!(
        program_views(&pool).await,
        live,
        "projection differs from a rebuild"
    );
    let status = Command::new(BIN)
        .arg("verify")
        .env("DATABASE_URL", &database_url)
        .stdout(Stdio::null())
        .status()
        .await
        .unwrap();
    assert!(status.success());
}
