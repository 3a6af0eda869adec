//! Retries and races: `Idempotency-Key` answers a retry with the original answer and appends
//! nothing; commands that asked for no version are decided again instead of conflicting; the
//! operator's `/metrics`.

use reqwest::StatusCode;
use serde_json::{Value, json};
use throughline_shared::access::TokenScope;
use throughline_tests::{TestApp, assert_error, bearer_client};

async fn events_in_log(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retry_with_the_same_key_gets_the_original_answer_and_appends_nothing() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "Keyed", "sponsor": "Dana Sponsor"});
    let send = |key: &'static str, body: Value| {
        app.client
            .post(app.url("/api/programs"))
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
    };
    let first = send("create-keyed-1", body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let original: Value = first.json().await.unwrap();
    let count = events_in_log(&app).await;

    let again = send("create-keyed-1", body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.json::<Value>().await.unwrap(), original);
    // The same key quoted as a structured-field string is the same key.
    let quoted = send("\"create-keyed-1\"", body.clone()).await.unwrap();
    assert_eq!(quoted.json::<Value>().await.unwrap(), original);
    assert_eq!(events_in_log(&app).await, count, "a retry appended");

    // The same key for another request is a client bug, refused without effect.
    let other = send(
        "create-keyed-1",
        json!({"name": "Other", "sponsor": "Dana Sponsor"}),
    )
    .await
    .unwrap();
    assert_error(
        other,
        StatusCode::UNPROCESSABLE_ENTITY,
        "idempotency_key_reused",
    )
    .await;
    assert_eq!(events_in_log(&app).await, count);

    // Keys are per user: another user's identical key is another request.
    let (_, bob) = app.client_as("bob-keys").await;
    let bobs = bob
        .post(app.url("/api/programs"))
        .header("Idempotency-Key", "create-keyed-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(bobs.status(), StatusCode::CREATED);
    assert_ne!(
        bobs.json::<Value>().await.unwrap()["program_id"],
        original["program_id"]
    );

    // Malformed keys, and endpoints that cannot honour one, say so.
    for bad in ["", "has space", &"k".repeat(256)] {
        let res = app
            .client
            .post(app.url("/api/programs"))
            .header("Idempotency-Key", bad)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_error(res, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
    }
    let res = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        .header("Idempotency-Key", "login-1")
        .json(&json!({"username": "x", "password": "y"}))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::BAD_REQUEST, "idempotency_not_supported").await;
}

#[tokio::test]
async fn the_same_keyed_command_sent_many_times_at_once_lands_once() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Racing retries").await;
    let project = app.add_project(program, "Payments").await;
    let url = app.url(&format!(
        "/api/programs/{program}/projects/{project}/status"
    ));
    let before = events_in_log(&app).await;
    let sends = (0..12).map(|_| {
        app.client
            .post(&url)
            .header("Idempotency-Key", "report-once")
            .json(&json!({"rag": "red", "narrative": "sent twelve times"}))
            .send()
    });
    let answers = futures_util::future::join_all(sends).await;
    let mut positions = Vec::new();
    for res in answers {
        let res = res.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
        positions.push(res.json::<Value>().await.unwrap()["position"].clone());
    }
    assert!(positions.windows(2).all(|w| w[0] == w[1]), "{positions:?}");
    assert_eq!(events_in_log(&app).await, before + 1);
}

#[tokio::test]
async fn reports_that_name_no_version_are_all_recorded_and_stale_versions_conflict() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Busy project").await;
    let project = app.add_project(program, "Payments").await;
    let url = app.url(&format!(
        "/api/programs/{program}/projects/{project}/status"
    ));
    let reports = (0..16).map(|n| {
        app.client
            .post(&url)
            .json(&json!({"rag": "amber", "narrative": format!("reporter {n}")}))
            .send()
    });
    for res in futures_util::future::join_all(reports).await {
        let res = res.unwrap();
        assert_eq!(
            res.status(),
            StatusCode::OK,
            "{}",
            res.text().await.unwrap()
        );
    }
    let reported: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE stream_id = $1 AND event_type = 'ProjectStatusReported'",
    )
    .bind(project.0)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(reported, 16);

    // Sixteen who all edited version 17 (added + 16 reports): one wins, fifteen are told.
    let version: i64 = 17;
    let reports = (0..16).map(|n| {
        app.client
            .post(&url)
            .json(&json!({"rag": "green", "narrative": format!("edited {n}"), "expected_version": version}))
            .send()
    });
    let mut statuses: Vec<u16> = Vec::new();
    for res in futures_util::future::join_all(reports).await {
        statuses.push(res.unwrap().status().as_u16());
    }
    statuses.sort();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        15,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn metrics_are_for_administrators_in_prometheus_text() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Measured").await;
    let _ = app.get(&format!("/api/programs/{program}")).await;

    let res = app.client.get(app.url("/metrics")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    let text = res.text().await.unwrap();
    for name in [
        "throughline_appends_total",
        "throughline_appended_events_total",
        "throughline_append_seconds_bucket",
        "throughline_append_batch_events_bucket",
        "throughline_projection_lag_events{name=\"program_views\"}",
        "throughline_live_sockets",
        "throughline_db_pool_connections{name=\"requests\"}",
        "throughline_db_pool_max_connections{name=\"appender\"}",
        "throughline_http_request_seconds_count{method=\"GET\",route=\"/api/programs/{program_id}\",status=\"200\"}",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
    assert!(text.trim_end().ends_with("# EOF"));

    let (user, _) = app.client_as("not-an-admin").await;
    let token = app.token_for(user, TokenScope::ReadOnly, None).await;
    let res = bearer_client(&token)
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_error(res, StatusCode::FORBIDDEN, "forbidden").await;
    let res = reqwest::get(app.url("/metrics")).await.unwrap();
    assert_error(res, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}
