//! An escalation's card: where it sits on the path, how it moved up, and the form to move it
//! up again or resolve it.

use super::{Gov, submitter, trimmed};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use throughline_shared::governance::requests::EscalationStepRequest;
use throughline_shared::governance::view::EscalationView;
use throughline_shared::ids::EscalationId;

#[component]
pub(super) fn EscalationCard(gov: Gov, id: EscalationId) -> impl IntoView {
    let escalation = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref()?
                .view
                .escalations
                .iter()
                .find(|e| e.escalation_id == id)
                .cloned()
        })
    });
    let open =
        Memo::new(move |_| escalation.with(|e| e.as_ref().is_some_and(|e| e.resolution.is_none())));
    let steps = Memo::new(move |_| gov.reader.with(|r| !r.history && r.takes_part) && open.get());
    let resolves = Memo::new(move |_| gov.reader.with(|r| r.raises));
    let version = Signal::derive(move || escalation.with(|e| e.as_ref().map_or(0, |e| e.version)));
    view! {
        <article class="card escalation" data-testid="escalation">
            {move || escalation.with(|e| e.as_ref().map(escalation_body))}
            <Show when=move || steps.get()>
                <StepForm gov id version resolves/>
            </Show>
        </article>
    }
}

fn escalation_body(e: &EscalationView) -> AnyView {
    let title = |level: usize| e.levels.get(level).map_or("?", |l| l.title.as_str());
    let (pill, state) = match &e.resolution {
        Some(_) => ("approved", "resolved".to_string()),
        None => (
            "in_review",
            format!(
                "level {} of {}: {}",
                e.level + 1,
                e.levels.len(),
                title(e.level)
            ),
        ),
    };
    let raised = format!(
        "Raised by {} {}: {}",
        e.raised_by,
        crate::time::date_time_seconds(&e.raised_at),
        e.reason
    );
    let steps = e
        .steps
        .iter()
        .map(|step| {
            let text = format!(
                "{} to {} {}: {}",
                if step.automatic {
                    "Moved up automatically"
                } else {
                    "Moved up"
                },
                title(step.to_level),
                crate::time::date_time_seconds(&step.at),
                step.reason
            );
            view! { <p class="step">{text}</p> }
        })
        .collect_view();
    let end = match &e.resolution {
        Some(r) => view! {
            <p class="outcome">{format!("Resolved by {}: {}", r.by, r.resolution)}</p>
        }
        .into_any(),
        None => view! {
            <p class="due">
                {format!("Answer due by {}", crate::time::date_time_seconds(&e.due_at))}
            </p>
        }
        .into_any(),
    };
    view! {
        <header class="decision-head">
            <h3>{e.subject_label.clone()}</h3>
            <span class=format!("pill state state-{pill}")>{state}</span>
        </header>
        <p class="decision-meta">{raised}</p>
        {steps}
        {end}
    }
    .into_any()
}

/// Move the escalation up a level (with why) or, for those who may raise decisions, resolve it.
#[component]
fn StepForm(
    gov: Gov,
    id: EscalationId,
    version: Signal<i64>,
    resolves: Memo<bool>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let step = if submitter(&ev) == "resolve" {
            "resolve"
        } else {
            "move-up"
        };
        let body = EscalationStepRequest {
            text: trimmed(text),
            expected_version: Some(version.get_untracked()),
        };
        gov.send(
            format!("escalations/{id}/{step}"),
            body,
            "Escalation updated.",
            move || {
                text.try_set(String::new());
            },
        );
    };
    view! {
        <form class="outcome-form" data-form="escalation" on:submit=on_submit>
            <label class="field grow">
                <span>"Reason or resolution"</span>
                <input name="text" required bind:value=text/>
            </label>
            <div class="form-actions">
                <button class="btn btn-ghost btn-small" name="step" value="move-up">"Move up"</button>
                <Show when=move || resolves.get()>
                    <button class="btn btn-secondary btn-small" name="step" value="resolve">
                        "Resolve"
                    </button>
                </Show>
            </div>
        </form>
    }
}
