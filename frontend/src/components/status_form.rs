//! Report a project's status: RAG, narrative and an optional reason. Keyboard first: it opens with
//! the status focused, Enter submits (Shift+Enter for a new line in the narrative), Esc cancels.

use leptos::ev::{KeyboardEvent, SubmitEvent};
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::{CommandAccepted, ReportStatusRequest};
use throughline_shared::view::ProjectView;
use throughline_shared::{ProgramId, Rag};

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid};

#[component]
pub fn StatusForm(
    program_id: ProgramId,
    /// The project as the reporter saw it when opening the form (its version guards against
    /// overwriting a report made meanwhile by someone else).
    project: ProjectView,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
) -> impl IntoView {
    let project_id = project.project_id;
    let current_rag = project.status.as_ref().map(|s| s.rag);
    let rag = RwSignal::new(current_rag);
    let narrative = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let expected_version = RwSignal::new(project.version);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let form_ref = NodeRef::<html::Form>::new();

    let ids = move |what: &str| format!("status-{what}-{project_id}");

    // Put the keyboard where the reporter starts: on the chosen status, or the first one.
    Effect::new(move |_| {
        if let Some(form) = form_ref.get() {
            let target = form
                .query_selector("input[type=radio]:checked")
                .ok()
                .flatten()
                .or_else(|| form.query_selector("input[type=radio]").ok().flatten());
            if let Some(el) = target.and_then(|t| {
                use wasm_bindgen::JsCast;
                t.dyn_into::<web_sys::HtmlElement>().ok()
            }) {
                let _ = el.focus();
            }
        }
    });

    let submit = move || {
        if pending.get_untracked() {
            return;
        }
        let Some(chosen) = rag.get_untracked() else {
            error.set(Some(ApiError {
                status: 0,
                code: "validation_failed".into(),
                message: "Choose a status.".into(),
                fields: vec![throughline_shared::FieldError::new(
                    "rag",
                    "choose Green, Amber or Red",
                )],
                current_version: None,
                rows: Vec::new(),
            }));
            return;
        };
        let reason_text = reason.get_untracked().trim().to_string();
        let request = ReportStatusRequest {
            rag: chosen,
            narrative: narrative.get_untracked(),
            expected_version: Some(expected_version.get_untracked()),
            reason: (!reason_text.is_empty()).then_some(reason_text),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::report_status(program_id, project_id, &request).await;
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
                        e.message = "Someone else reported a status for this project while you \
                                     were writing. Check the latest status above, then submit \
                                     again to replace it."
                            .into();
                    }
                    error.set(Some(e));
                }
            }
        });
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit();
    };
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            ev.stop_propagation();
            on_close.run(());
        }
    };
    let on_narrative_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.alt_key() && !ev.is_composing() {
            ev.prevent_default();
            submit();
        }
    };

    let choices = Rag::ALL
        .into_iter()
        .map(|r| {
            let id = ids(&format!("rag-{}", r.as_str()));
            let label_for = id.clone();
            view! {
                <label class=format!("rag-option rag-option-{}", r.as_str()) for=label_for>
                    <input
                        type="radio"
                        id=id
                        name=ids("rag")
                        value=r.as_str()
                        data-testid=format!("status-rag-{}", r.as_str())
                        prop:checked=move || rag.get() == Some(r)
                        on:change=move |_| rag.set(Some(r))
                    />
                    <span class="rag-option-label">
                        <span class="rag-dot" aria-hidden="true"></span>
                        {r.label()}
                    </span>
                </label>
            }
        })
        .collect_view();

    view! {
        <form
            class="status-form"
            data-testid="status-form"
            node_ref=form_ref
            on:submit=on_submit
            on:keydown=on_keydown
            aria-label=format!("Report status of {}", project.name)
            novalidate=true
        >
            <fieldset class="rag-choice" aria-invalid=move || invalid(error, "rag")>
                <legend>"Status"</legend>
                <div class="rag-options">{choices}</div>
                <FieldMessage error field="rag" id=ids("rag-error")/>
            </fieldset>
            <div class="field">
                <label for=ids("narrative")>"What is happening"</label>
                <textarea
                    id=ids("narrative")
                    data-testid="status-narrative"
                    rows="3"
                    placeholder=project
                        .status
                        .as_ref()
                        .map(|s| format!("Last report: {}", s.narrative))
                        .unwrap_or_else(|| "Progress, risks and what you need".into())
                    bind:value=narrative
                    on:keydown=on_narrative_keydown
                    aria-invalid=move || invalid(error, "narrative")
                    aria-describedby=ids("narrative-help")
                ></textarea>
                <FieldMessage error field="narrative" id=ids("narrative-error")/>
                <p class="hint" id=ids("narrative-help")>
                    <kbd>"Enter"</kbd>" submits · "<kbd>"Shift"</kbd>"+"<kbd>"Enter"</kbd>
                    " new line · "<kbd>"Esc"</kbd>" cancels"
                </p>
            </div>
            <div class="field">
                <label for=ids("reason")>
                    "Reason for the change " <span class="optional">"(optional)"</span>
                </label>
                <input
                    type="text"
                    id=ids("reason")
                    data-testid="status-reason"
                    bind:value=reason
                    placeholder="Shown in the audit trail"
                />
                <FieldMessage error field="reason" id=ids("reason-error")/>
            </div>
            <FormError error/>
            <div class="form-actions">
                <button
                    type="submit"
                    class="btn btn-primary"
                    data-testid="status-submit"
                    disabled=move || pending.get()
                >
                    {move || if pending.get() { "Reporting…" } else { "Report status" }}
                </button>
                <button
                    type="button"
                    class="btn btn-secondary"
                    data-testid="status-cancel"
                    on:click=move |_| on_close.run(())
                >
                    "Cancel"
                </button>
            </div>
        </form>
    }
}
