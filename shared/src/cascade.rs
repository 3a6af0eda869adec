//! Cascade by agreement: after a slip, the moves the slip-impact analysis computes downstream are
//! proposed to their owners as one change set (a cascade, a stream of its own); each owner
//! accepts their part, counters it with a date of their own, or declines it. An accepted or
//! countered part is one two-stream append: the part's answer here and the milestone's forecast
//! change, whose causation is the slip. Parts not yet answered are the plan's pending moves.
//!
//! A part is answered against the forecast it was proposed from: a milestone moved since is
//! refused, so an owner never applies a move computed for a plan that no longer holds.

use crate::error::{DomainError, NAME_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{CascadeId, MilestoneId, ProgramId, ProjectId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The most parts one cascade holds (a slip pushes at most the whole plan; this bounds a log
/// written by something else).
pub const PARTS_MAX: usize = 500;

/// One owner's part: their milestone's move, from its forecast when proposed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CascadePart {
    pub milestone_id: MilestoneId,
    pub project_id: ProjectId,
    /// The milestone's name when proposed, for the audit trail.
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// A deliverable's start, moved with its finish (it keeps its duration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<NaiveDate>,
}

/// The slip a cascade follows from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlipRef {
    pub milestone_id: MilestoneId,
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The slip's position in the log (its forecast change).
    pub position: i64,
}

/// Facts about a cascade. Wire names are the variant names and never change; reasons are in the
/// metadata.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CascadeEvent {
    CascadeProposed {
        cascade_id: CascadeId,
        program_id: ProgramId,
        slip: SlipRef,
        parts: Vec<CascadePart>,
    },
    /// The owner moved their milestone as proposed.
    CascadePartAccepted {
        cascade_id: CascadeId,
        program_id: ProgramId,
        milestone_id: MilestoneId,
        /// The milestone's name, for the audit trail.
        name: String,
        to: NaiveDate,
    },
    /// The owner moved their milestone to a date of their own instead.
    CascadePartCountered {
        cascade_id: CascadeId,
        program_id: ProgramId,
        milestone_id: MilestoneId,
        /// The milestone's name, for the audit trail.
        name: String,
        proposed: NaiveDate,
        to: NaiveDate,
    },
    /// The owner keeps their date (the reason says why: float, a workaround…).
    CascadePartDeclined {
        cascade_id: CascadeId,
        program_id: ProgramId,
        milestone_id: MilestoneId,
        /// The milestone's name, for the audit trail.
        name: String,
    },
}

impl AggregateEvent for CascadeEvent {
    const STREAM_TYPE: &'static str = "cascade";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            CascadeEvent::CascadeProposed { program_id, .. }
            | CascadeEvent::CascadePartAccepted { program_id, .. }
            | CascadeEvent::CascadePartCountered { program_id, .. }
            | CascadeEvent::CascadePartDeclined { program_id, .. } => *program_id,
        })
    }
}

/// An owner's answer to their part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "answer")]
pub enum PartAnswer {
    Accept,
    /// Move to this date instead.
    Counter {
        to: NaiveDate,
    },
    Decline,
}

/// What a decision about a cascade needs: its parts and which are answered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cascade {
    pub id: Option<CascadeId>,
    pub program_id: Option<ProgramId>,
    pub slip: Option<SlipRef>,
    pub parts: Vec<CascadePart>,
    pub answered: Vec<MilestoneId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CascadeCommand {
    Propose {
        cascade_id: CascadeId,
        program_id: ProgramId,
        slip: SlipRef,
        parts: Vec<CascadePart>,
    },
    /// `forecast_now`: the milestone's forecast as it is (looked up by the caller).
    Answer {
        milestone_id: MilestoneId,
        answer: PartAnswer,
        forecast_now: NaiveDate,
        reason: String,
    },
}

impl Cascade {
    pub fn part(&self, milestone_id: MilestoneId) -> Option<&CascadePart> {
        self.parts.iter().find(|p| p.milestone_id == milestone_id)
    }

    /// The parts not answered yet.
    pub fn pending(&self) -> impl Iterator<Item = &CascadePart> {
        self.parts
            .iter()
            .filter(|p| !self.answered.contains(&p.milestone_id))
    }

    pub fn apply(&mut self, event: &CascadeEvent) {
        match event {
            CascadeEvent::CascadeProposed {
                cascade_id,
                program_id,
                slip,
                parts,
            } => {
                self.id = Some(*cascade_id);
                self.program_id = Some(*program_id);
                self.slip = Some(slip.clone());
                self.parts = parts.clone();
            }
            CascadeEvent::CascadePartAccepted { milestone_id, .. }
            | CascadeEvent::CascadePartCountered { milestone_id, .. }
            | CascadeEvent::CascadePartDeclined { milestone_id, .. } => {
                if !self.answered.contains(milestone_id) {
                    self.answered.push(*milestone_id);
                }
            }
        }
    }

    pub fn decide(&self, command: CascadeCommand) -> Result<Vec<CascadeEvent>, DomainError> {
        match command {
            CascadeCommand::Propose {
                cascade_id,
                program_id,
                slip,
                parts,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(format!("cascade {cascade_id}")));
                }
                if parts.is_empty() {
                    return Err(DomainError::NothingToChange(format!(
                        "nothing downstream of “{}” still needs to move",
                        slip.name
                    )));
                }
                let mut v = Validator::new();
                if parts.len() > PARTS_MAX {
                    v.push(
                        "parts",
                        format!("a cascade holds at most {PARTS_MAX} moves"),
                    );
                }
                for (i, part) in parts.iter().enumerate() {
                    v.optional_text(&format!("parts[{i}].name"), &part.name, NAME_MAX);
                    for (field, date) in [
                        ("from", Some(part.from)),
                        ("to", Some(part.to)),
                        ("start", part.start),
                    ] {
                        v.optional_date(&format!("parts[{i}].{field}"), date);
                    }
                }
                v.finish()?;
                Ok(vec![CascadeEvent::CascadeProposed {
                    cascade_id,
                    program_id,
                    slip,
                    parts,
                }])
            }
            CascadeCommand::Answer {
                milestone_id,
                answer,
                forecast_now,
                reason,
            } => {
                let (Some(cascade_id), Some(program_id)) = (self.id, self.program_id) else {
                    return Err(DomainError::NotFound("cascade".into()));
                };
                let Some(part) = self.part(milestone_id) else {
                    return Err(DomainError::NotFound(format!(
                        "a move of milestone {milestone_id} in this cascade"
                    )));
                };
                if self.answered.contains(&milestone_id) {
                    return Err(DomainError::NothingToChange(format!(
                        "the move of “{}” was answered already",
                        part.name
                    )));
                }
                let mut v = Validator::new();
                let reason = v.optional_text("reason", &reason, TEXT_MAX);
                // Only the move as proposed depends on the plan it was computed for: a date of
                // the owner's own, or keeping the date, holds whatever the forecast is now.
                if forecast_now != part.from && matches!(answer, PartAnswer::Accept) {
                    v.push(
                        "milestone_id",
                        format!(
                            "“{}” moved to {forecast_now} since the cascade proposed moving it \
                             from {}: answer with a date of your own, or decline",
                            part.name, part.from
                        ),
                    );
                }
                let event = match answer {
                    PartAnswer::Accept => CascadeEvent::CascadePartAccepted {
                        cascade_id,
                        program_id,
                        milestone_id,
                        name: part.name.clone(),
                        to: part.to,
                    },
                    PartAnswer::Counter { to } => {
                        v.optional_date("to", Some(to));
                        if to == part.to {
                            v.push("to", "is the date proposed: accept it instead");
                        }
                        CascadeEvent::CascadePartCountered {
                            cascade_id,
                            program_id,
                            milestone_id,
                            name: part.name.clone(),
                            proposed: part.to,
                            to,
                        }
                    }
                    PartAnswer::Decline => {
                        if reason.is_empty() {
                            v.push("reason", "say why the date holds");
                        }
                        CascadeEvent::CascadePartDeclined {
                            cascade_id,
                            program_id,
                            milestone_id,
                            name: part.name.clone(),
                        }
                    }
                };
                v.finish()?;
                Ok(vec![event])
            }
        }
    }
}

/// Audit-trail sentences.
pub fn describe(event: &CascadeEvent) -> String {
    match event {
        CascadeEvent::CascadeProposed { slip, parts, .. } => {
            let n = parts.len();
            let plural = if n == 1 { "" } else { "s" };
            format!(
                "Proposed {n} downstream move{plural} to their owners after “{}” slipped from {} to {}",
                slip.name, slip.from, slip.to
            )
        }
        CascadeEvent::CascadePartAccepted { name, to, .. } => {
            format!("Accepted the proposed move of “{name}” to {to}")
        }
        CascadeEvent::CascadePartCountered {
            name, proposed, to, ..
        } => format!("Countered the proposed move of “{name}” to {proposed}: moved it to {to}"),
        CascadeEvent::CascadePartDeclined { name, .. } => {
            format!("Declined the proposed move of “{name}”: its date holds")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use crate::error::FieldError;
    use uuid::Uuid;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn cid() -> CascadeId {
        CascadeId::from_uuid(Uuid::from_u128(1))
    }

    fn pid() -> ProgramId {
        ProgramId::from_uuid(Uuid::from_u128(2))
    }

    fn mid(n: u128) -> MilestoneId {
        MilestoneId::from_uuid(Uuid::from_u128(10 + n))
    }

    fn slip() -> SlipRef {
        SlipRef {
            milestone_id: mid(0),
            name: "Schema frozen".into(),
            from: day(3, 1),
            to: day(3, 15),
            position: 7,
        }
    }

    fn part(n: u128, from: NaiveDate, to: NaiveDate) -> CascadePart {
        CascadePart {
            milestone_id: mid(n),
            project_id: ProjectId::from_uuid(Uuid::from_u128(99)),
            name: format!("M{n}"),
            from,
            to,
            start: None,
        }
    }

    fn proposed() -> CascadeEvent {
        CascadeEvent::CascadeProposed {
            cascade_id: cid(),
            program_id: pid(),
            slip: slip(),
            parts: vec![
                part(1, day(4, 1), day(4, 15)),
                part(2, day(5, 1), day(5, 15)),
            ],
        }
    }

    fn answer(n: u128, answer: PartAnswer, now: NaiveDate, reason: &str) -> CascadeCommand {
        CascadeCommand::Answer {
            milestone_id: mid(n),
            answer,
            forecast_now: now,
            reason: reason.into(),
        }
    }

    #[test]
    fn a_slip_s_moves_are_proposed_once_and_only_when_something_must_move() {
        Given::<Cascade>::events(&[])
            .when(CascadeCommand::Propose {
                cascade_id: cid(),
                program_id: pid(),
                slip: slip(),
                parts: vec![
                    part(1, day(4, 1), day(4, 15)),
                    part(2, day(5, 1), day(5, 15)),
                ],
            })
            .then_events(vec![proposed()]);
        Given::<Cascade>::events(&[])
            .when(CascadeCommand::Propose {
                cascade_id: cid(),
                program_id: pid(),
                slip: slip(),
                parts: Vec::new(),
            })
            .then_error(DomainError::NothingToChange(
                "nothing downstream of “Schema frozen” still needs to move".into(),
            ));
    }

    #[test]
    fn each_owner_accepts_counters_or_declines_their_part_once() {
        let given = Given::<Cascade>::events(&[proposed()]);
        given
            .when(answer(1, PartAnswer::Accept, day(4, 1), ""))
            .then_events(vec![CascadeEvent::CascadePartAccepted {
                cascade_id: cid(),
                program_id: pid(),
                milestone_id: mid(1),
                name: "M1".into(),
                to: day(4, 15),
            }]);
        given
            .when(answer(
                2,
                PartAnswer::Counter { to: day(5, 8) },
                day(5, 1),
                "Float absorbs a week",
            ))
            .then_events(vec![CascadeEvent::CascadePartCountered {
                cascade_id: cid(),
                program_id: pid(),
                milestone_id: mid(2),
                name: "M2".into(),
                proposed: day(5, 15),
                to: day(5, 8),
            }]);
        given
            .when(answer(
                2,
                PartAnswer::Counter { to: day(5, 15) },
                day(5, 1),
                "",
            ))
            .then_error(DomainError::Invalid(vec![FieldError::new(
                "to",
                "is the date proposed: accept it instead",
            )]));
        given
            .when(answer(2, PartAnswer::Decline, day(5, 20), " "))
            .then_error(DomainError::Invalid(vec![FieldError::new(
                "reason",
                "say why the date holds",
            )]));
        // Moved since the proposal: accepting would apply a move computed for another plan.
        let refused = given
            .when(answer(1, PartAnswer::Accept, day(4, 3), ""))
            .then_invalid();
        assert!(
            refused[0].message.contains("moved to 2027-04-03"),
            "{refused:?}"
        );
        given
            .when(answer(9, PartAnswer::Accept, day(4, 1), ""))
            .then_error(DomainError::NotFound(format!(
                "a move of milestone {} in this cascade",
                mid(9)
            )));
        let answered = Given::<Cascade>::events(&[
            proposed(),
            CascadeEvent::CascadePartDeclined {
                cascade_id: cid(),
                program_id: pid(),
                milestone_id: mid(1),
                name: "M1".into(),
            },
        ]);
        assert_eq!(answered.pending().count(), 1);
        answered
            .when(answer(1, PartAnswer::Accept, day(4, 1), ""))
            .then_error(DomainError::NothingToChange(
                "the move of “M1” was answered already".into(),
            ));
    }
}
