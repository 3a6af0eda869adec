//! The event store itself: atomic multi-stream appends, expected versions, idempotent retries and
//! a log the database refuses to change.

use serde_json::json;
use throughline_backend::event_store::{
    AppendError, AppendRequest, EventStore, ExpectedVersion, NewEvent, StreamAppend, read_stream,
    verify_chain,
};
use throughline_shared::{EventId, EventMetadata};
use throughline_tests::fresh_database;
use uuid::Uuid;

pub fn event(n: u64) -> NewEvent {
    NewEvent {
        event_id: EventId::from_uuid(Uuid::new_v4()),
        event_type: "Ticked".into(),
        schema_version: 1,
        payload: json!({"n": n, "note": "ünïcode \"quoted\""}),
        program_id: None,
        metadata: EventMetadata {
            actor: "tester".into(),
            actor_id: None,
            token_id: None,
            correlation_id: Uuid::nil(),
            causation_id: None,
            request_id: None,
            reason: None,
        },
    }
}

pub fn to_stream(
    stream_id: Uuid,
    expected: ExpectedVersion,
    events: Vec<NewEvent>,
) -> StreamAppend {
    StreamAppend {
        stream_id,
        stream_type: "test".into(),
        expected,
        events,
    }
}

#[tokio::test]
async fn one_command_appends_to_several_streams_atomically() {
    let (_, pool) = fresh_database().await;
    let store = EventStore::start(pool.clone());
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    let recorded = store
        .append(AppendRequest {
            streams: vec![
                to_stream(a, ExpectedVersion::NoStream, vec![event(1), event(2)]),
                to_stream(b, ExpectedVersion::NoStream, vec![event(3)]),
            ],
        })
        .await
        .unwrap();
    let positions: Vec<i64> = recorded.iter().map(|e| e.position).collect();
    let versions: Vec<i64> = recorded.iter().map(|e| e.version).collect();
    assert_eq!(positions, [1, 2, 3]);
    assert_eq!(versions, [1, 2, 1]);

    // b is at 1, so this whole command fails — including its part on a fresh stream c.
    let c = Uuid::new_v4();
    let err = store
        .append(AppendRequest {
            streams: vec![
                to_stream(c, ExpectedVersion::NoStream, vec![event(4)]),
                to_stream(b, ExpectedVersion::Exact(0), vec![event(5)]),
            ],
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, AppendError::Conflict { current: 1, .. }),
        "{err:?}"
    );
    assert!(read_stream(&pool, c).await.unwrap().is_empty());
    assert_eq!(read_stream(&pool, a).await.unwrap().len(), 2);
    assert!(verify_chain(&pool, |_| {}).await.unwrap().ok);
}

#[tokio::test]
async fn a_retried_append_is_idempotent_not_a_duplicate() {
    let (_, pool) = fresh_database().await;
    let store = EventStore::start(pool.clone());
    let s = Uuid::new_v4();
    let request = AppendRequest::single(to_stream(
        s,
        ExpectedVersion::NoStream,
        vec![event(1), event(2)],
    ));
    let first = store.append(request.clone()).await.unwrap();
    // The same request again (e.g. the client never saw the answer): same events back, nothing new.
    let again = store.append(request.clone()).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(read_stream(&pool, s).await.unwrap().len(), 2);

    // Reusing one of those ids in a different append is refused.
    let mut reuse = to_stream(s, ExpectedVersion::Any, vec![event(3)]);
    reuse.events.push(request.streams[0].events[0].clone());
    let err = store
        .append(AppendRequest::single(reuse))
        .await
        .unwrap_err();
    assert!(matches!(err, AppendError::EventIdReused(_)), "{err:?}");
    assert_eq!(read_stream(&pool, s).await.unwrap().len(), 2);

    // Many concurrent retries of one request still append it once.
    let s2 = Uuid::new_v4();
    let request = AppendRequest::single(to_stream(s2, ExpectedVersion::NoStream, vec![event(9)]));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            let request = request.clone();
            tokio::spawn(async move { store.append(request).await.unwrap() })
        })
        .collect();
    let mut positions = Vec::new();
    for t in tasks {
        positions.push(t.await.unwrap()[0].position);
    }
    positions.dedup();
    assert_eq!(positions.len(), 1);
    assert_eq!(read_stream(&pool, s2).await.unwrap().len(), 1);
    assert!(verify_chain(&pool, |_| {}).await.unwrap().ok);
}

#[tokio::test]
async fn expected_versions_are_enforced_and_conflicts_change_nothing() {
    let (_, pool) = fresh_database().await;
    let store = EventStore::start(pool.clone());
    let s = Uuid::new_v4();
    store
        .append(AppendRequest::single(to_stream(
            s,
            ExpectedVersion::NoStream,
            vec![event(1)],
        )))
        .await
        .unwrap();
    for expected in [
        ExpectedVersion::NoStream,
        ExpectedVersion::Exact(0),
        ExpectedVersion::Exact(2),
    ] {
        let err = store
            .append(AppendRequest::single(to_stream(
                s,
                expected,
                vec![event(2)],
            )))
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppendError::Conflict { current: 1, .. }),
            "{err:?}"
        );
    }
    let ok = store
        .append(AppendRequest::single(to_stream(
            s,
            ExpectedVersion::Exact(1),
            vec![event(2)],
        )))
        .await
        .unwrap();
    assert_eq!(ok[0].version, 2);
    let any = store
        .append(AppendRequest::single(to_stream(
            s,
            ExpectedVersion::Any,
            vec![event(3)],
        )))
        .await
        .unwrap();
    assert_eq!((any[0].version, any[0].position), (3, 3));

    let mut wrong_type = to_stream(s, ExpectedVersion::Any, vec![event(4)]);
    wrong_type.stream_type = "other".into();
    let err = store
        .append(AppendRequest::single(wrong_type))
        .await
        .unwrap_err();
    assert!(matches!(err, AppendError::StreamTypeMismatch { .. }));
    let err = store.append(AppendRequest::default()).await.unwrap_err();
    assert!(matches!(err, AppendError::Invalid(_)));
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(head, 3);
}

#[tokio::test]
async fn the_database_refuses_update_delete_and_truncate_even_for_a_superuser() {
    let (_, pool) = fresh_database().await;
    let store = EventStore::start(pool.clone());
    store
        .append(AppendRequest::single(to_stream(
            Uuid::new_v4(),
            ExpectedVersion::Any,
            vec![event(1)],
        )))
        .await
        .unwrap();
    // The test connects as `postgres`, a superuser and the table's owner.
    for statement in [
        "UPDATE events SET payload = '{}'::jsonb",
        "DELETE FROM events",
        "TRUNCATE events",
    ] {
        let err = sqlx::raw_sql(sqlx::AssertSqlSafe(statement))
            .execute(&pool)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("append-only"),
            "{statement} was not refused: {err}"
        );
    }
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_stream_belongs_to_one_program() {
    let (_, pool) = fresh_database().await;
    let store = EventStore::start(pool.clone());
    let stream = Uuid::new_v4();
    let with_program = |n: u64, program: Uuid| NewEvent {
        program_id: Some(throughline_shared::ProgramId::from_uuid(program)),
        ..event(n)
    };
    let (p, q) = (Uuid::new_v4(), Uuid::new_v4());
    // Within one append…
    let refused = store
        .append(AppendRequest::single(to_stream(
            stream,
            ExpectedVersion::NoStream,
            vec![with_program(1, p), with_program(2, q)],
        )))
        .await
        .unwrap_err();
    assert!(matches!(refused, AppendError::Invalid(_)), "{refused:?}");
    // …and across appends.
    store
        .append(AppendRequest::single(to_stream(
            stream,
            ExpectedVersion::NoStream,
            vec![with_program(1, p)],
        )))
        .await
        .unwrap();
    let refused = store
        .append(AppendRequest::single(to_stream(
            stream,
            ExpectedVersion::Any,
            vec![with_program(2, q)],
        )))
        .await
        .unwrap_err();
    assert!(matches!(refused, AppendError::Invalid(_)), "{refused:?}");
    let registered: Option<Uuid> =
        sqlx::query_scalar("SELECT program_id FROM streams WHERE stream_id = $1")
            .bind(stream)
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(registered, Some(p));
    assert_eq!(read_stream(&pool, stream).await.unwrap().len(), 1);
}
