use leptos::prelude::*;

use crate::live::LiveStatus;

/// A small "Live" / "Reconnecting…" badge showing the state of the live stream.
#[component]
pub fn LiveIndicator(status: RwSignal<LiveStatus>) -> impl IntoView {
    view! {
        <span
            class=move || format!("live-indicator live-{}", status.get().as_str())
            data-testid="live-indicator"
            data-state=move || status.get().as_str()
            role="status"
            aria-live="polite"
            title=move || match status.get() {
                LiveStatus::Live => "Changes by others appear here as they happen",
                LiveStatus::Connecting => "Connecting to the live stream",
                LiveStatus::Reconnecting => "Connection lost; reconnecting without missing changes",
            }
        >
            <span class="live-dot" aria-hidden="true"></span>
            {move || status.get().label()}
        </span>
    }
}
