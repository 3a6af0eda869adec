//! The PostgreSQL event log: group-commit appends, reads, and hash-chain verification.
//!
//! The log is the only source of truth and is never edited: triggers refuse `UPDATE`, `DELETE` and
//! `TRUNCATE` on `events` for everyone, owner and superusers included. Only disabling triggers
//! (e.g. `session_replication_role = replica`) gets round that, and then the hash chain shows the
//! change. Positions are global and gapless; versions are per stream and gapless, assigned only
//! by the appender under the `log_head` lock (checked by `verify`). A stream's type and program
//! are fixed by the append that creates it (`streams`), and every later event must name that
//! program. Folded aggregate states are kept between commands (`state_cache`), and writers of one
//! stream on one instance take turns (`stream_locks`).

mod appender;
pub mod clock;
mod hash;
mod read;
mod state_cache;
mod stream_locks;
mod verify;

pub use appender::{
    APPENDER_CONNECTIONS, AppendError, AppendRequest, EventStore, ExpectedVersion, NOTIFY_CHANNEL,
    NewEvent, StreamAppend,
};
pub use hash::{GENESIS_HASH, HashInput, canonical_string, event_hash};
pub use read::{
    EventFilter, first_of_stream, head_position, position_at_instant, read_events,
    read_events_of_programs, read_program_streams, read_stream, read_stream_after,
    read_stream_with,
};
pub use state_cache::{At, StateCache};
pub use stream_locks::StreamLocks;
pub use verify::{verify_chain, verify_link};

use chrono::{DateTime, Utc};
use serde_json::Value;
use throughline_shared::{EventId, ProgramId, RecordedEvent};
use uuid::Uuid;

/// The columns every reader selects, in `EventRow` order (a macro so queries stay `&'static str`).
macro_rules! event_columns {
    () => {
        "position, event_id, stream_id, stream_type, version, event_type, schema_version, \
         program_id, payload, metadata, recorded_at, prev_hash, hash"
    };
}
pub(crate) use event_columns;

/// One row of `events`, exactly as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: Uuid,
    pub stream_type: String,
    pub version: i64,
    pub event_type: String,
    pub schema_version: i32,
    pub program_id: Option<Uuid>,
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// A row decoded straight into a `RecordedEvent` (metadata from the jsonb bytes, with no
/// intermediate JSON tree): what every reader but the hash-chain check uses.
pub(crate) struct RecordedRow(pub RecordedEvent);

impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for RecordedRow {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        use sqlx::Row;
        let sqlx::types::Json(metadata) = row.try_get("metadata")?;
        let hash: &[u8] = row.try_get("hash")?;
        Ok(Self(RecordedEvent {
            position: row.try_get("position")?,
            event_id: EventId::from_uuid(row.try_get("event_id")?),
            stream_id: row.try_get("stream_id")?,
            stream_type: row.try_get("stream_type")?,
            version: row.try_get("version")?,
            event_type: row.try_get("event_type")?,
            schema_version: row.try_get("schema_version")?,
            program_id: row
                .try_get::<Option<Uuid>, _>("program_id")?
                .map(ProgramId::from_uuid),
            payload: row.try_get("payload")?,
            metadata,
            recorded_at: row.try_get("recorded_at")?,
            hash: hex::encode(hash),
            description: None,
        }))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}
