//! The hash chain: each event's SHA-256 covers its own canonical bytes and the previous hash, so
//! changing, removing or reordering any stored event breaks every link after it.
//!
//! `hash = SHA-256("throughline-event-v1" ‖ prev_hash ‖ position ‖ event_id ‖ stream_id ‖
//! stream_type ‖ version ‖ event_type ‖ schema_version ‖ program_id ‖ payload ‖ metadata ‖
//! recorded_at µs)`: integers big-endian, variable-length parts (the texts, payload and metadata)
//! prefixed with their length, `program_id` with a presence byte, payload and metadata as
//! canonical JSON (keys sorted at every depth, no whitespace), so the `jsonb` copy read back
//! re-hashes exactly. The first event's `prev_hash` is `GENESIS_HASH` (32 zero bytes). Audit
//! exports carry each event's `prev_hash` and `hash`, so anyone can recompute the chain and
//! compare its end with the `X-Throughline-Head-Hash` header; `verify.rs` walks it server-side.

use chrono::{DateTime, Utc};
use serde_json::Value;
use sha2::{Digest, Sha256};
use throughline_shared::event::canonical_json;
use uuid::Uuid;

pub const GENESIS_HASH: [u8; 32] = [0; 32];

/// The fields that are hashed. Variable-length parts are length-prefixed so that no two different
/// events can produce the same byte string.
pub struct HashInput<'a> {
    pub position: i64,
    pub event_id: Uuid,
    pub stream_id: Uuid,
    pub stream_type: &'a str,
    pub version: i64,
    pub event_type: &'a str,
    pub schema_version: i32,
    pub program_id: Option<Uuid>,
    /// Canonical JSON (see `canonical_json`) of the payload and metadata.
    pub payload: &'a [u8],
    pub metadata: &'a [u8],
    pub recorded_at: DateTime<Utc>,
}

pub fn event_hash(prev_hash: &[u8], input: &HashInput<'_>) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"throughline-event-v1");
    h.update(prev_hash);
    h.update(input.position.to_be_bytes());
    h.update(input.event_id.as_bytes());
    h.update(input.stream_id.as_bytes());
    field(&mut h, input.stream_type.as_bytes());
    h.update(input.version.to_be_bytes());
    field(&mut h, input.event_type.as_bytes());
    h.update(input.schema_version.to_be_bytes());
    match input.program_id {
        Some(id) => {
            h.update([1]);
            h.update(id.as_bytes());
        }
        None => h.update([0]),
    }
    field(&mut h, input.payload);
    field(&mut h, input.metadata);
    h.update(input.recorded_at.timestamp_micros().to_be_bytes());
    h.finalize().into()
}

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

/// Canonical JSON text of a value, as hashed and as stored.
pub fn canonical_string(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    canonical_json(value, &mut out);
    // canonical_json writes only serde_json output and ASCII punctuation.
    String::from_utf8(out).expect("canonical JSON is UTF-8")
}
