//! The live stream: a WebSocket to `/api/live` that delivers new events as they are recorded.
//!
//! The client subscribes with the position it has already seen. The server answers with batches of
//! events and a `covered` position (everything up to it has been considered). When the socket
//! closes, the client reconnects with backoff and resubscribes after the last covered position, so
//! no event is missed and none needs to be fetched again.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::{TimeoutHandle, set_timeout_with_handle};
use throughline_shared::api::{ClientMessage, ServerMessage};
use throughline_shared::{ProgramId, RecordedEvent};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, Event, MessageEvent, WebSocket};

/// What the connection indicator shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LiveStatus {
    Connecting,
    Live,
    Reconnecting,
}

impl LiveStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LiveStatus::Connecting => "connecting",
            LiveStatus::Live => "live",
            LiveStatus::Reconnecting => "reconnecting",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LiveStatus::Connecting => "Connecting…",
            LiveStatus::Live => "Live",
            LiveStatus::Reconnecting => "Reconnecting…",
        }
    }
}

type EventsCallback = Rc<dyn Fn(Vec<RecordedEvent>, i64)>;
type StatusCallback = Rc<dyn Fn(LiveStatus)>;

struct Inner {
    program_id: Option<ProgramId>,
    /// The position to resume after: the highest `covered` (or event position) seen so far.
    after: i64,
    /// Consecutive failed attempts, for the backoff.
    attempt: u32,
    stopped: bool,
    socket: Option<WebSocket>,
    retry: Option<TimeoutHandle>,
    on_events: EventsCallback,
    on_status: StatusCallback,
    // The JS callbacks of the current socket; kept alive as long as the socket is.
    _on_open: Option<Closure<dyn FnMut(Event)>>,
    _on_message: Option<Closure<dyn FnMut(MessageEvent)>>,
    _on_close: Option<Closure<dyn FnMut(CloseEvent)>>,
}

/// A running subscription; [`LiveSubscription::close`] ends it (and stops reconnecting).
#[derive(Clone)]
pub struct LiveSubscription {
    inner: Rc<RefCell<Inner>>,
}

/// Subscribe to the events of `program_id` (or of every program) after `after`.
pub fn subscribe(
    program_id: Option<ProgramId>,
    after: i64,
    on_events: impl Fn(Vec<RecordedEvent>, i64) + 'static,
    on_status: impl Fn(LiveStatus) + 'static,
) -> LiveSubscription {
    let inner = Rc::new(RefCell::new(Inner {
        program_id,
        after,
        attempt: 0,
        stopped: false,
        socket: None,
        retry: None,
        on_events: Rc::new(on_events),
        on_status: Rc::new(on_status),
        _on_open: None,
        _on_message: None,
        _on_close: None,
    }));
    connect(&inner);
    LiveSubscription { inner }
}

impl LiveSubscription {
    pub fn close(&self) {
        let mut inner = self.inner.borrow_mut();
        inner.stopped = true;
        if let Some(retry) = inner.retry.take() {
            retry.clear();
        }
        if let Some(socket) = inner.socket.take() {
            detach(&socket);
            let _ = socket.close();
        }
        inner._on_open = None;
        inner._on_message = None;
        inner._on_close = None;
    }
}

/// Holds a component's subscription and closes it when the component goes away, including when
/// the subscription only starts after an await that outlived the component.
#[derive(Clone)]
pub struct LiveSlot(send_wrapper::SendWrapper<Rc<RefCell<SlotInner>>>);

#[derive(Default)]
struct SlotInner {
    subscription: Option<LiveSubscription>,
    disposed: bool,
}

impl LiveSlot {
    /// A slot tied to the current reactive owner (the component being built).
    pub fn tied_to_owner() -> Self {
        let slot = LiveSlot(send_wrapper::SendWrapper::new(Rc::default()));
        let for_cleanup = slot.clone();
        leptos::prelude::on_cleanup(move || for_cleanup.dispose());
        slot
    }

    pub fn is_disposed(&self) -> bool {
        self.0.borrow().disposed
    }

    /// Keep `subscription`, closing the previous one (or this one, if the owner is gone).
    pub fn set(&self, subscription: LiveSubscription) {
        let previous = {
            let mut inner = self.0.borrow_mut();
            if inner.disposed {
                Some(subscription)
            } else {
                inner.subscription.replace(subscription)
            }
        };
        if let Some(previous) = previous {
            previous.close();
        }
    }

    fn dispose(&self) {
        let subscription = {
            let mut inner = self.0.borrow_mut();
            inner.disposed = true;
            inner.subscription.take()
        };
        if let Some(subscription) = subscription {
            subscription.close();
        }
    }
}

fn live_url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" {
        "wss"
    } else {
        "ws"
    };
    Some(format!("{scheme}://{}/api/live", location.host().ok()?))
}

fn detach(socket: &WebSocket) {
    socket.set_onopen(None);
    socket.set_onmessage(None);
    socket.set_onclose(None);
    socket.set_onerror(None);
}

/// Delay before reconnect attempt `attempt` (1-based): 0.5 s, 1 s, 2 s, 4 s, then 8 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500 * 2u64.pow(attempt.saturating_sub(1).min(4)))
}

fn connect(inner_rc: &Rc<RefCell<Inner>>) {
    let Some(url) = live_url() else { return };
    let socket = match WebSocket::new(&url) {
        Ok(socket) => socket,
        Err(_) => {
            schedule_reconnect(inner_rc);
            return;
        }
    };

    let weak = Rc::downgrade(inner_rc);
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
        let Some(inner) = weak.upgrade() else { return };
        let (message, socket, on_status) = {
            let mut i = inner.borrow_mut();
            i.attempt = 0;
            let message = ClientMessage::Subscribe {
                program_id: i.program_id,
                after: i.after,
            };
            (message, i.socket.clone(), i.on_status.clone())
        };
        if let (Some(socket), Ok(text)) = (socket, serde_json::to_string(&message)) {
            let _ = socket.send_with_str(&text);
        }
        on_status(LiveStatus::Live);
    });

    let weak = Rc::downgrade(inner_rc);
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        let Some(inner) = weak.upgrade() else { return };
        let Some(text) = e.data().as_string() else {
            return;
        };
        match serde_json::from_str::<ServerMessage>(&text) {
            Ok(ServerMessage::Events { events, covered }) => {
                let on_events = {
                    let mut i = inner.borrow_mut();
                    if i.stopped {
                        return;
                    }
                    let last = events.iter().map(|e| e.position).max().unwrap_or(0);
                    i.after = i.after.max(covered).max(last);
                    i.on_events.clone()
                };
                on_events(events, covered);
            }
            Ok(ServerMessage::Error { message }) => {
                leptos::logging::warn!("live stream error: {message}");
            }
            Err(err) => leptos::logging::warn!("unreadable live message: {err}"),
        }
    });

    let weak = Rc::downgrade(inner_rc);
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |_: CloseEvent| {
        if let Some(inner) = weak.upgrade() {
            schedule_reconnect(&inner);
        }
    });

    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));

    let mut inner = inner_rc.borrow_mut();
    if let Some(old) = inner.socket.replace(socket) {
        detach(&old);
        let _ = old.close();
    }
    inner._on_open = Some(on_open);
    inner._on_message = Some(on_message);
    inner._on_close = Some(on_close);
}

fn schedule_reconnect(inner_rc: &Rc<RefCell<Inner>>) {
    let (delay, on_status) = {
        let mut inner = inner_rc.borrow_mut();
        if inner.stopped {
            return;
        }
        if let Some(socket) = inner.socket.take() {
            detach(&socket);
        }
        inner.attempt += 1;
        (backoff(inner.attempt), inner.on_status.clone())
    };
    on_status(LiveStatus::Reconnecting);
    let weak = Rc::downgrade(inner_rc);
    let handle = set_timeout_with_handle(
        move || {
            if let Some(inner) = weak.upgrade() {
                inner.borrow_mut().retry = None;
                if !inner.borrow().stopped {
                    connect(&inner);
                }
            }
        },
        delay,
    )
    .ok();
    inner_rc.borrow_mut().retry = handle;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_eight_seconds() {
        let delays: Vec<u64> = (1..=7).map(|a| backoff(a).as_millis() as u64).collect();
        assert_eq!(delays, vec![500, 1000, 2000, 4000, 8000, 8000, 8000]);
    }
}
