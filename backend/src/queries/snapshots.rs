//! Snapshots of program views: every `every` events of a program, its folded view as it stood
//! right after that event is kept in `program_view_snapshots`, so an as-of read folds from the
//! nearest snapshot at or before its position instead of from position 0.
//!
//! A snapshot is a cache of the log and nothing else. One that is missing or does not decode only
//! costs time: the read folds from the start instead, and the next `ensure` writes it again. Its
//! content at a position is a function of the log, so writing one twice (two instances, a retry)
//! stores the same thing.
//!
//! Who takes them: `ensure` folds a program forward from its latest snapshot and stores one at
//! each multiple of `every` of the program's events it passes. It runs under the program's
//! advisory lock (one instance at a time; another skips) and is called by the `Snapshotter`
//! (each instance counts the programs' events on the live tail and asks once `every` have passed;
//! two runs at once at most, one sweep at a time), by `sweep` at start-up for programs the
//! counting missed, and by `throughline rebuild`, which drops them all first. Memory is one view
//! per run.

use super::program::{FOLD_PAGE, ReadFailed};
use crate::event_store::{EventFilter, read_events};
use crate::live::LiveBatch;
use crate::projection::fold_one;
use sqlx::PgPool;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use throughline_shared::ProgramId;
use throughline_shared::view::ProgramView;
use tokio::sync::{Semaphore, broadcast};

/// Events of a program between two snapshots, unless configured (`THROUGHLINE_SNAPSHOT_EVERY`).
/// Chosen by measurement (docs/benchmarks.md, "as-of reads"): folding costs about 11 µs an event
/// and reading a snapshot of a 5,000-milestone view about 20 ms, so 1,000 keeps the worst read of
/// the biggest program well under 100 ms while a snapshot is written once per 1,000 events.
pub const DEFAULT_EVERY: u64 = 1_000;

/// A stored view: as it stood right after the program's `events`-th event, at `position`.
pub struct Snapshot {
    pub position: i64,
    pub events: i64,
    pub view: ProgramView,
}

/// The latest snapshot of the program at or before `position` (`None`: the latest of all).
/// A snapshot that does not decode is reported and passed over: the read folds from the start.
pub async fn nearest(
    pool: &PgPool,
    program_id: ProgramId,
    position: Option<i64>,
) -> Result<Option<Snapshot>, ReadFailed> {
    let row: Option<(i64, i64, Vec<u8>)> = sqlx::query_as(
        "SELECT position, events, view FROM program_view_snapshots \
         WHERE program_id = $1 AND position <= $2 ORDER BY position DESC LIMIT 1",
    )
    .bind(program_id.0)
    .bind(position.unwrap_or(i64::MAX))
    .fetch_optional(pool)
    .await
    .map_err(|e| ReadFailed::Log(e.into()))?;
    let Some((position, events, body)) = row else {
        return Ok(None);
    };
    match serde_json::from_slice::<ProgramView>(&body) {
        Ok(view) if view.program_id == program_id && view.position <= position => {
            Ok(Some(Snapshot {
                position,
                events,
                view,
            }))
        }
        Ok(_) => {
            tracing::warn!(%program_id, position, "a snapshot holds another view; not used");
            Ok(None)
        }
        Err(error) => {
            tracing::warn!(%program_id, position, %error, "a snapshot does not decode; not used");
            Ok(None)
        }
    }
}

/// The advisory lock key of a program's snapshotting (a namespace apart from the projections').
fn lock_key(program_id: ProgramId) -> i64 {
    let (high, low) = program_id.0.as_u64_pair();
    i64::from_ne_bytes((high ^ low ^ 0x5a5a_0016_5a5a_0016).to_ne_bytes())
}

/// Folds the program forward from its latest snapshot and stores a snapshot at each multiple of
/// `every` of its events passed. Returns how many were written; 0 when another instance holds
/// the program's lock.
pub async fn ensure(pool: &PgPool, program_id: ProgramId, every: u64) -> Result<usize, ReadFailed> {
    let every = i64::try_from(every.max(1)).unwrap_or(i64::MAX);
    let log = |e: sqlx::Error| ReadFailed::Log(e.into());
    // Held by a transaction, so it is released however this ends (a dropped transaction rolls
    // back), never left on a pooled connection.
    let mut lock = pool.begin().await.map_err(log)?;
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(lock_key(program_id))
        .fetch_one(&mut *lock)
        .await
        .map_err(log)?;
    if !locked {
        return Ok(0);
    }
    let written = fold_and_store(pool, program_id, every).await;
    if let Err(e) = lock.rollback().await {
        tracing::warn!(%program_id, error = %e, "releasing a snapshot lock failed");
    }
    written
}

async fn fold_and_store(
    pool: &PgPool,
    program_id: ProgramId,
    every: i64,
) -> Result<usize, ReadFailed> {
    let (mut view, mut events, after) = match nearest(pool, program_id, None).await? {
        Some(s) => (s.view, s.events, s.position),
        None => (ProgramView::new(program_id), 0, 0),
    };
    let mut filter = EventFilter {
        after,
        up_to: None,
        program_id: Some(program_id),
        limit: FOLD_PAGE,
    };
    let mut written = 0;
    loop {
        let page = read_events(pool, filter).await?;
        let count = page.len();
        for mut event in page {
            filter.after = event.position;
            fold_one(&mut view, &mut event);
            events += 1;
            // A page folds for tens of milliseconds: other tasks get turns on this worker.
            if events % 256 == 0 {
                tokio::task::yield_now().await;
            }
            if events % every == 0 {
                store(pool, &view, event.position, events).await?;
                written += 1;
            }
        }
        if (count as i64) < FOLD_PAGE {
            return Ok(written);
        }
    }
}

async fn store(
    pool: &PgPool,
    view: &ProgramView,
    position: i64,
    events: i64,
) -> Result<(), ReadFailed> {
    let body = serde_json::to_vec(view).map_err(|e| ReadFailed::Stored(e.into()))?;
    // The same position always holds the same view: a second writer (or one replacing a
    // snapshot that did not decode) stores what is there already.
    sqlx::query(
        "INSERT INTO program_view_snapshots (program_id, position, events, view) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (program_id, position) DO UPDATE SET events = EXCLUDED.events, view = EXCLUDED.view",
    )
    .bind(view.program_id.0)
    .bind(position)
    .bind(events)
    .bind(body)
    .execute(pool)
    .await
    .map_err(|e| ReadFailed::Log(e.into()))?;
    Ok(())
}

/// Takes the snapshots of every program with at least `every` events past its latest one. Looks
/// only at programs whose view has moved past their latest snapshot, and counts at most `every`
/// of each one's events (through its streams, as the log is indexed).
pub async fn sweep(pool: &PgPool, every: u64) -> Result<usize, ReadFailed> {
    let log = |e: sqlx::Error| ReadFailed::Log(e.into());
    let every_rows = i64::try_from(every.max(1)).unwrap_or(i64::MAX);
    let moved: Vec<(uuid::Uuid, i64)> = sqlx::query_as(
        "SELECT v.program_id, l.position FROM program_views v \
         CROSS JOIN LATERAL (SELECT COALESCE(max(s.position), 0) AS position \
                             FROM program_view_snapshots s WHERE s.program_id = v.program_id) l \
         WHERE v.position > l.position",
    )
    .fetch_all(pool)
    .await
    .map_err(log)?;
    let mut written = 0;
    for (program, last) in moved {
        let due: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (SELECT 1 FROM streams s \
             JOIN events e ON e.stream_id = s.stream_id AND e.position > $2 \
             WHERE s.program_id = $1 LIMIT $3) AS due",
        )
        .bind(program)
        .bind(last)
        .bind(every_rows)
        .fetch_one(pool)
        .await
        .map_err(log)?;
        if due >= every_rows {
            written += ensure(pool, ProgramId(program), every).await?;
        }
    }
    Ok(written)
}

/// Drops every snapshot (before a rebuild, which takes them again).
pub async fn drop_all(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM program_view_snapshots")
        .execute(pool)
        .await
        .map(|_| ())
}

/// Each instance's count of the programs' events seen on the live tail since it last asked for
/// their snapshots.
pub struct Snapshotter {
    pool: PgPool,
    every: u64,
    seen: HashMap<ProgramId, u64>,
    running: Arc<Mutex<HashSet<ProgramId>>>,
    /// Snapshots taken at once by this instance: each holds two connections of the pool.
    permits: Arc<Semaphore>,
    sweeping: Arc<AtomicBool>,
}

/// Programs counted at once; past this the counts start again (a sweep catches up).
const COUNTED_MAX: usize = 100_000;

/// Snapshot runs at once per instance.
const RUNS_AT_ONCE: usize = 2;

/// A program's place in `running`, given up however its run ends (a panic included).
struct Running {
    set: Arc<Mutex<HashSet<ProgramId>>>,
    program_id: ProgramId,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.lock() {
            set.remove(&self.program_id);
        }
    }
}

impl Snapshotter {
    pub fn new(pool: PgPool, every: u64) -> Self {
        Self {
            pool,
            every: every.max(1),
            seen: HashMap::new(),
            running: Arc::default(),
            permits: Arc::new(Semaphore::new(RUNS_AT_ONCE)),
            sweeping: Arc::default(),
        }
    }

    /// Sweeps once, then follows the tail until it closes.
    pub async fn follow(mut self, mut batches: broadcast::Receiver<Arc<LiveBatch>>) {
        self.spawn_sweep();
        loop {
            match batches.recv().await {
                Ok(batch) => self.count(&batch),
                // Events went by uncounted: a sweep finds the programs they made due.
                Err(broadcast::error::RecvError::Lagged(_)) => self.spawn_sweep(),
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    /// One sweep at a time per instance.
    fn spawn_sweep(&self) {
        if self.sweeping.swap(true, Ordering::AcqRel) {
            return;
        }
        let (pool, every) = (self.pool.clone(), self.every);
        let (sweeping, permits) = (self.sweeping.clone(), self.permits.clone());
        tokio::spawn(async move {
            if let Ok(_permit) = permits.acquire().await
                && let Err(error) = sweep(&pool, every).await
            {
                tracing::warn!(%error, "the snapshot sweep failed; the next one retries");
            }
            sweeping.store(false, Ordering::Release);
        });
    }

    fn count(&mut self, batch: &LiveBatch) {
        if self.seen.len() > COUNTED_MAX {
            self.seen.clear();
            self.spawn_sweep();
        }
        for event in &batch.events {
            let Some(program_id) = event.program_id else {
                continue;
            };
            let seen = self.seen.entry(program_id).or_default();
            *seen += 1;
            if *seen < self.every {
                continue;
            }
            *seen = 0;
            let Ok(mut running) = self.running.lock() else {
                continue;
            };
            if !running.insert(program_id) {
                continue;
            }
            let place = Running {
                set: self.running.clone(),
                program_id,
            };
            let (pool, every, permits) = (self.pool.clone(), self.every, self.permits.clone());
            tokio::spawn(async move {
                let _place = place;
                let Ok(_permit) = permits.acquire().await else {
                    return;
                };
                if let Err(error) = ensure(&pool, program_id, every).await {
                    tracing::warn!(%program_id, %error, "taking a snapshot failed; the next one retries");
                }
            });
        }
    }
}
