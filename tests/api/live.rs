//! Live updates over WebSocket: filtered by program, resumable without loss, across instances.

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use throughline_shared::api::ServerMessage;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, RecordedEvent};
use throughline_tests::TestApp;
use tokio_tungstenite::tungstenite::Message;

use throughline_tests::Ws;

async fn subscribe(app: &TestApp, program: ProgramId, after: i64) -> Ws {
    let mut ws = app.live().await;
    let msg = format!(r#"{{"type":"subscribe","program_id":"{program}","after":{after}}}"#);
    ws.send(Message::text(msg)).await.unwrap();
    ws
}

/// Reads frames until `n` events arrived; returns them and the last `covered`.
async fn receive(ws: &mut Ws, n: usize) -> (Vec<RecordedEvent>, i64) {
    let mut events = Vec::new();
    let mut covered = 0;
    while events.len() < n {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("no live event within 5 s")
            .unwrap()
            .unwrap();
        if let Message::Text(text) = frame {
            match serde_json::from_str::<ServerMessage>(&text).unwrap() {
                ServerMessage::Events {
                    events: e,
                    covered: c,
                } => {
                    // Live events arrive described, like the audit trail's.
                    assert!(
                        e.iter()
                            .all(|e| e.description.as_deref().is_some_and(|d| !d.is_empty())),
                        "undescribed live events: {e:?}"
                    );
                    events.extend(e);
                    covered = c;
                }
                ServerMessage::Error { message } => panic!("{message}"),
            }
        }
    }
    (events, covered)
}

/// Asserts that nothing else (no event) arrives for a while.
async fn assert_quiet(ws: &mut Ws) {
    let deadline = Instant::now() + Duration::from_millis(400);
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline.into(), ws.next()).await {
        if let Message::Text(text) = frame
            && let ServerMessage::Events { events, .. } = serde_json::from_str(&text).unwrap()
        {
            assert!(events.is_empty(), "unexpected events {events:?}");
        }
    }
}

#[tokio::test]
async fn a_subscriber_gets_its_programs_events_and_resumes_without_loss() {
    let app = TestApp::spawn().await;
    let a = app.create_program("A").await;
    let b = app.create_program("B").await;
    let pa = app.add_project(a, "A1").await;
    let pb = app.add_project(b, "B1").await;
    let view: ProgramView = app
        .get(&format!("/api/programs/{a}"))
        .await
        .json()
        .await
        .unwrap();

    let mut ws = subscribe(&app, a, view.position).await;
    assert_eq!(
        app.report_status(b, pb, "red", "not yours").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.report_status(a, pa, "amber", "first").await.status(),
        StatusCode::OK
    );
    let (events, covered) = receive(&mut ws, 1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].program_id, Some(a));
    assert_eq!(events[0].event_type, "ProjectStatusReported");
    assert_quiet(&mut ws).await;
    drop(ws);

    // While disconnected: three changes in A, two in B.
    for n in ["second", "third", "fourth"] {
        assert_eq!(
            app.report_status(a, pa, "green", n).await.status(),
            StatusCode::OK
        );
        assert_eq!(
            app.report_status(b, pb, "green", n).await.status(),
            StatusCode::OK
        );
    }
    let mut ws = subscribe(&app, a, covered).await;
    let (missed, _) = receive(&mut ws, 3).await;
    let narratives: Vec<&str> = missed
        .iter()
        .map(|e| e.payload["narrative"].as_str().unwrap())
        .collect();
    assert_eq!(narratives, ["second", "third", "fourth"]);
    assert!(missed.windows(2).all(|w| w[0].position < w[1].position));
    assert_quiet(&mut ws).await;

    // A bad message gets an error frame, not a dropped connection.
    ws.send(Message::text("{\"type\":\"dance\"}"))
        .await
        .unwrap();
    let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let Message::Text(text) = frame else {
        panic!("expected text")
    };
    assert!(matches!(
        serde_json::from_str(&text).unwrap(),
        ServerMessage::Error { .. }
    ));
}

#[tokio::test]
async fn a_change_through_one_instance_reaches_subscribers_of_another() {
    let first = TestApp::spawn().await;
    let second = TestApp::spawn_on(&first.database_url).await;
    let program = first.create_program("Shared").await;
    let project = first.add_project(program, "P").await;
    let view: ProgramView = second
        .get(&format!("/api/programs/{program}"))
        .await
        .json()
        .await
        .unwrap();
    let mut ws = subscribe(&second, program, view.position).await;
    // Let the subscription's catch-up finish before timing.
    assert_quiet(&mut ws).await;

    let started = Instant::now();
    assert_eq!(
        first
            .report_status(program, project, "red", "via first")
            .await
            .status(),
        StatusCode::OK
    );
    let (events, _) = receive(&mut ws, 1).await;
    let latency = started.elapsed();
    assert_eq!(events[0].payload["narrative"], "via first");
    assert!(latency < Duration::from_secs(1), "took {latency:?}");
}
