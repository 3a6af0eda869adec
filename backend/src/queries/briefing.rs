//! Executive briefings read from the log: the program's published briefings, one briefing's
//! content, and a draft generated as of any moment (`shared::briefing::generate`) from the views
//! as they stood then, what changed since the briefing before, and the events behind each item.

use super::governance::governance_view;
use super::program::{ReadFailed, view_at};
use super::raid::raid_view;
use crate::event_store::{StoreError, read_stream_with};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use throughline_shared::briefing::PublishedBriefing;
use throughline_shared::briefing::{
    BriefingContent, BriefingDocument, BriefingEvent, BriefingInputs, BriefingLog, Evidence,
    briefings_stream, generate,
};
use throughline_shared::changes::{Moment, changes};
use throughline_shared::event::AggregateEvent;
use throughline_shared::{DomainEvent, ProgramId, Rag, RecordedEvent};
use uuid::Uuid;

/// Evidence rows kept per item: enough for the latest few since the previous briefing.
const EVIDENCE_ROWS: i64 = 6;

/// The program's briefings published up to `up_to`, with the cadence and the next due day, and
/// the stream's version. Read from the fields the list needs rather than whole events (each holds
/// a whole document): the governance view asks on every read. These are schema version 1's wire
/// fields; a new version of either event must be read here too.
pub async fn briefing_log(
    pool: &PgPool,
    program_id: ProgramId,
    up_to: i64,
    created: Option<NaiveDate>,
) -> Result<(BriefingLog, i64), StoreError> {
    // Numbers as JSON, read in Rust: a malformed event is skipped, never a failed query.
    type Row = (
        i64,
        i64,
        DateTime<Utc>,
        Option<String>,
        String,
        Option<Value>,
        Option<Value>,
    );
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT position, version, recorded_at, metadata->>'actor', event_type, \
                payload - 'content', \
                (payload->'content'->'document') - 'sections' - 'timeline' \
         FROM events WHERE stream_id = $1 AND position <= $2 ORDER BY position",
    )
    .bind(briefings_stream(program_id))
    .bind(up_to)
    .fetch_all(pool)
    .await?;
    let mut log = BriefingLog::default();
    let mut version = 0;
    for (position, v, at, actor, event_type, head, document) in rows {
        version = v;
        let field =
            |json: &Option<Value>, name: &str| json.as_ref().and_then(|j| j.get(name).cloned());
        match event_type.as_str() {
            "BriefingPublished" => {
                let number = field(&head, "number")
                    .and_then(|n| n.as_u64())
                    .and_then(|n| u32::try_from(n).ok());
                let as_of = field(&document, "as_of").and_then(|n| n.as_i64());
                let day = field(&document, "as_of_day")
                    .and_then(|d| d.as_str().and_then(|d| d.parse::<NaiveDate>().ok()));
                let hash =
                    field(&head, "content_hash").and_then(|h| h.as_str().map(str::to_string));
                let (Some(number), Some(as_of), Some(day), Some(hash)) = (number, as_of, day, hash)
                else {
                    tracing::error!(%program_id, position, "a briefing's event lacks its fields; skipped");
                    continue;
                };
                log.published.push(PublishedBriefing {
                    number,
                    position,
                    published_at: at,
                    published_by: actor.unwrap_or_default(),
                    as_of,
                    as_of_day: day,
                    overall: field(&document, "overall")
                        .and_then(|o| o.as_str().and_then(|o| o.parse::<Rag>().ok())),
                    content_hash: hash,
                });
            }
            "BriefingCadenceSet" => {
                if let Some(days) = field(&head, "every_days")
                    .and_then(|d| d.as_u64())
                    .and_then(|d| u16::try_from(d).ok())
                {
                    log.cadence_days = days;
                }
            }
            _ => {}
        }
    }
    log.cadence_days = log.cadence();
    log.next_due = log.due(created);
    Ok((log, version))
}

/// One published briefing as stored.
pub struct Published {
    pub event: RecordedEvent,
    pub content: BriefingContent,
    /// The hash its event recorded.
    pub recorded_hash: String,
    /// The SHA-256 of the content as stored now: its canonical JSON, not a re-encoding of the
    /// decoded struct, so a field the struct does not know still counts.
    pub stored_hash: String,
}

/// Published briefing `number`, read by its number alone.
pub async fn published(
    pool: &PgPool,
    program_id: ProgramId,
    number: u32,
) -> Result<Option<Published>, StoreError> {
    let rows = read_stream_with(
        pool,
        briefings_stream(program_id),
        "number",
        serde_json::json!(number),
    )
    .await?;
    Ok(rows.into_iter().find_map(|event| {
        let stored_hash = event.payload.get("content").map(|c| {
            let canonical = crate::event_store::canonical_string(c);
            hex::encode(Sha256::digest(canonical.as_bytes()))
        })?;
        match event.decode() {
            Ok(DomainEvent::Briefing(BriefingEvent::BriefingPublished {
                number: n,
                content,
                content_hash,
                ..
            })) if n == number => Some(Published {
                content: *content,
                recorded_hash: content_hash,
                stored_hash,
                event,
            }),
            _ => None,
        }
    }))
}

/// For each item of the program (a stream; a dependency or an objective within its stream), its
/// latest events up to `as_of`, recorded against `since`. A stream that is one item (a milestone,
/// a project, a risk…) gives its last few events off the `(stream_id, position)` index; the
/// dependency register and the program's stream, which hold many items, are read whole and split
/// by the item each event names (objectives created with the program: each of them).
async fn evidence(
    pool: &PgPool,
    program_id: ProgramId,
    since: i64,
    as_of: i64,
) -> Result<Evidence, StoreError> {
    let rows: Vec<(Option<String>, i64)> = sqlx::query_as(
        "WITH s AS (SELECT stream_id, stream_type FROM streams WHERE program_id = $1) \
         SELECT s.stream_id::text, e.position FROM s \
         CROSS JOIN LATERAL (SELECT position FROM events \
             WHERE stream_id = s.stream_id AND position <= $2 \
             ORDER BY position DESC LIMIT $5) e \
         WHERE s.stream_type <> $3 \
         UNION ALL \
         SELECT key, position FROM ( \
           SELECT x.key, x.position, \
                  row_number() OVER (PARTITION BY x.key ORDER BY x.position DESC) AS n \
           FROM ( \
             SELECT e.payload->>'dependency_id' AS key, e.position \
             FROM s JOIN events e ON e.stream_id = s.stream_id \
             WHERE s.stream_type = $3 AND e.position <= $2 \
             UNION ALL \
             SELECT COALESCE(e.payload->'objective'->>'objective_id', \
                             e.payload->>'objective_id'), e.position \
             FROM s JOIN events e ON e.stream_id = s.stream_id \
             WHERE s.stream_type = $4 AND e.position <= $2 \
             UNION ALL \
             SELECT o->>'objective_id', e.position \
             FROM s JOIN events e ON e.stream_id = s.stream_id \
             CROSS JOIN LATERAL jsonb_array_elements( \
                 CASE WHEN jsonb_typeof(e.payload->'objectives') = 'array' \
                      THEN e.payload->'objectives' ELSE '[]'::jsonb END) o \
             WHERE s.stream_type = $4 AND e.position <= $2 \
           ) x WHERE x.key IS NOT NULL \
         ) k WHERE n <= $5",
    )
    .bind(program_id.0)
    .bind(as_of)
    .bind(<throughline_shared::dependency::DependencyEvent as AggregateEvent>::STREAM_TYPE)
    .bind(<throughline_shared::program::ProgramEvent as AggregateEvent>::STREAM_TYPE)
    .bind(EVIDENCE_ROWS)
    .fetch_all(pool)
    .await?;
    let mut evidence = Evidence::default();
    for (key, position) in rows {
        if let Some(item) = key.and_then(|k| Uuid::parse_str(&k).ok()) {
            evidence.record(item, position, since);
        }
    }
    Ok(evidence)
}

/// A briefing could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum DraftFailed {
    #[error("the program did not exist at log position {0}")]
    NoProgram(i64),
    #[error(transparent)]
    Read(#[from] ReadFailed),
    #[error(transparent)]
    Log(#[from] StoreError),
}

/// The briefing as of `as_of`, judged on `day`, counting what changed since the last briefing
/// published as of a moment at or before it. Also gives the briefing stream's version it was
/// generated against, which a publication must still find.
pub async fn draft(
    pool: &PgPool,
    program_id: ProgramId,
    as_of: i64,
    day: NaiveDate,
) -> Result<(BriefingDocument, BriefingLog, i64), DraftFailed> {
    let view = view_at(pool, program_id, as_of)
        .await?
        .ok_or(DraftFailed::NoProgram(as_of))?;
    let created = view.created_at.map(|t| t.date_naive());
    let (log, version) = briefing_log(pool, program_id, i64::MAX, created).await?;
    let previous = log.before(as_of).cloned();
    let (since, since_day, follows) = match &previous {
        Some(b) => (b.as_of, b.as_of_day, Some(b.number)),
        None => (0, created.unwrap_or(day), None),
    };
    let governance = governance_view(pool, program_id, as_of).await?;
    let raid = raid_view(pool, program_id, as_of).await?;
    let (before_view, before_gov, before_raid) = if since > 0 {
        (
            view_at(pool, program_id, since).await?,
            governance_view(pool, program_id, since).await?,
            raid_view(pool, program_id, since).await?,
        )
    } else {
        (
            None,
            throughline_shared::governance::view::GovernanceView::new(program_id),
            throughline_shared::raid::view::RaidView::new(program_id),
        )
    };
    let diff = changes(
        &Moment {
            position: since,
            day: since_day.min(day),
            program: before_view.as_ref(),
            governance: &before_gov,
            raid: &before_raid,
        },
        &Moment {
            position: as_of,
            day,
            program: Some(&view),
            governance: &governance,
            raid: &raid,
        },
    );
    let evidence = evidence(pool, program_id, since, as_of).await?;
    let document = generate(&BriefingInputs {
        view: &view,
        governance: &governance,
        raid: &raid,
        as_of,
        day,
        since,
        since_day,
        follows,
        changes: &diff,
        evidence: &evidence,
    });
    Ok((document, log, version))
}

/// The instant a position was recorded at (now for a position past the head).
pub async fn recorded_at(pool: &PgPool, position: i64) -> Result<DateTime<Utc>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT recorded_at FROM events WHERE position = $1")
            .bind(position)
            .fetch_optional(pool)
            .await?
            .unwrap_or_else(Utc::now),
    )
}
