//! The projection: equals a rebuild from position 0, equals the as-of fold, and reads old events
//! through their upcasters.

use super::append::event;
use reqwest::StatusCode;
use serde_json::json;
use throughline_backend::event_store::{
    AppendRequest, EventStore, ExpectedVersion, NewEvent, StreamAppend,
};
use throughline_backend::projection::{ProgramViews, rebuild};
use throughline_shared::view::ProgramView;
use throughline_shared::{EventId, EventMetadata, ProgramId};
use throughline_tests::TestApp;
use uuid::Uuid;

async fn stored_views(pool: &sqlx::PgPool) -> Vec<(Uuid, String, serde_json::Value, i64)> {
    // The head with its parts put back: the whole view as stored.
    sqlx::query_as(
        "SELECT v.program_id, v.name, v.view || coalesce((SELECT jsonb_object_agg(kind, parts) FROM \
       (SELECT CASE kind WHEN 'dependency' THEN 'dependencies' ELSE kind || 's' END AS kind, jsonb_agg(body ORDER BY ord) AS parts FROM program_view_parts p \
        WHERE p.program_id = v.program_id GROUP BY kind) k), '{}'), \
     v.position FROM program_views v ORDER BY v.program_id",
    )
        .fetch_all(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_live_projection_equals_a_rebuild_and_the_as_of_fold() {
    let app = TestApp::spawn().await;
    // A second instance on the same database: only one of them may run the projection.
    let _second = TestApp::spawn_on(&app.database_url).await;
    // Events of another kind in between must be skipped over, not stop the projection.
    let store = EventStore::start(app.pool.clone());
    let mut programs = Vec::new();
    for p in 0..4 {
        let program = app.create_program(&format!("Program {p}")).await;
        // Milestones and a dependency, stored as parts of the view, changed after they exist.
        let first = app.add_project(program, &format!("Platform {p}")).await;
        let build = app
            .add_milestone(program, first, "Build", "2027-03-01")
            .await;
        let launch = app
            .add_milestone(program, first, "Launch", "2027-04-01")
            .await;
        assert_eq!(
            app.propose(program, build, launch, json!({}))
                .await
                .status(),
            StatusCode::CREATED
        );
        let slip = app
            .post(
                &format!("/api/programs/{program}/milestones/{build}/forecast"),
                &json!({"forecast": "2027-03-20", "reason": "vendor late"}),
            )
            .await;
        assert_eq!(
            slip.status(),
            StatusCode::OK,
            "{}",
            slip.text().await.unwrap()
        );
        for j in 0..3 {
            let project = app.add_project(program, &format!("Project {p}.{j}")).await;
            for (k, rag) in ["green", "amber", "red"].iter().enumerate().take(j + 1) {
                let res = app
                    .report_status(program, project, rag, &format!("report {k}"))
                    .await;
                assert_eq!(res.status(), StatusCode::OK);
            }
        }
        store
            .append(AppendRequest::single(StreamAppend {
                stream_id: Uuid::new_v4(),
                stream_type: "test".into(),
                expected: ExpectedVersion::Any,
                events: vec![event(p)],
            }))
            .await
            .unwrap();
        programs.push(program);
    }
    let edit = app
        .patch(
            &format!("/api/programs/{}", programs[0]),
            &json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(edit.status(), StatusCode::OK);

    throughline_tests::wait_for_projection(&app.pool).await;
    let live = stored_views(&app.pool).await;
    assert_eq!(live.len(), 4);
    assert_eq!(live.iter().filter(|v| v.1 == "Renamed").count(), 1);

    let through = rebuild(&app.pool, &mut ProgramViews::new(), |_, _| {})
        .await
        .unwrap();
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(through, head);
    assert_eq!(
        stored_views(&app.pool).await,
        live,
        "rebuild differs from the live projection"
    );

    // The stored view equals folding the log as of now.
    for program in &programs {
        let current: ProgramView = app
            .get(&format!("/api/programs/{program}"))
            .await
            .json()
            .await
            .unwrap();
        let folded: ProgramView = app
            .get(&format!("/api/programs/{program}?as_of={head}"))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(current, folded);
    }
}

#[tokio::test]
async fn a_v1_program_created_event_is_upcast_on_every_read_path() {
    let app = TestApp::spawn().await;
    let store = EventStore::start(app.pool.clone());
    let program = ProgramId::from_uuid(Uuid::new_v4());
    // Written as an older build wrote it: objectives were plain titles.
    store
        .append(AppendRequest::single(StreamAppend {
            stream_id: program.0,
            stream_type: "program".into(),
            expected: ExpectedVersion::NoStream,
            events: vec![NewEvent {
                event_id: EventId::from_uuid(Uuid::new_v4()),
                event_type: "ProgramCreated".into(),
                schema_version: 1,
                payload: json!({"program_id": program, "name": "Legacy", "description": "",
                                "sponsor": "Old Sponsor", "objectives": ["Cut costs", "Grow revenue"]}),
                program_id: Some(program),
                metadata: EventMetadata {
                    actor: "importer".into(),
                    actor_id: None,
                    token_id: None,
                    correlation_id: Uuid::nil(),
                    causation_id: None,
                    request_id: None,
                    reason: None,
                },
            }],
        }))
        .await
        .unwrap();
    let view: ProgramView = app
        .get(&format!("/api/programs/{program}"))
        .await
        .json()
        .await
        .unwrap();
    let titles: Vec<&str> = view.objectives.iter().map(|o| o.title.as_str()).collect();
    assert_eq!(titles, ["Cut costs", "Grow revenue"]);
    // The stored event is untouched: still v1 with plain titles.
    let stored: (i32, serde_json::Value) =
        sqlx::query_as("SELECT schema_version, payload FROM events WHERE stream_id = $1")
            .bind(program.0)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.0, 1);
    assert_eq!(stored.1["objectives"][0], "Cut costs");
    // Commands decide on the upcast state too: an edit works on top of the v1 event.
    let res = app
        .patch(
            &format!("/api/programs/{program}"),
            &json!({"sponsor": "New Sponsor", "expected_version": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    throughline_tests::wait_for_projection(&app.pool).await;
    let stored = stored_views(&app.pool).await;
    let projected: ProgramView = serde_json::from_value(stored[0].2.clone()).unwrap();
    assert_eq!(projected.objectives, view.objectives);
    assert_eq!(projected.sponsor, "New Sponsor");
}

/// The view a program read answers comes from each instance's cache of folded, encoded views.
/// Whatever instance a write went through, a read that starts after its answer includes it, on
/// every instance and in both encodings, and the cached view equals the fold of the log.
#[tokio::test]
async fn every_instance_answers_a_read_with_every_write_acknowledged_before_it() {
    use flate2::read::GzDecoder;
    use std::io::Read;

    let a = TestApp::spawn().await;
    let b = TestApp::spawn_on(&a.database_url).await;
    let program = a.create_program("Cached").await;
    let project = a.add_project(program, "Alpha").await;
    // More milestones than one encoded chunk holds.
    let mut milestones = Vec::new();
    for i in 0..72 {
        milestones.push(
            a.add_milestone(program, project, &format!("M{i}"), "2027-03-01")
                .await,
        );
    }
    // Both caches hold the program before the writes start.
    assert_eq!(a.view(program).await.milestones.len(), 72);
    assert_eq!(b.view(program).await.milestones.len(), 72);

    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    let writers = (0..8).map(|w| {
        let (a, b) = (a.clone(), b.clone());
        let mine: Vec<_> = milestones.iter().skip(w).step_by(8).copied().collect();
        tokio::spawn(async move {
            for (k, milestone) in mine.iter().enumerate() {
                let (via, other) = if (w + k) % 2 == 0 { (&a, &b) } else { (&b, &a) };
                let day = chrono::NaiveDate::from_ymd_opt(2027, 4, 1).unwrap()
                    + chrono::Duration::days((w * 10 + k) as i64);
                let res = via
                    .post(
                        &format!("/api/programs/{program}/milestones/{milestone}/forecast"),
                        &json!({ "forecast": day }),
                    )
                    .await;
                assert_eq!(
                    res.status(),
                    StatusCode::OK,
                    "{}",
                    res.text().await.unwrap()
                );
                for reader in [other, via] {
                    let seen = reader.view(program).await;
                    let m = seen
                        .milestones
                        .iter()
                        .find(|m| m.milestone_id == *milestone)
                        .unwrap();
                    assert_eq!(
                        m.forecast, day,
                        "a read after the answer includes the write"
                    );
                }
            }
        })
    });
    for writer in writers.collect::<Vec<_>>() {
        writer.await.unwrap();
    }

    let head = a.head().await;
    let res = a
        .get(&format!("/api/programs/{program}?as_of={head}"))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let folded: ProgramView = res.json().await.unwrap();
    for app in [&a, &b] {
        let plain = app
            .client
            .get(app.url(&format!("/api/programs/{program}")))
            .header("accept-encoding", "identity")
            .send()
            .await
            .unwrap();
        assert!(plain.headers().get("content-encoding").is_none());
        let plain = plain.bytes().await.unwrap();
        let gzipped = app
            .client
            .get(app.url(&format!("/api/programs/{program}")))
            .header("accept-encoding", "br;q=0.5, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(
            gzipped.headers().get("content-encoding").unwrap(),
            "gzip",
            "sent gzipped once, not compressed again"
        );
        let mut unzipped = Vec::new();
        GzDecoder::new(gzipped.bytes().await.unwrap().as_ref())
            .read_to_end(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, plain.to_vec());
        let cached: ProgramView = serde_json::from_slice(&plain).unwrap();
        assert_eq!(cached, folded);
    }
}
