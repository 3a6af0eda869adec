//! Add an objective, restate one's terms, or retire it — each with its reason, against the
//! objective's own version. Where the program's decision rights give the change to a forum, the
//! server refuses it naming the forum, and the form offers to raise that decision instead, with
//! the change as its effect.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::{
    CommandAccepted, ObjectiveEntry, ObjectiveRequest, RetireObjectiveRequest,
};
use throughline_shared::governance::decision::DecisionOption;
use throughline_shared::governance::requests::{EffectRequest, RaiseDecisionRequest};
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::program::ObjectiveDraft;
use throughline_shared::{ObjectiveId, ProgramId};

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid, submit};

/// What the form does.
#[derive(Clone, Debug, PartialEq)]
pub enum ObjectiveEdit {
    Add,
    Revise(ObjectiveEntry),
    Retire(ObjectiveEntry),
}

fn text(value: &Option<String>) -> String {
    value.clone().unwrap_or_default()
}

fn optional(signal: RwSignal<String>) -> Option<String> {
    let value = signal.get_untracked().trim().to_string();
    (!value.is_empty()).then_some(value)
}

/// The decision a forum takes instead of the refused change.
fn decision_for(
    edit: &ObjectiveEdit,
    terms: ObjectiveDraft,
    reason: String,
) -> RaiseDecisionRequest {
    let option = |title: &str| DecisionOption {
        title: title.to_string(),
        pros: String::new(),
        cons: String::new(),
    };
    let (question, effect) = match edit {
        ObjectiveEdit::Add => (
            format!("Add the objective “{}”?", terms.title.trim()),
            EffectRequest::AddObjective { terms },
        ),
        ObjectiveEdit::Revise(entry) => (
            format!("Revise the objective “{}”?", entry.objective.title),
            EffectRequest::ReviseObjective {
                objective_id: entry.objective.objective_id,
                terms,
                expected_version: Some(entry.version),
            },
        ),
        ObjectiveEdit::Retire(entry) => (
            format!("Retire the objective “{}”?", entry.objective.title),
            EffectRequest::RetireObjective {
                objective_id: entry.objective.objective_id,
                expected_version: Some(entry.version),
            },
        ),
    };
    RaiseDecisionRequest {
        kind: DecisionKind::ObjectiveChange,
        // Sized by the server from the effect: the days the target date moves.
        magnitude: None,
        question,
        context: reason,
        options: vec![
            option("Make the change"),
            option("Keep the objective as it is"),
        ],
        recommendation: None,
        effects: vec![effect],
        links: Vec::new(),
    }
}

#[component]
pub fn ObjectiveForm(
    program_id: ProgramId,
    edit: ObjectiveEdit,
    on_accepted: Callback<CommandAccepted>,
    on_close: Callback<()>,
    /// Told when a decision was raised instead of the change.
    on_raised: Callback<String>,
) -> impl IntoView {
    let (current, retiring) = match &edit {
        ObjectiveEdit::Add => (None, false),
        ObjectiveEdit::Revise(e) => (Some(e.clone()), false),
        ObjectiveEdit::Retire(e) => (Some(e.clone()), true),
    };
    let o = current.as_ref().map(|e| e.objective.clone());
    let title = RwSignal::new(o.as_ref().map(|o| o.title.clone()).unwrap_or_default());
    let kpi = RwSignal::new(o.as_ref().map(|o| text(&o.kpi)).unwrap_or_default());
    let target_value = RwSignal::new(
        o.as_ref()
            .map(|o| text(&o.target_value))
            .unwrap_or_default(),
    );
    let target_date = RwSignal::new(
        o.as_ref()
            .and_then(|o| o.target_date)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let objective_id: Option<ObjectiveId> = o.as_ref().map(|o| o.objective_id);
    let version = current.as_ref().map(|e| e.version);
    let edit = StoredValue::new(edit);

    let terms = move || -> Result<ObjectiveDraft, ApiError> {
        let date = target_date.get_untracked();
        let target_date =
            match date.trim() {
                "" => None,
                d => Some(d.parse().map_err(|_| {
                    ApiError::field_error("target_date", "is not a date (YYYY-MM-DD)")
                })?),
            };
        Ok(ObjectiveDraft {
            title: title.get_untracked(),
            kpi: optional(kpi),
            target_value: optional(target_value),
            target_date,
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let reason = reason.get_untracked();
        if retiring {
            let Some(objective) = objective_id else {
                return;
            };
            let request = RetireObjectiveRequest {
                reason,
                expected_version: version,
            };
            submit(
                pending,
                error,
                async move { api::retire_objective(program_id, objective, &request).await },
                on_accepted,
                on_close,
            );
            return;
        }
        let draft = match terms() {
            Ok(t) => t,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let request = ObjectiveRequest {
            title: draft.title,
            kpi: draft.kpi,
            target_value: draft.target_value,
            target_date: draft.target_date,
            reason,
            expected_version: version,
        };
        submit(
            pending,
            error,
            async move { api::save_objective(program_id, objective_id, &request).await },
            on_accepted,
            on_close,
        );
    };
    let raise = move |_| {
        if pending.get_untracked() {
            return;
        }
        let draft = match terms() {
            Ok(t) => t,
            Err(e) => {
                error.set(Some(e));
                return;
            }
        };
        let body = edit.with_value(|e| decision_for(e, draft, reason.get_untracked()));
        pending.set(true);
        spawn_local(async move {
            let result = api::governance_command(program_id, "decisions", &body).await;
            pending.try_set(false);
            match result {
                Ok(()) => {
                    on_raised.try_run(
                        "Decision raised: the forum decides it on the governance tab.".into(),
                    );
                    on_close.try_run(());
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    let asks_forum =
        move || error.with(|e| e.as_ref().is_some_and(|e| e.code == "decision_required"));
    let key = objective_id.map_or_else(|| "new".to_string(), |o| o.to_string());
    let id = move |field: &str| format!("objective-{field}-{key}");
    let (title_id, kpi_id, value_id, date_id, reason_id) = (
        id("title"),
        id("kpi"),
        id("value"),
        id("date"),
        id("reason"),
    );
    let fields = (!retiring).then(|| {
        view! {
            <div class="field-row">
                <label class="field grow">
                    <span>"Objective"</span>
                    <input type="text" maxlength="200" data-testid="objective-title" bind:value=title
                        placeholder="e.g. Cut cost per transaction"
                        aria-invalid=move || invalid(error, "title")
                        aria-describedby=format!("{title_id}-error")/>
                    <FieldMessage error field="title" id=format!("{title_id}-error")/>
                </label>
                <label class="field">
                    <span>"KPI"</span>
                    <input type="text" maxlength="200" data-testid="objective-kpi" bind:value=kpi
                        placeholder="e.g. cost per transaction"
                        aria-invalid=move || invalid(error, "kpi")
                        aria-describedby=format!("{kpi_id}-error")/>
                    <FieldMessage error field="kpi" id=format!("{kpi_id}-error")/>
                </label>
            </div>
            <div class="field-row">
                <label class="field">
                    <span>"Target value"</span>
                    <input type="text" maxlength="200" data-testid="objective-target-value" bind:value=target_value
                        placeholder="e.g. €0.04"
                        aria-invalid=move || invalid(error, "target_value")
                        aria-describedby=format!("{value_id}-error")/>
                    <FieldMessage error field="target_value" id=format!("{value_id}-error")/>
                </label>
                <label class="field">
                    <span>"Target date"</span>
                    <input type="date" min="1900-01-01" max="2200-12-31" data-testid="objective-target-date"
                        bind:value=target_date
                        aria-invalid=move || invalid(error, "target_date")
                        aria-describedby=format!("{date_id}-error")/>
                    <FieldMessage error field="target_date" id=format!("{date_id}-error")/>
                </label>
            </div>
        }
    });
    let button = match (retiring, objective_id) {
        (true, _) => "Retire objective",
        (false, None) => "Add objective",
        (false, Some(_)) => "Save objective",
    };
    view! {
        <form class="inline-form" data-testid="objective-form" on:submit=on_submit novalidate>
            {fields}
            <label class="field">
                <span>{if retiring { "Why it is retired" } else { "Reason for the change" }}</span>
                <input type="text" maxlength="4000" data-testid="objective-reason" bind:value=reason
                    aria-invalid=move || invalid(error, "reason")
                    aria-describedby=format!("{reason_id}-error")/>
                <FieldMessage error field="reason" id=format!("{reason_id}-error")/>
            </label>
            <FieldMessage error field="objective_id" id=format!("{reason_id}-objective-error")/>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" data-testid="save-objective"
                    class=if retiring { "btn btn-danger" } else { "btn btn-primary" }
                    disabled=move || pending.get()>{button}</button>
                {move || asks_forum().then(|| view! {
                    <button type="button" class="btn btn-secondary" data-testid="raise-objective-decision"
                        disabled=move || pending.get() on:click=raise>
                        "Raise it as a decision"
                    </button>
                })}
                <button type="button" class="btn btn-ghost" on:click=move |_| on_close.run(())>"Cancel"</button>
            </div>
        </form>
    }
}
