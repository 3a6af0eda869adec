//! A risk: something that may happen and would hurt the program. Every assessment, response and
//! action change is its own event with its reason, so the score's trajectory — and who moved it —
//! is in the audit trail.

use super::settings::Appetite;
use super::{
    Assessment, RaidAction, RaidLink, action_change, new_action, scope_and_links, set_action_status,
};
use crate::error::{DomainError, NAME_MAX, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::governance::session::ActionStatus;
use crate::ids::{ActionId, DecisionId, IssueId, ProgramId, ProjectId, RiskId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a risk is, who owns it and what it threatens: set when identified, revised as a whole.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RiskDetails {
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// What would make it happen ("single supplier for the HSM"): risks sharing a cause across
    /// projects are grouped.
    #[serde(default)]
    pub cause: String,
    /// One of the program's categories.
    pub category: String,
    pub owner: String,
    /// Empty: a program risk. Otherwise the projects it belongs to.
    #[serde(default)]
    pub projects: Vec<ProjectId>,
    /// The milestones, dependencies and objectives it threatens.
    #[serde(default)]
    pub links: Vec<RaidLink>,
    /// The date by which it could hit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proximity: Option<NaiveDate>,
}

impl RiskDetails {
    /// Trimmed, bounded, the category matched to the program's list (`categories`; any when the
    /// list is empty), projects and links deduplicated.
    fn checked(self, categories: &[String]) -> Result<RiskDetails, DomainError> {
        let mut v = Validator::new();
        let title = v.required_text("title", &self.title, NAME_MAX);
        let description = v.optional_text("description", &self.description, TEXT_MAX);
        let cause = v.optional_text("cause", &self.cause, NAME_MAX);
        let category = v.required_text("category", &self.category, NAME_MAX);
        let category = match categories
            .iter()
            .find(|c| c.eq_ignore_ascii_case(&category))
        {
            Some(known) => known.clone(),
            None if categories.is_empty() || category.is_empty() => category,
            None => {
                v.push(
                    "category",
                    format!(
                        "must be one of the program's categories: {}",
                        categories.join(", ")
                    ),
                );
                category
            }
        };
        let owner = v.required_text("owner", &self.owner, PERSON_MAX);
        v.optional_date("proximity", self.proximity);
        let (projects, links) = scope_and_links(&mut v, self.projects, self.links);
        v.finish()?;
        Ok(RiskDetails {
            title,
            description,
            cause,
            category,
            owner,
            projects,
            links,
            proximity: self.proximity,
        })
    }
}

/// How the program responds to a risk. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResponseStrategy {
    Avoid,
    Mitigate,
    Transfer,
    Accept,
    /// Beyond the program's authority: passed up its escalation path.
    Escalate,
}

impl ResponseStrategy {
    pub fn label(self) -> &'static str {
        match self {
            ResponseStrategy::Avoid => "avoid",
            ResponseStrategy::Mitigate => "mitigate",
            ResponseStrategy::Transfer => "transfer",
            ResponseStrategy::Accept => "accept",
            ResponseStrategy::Escalate => "escalate",
        }
    }
}

/// Where a risk is in its life. Wire names are stable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RiskState {
    #[default]
    Identified,
    Assessed,
    InTreatment,
    Closed,
    /// It happened: it is an issue now.
    Realised,
}

impl RiskState {
    pub fn is_open(self) -> bool {
        !matches!(self, RiskState::Closed | RiskState::Realised)
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskState::Identified => "identified",
            RiskState::Assessed => "assessed",
            RiskState::InTreatment => "in treatment",
            RiskState::Closed => "closed",
            RiskState::Realised => "realised",
        }
    }
}

/// The ROAM board's column (resolved, owned, accepted, mitigated), read off the risk's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Roam {
    Resolved,
    Owned,
    Accepted,
    Mitigated,
}

/// Facts about a risk. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RiskEvent {
    RiskIdentified {
        risk_id: RiskId,
        program_id: ProgramId,
        details: RiskDetails,
    },
    RiskRevised {
        risk_id: RiskId,
        program_id: ProgramId,
        details: RiskDetails,
    },
    /// The risk as it stands now (inherent): a first assessment or a reassessment.
    RiskAssessed {
        risk_id: RiskId,
        program_id: ProgramId,
        assessment: Assessment,
        reason: String,
        /// When it must be looked at again; past it, the risk is stale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        review_by: Option<NaiveDate>,
    },
    /// The level the response aims to bring it down to (residual, or target).
    RiskResidualAssessed {
        risk_id: RiskId,
        program_id: ProgramId,
        assessment: Assessment,
        reason: String,
    },
    RiskResponseChosen {
        risk_id: RiskId,
        program_id: ProgramId,
        strategy: ResponseStrategy,
        reason: String,
        /// The decision that approved it (an acceptance above the program's appetite).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        decision_id: Option<DecisionId>,
    },
    RiskActionAdded {
        risk_id: RiskId,
        program_id: ProgramId,
        action: RaidAction,
    },
    RiskActionChanged {
        risk_id: RiskId,
        program_id: ProgramId,
        action_id: ActionId,
        status: ActionStatus,
        #[serde(default)]
        note: String,
    },
    RiskClosed {
        risk_id: RiskId,
        program_id: ProgramId,
        reason: String,
        /// Closed with no treatment action done and without being accepted: the register and
        /// the audit trail flag it.
        without_treatment: bool,
    },
    RiskRealised {
        risk_id: RiskId,
        program_id: ProgramId,
        /// The issue it became.
        issue_id: IssueId,
        reason: String,
    },
}

impl RiskEvent {
    pub fn risk_id(&self) -> RiskId {
        match self {
            RiskEvent::RiskIdentified { risk_id, .. }
            | RiskEvent::RiskRevised { risk_id, .. }
            | RiskEvent::RiskAssessed { risk_id, .. }
            | RiskEvent::RiskResidualAssessed { risk_id, .. }
            | RiskEvent::RiskResponseChosen { risk_id, .. }
            | RiskEvent::RiskActionAdded { risk_id, .. }
            | RiskEvent::RiskActionChanged { risk_id, .. }
            | RiskEvent::RiskClosed { risk_id, .. }
            | RiskEvent::RiskRealised { risk_id, .. } => *risk_id,
        }
    }
}

impl AggregateEvent for RiskEvent {
    const STREAM_TYPE: &'static str = "risk";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            RiskEvent::RiskIdentified { program_id, .. }
            | RiskEvent::RiskRevised { program_id, .. }
            | RiskEvent::RiskAssessed { program_id, .. }
            | RiskEvent::RiskResidualAssessed { program_id, .. }
            | RiskEvent::RiskResponseChosen { program_id, .. }
            | RiskEvent::RiskActionAdded { program_id, .. }
            | RiskEvent::RiskActionChanged { program_id, .. }
            | RiskEvent::RiskClosed { program_id, .. }
            | RiskEvent::RiskRealised { program_id, .. } => *program_id,
        })
    }
}

/// A risk's state, folded from its stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Risk {
    pub id: Option<RiskId>,
    pub program_id: Option<ProgramId>,
    pub details: RiskDetails,
    pub state: RiskState,
    /// The latest assessment of the risk as it stands.
    pub inherent: Option<Assessment>,
    pub residual: Option<Assessment>,
    pub review_by: Option<NaiveDate>,
    pub strategy: Option<ResponseStrategy>,
    /// The decision that approved an acceptance above appetite.
    pub accepted_by: Option<DecisionId>,
    pub actions: Vec<RaidAction>,
    pub issue: Option<IssueId>,
    pub without_treatment: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RiskCommand {
    Identify {
        risk_id: RiskId,
        program_id: ProgramId,
        details: RiskDetails,
        /// The program's categories (from its settings).
        categories: Vec<String>,
        /// A first assessment, given with the risk.
        assessment: Option<Assessment>,
        review_by: Option<NaiveDate>,
    },
    Revise {
        details: RiskDetails,
        categories: Vec<String>,
    },
    Assess {
        assessment: Assessment,
        reason: String,
        review_by: Option<NaiveDate>,
    },
    AssessResidual {
        assessment: Assessment,
        reason: String,
    },
    Respond {
        strategy: ResponseStrategy,
        reason: String,
        /// The program's appetite: accepting a risk above it needs `decision_id`.
        appetite: Option<Appetite>,
        decision_id: Option<DecisionId>,
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
    Close {
        reason: String,
    },
    Realise {
        issue_id: IssueId,
        reason: String,
    },
}

impl Risk {
    pub fn apply(&mut self, event: &RiskEvent) {
        match event {
            RiskEvent::RiskIdentified {
                risk_id,
                program_id,
                details,
            } => {
                self.id = Some(*risk_id);
                self.program_id = Some(*program_id);
                self.details = details.clone();
            }
            RiskEvent::RiskRevised { details, .. } => self.details = details.clone(),
            RiskEvent::RiskAssessed {
                assessment,
                review_by,
                ..
            } => {
                self.inherent = Some(*assessment);
                self.review_by = *review_by;
                if self.state == RiskState::Identified {
                    self.state = RiskState::Assessed;
                }
            }
            RiskEvent::RiskResidualAssessed { assessment, .. } => {
                self.residual = Some(*assessment);
            }
            RiskEvent::RiskResponseChosen {
                strategy,
                decision_id,
                ..
            } => {
                self.strategy = Some(*strategy);
                self.accepted_by = *decision_id;
                if self.state.is_open() {
                    self.state = RiskState::InTreatment;
                }
            }
            RiskEvent::RiskActionAdded { action, .. } => {
                self.actions.push(action.clone());
                if self.state.is_open() {
                    self.state = RiskState::InTreatment;
                }
            }
            RiskEvent::RiskActionChanged {
                action_id, status, ..
            } => set_action_status(&mut self.actions, *action_id, *status),
            RiskEvent::RiskClosed {
                without_treatment, ..
            } => {
                self.state = RiskState::Closed;
                self.without_treatment = *without_treatment;
            }
            RiskEvent::RiskRealised { issue_id, .. } => {
                self.state = RiskState::Realised;
                self.issue = Some(*issue_id);
            }
        }
    }

    /// The ROAM column: resolved once closed or realised; accepted; mitigated once every action
    /// is finished and at least one was done; owned otherwise.
    pub fn roam(&self) -> Roam {
        let finished = !self.actions.is_empty()
            && self.actions.iter().all(|a| a.status != ActionStatus::Open)
            && self.actions.iter().any(|a| a.status == ActionStatus::Done);
        match self.strategy {
            _ if !self.state.is_open() => Roam::Resolved,
            Some(ResponseStrategy::Accept) => Roam::Accepted,
            _ if finished => Roam::Mitigated,
            _ => Roam::Owned,
        }
    }

    /// Open and past the date it was to be looked at again.
    pub fn is_stale(&self, today: NaiveDate) -> bool {
        self.state.is_open() && self.review_by.is_some_and(|d| d < today)
    }

    /// Why the risk as assessed now is above `appetite`, in words; `None` when within it.
    pub fn above_appetite(&self, appetite: &Appetite) -> Option<String> {
        self.inherent.and_then(|a| appetite.exceeded_by(&a))
    }

    fn ids(&self) -> Result<(RiskId, ProgramId), DomainError> {
        match (self.id, self.program_id) {
            (Some(r), Some(p)) => Ok((r, p)),
            _ => Err(DomainError::NotFound("risk".into())),
        }
    }

    /// The ids, if the risk is still open.
    fn open(&self) -> Result<(RiskId, ProgramId), DomainError> {
        let ids = self.ids()?;
        if !self.state.is_open() {
            return Err(DomainError::NothingToChange(format!(
                "the risk is {}",
                self.state.label()
            )));
        }
        Ok(ids)
    }

    pub fn decide(&self, command: RiskCommand) -> Result<Vec<RiskEvent>, DomainError> {
        match command {
            RiskCommand::Identify {
                risk_id,
                program_id,
                details,
                categories,
                assessment,
                review_by,
            } => {
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(format!("risk {risk_id}")));
                }
                let details = details.checked(&categories)?;
                let mut events = vec![RiskEvent::RiskIdentified {
                    risk_id,
                    program_id,
                    details,
                }];
                if let Some(assessment) = assessment {
                    let mut v = Validator::new();
                    assessment.check(&mut v, "assessment");
                    v.optional_date("review_by", review_by);
                    v.finish()?;
                    events.push(RiskEvent::RiskAssessed {
                        risk_id,
                        program_id,
                        assessment,
                        reason: "first assessment".into(),
                        review_by,
                    });
                }
                Ok(events)
            }
            RiskCommand::Revise {
                details,
                categories,
            } => {
                let (risk_id, program_id) = self.open()?;
                let details = details.checked(&categories)?;
                if details == self.details {
                    return Err(DomainError::NothingToChange(
                        "the risk already reads so".into(),
                    ));
                }
                Ok(vec![RiskEvent::RiskRevised {
                    risk_id,
                    program_id,
                    details,
                }])
            }
            RiskCommand::Assess {
                assessment,
                reason,
                review_by,
            } => {
                let (risk_id, program_id) = self.open()?;
                let mut v = Validator::new();
                assessment.check(&mut v, "assessment");
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                v.optional_date("review_by", review_by);
                v.finish()?;
                Ok(vec![RiskEvent::RiskAssessed {
                    risk_id,
                    program_id,
                    assessment,
                    reason,
                    review_by,
                }])
            }
            RiskCommand::AssessResidual { assessment, reason } => {
                let (risk_id, program_id) = self.open()?;
                let mut v = Validator::new();
                assessment.check(&mut v, "assessment");
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                if let Some(inherent) = self.inherent
                    && assessment.score() > inherent.score()
                {
                    v.push(
                        "assessment",
                        format!(
                            "a residual score ({}) above the risk's own ({}) is no treatment: \
                             reassess the risk instead",
                            assessment.score(),
                            inherent.score()
                        ),
                    );
                }
                v.finish()?;
                Ok(vec![RiskEvent::RiskResidualAssessed {
                    risk_id,
                    program_id,
                    assessment,
                    reason,
                }])
            }
            RiskCommand::Respond {
                strategy,
                reason,
                appetite,
                decision_id,
            } => {
                let (risk_id, program_id) = self.open()?;
                let mut v = Validator::new();
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                if strategy == ResponseStrategy::Accept && decision_id.is_none() {
                    if self.inherent.is_none() {
                        v.push("strategy", "assess the risk before accepting it");
                    } else if let Some(why) = appetite.and_then(|a| self.above_appetite(&a)) {
                        v.push(
                            "strategy",
                            format!(
                                "{why}: accepting it needs an approved risk-acceptance decision"
                            ),
                        );
                    }
                }
                v.finish()?;
                if self.strategy == Some(strategy) && decision_id.is_none() {
                    return Err(DomainError::NothingToChange(format!(
                        "the response is already to {}",
                        strategy.label()
                    )));
                }
                Ok(vec![RiskEvent::RiskResponseChosen {
                    risk_id,
                    program_id,
                    strategy,
                    reason,
                    decision_id,
                }])
            }
            RiskCommand::AddAction {
                action_id,
                title,
                owner,
                due,
            } => {
                let (risk_id, program_id) = self.open()?;
                let action = new_action(&self.actions, action_id, &title, &owner, due)?;
                Ok(vec![RiskEvent::RiskActionAdded {
                    risk_id,
                    program_id,
                    action,
                }])
            }
            RiskCommand::ChangeAction {
                action_id,
                status,
                note,
            } => {
                // Actions may be finished after the risk closes: the record stays true.
                let (risk_id, program_id) = self.ids()?;
                let note = action_change(&self.actions, action_id, status, &note)?;
                Ok(vec![RiskEvent::RiskActionChanged {
                    risk_id,
                    program_id,
                    action_id,
                    status,
                    note,
                }])
            }
            RiskCommand::Close { reason } => {
                let (risk_id, program_id) = self.open()?;
                let mut v = Validator::new();
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                v.finish()?;
                let treated = self.actions.iter().any(|a| a.status == ActionStatus::Done)
                    || self.strategy == Some(ResponseStrategy::Accept);
                Ok(vec![RiskEvent::RiskClosed {
                    risk_id,
                    program_id,
                    reason,
                    without_treatment: !treated,
                }])
            }
            RiskCommand::Realise { issue_id, reason } => {
                let (risk_id, program_id) = self.open()?;
                let mut v = Validator::new();
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                v.finish()?;
                Ok(vec![RiskEvent::RiskRealised {
                    risk_id,
                    program_id,
                    issue_id,
                    reason,
                }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use crate::raid::Rating;
    use uuid::Uuid;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap()
    }

    fn assessment(p: u8, i: u8) -> Assessment {
        Assessment {
            probability: Rating::new(p).unwrap(),
            impact: Rating::new(i).unwrap(),
            schedule_days: Some(15),
            cost: None,
        }
    }

    fn categories() -> Vec<String> {
        vec!["Vendor".into(), "Technical".into()]
    }

    fn identify() -> RiskCommand {
        RiskCommand::Identify {
            risk_id: RiskId::from_uuid(Uuid::from_u128(1)),
            program_id: ProgramId::from_uuid(Uuid::from_u128(2)),
            details: RiskDetails {
                title: "  HSM supplier slips  ".into(),
                cause: "Single HSM supplier".into(),
                category: "vendor".into(),
                owner: "Ana Ruiz".into(),
                ..Default::default()
            },
            categories: categories(),
            assessment: Some(assessment(4, 4)),
            review_by: Some(day(15)),
        }
    }

    fn appetite(score: u8) -> Option<Appetite> {
        Some(Appetite {
            score,
            schedule_days: None,
            cost: None,
        })
    }

    #[test]
    fn identified_with_a_first_assessment_it_takes_the_programs_spelling_of_its_category() {
        let events = Given::<Risk>::events(&[]).when(identify()).events();
        let RiskEvent::RiskIdentified { details, .. } = &events[0] else {
            panic!("identified first")
        };
        assert_eq!(
            (details.title.as_str(), details.category.as_str()),
            ("HSM supplier slips", "Vendor")
        );
        assert!(matches!(events[1], RiskEvent::RiskAssessed { .. }));
        let risk = Given::<Risk>::decided(vec![identify()]);
        assert_eq!(risk.state, RiskState::Assessed);
        assert_eq!(risk.inherent.map(|a| a.score()), Some(16));
        assert!(!risk.is_stale(day(15)) && risk.is_stale(day(16)));
        let mut unknown = identify();
        if let RiskCommand::Identify { details, .. } = &mut unknown {
            details.category = "Weather".into();
        }
        let fields = Given::<Risk>::events(&[]).when(unknown).then_invalid();
        assert!(
            fields[0].message.contains("Vendor, Technical"),
            "{fields:?}"
        );
    }

    #[test]
    fn accepting_above_appetite_needs_a_decision_and_within_it_does_not() {
        let risk = Given::<Risk>::decided(vec![identify()]);
        let accept = |appetite, decision_id| RiskCommand::Respond {
            strategy: ResponseStrategy::Accept,
            reason: "Cost of mitigation exceeds exposure".into(),
            appetite,
            decision_id,
        };
        let fields = risk.when(accept(appetite(12), None)).then_invalid();
        assert!(
            fields[0]
                .message
                .contains("score 16 is above the appetite of 12"),
            "{fields:?}"
        );
        risk.when(accept(appetite(16), None)).then_accepted();
        let decision = DecisionId::from_uuid(Uuid::from_u128(9));
        let events = risk.when(accept(appetite(12), Some(decision))).events();
        assert!(matches!(
            &events[0],
            RiskEvent::RiskResponseChosen { decision_id: Some(d), .. } if *d == decision
        ));
        let accepted =
            Given::<Risk>::decided(vec![identify(), accept(appetite(12), Some(decision))]);
        assert_eq!(
            (accepted.roam(), accepted.accepted_by),
            (Roam::Accepted, Some(decision))
        );
    }

    #[test]
    fn closing_without_a_done_action_is_flagged_and_a_closed_risk_takes_no_more_changes() {
        let add = RiskCommand::AddAction {
            action_id: ActionId::from_uuid(Uuid::from_u128(5)),
            title: "Second-source the HSM".into(),
            owner: "Ana Ruiz".into(),
            due: day(20),
        };
        let close = RiskCommand::Close {
            reason: "Supplier delivered".into(),
        };
        let events = Given::<Risk>::decided(vec![identify(), add.clone()])
            .when(close.clone())
            .events();
        assert!(matches!(
            events[0],
            RiskEvent::RiskClosed {
                without_treatment: true,
                ..
            }
        ));
        let done = RiskCommand::ChangeAction {
            action_id: ActionId::from_uuid(Uuid::from_u128(5)),
            status: ActionStatus::Done,
            note: String::new(),
        };
        let risk = Given::<Risk>::decided(vec![identify(), add, done.clone()]);
        assert_eq!(risk.roam(), Roam::Mitigated);
        let events = risk.when(close.clone()).events();
        assert!(matches!(
            events[0],
            RiskEvent::RiskClosed {
                without_treatment: false,
                ..
            }
        ));
        let closed = Given::<Risk>::decided(vec![identify(), close]);
        assert_eq!(closed.roam(), Roam::Resolved);
        closed
            .when(RiskCommand::Assess {
                assessment: assessment(1, 1),
                reason: "Gone".into(),
                review_by: None,
            })
            .then_error_matches(
                |e| matches!(e, DomainError::NothingToChange(m) if m == "the risk is closed"),
            );
    }

    #[test]
    fn a_residual_above_the_risk_itself_is_refused_and_absurd_days_too() {
        let risk = Given::<Risk>::decided(vec![identify()]);
        let fields = risk
            .when(RiskCommand::AssessResidual {
                assessment: assessment(5, 5),
                reason: "After mitigation".into(),
            })
            .then_invalid();
        assert!(fields[0].message.contains("no treatment"), "{fields:?}");
        let mut huge = assessment(2, 2);
        huge.schedule_days = Some(u16::MAX);
        let fields = risk
            .when(RiskCommand::Assess {
                assessment: huge,
                reason: "Worse".into(),
                review_by: None,
            })
            .then_invalid();
        assert_eq!(fields[0].field, "assessment.schedule_days");
    }

    #[test]
    fn realised_it_names_its_issue() {
        let issue = IssueId::from_uuid(Uuid::from_u128(7));
        let risk = Given::<Risk>::decided(vec![
            identify(),
            RiskCommand::Realise {
                issue_id: issue,
                reason: "Supplier missed the date".into(),
            },
        ]);
        assert_eq!((risk.state, risk.issue), (RiskState::Realised, Some(issue)));
    }
}
