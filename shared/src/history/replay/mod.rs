//! The history scrubber's cursor: a window of a program's events, a position in it, and views
//! kept every few hundred events, so stepping and playing fold forward with `ProgramView::apply`
//! instead of asking the server, and stepping back restores the nearest kept view and folds
//! forward from there. The caller owns the view being shown and does the IO each [`Wants`] asks
//! for: the next page of events, the view as of an event this build cannot fold (the server's
//! fold is the truth for those), or the view as of a target outside the window (the server starts
//! from its nearest snapshot).
//!
//! Memory is bounded whatever the program's length: the window holds at most [`WINDOW_MAX`]
//! events and at most [`CHECKPOINTS_MAX`] kept views.

use chrono::{DateTime, Utc};

use crate::event::{DecodeError, RecordedEvent};
use crate::view::ProgramView;

/// A view is kept after this many events folded past the last one kept.
pub const CHECKPOINT_EVERY: usize = 200;
/// At most this many kept views; beyond it every other one is dropped.
pub const CHECKPOINTS_MAX: usize = 48;
/// At most this many events in the window; beyond it the oldest already passed are dropped.
pub const WINDOW_MAX: usize = 20_000;
/// A seek folds at most this many events; farther, the server's view of the target is cheaper.
pub const SEEK_FOLD_MAX: usize = 3_000;

/// Where to go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// As the program stood right after this log position.
    Position(i64),
    /// As it stood at this instant.
    Time(DateTime<Utc>),
}

impl Target {
    /// Whether `event` is at or before the target.
    fn covers(self, event: &RecordedEvent) -> bool {
        match self {
            Target::Position(p) => event.position <= p,
            Target::Time(t) => event.recorded_at <= t,
        }
    }
}

/// What the cursor needs from the server to go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wants {
    /// Nothing: it is where it was asked to go (or at the end of the program's history).
    Nothing,
    /// The program's events after this position ([`Replay::extend`]).
    Events { after: i64 },
    /// The view as of the event at this position, which this build folds only on the server
    /// ([`Replay::keyframe`]).
    View { position: i64 },
    /// The view as of the target, which lies outside the window ([`Replay::reset`], then seek
    /// again).
    Server,
}

#[derive(Clone, Debug)]
struct Checkpoint {
    /// Index in the window of the first event after it.
    next: usize,
    cursor: i64,
    at: Option<DateTime<Utc>>,
    view: ProgramView,
}

/// A cursor over one program's history.
#[derive(Clone, Debug)]
pub struct Replay {
    /// Every event of the program after `start` up to `known_to`, in position order.
    events: Vec<RecordedEvent>,
    start: i64,
    known_to: i64,
    /// Whether `known_to` is the end of the program's history as last read.
    complete: bool,
    /// Index of the first event after the cursor.
    next: usize,
    cursor: i64,
    at: Option<DateTime<Utc>>,
    checkpoints: Vec<Checkpoint>,
}

impl Replay {
    /// A cursor on `view`, which the server folded up to `cursor` (at `at`).
    pub fn new(view: &ProgramView, cursor: i64, at: Option<DateTime<Utc>>) -> Self {
        Self {
            events: Vec::new(),
            start: cursor,
            known_to: cursor,
            complete: false,
            next: 0,
            cursor,
            at,
            checkpoints: vec![Checkpoint {
                next: 0,
                cursor,
                at,
                view: view.clone(),
            }],
        }
    }

    /// Starts again from a view the server gave, forgetting the window.
    pub fn reset(&mut self, view: &ProgramView, cursor: i64, at: Option<DateTime<Utc>>) {
        *self = Self::new(view, cursor, at);
    }

    /// The log position the view stands at: the program's last event passed.
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// When the cursor's event was recorded.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.at
    }

    /// Whether the cursor is past the program's last event as last read.
    pub fn at_end(&self) -> bool {
        self.complete && self.next >= self.events.len()
    }

    /// How many events the window holds ahead of the cursor.
    pub fn ahead(&self) -> usize {
        self.events.len().saturating_sub(self.next)
    }

    /// Where the next page of events starts, unless the window already reaches the end.
    pub fn wants_events(&self) -> Option<i64> {
        (!self.complete).then_some(self.known_to)
    }

    /// Adds the program's events after the window: `events` (in position order; those already
    /// held are ignored) are every event of the program after `after` up to `through`; `complete`
    /// when that is its end. A page read for another window (`after` is not where this one ends:
    /// it was reset meanwhile) is dropped, as it would leave a gap.
    pub fn extend(&mut self, after: i64, events: Vec<RecordedEvent>, through: i64, complete: bool) {
        if after != self.known_to {
            return;
        }
        let through = through.max(self.known_to);
        // Pages come in position order; anything else (a repeat, an older event) is dropped
        // rather than sorted, which would also cost the browser a sort's code.
        let mut last = self.known_to;
        for event in events {
            if event.position > last && event.position <= through {
                last = event.position;
                self.events.push(event);
            }
        }
        self.known_to = self.known_to.max(through);
        self.complete = complete;
        self.trim();
    }

    /// Drops the oldest events already passed once the window is full, and the kept views that
    /// needed them.
    fn trim(&mut self) {
        if self.events.len() <= WINDOW_MAX {
            return;
        }
        let drop = (self.events.len() - WINDOW_MAX / 2).min(self.next);
        if drop == 0 {
            return;
        }
        if let Some(last) = self.events.get(drop - 1) {
            self.start = last.position;
        }
        self.events.drain(..drop);
        self.next -= drop;
        self.checkpoints.retain_mut(|c| {
            let keep = c.next >= drop;
            c.next = c.next.saturating_sub(drop);
            keep
        });
    }

    /// The server's view as of the event at `position`, the first ahead of the cursor, which this
    /// build could not fold: the cursor moves past it, and the view is kept.
    pub fn keyframe(&mut self, view: &ProgramView, position: i64) {
        let Some(i) = self.events.iter().position(|e| e.position == position) else {
            // Not in the window (it moved meanwhile): a fresh start from this view.
            let at = view.updated_at;
            self.reset(view, position, at);
            return;
        };
        self.next = i + 1;
        self.cursor = position;
        self.at = self.events.get(i).map(|e| e.recorded_at);
        self.keep(view);
    }

    fn keep(&mut self, view: &ProgramView) {
        let checkpoint = Checkpoint {
            next: self.next,
            cursor: self.cursor,
            at: self.at,
            view: view.clone(),
        };
        match self
            .checkpoints
            .binary_search_by_key(&self.next, |c| c.next)
        {
            Ok(i) => {
                if let Some(c) = self.checkpoints.get_mut(i) {
                    *c = checkpoint;
                }
            }
            Err(i) => self.checkpoints.insert(i, checkpoint),
        }
        if self.checkpoints.len() > CHECKPOINTS_MAX {
            // Every other one, the window's first kept.
            let mut index = 0;
            self.checkpoints.retain(|_| {
                index += 1;
                index % 2 == 1
            });
        }
    }

    /// Folds up to `limit` events ahead into `view`, stopping before the first past `until`.
    /// Returns how many events it passed and what it needs to go on.
    pub fn forward(
        &mut self,
        view: &mut ProgramView,
        limit: usize,
        until: Option<Target>,
    ) -> (usize, Wants) {
        let mut moved = 0;
        while moved < limit {
            let Some(event) = self.events.get(self.next) else {
                // A position the window already covers is reached: nothing more to read.
                let reached = matches!(until, Some(Target::Position(p)) if p <= self.known_to);
                let wants = match self.wants_events() {
                    Some(after) if !reached => Wants::Events { after },
                    _ => Wants::Nothing,
                };
                return (moved, wants);
            };
            if until.is_some_and(|t| !t.covers(event)) {
                return (moved, Wants::Nothing);
            }
            match event.decode() {
                Ok(decoded) => view.apply(event, &decoded),
                // Governance, RAID, briefings: not the program view's.
                Err(DecodeError::UnknownStreamType(stream)) if stream != "program" => {}
                // The program's own events and the plan's rare edits, which this build leaves
                // to the server, and anything it cannot read: the server's fold decides.
                Err(_) => {
                    let position = event.position;
                    match self.checkpoints.iter().find(|c| c.cursor == position) {
                        Some(kept) => *view = kept.view.clone(),
                        None => return (moved, Wants::View { position }),
                    }
                }
            }
            self.cursor = event.position;
            self.at = Some(event.recorded_at);
            self.next += 1;
            moved += 1;
            let last_kept = self.checkpoints.last().map_or(0, |c| c.next);
            if self.next >= last_kept + CHECKPOINT_EVERY {
                self.keep(view);
            }
        }
        (moved, Wants::Nothing)
    }

    /// Moves to `target`: forward by folding, back from the nearest kept view before it.
    pub fn seek(&mut self, view: &mut ProgramView, target: Target) -> Wants {
        let ahead = match target {
            Target::Position(p) => p >= self.cursor,
            Target::Time(t) => self.at.is_none_or(|at| t >= at),
        };
        if !ahead {
            let kept = self.checkpoints.iter().rev().find(|c| match target {
                Target::Position(p) => c.cursor <= p,
                Target::Time(t) => c.at.is_some_and(|at| at <= t),
            });
            let Some(kept) = kept else {
                return Wants::Server;
            };
            *view = kept.view.clone();
            self.next = kept.next;
            self.cursor = kept.cursor;
            self.at = kept.at;
        }
        match self.forward(view, SEEK_FOLD_MAX, Some(target)) {
            (SEEK_FOLD_MAX, Wants::Nothing)
                if self.events.get(self.next).is_some_and(|e| target.covers(e)) =>
            {
                Wants::Server
            }
            (_, wants) => wants,
        }
    }

    /// The target one event back: the program's event before the cursor.
    pub fn previous(&self) -> Target {
        match self.next.checked_sub(2).and_then(|i| self.events.get(i)) {
            Some(event) => Target::Position(event.position),
            None if self.next == 1 => Target::Position(self.start),
            // Before the window: the server knows.
            None => Target::Position(self.cursor.saturating_sub(1)),
        }
    }
}

#[cfg(test)]
mod tests;
