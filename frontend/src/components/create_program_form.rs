//! Create a program: name, sponsor, description and any number of strategic objectives.

use chrono::NaiveDate;
use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use throughline_shared::FieldError;
use throughline_shared::api::CreateProgramRequest;
use throughline_shared::program::ObjectiveDraft;

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid};

#[derive(Clone, Copy)]
struct ObjectiveRow {
    key: usize,
    title: RwSignal<String>,
    kpi: RwSignal<String>,
    target_value: RwSignal<String>,
    target_date: RwSignal<String>,
}

impl ObjectiveRow {
    fn new(key: usize) -> Self {
        Self {
            key,
            title: RwSignal::new(String::new()),
            kpi: RwSignal::new(String::new()),
            target_value: RwSignal::new(String::new()),
            target_date: RwSignal::new(String::new()),
        }
    }
}

fn optional(value: String) -> Option<String> {
    let value = value.trim().to_string();
    (!value.is_empty()).then_some(value)
}

#[component]
pub fn CreateProgramForm(on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let sponsor = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let next_key = StoredValue::new(1usize);
    let rows = RwSignal::new(vec![ObjectiveRow::new(0)]);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let name_ref = NodeRef::<html::Input>::new();
    let navigate = use_navigate();

    Effect::new(move |_| {
        if let Some(input) = name_ref.get() {
            let _ = input.focus();
        }
    });

    let add_row = move |_| {
        let key = next_key.get_value();
        next_key.set_value(key + 1);
        rows.update(|r| r.push(ObjectiveRow::new(key)));
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        // A row left completely empty is not an objective; drop it so the server's field indexes
        // (`objectives[i].title`) match the rows on screen.
        rows.update(|r| {
            r.retain(|row| {
                [row.title, row.kpi, row.target_value, row.target_date]
                    .iter()
                    .any(|s| !s.get_untracked().trim().is_empty())
            })
        });
        let mut date_errors = Vec::new();
        let objectives: Vec<ObjectiveDraft> = rows
            .get_untracked()
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                let date_text = r.target_date.get_untracked();
                let target_date = match date_text.trim() {
                    "" => None,
                    text => match text.parse::<NaiveDate>() {
                        Ok(date) => Some(date),
                        Err(_) => {
                            date_errors.push(FieldError::new(
                                format!("objectives[{i}].target_date"),
                                "must be a date",
                            ));
                            None
                        }
                    },
                };
                ObjectiveDraft {
                    title: r.title.get_untracked(),
                    kpi: optional(r.kpi.get_untracked()),
                    target_value: optional(r.target_value.get_untracked()),
                    target_date,
                }
            })
            .collect();
        if !date_errors.is_empty() {
            error.set(Some(ApiError {
                status: 0,
                code: "validation_failed".into(),
                message: "Some fields need attention.".into(),
                fields: date_errors,
                current_version: None,
                rows: Vec::new(),
            }));
            return;
        }
        let request = CreateProgramRequest {
            name: name.get_untracked(),
            description: description.get_untracked(),
            sponsor: sponsor.get_untracked(),
            objectives,
        };
        pending.set(true);
        error.set(None);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = api::create_program(&request).await;
            pending.set(false);
            match result {
                Ok(accepted) => {
                    navigate(
                        &format!("/programs/{}", accepted.program_id),
                        Default::default(),
                    );
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            on_close.run(());
        }
    };

    view! {
        <form class="card create-form" data-testid="create-program-form" on:submit=on_submit
            on:keydown=on_keydown novalidate=true aria-labelledby="create-program-title">
            <h2 id="create-program-title" class="form-title">"New program"</h2>
            <div class="field-row">
                <div class="field">
                    <label for="program-name">"Name"</label>
                    <input type="text" id="program-name" data-testid="program-name"
                        node_ref=name_ref bind:value=name aria-required="true"
                        placeholder="e.g. Payments modernisation"
                        aria-invalid=move || invalid(error, "name")
                        aria-describedby="program-name-error"/>
                    <FieldMessage error field="name" id="program-name-error"/>
                </div>
                <div class="field">
                    <label for="program-sponsor">"Sponsor"</label>
                    <input type="text" id="program-sponsor" data-testid="program-sponsor"
                        bind:value=sponsor aria-required="true"
                        placeholder="The executive accountable for the outcome"
                        aria-invalid=move || invalid(error, "sponsor")
                        aria-describedby="program-sponsor-error"/>
                    <FieldMessage error field="sponsor" id="program-sponsor-error"/>
                </div>
            </div>
            <div class="field">
                <label for="program-description">
                    "Description " <span class="optional">"(optional)"</span>
                </label>
                <textarea id="program-description" data-testid="program-description" rows="2"
                    bind:value=description placeholder="Why this program exists"
                    aria-invalid=move || invalid(error, "description")
                    aria-describedby="program-description-error"></textarea>
                <FieldMessage error field="description" id="program-description-error"/>
            </div>

            <fieldset class="objectives">
                <legend>"Strategic objectives"</legend>
                <p class="hint">"What the program must achieve, and how you will know."</p>
                <For
                    each=move || rows.get()
                    key=|row| row.key
                    children=move |row| {
                        let index = Memo::new(move |_| {
                            rows.with(|rs| rs.iter().position(|r| r.key == row.key).unwrap_or(0))
                        });
                        let field = move |name: &str| format!("objectives[{}].{name}", index.get());
                        let id = move |name: &str| format!("objective-{}-{name}", row.key);
                        view! {
                            <div class="objective-row" data-testid="objective-row">
                                <div class="field objective-title">
                                    <label for=id("title")>
                                        {move || format!("Objective {}", index.get() + 1)}
                                    </label>
                                    <input type="text" id=id("title")
                                        data-testid="objective-title" bind:value=row.title
                                        placeholder="e.g. Retire the mainframe"
                                        aria-invalid=move || invalid(error, &field("title"))/>
                                    {move || view! {
                                        <FieldMessage error field=field("title")
                                            id=id("title-error")/>
                                    }}
                                </div>
                                <div class="field">
                                    <label for=id("kpi")>"KPI"</label>
                                    <input type="text" id=id("kpi") data-testid="objective-kpi"
                                        bind:value=row.kpi placeholder="e.g. cost per transaction"
                                        aria-invalid=move || invalid(error, &field("kpi"))/>
                                    {move || view! {
                                        <FieldMessage error field=field("kpi") id=id("kpi-error")/>
                                    }}
                                </div>
                                <div class="field">
                                    <label for=id("target-value")>"Target value"</label>
                                    <input type="text" id=id("target-value")
                                        data-testid="objective-target-value"
                                        bind:value=row.target_value placeholder="e.g. €0.02"
                                        aria-invalid=move || invalid(error, &field("target_value"))/>
                                    {move || view! {
                                        <FieldMessage error field=field("target_value")
                                            id=id("target-value-error")/>
                                    }}
                                </div>
                                <div class="field">
                                    <label for=id("target-date")>"Target date"</label>
                                    <input type="date" id=id("target-date")
                                        data-testid="objective-target-date"
                                        bind:value=row.target_date
                                        aria-invalid=move || invalid(error, &field("target_date"))/>
                                    {move || view! {
                                        <FieldMessage error field=field("target_date")
                                            id=id("target-date-error")/>
                                    }}
                                </div>
                                <button type="button" class="btn btn-ghost btn-remove"
                                    data-testid="objective-remove"
                                    aria-label=move || format!("Remove objective {}", index.get() + 1)
                                    on:click=move |_| {
                                        error.set(None);
                                        rows.update(|r| r.retain(|x| x.key != row.key));
                                    }>
                                    "Remove"
                                </button>
                            </div>
                        }
                    }
                />
                <button type="button" class="btn btn-secondary btn-small" data-testid="objective-add"
                    on:click=add_row>
                    "+ Add objective"
                </button>
            </fieldset>

            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="create-program-submit"
                    disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create program" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
