//! An issue: a problem the program has now (a realised risk, or one nobody saw coming), with a
//! severity, an owner, a date to resolve it by and the actions that will.

use super::{RaidAction, RaidLink, action_change, new_action, scope_and_links, set_action_status};
use crate::error::{DomainError, NAME_MAX, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::governance::session::ActionStatus;
use crate::ids::{ActionId, IssueId, ProgramId, ProjectId, RiskId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How badly an issue hurts. Wire names are stable.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    #[default]
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct IssueDetails {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub severity: Severity,
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve_by: Option<NaiveDate>,
    #[serde(default)]
    pub projects: Vec<ProjectId>,
    #[serde(default)]
    pub links: Vec<RaidLink>,
}

impl IssueDetails {
    fn checked(self) -> Result<IssueDetails, DomainError> {
        let mut v = Validator::new();
        let title = v.required_text("title", &self.title, NAME_MAX);
        let description = v.optional_text("description", &self.description, TEXT_MAX);
        let owner = v.required_text("owner", &self.owner, PERSON_MAX);
        v.optional_date("resolve_by", self.resolve_by);
        let (projects, links) = scope_and_links(&mut v, self.projects, self.links);
        v.finish()?;
        Ok(IssueDetails {
            title,
            description,
            severity: self.severity,
            owner,
            resolve_by: self.resolve_by,
            projects,
            links,
        })
    }
}

/// Facts about an issue. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IssueEvent {
    IssueRaised {
        issue_id: IssueId,
        program_id: ProgramId,
        details: IssueDetails,
        /// The risk it was, when a risk was realised.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from_risk: Option<RiskId>,
    },
    IssueRevised {
        issue_id: IssueId,
        program_id: ProgramId,
        details: IssueDetails,
    },
    IssueActionAdded {
        issue_id: IssueId,
        program_id: ProgramId,
        action: RaidAction,
    },
    IssueActionChanged {
        issue_id: IssueId,
        program_id: ProgramId,
        action_id: ActionId,
        status: ActionStatus,
        #[serde(default)]
        note: String,
    },
    IssueResolved {
        issue_id: IssueId,
        program_id: ProgramId,
        resolution: String,
    },
}

impl IssueEvent {
    pub fn issue_id(&self) -> IssueId {
        match self {
            IssueEvent::IssueRaised { issue_id, .. }
            | IssueEvent::IssueRevised { issue_id, .. }
            | IssueEvent::IssueActionAdded { issue_id, .. }
            | IssueEvent::IssueActionChanged { issue_id, .. }
            | IssueEvent::IssueResolved { issue_id, .. } => *issue_id,
        }
    }
}

impl AggregateEvent for IssueEvent {
    const STREAM_TYPE: &'static str = "raid_issue";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            IssueEvent::IssueRaised { program_id, .. }
            | IssueEvent::IssueRevised { program_id, .. }
            | IssueEvent::IssueActionAdded { program_id, .. }
            | IssueEvent::IssueActionChanged { program_id, .. }
            | IssueEvent::IssueResolved { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Issue {
    pub id: Option<IssueId>,
    pub program_id: Option<ProgramId>,
    pub details: IssueDetails,
    pub from_risk: Option<RiskId>,
    pub actions: Vec<RaidAction>,
    pub resolution: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IssueCommand {
    Raise {
        issue_id: IssueId,
        program_id: ProgramId,
        details: IssueDetails,
        from_risk: Option<RiskId>,
    },
    Revise {
        details: IssueDetails,
    },
    AddAction {
        action_id: ActionId,
        title: String,
        owner: String,
        due: NaiveDate,
    },
    ChangeAction {
        action_id: ActionId,
        status: ActionStatus,
        note: String,
    },
    Resolve {
        resolution: String,
    },
}

impl Issue {
    pub fn apply(&mut self, event: &IssueEvent) {
        match event {
            IssueEvent::IssueRaised {
                issue_id,
                program_id,
                details,
                from_risk,
            } => {
                self.id = Some(*issue_id);
                self.program_id = Some(*program_id);
                self.details = details.clone();
                self.from_risk = *from_risk;
            }
            IssueEvent::IssueRevised { details, .. } => self.details = details.clone(),
            IssueEvent::IssueActionAdded { action, .. } => self.actions.push(action.clone()),
            IssueEvent::IssueActionChanged {
                action_id, status, ..
            } => set_action_status(&mut self.actions, *action_id, *status),
            IssueEvent::IssueResolved { resolution, .. } => {
                self.resolution = Some(resolution.clone());
            }
        }
    }

    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }

    /// Open past the date it was to be resolved by.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.details.resolve_by.is_some_and(|d| d < today)
    }

    fn ids(&self) -> Result<(IssueId, ProgramId), DomainError> {
        match (self.id, self.program_id) {
            (Some(i), Some(p)) => Ok((i, p)),
            _ => Err(DomainError::NotFound("issue".into())),
        }
    }

    fn open(&self) -> Result<(IssueId, ProgramId), DomainError> {
        let ids = self.ids()?;
        if !self.is_open() {
            return Err(DomainError::NothingToChange("the issue is resolved".into()));
        }
        Ok(ids)
    }

    pub fn decide(&self, command: IssueCommand) -> Result<Vec<IssueEvent>, DomainError> {
        match command {
            IssueCommand::Raise {
                issue_id,
                program_id,
                details,
                from_risk,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(format!("issue {issue_id}")));
                }
                Ok(vec![IssueEvent::IssueRaised {
                    issue_id,
                    program_id,
                    details: details.checked()?,
                    from_risk,
                }])
            }
            IssueCommand::Revise { details } => {
                let (issue_id, program_id) = self.open()?;
                let details = details.checked()?;
                if details == self.details {
                    return Err(DomainError::NothingToChange(
                        "the issue already reads so".into(),
                    ));
                }
                Ok(vec![IssueEvent::IssueRevised {
                    issue_id,
                    program_id,
                    details,
                }])
            }
            IssueCommand::AddAction {
                action_id,
                title,
                owner,
                due,
            } => {
                let (issue_id, program_id) = self.open()?;
                let action = new_action(&self.actions, action_id, &title, &owner, due)?;
                Ok(vec![IssueEvent::IssueActionAdded {
                    issue_id,
                    program_id,
                    action,
                }])
            }
            IssueCommand::ChangeAction {
                action_id,
                status,
                note,
            } => {
                let (issue_id, program_id) = self.ids()?;
                let note = action_change(&self.actions, action_id, status, &note)?;
                Ok(vec![IssueEvent::IssueActionChanged {
                    issue_id,
                    program_id,
                    action_id,
                    status,
                    note,
                }])
            }
            IssueCommand::Resolve { resolution } => {
                let (issue_id, program_id) = self.open()?;
                let mut v = Validator::new();
                let resolution = v.required_text("resolution", &resolution, TEXT_MAX);
                v.finish()?;
                Ok(vec![IssueEvent::IssueResolved {
                    issue_id,
                    program_id,
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
    use uuid::Uuid;

    fn raise() -> IssueCommand {
        IssueCommand::Raise {
            issue_id: IssueId::from_uuid(Uuid::from_u128(1)),
            program_id: ProgramId::from_uuid(Uuid::from_u128(2)),
            details: IssueDetails {
                title: "HSM not delivered".into(),
                severity: Severity::High,
                owner: "Ana Ruiz".into(),
                resolve_by: NaiveDate::from_ymd_opt(2027, 3, 20),
                ..Default::default()
            },
            from_risk: Some(RiskId::from_uuid(Uuid::from_u128(3))),
        }
    }

    #[test]
    fn an_issue_is_overdue_past_its_date_until_resolved_and_then_takes_no_more_changes() {
        let day = |d| NaiveDate::from_ymd_opt(2027, 3, d).unwrap();
        let issue = Given::<Issue>::decided(vec![raise()]);
        assert!(!issue.is_overdue(day(20)) && issue.is_overdue(day(21)));
        issue
            .when(IssueCommand::Resolve {
                resolution: "\n".into(),
            })
            .then_invalid();
        let resolved = Given::<Issue>::decided(vec![
            raise(),
            IssueCommand::Resolve {
                resolution: "Loan unit from the supplier".into(),
            },
        ]);
        assert!(!resolved.is_overdue(day(28)));
        resolved
            .when(IssueCommand::Revise {
                details: IssueDetails::default(),
            })
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        Given::<Issue>::events(&[])
            .when(IssueCommand::Resolve {
                resolution: "x".into(),
            })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }
}
