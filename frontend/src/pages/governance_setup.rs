//! `/programs/:id/governance/setup` (administration app): the program manager establishes forums,
//! sets the decision rights and the escalation path. The governance tab's "Set up governance"
//! leads here; what is set shows on that tab, live.

use leptos::prelude::*;
use throughline_shared::ProgramId;

use crate::api::{self};
use crate::components::governance::GovernanceSetup;
use crate::pages::not_found::{ProgramReadFailed, program_page};

#[component]
pub fn GovernanceSetupPage() -> impl IntoView {
    program_page(|id| view! { <Setup id/> })
}

#[component]
fn Setup(id: ProgramId) -> impl IntoView {
    let program = LocalResource::new(move || async move {
        let name = api::get_program(id, None).await.map(|v| v.name);
        if let Ok(name) = &name
            && let Some(document) = web_sys::window().and_then(|w| w.document())
        {
            document.set_title(&format!("Governance setup · {name} · Throughline"));
        }
        name
    });
    let name = move || {
        program.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .cloned()
                .unwrap_or_default()
        })
    };
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}") rel="external">{name}</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}/governance") rel="external" data-testid="back-to-governance">
                "Governance"
            </a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Setup"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Set up governance"</h1>
                <p class="lede">
                    "The forums that decide, which decisions each may take, and the path an escalation climbs. \
                     Every change is an event in the program's log; decisions raised from now on are routed by it."
                </p>
            </div>
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the program…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ProgramReadFailed errors title="Could not load the program"/> }>
                {move || program.with(|p| p.as_ref().map(|p| p.as_ref().map(|_| ()).map_err(Clone::clone)))}
                <GovernanceSetup program_id=id/>
            </ErrorBoundary>
        </Transition>
    }
}
