//! The projection runner: one per projection across all instances, folding the log into its read
//! model and moving its checkpoint in the same transaction.
//!
//! - It runs only while its instance holds the session advisory lock `hashtextextended(name, 0)`;
//!   other instances try again every 2 s, so one takes over when the holder dies.
//! - It reads up to `BATCH` (5,000) events after what it has folded and folds them into the
//!   projection's working set. It **flushes** — in one transaction: `SELECT position FROM
//!   projection_checkpoints … FOR UPDATE` (moved by somebody else, e.g. a rebuild: drop the
//!   working set and start from there), write what changed, write the new checkpoint, commit —
//!   when it is caught up, when the projection's `flush_interval` has passed (`program_views`:
//!   250 ms; `access`: zero, every batch folded and written inside that transaction, so a grant
//!   is in force at once), or after `FLUSH_AFTER_EVENTS` (50,000) unflushed events. Readers are
//!   never late for it: they fold whatever the checkpoint has not reached. The row lock makes two
//!   overlapping runners take turns rather than fold an event twice or skip one.
//! - A failed batch (a database error) drops the working set and starts again from the
//!   checkpoint, never skipping an event.
//! - Caught up, it sleeps until the live tail's `published` position moves (a `watch`, so no
//!   wake-up is lost while it is busy) or 1 s passes.
//!
//! `rebuild` (`throughline rebuild`) empties the read model and folds from position 0 in a single
//! transaction, so readers see the old state until it commits; tests assert the result equals
//! the live projection.

use crate::event_store::{EventFilter, head_position, read_events};
use sqlx::{PgConnection, PgPool};
use std::future::Future;
use std::time::{Duration, Instant};
use throughline_shared::RecordedEvent;
use tokio::sync::watch;

/// Events folded per transaction while catching up.
const BATCH: i64 = 5_000;

/// A read model kept up to date from the log.
///
/// A projection keeps a working set in memory: `fold` loads what it needs from its tables and
/// folds events into it, `flush` writes what changed. With a zero `flush_interval` the runner calls
/// both in the transaction that moves the checkpoint (so `fold` may write); otherwise `fold` runs
/// on its own connection and must only read, and `flush` writes with the checkpoint later. A
/// rebuild folds everything and flushes once at the end.
pub trait Projection: Send + 'static {
    /// Stable name: the checkpoint's key and the advisory lock's seed.
    fn name(&self) -> &'static str;

    /// Fold events (in position order, all after the checkpoint) into the working set. The events
    /// are handed over so their payloads can be decoded without a copy.
    fn fold(
        &mut self,
        db: &mut PgConnection,
        events: Vec<RecordedEvent>,
    ) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Write every part of the working set that `fold` changed.
    fn flush(&mut self, db: &mut PgConnection) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Empty the read model (and the working set) before a rebuild.
    fn reset(&mut self, db: &mut PgConnection) -> impl Future<Output = anyhow::Result<()>> + Send;

    /// Drop the working set: after a failed transaction, or when the tables may have been changed
    /// by someone else (a rebuild, another runner).
    fn forget(&mut self);

    /// How long folded events may wait in the working set before they are written, while more
    /// keep coming (a caught-up runner flushes at once). Zero: every batch is written.
    fn flush_interval(&self) -> Duration {
        Duration::ZERO
    }
}

pub async fn checkpoint(db: &mut PgConnection, name: &str) -> Result<i64, sqlx::Error> {
    sqlx::query(
        "INSERT INTO projection_checkpoints (name, position) VALUES ($1, 0) ON CONFLICT DO NOTHING",
    )
    .bind(name)
    .execute(&mut *db)
    .await?;
    // FOR UPDATE: even two runners that both believe they lead take turns, batch by batch,
    // each starting from the other's checkpoint, so no event is folded twice or skipped.
    sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE")
        .bind(name)
        .fetch_one(&mut *db)
        .await
}

async fn set_checkpoint(
    db: &mut PgConnection,
    name: &str,
    position: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE projection_checkpoints SET position = $2, updated_at = now() WHERE name = $1",
    )
    .bind(name)
    .bind(position)
    .execute(db)
    .await?;
    Ok(())
}

/// What a runner knows between batches: how far its working set is folded, and what it last
/// made durable.
#[derive(Debug, Default)]
pub struct RunnerState {
    /// The checkpoint this runner wrote (or found) last; if the stored one differs, somebody else
    /// moved it (a rebuild) and the working set is dropped.
    last_written: Option<i64>,
    /// Every event up to here is folded into the working set (and maybe not yet flushed).
    folded_through: Option<i64>,
    /// Events folded since the last flush.
    unflushed: usize,
    last_flush: Option<Instant>,
}

/// A working set is flushed once it holds this many unflushed events even if the interval has
/// not passed, so a crash never costs more than this much re-folding.
const FLUSH_AFTER_EVENTS: usize = 50_000;

/// Folds one batch after what is already folded, and flushes the working set with the checkpoint
/// (in one transaction) when caught up or when the projection's flush interval has passed.
/// Returns how many events were folded (0: caught up).
///
/// Under a sustained load a projection with a flush interval writes each changed view once per
/// interval instead of once per batch; readers do not see it late, since they fold whatever the
/// checkpoint has not reached yet.
pub async fn catch_up_once<P: Projection>(
    pool: &PgPool,
    projection: &mut P,
    state: &mut RunnerState,
) -> anyhow::Result<usize> {
    let result = async {
        let from = match state.folded_through {
            Some(from) => from,
            None => {
                let mut conn = pool.acquire().await?;
                let from = checkpoint(&mut conn, projection.name()).await?;
                projection.forget();
                state.last_written = Some(from);
                state.folded_through = Some(from);
                state.unflushed = 0;
                from
            }
        };
        let events = read_events(pool, EventFilter::after(from, BATCH)).await?;
        let count = events.len();
        if projection.flush_interval().is_zero() {
            // Every batch written: folded in the transaction that writes it and moves the
            // checkpoint, so a projection that writes while folding (`access`) is never ahead of
            // its checkpoint either.
            let Some(last) = events.last().map(|e| e.position) else {
                return Ok(0);
            };
            let mut tx = pool.begin().await?;
            let stored = checkpoint(&mut tx, projection.name()).await?;
            if state.last_written != Some(stored) {
                tx.rollback().await?;
                projection.forget();
                state.folded_through = None;
                return Ok(count);
            }
            projection.fold(&mut tx, events).await?;
            projection.flush(&mut tx).await?;
            set_checkpoint(&mut tx, projection.name(), last).await?;
            tx.commit().await?;
            state.last_written = Some(last);
            state.folded_through = Some(last);
            return Ok(count);
        }
        if let Some(last) = events.last().map(|e| e.position) {
            let mut conn = pool.acquire().await?;
            projection.fold(&mut conn, events).await?;
            state.folded_through = Some(last);
            state.unflushed += count;
        }
        let due = state
            .last_flush
            .is_none_or(|at| at.elapsed() >= projection.flush_interval());
        let flush =
            state.unflushed > 0 && (count == 0 || due || state.unflushed >= FLUSH_AFTER_EVENTS);
        if flush {
            let through = state.folded_through.unwrap_or(from);
            let mut tx = pool.begin().await?;
            let stored = checkpoint(&mut tx, projection.name()).await?;
            if state.last_written != Some(stored) {
                // Moved by someone else (a rebuild): fold again from there.
                tx.rollback().await?;
                projection.forget();
                state.folded_through = None;
                return Ok(count);
            }
            projection.flush(&mut tx).await?;
            set_checkpoint(&mut tx, projection.name(), through).await?;
            tx.commit().await?;
            state.last_written = Some(through);
            state.unflushed = 0;
            state.last_flush = Some(Instant::now());
        }
        Ok(count)
    }
    .await;
    if result.is_err() {
        // The working set may hold folds that were never made durable: start again from the
        // checkpoint.
        projection.forget();
        *state = RunnerState::default();
    }
    result
}

/// Runs a projection for as long as the process lives: only while this instance holds the
/// projection's advisory lock (one runner per projection across all instances), catching up
/// from the checkpoint, then following the log as `published` (the live tail's head) moves.
pub async fn run_projection<P: Projection>(
    pool: PgPool,
    mut projection: P,
    mut published: watch::Receiver<i64>,
) {
    let name = projection.name();
    loop {
        let mut leader = match pool.acquire().await {
            Ok(conn) => conn.detach(),
            Err(e) => {
                tracing::warn!(projection = name, error = %e, "cannot get a connection; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let locked: Result<bool, _> =
            sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtextextended($1, 0))")
                .bind(name)
                .fetch_one(&mut leader)
                .await;
        match locked {
            Ok(true) => tracing::info!(projection = name, "running projection"),
            Ok(false) => {
                // Another instance runs it; check again later in case that instance dies.
                drop(leader);
                tokio::time::sleep(Duration::from_secs(2)).await;
                continue;
            }
            Err(e) => {
                tracing::warn!(projection = name, error = %e, "advisory lock failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        }
        let mut state = RunnerState::default();
        loop {
            match catch_up_once(&pool, &mut projection, &mut state).await {
                Ok(0) => {
                    // Caught up: wait for the live tail's nudge, but look again every second anyway
                    // (and make sure we still hold the lock's connection).
                    let _ = tokio::time::timeout(Duration::from_secs(1), published.changed()).await;
                    if sqlx::query("SELECT 1").execute(&mut leader).await.is_err() {
                        tracing::warn!(projection = name, "lost the leader connection");
                        projection.forget();
                        break;
                    }
                }
                Ok(_) => tokio::task::yield_now().await,
                Err(e) => {
                    // Never skip an event: stop here and try the same batch again.
                    tracing::error!(projection = name, error = %e, "projection batch failed");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    }
}

/// Rebuilds a projection from position 0 in one transaction: readers keep seeing the old state
/// until the new one is complete. `progress(done, total)` is called after every batch.
pub async fn rebuild<P: Projection>(
    pool: &PgPool,
    projection: &mut P,
    mut progress: impl FnMut(i64, i64),
) -> anyhow::Result<i64> {
    projection.forget();
    let mut tx = pool.begin().await?;
    checkpoint(&mut tx, projection.name()).await?;
    let total = head_position(&mut *tx).await?;
    projection.reset(&mut tx).await?;
    let mut from = 0;
    loop {
        let events = read_events(&mut *tx, EventFilter::after(from, BATCH)).await?;
        let Some(last) = events.last().map(|e| e.position) else {
            break;
        };
        projection.fold(&mut tx, events).await?;
        from = last;
        progress(from, total);
    }
    projection.flush(&mut tx).await?;
    set_checkpoint(&mut tx, projection.name(), from).await?;
    tx.commit().await?;
    projection.forget();
    Ok(from)
}
