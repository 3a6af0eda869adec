//! An assumption: something the plan takes to be true, to be checked by a date. Found false, it
//! raises a risk (the server identifies it in the same request, and the two link each other).

use super::{RaidLink, scope_and_links};
use crate::error::{DomainError, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{AssumptionId, ProgramId, ProjectId, RiskId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssumptionDetails {
    pub statement: String,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validate_by: Option<NaiveDate>,
    #[serde(default)]
    pub projects: Vec<ProjectId>,
    #[serde(default)]
    pub links: Vec<RaidLink>,
}

impl AssumptionDetails {
    fn checked(self) -> Result<AssumptionDetails, DomainError> {
        let mut v = Validator::new();
        let statement = v.required_text("statement", &self.statement, TEXT_MAX);
        let owner = v.required_text("owner", &self.owner, PERSON_MAX);
        v.optional_date("validate_by", self.validate_by);
        let (projects, links) = scope_and_links(&mut v, self.projects, self.links);
        v.finish()?;
        Ok(AssumptionDetails {
            statement,
            owner,
            validate_by: self.validate_by,
            projects,
            links,
        })
    }
}

/// Where an assumption stands. Wire names are stable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssumptionState {
    #[default]
    Open,
    Validated,
    Invalidated,
}

/// Facts about an assumption. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssumptionEvent {
    AssumptionRecorded {
        assumption_id: AssumptionId,
        program_id: ProgramId,
        details: AssumptionDetails,
    },
    AssumptionRevised {
        assumption_id: AssumptionId,
        program_id: ProgramId,
        details: AssumptionDetails,
    },
    AssumptionValidated {
        assumption_id: AssumptionId,
        program_id: ProgramId,
        note: String,
    },
    AssumptionInvalidated {
        assumption_id: AssumptionId,
        program_id: ProgramId,
        note: String,
        /// The risk it raised.
        risk_id: RiskId,
    },
}

impl AssumptionEvent {
    pub fn assumption_id(&self) -> AssumptionId {
        match self {
            AssumptionEvent::AssumptionRecorded { assumption_id, .. }
            | AssumptionEvent::AssumptionRevised { assumption_id, .. }
            | AssumptionEvent::AssumptionValidated { assumption_id, .. }
            | AssumptionEvent::AssumptionInvalidated { assumption_id, .. } => *assumption_id,
        }
    }
}

impl AggregateEvent for AssumptionEvent {
    const STREAM_TYPE: &'static str = "assumption";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            AssumptionEvent::AssumptionRecorded { program_id, .. }
            | AssumptionEvent::AssumptionRevised { program_id, .. }
            | AssumptionEvent::AssumptionValidated { program_id, .. }
            | AssumptionEvent::AssumptionInvalidated { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Assumption {
    pub id: Option<AssumptionId>,
    pub program_id: Option<ProgramId>,
    pub details: AssumptionDetails,
    pub state: AssumptionState,
    pub risk: Option<RiskId>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssumptionCommand {
    Record {
        assumption_id: AssumptionId,
        program_id: ProgramId,
        details: AssumptionDetails,
    },
    Revise {
        details: AssumptionDetails,
    },
    Validate {
        note: String,
    },
    Invalidate {
        note: String,
        risk_id: RiskId,
    },
}

impl Assumption {
    pub fn apply(&mut self, event: &AssumptionEvent) {
        match event {
            AssumptionEvent::AssumptionRecorded {
                assumption_id,
                program_id,
                details,
            } => {
                self.id = Some(*assumption_id);
                self.program_id = Some(*program_id);
                self.details = details.clone();
            }
            AssumptionEvent::AssumptionRevised { details, .. } => self.details = details.clone(),
            AssumptionEvent::AssumptionValidated { .. } => self.state = AssumptionState::Validated,
            AssumptionEvent::AssumptionInvalidated { risk_id, .. } => {
                self.state = AssumptionState::Invalidated;
                self.risk = Some(*risk_id);
            }
        }
    }

    /// Still open past the date it was to be checked by.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.state == AssumptionState::Open && self.details.validate_by.is_some_and(|d| d < today)
    }

    fn open(&self) -> Result<(AssumptionId, ProgramId), DomainError> {
        let (Some(a), Some(p)) = (self.id, self.program_id) else {
            return Err(DomainError::NotFound("assumption".into()));
        };
        match self.state {
            AssumptionState::Open => Ok((a, p)),
            AssumptionState::Validated => Err(DomainError::NothingToChange(
                "the assumption is validated".into(),
            )),
            AssumptionState::Invalidated => Err(DomainError::NothingToChange(
                "the assumption is invalidated".into(),
            )),
        }
    }

    fn note(note: &str) -> Result<String, DomainError> {
        let mut v = Validator::new();
        let note = v.required_text("note", note, TEXT_MAX);
        v.finish()?;
        Ok(note)
    }

    pub fn decide(&self, command: AssumptionCommand) -> Result<Vec<AssumptionEvent>, DomainError> {
        match command {
            AssumptionCommand::Record {
                assumption_id,
                program_id,
                details,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(format!(
                        "assumption {assumption_id}"
                    )));
                }
                Ok(vec![AssumptionEvent::AssumptionRecorded {
                    assumption_id,
                    program_id,
                    details: details.checked()?,
                }])
            }
            AssumptionCommand::Revise { details } => {
                let (assumption_id, program_id) = self.open()?;
                let details = details.checked()?;
                if details == self.details {
                    return Err(DomainError::NothingToChange(
                        "the assumption already reads so".into(),
                    ));
                }
                Ok(vec![AssumptionEvent::AssumptionRevised {
                    assumption_id,
                    program_id,
                    details,
                }])
            }
            AssumptionCommand::Validate { note } => {
                let (assumption_id, program_id) = self.open()?;
                Ok(vec![AssumptionEvent::AssumptionValidated {
                    assumption_id,
                    program_id,
                    note: Self::note(&note)?,
                }])
            }
            AssumptionCommand::Invalidate { note, risk_id } => {
                let (assumption_id, program_id) = self.open()?;
                Ok(vec![AssumptionEvent::AssumptionInvalidated {
                    assumption_id,
                    program_id,
                    note: Self::note(&note)?,
                    risk_id,
                }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use uuid::Uuid;

    #[test]
    fn an_assumption_is_settled_once_validated_or_invalidated_and_names_the_risk_it_raised() {
        let record = AssumptionCommand::Record {
            assumption_id: AssumptionId::from_uuid(Uuid::from_u128(1)),
            program_id: ProgramId::from_uuid(Uuid::from_u128(2)),
            details: AssumptionDetails {
                statement: "The regulator signs off the design in Q2".into(),
                owner: "Sam Patel".into(),
                validate_by: NaiveDate::from_ymd_opt(2027, 6, 30),
                ..Default::default()
            },
        };
        let risk = RiskId::from_uuid(Uuid::from_u128(3));
        let a = Given::<Assumption>::decided(vec![
            record.clone(),
            AssumptionCommand::Invalidate {
                note: "Sign-off moved to Q4".into(),
                risk_id: risk,
            },
        ]);
        assert_eq!(
            (a.state, a.risk),
            (AssumptionState::Invalidated, Some(risk))
        );
        a.when(AssumptionCommand::Validate { note: "ok".into() })
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        let open = Given::<Assumption>::decided(vec![record]);
        assert!(open.is_overdue(NaiveDate::from_ymd_opt(2027, 7, 1).unwrap()));
        open.when(AssumptionCommand::Validate { note: " ".into() })
            .then_invalid();
    }
}
