//! Plan files and feeds, on their own page of the administration app (`pages/plan_files.rs`):
//! importing an MS Project plan or an edited CSV export, and a private calendar address for the
//! milestones. Rare next to the schedule's daily changes, so their code stays out of the program
//! app's wasm.

use leptos::ev::MouseEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::access::TokenScope;
use throughline_shared::api::{CreateTokenRequest, ImportReport};
use throughline_shared::view::ProgramView;
use web_sys::Event;

use crate::api::{self, ApiError, CsvTable};
use crate::components::feedback::{ErrorDetails, FormError};

/// The text of the file chosen in a file input (and the input cleared, so choosing the same file
/// again, say after fixing it, imports it again).
async fn chosen_file(ev: &Event) -> Option<Result<String, ApiError>> {
    let input = event_target::<web_sys::HtmlInputElement>(ev);
    let file = input.files()?.get(0)?;
    input.set_value("");
    let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
    Some(
        text.ok()
            .and_then(|t| t.as_string())
            .ok_or_else(|| ApiError::local("unreadable_file", "The file could not be read.")),
    )
}

/// An MS Project plan as a new project, or an edited CSV export of the milestones or the
/// dependencies. Either all of a file is imported or, on any problem, none of it.
#[component]
pub fn ImportForm(
    program_id: ProgramId,
    adds_projects: Memo<bool>,
    schedules: Memo<bool>,
) -> impl IntoView {
    let table = RwSignal::new(CsvTable::Milestones);
    let report = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // The last CSV sent, for confirming the projects it would create.
    let last_csv = StoredValue::new(None::<(CsvTable, String)>);
    // A plan is previewed first: what it would add and skip, imported on confirmation.
    let by_summaries = RwSignal::new(false);
    let last_plan = StoredValue::new(None::<String>);
    let plan_preview = RwSignal::new(None::<ImportReport>);
    let send = move |file: FileKind, table: CsvTable, text: String, create: bool| {
        match file {
            FileKind::Csv => last_csv.set_value(Some((table, text.clone()))),
            FileKind::Plan if !create => {
                last_plan.set_value(Some(text.clone()));
                spawn_local(async move {
                    pending.try_set(true);
                    let result = api::import_mspdi(
                        program_id,
                        text,
                        by_summaries.try_get_untracked().unwrap_or(false),
                        true,
                    )
                    .await;
                    pending.try_set(false);
                    match result {
                        Ok(preview) => {
                            plan_preview.try_set(Some(preview));
                        }
                        Err(e) => {
                            error.try_set(Some(e));
                        }
                    }
                });
                return;
            }
            FileKind::Plan => plan_preview.set(None),
        }
        // For a plan: how its tasks are grouped; for a CSV: the projects confirmed.
        let flag = match file {
            FileKind::Plan => by_summaries.try_get_untracked().unwrap_or(false),
            FileKind::Csv => create,
        };
        spawn_local(async move {
            pending.try_set(true);
            let result = send_file(program_id, file, table, text, flag).await;
            pending.try_set(false);
            match result {
                Ok(done) => {
                    report.try_set(Some(done));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let import_plan = move |_| {
        if let Some(text) = last_plan.get_value() {
            error.set(None);
            send(FileKind::Plan, CsvTable::Milestones, text, true);
        }
    };
    let confirm = move |_| {
        if let Some((table, text)) = last_csv.get_value() {
            error.set(None);
            send(FileKind::Csv, table, text, true);
        }
    };
    let import = move |ev: Event, file: FileKind| {
        let table = table.get_untracked();
        report.set(None);
        error.set(None);
        spawn_local(async move {
            let Some(text) = chosen_file(&ev).await else {
                return;
            };
            let text = match text {
                Ok(text) => text,
                Err(e) => {
                    error.try_set(Some(e));
                    return;
                }
            };
            send(file, table, text, false);
        });
    };
    let asks_projects =
        move || error.with(|e| e.as_ref().is_some_and(|e| e.code == "projects_to_create"));

    view! {
        <div class="card inline-form" data-testid="import-form">
            <h3 class="form-title">"Import"</h3>
            <Show when=move || adds_projects.get()>
                <div class="field">
                    <label for="import-mspdi">"An MS Project plan"</label>
                    <p class="form-note" id="import-mspdi-note">
                        "Save the plan as XML in MS Project. Its tasks come in as milestones and deliverables \
                         with their baselines, current dates and actual finishes; its links (also to plans \
                         imported before) become dependencies. You see what it would do first; a plan \
                         imported again updates the tasks it brought."
                    </p>
                    <label class="checkbox">
                        <input type="checkbox" data-testid="import-by-summaries"
                            prop:checked=move || by_summaries.get()
                            on:change=move |ev| by_summaries.set(event_target_checked(&ev))/>
                        <span>"A project for each top-level summary task"</span>
                    </label>
                    <input type="file" id="import-mspdi" accept=".xml,application/xml,text/xml"
                        data-testid="import-file" aria-describedby="import-mspdi-note"
                        disabled=move || pending.get()
                        on:change=move |ev| import(ev, FileKind::Plan)/>
                </div>
                {move || plan_preview.get().map(|p| view! {
                    <div class="plan-preview" data-testid="plan-preview" role="status">
                        <p>{format!(
                            "The plan would add {} tasks ({} deliverables), update {} and propose {} dependencies.",
                            p.milestones, p.deliverables, p.updated, p.dependencies
                        )}</p>
                        {(!p.projects_created.is_empty()).then(|| view! {
                            <p>{format!("New projects: {}.", p.projects_created.join(", "))}</p>
                        })}
                        <ul>
                            {p.skipped.iter().chain(&p.warnings).map(|s| view! { <li>"Not imported: "{s.clone()}</li> }).collect_view()}
                        </ul>
                        <button type="button" class="btn btn-primary" data-testid="import-plan-confirm"
                            disabled=move || pending.get() on:click=import_plan>
                            "Import the plan"
                        </button>
                    </div>
                })}
            </Show>
            <Show when=move || schedules.get()>
                <div class="field-row">
                    <div class="field">
                        <label for="import-csv-table">"An edited CSV export of"</label>
                        <select id="import-csv-table" data-testid="import-csv-table"
                            on:change=move |ev| table.set(if event_target_value(&ev) == "dependencies" {
                                CsvTable::Dependencies
                            } else {
                                CsvTable::Milestones
                            })>
                            <option value="milestones"
                                prop:selected=move || table.get() == CsvTable::Milestones>
                                "the milestones"
                            </option>
                            <option value="dependencies"
                                prop:selected=move || table.get() == CsvTable::Dependencies>
                                "the dependencies"
                            </option>
                        </select>
                    </div>
                    <div class="field">
                        <label for="import-csv">"CSV file"</label>
                        <input type="file" id="import-csv" accept=".csv,text/csv"
                            data-testid="import-csv-file" aria-describedby="import-csv-note"
                            disabled=move || pending.get()
                            on:change=move |ev| import(ev, FileKind::Csv)/>
                    </div>
                </div>
                <p class="form-note" id="import-csv-note">
                    "The export's own columns, of this program or another: a row changes the milestone \
                     (forecast, actual, first baseline) or dependency (need-by date) with its id or, \
                     failing that, its project and name, and adds or proposes it when there is none. \
                     Projects are matched by name; missing ones are created once you confirm."
                </p>
            </Show>
            <p class="form-note">"A file with any error imports nothing."</p>
            <p class="form-note" role="status" data-testid="import-report">
                {move || if pending.get() { Some("Importing…".to_string()) } else { report.get() }}
            </p>
            {move || error.get().map(|error| view! {
                <div class="form-error" role="alert" data-testid="form-error">
                    <ErrorDetails error/>
                </div>
            })}
            {move || asks_projects().then(|| view! {
                <button type="button" class="btn btn-primary" data-testid="import-create-projects"
                    disabled=move || pending.get() on:click=confirm>
                    "Create these projects and import"
                </button>
            })}
        </div>
    }
}

#[derive(Clone, Copy)]
enum FileKind {
    /// An MS Project XML plan.
    Plan,
    /// A CSV export of the table chosen.
    Csv,
}

/// Imports a file; what it did, in words. `flag`: a plan's grouping by summary tasks, or a CSV's
/// projects confirmed.
async fn send_file(
    program_id: ProgramId,
    file: FileKind,
    table: CsvTable,
    text: String,
    flag: bool,
) -> Result<String, ApiError> {
    Ok(match file {
        FileKind::Plan => {
            let r = api::import_mspdi(program_id, text, flag, false).await?;
            format!(
                "Imported {} tasks ({} updated) and {} dependencies. {}",
                r.milestones,
                r.updated,
                r.dependencies,
                r.warnings.join(" ")
            )
        }
        FileKind::Csv => {
            let r = api::import_csv(program_id, table, text, flag).await?;
            format!(
                "Imported: {} created, {} updated, {} unchanged.",
                r.created, r.updated, r.unchanged
            )
        }
    })
}

/// A private calendar address: a read-only token for this program, shown once.
#[component]
pub fn CalendarForm(program_id: ProgramId, view: RwSignal<Option<ProgramView>>) -> impl IntoView {
    let url = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let create = move |_: MouseEvent| {
        if pending.get_untracked() {
            return;
        }
        let name = view.with_untracked(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
        let request = CreateTokenRequest {
            name: format!("Calendar: {name}"),
            scope: TokenScope::ReadOnly,
            program_id: Some(program_id),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::create_token(&request).await;
            pending.try_set(false);
            match result {
                Ok(created) => {
                    let origin = web_sys::window()
                        .and_then(|w| w.location().origin().ok())
                        .unwrap_or_default();
                    url.try_set(Some(format!(
                        "{origin}/api/programs/{program_id}/calendar.ics?token={}",
                        created.secret
                    )));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="card inline-form" data-testid="calendar-form">
            <h3 class="form-title">"Milestones in your calendar"</h3>
            <p class="form-note">
                "A private address for calendar apps (one all-day event per milestone, moving with its \
                 forecast). It carries a read-only key for this program only; revoke it on your account \
                 page to stop the feed."
            </p>
            {move || match url.get() {
                Some(url) => view! {
                    <input type="text" class="mono wide" readonly data-testid="calendar-url"
                        aria-label="Calendar address" value=url/>
                    <p class="form-note">"Copy it now: it is shown only once."</p>
                }
                .into_any(),
                None => view! {
                    <button type="button" class="btn btn-primary" data-testid="create-calendar-url"
                        disabled=move || pending.get() on:click=create>
                        "Create a calendar address"
                    </button>
                }
                .into_any(),
            }}
            <FormError error/>
        </div>
    }
}
