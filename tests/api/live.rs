//! Live updates over WebSocket: filtered by program, resumable without loss, across instances.
// Latency figures are printed for the run's log.
#![allow(clippy::print_stdout)]

use futures_util::{SinkExt, StreamExt};
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use throughline_shared::api::ServerMessage;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, RecordedEvent};
use throughline_tests::TestApp;
use tokio_tungstenite::tungstenite::Message;

use throughline_tests::Ws;

pub(crate) async fn subscribe(app: &TestApp, program: ProgramId, after: i64) -> Ws {
    let mut ws = app.live().await;
    let msg = format!(r#"{{"type":"subscribe","program_id":"{program}","after":{after}}}"#);
    ws.send(Message::text(msg)).await.unwrap();
    ws
}

/// The next frame's events and `covered` (`None` for a frame that is not an events message),
/// waiting at most `wait`.
async fn next_events(ws: &mut Ws, wait: Duration) -> Option<(Vec<RecordedEvent>, i64)> {
    let frame = tokio::time::timeout(wait, ws.next())
        .await
        .expect("no live frame in time")
        .unwrap()
        .unwrap();
    let Message::Text(text) = frame else {
        return None;
    };
    match serde_json::from_str::<ServerMessage>(&text).unwrap() {
        ServerMessage::Events { events, covered } => Some((events, covered)),
        ServerMessage::Error { message } => panic!("{message}"),
    }
}

/// Reads frames until `n` events arrived; returns them and the last `covered`.
pub(crate) async fn receive(ws: &mut Ws, n: usize) -> (Vec<RecordedEvent>, i64) {
    let mut events = Vec::new();
    let mut covered = 0;
    while events.len() < n {
        if let Some((e, c)) = next_events(ws, Duration::from_secs(5)).await {
            // Live events arrive described, like the audit trail's.
            assert!(
                e.iter()
                    .all(|e| e.description.as_deref().is_some_and(|d| !d.is_empty())),
                "undescribed live events: {e:?}"
            );
            events.extend(e);
            covered = c;
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

/// A socket whose reader stops for 40 s under a sustained write load (a background tab, a slow
/// link) and then reads again reaches the head within 5 s, with exactly the program's events in
/// order: its catch-up runs at the speed of reading the table.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_socket_paused_under_load_catches_up_within_seconds_with_the_exact_sequence() {
    const PAUSE: Duration = Duration::from_secs(40);
    let app = TestApp::spawn().await;
    let program = app.create_program("Paused reader").await;
    let mut projects = Vec::new();
    for n in 0..4 {
        projects.push(app.add_project(program, &format!("Team {n}")).await);
    }
    let start = app.head().await;
    let mut ws = subscribe(&app, program, start).await;

    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (store, stop) = (app.store.clone(), stop.clone());
            let project = projects[w % projects.len()];
            tokio::spawn(async move {
                use throughline_backend::request_context::RequestContext;
                use throughline_shared::api::ReportStatusRequest;
                let ctx = RequestContext::system("load");
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let request = ReportStatusRequest {
                        rag: throughline_shared::Rag::Amber,
                        narrative: format!("writer {w}, report {n}: the vendor is late again"),
                        expected_version: None,
                        reason: None,
                    };
                    throughline_backend::commands::report_status(
                        &store, &ctx, program, project, request,
                    )
                    .await
                    .unwrap();
                    n += 1;
                }
            })
        })
        .collect();

    tokio::time::sleep(PAUSE).await;
    let head = app.head().await;
    let behind = head - start;
    let resumed = Instant::now();
    let mut events: Vec<RecordedEvent> = Vec::new();
    let mut covered = start;
    while covered < head {
        if let Some((e, c)) = next_events(&mut ws, Duration::from_secs(10)).await {
            events.extend(e);
            covered = c;
        }
    }
    let caught_up = resumed.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in writers {
        w.await.unwrap();
    }
    println!(
        "{behind} positions behind after {PAUSE:?}; at the head {caught_up:?} after reading again"
    );
    assert!(behind > 1_000, "the load wrote only {behind} events");
    assert!(
        caught_up < Duration::from_secs(5),
        "caught up {behind} positions in {caught_up:?}"
    );
    let expected = throughline_backend::event_store::read_events(
        &app.pool,
        throughline_backend::event_store::EventFilter {
            after: start,
            up_to: Some(covered),
            program_id: Some(program),
            limit: i64::MAX,
        },
    )
    .await
    .unwrap();
    let got: Vec<i64> = events.iter().map(|e| e.position).collect();
    let want: Vec<i64> = expected.iter().map(|e| e.position).collect();
    assert_eq!(got.len(), want.len(), "events lost or duplicated");
    assert!(got == want, "events out of order or different");
}
