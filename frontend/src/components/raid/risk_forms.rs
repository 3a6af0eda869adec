//! The forms changing a risk from its panel: reassess, set the residual, choose a response,
//! realise (closing is a `TextForm`). Each owns its fields and hands its encoded command to the
//! panel's `send`, which closes the form once the command is accepted and shows a refusal in
//! the panel.

use super::{
    Choice, Field, Options, Shell, TextForm, date_of, impact_words, plain_options,
    probability_words, rating, rating_options, trimmed,
};
use crate::api::{self, ApiError};
use leptos::prelude::*;
use throughline_shared::raid::Assessment;
use throughline_shared::raid::issue::Severity;
use throughline_shared::raid::register::RiskRow;
use throughline_shared::raid::requests::{AssessRiskRequest, RealiseRiskRequest, RespondRequest};
use throughline_shared::raid::risk::ResponseStrategy;

/// A risk command for the panel to send: its verb under `risks/{id}/`, its encoded body and the
/// words announcing it done.
pub(super) type Command = Callback<(&'static str, Result<Option<String>, ApiError>, &'static str)>;

/// A reassessment (with the date to review it again) or the residual the response aims for;
/// starts from the assessment it replaces.
#[component]
pub(super) fn AssessForm(
    row: Memo<Option<RiskRow>>,
    version: Signal<i64>,
    send: Command,
    residual: bool,
) -> impl IntoView {
    let start = row.with_untracked(|r| {
        r.as_ref().and_then(|r| {
            if residual {
                r.residual.or(r.inherent)
            } else {
                r.inherent
            }
        })
    });
    let probability = RwSignal::new(start.map_or(3, |a| a.probability.get()).to_string());
    let impact = RwSignal::new(start.map_or(3, |a| a.impact.get()).to_string());
    let days = RwSignal::new(
        start
            .and_then(|a| a.schedule_days)
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let reason = RwSignal::new(String::new());
    let review = RwSignal::new(String::new());
    let submit = Callback::new(move |_| {
        let body = AssessRiskRequest {
            assessment: Assessment {
                probability: rating(probability),
                impact: rating(impact),
                schedule_days: trimmed(days).parse().ok(),
                cost: start.and_then(|a| a.cost),
            },
            reason: trimmed(reason),
            review_by: if residual { None } else { date_of(review) },
            expected_version: Some(version.get_untracked()),
        };
        let body = api::json_body(&body);
        send.run(if residual {
            ("residual", body, "Residual set.")
        } else {
            ("assess", body, "Risk reassessed.")
        });
    });
    view! {
        <Shell form=if residual { "residual" } else { "assess" }
            button=if residual { "Set residual" } else { "Reassess" } submit>
            <Choice label="Probability" name="probability" value=probability options=rating_options(probability_words)/>
            <Choice label="Impact" name="impact" value=impact options=rating_options(impact_words)/>
            <Field label="Schedule days" note="(if it happens)" name="days" kind="number" value=days/>
            <Field label="Reason" name="reason" value=reason required=true grow=true/>
            {(!residual).then(|| view! { <Field label="Review by" name="review" kind="date" value=review/> })}
        </Shell>
    }
}

const STRATEGIES: [ResponseStrategy; 5] = [
    ResponseStrategy::Mitigate,
    ResponseStrategy::Avoid,
    ResponseStrategy::Transfer,
    ResponseStrategy::Accept,
    ResponseStrategy::Escalate,
];

/// The response, with its reason. Accepting a risk above appetite needs an approved decision:
/// the server's refusal names the forum, and is shown right in the panel.
#[component]
pub(super) fn RespondForm(version: Signal<i64>, send: Command) -> impl IntoView {
    let strategy = RwSignal::new(STRATEGIES[0].label().to_string());
    let submit = Callback::new(move |(reason, _): (String, bool)| {
        let Some(strategy) =
            strategy.with_untracked(|v| STRATEGIES.into_iter().find(|s| s.label() == v))
        else {
            return;
        };
        let body = RespondRequest {
            strategy,
            reason,
            expected_version: Some(version.get_untracked()),
        };
        send.run(("respond", api::json_body(&body), "Response chosen."));
    });
    view! {
        <TextForm form="respond" label="Reason" button="Choose response" submit>
            <Choice label="Response" name="strategy" value=strategy
                options=plain_options(&STRATEGIES.map(ResponseStrategy::label))/>
        </TextForm>
    }
}

const SEVERITIES: [Severity; 4] = [
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

/// The risk happened: it becomes an issue (severity from its band unless chosen).
#[component]
pub(super) fn RealiseForm(version: Signal<i64>, send: Command) -> impl IntoView {
    let severity = RwSignal::new(String::new());
    let resolve = RwSignal::new(String::new());
    let severities: Options = std::iter::once((String::new(), "from its band".to_string()))
        .chain(
            SEVERITIES
                .into_iter()
                .map(|s| (s.label().to_string(), s.label().to_string())),
        )
        .collect();
    let submit = Callback::new(move |(reason, _): (String, bool)| {
        let body = RealiseRiskRequest {
            reason,
            severity: severity.with_untracked(|v| SEVERITIES.into_iter().find(|s| s.label() == v)),
            resolve_by: date_of(resolve),
            expected_version: Some(version.get_untracked()),
        };
        send.run((
            "realise",
            api::json_body(&body),
            "Risk realised: it is an issue now.",
        ));
    });
    view! {
        <TextForm form="realise" label="What happened" button="Realise as issue" submit>
            <Choice label="Severity" name="severity" value=severity options=Signal::stored(severities)/>
            <Field label="Resolve by" name="resolve" kind="date" value=resolve/>
        </TextForm>
    }
}
