//! Add a project to a program.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::api::{AddProjectRequest, CommandAccepted};

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid};

#[component]
pub fn AddProjectForm(
    program_id: ProgramId,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let manager = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let name_ref = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        if let Some(input) = name_ref.get() {
            let _ = input.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = AddProjectRequest {
            name: name.get_untracked(),
            manager: manager.get_untracked(),
            objectives: Vec::new(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::add_project(program_id, &request).await;
            pending.set(false);
            match result {
                Ok(accepted) => {
                    name.set(String::new());
                    manager.set(String::new());
                    on_accepted.run(accepted);
                    on_close.run(());
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
        <form class="card inline-form" data-testid="project-form" on:submit=on_submit
            on:keydown=on_keydown novalidate=true aria-labelledby="add-project-title">
            <h3 id="add-project-title" class="form-title">"Add a project"</h3>
            <div class="field-row">
                <div class="field">
                    <label for="project-name">"Project name"</label>
                    <input type="text" id="project-name" data-testid="project-name"
                        node_ref=name_ref bind:value=name
                        placeholder="e.g. Card gateway migration"
                        aria-invalid=move || invalid(error, "name")
                        aria-describedby="project-name-error"/>
                    <FieldMessage error field="name" id="project-name-error"/>
                </div>
                <div class="field">
                    <label for="project-manager">"Project manager"</label>
                    <input type="text" id="project-manager" data-testid="project-manager"
                        bind:value=manager placeholder="Who is accountable"
                        aria-invalid=move || invalid(error, "manager")
                        aria-describedby="project-manager-error"/>
                    <FieldMessage error field="manager" id="project-manager-error"/>
                </div>
            </div>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="project-submit"
                    disabled=move || pending.get()>
                    {move || if pending.get() { "Adding…" } else { "Add project" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
