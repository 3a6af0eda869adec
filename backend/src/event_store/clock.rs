//! The time an append is recorded at: the real clock, except while a `Story` plays the demo
//! program's history over the past weeks.
//!
//! `throughline seed-demo` on an empty log begins a story and moves it (`Story::at`) as the demo's
//! events happen: weeks ago for the charter and the baseline, days ago for the latest slips. Each
//! batch is recorded one second after the one before within a scene, never later than the real
//! now, and never earlier than the log's head (the appender takes the later of the two), so time
//! order is still position order and the hash chain is ordinary. Only that command, in its own
//! process that serves nothing, begins a story; the server never does, so no API call can
//! backdate anything.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// The scene's start and how many batches it has recorded.
static STORY: Mutex<Option<(DateTime<Utc>, i64)>> = Mutex::new(None);

/// When the batch being appended now happened.
pub(crate) fn now() -> DateTime<Utc> {
    let real = Utc::now();
    let Ok(mut story) = STORY.lock() else {
        return real;
    };
    match story.as_mut() {
        Some((scene, batches)) => {
            *batches += 1;
            story_time(*scene, *batches, real)
        }
        None => real,
    }
}

/// The `batches`-th batch of a scene: a second after the one before, never past the real now.
fn story_time(scene: DateTime<Utc>, batches: i64, real: DateTime<Utc>) -> DateTime<Utc> {
    Duration::try_seconds(batches)
        .and_then(|d| scene.checked_add_signed(d))
        .map_or(real, |t| t.min(real))
}

/// The demo's history being played; the real clock again once dropped.
pub struct Story(());

impl Story {
    /// Begins a story. For `throughline seed-demo` on an empty log only (see the module's docs).
    pub fn begin() -> Self {
        Self(())
    }

    /// What happens next happened at `at` (each batch a second later than the one before).
    pub fn at(&self, at: DateTime<Utc>) {
        if let Ok(mut story) = STORY.lock() {
            *story = Some((at, 0));
        }
    }
}

impl Drop for Story {
    fn drop(&mut self) {
        if let Ok(mut story) = STORY.lock() {
            *story = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_records_a_second_apart_and_never_in_the_future() {
        let real = Utc::now();
        let scene = real - Duration::days(30);
        assert_eq!(story_time(scene, 1, real), scene + Duration::seconds(1));
        assert_eq!(story_time(scene, 2, real), scene + Duration::seconds(2));
        assert_eq!(story_time(real - Duration::seconds(1), 5, real), real);
        assert_eq!(story_time(DateTime::<Utc>::MAX_UTC, i64::MAX, real), real);
    }
}
