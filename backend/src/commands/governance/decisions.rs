//! Decisions, from raising to outcome: tabled for a forum's session, voted on, decided. An
//! approval appends its effects with it, atomically.

use super::effects::{Batch, effect_append};
use super::{Caller, charter_of, forbidden, next_session};
use crate::commands::{CommandError, Loaded, accepted, decide_and_append, load};
use crate::event_store::{
    AppendError, AppendRequest, EventStore, ExpectedVersion, NewEvent, StreamAppend,
};
use crate::request_context::RequestContext;
use throughline_shared::api::CommandAccepted;
use throughline_shared::event::AggregateEvent;
use throughline_shared::governance::charter::Charter;
use throughline_shared::governance::decision::{
    Decision, DecisionCommand, DecisionEvent, Outcome, ProposedEffect, Vote,
};
use throughline_shared::governance::forum::ForumRules;
use throughline_shared::governance::requests::{
    DecideRequest, EffectRequest, OutcomeChoice, RaiseDecisionRequest,
};
use throughline_shared::governance::rights::{DecisionKind, route};
use throughline_shared::ids::{DecisionId, ObjectiveId};
use throughline_shared::{DomainError, FieldError, ProgramId};
use uuid::Uuid;

pub(super) async fn decision_in(
    store: &EventStore,
    program_id: ProgramId,
    decision_id: DecisionId,
) -> Result<Loaded<Decision>, CommandError> {
    let loaded = load::<Decision>(store, decision_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(DomainError::NotFound(format!(
            "decision {decision_id} in program {program_id}"
        ))
        .into());
    }
    Ok(loaded)
}

pub async fn raise_decision(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: RaiseDecisionRequest,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let decision_id = DecisionId::from_uuid(Uuid::new_v4());
    let mut effects = Vec::with_capacity(request.effects.len());
    let mut largest: Option<i64> = None;
    let mut batch = Batch::default();
    for (i, effect) in request.effects.into_iter().enumerate() {
        // The version the caller's change was written from, when it names one.
        let written_from = match &effect {
            EffectRequest::ReviseObjective {
                expected_version, ..
            }
            | EffectRequest::RetireObjective {
                expected_version, ..
            } => *expected_version,
            _ => None,
        };
        // The version each effect is raised against is its target's now: decided once here
        // (each effect must be one its target would take now; approval decides it again).
        let mut proposed = match effect {
            EffectRequest::Rebaseline { milestone_id, to } => ProposedEffect::Rebaseline {
                milestone_id,
                to,
                milestone_version: 0,
            },
            EffectRequest::CancelDependency { dependency_id } => ProposedEffect::CancelDependency {
                dependency_id,
                register_version: 0,
            },
            EffectRequest::Supersede { decision_id } => ProposedEffect::Supersede {
                decision_id,
                decision_version: 0,
            },
            EffectRequest::AcceptRisk { risk_id } => ProposedEffect::AcceptRisk {
                risk_id,
                risk_version: 0,
            },
            // The new objective's id is chosen now, so approval adds the one that was decided.
            EffectRequest::AddObjective { terms } => ProposedEffect::ChangeObjective {
                objective_id: ObjectiveId::from_uuid(Uuid::new_v4()),
                terms: Some(terms),
                objective_version: 0,
            },
            // Version 0 would read as an addition: until the objective's version is known
            // (below), "an objective that exists" is said with -1.
            EffectRequest::ReviseObjective {
                objective_id,
                terms,
                ..
            } => ProposedEffect::ChangeObjective {
                objective_id,
                terms: Some(terms),
                objective_version: -1,
            },
            EffectRequest::RetireObjective { objective_id, .. } => {
                ProposedEffect::ChangeObjective {
                    objective_id,
                    terms: None,
                    objective_version: -1,
                }
            }
        };
        if let Some(earlier) = effects
            .iter()
            .position(|e: &ProposedEffect| e.target() == proposed.target())
        {
            return Err(DomainError::Invalid(vec![FieldError::new(
                format!("effects[{i}]"),
                format!(
                    "changes what effects[{earlier}] changes: one decision changes each thing once"
                ),
            )])
            .into());
        }
        let now = effect_append(
            store,
            program_id,
            i,
            &proposed,
            "raised",
            decision_id,
            &mut batch,
        )
        .await?;
        if let Some(expected) = written_from
            && expected != now.current
        {
            return Err(CommandError::StaleVersion {
                what: "the objective",
                expected,
                current: now.current,
            });
        }
        if let Some(size) = now.magnitude {
            largest = Some(largest.map_or(size, |m| m.max(size)));
        }
        match &mut proposed {
            ProposedEffect::Rebaseline {
                milestone_version: v,
                ..
            }
            | ProposedEffect::CancelDependency {
                register_version: v,
                ..
            }
            | ProposedEffect::Supersede {
                decision_version: v,
                ..
            }
            | ProposedEffect::AcceptRisk {
                risk_version: v, ..
            }
            | ProposedEffect::ChangeObjective {
                objective_version: v,
                ..
            } => *v = now.current,
        }
        effects.push(proposed);
    }
    let magnitude = match request.kind {
        // Sized by their effects (the largest move, the highest score accepted): a size the
        // caller gives may only be larger, never route a decision past the forum it reaches.
        DecisionKind::Rebaseline | DecisionKind::RiskAcceptance | DecisionKind::ObjectiveChange => {
            match (request.magnitude, largest) {
                (Some(given), Some(computed)) => Some(given.max(computed)),
                (given, computed) => given.or(computed),
            }
        }
        _ => request.magnitude,
    };
    let routing = route(&charter.state.rights, request.kind, magnitude);
    let loaded = load::<Decision>(store, decision_id.0).await?;
    let command = DecisionCommand::Raise {
        decision_id,
        program_id,
        kind: request.kind,
        magnitude,
        question: request.question,
        context: request.context,
        options: request.options,
        recommendation: request.recommendation,
        effects,
        links: request.links,
        routing,
    };
    let events = decide_and_append(store, ctx, decision_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// The forum holding a decision, as the charter has it now.
fn forum_rules(charter: &Charter, decision: &Decision) -> Option<ForumRules> {
    decision
        .forum_id
        .and_then(|f| charter.forum(f))
        .map(|f| f.rules.clone())
}

pub async fn table_decision(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    decision_id: DecisionId,
    caller: Caller,
    session: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let loaded = decision_in(store, program_id, decision_id).await?;
    let rules = forum_rules(&charter.state, &loaded.state);
    let chairs = rules
        .as_ref()
        .is_some_and(|r| Some(r.chair) == caller.user_id);
    if !caller.governs && !chairs {
        return Err(forbidden(
            "tabling a decision needs the program manager role or the forum's chair",
        ));
    }
    let session = match (session, &rules) {
        (Some(s), _) => s,
        (None, Some(r)) => next_session(r, today).ok_or_else(|| {
            DomainError::Invalid(vec![FieldError::new(
                "session",
                "the forum has no next session by its cadence: name the session",
            )])
        })?,
        (None, None) => today,
    };
    if session < today {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "session",
            "a decision is tabled for a session to come",
        )])
        .into());
    }
    let command = DecisionCommand::Table { session };
    let events = decide_and_append(store, ctx, decision_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

pub async fn vote(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    decision_id: DecisionId,
    vote: Vote,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let loaded = decision_in(store, program_id, decision_id).await?;
    let Some(forum) = forum_rules(&charter.state, &loaded.state) else {
        return Err(DomainError::NothingToChange(
            "no forum holds this decision: the program manager decides it directly".into(),
        )
        .into());
    };
    let Some(voter) = ctx.actor_id else {
        return Err(forbidden("only a person votes"));
    };
    let command = DecisionCommand::Vote { voter, vote, forum };
    let events = decide_and_append(store, ctx, decision_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// Records a decision's outcome. An approval appends its effects atomically with it: the
/// approval on the decision's stream, each effect on its target's stream expecting the version
/// the decision was raised against, each with the approval event as its causation.
pub async fn decide_outcome(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    decision_id: DecisionId,
    caller: Caller,
    request: DecideRequest,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let loaded = decision_in(store, program_id, decision_id).await?;
    let loaded = loaded.expecting("the decision", request.expected_version)?;
    let forum = forum_rules(&charter.state, &loaded.state);
    if forum.is_none() && !caller.governs {
        return Err(forbidden(
            "no forum holds this decision, so it is the program manager's to take",
        ));
    }
    let Some(decider) = ctx.actor_id else {
        return Err(forbidden("only a person records a decision"));
    };
    let outcome = match request.outcome {
        OutcomeChoice::Approve => Outcome::Approve,
        OutcomeChoice::Reject => Outcome::Reject,
        OutcomeChoice::Defer => Outcome::Defer {
            until: request.until,
        },
    };
    let approving = outcome == Outcome::Approve;
    // The effects' reason names the decision, so the audit trail reads on its own.
    let reason = format!(
        "decision “{}”: {}",
        loaded.state.question,
        request.rationale.trim()
    );
    let mut effects = Vec::new();
    if approving {
        let mut batch = Batch::default();
        for (i, effect) in loaded.state.effects.iter().enumerate() {
            effects.push(
                effect_append(
                    store,
                    program_id,
                    i,
                    effect,
                    &reason,
                    decision_id,
                    &mut batch,
                )
                .await?,
            );
        }
    }
    let command = DecisionCommand::Decide {
        outcome,
        rationale: request.rationale,
        decider,
        forum,
        current_versions: effects.iter().map(|e| e.current).collect(),
    };
    let decision_events = loaded.state.decide(command)?;
    let metadata = ctx.metadata(None);
    // Ids fixed here (derived from an idempotency key if any): the effects name the outcome as
    // their cause.
    let ids = ctx.event_ids();
    let mut next_id = (0..).map(|i| ids.id(i));
    let outcome_events: Vec<NewEvent> = decision_events
        .iter()
        .zip(next_id.by_ref())
        .map(|(e, id)| NewEvent::with_id(id, e.encode(), metadata.clone()))
        .collect();
    let cause = outcome_events.last().map(|e| e.event_id.0);
    let mut streams = vec![StreamAppend {
        stream_id: decision_id.0,
        stream_type: DecisionEvent::STREAM_TYPE.to_string(),
        expected: ExpectedVersion::Exact(loaded.version),
        events: outcome_events,
    }];
    for effect in effects {
        let mut metadata = ctx.metadata(Some(reason.clone()));
        metadata.causation_id = cause;
        // Effects on different things of one stream (two objectives of the program, two
        // dependencies of the register) were each decided on the stream as it is: one part.
        if let Some(part) = streams.iter_mut().find(|s| s.stream_id == effect.stream_id) {
            part.events.extend(
                effect
                    .events
                    .into_iter()
                    .zip(next_id.by_ref())
                    .map(|(e, id)| NewEvent::with_id(id, e, metadata.clone())),
            );
            continue;
        }
        streams.push(StreamAppend {
            stream_id: effect.stream_id,
            stream_type: effect.stream_type.to_string(),
            expected: if effect.version == 0 {
                ExpectedVersion::NoStream
            } else {
                ExpectedVersion::Exact(effect.version)
            },
            events: effect
                .events
                .into_iter()
                .zip(next_id.by_ref())
                .map(|(e, id)| NewEvent::with_id(id, e, metadata.clone()))
                .collect(),
        });
    }
    let recorded = store
        .append(AppendRequest { streams })
        .await
        .map_err(|e| match e {
            AppendError::Conflict { .. } => CommandError::OutcomeRaced,
            other => other.into(),
        })?;
    let decision_event = recorded
        .iter()
        .rfind(|e| e.stream_id == decision_id.0)
        .ok_or_else(|| {
            CommandError::Internal("the outcome's event is missing from its append".into())
        })?;
    accepted(std::slice::from_ref(decision_event), program_id, None)
}
