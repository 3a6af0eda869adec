//! One lock per stream for the commands of this instance: writers of one stream decide and
//! append in turn instead of racing, so a command that lost a race to another instance is
//! decided again at most a few times, and one that lost to a writer of this instance waits its
//! turn rather than losing every round to a writer that sends again the moment it is answered.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use tokio::sync::OwnedMutexGuard;
use uuid::Uuid;

#[derive(Clone, Default)]
pub struct StreamLocks {
    locks: Arc<Mutex<HashMap<Uuid, Weak<tokio::sync::Mutex<()>>>>>,
}

impl StreamLocks {
    /// Waits for `stream_id`'s turn; the turn ends when the guard is dropped.
    pub async fn lock(&self, stream_id: Uuid) -> OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.locks.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(lock) = locks.get(&stream_id).and_then(Weak::upgrade) {
                lock
            } else {
                // Forget the streams nobody is writing any more before the map grows further.
                if locks.len() >= 1_024 && locks.len().is_power_of_two() {
                    locks.retain(|_, weak| weak.strong_count() > 0);
                }
                let lock = Arc::new(tokio::sync::Mutex::new(()));
                locks.insert(stream_id, Arc::downgrade(&lock));
                lock
            }
        };
        lock.lock_owned().await
    }

    pub fn len(&self) -> usize {
        self.locks.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_writer_per_stream_at_a_time_and_the_map_stays_small() {
        let locks = StreamLocks::default();
        let a = Uuid::new_v4();
        let first = locks.lock(a).await;
        let waiting = tokio::spawn({
            let locks = locks.clone();
            async move { locks.lock(a).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiting.is_finished(), "a second writer got in");
        // Another stream is not held up.
        let _other = locks.lock(Uuid::new_v4()).await;
        drop(first);
        let _second = waiting.await.unwrap();
        for _ in 0..5_000 {
            drop(locks.lock(Uuid::new_v4()).await);
        }
        assert!(locks.len() <= 2_048 + 2, "{} entries", locks.len());
    }
}
