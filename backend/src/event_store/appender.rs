//! Group commit: one appender task per backend instance turns every queued append into one
//! transaction.
//!
//! `EventStore::append` computes the canonical JSON of its events in the caller's task, queues the
//! request (one command: events for one or more streams, each with an expected version) and waits
//! for the answer. The appender takes everything queued (up to `MAX_BATCH_EVENTS`, 20,000 events;
//! it yields `LINGER_YIELDS` times first, so writers just answered can join) and, in **one
//! transaction**:
//!
//! 1. `SELECT * FROM lock_log_head($stream_ids)`: a PL/pgSQL function that takes the single row
//!    lock on `log_head` (`FOR UPDATE`: it orders all appends, from every instance), then, in a
//!    second query with a fresh snapshot (so it sees the batch that held the lock before), reads
//!    the current version, type and program of every stream touched (its latest event, from the
//!    `(stream_id, position)` index). One round trip.
//! 2. Checks each request in queue order against those versions, including the effect of earlier
//!    requests of the same batch. A conflicting request is refused alone (`AppendError::Conflict`,
//!    HTTP 409 with the current version); the others go on. A conflicting request whose event ids
//!    are already in the log (or earlier in the batch) is a retry and is answered with the original
//!    events. A stream of another type, or events naming another program than their stream's, are
//!    refused (`StreamTypeMismatch`, `Invalid`).
//! 3. Assigns contiguous positions and per-stream versions and chains the hashes (see
//!    `hash.rs`).
//! 4. One statement: `INSERT … SELECT FROM UNNEST(arrays)` for all rows, the `streams` rows of
//!    new streams, the `UPDATE log_head` and `pg_notify('throughline_events', head)` in one `WITH`.
//! 5. `COMMIT`, then answers every caller.
//!
//! **Why readers never see a gap.** Positions are assigned while holding the `log_head` row lock,
//! which is released only when the transaction commits. So batch N+1 (from any instance) can only
//! assign positions after batch N has committed: commit order equals position order, and a reader
//! that has seen position P will never later find an event below P. (The BIGSERIAL trap — a
//! transaction that takes a lower number but commits later — cannot happen.)
//!
//! **One NOTIFY per batch**: `NOTIFY` takes a cluster-wide lock at commit; one per event would
//! serialise commits on it.
//!
//! **Batches in flight**: up to `PIPELINE` (two; `APPENDER_CONNECTIONS`, the appender's own
//! pool), each on its own connection. The second starts before the first has committed only when
//! at least `PIPELINE_MIN_EVENTS` (160) events are waiting; it then waits inside PostgreSQL for the
//! head lock and takes it the moment the previous batch commits, so its round trips overlap the
//! previous commit's WAL flush. Batches are ordered by the lock; a writer sends its next request
//! only after the answer to its previous one, so each writer's own appends stay in order.
//!
//! `recorded_at` is the batch's clock reading (µs), never earlier than the head's, so time order
//! equals position order and an `as_of` instant is found by binary search over positions
//! (`position_at_instant`; no index on `recorded_at` for appends to maintain). Server event ids
//! are UUIDv7 (time-ordered), so the unique index on `event_id` grows at its end.
//!
//! **Failures.** A batch that fails as a whole (say a reused event id hit the unique index) is
//! retried request by request with an explicit check for ids already in the log, so only the
//! offending request fails. When the database is unreachable (`db::is_unreachable`) nothing is
//! retried: every caller of the batch is answered at once with `AppendError::DatabaseUnavailable`
//! (HTTP 503 with `Retry-After: 1`), saying whether the outcome is unknown (the connection went
//! during `COMMIT`) or certainly nothing. A batch waits for a connection only until its oldest
//! request has been queued `APPEND_DEADLINE` (1.5 s), so no request is committed after its caller
//! was told it failed. A panicking batch answers its callers as failed; the next starts afresh.
use super::hash::{HashInput, canonical_string, event_hash};
use super::{RecordedRow, event_columns};
use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};
use throughline_shared::event::EncodedEvent;
use throughline_shared::{EventId, EventMetadata, ProgramId, RecordedEvent};
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

/// Name of the channel every append batch notifies, with the new head position as payload.
pub const NOTIFY_CHANNEL: &str = "throughline_events";

/// A batch stops taking more queued requests once it holds this many events.
const MAX_BATCH_EVENTS: usize = 20_000;
const QUEUE_DEPTH: usize = 16_384;
/// Batches in flight at once: each needs a connection, so the appender's pool should have this many.
pub const APPENDER_CONNECTIONS: u32 = PIPELINE as u32;
/// Two: the second batch's round trips and lock wait overlap the first one's commit (its WAL
/// flush, which happens while the head lock is still held). A third only made batches smaller:
/// in interleaved A/B runs (docs/benchmarks.md) 2 in flight with a 160-event threshold beat
/// 3 with 64 by 10–15% at 32 and at 256 writers.
const PIPELINE: usize = 2;
/// A second batch starts before the first has committed only with at least this many events, so
/// that batches stay large (one WAL flush each) rather than splitting the waiting writers.
const PIPELINE_MIN_EVENTS: usize = 160;
/// How often the appender yields to let more requests queue before it starts a batch.
const LINGER_YIELDS: usize = 2;
/// How long a queued append may wait for its batch to get a connection. Batches take
/// milliseconds when the database is up, so only an outage reaches it; then every caller is
/// answered within this time (plus the queue's wait) instead of hanging on the pool.
const APPEND_DEADLINE: Duration = Duration::from_millis(1500);

#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub event_id: EventId,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: serde_json::Value,
    pub program_id: Option<ProgramId>,
    pub metadata: EventMetadata,
}

impl NewEvent {
    /// A new event with a fresh id. Time-ordered (UUIDv7), so the unique index on event ids grows
    /// at its end instead of taking every insert at a random page.
    pub fn new(encoded: EncodedEvent, metadata: EventMetadata) -> Self {
        Self::with_id(EventId::from_uuid(Uuid::now_v7()), encoded, metadata)
    }

    /// A new event with a given id (derived from an idempotency key, see `RequestContext`).
    pub fn with_id(event_id: EventId, encoded: EncodedEvent, metadata: EventMetadata) -> Self {
        Self {
            event_id,
            event_type: encoded.event_type,
            schema_version: encoded.schema_version,
            payload: encoded.payload,
            program_id: encoded.program_id,
            metadata,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedVersion {
    /// No check: append after whatever is there.
    Any,
    /// The stream must not exist yet.
    NoStream,
    /// The stream must be at exactly this version (0 means it must not exist).
    Exact(i64),
}

impl ExpectedVersion {
    fn admits(self, current: i64) -> bool {
        match self {
            ExpectedVersion::Any => true,
            ExpectedVersion::NoStream => current == 0,
            ExpectedVersion::Exact(v) => current == v,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct StreamAppend {
    pub stream_id: Uuid,
    pub stream_type: String,
    pub expected: ExpectedVersion,
    pub events: Vec<NewEvent>,
}

/// Everything one command appends: all of it lands, or none of it.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AppendRequest {
    pub streams: Vec<StreamAppend>,
}

impl AppendRequest {
    pub fn single(stream: StreamAppend) -> Self {
        Self {
            streams: vec![stream],
        }
    }

    fn event_count(&self) -> usize {
        self.streams.iter().map(|s| s.events.len()).sum()
    }

    fn validate(&self) -> Result<(), AppendError> {
        if self.event_count() == 0 {
            return Err(AppendError::Invalid(
                "an append needs at least one event".into(),
            ));
        }
        let mut streams = HashSet::new();
        let mut ids = HashSet::new();
        for s in &self.streams {
            if !streams.insert(s.stream_id) {
                return Err(AppendError::Invalid(format!(
                    "stream {} appears twice in one append",
                    s.stream_id
                )));
            }
            for e in &s.events {
                if e.program_id != s.events[0].program_id {
                    return Err(AppendError::Invalid(format!(
                        "the events of stream {} name different programs",
                        s.stream_id
                    )));
                }
                if !ids.insert(e.event_id) {
                    return Err(AppendError::Invalid(format!(
                        "event id {} appears twice in one append",
                        e.event_id
                    )));
                }
            }
        }
        Ok(())
    }
}

#[derive(Clone, Debug, thiserror::Error)]
pub enum AppendError {
    #[error("stream {stream_id} is at version {current}, the append expected {expected:?}")]
    Conflict {
        stream_id: Uuid,
        expected: ExpectedVersion,
        current: i64,
    },
    #[error("stream {stream_id} is a {existing} stream, not a {requested} stream")]
    StreamTypeMismatch {
        stream_id: Uuid,
        existing: String,
        requested: String,
    },
    #[error("event id {0} was already used by a different append")]
    EventIdReused(EventId),
    #[error("invalid append: {0}")]
    Invalid(String),
    #[error("the event store failed: {0}")]
    Database(Arc<sqlx::Error>),
    #[error("the event store is shutting down")]
    Unavailable,
    /// The database could not be reached. `outcome_unknown`: it went away while the batch was
    /// committing, so the append may have landed; a retry with the same event ids (see
    /// `Idempotency-Key`) answers the original events if it did. Otherwise nothing was written.
    #[error("the database cannot be reached (outcome unknown: {outcome_unknown})")]
    DatabaseUnavailable { outcome_unknown: bool },
}

type Reply = Result<Vec<RecordedEvent>, AppendError>;

/// Head position, hash and time, then the known streams with their types, current versions and
/// programs.
type LockedHead = (
    i64,
    Vec<u8>,
    DateTime<Utc>,
    Vec<Uuid>,
    Vec<String>,
    Vec<i64>,
    Vec<Option<Uuid>>,
);

/// What the batch knows of a stream: its type, current version and program.
struct StreamState {
    kind: String,
    version: i64,
    program: Option<Uuid>,
}

struct Job {
    request: AppendRequest,
    /// When the caller queued it: a job that cannot start before `APPEND_DEADLINE` is answered
    /// "unavailable, nothing written" rather than committed after its caller gave up.
    queued: Instant,
    /// Canonical JSON of each event's payload and metadata, in request order: computed by the
    /// caller's task, so the appender's serial path only hashes and writes.
    canonical: Vec<Canonical>,
    reply: oneshot::Sender<Reply>,
}

struct Canonical {
    payload: String,
    metadata: String,
}

impl Canonical {
    fn of(request: &AppendRequest) -> Vec<Canonical> {
        request
            .streams
            .iter()
            .flat_map(|s| s.events.iter())
            .map(|e| Canonical {
                payload: canonical_string(&e.payload),
                metadata: canonical_string(
                    &serde_json::to_value(&e.metadata).expect("metadata serializes"),
                ),
            })
            .collect()
    }
}

/// One request of a batch, as the commit sees it.
#[derive(Clone, Copy)]
struct Pending<'a> {
    request: &'a AppendRequest,
    canonical: &'a [Canonical],
}

/// Handle to this instance's appender; cheap to clone.
#[derive(Clone)]
pub struct EventStore {
    /// For the reads around appends (loading a stream before a decision, waiting for a
    /// projection): kept apart from the appender's own connections so they never wait for them.
    read_pool: sqlx::PgPool,
    jobs: mpsc::Sender<Job>,
    states: super::StateCache,
    locks: super::StreamLocks,
}

impl EventStore {
    /// Starts the appender task on the current tokio runtime. It stops when every handle is dropped.
    pub fn start(pool: sqlx::PgPool) -> Self {
        Self::start_with(pool.clone(), pool)
    }

    /// Like `start`, with the appender on its own pool (`APPENDER_CONNECTIONS` connections).
    pub fn start_with(append_pool: sqlx::PgPool, read_pool: sqlx::PgPool) -> Self {
        let (jobs, queue) = mpsc::channel(QUEUE_DEPTH);
        tokio::spawn(run_appender(append_pool, queue));
        Self {
            read_pool,
            jobs,
            states: super::StateCache::default(),
            locks: super::StreamLocks::default(),
        }
    }

    pub fn pool(&self) -> &sqlx::PgPool {
        &self.read_pool
    }

    /// This instance's turns per stream for commands (see `StreamLocks`).
    pub fn stream_locks(&self) -> &super::StreamLocks {
        &self.locks
    }

    /// Aggregate states folded by earlier commands (see `StateCache`).
    pub fn states(&self) -> &super::StateCache {
        &self.states
    }

    /// Appends atomically, returning the recorded events in the order given. A retry with the same
    /// event ids after a success returns the original events instead of appending again.
    pub async fn append(&self, request: AppendRequest) -> Reply {
        let started = Instant::now();
        let reply = self.append_timed(request).await;
        let m = &*crate::metrics::METRICS;
        m.append_seconds.observe(started.elapsed().as_secs_f64());
        match &reply {
            Ok(events) => {
                m.appends.inc();
                m.appended_events.inc_by(events.len() as u64);
            }
            Err(_) => {
                m.append_failures.inc();
            }
        }
        reply
    }

    async fn append_timed(&self, request: AppendRequest) -> Reply {
        request.validate()?;
        let canonical = Canonical::of(&request);
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                request,
                queued: Instant::now(),
                canonical,
                reply,
            })
            .await
            .map_err(|_| AppendError::Unavailable)?;
        answer.await.map_err(|_| AppendError::Unavailable)?
    }
}

async fn run_appender(pool: sqlx::PgPool, mut queue: mpsc::Receiver<Job>) {
    // A second batch may start while one is in flight, on its own connection, once enough is
    // queued to be worth it: its BEGIN and lock request then wait inside PostgreSQL and get the
    // head lock the moment the first commits. Order stays the head lock's order.
    let mut in_flight = tokio::task::JoinSet::new();
    let mut pending: Vec<Job> = Vec::new();
    let mut pending_events = 0;
    let mut open = true;
    loop {
        let launch = !pending.is_empty()
            && (in_flight.is_empty()
                || (in_flight.len() < PIPELINE && pending_events >= PIPELINE_MIN_EVENTS)
                || !open);
        if launch {
            // Writers answered by the previous batch are usually just about to send again: a
            // couple of yields lets them join this batch instead of forming a small one of their own.
            let mut lingers = 0;
            while pending_events < MAX_BATCH_EVENTS {
                match queue.try_recv() {
                    Ok(job) => {
                        pending_events += job.request.event_count();
                        pending.push(job);
                    }
                    Err(_) if lingers < LINGER_YIELDS => {
                        lingers += 1;
                        tokio::task::yield_now().await;
                    }
                    Err(_) => break,
                }
            }
            let batch = std::mem::take(&mut pending);
            pending_events = 0;
            let pool = pool.clone();
            in_flight.spawn(async move {
                // A bug in one batch must not take the whole store down: its callers get
                // `Unavailable` (their reply channels are dropped) and the next batch starts afresh.
                if AssertUnwindSafe(process_batch(&pool, batch))
                    .catch_unwind()
                    .await
                    .is_err()
                {
                    tracing::error!("append batch panicked; its requests were answered as failed");
                }
            });
            continue;
        }
        if !open && pending.is_empty() {
            break;
        }
        tokio::select! {
            job = queue.recv(), if open && pending_events < MAX_BATCH_EVENTS => match job {
                Some(job) => {
                    pending_events += job.request.event_count();
                    pending.push(job);
                }
                None => open = false,
            },
            Some(_) = in_flight.join_next(), if !in_flight.is_empty() => {}
        }
    }
    while in_flight.join_next().await.is_some() {}
    tracing::debug!("appender stopped: no handles left");
}

/// What the batch decided for one request, before the requests' payloads are moved into replies.
enum Outcome {
    Appended(Vec<Receipt>, DateTime<Utc>),
    AlreadyAppended(Vec<RecordedEvent>),
    Refused(AppendError),
}

#[derive(Clone)]
struct Receipt {
    position: i64,
    version: i64,
    hash: [u8; 32],
}

async fn process_batch(pool: &sqlx::PgPool, batch: Vec<Job>) {
    let m = &*crate::metrics::METRICS;
    m.batch_requests.observe(batch.len() as f64);
    m.batch_events
        .observe(batch.iter().map(|j| j.request.event_count()).sum::<usize>() as f64);
    let requests: Vec<Pending<'_>> = batch
        .iter()
        .map(|j| Pending {
            request: &j.request,
            canonical: &j.canonical,
        })
        .collect();
    // The oldest job's deadline bounds the wait for a connection (see `APPEND_DEADLINE`).
    let deadline = batch
        .iter()
        .map(|j| j.queued)
        .min()
        .map_or_else(Instant::now, |q| q + APPEND_DEADLINE);
    let outcomes = match commit(pool, &requests, false, deadline).await {
        Ok(outcomes) => outcomes,
        Err(failure) if failure.unreachable() => {
            // An outage: every caller learns at once, none is retried into a later commit.
            tracing::warn!(error = %failure.error, size = batch.len(), at_commit = failure.at_commit, "append batch failed: database unreachable");
            let refusal = AppendError::DatabaseUnavailable {
                outcome_unknown: failure.at_commit,
            };
            requests
                .iter()
                .map(|_| Outcome::Refused(refusal.clone()))
                .collect()
        }
        Err(failure) => {
            // Most likely a reused event id (a retry), which the fast path does not look for.
            // Retry each request alone, with that check, so one bad request fails only itself.
            tracing::debug!(error = %failure.error, size = batch.len(), "batch failed; retrying one by one");
            let mut outcomes = Vec::with_capacity(batch.len());
            for request in &requests {
                let outcome =
                    match commit(pool, std::slice::from_ref(request), true, deadline).await {
                        Ok(mut one) => one.pop().unwrap_or_else(|| {
                            Outcome::Refused(AppendError::Invalid(
                                "the append was given no outcome".into(),
                            ))
                        }),
                        Err(f) if f.unreachable() => {
                            Outcome::Refused(AppendError::DatabaseUnavailable {
                                outcome_unknown: f.at_commit,
                            })
                        }
                        Err(f) => {
                            tracing::error!(error = %f.error, "append failed");
                            Outcome::Refused(AppendError::Database(Arc::new(f.error)))
                        }
                    };
                outcomes.push(outcome);
            }
            outcomes
        }
    };
    for (job, outcome) in batch.into_iter().zip(outcomes) {
        let reply = match outcome {
            Outcome::Appended(receipts, recorded_at) => {
                Ok(into_recorded(job.request, receipts, recorded_at))
            }
            Outcome::AlreadyAppended(events) => Ok(events),
            Outcome::Refused(e) => Err(e),
        };
        // The caller may have gone away (request cancelled); its events are committed regardless.
        let _ = job.reply.send(reply);
    }
}

fn into_recorded(
    request: AppendRequest,
    receipts: Vec<Receipt>,
    recorded_at: DateTime<Utc>,
) -> Vec<RecordedEvent> {
    let mut receipts = receipts.into_iter();
    let mut out = Vec::with_capacity(receipts.len());
    for stream in request.streams {
        for event in stream.events {
            let r = receipts.next().expect("one receipt per event");
            out.push(RecordedEvent {
                position: r.position,
                event_id: event.event_id,
                stream_id: stream.stream_id,
                stream_type: stream.stream_type.clone(),
                version: r.version,
                event_type: event.event_type,
                schema_version: event.schema_version,
                program_id: event.program_id,
                payload: event.payload,
                metadata: event.metadata,
                recorded_at,
                hash: hex::encode(r.hash),
                description: None,
            });
        }
    }
    out
}

/// Column arrays for the one multi-row INSERT of a batch (borrowing from the requests).
#[derive(Default)]
struct Columns<'a> {
    position: Vec<i64>,
    event_id: Vec<Uuid>,
    stream_id: Vec<Uuid>,
    stream_type: Vec<&'a str>,
    version: Vec<i64>,
    event_type: Vec<&'a str>,
    schema_version: Vec<i32>,
    program_id: Vec<Option<Uuid>>,
    payload: Vec<&'a str>,
    metadata: Vec<&'a str>,
    prev_hash: Vec<Vec<u8>>,
    hash: Vec<Vec<u8>>,
}

#[derive(Default)]
struct NewStreams<'a> {
    stream_id: Vec<Uuid>,
    stream_type: Vec<&'a str>,
    program_id: Vec<Option<Uuid>>,
}

/// Why a batch's transaction failed, and whether it may have committed anyway (the connection
/// went away during `COMMIT`).
struct BatchFailure {
    error: sqlx::Error,
    at_commit: bool,
}

impl BatchFailure {
    fn unreachable(&self) -> bool {
        crate::db::is_unreachable(&self.error)
    }
}

impl From<sqlx::Error> for BatchFailure {
    fn from(error: sqlx::Error) -> Self {
        Self {
            error,
            at_commit: false,
        }
    }
}

async fn commit(
    pool: &sqlx::PgPool,
    pending: &[Pending<'_>],
    check_reused_ids: bool,
    deadline: Instant,
) -> Result<Vec<Outcome>, BatchFailure> {
    let requests: Vec<&AppendRequest> = pending.iter().map(|p| p.request).collect();
    // Only the wait for a connection is bounded: once the transaction has begun, cancelling it
    // halfway would leave its outcome to the server anyway.
    let mut tx = match tokio::time::timeout_at(deadline.into(), pool.begin()).await {
        Ok(tx) => tx?,
        Err(_) => return Err(sqlx::Error::PoolTimedOut.into()),
    };
    let stream_ids: Vec<Uuid> = requests
        .iter()
        .flat_map(|r| r.streams.iter().map(|s| s.stream_id))
        .collect();
    // Locks the head and reads the streams' current versions in one round trip (see the
    // migration: the version lookup runs after the lock, with a fresh snapshot).
    let (head_position, head_hash, head_time, known, kinds, versions, programs): LockedHead =
        sqlx::query_as("SELECT * FROM lock_log_head($1)")
            .bind(&stream_ids)
            .fetch_one(&mut *tx)
            .await?;
    let mut streams: HashMap<Uuid, StreamState> = known
        .into_iter()
        .zip(kinds.into_iter().zip(versions).zip(programs))
        .map(|(id, ((kind, version), program))| {
            (
                id,
                StreamState {
                    kind,
                    version,
                    program,
                },
            )
        })
        .collect();
    // Streams this batch creates: registered with their program in the same statement.
    let mut new_streams = NewStreams::default();

    let already = if check_reused_ids {
        let ids: Vec<Uuid> = requests.iter().flat_map(|r| event_ids(r)).collect();
        existing_events(&mut tx, &ids).await?
    } else {
        HashMap::new()
    };

    // Positions and recorded_at both only ever grow, so the log is ordered the same way by both.
    let now = super::clock::now();
    let now = DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now);
    let recorded_at = now.max(head_time);
    let mut position = head_position;
    let mut prev_hash: [u8; 32] = head_hash.as_slice().try_into().unwrap_or([0; 32]);
    let mut cols = Columns::default();
    let mut outcomes = Vec::with_capacity(requests.len());
    let mut conflicted: Vec<usize> = Vec::new();
    // Event id -> the request of this batch that appends it (to recognise a retry queued together
    // with its original).
    let mut in_batch: HashMap<Uuid, usize> = HashMap::new();

    for (request, canonical) in pending.iter().map(|p| (p.request, p.canonical)) {
        if check_reused_ids && let Some(outcome) = as_retry(request, &already) {
            outcomes.push(outcome);
            continue;
        }

        if let Some(refusal) = check_streams(request, &streams) {
            if let Some(outcome) = as_retry_in_batch(request, &in_batch, &outcomes) {
                outcomes.push(outcome);
                continue;
            }
            if !check_reused_ids && matches!(refusal, AppendError::Conflict { .. }) {
                // Maybe a retry of an append that already landed (its versions are then taken):
                // looked up below, only for requests that conflict.
                conflicted.push(outcomes.len());
            }
            outcomes.push(Outcome::Refused(refusal));
            continue;
        }

        let mut receipts = Vec::with_capacity(request.event_count());
        let mut canonical = canonical.iter();
        for stream in &request.streams {
            let entry = streams.entry(stream.stream_id).or_insert_with(|| {
                let program = stream.events[0].program_id.map(|p| p.0);
                new_streams.stream_id.push(stream.stream_id);
                new_streams.stream_type.push(&stream.stream_type);
                new_streams.program_id.push(program);
                StreamState {
                    kind: stream.stream_type.clone(),
                    version: 0,
                    program,
                }
            });
            for event in &stream.events {
                position += 1;
                entry.version += 1;
                let json = canonical.next().expect("one canonical form per event");
                let hash = event_hash(
                    &prev_hash,
                    &HashInput {
                        position,
                        event_id: event.event_id.0,
                        stream_id: stream.stream_id,
                        stream_type: &stream.stream_type,
                        version: entry.version,
                        event_type: &event.event_type,
                        schema_version: event.schema_version,
                        program_id: event.program_id.map(|p| p.0),
                        payload: json.payload.as_bytes(),
                        metadata: json.metadata.as_bytes(),
                        recorded_at,
                    },
                );
                cols.position.push(position);
                cols.event_id.push(event.event_id.0);
                cols.stream_id.push(stream.stream_id);
                cols.stream_type.push(&stream.stream_type);
                cols.version.push(entry.version);
                cols.event_type.push(&event.event_type);
                cols.schema_version.push(event.schema_version);
                cols.program_id.push(event.program_id.map(|p| p.0));
                cols.payload.push(&json.payload);
                cols.metadata.push(&json.metadata);
                cols.prev_hash.push(prev_hash.to_vec());
                cols.hash.push(hash.to_vec());
                receipts.push(Receipt {
                    position,
                    version: entry.version,
                    hash,
                });
                prev_hash = hash;
            }
        }
        in_batch.extend(event_ids(request).map(|id| (id, outcomes.len())));
        outcomes.push(Outcome::Appended(receipts, recorded_at));
    }

    if !conflicted.is_empty() {
        let ids: Vec<Uuid> = conflicted
            .iter()
            .flat_map(|&i| event_ids(requests[i]))
            .collect();
        let already = existing_events(&mut tx, &ids).await?;
        for i in conflicted {
            if let Some(outcome) = as_retry(requests[i], &already) {
                outcomes[i] = outcome;
            }
        }
    }

    if cols.position.is_empty() {
        // Every request was refused: nothing to write, and the head lock is released by rollback.
        tx.rollback().await?;
        return Ok(outcomes);
    }

    // All rows, the new head and the one NOTIFY of the batch in one statement. One NOTIFY per
    // batch: NOTIFY takes a cluster-wide lock at commit, so never one per event.
    sqlx::query(
        "WITH appended AS ( \
           INSERT INTO events (position, event_id, stream_id, stream_type, version, event_type, \
                               schema_version, program_id, payload, metadata, recorded_at, prev_hash, hash) \
           SELECT p, e, s, st, v, et, sv, pr, pl::jsonb, md::jsonb, $11, ph, h \
           FROM UNNEST($1::bigint[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], \
                       $7::int4[], $8::uuid[], $9::text[], $10::text[], $12::bytea[], $13::bytea[]) \
                AS t(p, e, s, st, v, et, sv, pr, pl, md, ph, h)), \
         registered AS ( \
           INSERT INTO streams (stream_id, stream_type, program_id) \
           SELECT * FROM UNNEST($17::uuid[], $18::text[], $19::uuid[]) ON CONFLICT DO NOTHING), \
         head AS (UPDATE log_head SET position = $14, hash = $15, recorded_at = $11 WHERE id = 1 \
                  RETURNING position) \
         SELECT pg_notify($16, position::text) FROM head",
    )
    .bind(&cols.position)
    .bind(&cols.event_id)
    .bind(&cols.stream_id)
    .bind(&cols.stream_type)
    .bind(&cols.version)
    .bind(&cols.event_type)
    .bind(&cols.schema_version)
    .bind(&cols.program_id)
    .bind(&cols.payload)
    .bind(&cols.metadata)
    .bind(recorded_at)
    .bind(&cols.prev_hash)
    .bind(&cols.hash)
    .bind(position)
    .bind(prev_hash.to_vec())
    .bind(NOTIFY_CHANNEL)
    .bind(&new_streams.stream_id)
    .bind(&new_streams.stream_type)
    .bind(&new_streams.program_id)
    .execute(&mut *tx)
    .await?;

    tx.commit().await.map_err(|error| BatchFailure {
        error,
        at_commit: true,
    })?;
    Ok(outcomes)
}

fn event_ids(request: &AppendRequest) -> impl Iterator<Item = Uuid> + '_ {
    request
        .streams
        .iter()
        .flat_map(|s| s.events.iter().map(|e| e.event_id.0))
}

async fn existing_events(
    tx: &mut sqlx::PgConnection,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, RecordedEvent>, sqlx::Error> {
    let query = concat!(
        "SELECT ",
        event_columns!(),
        " FROM events WHERE event_id = ANY($1)"
    );
    let rows: Vec<RecordedRow> = sqlx::query_as(query).bind(ids).fetch_all(tx).await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.0.event_id.0, row.0))
        .collect())
}

/// If some of the request's event ids are already in the log: all of them means it is a retry of
/// an append that landed (answer with the original events); only some is a misuse of ids.
fn as_retry(request: &AppendRequest, already: &HashMap<Uuid, RecordedEvent>) -> Option<Outcome> {
    let ids: Vec<Uuid> = event_ids(request).collect();
    let mut found: Vec<RecordedEvent> = ids
        .iter()
        .filter_map(|id| already.get(id))
        .cloned()
        .collect();
    if found.is_empty() {
        return None;
    }
    if found.len() < ids.len() {
        return Some(Outcome::Refused(AppendError::EventIdReused(
            found[0].event_id,
        )));
    }
    found.sort_by_key(|e| e.position);
    Some(Outcome::AlreadyAppended(found))
}

/// A request whose events are all appended by one earlier request of the same batch is a retry
/// of it and gets the same answer.
fn as_retry_in_batch(
    request: &AppendRequest,
    in_batch: &HashMap<Uuid, usize>,
    outcomes: &[Outcome],
) -> Option<Outcome> {
    let mut ids = event_ids(request);
    let original = *in_batch.get(&ids.next()?)?;
    if !ids.all(|id| in_batch.get(&id) == Some(&original)) {
        return Some(Outcome::Refused(AppendError::EventIdReused(EventId(
            event_ids(request).find(|id| in_batch.get(id) != Some(&original))?,
        ))));
    }
    match &outcomes[original] {
        Outcome::Appended(receipts, at) if receipts.len() == request.event_count() => {
            Some(Outcome::Appended(receipts.clone(), *at))
        }
        _ => None,
    }
}

/// Checks a request's streams against current versions (including earlier requests in the batch).
fn check_streams(
    request: &AppendRequest,
    streams: &HashMap<Uuid, StreamState>,
) -> Option<AppendError> {
    for stream in &request.streams {
        let Some(known) = streams.get(&stream.stream_id) else {
            if !stream.expected.admits(0) {
                return Some(AppendError::Conflict {
                    stream_id: stream.stream_id,
                    expected: stream.expected,
                    current: 0,
                });
            }
            continue;
        };
        if known.kind != stream.stream_type {
            return Some(AppendError::StreamTypeMismatch {
                stream_id: stream.stream_id,
                existing: known.kind.clone(),
                requested: stream.stream_type.clone(),
            });
        }
        let program = stream.events[0].program_id.map(|p| p.0);
        if known.program != program {
            return Some(AppendError::Invalid(format!(
                "stream {} belongs to program {:?}, not {:?}",
                stream.stream_id, known.program, program
            )));
        }
        let current = known.version;
        if !stream.expected.admits(current) {
            return Some(AppendError::Conflict {
                stream_id: stream.stream_id,
                expected: stream.expected,
                current,
            });
        }
    }
    None
}
