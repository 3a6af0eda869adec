//! Each instance's current program views, folded as the log moves and kept encoded, so that a
//! read of "the program now" costs milliseconds however large the program.
//!
//! The projection's stored view is the durable copy; this cache is what a current read serves.
//! For every program read recently the instance keeps a live view, folded by [`ViewCache::follow`]
//! from the batches its live tail publishes, and the last encoding of it (`encoding`: chunks of
//! JSON, each also deflated on its own, so a change re-encodes only the chunks it touched).
//!
//! The tail only speeds things up; correctness never depends on it. A live view records the global
//! position `covered` through which every event of its program is folded. A read is given the
//! log's head, asked for after the request arrived: when `covered` has reached it nothing can be
//! missing. Otherwise, if the view moves with the tail, the read waits a little for the tail (it
//! folds those events anyway, usually within milliseconds, where reading them again from the log
//! under load took ~30 ms); failing that, the program's events after `covered` are read from the
//! log and folded then. So a read includes every event committed before it began, whatever the
//! tail is doing (lagging, stalled, restarting, or on another instance). The tail moves a view on
//! only from where its `covered` ends; a gap (a lagged receiver, a view loaded mid-stream) is left
//! for the next read to fill from the log.
//!
//! One refresh per program runs at a time; readers arriving meanwhile wait for it and share its
//! result. Programs are evicted least recently read first once the cache passes its byte budget.

mod encoding;

use crate::event_store::{EventFilter, head_position, read_events};
use crate::live::LiveBatch;
use crate::projection::{fold_one, load_view_at_checkpoint};
pub use encoding::{Encoded, Touched};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use throughline_shared::ProgramId;
use throughline_shared::view::ProgramView;
use tokio::sync::{broadcast, watch};

/// Events read per query while folding a view forward from the log.
const FOLD_PAGE: i64 = 5_000;

/// A program nobody has read for this long is dropped: the tail stops folding it.
const IDLE: Duration = Duration::from_secs(600);

/// How long a read waits for the tail to reach the head before reading the log itself: above
/// the tail's usual delivery time under load (p99 < 50 ms, benchmark (i)), so the log is read only
/// when the tail is stalled or far behind.
const TAIL_WAIT: Duration = Duration::from_millis(50);

/// A program's view as of `through`, encoded: what reads are answered with.
#[derive(Debug)]
pub struct Snapshot {
    /// The last event of the program folded in.
    pub through: i64,
    pub encoded: Encoded,
}

/// The view the tail and reads fold into.
struct Live {
    view: ProgramView,
    /// The position of the last event of the program folded in.
    through: i64,
    /// Every event of the program up to this global position is folded in.
    covered: i64,
    /// The lists folds may have changed since the encoding of the view as of `encoded`.
    touched: Touched,
    encoded: Option<i64>,
}

impl Live {
    fn new(view: ProgramView, covered: i64) -> Self {
        Self {
            through: view.position,
            covered,
            view,
            touched: Touched::ALL,
            encoded: None,
        }
    }

    /// Folds `event` unless it is already in.
    fn fold(&mut self, event: &mut throughline_shared::RecordedEvent) {
        if event.position > self.covered {
            fold_one(&mut self.view, event);
            self.through = event.position;
            self.covered = event.position;
            let (milestones, dependencies) =
                lists_changed_by(&event.stream_type, &event.event_type);
            self.touched.milestones |= milestones;
            self.touched.dependencies |= dependencies;
        }
    }

    /// What changed since `previous` was encoded, as far as the folds know: everything, unless
    /// `previous` is the encoding these folds were counted from.
    fn touched_since(&self, previous: Option<&Snapshot>) -> Touched {
        match previous {
            Some(p) if self.encoded == Some(p.through) => self.touched,
            _ => Touched::ALL,
        }
    }
}

/// Which of the view's lists (milestones, dependencies) an event can change: `ProgramView::apply`
/// changes milestones only for milestone events, and dependencies only for the register's and a
/// milestone's move (which takes its dependencies' ends along). An unknown stream type may
/// change either.
fn lists_changed_by(stream_type: &str, event_type: &str) -> (bool, bool) {
    use throughline_shared::event::AggregateEvent;
    use throughline_shared::{dependency, governance, milestone, program, project, raid, user};
    match stream_type {
        t if t == <milestone::MilestoneEvent as AggregateEvent>::STREAM_TYPE => {
            (true, event_type == "MilestoneMoved")
        }
        t if t == <dependency::DependencyEvent as AggregateEvent>::STREAM_TYPE => (false, true),
        t if t == <program::ProgramEvent as AggregateEvent>::STREAM_TYPE
            || t == <project::ProjectEvent as AggregateEvent>::STREAM_TYPE
            || t == <user::UserEvent as AggregateEvent>::STREAM_TYPE
            || t == <governance::charter::CharterEvent as AggregateEvent>::STREAM_TYPE
            || t == <governance::decision::DecisionEvent as AggregateEvent>::STREAM_TYPE
            || t == <governance::escalation::EscalationEvent as AggregateEvent>::STREAM_TYPE
            || t == <governance::session::SessionEvent as AggregateEvent>::STREAM_TYPE
            || t == <raid::risk::RiskEvent as AggregateEvent>::STREAM_TYPE
            || t == <raid::issue::IssueEvent as AggregateEvent>::STREAM_TYPE
            || t == <raid::assumption::AssumptionEvent as AggregateEvent>::STREAM_TYPE
            || t == <raid::settings::RaidSettingsEvent as AggregateEvent>::STREAM_TYPE
            || t
                == <throughline_shared::briefing::BriefingEvent as AggregateEvent>::STREAM_TYPE =>
        {
            (false, false)
        }
        _ => (true, true),
    }
}

type SharedLive = Arc<Mutex<Option<Live>>>;

struct Slot {
    live: SharedLive,
    snapshot: Option<Arc<Snapshot>>,
    refresh: Arc<tokio::sync::Mutex<()>>,
    last_used: u64,
    read_at: Instant,
    /// Bytes held, as last measured (for the budget).
    weight: usize,
}

/// Per-instance cache of current program views (shared by every worker through `web::Data`).
pub struct ViewCache {
    slots: Mutex<HashMap<ProgramId, Slot>>,
    clock: AtomicU64,
    budget: usize,
    /// The `through` of the last batch the tail folded: published after every view that moves
    /// with the tail has it, so a view whose `covered` is below it no longer moves with the tail.
    tail: watch::Sender<i64>,
    /// A wait for the tail ran out: later reads go to the log until the tail moves again.
    tail_stalled: AtomicBool,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing held under these locks is left half-changed by a panic that matters: a view a fold
    // panicked in is marked by `fold_one` itself.
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl ViewCache {
    /// A cache holding at most about `budget` bytes of views.
    pub fn new(budget: usize) -> Self {
        Self {
            slots: Mutex::new(HashMap::new()),
            clock: AtomicU64::new(0),
            budget,
            tail: watch::Sender::new(0),
            tail_stalled: AtomicBool::new(false),
        }
    }

    /// Folds what the live tail publishes into the live views held, for as long as it publishes.
    pub async fn follow(self: Arc<Self>, mut batches: broadcast::Receiver<Arc<LiveBatch>>) {
        loop {
            match batches.recv().await {
                Ok(batch) => self.fold_batch(&batch),
                // Views fill the gap from the log on their next read.
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return,
            }
        }
    }

    fn fold_batch(&self, batch: &LiveBatch) {
        // Every view held, not only those with events here: a view that moves with the tail
        // covers this batch's range either way.
        let held: Vec<(ProgramId, SharedLive)> = {
            let mut slots = locked(&self.slots);
            slots.retain(|_, s| s.read_at.elapsed() < IDLE || Arc::strong_count(&s.refresh) > 1);
            slots.iter().map(|(p, s)| (*p, s.live.clone())).collect()
        };
        let mut by_program: HashMap<ProgramId, Vec<&throughline_shared::RecordedEvent>> =
            HashMap::new();
        for event in &batch.events {
            if let Some(program_id) = event.program_id {
                by_program.entry(program_id).or_default().push(event);
            }
        }
        for (program_id, live) in held {
            if locked(&live)
                .as_ref()
                .is_none_or(|l| batch.after > l.covered)
            {
                continue;
            }
            for event in by_program.get(&program_id).into_iter().flatten() {
                let mut event = (*event).clone();
                // The lock is taken per event, so a reader waits for one fold at most.
                let mut guard = locked(&live);
                let Some(live) = guard.as_mut() else { break };
                live.fold(&mut event);
            }
            if let Some(live) = locked(&live).as_mut() {
                live.covered = live.covered.max(batch.through);
            }
        }
        self.tail_stalled.store(false, Ordering::Relaxed);
        self.tail.send_replace(batch.through);
    }

    /// Waits, within [`TAIL_WAIT`], for the tail to bring `live` up to `head`, if it moves with
    /// the tail. Returns either way: the caller reads the log for whatever is still missing.
    async fn await_tail(&self, live: &Mutex<Option<Live>>, head: i64) {
        if self.tail_stalled.load(Ordering::Relaxed) {
            return;
        }
        let mut tail = self.tail.subscribe();
        let deadline = tokio::time::Instant::now() + TAIL_WAIT;
        loop {
            // The tail publishes after moving every view it moves, so reading it first and the
            // view second can only see a view that moves with it at or past it.
            let through = *tail.borrow_and_update();
            let Some(covered) = locked(live).as_ref().map(|l| l.covered) else {
                return;
            };
            if covered >= head || covered < through {
                return;
            }
            match tokio::time::timeout_at(deadline, tail.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => return,
                Err(_) => {
                    self.tail_stalled.store(true, Ordering::Relaxed);
                    return;
                }
            }
        }
    }

    /// The program's slot (created if needed), marked used: its live view and its refresh turn.
    fn slot(&self, program_id: ProgramId) -> (SharedLive, Arc<tokio::sync::Mutex<()>>) {
        let now = self.clock.fetch_add(1, Ordering::Relaxed);
        let mut slots = locked(&self.slots);
        let slot = slots.entry(program_id).or_insert_with(|| Slot {
            live: Arc::default(),
            snapshot: None,
            refresh: Arc::default(),
            last_used: now,
            read_at: Instant::now(),
            weight: 0,
        });
        slot.last_used = now;
        slot.read_at = Instant::now();
        (slot.live.clone(), slot.refresh.clone())
    }

    fn store(&self, program_id: ProgramId, snapshot: Arc<Snapshot>) {
        // The encoding with its entries, and the live view (about as large as the JSON).
        let weight = snapshot.encoded.weight() * 3 / 2;
        let mut slots = locked(&self.slots);
        if let Some(slot) = slots.get_mut(&program_id) {
            // Never go back: a slower refresh must not replace a newer one.
            if slot
                .snapshot
                .as_ref()
                .is_none_or(|s| s.through <= snapshot.through)
            {
                slot.snapshot = Some(snapshot);
                slot.weight = weight;
            }
        }
        let mut total: usize = slots.values().map(|s| s.weight).sum();
        while total > self.budget {
            let Some((&victim, _)) = slots
                .iter()
                .filter(|(id, s)| **id != program_id && s.weight > 0)
                .min_by_key(|(_, s)| s.last_used)
            else {
                break;
            };
            if let Some(evicted) = slots.remove(&victim) {
                total = total.saturating_sub(evicted.weight);
            }
        }
    }

    /// The log's head, for [`ViewCache::current`]: ask for it once the request has arrived (it
    /// can be asked for alongside other queries, such as the caller's access).
    pub async fn head(pool: &sqlx::PgPool) -> anyhow::Result<i64> {
        Ok(head_position(pool).await?)
    }

    /// The program's view (`None`: no such program) including every event up to `head`, which
    /// [`ViewCache::head`] gave after the request arrived: so every event committed before it.
    pub async fn current(
        &self,
        pool: &sqlx::PgPool,
        program_id: ProgramId,
        head: i64,
    ) -> anyhow::Result<Option<Arc<Snapshot>>> {
        let found = self.refresh(pool, program_id, head).await;
        if !matches!(found, Ok(Some(_))) {
            // Ids of programs that do not exist must not fill the map.
            let mut slots = locked(&self.slots);
            if slots
                .get(&program_id)
                .is_some_and(|s| s.snapshot.is_none() && Arc::strong_count(&s.refresh) == 1)
            {
                slots.remove(&program_id);
            }
        }
        found
    }

    /// A copy of the current view (every write acknowledged before `head` folded in), for reads
    /// that compute from the program rather than send it (a risk's exposure): copied under the
    /// slot's lock, so the tail is held up for the copy only, not for the computation.
    pub async fn view(
        &self,
        pool: &sqlx::PgPool,
        program_id: ProgramId,
        head: i64,
    ) -> anyhow::Result<Option<ProgramView>> {
        if self.current(pool, program_id, head).await?.is_none() {
            return Ok(None);
        }
        let (live, _) = self.slot(program_id);
        // The tail may have folded more since: later is still current.
        let copy = locked(&live)
            .as_ref()
            .filter(|l| l.view.exists())
            .map(|l| l.view.clone());
        Ok(copy)
    }

    async fn refresh(
        &self,
        pool: &sqlx::PgPool,
        program_id: ProgramId,
        head: i64,
    ) -> anyhow::Result<Option<Arc<Snapshot>>> {
        let (live, turn) = self.slot(program_id);
        if let Some(snapshot) = self.fresh(&live, program_id, head) {
            return Ok(Some(snapshot));
        }
        let _turn = turn.lock().await;
        // Another reader's refresh may have done it while this one waited.
        if let Some(snapshot) = self.fresh(&live, program_id, head) {
            return Ok(Some(snapshot));
        }
        let loaded = locked(&live).is_some();
        if !loaded {
            let (checkpoint, stored) = load_view_at_checkpoint(pool, program_id).await?;
            let view = stored.unwrap_or_else(|| ProgramView::new(program_id));
            let mut live = locked(&live);
            // The tail folds nothing into an empty slot, so nothing can be here yet.
            *live = Some(Live::new(view, checkpoint));
        }
        self.await_tail(&live, head).await;
        // Fold from the log whatever the tail has not, up to at least `head`.
        loop {
            let covered = locked(&live).as_ref().map_or(0, |l| l.covered);
            if covered >= head {
                break;
            }
            let mut events = read_events(pool, filter(program_id, covered, FOLD_PAGE)).await?;
            let full = i64::try_from(events.len()).is_ok_and(|n| n == FOLD_PAGE);
            let mut guard = locked(&live);
            let Some(live) = guard.as_mut() else { break };
            for event in &mut events {
                live.fold(event);
            }
            if !full {
                // Every event up to `head` was committed before the read began: all are in.
                live.covered = live.covered.max(head);
                break;
            }
        }
        let previous = locked(&self.slots)
            .get(&program_id)
            .and_then(|s| s.snapshot.clone());
        let (through, prepared) = {
            let mut guard = locked(&live);
            let Some(live) = guard.as_mut() else {
                return Ok(None);
            };
            if let Some(previous) = previous.as_ref().filter(|p| p.through == live.through) {
                return Ok(Some(previous.clone()));
            }
            if !live.view.exists() {
                return Ok(None);
            }
            let touched = live.touched_since(previous.as_deref());
            let prepared = Encoded::prepare(
                &mut live.view,
                previous.as_deref().map(|p| &p.encoded),
                touched,
            );
            // Counted afresh from this encoding, which the slot keeps (one refresh at a time,
            // and never replaced by an older one).
            live.touched = Touched::NONE;
            live.encoded = Some(live.through);
            (live.through, prepared)
        };
        let snapshot = Arc::new(Snapshot {
            through,
            encoded: prepared.compress(),
        });
        self.store(program_id, snapshot.clone());
        Ok(Some(snapshot))
    }

    /// The last snapshot, if the live view has every event up to `head` and the snapshot has
    /// every event of the live view.
    fn fresh(
        &self,
        live: &Mutex<Option<Live>>,
        program_id: ProgramId,
        head: i64,
    ) -> Option<Arc<Snapshot>> {
        let (covered, through) = locked(live).as_ref().map(|l| (l.covered, l.through))?;
        let snapshot = locked(&self.slots).get(&program_id)?.snapshot.clone()?;
        (covered >= head && snapshot.through == through).then_some(snapshot)
    }
}

fn filter(program_id: ProgramId, after: i64, limit: i64) -> EventFilter {
    EventFilter {
        after,
        up_to: None,
        program_id: Some(program_id),
        limit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn snapshot(program: ProgramId, through: i64) -> Arc<Snapshot> {
        let mut view = ProgramView::new(program);
        view.name = "x".repeat(10_000);
        Arc::new(Snapshot {
            through,
            encoded: Encoded::new(&mut view),
        })
    }

    #[test]
    fn folds_count_only_milestone_and_register_events_against_the_lists() {
        use throughline_shared::event::AggregateEvent;
        use throughline_shared::{dependency, milestone, project};
        let of = |t: &str| lists_changed_by(t, "MilestoneForecastChanged");
        assert_eq!(of(milestone::MilestoneEvent::STREAM_TYPE), (true, false));
        assert_eq!(
            lists_changed_by(milestone::MilestoneEvent::STREAM_TYPE, "MilestoneMoved"),
            (true, true),
            "a moved milestone takes its dependencies' ends along"
        );
        assert_eq!(of(dependency::DependencyEvent::STREAM_TYPE), (false, true));
        assert_eq!(of(project::ProjectEvent::STREAM_TYPE), (false, false));
        assert_eq!(of("a stream type added later"), (true, true));
    }

    #[test]
    fn the_least_recently_read_program_goes_first_and_no_snapshot_goes_back() {
        let one = snapshot(ProgramId::from_uuid(Uuid::new_v4()), 1)
            .encoded
            .weight()
            * 3
            / 2;
        // Room for two and a half: deflated sizes differ by a few bytes between programs.
        let cache = ViewCache::new(one * 5 / 2);
        let programs: Vec<ProgramId> = (0..3)
            .map(|_| ProgramId::from_uuid(Uuid::new_v4()))
            .collect();
        for (i, p) in programs.iter().enumerate() {
            cache.slot(*p);
            cache.store(*p, snapshot(*p, 10 + i as i64));
            if i == 1 {
                // The first is read again: the second is now the least recently read.
                cache.slot(programs[0]);
            }
        }
        let held = |p: &ProgramId| locked(&cache.slots).get(p).and_then(|s| s.snapshot.clone());
        assert!(held(&programs[0]).is_some());
        assert!(held(&programs[1]).is_none(), "evicted");
        assert!(held(&programs[2]).is_some());

        cache.store(programs[2], snapshot(programs[2], 5));
        assert_eq!(
            held(&programs[2]).unwrap().through,
            12,
            "an older refresh never replaces a newer one"
        );
    }
}
