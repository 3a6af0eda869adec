//! Folded aggregate states kept between commands, so deciding a command reads only the events
//! its stream gained since the last one (a project with 10,000 status reports is not replayed for
//! the next report).
//!
//! Safe across instances and restarts: a state cached at version `v` is the fold of the stream's
//! first `v` events, which never change; whoever loads it folds the events after `v` on top.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Streams whose states are kept; beyond it the least recently used go.
const CAPACITY: usize = 4096;

#[derive(Clone, Default)]
pub struct StateCache {
    inner: Arc<Mutex<Inner>>,
}

#[derive(Default)]
struct Inner {
    entries: HashMap<Uuid, Entry>,
    tick: u64,
}

struct Entry {
    /// The stream version, and the log position of the last event folded.
    at: At,
    state: Box<dyn Any + Send + Sync>,
    used: u64,
}

/// How far a cached state is folded: its stream version and the log position of its last event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct At {
    pub version: i64,
    pub position: i64,
}

impl StateCache {
    /// The state of `stream_id` as last cached, with its version; `None` if absent or cached as
    /// another type (a stream id reused by another kind of aggregate is refused by the store).
    pub fn get<A: Clone + Send + Sync + 'static>(&self, stream_id: Uuid) -> Option<(A, At)> {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        let entry = inner.entries.get_mut(&stream_id)?;
        entry.used = tick;
        let state = entry.state.downcast_ref::<A>()?.clone();
        Some((state, entry.at))
    }

    /// Keeps `state` as the fold of `stream_id` up to `at`, unless a newer one is kept.
    pub fn put<A: Send + Sync + 'static>(&self, stream_id: Uuid, at: At, state: A) {
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        inner.tick += 1;
        let tick = inner.tick;
        if let Some(entry) = inner.entries.get_mut(&stream_id) {
            if entry.at.version < at.version {
                entry.at = at;
                entry.state = Box::new(state);
            }
            entry.used = tick;
            return;
        }
        if inner.entries.len() >= CAPACITY {
            // Drop the least recently used quarter at once, so the scan is paid once per
            // CAPACITY / 4 insertions rather than on each.
            let mut ages: Vec<u64> = inner.entries.values().map(|e| e.used).collect();
            ages.sort_unstable();
            let cutoff = ages.get(CAPACITY / 4).copied().unwrap_or(u64::MAX);
            inner.entries.retain(|_, e| e.used > cutoff);
        }
        inner.entries.insert(
            stream_id,
            Entry {
                at,
                state: Box::new(state),
                used: tick,
            },
        );
    }

    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_version_and_the_type() {
        let cache = StateCache::default();
        let id = Uuid::new_v4();
        let at = |version| At {
            version,
            position: version * 10,
        };
        cache.put(id, at(3), vec![1, 2, 3]);
        cache.put(id, at(2), vec![1, 2]);
        assert_eq!(cache.get::<Vec<i32>>(id), Some((vec![1, 2, 3], at(3))));
        assert_eq!(cache.get::<String>(id), None);
    }

    #[test]
    fn stays_bounded_and_keeps_what_is_used() {
        let cache = StateCache::default();
        let hot = Uuid::new_v4();
        cache.put(hot, At::default(), 0u8);
        for i in 0..(CAPACITY * 3) {
            cache.put(Uuid::new_v4(), At::default(), i);
            let _ = cache.get::<u8>(hot);
        }
        assert!(cache.len() <= CAPACITY);
        assert_eq!(cache.get::<u8>(hot), Some((0, At::default())));
    }
}
