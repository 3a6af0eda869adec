//! `/programs/:id/plan-files` (administration app): importing an MS Project plan or an edited CSV
//! export into the program, and a private calendar address for its milestones. The program page's
//! "Import…" and "Calendar feed" lead here; what is imported shows on the program page, live.

use leptos::prelude::*;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::view::ProgramView;

use crate::api::{self};
use crate::auth::use_auth;
use crate::components::plan_files::{CalendarForm, ImportForm};
use crate::pages::not_found::{ProgramReadFailed, program_page};

#[component]
pub fn PlanFilesPage() -> impl IntoView {
    program_page(|id| view! { <PlanFiles id/> })
}

#[component]
fn PlanFiles(id: ProgramId) -> impl IntoView {
    let auth = use_auth();
    let program = LocalResource::new(move || async move {
        let view = api::get_program(id, None).await;
        if let Ok(v) = &view
            && let Some(document) = web_sys::window().and_then(|w| w.document())
        {
            document.set_title(&format!("Import and calendar · {} · Throughline", v.name));
        }
        view
    });
    // The forms read the program (its projects, its name) from here.
    let view = RwSignal::new(None::<ProgramView>);
    Effect::new(move |_| {
        if let Some(Ok(v)) = program.get() {
            view.set(Some(v));
        }
    });
    let adds_projects = Memo::new(move |_| auth.can(id, ProgramAction::AddProject));
    // Whether this user may change the schedule of any of the program's projects.
    let schedules = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref().is_some_and(|v| {
                v.projects
                    .iter()
                    .any(|p| auth.can(id, ProgramAction::ChangeSchedule(p.project_id)))
            })
        })
    });
    let name = move || view.with(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}") rel="external" data-testid="back-to-program">{name}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Import and calendar"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Import and calendar"</h1>
                <p class="lede">
                    "Bring a plan in from MS Project or an edited CSV export — all of a file or none of it — and \
                     follow the milestones from your calendar. What is imported shows on the program page at once."
                </p>
            </div>
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the program…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ProgramReadFailed errors title="Could not load the program"/> }>
                {move || program.with(|p| p.as_ref().map(|p| p.as_ref().map(|_| ()).map_err(Clone::clone)))}
                <Show when=move || adds_projects.get() || schedules.get()
                    fallback=|| view! {
                        <p class="card muted">"Your role in this program does not allow importing into it."</p>
                    }>
                    <ImportForm program_id=id adds_projects schedules/>
                </Show>
                <section id="calendar" aria-label="Calendar feed">
                    <CalendarForm program_id=id view/>
                </section>
            </ErrorBoundary>
        </Transition>
    }
}
