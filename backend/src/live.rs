//! Live updates: one tail reader per backend instance follows the log and fans new events out to
//! every WebSocket session of this instance.
//!
//! The tail is woken by PostgreSQL NOTIFY (one per append batch, from any instance) and also looks
//! every second, so a notification lost with a dropped connection delays events but never loses
//! them: the tail always reads "everything after the last position I published" from the table.
//! `LISTEN` runs in a task of its own, so a receive is never cancelled half-way.
//!
//! Each read is broadcast as a `LiveBatch { after, through, events }` to the instance's sockets,
//! its view cache (`follow`) and, through `published`, its projection runners. A batch's events
//! are JSON-encoded once per instance, with the audit sentence (`describe.rs`) filled in as
//! `description` (not stored, not hashed), on first use; each socket's frame is a join of the
//! encodings it may see (`events_frame`). On shutdown every socket closes with 1012 "reconnect".

use crate::event_store::{EventFilter, NOTIFY_CHANNEL, head_position, read_events};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::sync::{Arc, OnceLock};
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
    /// Each event as readers get it (with its description), JSON-encoded once for every socket
    /// of the instance rather than once per socket — by the first socket that sends any of them,
    /// so an instance nobody watches encodes nothing.
    encoded: OnceLock<Vec<String>>,
}

impl LiveBatch {
    pub fn new(after: i64, through: i64, events: Vec<RecordedEvent>) -> Self {
        Self {
            after,
            through,
            events,
            encoded: OnceLock::new(),
        }
    }

    /// The events encoded, in order (one per event).
    pub fn encoded(&self) -> &[String] {
        self.encoded.get_or_init(|| {
            self.events
                .iter()
                .map(|e| {
                    serde_json::to_string(&e.clone().described()).unwrap_or_else(|error| {
                        // Cannot happen for a decoded row (string keys only); sent without the
                        // description rather than not at all.
                        tracing::error!(%error, position = e.position, "cannot encode an event for live sockets");
                        serde_json::to_string(e).unwrap_or_else(|_| "null".into())
                    })
                })
                .collect()
        })
    }
}

/// The `ServerMessage::Events` frame of already-encoded events.
pub fn events_frame<'a>(events: impl Iterator<Item = &'a str>, covered: i64) -> String {
    let mut frame = String::from(r#"{"type":"events","events":["#);
    for (i, event) in events.enumerate() {
        if i > 0 {
            frame.push(',');
        }
        frame.push_str(event);
    }
    frame.push_str(r#"],"covered":"#);
    frame.push_str(&covered.to_string());
    frame.push('}');
    frame
}

#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveBatch>>,
    /// The last position the tail has published; projection runners wait for it to move. (A
    /// watch, unlike a `Notify`, never loses a change for a waiter that was busy.)
    pub published: watch::Sender<i64>,
    /// Set when the instance is shutting down: every socket is closed with "reconnect".
    stopping: watch::Sender<bool>,
    /// Receivers that are the instance's own (the view cache), not sockets.
    followers: Arc<std::sync::atomic::AtomicUsize>,
}

impl LiveHub {
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<LiveBatch>> {
        self.sender.subscribe()
    }

    /// Resolves once the instance starts shutting down.
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Tells every socket of this instance to close with "reconnect" (clients then connect to
    /// another instance, or to this one once it is back).
    pub fn shut_down(&self) {
        self.stopping.send_replace(true);
    }

    /// Batches for a task of the instance itself (not counted as a socket).
    pub fn follow(&self) -> broadcast::Receiver<Arc<LiveBatch>> {
        self.followers
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.sender.subscribe()
    }

    /// Sockets open on this instance now.
    pub fn sockets(&self) -> usize {
        let followers = self.followers.load(std::sync::atomic::Ordering::Relaxed);
        self.sender.receiver_count().saturating_sub(followers)
    }
}

/// Starts the tail reader; it publishes everything appended after the moment it starts.
pub async fn start(pool: PgPool) -> anyhow::Result<LiveHub> {
    let (sender, _) = broadcast::channel(CHANNEL_CAPACITY);
    let hub = LiveHub {
        sender,
        published: watch::Sender::new(0),
        stopping: watch::Sender::new(false),
        followers: Arc::default(),
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
                    let _ = hub
                        .sender
                        .send(Arc::new(LiveBatch::new(last, through, events)));
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

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_shared::api::ServerMessage;

    #[test]
    fn a_frame_of_encoded_events_reads_as_the_typed_message() {
        let event: RecordedEvent = serde_json::from_value(serde_json::json!({
            "position": 7, "event_id": "0190b5a6-3f4e-7c2a-9d1b-2c3d4e5f6a7b",
            "stream_id": "0190b5a6-3f4e-7c2a-9d1b-2c3d4e5f6a7c", "stream_type": "test",
            "version": 1, "event_type": "Nothing", "schema_version": 1, "program_id": null,
            "payload": {"a": "quote \" and \u{2028}"}, "metadata": {"actor": "x", "correlation_id": "0190b5a6-3f4e-7c2a-9d1b-2c3d4e5f6a7d"},
            "recorded_at": "2026-11-30T12:00:00Z", "hash": "00"
        }))
        .unwrap();
        let batch = LiveBatch::new(6, 9, vec![event.clone(), event.clone()]);
        let frame = events_frame(batch.encoded().iter().map(String::as_str), 9);
        let typed: ServerMessage = serde_json::from_str(&frame).unwrap();
        assert_eq!(
            typed,
            ServerMessage::Events {
                events: vec![event.clone().described(), event.described()],
                covered: 9
            }
        );
        let empty: ServerMessage =
            serde_json::from_str(&events_frame(std::iter::empty(), 3)).unwrap();
        assert_eq!(
            empty,
            ServerMessage::Events {
                events: vec![],
                covered: 3
            }
        );
    }
}
