//! A decision, from question to outcome: raised (routed to a forum by the decision rights),
//! tabled for a session (in review), voted on by the forum's members, then approved, rejected or
//! deferred; an approved decision can later be superseded by another. Approving checks the
//! quorum and that the effects it proposes still apply to what they change: an effect whose
//! target moved on since the decision was raised is refused, never applied blindly.

use super::escalation::ItemRef;
use super::forum::ForumRules;
use super::rights::DecisionKind;
use crate::error::{DomainError, NAME_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{
    DecisionId, DependencyId, ForumId, MilestoneId, ObjectiveId, ProgramId, RiskId, UserId,
};
use crate::program::ObjectiveDraft;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionOption {
    pub title: String,
    #[serde(default)]
    pub pros: String,
    #[serde(default)]
    pub cons: String,
}

/// The most options, effects or links one decision may carry.
pub const LIST_MAX: usize = 50;

/// A change the decision makes when approved, with the version of its target it was raised
/// against.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "effect", try_from = "FlatEffect")]
pub enum ProposedEffect {
    Rebaseline {
        milestone_id: MilestoneId,
        to: NaiveDate,
        milestone_version: i64,
    },
    CancelDependency {
        dependency_id: DependencyId,
        register_version: i64,
    },
    /// Approving this decision supersedes an earlier approved one.
    Supersede {
        decision_id: DecisionId,
        decision_version: i64,
    },
    /// Approving this decision accepts a risk (above the program's appetite, typically).
    AcceptRisk { risk_id: RiskId, risk_version: i64 },
    /// Approving this decision adds an objective (version 0, its id chosen when raised),
    /// revises it to `terms`, or retires it (no `terms`).
    ChangeObjective {
        objective_id: ObjectiveId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        terms: Option<ObjectiveDraft>,
        objective_version: i64,
    },
}

/// The stored form of an effect, read as one flat object: the same JSON serde's internally tagged
/// enum reads, without the buffering deserializer it generates (12 KB of the browser's wasm).
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum EffectKind {
    Rebaseline,
    CancelDependency,
    Supersede,
    AcceptRisk,
    ChangeObjective,
}

#[derive(Deserialize)]
struct FlatEffect {
    effect: EffectKind,
    milestone_id: Option<MilestoneId>,
    to: Option<NaiveDate>,
    milestone_version: Option<i64>,
    dependency_id: Option<DependencyId>,
    register_version: Option<i64>,
    decision_id: Option<DecisionId>,
    decision_version: Option<i64>,
    risk_id: Option<RiskId>,
    risk_version: Option<i64>,
    objective_id: Option<ObjectiveId>,
    terms: Option<ObjectiveDraft>,
    objective_version: Option<i64>,
}

impl TryFrom<FlatEffect> for ProposedEffect {
    type Error = String;

    fn try_from(f: FlatEffect) -> Result<Self, String> {
        let missing = |field: &str| format!("the effect lacks `{field}`");
        Ok(match f.effect {
            EffectKind::Rebaseline => ProposedEffect::Rebaseline {
                milestone_id: f.milestone_id.ok_or_else(|| missing("milestone_id"))?,
                to: f.to.ok_or_else(|| missing("to"))?,
                milestone_version: f
                    .milestone_version
                    .ok_or_else(|| missing("milestone_version"))?,
            },
            EffectKind::CancelDependency => ProposedEffect::CancelDependency {
                dependency_id: f.dependency_id.ok_or_else(|| missing("dependency_id"))?,
                register_version: f
                    .register_version
                    .ok_or_else(|| missing("register_version"))?,
            },
            EffectKind::Supersede => ProposedEffect::Supersede {
                decision_id: f.decision_id.ok_or_else(|| missing("decision_id"))?,
                decision_version: f
                    .decision_version
                    .ok_or_else(|| missing("decision_version"))?,
            },
            EffectKind::AcceptRisk => ProposedEffect::AcceptRisk {
                risk_id: f.risk_id.ok_or_else(|| missing("risk_id"))?,
                risk_version: f.risk_version.ok_or_else(|| missing("risk_version"))?,
            },
            EffectKind::ChangeObjective => ProposedEffect::ChangeObjective {
                objective_id: f.objective_id.ok_or_else(|| missing("objective_id"))?,
                terms: f.terms,
                objective_version: f
                    .objective_version
                    .ok_or_else(|| missing("objective_version"))?,
            },
        })
    }
}

impl ProposedEffect {
    pub fn describe(&self) -> String {
        match self {
            ProposedEffect::Rebaseline {
                milestone_id, to, ..
            } => {
                format!("re-baseline of milestone {milestone_id} to {to}")
            }
            ProposedEffect::CancelDependency { dependency_id, .. } => {
                format!("cancellation of dependency {dependency_id}")
            }
            ProposedEffect::Supersede { decision_id, .. } => {
                format!("supersession of decision {decision_id}")
            }
            ProposedEffect::AcceptRisk { risk_id, .. } => {
                format!("acceptance of risk {risk_id}")
            }
            ProposedEffect::ChangeObjective {
                objective_id,
                terms,
                objective_version,
            } => match (terms, objective_version) {
                (None, _) => format!("retirement of objective {objective_id}"),
                (Some(t), 0) => format!("addition of the objective “{}”", t.title),
                (Some(_), _) => format!("revision of objective {objective_id}"),
            },
        }
    }

    /// What the effect changes: a milestone, a dependency, a decision, a risk, an objective.
    /// A decision changes each at most once.
    pub fn target(&self) -> uuid::Uuid {
        match self {
            ProposedEffect::Rebaseline { milestone_id, .. } => milestone_id.0,
            ProposedEffect::CancelDependency { dependency_id, .. } => dependency_id.0,
            ProposedEffect::Supersede { decision_id, .. } => decision_id.0,
            ProposedEffect::AcceptRisk { risk_id, .. } => risk_id.0,
            ProposedEffect::ChangeObjective { objective_id, .. } => objective_id.0,
        }
    }

    pub fn expected_version(&self) -> i64 {
        match self {
            ProposedEffect::Rebaseline {
                milestone_version, ..
            } => *milestone_version,
            ProposedEffect::CancelDependency {
                register_version, ..
            } => *register_version,
            ProposedEffect::Supersede {
                decision_version, ..
            } => *decision_version,
            ProposedEffect::AcceptRisk { risk_version, .. } => *risk_version,
            ProposedEffect::ChangeObjective {
                objective_version, ..
            } => *objective_version,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Vote {
    Approve,
    Reject,
    Abstain,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionState {
    Proposed,
    InReview,
    Approved,
    Rejected,
    Deferred,
    Superseded,
}

/// Facts about a decision. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionEvent {
    DecisionRaised {
        decision_id: DecisionId,
        program_id: ProgramId,
        kind: DecisionKind,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        magnitude: Option<i64>,
        question: String,
        #[serde(default)]
        context: String,
        options: Vec<DecisionOption>,
        /// Index into `options`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        recommendation: Option<usize>,
        #[serde(default)]
        effects: Vec<ProposedEffect>,
        /// The items it concerns (beyond those its effects change).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        links: Vec<ItemRef>,
        /// Where the decision rights sent it (absent: the program manager decides) and why.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        forum_id: Option<ForumId>,
        routing_reason: String,
    },
    DecisionTabled {
        decision_id: DecisionId,
        program_id: ProgramId,
        session: NaiveDate,
    },
    DecisionVoteCast {
        decision_id: DecisionId,
        program_id: ProgramId,
        voter: UserId,
        vote: Vote,
    },
    DecisionApproved {
        decision_id: DecisionId,
        program_id: ProgramId,
        rationale: String,
        decided_by: Vec<UserId>,
    },
    DecisionRejected {
        decision_id: DecisionId,
        program_id: ProgramId,
        rationale: String,
        decided_by: Vec<UserId>,
    },
    DecisionDeferred {
        decision_id: DecisionId,
        program_id: ProgramId,
        rationale: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<NaiveDate>,
    },
    DecisionSuperseded {
        decision_id: DecisionId,
        program_id: ProgramId,
        by: DecisionId,
    },
}

impl AggregateEvent for DecisionEvent {
    const STREAM_TYPE: &'static str = "decision";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            DecisionEvent::DecisionRaised { program_id, .. }
            | DecisionEvent::DecisionTabled { program_id, .. }
            | DecisionEvent::DecisionVoteCast { program_id, .. }
            | DecisionEvent::DecisionApproved { program_id, .. }
            | DecisionEvent::DecisionRejected { program_id, .. }
            | DecisionEvent::DecisionDeferred { program_id, .. }
            | DecisionEvent::DecisionSuperseded { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decision {
    pub id: Option<DecisionId>,
    pub program_id: Option<ProgramId>,
    pub state: Option<DecisionState>,
    pub forum_id: Option<ForumId>,
    pub effects: Vec<ProposedEffect>,
    /// The latest vote of each voter.
    pub votes: Vec<(UserId, Vote)>,
    /// The question, for the reason recorded with the effects.
    pub question: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Approve,
    Reject,
    Defer { until: Option<NaiveDate> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecisionCommand {
    Raise {
        decision_id: DecisionId,
        program_id: ProgramId,
        kind: DecisionKind,
        magnitude: Option<i64>,
        question: String,
        context: String,
        options: Vec<DecisionOption>,
        recommendation: Option<usize>,
        effects: Vec<ProposedEffect>,
        links: Vec<ItemRef>,
        /// From `rights::route`, done by the caller with the program's rules.
        routing: Option<super::rights::Routing>,
    },
    Table {
        session: NaiveDate,
    },
    Vote {
        voter: UserId,
        vote: Vote,
        /// The forum's rules, looked up by the caller.
        forum: ForumRules,
    },
    Decide {
        outcome: Outcome,
        rationale: String,
        decider: UserId,
        /// The forum's rules; `None` when no forum holds the right (the program manager decides).
        forum: Option<ForumRules>,
        /// The current version of each effect's target, in the order of the effects.
        current_versions: Vec<i64>,
    },
    Supersede {
        by: DecisionId,
    },
}

impl Decision {
    pub fn apply(&mut self, event: &DecisionEvent) {
        match event {
            DecisionEvent::DecisionRaised {
                decision_id,
                program_id,
                effects,
                forum_id,
                question,
                ..
            } => {
                self.question = question.clone();
                self.id = Some(*decision_id);
                self.program_id = Some(*program_id);
                self.state = Some(DecisionState::Proposed);
                self.forum_id = *forum_id;
                self.effects = effects.clone();
            }
            DecisionEvent::DecisionTabled { .. } => self.state = Some(DecisionState::InReview),
            DecisionEvent::DecisionVoteCast { voter, vote, .. } => {
                self.votes.retain(|(v, _)| v != voter);
                self.votes.push((*voter, *vote));
            }
            DecisionEvent::DecisionApproved { .. } => self.state = Some(DecisionState::Approved),
            DecisionEvent::DecisionRejected { .. } => self.state = Some(DecisionState::Rejected),
            DecisionEvent::DecisionDeferred { .. } => {
                self.state = Some(DecisionState::Deferred);
                // A deferred item comes back with a fresh vote.
                self.votes.clear();
            }
            DecisionEvent::DecisionSuperseded { .. } => {
                self.state = Some(DecisionState::Superseded)
            }
        }
    }

    fn count(&self, forum: &ForumRules, vote: Vote) -> usize {
        self.votes
            .iter()
            .filter(|(voter, v)| *v == vote && forum.is_member(*voter))
            .count()
    }

    pub fn decide(&self, command: DecisionCommand) -> Result<Vec<DecisionEvent>, DomainError> {
        if let DecisionCommand::Raise {
            decision_id,
            program_id,
            kind,
            magnitude,
            question,
            context,
            options,
            recommendation,
            effects,
            links,
            routing,
        } = command
        {
            if self.id.is_some() {
                return Err(DomainError::AlreadyExists(format!(
                    "decision {decision_id}"
                )));
            }
            let mut v = Validator::new();
            let question = v.required_text("question", &question, NAME_MAX);
            let context = v.optional_text("context", &context, TEXT_MAX);
            let options: Vec<DecisionOption> = options
                .into_iter()
                .enumerate()
                .map(|(i, o)| DecisionOption {
                    title: v.required_text(&format!("options[{i}].title"), &o.title, NAME_MAX),
                    pros: v.optional_text(&format!("options[{i}].pros"), &o.pros, TEXT_MAX),
                    cons: v.optional_text(&format!("options[{i}].cons"), &o.cons, TEXT_MAX),
                })
                .collect();
            if options.len() < 2 {
                v.push(
                    "options",
                    "a decision needs at least two options to choose from",
                );
            }
            if recommendation.is_some_and(|r| r >= options.len()) {
                v.push("recommendation", "is not one of the options");
            }
            for (field, len) in [
                ("options", options.len()),
                ("effects", effects.len()),
                ("links", links.len()),
            ] {
                if len > LIST_MAX {
                    v.push(field, format!("at most {LIST_MAX} (got {len})"));
                }
            }
            for (i, effect) in effects.iter().enumerate() {
                if let ProposedEffect::Rebaseline { to, .. } = effect {
                    v.date(&format!("effects[{i}].to"), *to);
                }
            }
            v.finish()?;
            let (forum_id, routing_reason) = match routing {
                Some(r) => (Some(r.forum_id), r.reason),
                None => (
                    None,
                    "no decision right applies: the program manager decides".into(),
                ),
            };
            return Ok(vec![DecisionEvent::DecisionRaised {
                decision_id,
                program_id,
                kind,
                magnitude,
                question,
                context,
                options,
                recommendation,
                effects,
                links,
                forum_id,
                routing_reason,
            }]);
        }
        let (Some(decision_id), Some(program_id), Some(state)) =
            (self.id, self.program_id, self.state)
        else {
            return Err(DomainError::NotFound("decision".into()));
        };
        let closed = |what: &str| {
            DomainError::NothingToChange(
                format!("the decision is {state:?}; it cannot be {what}").to_lowercase(),
            )
        };
        match command {
            DecisionCommand::Raise { .. } => Err(DomainError::AlreadyExists(format!(
                "decision {decision_id}"
            ))),
            DecisionCommand::Table { session } if !crate::date::in_plan_range(session) => {
                let mut v = Validator::new();
                v.date("session", session);
                Err(v.fail())
            }
            DecisionCommand::Table { session } => match state {
                DecisionState::Proposed | DecisionState::Deferred if self.forum_id.is_some() => {
                    Ok(vec![DecisionEvent::DecisionTabled {
                        decision_id,
                        program_id,
                        session,
                    }])
                }
                DecisionState::Proposed | DecisionState::Deferred => {
                    Err(DomainError::NothingToChange(
                        "no forum holds this decision: the program manager decides it directly"
                            .into(),
                    ))
                }
                _ => Err(closed("tabled")),
            },
            DecisionCommand::Vote { voter, vote, forum } => {
                if state != DecisionState::InReview {
                    return Err(closed("voted on"));
                }
                if !forum.is_member(voter) {
                    let mut v = Validator::new();
                    v.push("voter", "only the forum's members vote");
                    v.finish()?;
                }
                if self.votes.contains(&(voter, vote)) {
                    return Err(DomainError::NothingToChange(
                        "that vote is already cast".into(),
                    ));
                }
                Ok(vec![DecisionEvent::DecisionVoteCast {
                    decision_id,
                    program_id,
                    voter,
                    vote,
                }])
            }
            DecisionCommand::Decide {
                outcome,
                rationale,
                decider,
                forum,
                current_versions,
            } => {
                let mut v = Validator::new();
                let rationale = v.required_text("rationale", &rationale, TEXT_MAX);
                v.finish()?;
                let decided_by = match (&forum, state) {
                    (Some(forum), DecisionState::InReview) => {
                        if !forum.is_member(decider) {
                            let mut v = Validator::new();
                            v.push("decider", "only a member of the forum records its outcome");
                            v.finish()?;
                        }
                        let (yes, no) = (
                            self.count(forum, Vote::Approve),
                            self.count(forum, Vote::Reject),
                        );
                        let voted = self
                            .votes
                            .iter()
                            .filter(|(u, _)| forum.is_member(*u))
                            .count();
                        if voted < forum.quorum as usize
                            && !matches!(outcome, Outcome::Defer { .. })
                        {
                            return Err(DomainError::Invalid(vec![crate::FieldError::new(
                                "outcome",
                                format!("no quorum: {voted} of the {} votes needed", forum.quorum),
                            )]));
                        }
                        // A tie rejects, but a rejection, like an approval, needs votes that
                        // carry it: with none either way the forum defers.
                        let (supported, carried_by) = match outcome {
                            Outcome::Approve => (yes > no, Some(Vote::Approve)),
                            Outcome::Reject => (no >= yes && no > 0, Some(Vote::Reject)),
                            Outcome::Defer { .. } => (true, None),
                        };
                        if !supported {
                            return Err(DomainError::Invalid(vec![crate::FieldError::new(
                                "outcome",
                                format!(
                                    "the votes ({yes} for, {no} against) do not carry this outcome"
                                ),
                            )]));
                        }
                        // The evidence: whose votes carried the outcome, not everyone who
                        // voted (a member who voted the other way did not decide it).
                        self.votes
                            .iter()
                            .filter(|(u, v)| forum.is_member(*u) && Some(*v) == carried_by)
                            .map(|(u, _)| *u)
                            .collect()
                    }
                    (Some(_), DecisionState::Proposed | DecisionState::Deferred) => {
                        return Err(DomainError::NothingToChange(
                            "the decision must be tabled at a session of its forum first".into(),
                        ));
                    }
                    (
                        None,
                        DecisionState::Proposed | DecisionState::Deferred | DecisionState::InReview,
                    ) => {
                        vec![decider]
                    }
                    _ => return Err(closed("decided again")),
                };
                match outcome {
                    Outcome::Approve => {
                        if current_versions.len() != self.effects.len() {
                            return Err(DomainError::NotFound(
                                "the current state of an effect's target".into(),
                            ));
                        }
                        let stale: Vec<String> = self
                            .effects
                            .iter()
                            .zip(&current_versions)
                            .filter(|(e, current)| e.expected_version() != **current)
                            .map(|(e, current)| {
                                format!(
                                    "the {} was raised against version {}, it is now at {current}",
                                    e.describe(),
                                    e.expected_version()
                                )
                            })
                            .collect();
                        if !stale.is_empty() {
                            return Err(DomainError::Invalid(vec![crate::FieldError::new(
                                "effects",
                                format!(
                                    "{}: raise the decision again (or supersede it) with the current state",
                                    stale.join("; ")
                                ),
                            )]));
                        }
                        Ok(vec![DecisionEvent::DecisionApproved {
                            decision_id,
                            program_id,
                            rationale,
                            decided_by,
                        }])
                    }
                    Outcome::Reject => Ok(vec![DecisionEvent::DecisionRejected {
                        decision_id,
                        program_id,
                        rationale,
                        decided_by,
                    }]),
                    Outcome::Defer { until } => {
                        let mut v = Validator::new();
                        v.optional_date("until", until);
                        v.finish()?;
                        Ok(vec![DecisionEvent::DecisionDeferred {
                            decision_id,
                            program_id,
                            rationale,
                            until,
                        }])
                    }
                }
            }
            DecisionCommand::Supersede { by } => {
                if state != DecisionState::Approved {
                    return Err(closed("superseded"));
                }
                if by == decision_id {
                    let mut v = Validator::new();
                    v.push("by", "a decision cannot supersede itself");
                    v.finish()?;
                }
                Ok(vec![DecisionEvent::DecisionSuperseded {
                    decision_id,
                    program_id,
                    by,
                }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use crate::governance::forum::Cadence;
    use crate::governance::rights::Routing;
    use uuid::Uuid;

    fn user(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(n))
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn forum() -> ForumRules {
        ForumRules {
            chair: user(1),
            members: vec![user(1), user(2), user(3)],
            quorum: 2,
            cadence: Cadence::Fortnightly,
            first_session: day(1, 4),
            decision_sla_days: 14,
        }
    }

    fn milestone() -> MilestoneId {
        MilestoneId::from_uuid(Uuid::from_u128(50))
    }

    fn raise(routed: bool) -> DecisionCommand {
        DecisionCommand::Raise {
            decision_id: DecisionId::from_uuid(Uuid::from_u128(9)),
            program_id: ProgramId::from_uuid(Uuid::from_u128(8)),
            kind: DecisionKind::Rebaseline,
            magnitude: Some(21),
            question: "Re-baseline PCI certification to 30 April?".into(),
            context: "The QSA found gaps in key management.".into(),
            options: vec![
                DecisionOption {
                    title: "Re-baseline".into(),
                    pros: "An honest plan".into(),
                    cons: "Three weeks later".into(),
                },
                DecisionOption {
                    title: "Keep the date, add a contractor".into(),
                    pros: String::new(),
                    cons: "€80k".into(),
                },
            ],
            recommendation: Some(0),
            effects: vec![ProposedEffect::Rebaseline {
                milestone_id: milestone(),
                to: day(4, 30),
                milestone_version: 3,
            }],
            links: vec![],
            routing: routed.then(|| Routing {
                forum_id: ForumId::from_uuid(Uuid::from_u128(7)),
                reason: "every re-baseline goes to the change board".into(),
            }),
        }
    }

    fn vote(voter: u128, vote: Vote) -> DecisionCommand {
        DecisionCommand::Vote {
            voter: user(voter),
            vote,
            forum: forum(),
        }
    }

    fn decide(outcome: Outcome, decider: u128, versions: Vec<i64>) -> DecisionCommand {
        DecisionCommand::Decide {
            outcome,
            rationale: "Agreed at the change board".into(),
            decider: user(decider),
            forum: Some(forum()),
            current_versions: versions,
        }
    }

    fn tabled() -> DecisionCommand {
        DecisionCommand::Table {
            session: day(1, 18),
        }
    }

    #[test]
    fn a_raised_decision_keeps_its_routing_and_needs_two_options() {
        let events = Given::<Decision>::events(&[]).when(raise(true)).events();
        assert!(
            matches!(&events[0], DecisionEvent::DecisionRaised { routing_reason, forum_id: Some(_), .. }
            if routing_reason == "every re-baseline goes to the change board")
        );
        let mut one_option = raise(false);
        if let DecisionCommand::Raise { options, .. } = &mut one_option {
            options.truncate(1);
        }
        Given::<Decision>::events(&[])
            .when(one_option)
            .then_error_matches(|e| matches!(e, DomainError::Invalid(_)));
    }

    #[test]
    fn only_forum_members_vote_and_the_quorum_must_be_reached() {
        let d = Given::<Decision>::decided(vec![raise(true), tabled(), vote(2, Vote::Approve)]);
        d.when(vote(9, Vote::Approve))
            .then_error_matches(|e| matches!(e, DomainError::Invalid(_)));
        // One vote of the two needed.
        let fields = d.when(decide(Outcome::Approve, 1, vec![3])).then_invalid();
        assert!(
            fields[0].message.contains("no quorum: 1 of the 2"),
            "{fields:?}"
        );
        // A deferral needs no quorum.
        d.when(decide(Outcome::Defer { until: None }, 1, vec![3]))
            .then_accepted();
        // With the chair's vote the quorum stands, and the votes carry approval.
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            vote(2, Vote::Approve),
            vote(1, Vote::Approve),
        ]);
        let events = d.when(decide(Outcome::Approve, 1, vec![3])).events();
        assert!(
            matches!(&events[0], DecisionEvent::DecisionApproved { decided_by, .. } if decided_by.len() == 2)
        );
        // But not rejection, and not by an outsider.
        d.when(decide(Outcome::Reject, 1, vec![3]))
            .then_error_matches(|e| matches!(e, DomainError::Invalid(_)));
        d.when(decide(Outcome::Approve, 9, vec![3]))
            .then_error_matches(|e| matches!(e, DomainError::Invalid(_)));
    }

    #[test]
    fn an_effect_whose_target_moved_on_is_refused_not_applied_blindly() {
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            vote(1, Vote::Approve),
            vote(2, Vote::Approve),
        ]);
        let fields = d.when(decide(Outcome::Approve, 1, vec![4])).then_invalid();
        assert!(
            fields[0]
                .message
                .contains("raised against version 3, it is now at 4"),
            "{fields:?}"
        );
    }

    #[test]
    fn lifecycle_table_defer_retable_approve_then_supersede() {
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            decide(
                Outcome::Defer {
                    until: Some(day(2, 1)),
                },
                1,
                vec![],
            ),
        ]);
        assert_eq!(d.state, Some(DecisionState::Deferred));
        assert!(
            d.votes.is_empty(),
            "a deferred item comes back to a fresh vote"
        );
        d.when(decide(Outcome::Approve, 1, vec![3]))
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            decide(Outcome::Defer { until: None }, 1, vec![]),
            tabled(),
            vote(1, Vote::Approve),
            vote(3, Vote::Approve),
            decide(Outcome::Approve, 3, vec![3]),
        ]);
        assert_eq!(d.state, Some(DecisionState::Approved));
        let later = DecisionId::from_uuid(Uuid::from_u128(10));
        assert!(matches!(
            d.when(DecisionCommand::Supersede { by: later }).events()[0],
            DecisionEvent::DecisionSuperseded { by, .. } if by == later
        ));
        d.when(vote(2, Vote::Reject))
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    }

    #[test]
    fn without_a_forum_the_program_manager_decides_directly() {
        let d = Given::<Decision>::decided(vec![raise(false)]);
        d.when(tabled())
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        let events = d
            .when(DecisionCommand::Decide {
                outcome: Outcome::Approve,
                rationale: "Small slip, accepted".into(),
                decider: user(4),
                forum: None,
                current_versions: vec![3],
            })
            .events();
        assert!(
            matches!(&events[0], DecisionEvent::DecisionApproved { decided_by, .. } if decided_by == &vec![user(4)])
        );
    }

    #[test]
    fn decided_by_lists_only_the_members_whose_votes_carried_the_outcome() {
        // Given Ada and Cy approve and Bo rejects, when the board approves, then the approval
        // names Ada and Cy: Bo voted the other way and did not decide it.
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            vote(1, Vote::Approve),
            vote(2, Vote::Reject),
            vote(3, Vote::Approve),
        ]);
        let events = d.when(decide(Outcome::Approve, 2, vec![3])).events();
        assert!(
            matches!(&events[0], DecisionEvent::DecisionApproved { decided_by, .. }
                if decided_by == &vec![user(1), user(3)]),
            "{events:?}"
        );
        // Given Ada and Bo reject and Cy approves, when the board rejects, then the rejection
        // names Ada and Bo.
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            vote(1, Vote::Reject),
            vote(2, Vote::Reject),
            vote(3, Vote::Approve),
        ]);
        let events = d.when(decide(Outcome::Reject, 3, vec![])).events();
        assert!(
            matches!(&events[0], DecisionEvent::DecisionRejected { decided_by, .. }
                if decided_by == &vec![user(1), user(2)]),
            "{events:?}"
        );
        // An abstention carries nothing; a re-vote counts as the member's last vote.
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            vote(1, Vote::Reject),
            vote(2, Vote::Abstain),
            vote(1, Vote::Approve),
        ]);
        let events = d.when(decide(Outcome::Approve, 1, vec![3])).events();
        assert!(
            matches!(&events[0], DecisionEvent::DecisionApproved { decided_by, .. }
                if decided_by == &vec![user(1)]),
            "{events:?}"
        );
        // With every member abstaining no vote carries a rejection: the forum defers instead.
        let d = Given::<Decision>::decided(vec![
            raise(true),
            tabled(),
            vote(1, Vote::Abstain),
            vote(2, Vote::Abstain),
        ]);
        let fields = d.when(decide(Outcome::Reject, 1, vec![])).then_invalid();
        assert!(
            fields[0].message.contains("(0 for, 0 against)"),
            "{fields:?}"
        );
        d.when(decide(Outcome::Defer { until: None }, 1, vec![]))
            .then_accepted();
    }
}

#[cfg(test)]
mod effect_wire {
    use super::ProposedEffect;

    /// Effects are stored inside `DecisionRaised`: every variant must read back from what it
    /// writes, and a stored effect missing a field must be refused, not guessed.
    #[test]
    fn effects_read_back_what_they_write_and_refuse_what_they_lack() {
        let effects: Vec<ProposedEffect> = serde_json::from_str(
            r#"[{"effect":"rebaseline","milestone_id":"00000000-0000-0000-0000-000000000001","to":"2027-04-30","milestone_version":3},
                {"effect":"cancel_dependency","dependency_id":"00000000-0000-0000-0000-000000000002","register_version":7},
                {"effect":"supersede","decision_id":"00000000-0000-0000-0000-000000000003","decision_version":2},
                {"effect":"accept_risk","risk_id":"00000000-0000-0000-0000-000000000004","risk_version":5,"unknown":true},
                {"effect":"change_objective","objective_id":"00000000-0000-0000-0000-000000000005","terms":{"title":"Cut cost","target_date":"2027-06-30"},"objective_version":0},
                {"effect":"change_objective","objective_id":"00000000-0000-0000-0000-000000000005","objective_version":2}]"#,
        )
        .unwrap();
        assert_eq!(effects.len(), 6);
        for effect in &effects {
            let json = serde_json::to_string(effect).unwrap();
            assert_eq!(
                &serde_json::from_str::<ProposedEffect>(&json).unwrap(),
                effect
            );
        }
        assert!(
            serde_json::to_string(&effects[0])
                .unwrap()
                .starts_with(r#"{"effect":"rebaseline""#)
        );
        let err = serde_json::from_str::<ProposedEffect>(
            r#"{"effect":"rebaseline","milestone_id":"00000000-0000-0000-0000-000000000001"}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("lacks `to`"), "{err}");
        assert!(serde_json::from_str::<ProposedEffect>(r#"{"effect":"launch"}"#).is_err());
    }
}
