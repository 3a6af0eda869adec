//! Views the server folds on request (governance, the RAID register) follow the page's live
//! stream the same way: read once, then again whenever an event of their streams arrives or a
//! command asks for it — one read at a time, and one more if anything arrived meanwhile, so an
//! older answer can never land after a newer one.

use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use throughline_shared::RecordedEvent;

/// One read of the view, storing what it answers.
pub type Read = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()>>> + Send + Sync>;
/// Whether the view read last has every event of its streams up to this position.
pub type Covers = Arc<dyn Fn(Option<i64>) -> bool + Send + Sync>;

/// Reads again whenever the moment shown moves (the history scrubber), not on the first run.
pub fn follow<T: Clone + PartialEq + Send + Sync + 'static>(
    moment: RwSignal<T>,
    refresh: RwSignal<u64>,
) {
    let seen = StoredValue::new(None::<T>);
    Effect::new(move |_| {
        let now = moment.get();
        if seen.with_value(|s| s.as_ref().is_some_and(|s| *s != now)) {
            refresh.update(|n| *n += 1);
        }
        seen.set_value(Some(now));
    });
}

/// Runs `read` now and whenever an event of `streams` arrives in `events` (the page's live list,
/// newest first) or `refresh` is bumped. An event the view already has (the first read usually
/// answers before the event list arrives) costs no read.
pub fn reread_on(
    events: RwSignal<Vec<RecordedEvent>>,
    streams: &'static [&'static str],
    refresh: RwSignal<u64>,
    covers: Covers,
    read: Read,
) {
    let in_flight = StoredValue::new(false);
    let again = StoredValue::new(false);
    // The latest event of the streams, and the refresh count, last acted on.
    let seen = StoredValue::new((None, u64::MAX));
    Effect::new(move |_| {
        let now = (
            events.with(|e| {
                e.iter()
                    .find(|e| streams.contains(&e.stream_type.as_str()))
                    .map(|e| e.position)
            }),
            refresh.get(),
        );
        if seen.get_value() == now {
            return;
        }
        let asked = seen.get_value().1 != now.1;
        seen.set_value(now);
        if !asked && covers(now.0) {
            return;
        }
        if in_flight.get_value() {
            again.set_value(true);
            return;
        }
        in_flight.set_value(true);
        let started = now.1;
        let (read, covers) = (read.clone(), covers.clone());
        spawn_local(async move {
            read().await;
            // The page may have gone meanwhile: then nothing more.
            if in_flight.try_set_value(false).is_some() {
                return;
            }
            if again.get_value() {
                again.set_value(false);
                let (latest, asked) = seen.get_value();
                // Asked for again (after a command), or an event came that this answer may not
                // have.
                if asked != started || !covers(latest) {
                    refresh.update(|n| *n += 1);
                }
            }
        });
    });
}
