//! The history scrubber's track: a program's first and latest events and its notable ones —
//! decisions taken, forecasts moved later, project RAG changes, risks identified — found by one
//! query each over the program's streams.

use crate::event_store::{RecordedRow, event_columns};
use chrono::{DateTime, Utc};
use sqlx::{FromRow, PgPool, Row};
use throughline_shared::history::{HistoryTrack, MARKS_MAX, MarkKind, TrackMark, TrackPoint};
use throughline_shared::{ProgramId, RecordedEvent};

/// Event types that can make a mark (`MarkKind::of_event_type`).
const MARK_TYPES: &[&str] = &[
    "DecisionApproved",
    "DecisionRejected",
    "MilestoneForecastChanged",
    "ProjectStatusReported",
    "RiskIdentified",
];

/// How many events, the first's position and time, the last's.
type Ends = (i64, i64, DateTime<Utc>, i64, DateTime<Utc>);

/// The program's track up to `up_to`, or `None` if it had no event by then.
pub async fn track(
    pool: &PgPool,
    program_id: ProgramId,
    up_to: i64,
) -> Result<Option<HistoryTrack>, sqlx::Error> {
    let ends: Option<Ends> = sqlx::query_as(
        "WITH p AS (
             SELECT e.position, e.recorded_at FROM events e
             JOIN streams s ON s.stream_id = e.stream_id
             WHERE s.program_id = $1 AND e.position <= $2)
         SELECT (SELECT count(*) FROM p), f.position, f.recorded_at, l.position, l.recorded_at
         FROM (SELECT * FROM p ORDER BY position LIMIT 1) f,
              (SELECT * FROM p ORDER BY position DESC LIMIT 1) l",
    )
    .bind(program_id.0)
    .bind(up_to)
    .fetch_optional(pool)
    .await?;
    let Some((count, first, first_at, last, last_at)) = ends else {
        return Ok(None);
    };
    // A status report marks a change only when its RAG differs from the project's previous one;
    // a forecast change only when it moves later (ISO dates compare as text).
    let rows = sqlx::query(concat!(
        "SELECT count(*) OVER () AS marks, ",
        event_columns!(),
        " FROM (SELECT e.*, lag(e.payload->>'rag') OVER (PARTITION BY e.stream_id ORDER BY e.position) AS prev_rag
               FROM events e JOIN streams s ON s.stream_id = e.stream_id
               WHERE s.program_id = $1 AND e.position <= $2 AND e.event_type = ANY($3)) c
          WHERE (event_type <> 'ProjectStatusReported' OR prev_rag IS DISTINCT FROM payload->>'rag')
            AND (event_type <> 'MilestoneForecastChanged' OR payload->>'to' > payload->>'from')
          ORDER BY position DESC LIMIT $4"
    ))
    .bind(program_id.0)
    .bind(up_to)
    .bind(MARK_TYPES)
    .bind(MARKS_MAX as i64)
    .fetch_all(pool)
    .await?;
    let mut total = 0;
    let mut marks = Vec::with_capacity(rows.len());
    for row in &rows {
        total = row.try_get("marks")?;
        let RecordedRow(event) = RecordedRow::from_row(row)?;
        marks.extend(mark(event));
    }
    marks.reverse();
    Ok(Some(HistoryTrack {
        first: TrackPoint {
            position: first,
            at: first_at,
        },
        last: TrackPoint {
            position: last,
            at: last_at,
        },
        events: count,
        marks_left_off: total - marks.len() as i64,
        marks,
    }))
}

fn mark(event: RecordedEvent) -> Option<TrackMark> {
    let kind = MarkKind::of_event_type(&event.event_type)?;
    let event = event.described();
    Some(TrackMark {
        position: event.position,
        at: event.recorded_at,
        kind,
        text: event.description.unwrap_or(event.event_type),
    })
}
