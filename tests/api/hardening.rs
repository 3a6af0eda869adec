//! Input that once crashed the server or poisoned the log: absurd dates and durations, control
//! characters, deeply nested XML, a plan linking to a summary milestone, and an event no
//! projection can fold. Each is refused (4xx, nothing appended) or, for an event already in the
//! log, isolated to its program while every other program reads and updates live.

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::time::Duration;
use throughline_backend::event_store::ExpectedVersion;
use throughline_backend::event_store::{AppendRequest, NewEvent, StreamAppend};
use throughline_backend::projection::PROGRAM_VIEWS;
use throughline_shared::ProgramId;
use throughline_shared::api::{HealthResponse, ServerMessage};
use throughline_shared::view::ProgramView;
use throughline_tests::TestApp;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

/// Every response must be a client error with the JSON error body, and the log must not move.
async fn refused(app: &TestApp, res: reqwest::Response, what: &str) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert!(
        status.is_client_error(),
        "{what}: expected a 4xx, got {status}: {body}"
    );
    assert!(
        body["error"]["code"].is_string(),
        "{what}: no JSON error body: {body}"
    );
    let _ = app;
    body
}

#[tokio::test]
async fn absurd_dates_and_durations_are_refused_and_append_nothing() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Dates").await;
    let project = app.add_project(program, "Core").await;
    let milestone = app
        .add_milestone(program, project, "Go-live", "2027-06-30")
        .await;
    let (ada, _) = app.client_as("ada").await;
    app.grant(program, ada, "forum_member", None).await;
    let before = app.head().await;

    for planned in [
        "+262142-01-01",
        "9999-12-31",
        "0001-01-01",
        "1899-12-31",
        "2201-01-01",
    ] {
        let res = app
            .post(
                &format!("/api/programs/{program}/milestones"),
                &json!({"project_id": project, "name": "Far", "owner": "Ann", "planned": planned}),
            )
            .await;
        refused(&app, res, &format!("planned {planned}")).await;
    }
    for to in ["+262142-01-01", "9999-01-01", "1000-01-01"] {
        let res = app
            .post(
                &format!("/api/programs/{program}/milestones/{milestone}/forecast"),
                &json!({"forecast": to}),
            )
            .await;
        refused(&app, res, &format!("forecast {to}")).await;
    }
    let forum = |sla: Value, first: &str| {
        json!({"name": "Board", "purpose": "Decides", "chair": ada, "members": [],
               "quorum": 1, "cadence": "weekly", "first_session": first,
               "decision_sla_days": sla})
    };
    let forums = format!("/api/programs/{program}/forums");
    for (sla, first) in [
        (json!(4_000_000_000_u64), "2027-01-04"),
        (json!(400), "2027-01-04"),
        (json!(10), "9999-01-04"),
        (json!(-1), "2027-01-04"),
    ] {
        let res = app.post(&forums, &forum(sla.clone(), first)).await;
        refused(&app, res, &format!("forum sla {sla} first {first}")).await;
    }
    let res = app
        .post(
            &format!("/api/programs/{program}/escalation-path"),
            &json!({"levels": [{"title": "PM", "contact": "", "response_sla_hours": 4_000_000}]}),
        )
        .await;
    refused(&app, res, "escalation sla").await;
    assert_eq!(
        app.head().await,
        before,
        "a refused command appended something"
    );

    // The plan range's ends themselves are fine.
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{milestone}/forecast"),
            &json!({"forecast": "2200-12-31"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let res = app
        .get(&format!(
            "/api/programs/{program}/schedule?today=2027-01-01"
        ))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn control_characters_and_overlong_text_are_refused_at_the_edge() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Text").await;
    let project = app.add_project(program, "Core").await;
    let before = app.head().await;
    for name in ["a\u{0}b", "line\nbreak", "bell\u{7}", &"x".repeat(5_000)] {
        let res = app
            .post(
                &format!("/api/programs/{program}/milestones"),
                &json!({"project_id": project, "name": name, "owner": "Ann",
                        "planned": "2027-01-01"}),
            )
            .await;
        refused(&app, res, &format!("milestone name {name:.20?}")).await;
        let res = app
            .post("/api/programs", &json!({"name": name, "objectives": []}))
            .await;
        refused(&app, res, &format!("program name {name:.20?}")).await;
    }
    // A NUL in a longer text (where line breaks are fine) and in a reason.
    let res = app
        .post(
            &format!("/api/programs/{program}/projects/{project}/status"),
            &json!({"rag": "green", "narrative": "fine\u{0}"}),
        )
        .await;
    refused(&app, res, "narrative with NUL").await;
    assert_eq!(app.head().await, before);
    let milestone = app
        .add_milestone(program, project, "Go-live", "2027-06-30")
        .await;
    let before = app.head().await;
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{milestone}/forecast"),
            &json!({"forecast": "2027-07-01", "reason": "supplier late\u{0}"}),
        )
        .await;
    refused(&app, res, "reason with NUL").await;
    assert_eq!(app.head().await, before);
    // Filters are text too.
    let res = app
        .get(&format!("/api/programs/{program}/audit?actor=%00"))
        .await;
    refused(&app, res, "audit filter with NUL").await;
    // Unauthenticated: a huge user name at sign-in is a plain refusal, not a server error.
    let res = reqwest::Client::new()
        .post(app.url("/api/auth/login"))
        // Not compressible, so it cannot slip under an index's size limit.
        .json(
            &json!({"username": (0..30_000).map(|i| char::from(b'a' + (i * 7 % 26) as u8)
            .to_string() + &i.to_string()).collect::<String>(), "password": "x"}),
        )
        .send()
        .await
        .unwrap();
    refused(&app, res, "huge user name").await;
}

#[tokio::test]
async fn a_deeply_nested_or_contradictory_plan_is_refused_and_the_server_lives_on() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Plans").await;
    let import = |xml: String| {
        app.client
            .post(app.url(&format!("/api/programs/{program}/import/mspdi")))
            .header("content-type", "application/xml")
            .body(xml)
            .send()
    };
    let nested = format!(
        "<Project><Name>x</Name>{}{}</Project>",
        "<a>".repeat(50_000),
        "</a>".repeat(50_000)
    );
    let body = refused(&app, import(nested).await.unwrap(), "nested XML").await;
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nested"),
        "{body}"
    );
    // A summary task flagged as a milestone, linked as a predecessor: it is a grouping, not an
    // imported milestone, so the link is walked through it.
    let plan = r#"<Project><Name>Summary.xml</Name><Title>Summary</Title><Tasks>
        <Task><UID>1</UID><Name>Phase</Name><Milestone>1</Milestone><Summary>1</Summary>
              <Finish>2027-03-01T17:00:00</Finish></Task>
        <Task><UID>2</UID><Name>Start</Name><Milestone>1</Milestone>
              <Finish>2027-02-01T17:00:00</Finish></Task>
        <Task><UID>3</UID><Name>Done</Name><Milestone>1</Milestone>
              <Finish>2027-04-01T17:00:00</Finish>
              <PredecessorLink><PredecessorUID>1</PredecessorUID><Type>1</Type></PredecessorLink></Task>
        </Tasks></Project>"#;
    let res = import(plan.to_string()).await.unwrap();
    assert!(
        res.status().is_success() || res.status().is_client_error(),
        "{}",
        res.status()
    );
    let res = app.get("/api/health").await;
    assert_eq!(res.status(), StatusCode::OK);
}

fn broken_event(program: ProgramId) -> NewEvent {
    NewEvent {
        event_type: "MilestoneAdded".into(),
        // Not a milestone: what an old build, a bad upcaster or a hand-made append might leave.
        payload: json!({"planned": "someday", "name": 42}),
        program_id: Some(program),
        ..super::append::event(0)
    }
}

#[tokio::test]
async fn an_unfoldable_event_is_isolated_to_its_program_and_everyone_else_goes_on_live() {
    let app = TestApp::spawn().await;
    let poisoned = app.create_program("Poisoned").await;
    let healthy = app.create_program("Healthy").await;
    let healthy_project = app.add_project(healthy, "Core").await;
    throughline_tests::wait_for_projection(&app.pool).await;

    let appended = app
        .store
        .append(AppendRequest::single(StreamAppend {
            stream_id: Uuid::new_v4(),
            stream_type: "milestone".into(),
            expected: ExpectedVersion::NoStream,
            events: vec![broken_event(poisoned)],
        }))
        .await
        .unwrap();
    let bad_position = appended[0].position;

    // The other program reads and updates live, past the bad event.
    let mut ws = app.live().await;
    let msg = format!(
        r#"{{"type":"subscribe","program_id":"{healthy}","after":{}}}"#,
        app.head().await
    );
    ws.send(Message::text(msg)).await.unwrap();
    let res = app
        .report_status(healthy, healthy_project, "amber", "still going")
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let arrived = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(Ok(frame)) = ws.next().await {
            if let Message::Text(text) = frame
                && let Ok(ServerMessage::Events { events, .. }) = serde_json::from_str(&text)
                && !events.is_empty()
            {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(arrived, Ok(true), "no live event for the healthy program");
    throughline_tests::wait_for_projection(&app.pool).await;

    let list = app.get("/api/programs").await;
    assert_eq!(list.status(), StatusCode::OK);
    let healthy_view = app.view(healthy).await;
    assert!(healthy_view.unfolded.is_empty());
    assert!(healthy_view.position > bad_position);

    // The poisoned program still reads, names the event it skipped, and takes new changes.
    let rename = app
        .patch(
            &format!("/api/programs/{poisoned}"),
            &json!({"name": "Repaired"}),
        )
        .await;
    assert_eq!(
        rename.status(),
        StatusCode::OK,
        "{}",
        rename.text().await.unwrap()
    );
    let view: ProgramView = app.view(poisoned).await;
    assert_eq!(view.name, "Repaired");
    assert_eq!(view.unfolded_count, 1);
    assert_eq!(view.unfolded[0].position, bad_position);
    assert_eq!(view.unfolded[0].event_type, "MilestoneAdded");
    // As of just after the bad event, too.
    let res = app
        .get(&format!("/api/programs/{poisoned}?as_of={bad_position}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let then: ProgramView = res.json().await.unwrap();
    assert_eq!(then.unfolded.len(), 1);

    // Operators see it in health.
    let health: HealthResponse = app.get("/api/health").await.json().await.unwrap();
    assert_eq!(health.programs_with_unfolded_events, 1);
    assert!(health.projections.iter().any(|p| p.name == PROGRAM_VIEWS));
}

#[tokio::test]
async fn a_refused_websocket_handshake_is_answered_uncompressed_and_readable() {
    let app = TestApp::spawn().await;
    let res = reqwest::Client::new()
        .get(app.url("/api/live"))
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_ne!(
        res.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let body: Value = res.json().await.unwrap();
    assert!(body["error"]["code"].is_string(), "{body}");
}

#[tokio::test]
async fn reading_with_an_api_token_writes_its_last_use_at_most_once_a_minute() {
    let app = TestApp::spawn().await;
    let last_used = || async {
        sqlx::query_scalar::<_, Option<chrono::DateTime<chrono::Utc>>>(
            "SELECT max(last_used_at) FROM api_token_secrets",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    assert_eq!(app.get("/api/programs").await.status(), StatusCode::OK);
    let first = last_used().await;
    assert!(first.is_some(), "the first use is recorded");
    for _ in 0..20 {
        assert_eq!(app.get("/api/programs").await.status(), StatusCode::OK);
    }
    assert_eq!(
        last_used().await,
        first,
        "a read within the minute wrote last_used_at"
    );
    // A minute later, the next use is recorded again.
    sqlx::query("UPDATE api_token_secrets SET last_used_at = last_used_at - interval '2 minutes'")
        .execute(&app.pool)
        .await
        .unwrap();
    let aged = last_used().await;
    assert_eq!(app.get("/api/programs").await.status(), StatusCode::OK);
    assert!(last_used().await > aged);
}
