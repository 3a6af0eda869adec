//! Governance commands: the charter (forums, decision rights, escalation path), decisions from
//! raising to outcome, and escalations. Approving a decision appends its effects (a re-baseline,
//! a dependency cancelled, an earlier decision superseded) in the same atomic append as the
//! approval, each with the approval as its causation, so every changed date leads back to the
//! decision and the people who took it.

use super::{CommandError, Loaded, accepted, decide_and_append, load};
use crate::error::ApiError;
use crate::event_store::{
    AppendError, AppendRequest, EventStore, ExpectedVersion, NewEvent, StoreError, StreamAppend,
};
use crate::request_context::RequestContext;
use chrono::{DateTime, Utc};
use throughline_shared::aggregate::Aggregate;
use throughline_shared::api::CommandAccepted;
use throughline_shared::dependency::{DependencyCommand, DependencyRegister, register_stream_id};
use throughline_shared::event::AggregateEvent;
use throughline_shared::governance::charter::{
    Charter, CharterCommand, ForumDraft, Person, RightDraft, charter_stream,
};
use throughline_shared::governance::decision::{
    Decision, DecisionCommand, DecisionEvent, Outcome, ProposedEffect,
};
use throughline_shared::governance::escalation::{
    Escalation, EscalationCommand, EscalationEvent, ItemRef,
};
use throughline_shared::governance::forum::ForumRules;
use throughline_shared::governance::requests::{
    AttendanceRequest, DecideRequest, DecisionRightsRequest, EffectRequest, EscalateRequest,
    EscalationPathRequest, EscalationStepRequest, OutcomeChoice, RaiseDecisionRequest,
    SaveForumRequest,
};
use throughline_shared::governance::rights::{DecisionKind, check_direct, days_moved, route};
use throughline_shared::governance::session::{Agenda, ReviewSession, SessionCommand};
use throughline_shared::ids::{DecisionId, EscalationId, ForumId, SessionId};
use throughline_shared::milestone::{Milestone, MilestoneCommand};
use throughline_shared::view::ProgramView;
use throughline_shared::{DomainError, FieldError, ProgramId, UserId};
use uuid::Uuid;

/// Whether the caller holds the program manager's right to govern (looked up by the route).
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub user_id: Option<UserId>,
    pub governs: bool,
}

fn forbidden(why: &str) -> CommandError {
    CommandError::Api(ApiError::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "forbidden",
        format!("you may not do this: {why}"),
    ))
}

async fn charter_of(
    store: &EventStore,
    program_id: ProgramId,
) -> Result<Loaded<Charter>, CommandError> {
    super::existing_program(store, program_id, None).await?;
    load::<Charter>(store, charter_stream(program_id)).await
}

async fn charter_command(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    expected_version: Option<i64>,
    command: CharterCommand,
) -> Result<CommandAccepted, CommandError> {
    let loaded = charter_of(store, program_id).await?;
    let loaded = loaded.expecting("the governance charter", expected_version)?;
    let events = decide_and_append(
        store,
        ctx,
        charter_stream(program_id),
        loaded,
        command,
        None,
    )
    .await?;
    accepted(&events, program_id, None)
}

/// Establishes a forum (`forum_id` absent) or revises one.
pub async fn save_forum(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    forum_id: Option<ForumId>,
    request: SaveForumRequest,
) -> Result<CommandAccepted, CommandError> {
    if let Some(id) = forum_id {
        let charter = charter_of(store, program_id).await?;
        if charter.state.forum(id).is_none() {
            return Err(DomainError::NotFound(format!("forum {id}")).into());
        }
    }
    let mut ids: Vec<Uuid> = std::iter::once(request.chair)
        .chain(request.members.iter().copied())
        .map(|u| u.0)
        .collect();
    ids.dedup();
    // Only people with a role in the program can sit on its forums.
    let named: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT DISTINCT u.user_id, u.display_name FROM users u \
         JOIN program_members m ON m.user_id = u.user_id \
         WHERE m.program_id = $1 AND u.user_id = ANY($2) AND u.active",
    )
    .bind(program_id.0)
    .bind(&ids)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    let people = ids
        .iter()
        .map(|id| {
            let name = named.iter().find(|(u, _)| u == id).map(|(_, n)| n.clone());
            (UserId(*id), name)
        })
        .collect();
    let forum_id = forum_id.unwrap_or_else(|| ForumId::from_uuid(Uuid::new_v4()));
    let command = CharterCommand::SaveForum {
        program_id,
        forum_id,
        draft: ForumDraft {
            name: request.name,
            purpose: request.purpose,
            rules: ForumRules {
                chair: request.chair,
                members: request.members,
                quorum: request.quorum,
                cadence: request.cadence,
                first_session: request.first_session,
                decision_sla_days: request.decision_sla_days,
            },
            people,
        },
    };
    let mut accepted =
        charter_command(store, ctx, program_id, request.expected_version, command).await?;
    accepted.stream_id = forum_id.0;
    Ok(accepted)
}

pub async fn set_decision_rights(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: DecisionRightsRequest,
) -> Result<CommandAccepted, CommandError> {
    let rights = request
        .rights
        .into_iter()
        .map(|r| RightDraft {
            kind: r.kind,
            threshold: r.threshold,
            forum_id: r.forum_id,
        })
        .collect();
    let command = CharterCommand::SetDecisionRights { program_id, rights };
    charter_command(store, ctx, program_id, request.expected_version, command).await
}

pub async fn set_escalation_path(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: EscalationPathRequest,
) -> Result<CommandAccepted, CommandError> {
    let command = CharterCommand::SetEscalationPath {
        program_id,
        levels: request.levels,
    };
    charter_command(store, ctx, program_id, request.expected_version, command).await
}

async fn decision_in(
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

async fn milestone_in(
    store: &EventStore,
    program_id: ProgramId,
    effect: usize,
    milestone_id: throughline_shared::ids::MilestoneId,
) -> Result<Loaded<Milestone>, CommandError> {
    let loaded = load::<Milestone>(store, milestone_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(DomainError::Invalid(vec![FieldError::new(
            format!("effects[{effect}].milestone_id"),
            "is not a milestone of this program",
        )])
        .into());
    }
    Ok(loaded)
}

/// Prefixes the field names of a refused effect so the caller sees which effect it was.
fn in_effect(i: usize, e: DomainError) -> CommandError {
    match e {
        DomainError::Invalid(fields) => DomainError::Invalid(
            fields
                .into_iter()
                .map(|f| FieldError::new(format!("effects[{i}].{}", f.field), f.message))
                .collect(),
        )
        .into(),
        DomainError::NothingToChange(m) | DomainError::NotFound(m) => {
            DomainError::Invalid(vec![FieldError::new(format!("effects[{i}]"), m)]).into()
        }
        other => other.into(),
    }
}

/// What an effect would append to its target, decided against the target as it is now.
struct EffectAppend {
    stream_id: Uuid,
    stream_type: &'static str,
    version: i64,
    events: Vec<throughline_shared::event::EncodedEvent>,
    /// For a re-baseline: how many days the milestone's baseline (or forecast) moves.
    moved_days: Option<i64>,
}

fn decided<A: Aggregate>(
    i: usize,
    stream_id: Uuid,
    loaded: &Loaded<A>,
    command: A::Command,
) -> Result<EffectAppend, CommandError> {
    let events = loaded.state.decide(command).map_err(|e| in_effect(i, e))?;
    Ok(EffectAppend {
        stream_id,
        stream_type: A::Event::STREAM_TYPE,
        version: loaded.version,
        events: events.iter().map(AggregateEvent::encode).collect(),
        moved_days: None,
    })
}

/// Decides what `effect` appends on approval, and the version of its target now.
async fn effect_append(
    store: &EventStore,
    program_id: ProgramId,
    i: usize,
    effect: &ProposedEffect,
    reason: &str,
    decision_id: DecisionId,
) -> Result<EffectAppend, CommandError> {
    match effect {
        ProposedEffect::Rebaseline {
            milestone_id, to, ..
        } => {
            let loaded = milestone_in(store, program_id, i, *milestone_id).await?;
            let from = loaded.state.baseline.or(loaded.state.forecast);
            let command = MilestoneCommand::Baseline {
                to: Some(*to),
                reason: Some(reason.to_string()),
            };
            let mut append = decided(i, milestone_id.0, &loaded, command)?;
            append.moved_days = from.map(|from| days_moved(from, *to));
            Ok(append)
        }
        ProposedEffect::CancelDependency { dependency_id, .. } => {
            let stream = register_stream_id(program_id);
            let loaded = load::<DependencyRegister>(store, stream).await?;
            let command = DependencyCommand::Cancel {
                dependency_id: *dependency_id,
                reason: Some(reason.to_string()),
            };
            decided(i, stream, &loaded, command)
        }
        ProposedEffect::Supersede {
            decision_id: earlier,
            ..
        } => {
            let loaded = decision_in(store, program_id, *earlier)
                .await
                .map_err(|_| in_effect(i, DomainError::NotFound(format!("decision {earlier}"))))?;
            decided(
                i,
                earlier.0,
                &loaded,
                DecisionCommand::Supersede { by: decision_id },
            )
        }
    }
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
    let mut largest_move: Option<i64> = None;
    for (i, effect) in request.effects.into_iter().enumerate() {
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
        };
        let now = effect_append(store, program_id, i, &proposed, "raised", decision_id).await?;
        if let Some(days) = now.moved_days {
            largest_move = Some(largest_move.map_or(days, |m| m.max(days)));
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
            } => *v = now.version,
        }
        effects.push(proposed);
    }
    let magnitude = match (request.magnitude, request.kind) {
        (Some(m), _) => Some(m),
        (None, DecisionKind::Rebaseline) => largest_move,
        (None, _) => None,
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

/// A change made directly, which the decision rights may give to a forum.
pub struct DirectChange {
    pub kind: DecisionKind,
    pub magnitude: Option<i64>,
    /// The decision to raise instead: its question and the change as its effect.
    pub question: String,
    pub effect: EffectRequest,
}

/// Refuses a change made directly that the program's decision rights give to a forum — decided by
/// `rights::check_direct`, i.e. by `route`, the rule that routes a raised decision — with
/// `422 decision_required` naming the forum, and the decision to raise in
/// `details.suggested_request`. An approved decision's effects are decided in `decide_outcome`
/// and do not come through here.
pub async fn require_direct(
    store: &EventStore,
    program_id: ProgramId,
    change: DirectChange,
) -> Result<(), CommandError> {
    let charter = load::<Charter>(store, charter_stream(program_id)).await?;
    let Err(required) = check_direct(&charter.state.rights, change.kind, change.magnitude) else {
        return Ok(());
    };
    let forum_id = required.routing.forum_id;
    let forum = charter
        .state
        .forum(forum_id)
        .map(|f| f.name.clone())
        .or_else(|| {
            charter
                .state
                .rights
                .iter()
                .find(|r| r.forum_id == forum_id)
                .map(|r| r.forum_name.clone())
        })
        .unwrap_or_else(|| forum_id.to_string());
    let mut details = serde_json::json!({
        "forum_id": forum_id,
        "forum": forum,
        "kind": change.kind,
        "magnitude": change.magnitude,
        "reason": required.routing.reason,
        "raise_at": format!("/api/programs/{program_id}/decisions"),
        "suggested_request": {
            "kind": change.kind,
            "question": change.question,
            "options": [{"title": "Make the change"}, {"title": "Keep things as they are"}],
            "effects": [change.effect],
        },
    });
    if change.kind == DecisionKind::Rebaseline {
        // A raised re-baseline's magnitude is computed from its effect, as the target is then.
        details["magnitude_days"] = serde_json::json!(change.magnitude);
    } else if let Some(magnitude) = change.magnitude {
        details["suggested_request"]["magnitude"] = serde_json::json!(magnitude);
    }
    Err(CommandError::Api(
        ApiError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "decision_required",
            required.message(&forum),
        )
        .with_details(details),
    ))
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
    vote: throughline_shared::governance::decision::Vote,
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
        for (i, effect) in loaded.state.effects.iter().enumerate() {
            effects.push(effect_append(store, program_id, i, effect, &reason, decision_id).await?);
        }
    }
    let command = DecisionCommand::Decide {
        outcome,
        rationale: request.rationale,
        decider,
        forum,
        current_versions: effects.iter().map(|e| e.version).collect(),
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
            AppendError::Conflict { .. } => CommandError::Api(ApiError::new(
                actix_web::http::StatusCode::CONFLICT,
                "version_conflict",
                "the decision or something its effects change was changed at the same moment; \
                 reload and decide again",
            )),
            other => other.into(),
        })?;
    let decision_event = recorded
        .iter()
        .rfind(|e| e.stream_id == decision_id.0)
        .ok_or_else(|| ApiError::internal("the outcome's event is missing from its append"))?;
    accepted(std::slice::from_ref(decision_event), program_id, None)
}

/// What an escalated item is called, from the program as it is now.
fn subject_label(
    view: &ProgramView,
    decisions: &[(DecisionId, String)],
    subject: ItemRef,
) -> Option<String> {
    match subject {
        ItemRef::Milestone(id) => view.milestone(id).map(|m| m.name.clone()),
        ItemRef::Project(id) => view.project(id).map(|p| p.name.clone()),
        ItemRef::Dependency(id) => view.dependency(id).map(|d| {
            let name = |m| {
                view.milestone(m)
                    .map_or("?", |m| m.name.as_str())
                    .to_string()
            };
            format!("{} → {}", name(d.provider), name(d.consumer))
        }),
        ItemRef::Decision(id) => decisions
            .iter()
            .find(|(d, _)| *d == id)
            .map(|(_, q)| q.clone()),
    }
}

pub async fn escalate(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    view: &ProgramView,
    decisions: &[(DecisionId, String)],
    request: EscalateRequest,
    now: DateTime<Utc>,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let Some(label) = subject_label(view, decisions, request.subject) else {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "subject",
            "is not an item of this program",
        )])
        .into());
    };
    let escalation_id = EscalationId::from_uuid(Uuid::new_v4());
    let loaded = load::<Escalation>(store, escalation_id.0).await?;
    let command = EscalationCommand::Raise {
        escalation_id,
        program_id,
        subject: request.subject,
        subject_label: label,
        reason: request.reason,
        levels: charter.state.escalation_path.clone(),
        now,
    };
    let events = decide_and_append(store, ctx, escalation_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

async fn escalation_in(
    store: &EventStore,
    program_id: ProgramId,
    escalation_id: EscalationId,
) -> Result<Loaded<Escalation>, CommandError> {
    let loaded = load::<Escalation>(store, escalation_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(DomainError::NotFound(format!(
            "escalation {escalation_id} in program {program_id}"
        ))
        .into());
    }
    Ok(loaded)
}

/// Moves an escalation up (`resolve` false) or resolves it.
pub async fn escalation_step(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    escalation_id: EscalationId,
    resolve: bool,
    request: EscalationStepRequest,
    now: DateTime<Utc>,
) -> Result<CommandAccepted, CommandError> {
    let loaded = escalation_in(store, program_id, escalation_id).await?;
    let loaded = loaded.expecting("the escalation", request.expected_version)?;
    let command = if resolve {
        EscalationCommand::Resolve {
            resolution: request.text,
        }
    } else {
        EscalationCommand::MoveUp {
            reason: request.text,
            now,
        }
    };
    let events = decide_and_append(store, ctx, escalation_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// The scheduled SLA check: moves every open escalation whose response time has run out by `now`
/// one level up. Safe to run on several instances at once and again after a restart: each step
/// is appended expecting the version it was decided on, so of two instances moving the same
/// escalation only one succeeds; the other's conflict is expected and ignored. Returns how many
/// escalations this call moved.
pub async fn check_escalations(
    store: &EventStore,
    now: DateTime<Utc>,
) -> Result<usize, CommandError> {
    let streams: Vec<Uuid> = sqlx::query_scalar(
        "SELECT s.stream_id FROM streams s WHERE s.stream_type = $1 \
         AND NOT EXISTS (SELECT 1 FROM events e \
                         WHERE e.stream_id = s.stream_id AND e.event_type = 'EscalationResolved') \
         ORDER BY s.stream_id",
    )
    .bind(EscalationEvent::STREAM_TYPE)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    let ctx = RequestContext::system("escalation-sla-check");
    let mut moved = 0;
    for stream in streams {
        // At this version: racing instances must move it once, not once each.
        let loaded = load::<Escalation>(store, stream).await?.at_this_version();
        if !loaded.state.is_overdue(now) {
            continue;
        }
        match decide_and_append(
            store,
            &ctx,
            stream,
            loaded,
            EscalationCommand::CheckSla { now },
            None,
        )
        .await
        {
            Ok(_) => moved += 1,
            // At the top of its path: flagged as overdue, nowhere further to go.
            Err(CommandError::Domain(DomainError::NothingToChange(_))) => {}
            // Another instance moved it first.
            Err(CommandError::Append(AppendError::Conflict { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}

/// The forum's next session on or after `today`, by its cadence; `None` only where the cadence
/// runs past the calendar's end (a forum recorded with an absurd first session).
pub fn next_session(rules: &ForumRules, today: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
    rules
        .cadence
        .sessions_from(rules.first_session, today, 1)
        .first()
        .copied()
}

/// Opens a session of `forum_id` with the agenda the caller assembled (the program manager or the
/// forum's chair).
pub async fn open_session(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    forum_id: ForumId,
    caller: Caller,
    date: chrono::NaiveDate,
    agenda: Agenda,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let Some(forum) = charter.state.forum(forum_id) else {
        return Err(DomainError::NotFound(format!("forum {forum_id}")).into());
    };
    if !caller.governs && Some(forum.rules.chair) != caller.user_id {
        return Err(forbidden(
            "holding a session needs the program manager role or the forum's chair",
        ));
    }
    let session_id = SessionId::from_uuid(Uuid::new_v4());
    let loaded = load::<ReviewSession>(store, session_id.0).await?;
    let command = SessionCommand::Open {
        session_id,
        program_id,
        forum_id,
        date,
        agenda,
    };
    let events = decide_and_append(store, ctx, session_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// What a session command needs besides the command: the forum's people, for attendance.
pub enum SessionStep {
    Attendance(AttendanceRequest),
    Command(SessionCommand),
}

/// Records attendance, minutes, an action, an action's status, or closes the session. The
/// program manager and the forum's chair keep the record; an action's owner-side status can be
/// changed by anyone who may raise decisions (`action_writer`).
pub async fn session_step(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    session_id: SessionId,
    caller: Caller,
    action_writer: bool,
    step: SessionStep,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let loaded = load::<ReviewSession>(store, session_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(
            DomainError::NotFound(format!("session {session_id} in program {program_id}")).into(),
        );
    }
    let forum = loaded
        .state
        .forum_id
        .and_then(|f| charter.state.forum(f))
        .ok_or_else(|| DomainError::NotFound("the session's forum".into()))?;
    let chairs = Some(forum.rules.chair) == caller.user_id;
    let keeps_record = caller.governs || chairs;
    let command = match step {
        SessionStep::Attendance(request) => {
            let named = |ids: &[UserId], field: &str| -> Result<Vec<Person>, CommandError> {
                ids.iter()
                    .map(|id| {
                        forum
                            .people
                            .iter()
                            .find(|p| p.user_id == *id)
                            .cloned()
                            .ok_or_else(|| {
                                DomainError::Invalid(vec![FieldError::new(
                                    field,
                                    format!("user {id} does not sit on {}", forum.name),
                                )])
                                .into()
                            })
                    })
                    .collect()
            };
            SessionCommand::RecordAttendance {
                present: named(&request.present, "present")?,
                apologies: named(&request.apologies, "apologies")?,
            }
        }
        SessionStep::Command(command) => command,
    };
    let allowed = match command {
        SessionCommand::ChangeAction { .. } => keeps_record || action_writer,
        _ => keeps_record,
    };
    if !allowed {
        return Err(forbidden(
            "keeping a session's record needs the program manager role or the forum's chair",
        ));
    }
    let mut accepted_at = accepted(
        &decide_and_append(store, ctx, session_id.0, loaded, command, None).await?,
        program_id,
        None,
    )?;
    accepted_at.stream_id = session_id.0;
    Ok(accepted_at)
}
