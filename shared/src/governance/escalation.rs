//! Escalations: an item (a late dependency, a slip, a stuck decision) raised up the program's
//! escalation path with a reason. Each level has a response SLA; an item left unanswered past it
//! moves up by itself. Every step is an event, and the deadlines are in the events, so a check run
//! after a restart, or by two instances at once, comes to the same answer.

use super::charter::EscalationLevel;
use crate::date::add_hours;
use crate::error::{DomainError, NAME_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{
    DecisionId, DependencyId, EscalationId, MilestoneId, ProgramId, ProjectId, RiskId,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What an escalation, or a decision, is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum ItemRef {
    Milestone(MilestoneId),
    Dependency(DependencyId),
    Project(ProjectId),
    Decision(DecisionId),
    /// A risk of the RAID register (stale, above appetite, or a treatment action overdue).
    Risk(RiskId),
}

/// Facts about an escalation. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EscalationEvent {
    EscalationRaised {
        escalation_id: EscalationId,
        program_id: ProgramId,
        subject: ItemRef,
        /// The subject's name when raised, so the trail reads without a lookup.
        subject_label: String,
        reason: String,
        /// The path as it stood when raised: later changes to the path do not rewrite this one.
        levels: Vec<EscalationLevel>,
        /// When the first level's response time runs out.
        due_at: DateTime<Utc>,
    },
    EscalationMovedUp {
        escalation_id: EscalationId,
        program_id: ProgramId,
        from_level: usize,
        to_level: usize,
        /// True when the SLA check moved it, false when a person did.
        automatic: bool,
        reason: String,
        /// When the new level's response time runs out.
        due_at: DateTime<Utc>,
    },
    EscalationResolved {
        escalation_id: EscalationId,
        program_id: ProgramId,
        level: usize,
        resolution: String,
    },
}

impl AggregateEvent for EscalationEvent {
    const STREAM_TYPE: &'static str = "escalation";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            EscalationEvent::EscalationRaised { program_id, .. }
            | EscalationEvent::EscalationMovedUp { program_id, .. }
            | EscalationEvent::EscalationResolved { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Escalation {
    pub id: Option<EscalationId>,
    pub program_id: Option<ProgramId>,
    pub levels: Vec<EscalationLevel>,
    pub level: usize,
    pub due_at: Option<DateTime<Utc>>,
    pub resolved: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EscalationCommand {
    Raise {
        escalation_id: EscalationId,
        program_id: ProgramId,
        subject: ItemRef,
        subject_label: String,
        reason: String,
        /// The program's escalation path, looked up by the caller.
        levels: Vec<EscalationLevel>,
        now: DateTime<Utc>,
    },
    /// A person moves it up before its time, with a reason.
    MoveUp {
        reason: String,
        now: DateTime<Utc>,
    },
    /// The scheduled check: moves it up if the current level's response time has run out.
    CheckSla {
        now: DateTime<Utc>,
    },
    Resolve {
        resolution: String,
    },
}

fn deadline(level: &EscalationLevel, from: DateTime<Utc>) -> DateTime<Utc> {
    add_hours(from, i64::from(level.response_sla_hours))
}

impl Escalation {
    pub fn apply(&mut self, event: &EscalationEvent) {
        match event {
            EscalationEvent::EscalationRaised {
                escalation_id,
                program_id,
                levels,
                due_at,
                ..
            } => {
                self.id = Some(*escalation_id);
                self.program_id = Some(*program_id);
                self.levels = levels.clone();
                self.level = 0;
                self.due_at = Some(*due_at);
            }
            EscalationEvent::EscalationMovedUp {
                to_level, due_at, ..
            } => {
                self.level = *to_level;
                self.due_at = Some(*due_at);
            }
            EscalationEvent::EscalationResolved { .. } => self.resolved = true,
        }
    }

    /// Past its response time at the level it sits on.
    pub fn is_overdue(&self, now: DateTime<Utc>) -> bool {
        !self.resolved && self.due_at.is_some_and(|due| now > due)
    }

    fn move_up(
        &self,
        reason: String,
        automatic: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<EscalationEvent>, DomainError> {
        let (Some(escalation_id), Some(program_id)) = (self.id, self.program_id) else {
            return Err(DomainError::NotFound("escalation".into()));
        };
        if self.resolved {
            return Err(DomainError::NothingToChange(
                "the escalation is resolved".into(),
            ));
        }
        let to_level = self.level + 1;
        let Some(next) = self.levels.get(to_level) else {
            return Err(DomainError::NothingToChange(format!(
                "the escalation is already at the top of its path ({})",
                self.levels.get(self.level).map_or("", |l| l.title.as_str())
            )));
        };
        Ok(vec![EscalationEvent::EscalationMovedUp {
            escalation_id,
            program_id,
            from_level: self.level,
            to_level,
            automatic,
            reason,
            due_at: deadline(next, now),
        }])
    }

    pub fn decide(&self, command: EscalationCommand) -> Result<Vec<EscalationEvent>, DomainError> {
        match command {
            EscalationCommand::Raise {
                escalation_id,
                program_id,
                subject,
                subject_label,
                reason,
                levels,
                now,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(format!(
                        "escalation {escalation_id}"
                    )));
                }
                let mut v = Validator::new();
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                let subject_label = v.required_text("subject", &subject_label, NAME_MAX);
                let Some(first) = levels.first() else {
                    v.push(
                        "levels",
                        "the program has no escalation path: its program manager sets one first",
                    );
                    return Err(v.fail());
                };
                let due_at = deadline(first, now);
                v.finish()?;
                Ok(vec![EscalationEvent::EscalationRaised {
                    escalation_id,
                    program_id,
                    subject,
                    subject_label,
                    reason,
                    levels,
                    due_at,
                }])
            }
            EscalationCommand::MoveUp { reason, now } => {
                let mut v = Validator::new();
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                v.finish()?;
                self.move_up(reason, false, now)
            }
            EscalationCommand::CheckSla { now } => {
                if !self.is_overdue(now) {
                    return Err(DomainError::NothingToChange(
                        "the escalation is within its response time".into(),
                    ));
                }
                let Some(level) = self.levels.get(self.level) else {
                    return Err(DomainError::NothingToChange(
                        "the escalation's level is not on its path".into(),
                    ));
                };
                let reason = format!(
                    "no answer from {} within {} hours",
                    level.title, level.response_sla_hours
                );
                self.move_up(reason, true, now)
            }
            EscalationCommand::Resolve { resolution } => {
                let (Some(escalation_id), Some(program_id)) = (self.id, self.program_id) else {
                    return Err(DomainError::NotFound("escalation".into()));
                };
                if self.resolved {
                    return Err(DomainError::NothingToChange(
                        "the escalation is already resolved".into(),
                    ));
                }
                let mut v = Validator::new();
                let resolution = v.required_text("resolution", &resolution, TEXT_MAX);
                v.finish()?;
                Ok(vec![EscalationEvent::EscalationResolved {
                    escalation_id,
                    program_id,
                    level: self.level,
                    resolution,
                }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use chrono::Duration;
    use chrono::TimeZone;
    use uuid::Uuid;

    /// The controllable clock: hours after a fixed instant.
    fn at(hours: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap() + Duration::hours(hours)
    }

    fn path() -> Vec<EscalationLevel> {
        [
            ("Project manager", 24),
            ("Program manager", 48),
            ("Steering committee", 120),
        ]
        .into_iter()
        .map(|(title, hours)| EscalationLevel {
            title: title.into(),
            contact: String::new(),
            response_sla_hours: hours,
        })
        .collect()
    }

    fn raise() -> EscalationCommand {
        EscalationCommand::Raise {
            escalation_id: EscalationId::from_uuid(Uuid::from_u128(1)),
            program_id: ProgramId::from_uuid(Uuid::from_u128(2)),
            subject: ItemRef::Dependency(DependencyId::from_uuid(Uuid::from_u128(3))),
            subject_label: "Ledger API → Checkout".into(),
            reason: "Need-by passed, no new date".into(),
            levels: path(),
            now: at(0),
        }
    }

    #[test]
    fn unanswered_past_its_sla_it_moves_up_level_by_level_then_stops_at_the_top() {
        let e = Given::<Escalation>::decided(vec![raise()]);
        // Exactly at the deadline it is still in time.
        e.when(EscalationCommand::CheckSla { now: at(24) })
            .then_error_matches(|err| matches!(err, DomainError::NothingToChange(_)));
        let events = e.when(EscalationCommand::CheckSla { now: at(25) }).events();
        let EscalationEvent::EscalationMovedUp {
            to_level,
            automatic,
            reason,
            due_at,
            ..
        } = &events[0]
        else {
            panic!("moved up")
        };
        assert_eq!((*to_level, *automatic), (1, true));
        assert_eq!(reason, "no answer from Project manager within 24 hours");
        assert_eq!(
            *due_at,
            at(25 + 48),
            "the next level's clock starts when it arrives"
        );
        let e = Given::<Escalation>::decided(vec![
            raise(),
            EscalationCommand::CheckSla { now: at(25) },
            EscalationCommand::CheckSla { now: at(74) },
        ]);
        assert_eq!(e.level, 2);
        // At the top it stays overdue (flagged) but has nowhere to go.
        assert!(e.is_overdue(at(74 + 121)));
        e.when(EscalationCommand::CheckSla { now: at(74 + 121) })
            .then_error_matches(|err| {
                matches!(err, DomainError::NothingToChange(m)
                    if m.contains("top of its path (Steering committee)"))
            });
    }

    #[test]
    fn a_person_may_move_it_up_early_with_a_reason_and_resolving_stops_the_clock() {
        let e = Given::<Escalation>::decided(vec![raise()]);
        e.when(EscalationCommand::MoveUp {
            reason: " ".into(),
            now: at(1),
        })
        .then_error_matches(|err| matches!(err, DomainError::Invalid(_)));
        let e = Given::<Escalation>::decided(vec![
            raise(),
            EscalationCommand::MoveUp {
                reason: "Blocks the launch".into(),
                now: at(1),
            },
            EscalationCommand::Resolve {
                resolution: "Provider commits to 12 March".into(),
            },
        ]);
        assert!(e.resolved && !e.is_overdue(at(1000)));
        e.when(EscalationCommand::CheckSla { now: at(1000) })
            .then_error_matches(|err| matches!(err, DomainError::NothingToChange(_)));
    }

    #[test]
    fn without_an_escalation_path_nothing_can_be_escalated() {
        let mut command = raise();
        if let EscalationCommand::Raise { levels, .. } = &mut command {
            levels.clear();
        }
        let fields = Given::<Escalation>::events(&[])
            .when(command)
            .then_invalid();
        assert_eq!(fields[0].field, "levels");
    }
}
