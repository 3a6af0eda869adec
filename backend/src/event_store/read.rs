//! Reading the log. Positions are gapless and commit in order, so "everything after N" read at any
//! moment is a prefix-extension of what any earlier reader saw.

use super::{RecordedRow, StoreError, event_columns};
use chrono::{DateTime, Utc};
use sqlx::PgExecutor;
use throughline_shared::{ProgramId, RecordedEvent};
use uuid::Uuid;

/// Which events to read: after a position, optionally up to one, optionally one program's.
#[derive(Clone, Copy, Debug)]
pub struct EventFilter {
    pub after: i64,
    pub up_to: Option<i64>,
    pub program_id: Option<ProgramId>,
    pub limit: i64,
}

impl EventFilter {
    pub fn after(after: i64, limit: i64) -> Self {
        Self {
            after,
            up_to: None,
            program_id: None,
            limit,
        }
    }
}

pub async fn read_events(
    db: impl PgExecutor<'_>,
    filter: EventFilter,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let up_to = filter.up_to.unwrap_or(i64::MAX);
    if let Some(program) = filter.program_id {
        return read_events_of_programs(db, &[program.0], filter.after, up_to, filter.limit).await;
    }
    let rows: Vec<RecordedRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE position > $1 AND position <= $2 ORDER BY position LIMIT $3"
    ))
    .bind(filter.after)
    .bind(up_to)
    .bind(filter.limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Events of any of `programs` in `(after, up_to]`, in position order: one program's audit trail,
/// or the global log as seen by someone who may read only those programs.
///
/// A program's events are its streams' events (`streams`), so this takes at most `limit` events
/// from each of those streams by one range scan of `(stream_id, position)`, then the first
/// `limit` of them all: a page costs at most streams × limit rows, however long the log.
pub async fn read_events_of_programs(
    db: impl PgExecutor<'_>,
    programs: &[Uuid],
    after: i64,
    up_to: i64,
    limit: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<RecordedRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM (SELECT stream_id AS sid FROM streams WHERE program_id = ANY($1)) AS s \
         CROSS JOIN LATERAL (SELECT ",
        event_columns!(),
        " FROM events WHERE events.stream_id = s.sid AND position > $2 AND position <= $3 \
            ORDER BY position LIMIT $4) AS e \
         ORDER BY position LIMIT $4"
    ))
    .bind(programs)
    .bind(after)
    .bind(up_to)
    .bind(limit)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// A whole stream in version order (which is position order): what an aggregate is rebuilt from
/// before a decision.
pub async fn read_stream(
    db: impl PgExecutor<'_>,
    stream_id: Uuid,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<RecordedRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE stream_id = $1 ORDER BY position"
    ))
    .bind(stream_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The events of `stream_id` whose payload's top-level `field` equals `value` (e.g. one published
/// briefing by its number), without reading the rest of the stream.
pub async fn read_stream_with(
    db: impl PgExecutor<'_>,
    stream_id: Uuid,
    field: &str,
    value: serde_json::Value,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<RecordedRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE stream_id = $1 AND payload->$2 = $3 ORDER BY position"
    ))
    .bind(stream_id)
    .bind(field)
    .bind(value)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The events of `stream_id` after log position `after` (a range of the `(stream_id, position)`
/// index: versions grow with positions within a stream, and have no index of their own).
pub async fn read_stream_after(
    db: impl PgExecutor<'_>,
    stream_id: Uuid,
    after: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows: Vec<RecordedRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE stream_id = $1 AND position > $2 ORDER BY position"
    ))
    .bind(stream_id)
    .bind(after)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The first event of `stream_id`: who created what the stream is about, and when.
pub async fn first_of_stream(
    db: impl PgExecutor<'_>,
    stream_id: Uuid,
) -> Result<Option<RecordedEvent>, StoreError> {
    let row: Option<RecordedRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE stream_id = $1 ORDER BY position LIMIT 1"
    ))
    .bind(stream_id)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|r| r.0))
}

/// The last committed position (0 for an empty log).
pub async fn head_position(db: impl PgExecutor<'_>) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT position FROM log_head WHERE id = 1")
        .fetch_one(db)
        .await
}

/// The last position recorded at or before `instant` (0 if none). `recorded_at` never decreases
/// along the log, so this is exactly "the log as it stood at that instant"; found by binary search
/// over the primary key (about 20 point reads for a million events) instead of a second index
/// that every append would pay for.
pub async fn position_at_instant(
    pool: &sqlx::PgPool,
    instant: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let (mut lo, mut hi) = (0i64, head_position(pool).await?);
    while lo < hi {
        let mid = lo + (hi - lo + 1) / 2;
        let at: DateTime<Utc> =
            sqlx::query_scalar("SELECT recorded_at FROM events WHERE position = $1")
                .bind(mid)
                .fetch_one(pool)
                .await?;
        if at <= instant {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    Ok(lo)
}

/// Every event up to `up_to` of one program's streams of the given types, in position order: what
/// a read model covering a few kinds of aggregate (e.g. governance) is folded from, without
/// reading the program's other, far more numerous events.
pub async fn read_program_streams(
    db: impl PgExecutor<'_>,
    program: Uuid,
    stream_types: &[&str],
    up_to: i64,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let types: Vec<String> = stream_types.iter().map(|t| t.to_string()).collect();
    let rows: Vec<RecordedRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM (SELECT stream_id AS sid FROM streams \
                WHERE program_id = $1 AND stream_type = ANY($2)) AS s \
         CROSS JOIN LATERAL (SELECT ",
        event_columns!(),
        " FROM events WHERE events.stream_id = s.sid AND position <= $3) AS e \
         ORDER BY position"
    ))
    .bind(program)
    .bind(&types)
    .bind(up_to)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
