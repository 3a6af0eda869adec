use leptos::prelude::*;
use leptos_router::components::A;
use throughline_shared::ProgramId;

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <section class="empty-state not-found" data-testid="not-found">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address. It may have been mistyped."</p>
            <A href="/" attr:class="btn btn-primary">"Go to all programs"</A>
        </section>
    }
}

/// A program id that does not exist (or did not exist yet at the chosen point in history).
#[component]
pub fn ProgramNotFound(
    /// Set when viewing history: the program exists now, just not at the chosen point.
    #[prop(default = None)]
    live_id: Option<ProgramId>,
) -> impl IntoView {
    let in_history = live_id.is_some();
    view! {
        <section class="empty-state not-found" data-testid="not-found">
            <h1>{if in_history { "Not created yet" } else { "Program not found" }}</h1>
            <p>
                {if in_history {
                    "This program did not exist yet at the chosen point in history."
                } else {
                    "No program has this address. It may have been mistyped, or the link is wrong."
                }}
            </p>
            {match live_id {
                Some(id) => view! {
                    <A href=format!("/programs/{id}") attr:class="btn btn-primary"
                        attr:data-testid="back-to-live">
                        "Back to live"
                    </A>
                }
                .into_any(),
                None => view! {
                    <A href="/" attr:class="btn btn-primary">"Go to all programs"</A>
                }
                .into_any(),
            }}
        </section>
    }
}
