//! The program's phase and scope: what is in, what is out, and why. Recorded by the program
//! manager through the API (`POST /api/programs/{id}/phase`, `…/scope`); shown here to everyone,
//! live and as of any past moment like the rest of the page.

use leptos::prelude::*;
use throughline_shared::scope::ProgramPhase;
use throughline_shared::view::ProgramView;

#[component]
pub fn ScopePanel(view: RwSignal<Option<ProgramView>>) -> impl IntoView {
    let items = move || {
        view.with(|v| {
            v.as_ref()
                .map(|v| v.scope.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|item| {
                    view! {
                        <li class=if item.in_scope { "scope-item in" } else { "scope-item out" }
                            data-testid="scope-item" data-in-scope=item.in_scope.to_string()>
                            <span class="scope-tag">{if item.in_scope { "In" } else { "Out" }}</span>
                            <strong>{item.title}</strong>
                            <span class="muted">{item.rationale}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let phase = move || view.with(|v| v.as_ref().and_then(|v| v.phase));
    let empty = move || view.with(|v| v.as_ref().is_none_or(|v| v.scope.is_empty()));
    view! {
        <div class="scope-block" data-testid="scope-panel">
            <h2 class="panel-title">"Phase and scope"</h2>
            <p class="phase-line">
                <span class="pill" data-testid="program-phase">
                    {move || phase().map_or("No phase set", ProgramPhase::label)}
                </span>
                {move || empty().then(|| view! { <span class="muted">"No scope recorded yet."</span> })}
            </p>
            <ul class="scope-list">{items}</ul>
        </div>
    }
}
