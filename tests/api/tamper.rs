//! Tampering with the log is found by the hash-chain check, at the exact position.

use super::append::{event, to_stream};
use reqwest::StatusCode;
use throughline_backend::event_store::{AppendRequest, EventStore, ExpectedVersion, verify_chain};
use throughline_shared::api::VerifyReport;
use throughline_tests::{TestApp, fresh_database};
use uuid::Uuid;

/// Changes history behind the trigger's back, as only a superuser can.
pub(crate) async fn bypass_triggers(pool: &sqlx::PgPool, statement: impl Into<String>) {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("SET LOCAL session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(statement.into()))
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn verify_finds_an_altered_payload_at_its_position() {
    let app = TestApp::spawn().await;
    let program = app.create_program("Tamper target").await;
    let project = app.add_project(program, "P1").await;
    for i in 0..5 {
        let res = app
            .report_status(program, project, "green", &format!("week {i}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let report: VerifyReport = app.get("/api/verify").await.json().await.unwrap();
    assert!(report.ok, "{report:?}");
    // The test administrator and its token, the program and its manager, the project, 5 reports.
    assert_eq!(report.checked, 10);

    bypass_triggers(
        &app.pool,
        "UPDATE events SET payload = jsonb_set(payload, '{narrative}', '\"all fine, honest\"') WHERE position = 7",
    )
    .await;
    let report: VerifyReport = app.get("/api/verify").await.json().await.unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_broken_position, Some(7));
    assert_eq!(report.checked, 6);
}

#[tokio::test]
async fn verify_finds_a_deleted_event_and_an_altered_actor() {
    let (_, pool) = fresh_database().await;
    let store = EventStore::start(pool.clone());
    for i in 0..10 {
        store
            .append(AppendRequest::single(to_stream(
                Uuid::new_v4(),
                ExpectedVersion::Any,
                vec![event(i)],
            )))
            .await
            .unwrap();
    }
    assert!(verify_chain(&pool, |_| {}).await.unwrap().ok);

    bypass_triggers(
        &pool,
        "UPDATE events SET metadata = jsonb_set(metadata, '{actor}', '\"someone-else\"') WHERE position = 8",
    )
    .await;
    let report = verify_chain(&pool, |_| {}).await.unwrap();
    assert_eq!(report.first_broken_position, Some(8));

    bypass_triggers(&pool, "DELETE FROM events WHERE position = 6").await;
    let report = verify_chain(&pool, |_| {}).await.unwrap();
    assert_eq!(report.first_broken_position, Some(6));
    assert!(report.problem.unwrap().contains("missing"));
}

/// An event with a valid hash but a stream version that skips one (what a faulty writer that went
/// around the appender would leave) is found too: versions are checked, not just hashes.
#[tokio::test]
async fn verify_finds_a_stream_version_gap_even_under_a_valid_hash() {
    use throughline_backend::event_store::{HashInput, canonical_string, event_hash};
    let (_, pool) = fresh_database().await;
    let store = EventStore::start(pool.clone());
    let stream = Uuid::new_v4();
    store
        .append(AppendRequest::single(to_stream(
            stream,
            ExpectedVersion::NoStream,
            vec![event(1), event(2)],
        )))
        .await
        .unwrap();
    let (head, head_hash, recorded_at): (i64, Vec<u8>, chrono::DateTime<chrono::Utc>) =
        sqlx::query_as("SELECT position, hash, recorded_at FROM log_head")
            .fetch_one(&pool)
            .await
            .unwrap();
    let (event_id, payload, metadata) = (
        Uuid::new_v4(),
        serde_json::json!({"n": 3}),
        serde_json::json!({"actor": "rogue"}),
    );
    let (payload_c, metadata_c) = (canonical_string(&payload), canonical_string(&metadata));
    let position = head + 1;
    let hash = event_hash(
        &head_hash,
        &HashInput {
            position,
            event_id,
            stream_id: stream,
            stream_type: "test",
            version: 4,
            event_type: "Ticked",
            schema_version: 1,
            program_id: None,
            payload: payload_c.as_bytes(),
            metadata: metadata_c.as_bytes(),
            recorded_at,
        },
    );
    // Inserting is not refused by the triggers (only changing history is); this row claims
    // version 4 where 3 is next.
    sqlx::query(
        "INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type, \
         schema_version, program_id, payload, metadata, recorded_at, prev_hash, hash) \
         VALUES ($1, $2, $3, 'test', 4, 'Ticked', 1, NULL, $4, $5, $6, $7, $8)",
    )
    .bind(position)
    .bind(event_id)
    .bind(stream)
    .bind(&payload)
    .bind(&metadata)
    .bind(recorded_at)
    .bind(&head_hash)
    .bind(hash.to_vec())
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query("UPDATE log_head SET position = $1, hash = $2")
        .bind(position)
        .bind(hash.to_vec())
        .execute(&pool)
        .await
        .unwrap();
    let report = verify_chain(&pool, |_| {}).await.unwrap();
    assert_eq!(report.first_broken_position, Some(position), "{report:?}");
    assert!(report.problem.unwrap().contains("from version 2 to 4"));
}
