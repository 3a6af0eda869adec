use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use throughline_shared::ProgramId;

use crate::api::ApiError;
use crate::components::feedback::{ReadFailed, api_errors};

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

/// What the `ErrorBoundary` around a program's page of the administration app shows: "program
/// not found" when the program is not there (or not the reader's to see), else what failed.
#[component]
pub fn ProgramReadFailed(errors: ArcRwSignal<Errors>, title: &'static str) -> impl IntoView {
    move || {
        if errors.with(|e| api_errors(e).iter().any(ApiError::is_not_found)) {
            view! { <ProgramNotFound/> }.into_any()
        } else {
            view! { <ReadFailed errors=errors.clone() title/> }.into_any()
        }
    }
}

/// A page of one program (`/programs/:id/…`): `page` for the id in the path, "not found" for an
/// id that is not one.
pub fn program_page<V: IntoView + 'static>(page: fn(ProgramId) -> V) -> impl IntoView {
    let params = use_params_map();
    move || match params
        .read()
        .get("id")
        .and_then(|id| id.parse::<ProgramId>().ok())
    {
        Some(id) => page(id).into_any(),
        None => view! { <NotFound/> }.into_any(),
    }
}
