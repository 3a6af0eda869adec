//! The history scrubber: a track from the program's first event to its latest, with marks for
//! decisions, slips, status changes and new risks; drag it, step by event, day or week, or play.
//!
//! Every move folds the page's view forward in the browser with `shared::history::Replay` (the
//! same `ProgramView::apply` as live), from a view the server gave; the server is asked only for
//! the next page of events, for the view as of an event this build leaves to it, or for a target
//! outside what the browser holds (it answers from its nearest snapshot). While playing, each
//! animation frame folds the events due since the last one in one update of the view, so the page
//! renders once per frame however fast it plays. The URL follows the cursor, so a moment can be
//! shared.

use chrono::{DateTime, Duration, Utc};
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::history::{HistoryTrack, Replay, Target, TrackPoint, Wants};
use throughline_shared::view::ProgramView;

use super::state::Page;
use crate::api::{self, AsOf};
use crate::time;

/// Events per page read ahead.
const PAGE: u32 = 1_000;
/// Read the next page once fewer than this many events are left ahead while playing.
const READ_AHEAD: usize = 300;
/// While playing, the views the server folds on request (governance, RAID) follow at most this
/// often.
const MOMENT_EVERY_MS: f64 = 500.0;
/// Speeds offered, in events per second.
const SPEEDS: [u32; 4] = [2, 10, 30, 60];
const DEFAULT_SPEED: u32 = 30;

/// What to do.
#[derive(Clone, Copy, Debug)]
enum Move {
    To(Target),
    /// One event forward.
    Next,
}

/// The scrubber's state, shared by its controls and the page.
#[derive(Clone, Copy)]
pub(super) struct Scrub {
    page: Page,
    replay: StoredValue<Replay>,
    /// When the event at the cursor was recorded.
    pub at: RwSignal<Option<DateTime<Utc>>>,
    /// Events per second while playing.
    pub playing: RwSignal<Option<u32>>,
    /// Events passed since the page opened (what the replay benchmark counts).
    steps: RwSignal<u64>,
    /// A read from the server under way; moves asked meanwhile wait (the last one wins).
    busy: StoredValue<bool>,
    pending: StoredValue<Option<Move>>,
    reading_ahead: StoredValue<bool>,
    /// Which play the animation loop running belongs to: a pause and a play within one frame
    /// must not leave two loops running.
    play_count: StoredValue<u64>,
    /// The moment the server-folded views follow.
    moment: RwSignal<Option<AsOf>>,
    moment_set: StoredValue<f64>,
    pub error: RwSignal<Option<String>>,
}

impl Scrub {
    /// Starts at the page's view (read as of `as_of`) and moves to exactly `as_of`.
    pub fn start(page: Page, as_of: &AsOf, moment: RwSignal<Option<AsOf>>) -> Self {
        let (replay, at) = page.view.with_untracked(|v| {
            let position = v.as_ref().map_or(0, |v| v.position);
            let at = v.as_ref().and_then(|v| v.updated_at);
            let view = v.clone().unwrap_or_else(|| ProgramView::new(page.id));
            (Replay::new(&view, position, at), at)
        });
        let scrub = Self {
            page,
            replay: StoredValue::new(replay),
            at: RwSignal::new(at),
            playing: RwSignal::new(None),
            steps: RwSignal::new(0),
            busy: StoredValue::new(false),
            pending: StoredValue::new(None),
            reading_ahead: StoredValue::new(false),
            play_count: StoredValue::new(0),
            moment,
            moment_set: StoredValue::new(0.0),
            error: RwSignal::new(None),
        };
        scrub.seek_to(as_of);
        scrub
    }

    /// Moves to a moment named in the address (on opening, and on the browser's back and
    /// forward between moments).
    pub fn seek_to(self, as_of: &AsOf) {
        let target = match as_of {
            AsOf::Position(p) => Some(Target::Position(*p)),
            AsOf::Instant(s) => DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|t| Target::Time(t.with_timezone(&Utc))),
        };
        if let Some(target) = target {
            self.user(Move::To(target));
        }
    }

    fn go(self, to: Move) {
        if self.busy.get_value() {
            self.pending.set_value(Some(to));
            return;
        }
        self.busy.set_value(true);
        self.error.set(None);
        spawn_local(async move {
            self.drive(to).await;
            // The page may have gone meanwhile (another moment, another program): then nothing.
            if self.busy.try_set_value(false).is_some() {
                return;
            }
            self.settle(true);
            if let Some(next) = self.pending.try_update_value(Option::take).flatten() {
                self.go(next);
            }
        });
    }

    /// A move chosen by the reader: playing stops.
    fn user(self, to: Move) {
        self.playing.set(None);
        self.go(to);
    }

    /// Folds with the cursor's answer to `step`, and what it wants next. The page hears of it
    /// only if the cursor moved (a frame waiting for events redraws nothing).
    fn fold(self, step: impl FnOnce(&mut Replay, &mut ProgramView) -> Wants) -> Wants {
        let mut step = Some(step);
        self.page
            .view
            .try_maybe_update(|view| {
                let (Some(view), Some(step)) = (view.as_mut(), step.take()) else {
                    return (false, Wants::Nothing);
                };
                self.replay
                    .try_update_value(|r| {
                        let before = r.cursor();
                        let wants = step(r, view);
                        (r.cursor() != before, wants)
                    })
                    .unwrap_or((false, Wants::Nothing))
            })
            .unwrap_or(Wants::Nothing)
    }

    async fn drive(self, to: Move) {
        let mut pages = 0;
        let mut from_server = false;
        let mut moved_once = false;
        // Each turn reads once; a move never needs more than a few (a bound, not a plan).
        for _ in 0..40 {
            let wants = match to {
                Move::To(target) => self.fold(|r, v| r.seek(v, target)),
                Move::Next if moved_once => Wants::Nothing,
                Move::Next => self.fold(|r, v| match r.forward(v, 1, None) {
                    (1, _) => {
                        moved_once = true;
                        Wants::Nothing
                    }
                    (_, wants) => wants,
                }),
            };
            let result = match wants {
                Wants::Nothing => return,
                // Not within the next page: the server's view of the target costs one read
                // (from its nearest snapshot, no dearer than a page of events), pages of events
                // as many as lie between.
                Wants::Events { .. } if pages >= 1 && !from_server && matches!(to, Move::To(_)) => {
                    from_server = true;
                    self.read_view_at(to).await
                }
                Wants::Events { after } => {
                    pages += 1;
                    self.read_events(after).await
                }
                Wants::View { position } => {
                    let read =
                        api::get_program(self.page.id, Some(&AsOf::Position(position))).await;
                    read.map_err(|e| e.message).map(|view| {
                        self.replay
                            .try_update_value(|r| r.keyframe(&view, position));
                        self.page.view.try_set(Some(view));
                        moved_once = true;
                    })
                }
                Wants::Server => {
                    from_server = true;
                    self.read_view_at(to).await
                }
            };
            if let Err(e) = result {
                self.error.try_set(Some(e));
                self.playing.try_set(None);
                return;
            }
        }
    }

    async fn read_view_at(self, to: Move) -> Result<(), String> {
        let Move::To(target) = to else {
            return Ok(());
        };
        let as_of = match target {
            Target::Position(p) => AsOf::Position(p),
            Target::Time(t) => AsOf::Instant(instant(t)),
        };
        let view = api::get_program(self.page.id, Some(&as_of))
            .await
            .map_err(|e| e.message)?;
        self.replay
            .try_update_value(|r| r.reset(&view, view.position, view.updated_at));
        self.page.view.try_set(Some(view));
        Ok(())
    }

    async fn read_events(self, after: i64) -> Result<(), String> {
        let page = api::program_events(self.page.id, after, PAGE)
            .await
            .map_err(|e| e.message)?;
        let complete = page.events.len() < PAGE as usize || page.next_after >= page.head;
        let through = if complete { page.head } else { page.next_after };
        self.replay
            .try_update_value(|r| r.extend(after, page.events, through, complete));
        Ok(())
    }

    /// Shows where the cursor is: its position in the URL and the banner, and (unless playing,
    /// where it is throttled) the moment the governance and RAID views are read at.
    fn settle(self, now: bool) {
        let Some((cursor, at)) = self.replay.try_with_value(|r| (r.cursor(), r.at())) else {
            return;
        };
        self.page.cursor.try_set(cursor);
        self.at.try_set(at);
        let clock = time::now_ms();
        if now || clock - self.moment_set.get_value() >= MOMENT_EVERY_MS {
            self.moment_set.set_value(clock);
            self.moment.set(Some(AsOf::Position(cursor)));
            if let Some(window) = web_sys::window() {
                let path = window.location().pathname().unwrap_or_default();
                let _ = window.history().and_then(|h| {
                    h.replace_state_with_url(
                        &wasm_bindgen::JsValue::NULL,
                        "",
                        Some(&format!("{path}?as_of={cursor}")),
                    )
                });
            }
        }
    }

    pub fn play(self, rate: u32) {
        self.playing.set(Some(rate));
        self.play_count.update_value(|n| *n += 1);
        self.tick(self.play_count.get_value(), time::now_ms(), 0.0);
    }

    /// One animation frame of playing: folds the events due since the last frame.
    fn tick(self, play: u64, last: f64, owed: f64) {
        request_animation_frame(move || {
            let Some(Some(rate)) = self.playing.try_get_untracked() else {
                return;
            };
            if self.play_count.get_value() != play {
                return;
            }
            let now = time::now_ms();
            // Waiting (for the server, or in a background tab) does not bank steps to rush
            // through afterwards.
            let mut owed =
                (owed + (now - last) / 1000.0 * f64::from(rate)).min(f64::from(rate) / 10.0 + 1.0);
            let due = owed.floor() as usize;
            if due > 0 && !self.busy.get_value() {
                let mut moved = 0;
                let wants = self.fold(|r, v| {
                    let (m, wants) = r.forward(v, due, None);
                    moved = m;
                    wants
                });
                owed -= moved as f64;
                if moved > 0 {
                    self.steps.update(|s| *s += moved as u64);
                }
                match wants {
                    Wants::View { .. } | Wants::Server => self.go(Move::Next),
                    Wants::Events { .. } => {}
                    Wants::Nothing => {
                        if self.replay.with_value(Replay::at_end) {
                            self.playing.set(None);
                        }
                    }
                }
                self.settle(self.playing.get_untracked().is_none());
            }
            self.read_ahead();
            if self.playing.get_untracked().is_some() {
                self.tick(play, now, owed);
            }
        });
    }

    fn read_ahead(self) {
        let after = self
            .replay
            .with_value(|r| (r.ahead() < READ_AHEAD).then(|| r.wants_events()).flatten());
        let Some(after) = after else { return };
        if self.reading_ahead.get_value() {
            return;
        }
        self.reading_ahead.set_value(true);
        spawn_local(async move {
            if let Err(e) = self.read_events(after).await {
                self.error.try_set(Some(e));
                self.playing.try_set(None);
            }
            self.reading_ahead.try_set_value(false);
        });
    }
}

/// `t` in RFC 3339 to the microsecond, as the log records it: the browser's own formatting stops
/// at the millisecond, which could name a moment just before the event meant, and chrono's
/// formatter would cost the program app's wasm more than these lines.
fn instant(t: DateTime<Utc>) -> String {
    let iso = String::from(
        js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64))
            .to_iso_string(),
    );
    format!(
        "{}.{:06}Z",
        iso.get(..19).unwrap_or_default(),
        t.timestamp_subsec_micros()
    )
}

/// Where `at` falls on the track, in thousandths.
fn offset(first: TrackPoint, last: TrackPoint, at: DateTime<Utc>) -> i64 {
    let span = (last.at - first.at).num_seconds().max(1);
    ((at - first.at).num_seconds() * 1000 / span).clamp(0, 1000)
}

/// A step the reader can take.
#[derive(Clone, Copy)]
enum Step {
    Back(i64),
    BackEvent,
    NextEvent,
    Forward(i64),
}

/// The scrubber's controls, once the track is read.
#[component]
pub(super) fn Scrubber(scrub: Scrub) -> impl IntoView {
    let id = scrub.page.id;
    // Read once, like the other views the page reads beside its own (`components/reread.rs`).
    let track = RwSignal::new(None);
    spawn_local(async move {
        track.try_set(Some(api::history_track(id).await));
    });
    move || match track.get() {
        None => view! { <p class="scrubber muted">"Loading the program's history…"</p> }.into_any(),
        Some(Err(e)) => {
            view! { <p class="scrubber field-error" role="alert">{e.message}</p> }.into_any()
        }
        Some(Ok(track)) => view! { <Controls scrub track/> }.into_any(),
    }
}

#[component]
fn Controls(scrub: Scrub, track: HistoryTrack) -> impl IntoView {
    let cursor = scrub.page.cursor;
    let (first, last) = (track.first, track.last);
    let value = move || scrub.at.get().map_or(1000, |at| offset(first, last, at));
    let marks = track
        .marks
        .iter()
        .map(|m| {
            let o = offset(first, last, m.at);
            view! {
                <span class=format!("scrub-mark mark-{}", m.kind.key())
                    style=format!("left:{}.{}%", o / 10, o % 10)
                    title=format!("#{}: {}", m.position, m.text) data-kind=m.kind.key()
                    data-position=m.position></span>
            }
        })
        .collect_view();
    let span = (last.at - first.at).num_seconds().max(1);
    let on_input = move |ev: leptos::ev::Event| {
        let thousandths: i64 = event_target_value(&ev).parse().unwrap_or(1000);
        // The end is the latest event, whatever the fractions of a second.
        scrub.user(Move::To(if thousandths >= 1000 {
            Target::Position(last.position)
        } else {
            Target::Time(first.at + Duration::seconds(span * thousandths / 1000))
        }));
    };
    let run = move |step: Step| {
        let by = |days: i64| {
            let from = scrub.at.get_untracked().unwrap_or(last.at);
            Move::To(Target::Time(
                (from + Duration::days(days)).clamp(first.at, last.at),
            ))
        };
        scrub.user(match step {
            Step::Back(days) => by(-days),
            Step::Forward(days) => by(days),
            Step::BackEvent => Move::To(scrub.replay.with_value(Replay::previous)),
            Step::NextEvent => Move::Next,
        });
    };
    let at_start = Signal::derive(move || cursor.get() <= first.position);
    let at_end = Signal::derive(move || cursor.get() >= last.position);
    let button = move |step: Step, label: &'static str, testid: &'static str| {
        let disabled = match step {
            Step::Back(_) | Step::BackEvent => at_start,
            Step::NextEvent | Step::Forward(_) => at_end,
        };
        view! {
            <button type="button" class="btn btn-secondary" data-testid=testid
                disabled=move || disabled.get() on:click=move |_| run(step)>{label}</button>
        }
    };
    let speed = RwSignal::new(DEFAULT_SPEED);
    view! {
        <section class="card scrubber" aria-label="History" data-testid="scrubber"
            data-cursor=move || cursor.get() data-steps=move || scrub.steps.get()>
            <div class="scrub-head">
                <strong>"History"</strong>
                <span class="scrub-where" data-testid="scrub-where">
                    {move || match scrub.at.get() {
                        Some(at) => format!("#{} · {}", cursor.get(), time::date_time(&at)),
                        None => format!("#{}", cursor.get()),
                    }}
                </span>
                <span class="muted">
                    {format!("{} events from {} to {}", track.events, time::date_time(&first.at), time::date_time(&last.at))}
                </span>
            </div>
            <div class="scrub-track">
                <div class="scrub-marks" aria-hidden="true">{marks}</div>
                <input type="range" min="0" max="1000" step="1" data-testid="scrub-range"
                    aria-label="Moment shown" prop:value=move || value().to_string()
                    aria-valuetext=move || scrub.at.get().map(|at| time::date_time(&at)).unwrap_or_default()
                    on:input=on_input/>
            </div>
            <div class="scrub-controls">
                {button(Step::Back(7), "− Week", "scrub-back-week")}
                {button(Step::Back(1), "− Day", "scrub-back-day")}
                {button(Step::BackEvent, "− Event", "scrub-back")}
                <button type="button" class="btn btn-primary"
                    data-testid=move || if scrub.playing.get().is_some() { "scrub-pause" } else { "scrub-play" }
                    disabled=move || scrub.playing.get().is_none() && at_end.get()
                    on:click=move |_| {
                        if scrub.playing.get_untracked().is_some() {
                            scrub.playing.set(None);
                            scrub.settle(true);
                        } else {
                            scrub.play(speed.get_untracked());
                        }
                    }>
                    {move || if scrub.playing.get().is_some() { "Pause" } else { "Play" }}
                </button>
                {button(Step::NextEvent, "+ Event", "scrub-next")}
                {button(Step::Forward(1), "+ Day", "scrub-next-day")}
                {button(Step::Forward(7), "+ Week", "scrub-next-week")}
                <label class="scrub-speed">
                    "Speed "
                    <select data-testid="scrub-speed" on:change=move |ev| {
                        if let Ok(rate) = event_target_value(&ev).parse::<u32>() {
                            speed.set(rate);
                            if scrub.playing.get_untracked().is_some() { scrub.playing.set(Some(rate)); }
                        }
                    }>
                        {SPEEDS.into_iter().map(|s| view! {
                            <option value=s.to_string() selected=s == DEFAULT_SPEED>{format!("{s} events/s")}</option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <p class="scrub-legend muted" aria-hidden="true">
                <span class="scrub-mark mark-decision"></span>"Decision "
                <span class="scrub-mark mark-slip"></span>"Slip "
                <span class="scrub-mark mark-status"></span>"Status change "
                <span class="scrub-mark mark-risk"></span>"New risk"
            </p>
            {move || scrub.error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </section>
    }
}
