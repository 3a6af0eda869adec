//! A program's audit trail as a page of its own (in the administration app, which the server
//! loads for it): every event with who, when, why and what caused it, filtered, paged, checked
//! against the hash chain and exported; as of any moment, like the program's other views.

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use throughline_shared::ProgramId;
use throughline_shared::view::ProgramView;

use crate::api::{self, AsOf};
use crate::components::audit::AuditTab;
use crate::pages::not_found::NotFound;

#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    // The filters live in the query too: only another program or moment makes a new page (a new
    // filter is the trail's own business, and must not drop its reads under way).
    let key = Memo::new(move |_| {
        (
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<ProgramId>().ok()),
            query.read().get("as_of").as_deref().and_then(AsOf::parse),
        )
    });
    move || {
        let (id, as_of) = key.get();
        match id {
            Some(id) => view! { <Audit id as_of/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

#[component]
fn Audit(id: ProgramId, as_of: Option<AsOf>) -> impl IntoView {
    // The program's view names projects and milestones in the trail's sentences.
    let view = RwSignal::new(None::<ProgramView>);
    {
        let as_of = as_of.clone();
        leptos::task::spawn_local(async move {
            if let Ok(v) = api::get_program(id, as_of.as_ref()).await {
                if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                    document.set_title(&format!("Audit trail of {} · Throughline", v.name));
                }
                view.try_set(Some(v));
            }
        });
    }
    let name = move || view.with(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
    let query = as_of
        .as_ref()
        .map(|a| format!("?as_of={}", api::encode(&a.query_value())))
        .unwrap_or_default();
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}{query}") rel="external">{name}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Audit trail"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1 data-testid="program-name">{name}</h1>
            </div>
        </div>
        <nav class="tabs" aria-label="Program views">
            <a href=format!("/programs/{id}{query}") rel="external">"Overview and schedule"</a>
            <a href=format!("/programs/{id}/objectives{query}") rel="external">"Objectives and scope"</a>
            <a href=format!("/programs/{id}/governance{query}") rel="external">"Governance"</a>
            <a href=format!("/programs/{id}/raid{query}") rel="external">"Risks and issues"</a>
            <a href=format!("/programs/{id}/changes")>"What changed"</a>
            <a href=format!("/programs/{id}/briefings")>"Briefings"</a>
            <a href=format!("/programs/{id}/audit{query}") aria-current="page" class="active">"Audit trail"</a>
        </nav>
        <AuditTab program_id=id view as_of/>
    }
}
