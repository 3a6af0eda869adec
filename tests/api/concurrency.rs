//! The ordering guarantee under real concurrency: 16 writers through two appender instances (two
//! pools, as two backend processes would have) while a live subscriber on a third instance reads.

use super::append::{event, to_stream};
use futures_util::{SinkExt, StreamExt};
use std::collections::HashMap;
use std::time::Duration;
use throughline_backend::db;
use throughline_backend::event_store::{AppendRequest, EventStore, ExpectedVersion, verify_chain};
use throughline_shared::api::ServerMessage;
use throughline_tests::{TestApp, fresh_database};
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

const WRITERS: usize = 16;
const REQUESTS_PER_WRITER: usize = 1_250;
/// Every 25th request also appends to a stream all writers share, in the same transaction.
const SHARED_EVERY: usize = 25;
const TOTAL: i64 = (WRITERS * (REQUESTS_PER_WRITER + REQUESTS_PER_WRITER / SHARED_EVERY)) as i64;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_two_instances_are_seen_in_table_order_without_gaps() {
    const { assert!(TOTAL >= 20_000) };
    let (url, pool) = fresh_database().await;
    let stores = [
        EventStore::start(db::connect(&url, 4).await.unwrap()),
        EventStore::start(db::connect(&url, 4).await.unwrap()),
    ];
    let app = TestApp::spawn_on(&url).await;
    // Setting up the test's administrator appended a few events already.
    let base: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&pool)
        .await
        .unwrap();

    let mut ws = app.live().await;
    ws.send(Message::text(format!(
        r#"{{"type":"subscribe","program_id":null,"after":{base}}}"#
    )))
    .await
    .unwrap();
    let subscriber = tokio::spawn(async move {
        let mut seen: Vec<(i64, Uuid)> = Vec::with_capacity(TOTAL as usize);
        let mut covered = 0;
        while covered < base + TOTAL {
            let frame = tokio::time::timeout(Duration::from_secs(60), ws.next())
                .await
                .expect("the live stream stalled")
                .expect("the live stream ended")
                .unwrap();
            let Message::Text(text) = frame else { continue };
            match serde_json::from_str::<ServerMessage>(&text).unwrap() {
                ServerMessage::Events { events, covered: c } => {
                    seen.extend(events.iter().map(|e| (e.position, e.event_id.0)));
                    assert!(c >= covered, "covered went backwards");
                    covered = c;
                }
                ServerMessage::Error { message } => panic!("live error: {message}"),
            }
        }
        seen
    });

    let shared = Uuid::new_v4();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let store = stores[w % 2].clone();
            tokio::spawn(async move {
                let own = Uuid::new_v4();
                let mut acked = Vec::new();
                for i in 0..REQUESTS_PER_WRITER {
                    let mut streams = vec![to_stream(
                        own,
                        ExpectedVersion::Exact(i as i64),
                        vec![event(i as u64)],
                    )];
                    if i % SHARED_EVERY == 0 {
                        streams.push(to_stream(
                            shared,
                            ExpectedVersion::Any,
                            vec![event(i as u64)],
                        ));
                    }
                    let recorded = store.append(AppendRequest { streams }).await.unwrap();
                    acked.extend(recorded);
                }
                acked
            })
        })
        .collect();
    let mut acked = Vec::new();
    for w in writers {
        acked.extend(w.await.unwrap());
    }
    assert_eq!(acked.len() as i64, TOTAL);

    let seen = tokio::time::timeout(Duration::from_secs(120), subscriber)
        .await
        .expect("subscriber finished")
        .unwrap();

    // The table: positions base+1..=base+TOTAL, no gaps, no duplicates.
    let table: Vec<(i64, Uuid, Uuid, i64)> = sqlx::query_as(
        "SELECT position, event_id, stream_id, version FROM events WHERE position > $1 \
         ORDER BY position",
    )
    .bind(base)
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(table.len() as i64, TOTAL);
    for (i, row) in table.iter().enumerate() {
        assert_eq!(
            row.0,
            base + i as i64 + 1,
            "gap or duplicate in the table at {i}"
        );
    }
    // The subscriber saw exactly the table's sequence.
    let table_order: Vec<(i64, Uuid)> = table.iter().map(|r| (r.0, r.1)).collect();
    assert_eq!(
        seen.len(),
        table_order.len(),
        "subscriber missed or duplicated events"
    );
    assert!(
        seen == table_order,
        "subscriber order differs from the table"
    );

    // Every stream's versions are 1, 2, 3... in position order.
    let mut versions: HashMap<Uuid, i64> = HashMap::new();
    for (position, _, stream, version) in &table {
        let v = versions.entry(*stream).or_insert(0);
        *v += 1;
        assert_eq!(
            *version, *v,
            "stream {stream} version out of order at position {position}"
        );
    }
    assert_eq!(
        versions[&shared],
        (WRITERS * REQUESTS_PER_WRITER / SHARED_EVERY) as i64
    );

    // Every acknowledged event is in the table at the position it was acknowledged with.
    let by_id: HashMap<Uuid, i64> = table.iter().map(|r| (r.1, r.0)).collect();
    for e in &acked {
        assert_eq!(by_id.get(&e.event_id.0), Some(&e.position));
    }
    let report = verify_chain(&pool, |_| {}).await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.checked, base + TOTAL);
}
