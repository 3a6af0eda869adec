//! Walks the whole chain and reports the first link that does not hold: a missing position, a hash
//! that does not match, or a stream whose versions are not 1, 2, 3… in position order.

use super::hash::{GENESIS_HASH, HashInput, canonical_string, event_hash};
use super::{EventRow, event_columns};
use std::collections::HashMap;
use throughline_shared::api::VerifyReport;
use uuid::Uuid;

const PAGE: i64 = 5_000;

/// `progress` is called with the last checked position after every page.
pub async fn verify_chain(
    pool: &sqlx::PgPool,
    mut progress: impl FnMut(i64),
) -> Result<VerifyReport, sqlx::Error> {
    let (head, head_hash): (i64, Vec<u8>) =
        sqlx::query_as("SELECT position, hash FROM log_head WHERE id = 1")
            .fetch_one(pool)
            .await?;
    let mut expected_position = 1;
    let mut prev: Vec<u8> = GENESIS_HASH.to_vec();
    let mut versions: HashMap<Uuid, i64> = HashMap::new();
    let broken = |position: i64, problem: String, checked: i64| VerifyReport {
        ok: false,
        checked,
        head_position: head,
        first_broken_position: Some(position),
        problem: Some(problem),
    };
    loop {
        let rows: Vec<EventRow> = sqlx::query_as(concat!(
            "SELECT ",
            event_columns!(),
            " FROM events WHERE position >= $1 AND position <= $2 ORDER BY position LIMIT $3"
        ))
        .bind(expected_position)
        .bind(head)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let checked = expected_position - 1;
            if row.position != expected_position {
                return Ok(broken(
                    expected_position,
                    format!("position {expected_position} is missing"),
                    checked,
                ));
            }
            if row.prev_hash != prev {
                return Ok(broken(
                    row.position,
                    "prev_hash does not match the previous event's hash".into(),
                    checked,
                ));
            }
            let hash = row_hash(&prev, row);
            if hash.as_slice() != row.hash.as_slice() {
                return Ok(broken(
                    row.position,
                    "the event's contents do not match its hash".into(),
                    checked,
                ));
            }
            let version = versions.entry(row.stream_id).or_insert(0);
            if row.version != *version + 1 {
                return Ok(broken(
                    row.position,
                    format!(
                        "stream {} goes from version {} to {}",
                        row.stream_id, version, row.version
                    ),
                    checked,
                ));
            }
            *version = row.version;
            prev = row.hash.clone();
            expected_position += 1;
        }
        progress(expected_position - 1);
    }
    let checked = expected_position - 1;
    if checked != head {
        return Ok(broken(
            checked + 1,
            format!("the log head says {head} events but only {checked} were found"),
            checked,
        ));
    }
    if head > 0 && prev != head_hash {
        return Ok(broken(
            head,
            "the log head's hash does not match the last event".into(),
            checked,
        ));
    }
    Ok(VerifyReport {
        ok: true,
        checked,
        head_position: head,
        first_broken_position: None,
        problem: None,
    })
}

/// Whether the event at `position` is still the link of the chain it was: it hashes, with the
/// hash before it, to its recorded hash; that previous hash is the previous event's (or genesis);
/// and the next event (or the log's head) chains on from its hash. Rewriting the event and its
/// hash alike breaks the link after it; the whole chain is `verify_chain`'s walk.
pub async fn verify_link(pool: &sqlx::PgPool, position: i64) -> Result<bool, sqlx::Error> {
    let row: Option<EventRow> = sqlx::query_as(concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE position = $1"
    ))
    .bind(position)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let hash = row_hash(&row.prev_hash, &row);
    if hash.as_slice() != row.hash.as_slice() {
        return Ok(false);
    }
    let before: Vec<u8> = if position == 1 {
        GENESIS_HASH.to_vec()
    } else {
        sqlx::query_scalar("SELECT hash FROM events WHERE position = $1")
            .bind(position - 1)
            .fetch_optional(pool)
            .await?
            .unwrap_or_default()
    };
    let after: Option<Vec<u8>> =
        sqlx::query_scalar("SELECT prev_hash FROM events WHERE position = $1")
            .bind(position + 1)
            .fetch_optional(pool)
            .await?;
    let after = match after {
        Some(prev) => prev,
        None => sqlx::query_scalar("SELECT hash FROM log_head WHERE id = 1 AND position = $1")
            .bind(position)
            .fetch_optional(pool)
            .await?
            .unwrap_or_default(),
    };
    Ok(row.prev_hash == before && after == row.hash)
}

/// A stored row's hash, chained to `prev`.
fn row_hash(prev: &[u8], row: &EventRow) -> [u8; 32] {
    let payload = canonical_string(&row.payload);
    let metadata = canonical_string(&row.metadata);
    event_hash(
        prev,
        &HashInput {
            position: row.position,
            event_id: row.event_id,
            stream_id: row.stream_id,
            stream_type: &row.stream_type,
            version: row.version,
            event_type: &row.event_type,
            schema_version: row.schema_version,
            program_id: row.program_id,
            payload: payload.as_bytes(),
            metadata: metadata.as_bytes(),
            recorded_at: row.recorded_at,
        },
    )
}
