//! Edit a program's name, sponsor and description. Only changed fields are sent, with the version
//! the editor saw, so a concurrent edit is reported instead of silently overwritten.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::{CommandAccepted, EditProgramRequest};
use throughline_shared::view::ProgramView;

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid};

fn changed(new: String, old: &str) -> Option<String> {
    (new.trim() != old.trim()).then_some(new)
}

#[component]
pub fn EditProgramForm(
    /// The program as the editor saw it when opening the form.
    program: ProgramView,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let program_id = program.program_id;
    let original = StoredValue::new(program.clone());
    let name = RwSignal::new(program.name.clone());
    let sponsor = RwSignal::new(program.sponsor.clone());
    let description = RwSignal::new(program.description.clone());
    let reason = RwSignal::new(String::new());
    let expected_version = RwSignal::new(program.version);
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
        let reason_text = reason.get_untracked().trim().to_string();
        let request = original.with_value(|o| EditProgramRequest {
            name: changed(name.get_untracked(), &o.name),
            description: changed(description.get_untracked(), &o.description),
            sponsor: changed(sponsor.get_untracked(), &o.sponsor),
            expected_version: Some(expected_version.get_untracked()),
            reason: (!reason_text.is_empty()).then_some(reason_text),
        });
        if request.name.is_none() && request.description.is_none() && request.sponsor.is_none() {
            error.set(Some(ApiError {
                status: 0,
                code: "nothing_to_change".into(),
                message: "Nothing has changed yet.".into(),
                fields: Vec::new(),
                current_version: None,
                rows: Vec::new(),
            }));
            return;
        }
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::edit_program(program_id, &request).await;
            pending.set(false);
            match result {
                Ok(accepted) => {
                    on_accepted.run(accepted);
                    on_close.run(());
                }
                Err(mut e) => {
                    if e.is_conflict() {
                        if let Some(current) = e.current_version {
                            expected_version.set(current);
                        }
                        e.message = "Someone else changed this program while you were editing. \
                                     Check the details on the page, then save again to apply \
                                     your changes."
                            .into();
                    }
                    error.set(Some(e));
                }
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
        <form class="card inline-form edit-form" data-testid="edit-program-form"
            on:submit=on_submit on:keydown=on_keydown novalidate=true
            aria-labelledby="edit-program-title">
            <h2 id="edit-program-title" class="form-title">"Edit program details"</h2>
            <div class="field-row">
                <div class="field">
                    <label for="edit-name">"Name"</label>
                    <input type="text" id="edit-name" data-testid="edit-name" node_ref=name_ref
                        bind:value=name aria-invalid=move || invalid(error, "name")
                        aria-describedby="edit-name-error"/>
                    <FieldMessage error field="name" id="edit-name-error"/>
                </div>
                <div class="field">
                    <label for="edit-sponsor">"Sponsor"</label>
                    <input type="text" id="edit-sponsor" data-testid="edit-sponsor"
                        bind:value=sponsor aria-invalid=move || invalid(error, "sponsor")
                        aria-describedby="edit-sponsor-error"/>
                    <FieldMessage error field="sponsor" id="edit-sponsor-error"/>
                </div>
            </div>
            <div class="field">
                <label for="edit-description">"Description"</label>
                <textarea id="edit-description" data-testid="edit-description" rows="3"
                    bind:value=description aria-invalid=move || invalid(error, "description")
                    aria-describedby="edit-description-error"></textarea>
                <FieldMessage error field="description" id="edit-description-error"/>
            </div>
            <div class="field">
                <label for="edit-reason">
                    "Reason for the change " <span class="optional">"(optional)"</span>
                </label>
                <input type="text" id="edit-reason" data-testid="edit-reason" bind:value=reason
                    placeholder="Shown in the audit trail"/>
            </div>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="edit-submit"
                    disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Save changes" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_close.run(())>
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
