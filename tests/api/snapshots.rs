//! Snapshots of program views (issue 16) change no answer: as of any position, the view served
//! (folded from the nearest snapshot) equals the view folded from the start; a snapshot that does
//! not decode only costs time; dropped and taken again, they are the same.

use reqwest::StatusCode;
use serde_json::json;
use throughline_backend::queries::program::view_from;
use throughline_backend::queries::snapshots;
use throughline_shared::ProgramId;
use throughline_shared::view::ProgramView;
use throughline_tests::TestApp;

/// Snapshot interval of the test server (`tests/src/lib.rs`).
const EVERY: u64 = 100;

async fn served(app: &TestApp, program: ProgramId, position: i64) -> Option<ProgramView> {
    let res = app
        .get(&format!("/api/programs/{program}?as_of={position}"))
        .await;
    match res.status() {
        StatusCode::OK => Some(res.json().await.unwrap()),
        StatusCode::NOT_FOUND => None,
        other => panic!("as of {position}: {other}"),
    }
}

async fn stored(app: &TestApp, program: ProgramId) -> Vec<i64> {
    sqlx::query_scalar(
        "SELECT position FROM program_view_snapshots WHERE program_id = $1 ORDER BY position",
    )
    .bind(program.0)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// The program's snapshots once there are `expected` of them: taken by `ensure` (which skips
/// while the live tail's own run holds the program) until they are all there.
async fn settled(app: &TestApp, program: ProgramId, expected: i64) -> Vec<i64> {
    for _ in 0..100 {
        snapshots::sweep(&app.pool, EVERY).await.unwrap();
        let taken = stored(app, program).await;
        if taken.len() as i64 == expected {
            return taken;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "{expected} snapshots never came: {:?}",
        stored(app, program).await
    );
}

/// Every served view at `positions` equals the fold from the start.
async fn all_equal(app: &TestApp, program: ProgramId, positions: &[i64]) {
    for &position in positions {
        let from_start = view_from(&app.pool, program, None, position).await.unwrap();
        assert_eq!(
            served(app, program, position).await,
            from_start,
            "as of {position}"
        );
    }
}

#[tokio::test]
async fn as_of_reads_through_snapshots_equal_folds_from_the_start_at_random_positions() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Snapshots").await;
    let other = app.create_program("Interleaved").await;
    let (ledger, cards) = (
        app.add_project(program, "Ledger").await,
        app.add_project(program, "Cards").await,
    );
    let elsewhere = app.add_project(other, "Elsewhere").await;
    // Milestones, dependencies, slips, a met milestone and status reports: every list of the
    // view, with the other program's events in between.
    let mut milestones = Vec::new();
    for i in 0..40 {
        let project = if i % 2 == 0 { ledger } else { cards };
        let day = format!("2027-{:02}-{:02}", 3 + i / 10, 1 + i % 10);
        milestones.push(
            app.add_milestone(program, project, &format!("M{i}"), &day)
                .await,
        );
        app.add_milestone(other, elsewhere, &format!("O{i}"), &day)
            .await;
    }
    for pair in milestones.windows(2) {
        let res = app.propose(program, pair[0], pair[1], json!({})).await;
        assert_eq!(res.status(), StatusCode::CREATED);
    }
    for round in 0..10 {
        for (i, m) in milestones.iter().enumerate().step_by(2) {
            let day = format!("2027-{:02}-{:02}", 4 + round % 8, 1 + (i + round) % 27);
            let res = app
                .post(
                    &format!("/api/programs/{program}/milestones/{m}/forecast"),
                    &json!({"forecast": day}),
                )
                .await;
            assert!(res.status().is_success(), "{}", res.status());
        }
        for project in [ledger, cards] {
            let rag = ["green", "amber", "red", "green"][round % 4];
            app.report_status(program, project, rag, &format!("Week {round}"))
                .await;
        }
    }
    let res = app
        .post(
            &format!("/api/programs/{program}/milestones/{}/met", milestones[0]),
            &json!({"actual": "2027-03-02"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let head = app.head().await;

    // Taken as the events passed (the live tail asks), or now: the same ones either way.
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE program_id = $1")
        .bind(program.0)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // The live tail's count asks for them by itself.
    for _ in 0..100 {
        if !stored(&app, program).await.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        !stored(&app, program).await.is_empty(),
        "no snapshot was taken as events passed"
    );
    let taken = settled(&app, program, events / EVERY as i64).await;
    assert!(taken.len() >= 3, "{taken:?}");

    // Positions: around each snapshot, the ends, and pseudo-random ones between.
    let mut positions = vec![0, 1, head, head + 5];
    for &p in &taken {
        positions.extend([p - 1, p, p + 1]);
    }
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..40 {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        positions.push(1 + (seed >> 33) as i64 % head);
    }
    all_equal(&app, program, &positions).await;

    // A snapshot that does not decode only costs time: the read folds from the start.
    sqlx::query("UPDATE program_view_snapshots SET view = '\\x00ff'::bytea WHERE program_id = $1")
        .bind(program.0)
        .execute(&app.pool)
        .await
        .unwrap();
    all_equal(&app, program, &[taken[0], taken[0] + 3, head]).await;

    // Taken again (as `throughline rebuild` does), they replace what did not decode.
    snapshots::ensure(&app.pool, program, EVERY).await.unwrap();
    let first = snapshots::nearest(&app.pool, program, Some(taken[0]))
        .await
        .unwrap()
        .expect("decodes again");
    assert_eq!(first.position, taken[0]);
    snapshots::drop_all(&app.pool).await.unwrap();
    assert!(stored(&app, program).await.is_empty());
    assert_eq!(settled(&app, program, taken.len() as i64).await, taken);
    all_equal(&app, program, &positions[..12]).await;
}
