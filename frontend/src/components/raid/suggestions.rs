//! Risks the register suggests for dependencies in trouble: each one names the dependency, how
//! late it is, and the risk it would identify on the consumer's project; whoever manages that
//! project accepts it (the risk is identified, linked to the dependency) or dismisses it with a
//! reason. Both are recorded.

use super::{Raid, TextForm, expanded, tag};
use crate::api;
use leptos::prelude::*;
use throughline_shared::raid::requests::RaidTextRequest;
use throughline_shared::raid::suggestions::RiskSuggestion;

#[component]
pub(super) fn Suggestions(raid: Raid) -> impl IntoView {
    let list = move || {
        raid.suggestions
            .with(|s| s.as_ref().map_or_else(Vec::new, Clone::clone))
    };
    move || {
        let list = list();
        // Folded away under its count: the register comes first, and a program with many
        // dependencies in trouble would otherwise push it off the screen.
        let n = list.len();
        (n > 0).then(|| {
            view! {
                <details class="card suggestions-card" data-testid="risk-suggestions">
                    <summary class="subsection-title">
                        {format!("{n} risk{} suggested by dependencies in trouble", if n == 1 { "" } else { "s" })}
                    </summary>
                    <ul class="suggestions">
                        {list.into_iter().map(|s| suggestion(raid, s)).collect_view()}
                    </ul>
                </details>
            }
        })
    }
}

fn suggestion(raid: Raid, s: RiskSuggestion) -> impl IntoView {
    let may = raid
        .reader
        .with_untracked(|r| r.manages(&[s.consumer_project]));
    let dismissing = RwSignal::new(false);
    let base = format!("suggestions/{}", s.dependency_id);
    let accept_path = format!("{base}/accept");
    let dismiss_path = format!("{base}/dismiss");
    let dismiss = Callback::new(move |(text, _): (String, bool)| {
        let body = api::json_body(&RaidTextRequest {
            text,
            expected_version: None,
        });
        raid.post(dismiss_path.clone(), body, "Suggestion dismissed.");
    });
    let late = format!(
        "{} · {} from {}: {} days after it is needed",
        s.status.label(),
        raid.project_name(s.consumer_project),
        raid.project_name(s.provider_project),
        s.gap_days
    );
    let score = s.assessment.score();
    view! {
        <li class="suggestion" data-testid="risk-suggestion">
            <div>
                <strong>{s.details.title.clone()}</strong>
                {tag("muted small-note line", &late, None)}
                {tag("muted small-note line", &format!("Would be assessed at {score}, owned by {}", s.details.owner), None)}
            </div>
            {may.then(|| view! {
                <div class="decision-actions" role="group" aria-label="Answer this suggestion">
                    <button type="button" class="btn btn-primary btn-small" data-act="accept-suggestion"
                        on:click=move |_| raid.post(accept_path.clone(), Ok(None), "Risk identified from the suggestion.")>
                        "Identify this risk"
                    </button>
                    <button type="button" class="btn btn-secondary btn-small" data-act="dismiss-suggestion"
                        aria-expanded=expanded(dismissing)
                        on:click=move |_| dismissing.update(|d| *d = !*d)>
                        "Dismiss"
                    </button>
                </div>
            })}
            <Show when=move || dismissing.get()>
                <TextForm form="dismiss" label="Why it is not a risk" button="Dismiss suggestion" submit=dismiss/>
            </Show>
        </li>
    }
}
