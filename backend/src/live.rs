//! Live updates: one tail reader per backend instance follows the log and fans new events out to
//! every WebSocket session of this instance.
//!
//! The tail is woken by PostgreSQL NOTIFY (one per append batch, from any instance) and also looks
//! every second, so a notification lost with a dropped connection delays events but never loses
//! them: the tail always reads "everything after the last position I published" from the table.

use crate::event_store::{EventFilter, NOTIFY_CHANNEL, head_position, read_events};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::time::Duration;
use throughline_shared::RecordedEvent;
use tokio::sync::{Notify, broadcast, watch};

const PAGE: i64 = 1_000;
const CHANNEL_CAPACITY: usize = 1_024;

/// Every position in `(after, through]` has been read; `events` are all of them, in order.
#[derive(Debug)]
pub struct LiveBatch {
    pub after: i64,
    pub through: i64,
    pub events: Vec<RecordedEvent>,
}

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveBatch>>,
    /// The last position the tail has published; projection runners wait for it to move. (A
    /// watch, unlike a `Notify`, never loses a change for a waiter that was busy.)
    pub published: watch::Sender<i64>,
}

impl LiveHub {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveBatch>> {
        self.sender.subscribe()
    }
}

/// Starts the tail reader; it publishes everything appended after the moment it starts.
pub async fn start(pool: PgPool) -> anyhow::Result<LiveHub> {
    let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
    let hub = LiveHub {
        sender,
        published: watch::Sender::new(0),
    };
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    let start = head_position(&pool).await?;
    let notified = Arc::new(Notify::new());
    tokio::spawn(listen(listener, notified.clone()));
    tokio::spawn(tail(pool, notified, hub.clone(), start));
    Ok(hub)
}

/// Turns notifications into nudges. Kept apart from the tail so that `recv` is never cancelled
/// half-way through a message by the tail's one-second timer.
async fn listen(mut listener: PgListener, notified: Arc<Notify>) {
    loop {
        match listener.recv().await {
            Ok(_) => {
                // Coalesce a burst of notifications into one read.
                while listener.next_buffered().is_some() {}
                notified.notify_one();
            }
            Err(sqlx::Error::PoolClosed) => return,
            Err(e) => {
                tracing::warn!(error = %e, "LISTEN connection failed; reconnecting");
                tokio::time::sleep(Duration::from_millis(200)).await;
                // Whatever was announced while disconnected is picked up by the next read.
                notified.notify_one();
            }
        }
    }
}

async fn tail(pool: PgPool, notified: Arc<Notify>, hub: LiveHub, mut last: i64) {
    loop {
        loop {
            match read_events(&pool, EventFilter::after(last, PAGE)).await {
                Ok(events) if events.is_empty() => break,
                Ok(events) => {
                    let through = events.last().map(|e| e.position).unwrap_or(last);
                    // No receivers is fine: nobody is watching right now.
                    let _ = hub.sender.send(Arc::new(LiveBatch {
                        after: last,
                        through,
                        events,
                    }));
                    last = through;
                    hub.published.send_replace(through);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "live tail read failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    break;
                }
            }
        }
        if pool.is_closed() {
            return;
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), notified.notified()).await;
    }
}
