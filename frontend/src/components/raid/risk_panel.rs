//! A risk opened from the register: what it is and threatens, its assessments, actions and
//! history, and the controls its reader may use (reassess, set the residual, choose a response,
//! add actions, close, realise).

use super::actions::{ActionList, AddActionForm};
use super::identify::{IdentifyForm, Revising};
use super::risk_forms::{AssessForm, Command, RealiseForm, RespondForm};
use super::{ErrorList, Raid, TextForm, day, errors_view, impact_words, probability_words};
use crate::api::{self, AsOf, RaidMethod};
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::AuditPage;
use throughline_shared::governance::decision::DecisionOption;
use throughline_shared::governance::requests::{EffectRequest, RaiseDecisionRequest};
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::ids::RiskId;
use throughline_shared::raid::register::RiskRow;
use throughline_shared::raid::requests::RaidTextRequest;
use throughline_shared::raid::{Assessment, RaidLink};

/// Which control is open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Control {
    None,
    Edit,
    Assess,
    Residual,
    Respond,
    Close,
    Realise,
}

const CONTROLS: [(Control, &str, &str); 6] = [
    (Control::Edit, "Edit details", "edit"),
    (Control::Assess, "Reassess", "assess"),
    (Control::Residual, "Set residual", "residual"),
    (Control::Respond, "Choose response", "respond"),
    (Control::Close, "Close", "close"),
    (Control::Realise, "It happened", "realise"),
];

fn assessment_text(a: &Assessment) -> String {
    let days = a
        .expected_days()
        .zip(a.schedule_days)
        .map(|(e, d)| format!(", {d} days if it happens ({e} expected)"))
        .unwrap_or_default();
    format!(
        "probability {} ({}) × impact {} ({}) = {}{days}",
        a.probability.get(),
        probability_words(a.probability.get()),
        a.impact.get(),
        impact_words(a.impact.get()),
        a.score()
    )
}

fn link_name(raid: Raid, link: &RaidLink) -> String {
    match link {
        RaidLink::Milestone(m) => format!("Milestone {}", raid.milestone_name(*m)),
        RaidLink::Dependency(d) => raid.program.with(|v| {
            v.as_ref().and_then(|v| v.dependency(*d)).map_or_else(
                || "a dependency".to_string(),
                |d| {
                    format!(
                        "Dependency {} → {}",
                        raid.milestone_name(d.provider),
                        raid.milestone_name(d.consumer)
                    )
                },
            )
        }),
        RaidLink::Objective(o) => raid.program.with(|v| {
            v.as_ref()
                .and_then(|v| v.objectives.iter().find(|x| x.objective_id == *o))
                .map_or_else(
                    || "an objective".to_string(),
                    |x| format!("Objective {}", x.title),
                )
        }),
    }
}

#[component]
pub(super) fn RiskPanel(raid: Raid, id: RiskId, row: Memo<Option<RiskRow>>) -> impl IntoView {
    let version: Signal<i64> =
        Memo::new(move |_| row.with(|r| r.as_ref().map_or(0, |r| r.stamp.version))).into();
    let actions = Signal::derive(move || {
        row.with(|r| r.as_ref().map_or_else(Vec::new, |r| r.actions.clone()))
    });
    let may = Memo::new(move |_| {
        raid.reader.with(|reader| {
            row.with(|r| {
                r.as_ref()
                    .is_some_and(|r| r.state.is_open() && reader.manages(&r.details.projects))
            })
        })
    });
    let control = RwSignal::new(Control::None);
    let errors = RwSignal::new(None);
    let base = format!("risks/{id}");
    // Its history, read again whenever the risk moves on (only its latest read is kept). Read
    // from the audit trail of its stream: the same described events as the risk's own read,
    // in a type the audit tab already decodes, so the panel adds no decoder of its own.
    let history = RwSignal::new(None::<Result<AuditPage, api::ApiError>>);
    Effect::new(move |_| {
        let asked = version.get();
        let as_of = raid
            .as_of
            .with_untracked(|a| a.as_ref().map(AsOf::query_value));
        spawn_local(async move {
            let stream = api::AuditFilters {
                stream_id: Some(id.to_string()),
                ..Default::default()
            };
            let read = api::audit_page(raid.program_id, &stream, as_of.as_deref(), 0, 1000).await;
            if version.try_get_untracked() == Some(asked) {
                history.try_set(Some(read));
            }
        });
    });
    let details = move || {
        row.with(|r| {
            r.as_ref().map(|r| {
                let links: Vec<String> = r.details.links.iter().map(|l| link_name(raid, l)).collect();
                let mut facts: Vec<(&'static str, String)> = Vec::new();
                if !r.details.description.is_empty() {
                    facts.push(("Description", r.details.description.clone()));
                }
                if !r.details.cause.is_empty() {
                    facts.push(("Cause", r.details.cause.clone()));
                }
                facts.push(("Current", r.inherent.as_ref().map_or_else(|| "not assessed".to_string(), assessment_text)));
                facts.push(("Residual", r.residual.as_ref().map_or_else(|| "not set".to_string(), assessment_text)));
                if let Some(why) = &r.above_appetite {
                    facts.push(("Appetite", format!("Above: {why}")));
                }
                if !links.is_empty() {
                    facts.push(("Threatens", links.join("; ")));
                }
                if let Some(d) = r.details.proximity {
                    facts.push(("Could hit by", day(d)));
                }
                if r.issue_id.is_some() {
                    facts.push(("Realised", "It became an issue (see Issues).".to_string()));
                }
                view! {
                    <dl class="dates raid-facts">
                        {facts.into_iter().map(|(term, text)| view! {
                            <dt>{term}</dt>
                            <dd class:flag-text=term == "Appetite">{text}</dd>
                        }).collect_view()}
                        {r.accepted_by.map(|d| view! {
                            <dt>"Accepted"</dt>
                            <dd><a href=format!("/programs/{}/governance#decision-{d}", raid.program_id)>"by decision"</a></dd>
                        })}
                    </dl>
                }
            })
        })
    };
    let closed = Callback::new(move |()| {
        control.try_set(Control::None);
    });
    let send: Command = Callback::new(move |(verb, body, done)| {
        raid.send(
            Some(errors),
            RaidMethod::Post,
            format!("risks/{id}/{verb}"),
            body,
            done,
            Some(closed),
        );
    });
    // A response of "accept" refused for want of a decision: the forum the decision rights
    // name can be asked right here, with the acceptance as the decision's effect.
    let raise = move |_| {
        let Some((title, why, score)) = row.with_untracked(|r| {
            r.as_ref().map(|r| {
                let title: String = r.details.title.chars().take(140).collect();
                (title, r.above_appetite.clone().unwrap_or_default(), r.score)
            })
        }) else {
            return;
        };
        let option = |title: &str| DecisionOption {
            title: title.to_string(),
            pros: String::new(),
            cons: String::new(),
        };
        let body = RaiseDecisionRequest {
            kind: DecisionKind::RiskAcceptance,
            magnitude: score.map(i64::from),
            question: format!("Accept the risk “{title}”?"),
            context: format!("It is above the program's appetite: {why}."),
            options: vec![option("Accept the risk"), option("Keep treating it")],
            recommendation: None,
            effects: vec![EffectRequest::AcceptRisk { risk_id: id }],
            links: Vec::new(),
        };
        spawn_local(async move {
            match api::governance_command(raid.program_id, "decisions", &body).await {
                Ok(()) => {
                    errors.try_set(None);
                    control.try_set(Control::None);
                    raid.notice
                        .set("Decision raised: the forum decides it on the governance tab.".into());
                }
                Err(e) => {
                    errors.try_set(Some(e));
                }
            }
        });
    };
    let asks_forum = move || {
        may.get() && errors.with(|e| e.as_ref().is_some_and(|e| e.code == "decision_required"))
    };
    let forms = move || {
        may.get().then(|| match control.get() {
            Control::Edit => row
                .with_untracked(|r| r.as_ref().map(|r| r.details.clone()))
                .map(|details| {
                    // The version these details were read at, not the live one: a revision by
                    // someone else while the form is open is a conflict, never overwritten.
                    let revising = Revising {
                        details,
                        version: Signal::stored(version.get_untracked()),
                        send,
                    };
                    view! { <IdentifyForm raid done=closed revising/> }
                })
                .into_any(),
            Control::Assess => view! { <AssessForm row version send residual=false/> }.into_any(),
            Control::Residual => view! { <AssessForm row version send residual=true/> }.into_any(),
            Control::Respond => view! { <RespondForm version send/> }.into_any(),
            Control::Close => view! {
                <TextForm form="close" label="Why it can be closed" button="Close risk"
                    submit=Callback::new(move |(text, _): (String, bool)| send.run((
                        "close",
                        api::json_body(&RaidTextRequest {
                            text,
                            expected_version: Some(version.get_untracked()),
                        }),
                        "Risk closed.",
                    )))/>
            }
            .into_any(),
            Control::Realise => view! { <RealiseForm version send/> }.into_any(),
            Control::None => ().into_any(),
        })
    };
    view! {
        <div class="risk-panel" data-testid="risk-panel">
            {details}
            <p class="subhead">"Actions"</p>
            <ActionList raid base=base.clone() actions version may/>
            {move || may.get().then(|| view! {
                <AddActionForm raid base=base.clone() version/>
                <div class="decision-actions" role="group" aria-label="Change this risk">
                    {CONTROLS.into_iter().map(|(c, label, act)| view! {
                        <button type="button" class="btn btn-secondary btn-small" data-act=act
                            aria-expanded=move || (control.get() == c).to_string()
                            on:click=move |_| control.update(|x| *x = if *x == c { Control::None } else { c })>
                            {label}
                        </button>
                    }).collect_view()}
                </div>
            })}
            {errors_view(errors)}
            {move || asks_forum().then(|| view! {
                <button type="button" class="btn btn-primary btn-small" data-testid="raise-acceptance"
                    on:click=raise>
                    "Ask the forum to accept it"
                </button>
            })}
            {forms}
            <p class="subhead">"History"</p>
            {move || history.with(|read| match read {
                None => view! { <p class="loading">"Loading history…"</p> }.into_any(),
                Some(Ok(detail)) => view! {
                    <ol class="raid-history" data-testid="risk-history">
                        {detail.events.iter().rev().map(|e| {
                            let text = e.description.clone().unwrap_or_else(|| e.event_type.clone());
                            // An approval's effect carries its reason in both: say it once.
                            let why = e
                                .metadata
                                .reason
                                .as_ref()
                                .filter(|r| !text.contains(r.as_str()))
                                .map(|r| format!(" — {r}"));
                            view! {
                                <li>
                                    <span class="muted">{crate::time::date_time(&e.recorded_at)}" · "{e.metadata.actor.clone()}": "</span>
                                    {text}{why}
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                }.into_any(),
                Some(Err(error)) => view! { <ErrorList error=error.clone()/> }.into_any(),
            })}
        </div>
    }
}
