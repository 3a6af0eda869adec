//! The governance read model of one program: its charter, every decision with its votes and
//! outcome, every escalation with its steps. Folded from the log by the server (now or as of any
//! moment); what needs attention on a given day (decisions past their forum's SLA, escalations
//! past their response time, the next sessions) is computed from it, like the schedule analysis.

use super::charter::{Charter, EscalationLevel, Forum, Person};
use super::decision::{DecisionEvent, DecisionOption, DecisionState, ProposedEffect, Vote};
use super::escalation::{EscalationEvent, ItemRef};
use super::rights::DecisionKind;
use super::session::{ActionStatus, Agenda, SessionEvent};
use crate::event::{DomainEvent, RecordedEvent};
use crate::ids::{
    ActionId, DecisionId, EscalationId, EventId, ForumId, ProgramId, SessionId, UserId,
};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// How long a decision no forum holds (the program manager's own) may wait.
pub const PROGRAM_MANAGER_SLA_DAYS: u32 = 10;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CastVote {
    pub voter: UserId,
    pub name: String,
    pub vote: Vote,
    pub at: DateTime<Utc>,
}

/// How a decision ended (approved, rejected) or was put off (deferred).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionOutcome {
    pub state: DecisionState,
    pub rationale: String,
    /// The people whose votes (or, without a forum, whose decision) carried it.
    pub decided_by: Vec<String>,
    pub recorded_by: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The outcome's event: the causation of the effects an approval applied.
    pub event_id: EventId,
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionView {
    pub decision_id: DecisionId,
    /// The decision stream's version, for `expected_version`.
    pub version: i64,
    pub kind: DecisionKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub magnitude: Option<i64>,
    pub question: String,
    pub context: String,
    pub options: Vec<DecisionOption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<usize>,
    pub effects: Vec<ProposedEffect>,
    pub links: Vec<ItemRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum_id: Option<ForumId>,
    pub routing_reason: String,
    pub state: DecisionState,
    pub raised_at: DateTime<Utc>,
    pub raised_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tabled_for: Option<NaiveDate>,
    /// The current round's votes (a deferral starts a new round).
    pub votes: Vec<CastVote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<DecisionOutcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<DecisionId>,
}

impl DecisionView {
    pub fn is_open(&self) -> bool {
        matches!(
            self.state,
            DecisionState::Proposed | DecisionState::InReview | DecisionState::Deferred
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationStep {
    pub at: DateTime<Utc>,
    pub from_level: usize,
    pub to_level: usize,
    pub automatic: bool,
    pub reason: String,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationResolution {
    pub at: DateTime<Utc>,
    pub by: String,
    pub resolution: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalationView {
    pub escalation_id: EscalationId,
    pub version: i64,
    pub subject: ItemRef,
    pub subject_label: String,
    pub reason: String,
    pub levels: Vec<EscalationLevel>,
    pub level: usize,
    pub due_at: DateTime<Utc>,
    pub raised_at: DateTime<Utc>,
    pub raised_by: String,
    pub steps: Vec<EscalationStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<EscalationResolution>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceView {
    pub program_id: ProgramId,
    /// The charter stream's version, for `expected_version` on charter changes.
    pub charter_version: i64,
    /// Forums, decision rights and escalation path, as the charter aggregate folds them.
    pub charter: Charter,
    /// Oldest first.
    pub decisions: Vec<DecisionView>,
    /// Oldest first.
    pub escalations: Vec<EscalationView>,
    /// Review sessions, oldest first.
    #[serde(default)]
    pub sessions: Vec<SessionView>,
    /// The global log position this view reflects.
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActionView {
    pub action_id: ActionId,
    pub title: String,
    pub owner: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionView {
    pub session_id: SessionId,
    pub forum_id: ForumId,
    pub version: i64,
    pub date: NaiveDate,
    pub agenda: Agenda,
    pub opened_at: DateTime<Utc>,
    pub opened_by: String,
    /// The log position of its opening: where the forum's next session counts changes from.
    pub position: i64,
    #[serde(default)]
    pub present: Vec<Person>,
    #[serde(default)]
    pub apologies: Vec<Person>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minutes: Option<String>,
    pub actions: Vec<ActionView>,
    pub closed: bool,
}

/// A decision waiting longer than its forum allows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Bottleneck {
    pub decision_id: DecisionId,
    pub question: String,
    /// The forum holding it; absent: the program manager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forum: Option<String>,
    pub waiting_days: i64,
    pub sla_days: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpcomingSessions {
    pub forum_id: ForumId,
    pub forum: String,
    pub dates: Vec<NaiveDate>,
}

/// What needs a program manager's attention on a given day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GovernanceAttention {
    pub now: DateTime<Utc>,
    /// Longest waiting first.
    pub bottlenecks: Vec<Bottleneck>,
    /// Open escalations past their level's response time.
    pub overdue_escalations: Vec<EscalationId>,
    pub next_sessions: Vec<UpcomingSessions>,
}

impl GovernanceView {
    pub fn new(program_id: ProgramId) -> Self {
        Self {
            program_id,
            charter_version: 0,
            charter: Charter::default(),
            decisions: Vec::new(),
            escalations: Vec::new(),
            sessions: Vec::new(),
            position: 0,
        }
    }

    /// The log position of `forum_id`'s latest session, where its next agenda counts changes from.
    pub fn last_session_position(&self, forum_id: ForumId) -> Option<i64> {
        self.sessions
            .iter()
            .filter(|s| s.forum_id == forum_id)
            .map(|s| s.position)
            .max()
    }

    pub fn forum(&self, forum_id: ForumId) -> Option<&Forum> {
        self.charter.forum(forum_id)
    }

    pub fn decision(&self, id: DecisionId) -> Option<&DecisionView> {
        self.decisions.iter().find(|d| d.decision_id == id)
    }

    fn name_of(&self, forum_id: Option<ForumId>, user: UserId) -> String {
        forum_id
            .and_then(|f| self.forum(f))
            .and_then(|f| f.name_of(user))
            .map_or_else(|| user.to_string(), str::to_string)
    }

    /// Fold one event in; events of other programs, events already folded and events of other
    /// aggregates are ignored.
    pub fn apply(&mut self, recorded: &RecordedEvent, event: &DomainEvent) {
        if recorded.program_id != Some(self.program_id) || recorded.position <= self.position {
            return;
        }
        let at = recorded.recorded_at;
        let actor = recorded.metadata.actor.clone();
        match event {
            DomainEvent::Charter(event) => {
                self.charter_version = recorded.version;
                self.charter.apply(event);
            }
            DomainEvent::Decision(event) => self.apply_decision(recorded, event, at, actor),
            DomainEvent::Escalation(event) => self.apply_escalation(recorded, event, at, actor),
            DomainEvent::Session(event) => self.apply_session(recorded, event, at, actor),
            _ => return,
        }
        self.position = recorded.position;
    }

    fn apply_decision(
        &mut self,
        recorded: &RecordedEvent,
        event: &DecisionEvent,
        at: DateTime<Utc>,
        actor: String,
    ) {
        if let DecisionEvent::DecisionRaised {
            decision_id,
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
            ..
        } = event
        {
            self.decisions.push(DecisionView {
                decision_id: *decision_id,
                version: recorded.version,
                kind: *kind,
                magnitude: *magnitude,
                question: question.clone(),
                context: context.clone(),
                options: options.clone(),
                recommendation: *recommendation,
                effects: effects.clone(),
                links: links.clone(),
                forum_id: *forum_id,
                routing_reason: routing_reason.clone(),
                state: DecisionState::Proposed,
                raised_at: at,
                raised_by: actor,
                tabled_for: None,
                votes: Vec::new(),
                outcome: None,
                superseded_by: None,
            });
            return;
        }
        // A decision's stream is named by its id.
        let id = DecisionId::from_uuid(recorded.stream_id);
        let Some(index) = self.decisions.iter().position(|d| d.decision_id == id) else {
            return;
        };
        let Some(forum_id) = self.decisions.get(index).map(|d| d.forum_id) else {
            return;
        };
        // Forum members by the names they were appointed under; the program manager deciding a
        // decision no forum holds is the outcome's own actor.
        let names = |ids: &[UserId]| -> Vec<String> {
            ids.iter()
                .map(|u| {
                    let appointed = forum_id
                        .and_then(|f| self.forum(f))
                        .and_then(|f| f.name_of(*u));
                    match appointed {
                        Some(name) => name.to_string(),
                        None if recorded.metadata.actor_id == Some(*u) => actor.clone(),
                        None => u.to_string(),
                    }
                })
                .collect()
        };
        let outcome = |state, rationale: &str, decided_by: Vec<String>, until| DecisionOutcome {
            state,
            rationale: rationale.to_string(),
            decided_by,
            recorded_by: actor.clone(),
            at,
            until,
            event_id: recorded.event_id,
            position: recorded.position,
        };
        let change = match event {
            DecisionEvent::DecisionApproved {
                rationale,
                decided_by,
                ..
            } => Some(outcome(
                DecisionState::Approved,
                rationale,
                names(decided_by),
                None,
            )),
            DecisionEvent::DecisionRejected {
                rationale,
                decided_by,
                ..
            } => Some(outcome(
                DecisionState::Rejected,
                rationale,
                names(decided_by),
                None,
            )),
            DecisionEvent::DecisionDeferred {
                rationale, until, ..
            } => Some(outcome(
                DecisionState::Deferred,
                rationale,
                vec![actor.clone()],
                *until,
            )),
            _ => None,
        };
        let voter_name = match event {
            DecisionEvent::DecisionVoteCast { voter, .. } => self.name_of(forum_id, *voter),
            _ => String::new(),
        };
        let Some(d) = self.decisions.get_mut(index) else {
            return;
        };
        d.version = recorded.version;
        match event {
            DecisionEvent::DecisionRaised { .. } => {}
            DecisionEvent::DecisionTabled { session, .. } => {
                d.state = DecisionState::InReview;
                d.tabled_for = Some(*session);
            }
            DecisionEvent::DecisionVoteCast { voter, vote, .. } => {
                d.votes.retain(|v| v.voter != *voter);
                d.votes.push(CastVote {
                    voter: *voter,
                    name: voter_name,
                    vote: *vote,
                    at,
                });
            }
            DecisionEvent::DecisionApproved { .. }
            | DecisionEvent::DecisionRejected { .. }
            | DecisionEvent::DecisionDeferred { .. } => {
                if let Some(outcome) = change {
                    d.state = outcome.state;
                    if d.state == DecisionState::Deferred {
                        d.votes.clear();
                    }
                    d.outcome = Some(outcome);
                }
            }
            DecisionEvent::DecisionSuperseded { by, .. } => {
                d.state = DecisionState::Superseded;
                d.superseded_by = Some(*by);
            }
        }
    }

    fn apply_session(
        &mut self,
        recorded: &RecordedEvent,
        event: &SessionEvent,
        at: DateTime<Utc>,
        actor: String,
    ) {
        if let SessionEvent::SessionOpened {
            session_id,
            forum_id,
            date,
            agenda,
            ..
        } = event
        {
            self.sessions.push(SessionView {
                session_id: *session_id,
                forum_id: *forum_id,
                version: recorded.version,
                date: *date,
                agenda: agenda.clone(),
                opened_at: at,
                opened_by: actor,
                position: recorded.position,
                present: Vec::new(),
                apologies: Vec::new(),
                minutes: None,
                actions: Vec::new(),
                closed: false,
            });
            return;
        }
        // A session's stream is named by its id.
        let id = SessionId::from_uuid(recorded.stream_id);
        let Some(session) = self.sessions.iter_mut().find(|s| s.session_id == id) else {
            return;
        };
        session.version = recorded.version;
        match event {
            SessionEvent::SessionOpened { .. } => {}
            SessionEvent::AttendanceRecorded {
                present, apologies, ..
            } => {
                session.present = present.clone();
                session.apologies = apologies.clone();
            }
            SessionEvent::MinutesRecorded { minutes, .. } => {
                session.minutes = Some(minutes.clone())
            }
            SessionEvent::ActionRecorded {
                action_id,
                title,
                owner,
                due,
                ..
            } => session.actions.push(ActionView {
                action_id: *action_id,
                title: title.clone(),
                owner: owner.clone(),
                due: *due,
                status: ActionStatus::Open,
                note: String::new(),
            }),
            SessionEvent::ActionStatusChanged {
                action_id,
                status,
                note,
                ..
            } => {
                if let Some(a) = session
                    .actions
                    .iter_mut()
                    .find(|a| a.action_id == *action_id)
                {
                    a.status = *status;
                    a.note = note.clone();
                }
            }
            SessionEvent::SessionClosed { .. } => session.closed = true,
        }
    }

    /// The escalation an event is about, at the event's version.
    fn escalation_mut(&mut self, id: EscalationId, version: i64) -> Option<&mut EscalationView> {
        let e = self
            .escalations
            .iter_mut()
            .find(|e| e.escalation_id == id)?;
        e.version = version;
        Some(e)
    }

    fn apply_escalation(
        &mut self,
        recorded: &RecordedEvent,
        event: &EscalationEvent,
        at: DateTime<Utc>,
        actor: String,
    ) {
        match event {
            EscalationEvent::EscalationRaised {
                escalation_id,
                subject,
                subject_label,
                reason,
                levels,
                due_at,
                ..
            } => self.escalations.push(EscalationView {
                escalation_id: *escalation_id,
                version: recorded.version,
                subject: *subject,
                subject_label: subject_label.clone(),
                reason: reason.clone(),
                levels: levels.clone(),
                level: 0,
                due_at: *due_at,
                raised_at: at,
                raised_by: actor,
                steps: Vec::new(),
                resolution: None,
            }),
            EscalationEvent::EscalationMovedUp {
                escalation_id,
                from_level,
                to_level,
                automatic,
                reason,
                due_at,
                ..
            } => {
                if let Some(e) = self.escalation_mut(*escalation_id, recorded.version) {
                    e.level = *to_level;
                    e.due_at = *due_at;
                    e.steps.push(EscalationStep {
                        at,
                        from_level: *from_level,
                        to_level: *to_level,
                        automatic: *automatic,
                        reason: reason.clone(),
                        by: actor,
                    });
                }
            }
            EscalationEvent::EscalationResolved {
                escalation_id,
                resolution,
                ..
            } => {
                if let Some(e) = self.escalation_mut(*escalation_id, recorded.version) {
                    e.resolution = Some(EscalationResolution {
                        at,
                        by: actor,
                        resolution: resolution.clone(),
                    });
                }
            }
        }
    }

    /// Decisions past their SLA, escalations past their response time, and each forum's next
    /// sessions, on `now`.
    pub fn attention(&self, now: DateTime<Utc>) -> GovernanceAttention {
        let today = now.date_naive();
        let mut bottlenecks: Vec<Bottleneck> = self
            .decisions
            .iter()
            .filter(|d| d.is_open())
            // A deferral to a later date is a decision to wait, not a bottleneck, until then.
            .filter(|d| {
                d.state != DecisionState::Deferred
                    || d.outcome
                        .as_ref()
                        .and_then(|o| o.until)
                        .is_none_or(|until| until < today)
            })
            .filter_map(|d| {
                let forum = d.forum_id.and_then(|f| self.forum(f));
                let sla_days =
                    forum.map_or(PROGRAM_MANAGER_SLA_DAYS, |f| f.rules.decision_sla_days);
                let waiting_days = (now - d.raised_at).num_days();
                (waiting_days > i64::from(sla_days)).then(|| Bottleneck {
                    decision_id: d.decision_id,
                    question: d.question.clone(),
                    forum: forum.map(|f| f.name.clone()),
                    waiting_days,
                    sla_days,
                })
            })
            .collect();
        bottlenecks.sort_by_key(|b| std::cmp::Reverse(b.waiting_days));
        let overdue_escalations = self
            .escalations
            .iter()
            .filter(|e| e.resolution.is_none() && now > e.due_at)
            .map(|e| e.escalation_id)
            .collect();
        let next_sessions = self
            .charter
            .forums
            .iter()
            .map(|f| UpcomingSessions {
                forum_id: f.forum_id,
                forum: f.name.clone(),
                dates: f
                    .rules
                    .cadence
                    .sessions_from(f.rules.first_session, today, 3),
            })
            .collect();
        GovernanceAttention {
            now,
            bottlenecks,
            overdue_escalations,
            next_sessions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{AggregateEvent, recorded};
    use crate::governance::charter::CharterEvent;
    use crate::governance::forum::{Cadence, ForumRules};
    use chrono::Duration;
    use uuid::Uuid;

    fn program() -> ProgramId {
        ProgramId::from_uuid(Uuid::from_u128(1))
    }

    fn fold<E: AggregateEvent + Clone>(
        view: &mut GovernanceView,
        position: i64,
        stream: u128,
        event: E,
        wrap: fn(E) -> DomainEvent,
    ) {
        let r = recorded(position, position, Uuid::from_u128(stream), event.clone());
        view.apply(&r, &wrap(event));
    }

    #[test]
    fn a_decision_past_its_forums_sla_is_a_bottleneck_unless_deferred_to_a_later_day() {
        let forum_id = ForumId::from_uuid(Uuid::from_u128(5));
        let chair = UserId::from_uuid(Uuid::from_u128(6));
        let decision_id = DecisionId::from_uuid(Uuid::from_u128(9));
        let mut view = GovernanceView::new(program());
        fold(
            &mut view,
            1,
            100,
            CharterEvent::ForumEstablished {
                program_id: program(),
                forum: Forum {
                    forum_id,
                    name: "Steering committee".into(),
                    purpose: String::new(),
                    rules: ForumRules {
                        chair,
                        members: vec![],
                        quorum: 1,
                        cadence: Cadence::Monthly,
                        first_session: NaiveDate::from_ymd_opt(2023, 1, 31).unwrap(),
                        decision_sla_days: 7,
                    },
                    people: vec![Person {
                        user_id: chair,
                        name: "Ada Chair".into(),
                    }],
                },
            },
            DomainEvent::Charter,
        );
        fold(
            &mut view,
            2,
            9,
            DecisionEvent::DecisionRaised {
                decision_id,
                program_id: program(),
                kind: DecisionKind::ScopeChange,
                magnitude: None,
                question: "Drop the loyalty module?".into(),
                context: String::new(),
                options: vec![],
                recommendation: None,
                effects: vec![],
                links: vec![],
                forum_id: Some(forum_id),
                routing_reason: "every scope change goes to Steering committee".into(),
            },
            DomainEvent::Decision,
        );
        fold(
            &mut view,
            3,
            9,
            DecisionEvent::DecisionVoteCast {
                decision_id,
                program_id: program(),
                voter: chair,
                vote: Vote::Approve,
            },
            DomainEvent::Decision,
        );
        let raised = view.decisions[0].raised_at;
        assert_eq!(view.decisions[0].votes[0].name, "Ada Chair");
        assert!(
            view.attention(raised + Duration::days(7))
                .bottlenecks
                .is_empty()
        );
        let late = view.attention(raised + Duration::days(8));
        assert_eq!(late.bottlenecks[0].waiting_days, 8);
        assert_eq!(
            late.bottlenecks[0].forum.as_deref(),
            Some("Steering committee")
        );
        // Month-end forum: next sessions stay on month ends.
        assert_eq!(late.next_sessions[0].dates.len(), 3);
        // Deferred to a day still ahead: a choice to wait, not a bottleneck, until that day.
        let until = (raised + Duration::days(20)).date_naive();
        fold(
            &mut view,
            4,
            9,
            DecisionEvent::DecisionDeferred {
                decision_id,
                program_id: program(),
                rationale: "Wait for the pilot results".into(),
                until: Some(until),
            },
            DomainEvent::Decision,
        );
        assert!(
            view.decisions[0].votes.is_empty(),
            "a deferral starts a new round"
        );
        assert!(
            view.attention(raised + Duration::days(19))
                .bottlenecks
                .is_empty()
        );
        assert_eq!(
            view.attention(raised + Duration::days(22))
                .bottlenecks
                .len(),
            1
        );
    }

    #[test]
    fn the_program_managers_own_decision_is_decided_by_them_by_name() {
        let pm = UserId::from_uuid(Uuid::from_u128(7));
        let decision_id = DecisionId::from_uuid(Uuid::from_u128(9));
        let mut view = GovernanceView::new(program());
        fold(
            &mut view,
            1,
            9,
            DecisionEvent::DecisionRaised {
                decision_id,
                program_id: program(),
                kind: DecisionKind::Other,
                magnitude: None,
                question: "Move the kick-off to a Tuesday?".into(),
                context: String::new(),
                options: vec![],
                recommendation: None,
                effects: vec![],
                links: vec![],
                forum_id: None,
                routing_reason: "no decision right applies: the program manager decides".into(),
            },
            DomainEvent::Decision,
        );
        let approval = DecisionEvent::DecisionApproved {
            decision_id,
            program_id: program(),
            rationale: "Fewer clashes".into(),
            decided_by: vec![pm],
        };
        let mut r = recorded(2, 2, Uuid::from_u128(9), approval.clone());
        r.metadata.actor = "priya".into();
        r.metadata.actor_id = Some(pm);
        view.apply(&r, &DomainEvent::Decision(approval));
        let outcome = view.decisions[0].outcome.clone().unwrap();
        assert_eq!(outcome.decided_by, ["priya"]);
        assert_eq!(outcome.recorded_by, "priya");
    }
}
