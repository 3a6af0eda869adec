//! A program's strategic objectives as the program manager keeps them: added, restated (title,
//! KPI, target value and date) and retired, each with its reason; the projects contributing to
//! each. Where the decision rights give objective changes to a forum, a change is raised there
//! as a decision instead. The program page's objectives tab shows them, live.

use leptos::prelude::*;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{CommandAccepted, ObjectiveEntry, ObjectivesResponse};
use throughline_shared::view::ProgramView;
use throughline_shared::{ObjectiveId, ProgramId};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::objective_form::{ObjectiveEdit, ObjectiveForm};
use crate::dates;
use crate::pages::not_found::{ProgramReadFailed, program_page};

#[component]
pub fn ObjectivesPage() -> impl IntoView {
    program_page(|id| view! { <Objectives id/> })
}

/// The objectives with their versions, and the program (its name, its projects' contributions).
#[derive(Clone, Debug, PartialEq)]
struct Loaded {
    objectives: ObjectivesResponse,
    program: ProgramView,
}

type ObjectivesRead = LocalResource<Result<Loaded, ApiError>>;

fn target_words(o: &throughline_shared::program::StrategicObjective) -> String {
    match (&o.target_value, o.target_date) {
        (Some(value), Some(date)) => format!("{value} by {}", dates::day_month_year(date)),
        (Some(value), None) => value.clone(),
        (None, Some(date)) => format!("By {}", dates::day_month_year(date)),
        (None, None) => "No target set".into(),
    }
}

#[component]
fn Objectives(id: ProgramId) -> impl IntoView {
    let auth = use_auth();
    let read: ObjectivesRead = LocalResource::new(move || async move {
        let read = Loaded {
            objectives: api::objectives(id).await?,
            program: api::get_program(id, None).await?,
        };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&format!(
                "Objectives of {} · Throughline",
                read.program.name
            ));
        }
        Ok(read)
    });
    let can_manage = Memo::new(move |_| auth.can(id, ProgramAction::Edit));
    let notice = RwSignal::new(None::<String>);
    let changed = Callback::new(move |_: CommandAccepted| {
        notice.set(Some("Objectives updated.".into()));
        read.refetch();
    });
    let raised = Callback::new(move |message: String| notice.set(Some(message)));
    let adding = RwSignal::new(false);
    let name = move || {
        read.with(|r| match r {
            Some(Ok(r)) => r.program.name.clone(),
            _ => String::new(),
        })
    };
    let ids = move || {
        read.with(|r| match r {
            Some(Ok(r)) => r
                .objectives
                .objectives
                .iter()
                .map(|e| e.objective.objective_id)
                .collect(),
            _ => Vec::new(),
        })
    };
    let retired = move || {
        read.with(|r| match r {
            Some(Ok(r)) => r.objectives.retired.clone(),
            _ => Vec::new(),
        })
    };
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}/objectives") rel="external">{name}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Objectives"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Strategic objectives"</h1>
                <p class="lede">
                    {move || if can_manage.get() {
                        "Add an objective, restate its KPI, target or date, or retire it — each with its reason, in the audit trail. Where the decision rights give objective changes to a forum, a change goes there as a decision."
                    } else {
                        "What the program exists to achieve, and the projects that contribute. Only program managers change them."
                    }}
                </p>
            </div>
            <Show when=move || can_manage.get() && !adding.get()>
                <button type="button" class="btn btn-primary" data-testid="add-objective"
                    on:click=move |_| adding.set(true)>
                    "Add objective"
                </button>
            </Show>
        </div>
        {move || notice.get().map(|n| view! {
            <p class="banner banner-ok" role="status" data-testid="objectives-notice">{n}</p>
        })}
        {move || adding.get().then(|| view! {
            <section class="card" aria-label="Add an objective">
                <h2 class="form-title">"Add an objective"</h2>
                <ObjectiveForm program_id=id edit=ObjectiveEdit::Add on_accepted=changed
                    on_close=Callback::new(move |()| adding.set(false)) on_raised=raised/>
            </section>
        })}
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading objectives…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ProgramReadFailed errors title="Could not load the objectives"/> }>
                {move || read.with(|r| r.as_ref().map(|r| r.as_ref().map(|_| ()).map_err(Clone::clone)))}
                <div class="table-wrap card">
                    <table class="data-table" data-testid="objectives-table">
                        <thead>
                            <tr>
                                <th scope="col">"Objective"</th>
                                <th scope="col">"Target"</th>
                                <th scope="col">"Contributing projects"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr>
                        </thead>
                        <For each=ids key=|o: &ObjectiveId| *o let:objective_id>
                            <ObjectiveRow id read objective_id can_manage changed raised/>
                        </For>
                    </table>
                </div>
                {move || {
                    let retired = retired();
                    (!retired.is_empty()).then(|| view! {
                        <section class="card retired-objectives" data-testid="retired-objectives">
                            <h2 class="panel-title">"Retired objectives"</h2>
                            <ul>
                                {retired.into_iter().map(|o| view! {
                                    <li data-testid="retired-objective">
                                        <span class="objective-title">{o.title.clone()}</span>
                                        <span class="muted">" — "{target_words(&o)}</span>
                                    </li>
                                }).collect_view()}
                            </ul>
                        </section>
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// Which form a row has open.
#[derive(Clone, Copy, PartialEq)]
enum Open {
    None,
    Revise,
    Retire,
}

/// One objective, keyed: a change re-renders only its row.
#[component]
fn ObjectiveRow(
    id: ProgramId,
    read: ObjectivesRead,
    objective_id: ObjectiveId,
    can_manage: Memo<bool>,
    changed: Callback<CommandAccepted>,
    raised: Callback<String>,
) -> impl IntoView {
    let row = Memo::new(move |_| {
        read.with(|r| match r {
            Some(Ok(r)) => r
                .objectives
                .objectives
                .iter()
                .find(|e| e.objective.objective_id == objective_id)
                .map(|entry| {
                    let contributors: Vec<String> = r
                        .program
                        .projects
                        .iter()
                        .filter(|p| p.objectives.contains(&objective_id))
                        .map(|p| p.name.clone())
                        .collect();
                    (entry.clone(), contributors)
                }),
            _ => None,
        })
    });
    let open = RwSignal::new(Open::None);
    let close = Callback::new(move |()| open.set(Open::None));
    let text = move |f: fn(&(ObjectiveEntry, Vec<String>)) -> String| {
        move || row.with(|r| r.as_ref().map(f).unwrap_or_default())
    };
    let toggle =
        move |which: Open| open.update(|o| *o = if *o == which { Open::None } else { which });
    view! {
        <tbody>
            <tr data-testid="objective-row" data-objective-id=objective_id.to_string()>
                <th scope="row">
                    <div class="objective-title">{text(|(e, _)| e.objective.title.clone())}</div>
                    <div class="muted">{text(|(e, _)| e.objective.kpi.clone().map(|k| format!("KPI: {k}")).unwrap_or_default())}</div>
                </th>
                <td data-testid="objective-target">{text(|(e, _)| target_words(&e.objective))}</td>
                <td>{text(|(_, c)| if c.is_empty() { "None yet".into() } else { c.join(", ") })}</td>
                <td class="col-actions">
                    <Show when=move || can_manage.get()>
                        <div class="row-actions">
                            <button type="button" class="btn btn-secondary btn-small" data-testid="revise-objective"
                                aria-expanded=move || (open.get() == Open::Revise).to_string()
                                on:click=move |_| toggle(Open::Revise)>
                                "Revise"
                                <span class="visually-hidden">{text(|(e, _)| format!(" {}", e.objective.title))}</span>
                            </button>
                            <button type="button" class="btn btn-ghost btn-small" data-testid="retire-objective"
                                aria-expanded=move || (open.get() == Open::Retire).to_string()
                                on:click=move |_| toggle(Open::Retire)>
                                "Retire"
                                <span class="visually-hidden">{text(|(e, _)| format!(" {}", e.objective.title))}</span>
                            </button>
                        </div>
                    </Show>
                </td>
            </tr>
            // Opened with the objective as it was: a change elsewhere meanwhile is a conflict.
            {move || {
                let which = open.get();
                (which != Open::None).then(|| untrack(|| row.get().map(|(entry, _)| {
                    let edit = if which == Open::Retire {
                        ObjectiveEdit::Retire(entry)
                    } else {
                        ObjectiveEdit::Revise(entry)
                    };
                    view! {
                        <tr class="form-row">
                            <td colspan="4">
                                <ObjectiveForm program_id=id edit on_accepted=changed on_close=close on_raised=raised/>
                            </td>
                        </tr>
                    }
                })))
            }}
        </tbody>
    }
}
