//! A decision's card: question, routing, options, proposed effects, votes and outcome, with the
//! controls its reader may use (table it, vote, record the outcome).

use super::{Gov, Reader, day, dependency_name, milestone_name, submitter, trimmed};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use throughline_shared::ProgramId;
use throughline_shared::governance::charter::Forum;
use throughline_shared::governance::decision::{DecisionState, ProposedEffect, Vote};
use throughline_shared::governance::requests::{
    DecideRequest, OutcomeChoice, TableDecisionRequest, VoteRequest,
};
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::governance::view::{Bottleneck, DecisionView};
use throughline_shared::ids::DecisionId;

pub(super) fn state_wire(state: DecisionState) -> &'static str {
    match state {
        DecisionState::Proposed => "proposed",
        DecisionState::InReview => "in_review",
        DecisionState::Approved => "approved",
        DecisionState::Rejected => "rejected",
        DecisionState::Deferred => "deferred",
        DecisionState::Superseded => "superseded",
    }
}

/// A decision kind as the tab names it ("re-baseline", "scope change", "other").
pub(super) fn kind_words(kind: DecisionKind) -> &'static str {
    match kind {
        DecisionKind::Rebaseline => "re-baseline",
        DecisionKind::ScopeChange => "scope change",
        DecisionKind::BudgetChange => "budget change",
        DecisionKind::RiskAcceptance => "risk acceptance",
        DecisionKind::DependencyCancellation => "dependency cancellation",
        DecisionKind::ObjectiveChange => "objective change",
        DecisionKind::Other => "other",
    }
}

fn vote_wire(vote: Vote) -> &'static str {
    match vote {
        Vote::Approve => "approve",
        Vote::Reject => "reject",
        Vote::Abstain => "abstain",
    }
}

/// What approving would change, in the program's own names.
fn effect_text(gov: Gov, effect: &ProposedEffect) -> String {
    match effect {
        ProposedEffect::Rebaseline {
            milestone_id, to, ..
        } => gov.program.with(|v| {
            let Some(v) = v else {
                return format!("Re-baseline a milestone to {}", day(*to));
            };
            let from = v
                .milestone(*milestone_id)
                .and_then(|m| m.baseline)
                // Once the re-baseline is done, there is nothing to compare.
                .filter(|b| b != to)
                .map(|b| format!(" (now baselined {})", day(b)))
                .unwrap_or_default();
            format!(
                "Re-baseline “{}” to {}{from}",
                milestone_name(v, *milestone_id),
                day(*to)
            )
        }),
        ProposedEffect::CancelDependency { dependency_id, .. } => gov.program.with(|v| {
            let name = v.as_ref().map_or_else(
                || "a dependency".to_string(),
                |v| dependency_name(v, *dependency_id),
            );
            format!("Cancel the dependency {name}")
        }),
        ProposedEffect::Supersede { decision_id, .. } => {
            let question = gov.data.with(|g| {
                g.as_ref()
                    .and_then(|g| g.view.decision(*decision_id))
                    .map(|d| d.question.clone())
            });
            format!(
                "Supersede “{}”",
                question.as_deref().unwrap_or("an earlier decision")
            )
        }
        // The question names the risk; the register shows the acceptance with this decision.
        ProposedEffect::AcceptRisk { .. } => {
            "Accept the risk: its response becomes “accept”, approved by this decision".into()
        }
        ProposedEffect::ChangeObjective {
            objective_id,
            terms,
            objective_version,
        } => {
            let title = gov.program.with(|v| {
                v.as_ref()
                    .and_then(|v| {
                        v.objectives
                            .iter()
                            .find(|o| o.objective_id == *objective_id)
                    })
                    .map(|o| o.title.clone())
            });
            let title = title.unwrap_or_else(|| "an objective".into());
            match (terms, objective_version) {
                (None, _) => format!("Retire the objective “{title}”"),
                (Some(t), 0) => format!("Add the objective “{}”", t.title),
                (Some(t), _) => {
                    let target = t
                        .target_date
                        .map(|d| format!(", due {}", day(d)))
                        .unwrap_or_default();
                    format!("Restate the objective “{title}” as “{}”{target}", t.title)
                }
            }
        }
    }
}

/// Which controls the reader has on a decision.
#[derive(Clone, Copy, Default, PartialEq)]
struct Controls {
    table: bool,
    vote: bool,
    decide: bool,
}

fn controls(reader: &Reader, d: &DecisionView, forum: Option<&Forum>) -> Controls {
    if reader.history || !d.is_open() {
        return Controls::default();
    }
    let member = forum.is_some_and(|f| reader.sits_on(f));
    let chairs = forum.is_some_and(|f| reader.chairs(f));
    let in_review = d.state == DecisionState::InReview;
    let votes = member && in_review && reader.takes_part;
    Controls {
        table: forum.is_some() && !in_review && (reader.governs || chairs),
        vote: votes,
        // A forum decides by its members' votes; without one, the program manager decides.
        decide: if forum.is_some() {
            votes
        } else {
            reader.governs
        },
    }
}

#[component]
pub(super) fn DecisionCard(gov: Gov, id: DecisionId) -> impl IntoView {
    let decision = Memo::new(move |_| gov.data.with(|g| g.as_ref()?.view.decision(id).cloned()));
    let forum = Memo::new(move |_| gov.forum(decision.with(|d| d.as_ref()?.forum_id)?));
    let bottleneck = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref()?
                .attention
                .bottlenecks
                .iter()
                .find(|b| b.decision_id == id)
                .cloned()
        })
    });
    let effects = Memo::new(move |_| {
        decision.with(|d| {
            d.as_ref().map_or_else(Vec::new, |d| {
                d.effects.iter().map(|e| effect_text(gov, e)).collect()
            })
        })
    });
    let controls = Memo::new(move |_| {
        gov.reader.with(|r| {
            decision.with(|d| {
                d.as_ref().map_or_else(Controls::default, |d| {
                    forum.with(|f| controls(r, d, f.as_ref()))
                })
            })
        })
    });
    let version = Signal::derive(move || decision.with(|d| d.as_ref().map_or(0, |d| d.version)));
    let vote = move |vote: Vote| {
        gov.send(
            format!("decisions/{id}/votes"),
            VoteRequest { vote },
            "Vote recorded.",
            || {},
        )
    };
    let table = move |_: leptos::ev::MouseEvent| {
        gov.send(
            format!("decisions/{id}/table"),
            TableDecisionRequest { session: None },
            "Tabled.",
            || {},
        )
    };
    let program_id = gov.program_id;
    view! {
        <article class="card decision" data-testid="decision" id=format!("decision-{id}")
            data-state=move || decision.with(|d| d.as_ref().map(|d| state_wire(d.state)))>
            {move || decision.with(|d| d.as_ref().map(|d| forum.with(|f| bottleneck.with(|b| {
                effects.with(|e| decision_body(program_id, d, f.as_ref(), b.as_ref(), e))
            }))))}
            <Show when=move || { let c = controls.get(); c.table || c.vote }>
                <div class="decision-actions">
                    <Show when=move || controls.get().table>
                        <button type="button" class="btn btn-secondary btn-small" data-act="table"
                            data-id=id.to_string() on:click=table>
                            "Table for the next session"
                        </button>
                    </Show>
                    <Show when=move || controls.get().vote>
                        {[Vote::Approve, Vote::Reject, Vote::Abstain].into_iter().map(|v| view! {
                            <button type="button" class="btn btn-secondary btn-small" data-act="vote"
                                data-id=id.to_string() data-vote=vote_wire(v)
                                on:click=move |_| vote(v)>
                                "Vote "{vote_wire(v)}
                            </button>
                        }).collect_view()}
                    </Show>
                </div>
            </Show>
            <Show when=move || controls.get().decide>
                <OutcomeForm gov id version/>
            </Show>
        </article>
    }
}

/// Everything on the card that is read, not used: rebuilt only when this decision (its forum,
/// its bottleneck, its effects' names) changes.
fn decision_body(
    program_id: ProgramId,
    d: &DecisionView,
    forum: Option<&Forum>,
    bottleneck: Option<&Bottleneck>,
    effects: &[String],
) -> AnyView {
    let state = state_wire(d.state);
    let meta = format!(
        "{} · raised by {} {} · ",
        kind_words(d.kind),
        d.raised_by,
        crate::time::date_time_seconds(&d.raised_at)
    );
    let bottleneck = bottleneck.map(|b| {
        let text = format!(
            "Waiting {} days — {} allows {}",
            b.waiting_days,
            b.forum.as_deref().unwrap_or("the program manager"),
            b.sla_days
        );
        view! { <p class="flag flag-late" data-testid="bottleneck">{text}</p> }
    });
    let context = (!d.context.is_empty())
        .then(|| view! { <p class="decision-context">{d.context.clone()}</p> });
    let options = d
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| {
            let recommended = d.recommendation == Some(i);
            let notes = [("+", &o.pros), ("−", &o.cons)]
                .into_iter()
                .filter(|(_, text)| !text.is_empty())
                .map(|(sign, text)| view! { <br/><span class="muted">{format!("{sign} {text}")}</span> })
                .collect_view();
            view! {
                <li class:recommended=recommended>
                    <strong>{o.title.clone()}</strong>
                    {recommended.then(|| view! { " "<span class="pill">"recommended"</span> })}
                    {notes}
                </li>
            }
        })
        .collect_view();
    let effects = (!effects.is_empty()).then(|| {
        view! {
            <p class="subhead">"If approved"</p>
            <ul class="effects">
                {effects.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}
            </ul>
        }
    });
    let agenda = match (d.tabled_for, forum) {
        (Some(session), Some(f)) if d.is_open() => Some(view! {
            <p>{format!("On the agenda of {} on {}", f.name, day(session))}</p>
        }),
        _ => None,
    };
    let votes = (!d.votes.is_empty()).then(|| {
        let cast: Vec<String> = d
            .votes
            .iter()
            .map(|v| format!("{} — {}", v.name, vote_wire(v.vote)))
            .collect();
        let quorum = forum.map_or(String::new(), |f| format!(" (quorum {})", f.rules.quorum));
        view! {
            <p class="votes" data-testid="votes">{format!("Votes: {}{quorum}", cast.join("; "))}</p>
        }
    });
    let outcome = d.outcome.as_ref().map(|o| {
        let verdict = match o.state {
            DecisionState::Approved => "Approved",
            DecisionState::Rejected => "Rejected",
            _ => "Deferred",
        };
        let text = format!(" by {}: {} ", o.decided_by.join(", "), o.rationale);
        view! {
            <p class="outcome" data-testid="outcome">
                <strong>{verdict}</strong>{text}
                <a href=format!("/programs/{program_id}/audit?cause={}", o.event_id)>
                    "in the audit trail"
                </a>
            </p>
        }
    });
    view! {
        <header class="decision-head">
            <h3>{d.question.clone()}</h3>
            <span class=format!("pill state state-{state}")>{super::words(state)}</span>
        </header>
        <p class="decision-meta">
            {meta}<span class="routing" data-testid="routing">{d.routing_reason.clone()}</span>
        </p>
        {bottleneck}
        {context}
        <ol class="options">{options}</ol>
        {effects}
        {agenda}
        {votes}
        {outcome}
    }
    .into_any()
}

/// Approve, reject or defer, with the rationale the audit trail keeps. Sends the decision's
/// version as last read, so an outcome never lands on a decision that moved on unseen.
#[component]
fn OutcomeForm(gov: Gov, id: DecisionId, version: Signal<i64>) -> impl IntoView {
    let rationale = RwSignal::new(String::new());
    let until = RwSignal::new(String::new());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let outcome = match submitter(&ev).as_str() {
            "reject" => OutcomeChoice::Reject,
            "defer" => OutcomeChoice::Defer,
            _ => OutcomeChoice::Approve,
        };
        let body = DecideRequest {
            outcome,
            rationale: trimmed(rationale),
            until: until.with_untracked(|u| crate::dates::parse_input(u)),
            expected_version: Some(version.get_untracked()),
        };
        gov.send(
            format!("decisions/{id}/outcome"),
            body,
            "Outcome recorded.",
            move || {
                rationale.try_set(String::new());
                until.try_set(String::new());
            },
        );
    };
    view! {
        <form class="outcome-form" data-form="outcome" on:submit=on_submit>
            <label class="field grow">
                <span>"Rationale"</span>
                <textarea name="rationale" rows="2" required bind:value=rationale
                    placeholder="Why, in a sentence the audit trail will keep"></textarea>
            </label>
            <label class="field">
                <span>"Defer until "<span class="optional">"(for a deferral)"</span></span>
                <input type="date" name="until" bind:value=until/>
            </label>
            <div class="form-actions">
                <button class="btn btn-primary" name="outcome" value="approve">"Approve"</button>
                <button class="btn btn-secondary" name="outcome" value="reject">"Reject"</button>
                <button class="btn btn-ghost" name="outcome" value="defer">"Defer"</button>
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};
    use throughline_shared::UserId;
    use throughline_shared::governance::forum::{Cadence, ForumRules};
    use throughline_shared::ids::ForumId;
    use uuid::Uuid;

    fn user(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(n))
    }

    fn forum(chair: UserId, members: Vec<UserId>) -> Forum {
        Forum {
            forum_id: ForumId::from_uuid(Uuid::from_u128(50)),
            name: "Change board".into(),
            purpose: String::new(),
            rules: ForumRules {
                chair,
                members,
                quorum: 1,
                cadence: Cadence::Weekly,
                first_session: NaiveDate::from_ymd_opt(2026, 1, 5).unwrap(),
                decision_sla_days: 10,
            },
            people: Vec::new(),
        }
    }

    fn decision(state: DecisionState, forum: Option<&Forum>) -> DecisionView {
        DecisionView {
            decision_id: DecisionId::from_uuid(Uuid::from_u128(9)),
            version: 1,
            kind: DecisionKind::Other,
            magnitude: None,
            question: "Kick-off on Tuesday?".into(),
            context: String::new(),
            options: Vec::new(),
            recommendation: None,
            effects: Vec::new(),
            links: Vec::new(),
            forum_id: forum.map(|f| f.forum_id),
            routing_reason: String::new(),
            state,
            raised_at: Utc.timestamp_opt(1_700_000_000, 0).unwrap(),
            raised_by: "priya".into(),
            tabled_for: None,
            votes: Vec::new(),
            outcome: None,
            superseded_by: None,
        }
    }

    fn reader(id: u128, governs: bool) -> Reader {
        Reader {
            user_id: Some(user(id)),
            governs,
            raises: true,
            takes_part: true,
            history: false,
        }
    }

    #[test]
    fn a_forum_member_votes_and_decides_only_once_the_decision_is_tabled() {
        let board = forum(user(1), vec![user(2)]);
        let member = reader(2, false);
        let proposed = controls(
            &member,
            &decision(DecisionState::Proposed, Some(&board)),
            Some(&board),
        );
        assert!(
            proposed == Controls::default(),
            "nothing to do before it is tabled"
        );
        let tabled = decision(DecisionState::InReview, Some(&board));
        let c = controls(&member, &tabled, Some(&board));
        assert!(c.vote && c.decide && !c.table);
        // The program manager tables but, sitting on no forum, neither votes nor decides.
        let pm = controls(
            &reader(3, true),
            &decision(DecisionState::Proposed, Some(&board)),
            Some(&board),
        );
        assert!(pm.table && !pm.vote && !pm.decide);
        // The chair may table too.
        let chair = controls(
            &reader(1, false),
            &decision(DecisionState::Deferred, Some(&board)),
            Some(&board),
        );
        assert!(chair.table);
    }

    #[test]
    fn without_a_forum_only_the_program_manager_decides() {
        let own = decision(DecisionState::Proposed, None);
        let pm = controls(&reader(3, true), &own, None);
        assert!(pm.decide && !pm.table && !pm.vote);
        assert!(controls(&reader(2, false), &own, None) == Controls::default());
    }

    #[test]
    fn history_and_closed_decisions_offer_no_controls() {
        let board = forum(user(1), vec![]);
        let mut past = reader(1, true);
        past.history = true;
        let tabled = decision(DecisionState::InReview, Some(&board));
        assert!(controls(&past, &tabled, Some(&board)) == Controls::default());
        let approved = decision(DecisionState::Approved, Some(&board));
        assert!(controls(&reader(1, true), &approved, Some(&board)) == Controls::default());
    }
}
