//! The program page's state: the view, kept live by folding streamed events into it with the same
//! `ProgramView::apply` the server uses; the program's events for the activity panel; and the
//! brief highlights of what a live event changed.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::CommandAccepted;
use throughline_shared::ids::MilestoneId;
use throughline_shared::project::ProjectEvent;
use throughline_shared::view::ProgramView;
use throughline_shared::{DecodeError, DomainEvent, ProgramId, ProjectId, RecordedEvent};

use crate::api::{self, ApiError};
use crate::live::{self, LiveSlot, LiveStatus};

/// How long a row stays highlighted after a live change.
const HIGHLIGHT: Duration = Duration::from_millis(2500);

/// Merge `new` into `list` (newest first), without duplicates.
fn merge_events(list: &mut Vec<RecordedEvent>, mut new: Vec<RecordedEvent>) {
    let newest = list.first().map_or(i64::MIN, |e| e.position);
    if new.iter().all(|e| e.position > newest) {
        // What the live stream delivers: newer than everything here, so it goes on top without
        // sorting the whole (possibly long) list again.
        new.sort_by_key(|e| std::cmp::Reverse(e.position));
        new.dedup_by_key(|e| e.position);
        list.splice(0..0, new);
        return;
    }
    list.extend(new);
    list.sort_by_key(|e| std::cmp::Reverse(e.position));
    list.dedup_by_key(|e| e.position);
}

#[derive(Clone, Copy)]
pub(super) struct Page {
    pub id: ProgramId,
    /// A view of the past (`?as_of=`): read-only, not live.
    pub history: bool,
    pub view: RwSignal<Option<ProgramView>>,
    /// In history, the log position shown (the scrubber's cursor); live, unused.
    pub cursor: RwSignal<i64>,
    /// Newest first.
    pub events: RwSignal<Vec<RecordedEvent>>,
    pub events_error: RwSignal<Option<ApiError>>,
    /// Events above this position arrived live (for the brief highlight in the activity panel).
    pub live_after: RwSignal<i64>,
    pub live_status: RwSignal<LiveStatus>,
    /// Projects changed by a live event, each with a token so a later change extends the flash.
    pub highlighted: RwSignal<Vec<(ProjectId, u64)>>,
    /// Milestones moved by a live event a moment ago.
    pub flashed: RwSignal<Vec<MilestoneId>>,
    next_token: StoredValue<u64>,
    pub notice: RwSignal<Option<String>>,
    pub open_status: RwSignal<Option<ProjectId>>,
}

impl Page {
    pub fn new(id: ProgramId, history: bool, view: ProgramView) -> Self {
        let position = view.position;
        Self {
            id,
            history,
            view: RwSignal::new(Some(view)),
            cursor: RwSignal::new(position),
            events: RwSignal::new(Vec::new()),
            events_error: RwSignal::new(None),
            live_after: RwSignal::new(if history { i64::MAX } else { position }),
            live_status: RwSignal::new(LiveStatus::Connecting),
            highlighted: RwSignal::new(Vec::new()),
            flashed: RwSignal::new(Vec::new()),
            next_token: StoredValue::new(0),
            notice: RwSignal::new(None),
            open_status: RwSignal::new(None),
        }
    }

    /// Follows the program live from the loaded view's position (not in history), for as long as
    /// the current owner lives, and reads its events for the activity panel.
    pub fn start(self) {
        if !self.history {
            let slot = LiveSlot::tied_to_owner();
            let after = self
                .view
                .with_untracked(|v| v.as_ref().map_or(0, |v| v.position));
            slot.set(live::subscribe(
                Some(self.id),
                after,
                move |events, _covered| self.apply_events(events),
                move |status| self.live_status.set(status),
            ));
        }
        spawn_local(async move {
            match api::all_program_events(self.id).await {
                Ok(events) => {
                    self.events_error.set(None);
                    self.events.update(|list| merge_events(list, events));
                }
                Err(e) => self.events_error.set(Some(e)),
            }
        });
    }

    /// Fold streamed events into the view and the activity panel.
    fn apply_events(self, batch: Vec<RecordedEvent>) {
        if batch.is_empty() {
            return;
        }
        let mut changed = Vec::new();
        let mut moved = Vec::new();
        let mut reload = false;
        self.view.update(|view| {
            let Some(view) = view else { return };
            for recorded in &batch {
                match recorded.decode() {
                    Ok(event) => {
                        let before = view.position;
                        view.apply(recorded, &event);
                        if view.position > before
                            && let DomainEvent::Milestone(event) = &event
                        {
                            moved.push(event.milestone_id());
                        }
                        if view.position > before
                            && let DomainEvent::Project(
                                ProjectEvent::ProjectAdded { project_id, .. }
                                | ProjectEvent::ProjectStatusReported { project_id, .. },
                            ) = event
                        {
                            changed.push(project_id);
                        }
                    }
                    // The program's own events (renames, phase, scope, roles: rare) are not
                    // decoded here, to keep their decoder out of the wasm: the view is read
                    // again instead. Governance events have their own view.
                    Err(DecodeError::UnknownStreamType(stream)) => {
                        reload |= stream == "program";
                    }
                    // The plan's rare edits (renames, moves, retirements…), likewise.
                    Err(DecodeError::FoldedByServer(_)) => reload = true,
                    Err(err) => leptos::logging::warn!(
                        "event {} could not be decoded: {err}",
                        recorded.position
                    ),
                }
            }
        });
        self.events.update(|list| merge_events(list, batch));
        if reload {
            self.reload_view();
        }
        for project_id in changed {
            self.highlight(project_id);
        }
        if !moved.is_empty() {
            self.flashed.update(|f| f.extend(moved.iter().copied()));
            let flashed = self.flashed;
            set_timeout(
                move || {
                    flashed.try_update(|f| {
                        for id in &moved {
                            if let Some(i) = f.iter().position(|x| x == id) {
                                f.remove(i);
                            }
                        }
                    });
                },
                HIGHLIGHT,
            );
        }
    }

    /// Reads the view again, then folds onto it the live events that arrived after its position
    /// (all of them are in `events`, also those that arrive while this read is under way).
    fn reload_view(self) {
        spawn_local(async move {
            let Ok(mut fresh) = api::get_program(self.id, None).await else {
                return;
            };
            let since = fresh.position;
            let folded = self.events.try_with_untracked(|list| {
                for recorded in list.iter().rev().filter(|e| e.position > since) {
                    if let Ok(event) = recorded.decode() {
                        fresh.apply(recorded, &event);
                    }
                }
            });
            if folded.is_some() {
                self.view.try_set(Some(fresh));
            }
        });
    }

    fn highlight(self, project_id: ProjectId) {
        let token = self.next_token.get_value();
        self.next_token.set_value(token + 1);
        self.highlighted.update(|h| {
            h.retain(|(p, _)| *p != project_id);
            h.push((project_id, token));
        });
        let highlighted = self.highlighted;
        set_timeout(
            move || {
                highlighted.try_update(|h| h.retain(|(p, t)| !(*p == project_id && *t == token)));
            },
            HIGHLIGHT,
        );
    }

    /// After our own command: the live stream normally delivers its events within milliseconds;
    /// if it has not after a moment (e.g. while reconnecting), read the view again.
    fn catch_up_to(self, accepted: CommandAccepted) {
        let page = self;
        set_timeout(
            move || {
                let behind = page
                    .view
                    .try_with_untracked(|v| {
                        v.as_ref().is_some_and(|v| v.position < accepted.position)
                    })
                    .unwrap_or(false);
                if behind {
                    spawn_local(async move {
                        if let Ok(fresh) = api::get_program(page.id, None).await {
                            page.view.try_update(|v| {
                                if v.as_ref().is_none_or(|v| v.position < fresh.position) {
                                    *v = Some(fresh);
                                }
                            });
                        }
                        if let Ok(events) = api::all_program_events(page.id).await {
                            page.events.try_update(|list| merge_events(list, events));
                        }
                    });
                }
            },
            Duration::from_millis(1500),
        );
    }

    /// What a form calls with its command's answer: says `message` to screen readers and makes
    /// sure the page catches up with the change.
    pub fn accepted(self, message: String) -> Callback<CommandAccepted> {
        Callback::new(move |accepted: CommandAccepted| {
            self.notice.set(Some(message.clone()));
            self.catch_up_to(accepted);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(position: i64) -> RecordedEvent {
        serde_json::from_value(serde_json::json!({
            "position": position,
            "event_id": uuid::Uuid::nil(),
            "stream_id": uuid::Uuid::nil(),
            "stream_type": "project",
            "version": 1,
            "event_type": "ProjectAdded",
            "schema_version": 1,
            "payload": {},
            "metadata": { "actor": "a", "correlation_id": uuid::Uuid::nil() },
            "recorded_at": "2027-01-01T00:00:00Z",
            "hash": "",
        }))
        .unwrap()
    }

    fn positions(list: &[RecordedEvent]) -> Vec<i64> {
        list.iter().map(|e| e.position).collect()
    }

    #[test]
    fn events_merge_newest_first_without_duplicates() {
        let mut list = Vec::new();
        merge_events(&mut list, vec![event(1), event(3), event(2)]);
        assert_eq!(positions(&list), [3, 2, 1]);
        // Live events go on top.
        merge_events(&mut list, vec![event(5), event(4)]);
        assert_eq!(positions(&list), [5, 4, 3, 2, 1]);
        // A page read after some live events arrived: merged in place, duplicates dropped.
        merge_events(&mut list, vec![event(0), event(2), event(5), event(6)]);
        assert_eq!(positions(&list), [6, 5, 4, 3, 2, 1, 0]);
    }
}
