//! The history scrubber (issue 16): the track's ends, count and marks, and a replay driven the
//! way the browser drives it — the server's view at a start, then the program's events folded one
//! by one — equal to the server's as-of view at every event.

use reqwest::StatusCode;
use serde_json::json;
use throughline_shared::api::EventPage;
use throughline_shared::history::{HistoryTrack, MarkKind, Replay, Target, Wants};
use throughline_tests::TestApp;

/// A command the server accepted (200 or 201).
async fn ok(res: reqwest::Response) {
    let status = res.status();
    assert!(
        status.is_success(),
        "{status}: {}",
        res.text().await.unwrap()
    );
}

#[tokio::test]
async fn the_track_marks_decisions_slips_status_changes_and_risks_only() {
    let app = TestApp::spawn().await;
    let first = app.head().await + 1;
    let program = app.create_program("History").await;
    let other = app.create_program("Someone else's").await;
    let ledger = app.add_project(program, "Ledger").await;
    let api = app
        .add_milestone(program, ledger, "API ready", "2027-03-20")
        .await;
    let mut expected = Vec::new();
    for (rag, marks) in [("green", true), ("green", false), ("amber", true)] {
        app.report_status(program, ledger, rag, "weekly")
            .await
            .error_for_status()
            .unwrap();
        if marks {
            expected.push((app.head().await, MarkKind::Status));
        }
    }
    for (to, marks) in [("2027-04-10", true), ("2027-04-01", false)] {
        ok(app
            .post(
                &format!("/api/programs/{program}/milestones/{api}/forecast"),
                &json!({"forecast": to, "reason": "vendor"}),
            )
            .await)
        .await;
        if marks {
            expected.push((app.head().await, MarkKind::Slip));
        }
    }
    // Identified first, then assessed: the first of the two is the mark.
    let risk_at = app.head().await + 1;
    ok(app
        .post(
            &format!("/api/programs/{program}/raid/risks"),
            &json!({"details": {"title": "Vendor capacity", "cause": "One supplier",
                                "category": "vendor", "owner": "Lee", "projects": [ledger]},
                    "assessment": {"probability": 3, "impact": 4, "schedule_days": 5},
                    "review_by": "2027-02-01"}),
        )
        .await)
    .await;
    expected.push((risk_at, MarkKind::Risk));
    let last = app.head().await;
    // Another program's events are not this one's.
    app.add_project(other, "Elsewhere").await;

    let res = app.get(&format!("/api/programs/{program}/history")).await;
    assert_eq!(res.status(), StatusCode::OK);
    let track: HistoryTrack = res.json().await.unwrap();
    assert_eq!(track.first.position, first);
    assert_eq!(track.last.position, last);
    assert!(track.first.at <= track.last.at);
    let marks: Vec<_> = track.marks.iter().map(|m| (m.position, m.kind)).collect();
    assert_eq!(marks, expected);
    assert_eq!(track.marks_left_off, 0);
    assert!(track.marks.iter().all(|m| !m.text.is_empty()));
    let all: EventPage = app
        .get(&format!("/api/programs/{program}/events?limit=1000"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(track.events, all.events.len() as i64);

    let res = app
        .get(&format!("/api/programs/{}/history", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_replay_folded_in_the_client_equals_the_servers_view_at_every_event() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Replay").await;
    let start = app.head().await;
    let ledger = app.add_project(program, "Ledger").await;
    let cards = app.add_project(program, "Cards").await;
    let api = app
        .add_milestone(program, ledger, "API ready", "2027-03-20")
        .await;
    let launch = app
        .add_milestone(program, cards, "Launch", "2027-04-20")
        .await;
    ok(app.propose(program, api, launch, json!({})).await).await;
    for (i, to) in ["2027-03-25", "2027-03-30", "2027-03-22"]
        .iter()
        .enumerate()
    {
        ok(app
            .post(
                &format!("/api/programs/{program}/milestones/{api}/forecast"),
                &json!({"forecast": to, "reason": format!("change {i}")}),
            )
            .await)
        .await;
        app.report_status(program, cards, ["amber", "red", "green"][i], "weekly")
            .await
            .error_for_status()
            .unwrap();
    }
    ok(app
        .post(
            &format!("/api/programs/{program}/milestones/{launch}/details"),
            &json!({"name": "Launch to all merchants"}),
        )
        .await)
    .await;

    let mut view = app.view_at(program, start).await;
    let mut replay = Replay::new(&view, start, view.updated_at);
    let page: EventPage = app
        .get(&format!(
            "/api/programs/{program}/events?after={start}&limit=1000"
        ))
        .await
        .json()
        .await
        .unwrap();
    let positions: Vec<i64> = page.events.iter().map(|e| e.position).collect();
    assert!(positions.len() >= 10);
    replay.extend(start, page.events, page.head, true);
    for position in positions {
        match replay.seek(&mut view, Target::Position(position)) {
            Wants::Nothing => {}
            Wants::View { position } => {
                view = app.view_at(program, position).await;
                replay.keyframe(&view, position);
                assert_eq!(
                    replay.seek(&mut view, Target::Position(position)),
                    Wants::Nothing
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(replay.cursor(), position);
        assert_eq!(view, app.view_at(program, position).await, "at {position}");
    }
    // And back again, from the views kept on the way.
    let mut back = replay.previous();
    while let Target::Position(position) = back {
        if position <= start {
            break;
        }
        assert_eq!(replay.seek(&mut view, back), Wants::Nothing);
        assert_eq!(
            view,
            app.view_at(program, position).await,
            "back at {position}"
        );
        back = replay.previous();
    }
}
