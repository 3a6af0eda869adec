//! The milestone aggregate: a dated checkpoint (or a deliverable with a start) of one project, with
//! its planned, baseline, forecast and actual dates. Each milestone is its own stream, so teams
//! moving forecasts of different milestones never conflict.
//!
//! The baseline is the agreed plan: set once when the program is baselined; changing it later is a
//! re-baseline, which needs a reason (and, once governance exists, a decision).
//!
//! Events: `MilestoneAdded`, `MilestoneForecastChanged` (from → to), `MilestoneBaselined`,
//! `MilestoneRebaselined` (with its reason), `MilestoneMet`, `MilestoneRenamed` and
//! `MilestoneOwnerChanged` (from → to; a met milestone may still be renamed or re-owned). `POST /api/programs/{id}/baseline`
//! baselines every milestone without a baseline in one atomic multi-stream append. Who may change
//! a milestone: `ChangeSchedule(project)` (program manager, contributor, that project's manager);
//! baselining a program: `Baseline` (program manager).

use crate::error::{DomainError, NAME_MAX, PERSON_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{MilestoneId, ProgramId, ProjectId};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A point in time, or a piece of work with a start and a finish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    Milestone,
    Deliverable,
}

/// Facts about a milestone. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MilestoneEvent {
    MilestoneAdded {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        name: String,
        kind: MilestoneKind,
        owner: String,
        /// A deliverable's planned start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        planned_start: Option<NaiveDate>,
        /// The planned date (a deliverable's planned finish); also the first forecast.
        planned: NaiveDate,
        /// Where it was imported from, e.g. `Ledger#12` (MS Project file stem # task UID), so
        /// later imports can link to it and a second import of the same plan is refused.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        external_ref: Option<String>,
    },
    MilestoneForecastChanged {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: NaiveDate,
        to: NaiveDate,
        /// A deliverable's new forecast start.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        start: Option<NaiveDate>,
    },
    MilestoneBaselined {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        baseline: NaiveDate,
    },
    MilestoneRebaselined {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: NaiveDate,
        to: NaiveDate,
    },
    MilestoneMet {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        actual: NaiveDate,
    },
    MilestoneRenamed {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: String,
        to: String,
    },
    MilestoneOwnerChanged {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        from: String,
        to: String,
    },
}

impl AggregateEvent for MilestoneEvent {
    const STREAM_TYPE: &'static str = "milestone";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            MilestoneEvent::MilestoneAdded { program_id, .. }
            | MilestoneEvent::MilestoneForecastChanged { program_id, .. }
            | MilestoneEvent::MilestoneBaselined { program_id, .. }
            | MilestoneEvent::MilestoneRebaselined { program_id, .. }
            | MilestoneEvent::MilestoneMet { program_id, .. }
            | MilestoneEvent::MilestoneRenamed { program_id, .. }
            | MilestoneEvent::MilestoneOwnerChanged { program_id, .. } => *program_id,
        })
    }
}

impl MilestoneEvent {
    pub fn project_id(&self) -> ProjectId {
        match self {
            MilestoneEvent::MilestoneAdded { project_id, .. }
            | MilestoneEvent::MilestoneForecastChanged { project_id, .. }
            | MilestoneEvent::MilestoneBaselined { project_id, .. }
            | MilestoneEvent::MilestoneRebaselined { project_id, .. }
            | MilestoneEvent::MilestoneMet { project_id, .. }
            | MilestoneEvent::MilestoneRenamed { project_id, .. }
            | MilestoneEvent::MilestoneOwnerChanged { project_id, .. } => *project_id,
        }
    }

    pub fn milestone_id(&self) -> MilestoneId {
        match self {
            MilestoneEvent::MilestoneAdded { milestone_id, .. }
            | MilestoneEvent::MilestoneForecastChanged { milestone_id, .. }
            | MilestoneEvent::MilestoneBaselined { milestone_id, .. }
            | MilestoneEvent::MilestoneRebaselined { milestone_id, .. }
            | MilestoneEvent::MilestoneMet { milestone_id, .. }
            | MilestoneEvent::MilestoneRenamed { milestone_id, .. }
            | MilestoneEvent::MilestoneOwnerChanged { milestone_id, .. } => *milestone_id,
        }
    }
}

/// What a decision about a milestone needs: rebuilt from its own stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Milestone {
    pub id: Option<MilestoneId>,
    pub program_id: Option<ProgramId>,
    pub project_id: Option<ProjectId>,
    pub kind: Option<MilestoneKind>,
    pub name: String,
    pub owner: String,
    pub forecast_start: Option<NaiveDate>,
    pub forecast: Option<NaiveDate>,
    pub baseline: Option<NaiveDate>,
    pub actual: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MilestoneCommand {
    Add {
        milestone_id: MilestoneId,
        program_id: ProgramId,
        project_id: ProjectId,
        /// Looked up by the caller: the project exists and belongs to `program_id`.
        project_in_program: bool,
        name: String,
        kind: MilestoneKind,
        owner: String,
        planned_start: Option<NaiveDate>,
        planned: NaiveDate,
        external_ref: Option<String>,
    },
    ChangeForecast {
        to: NaiveDate,
        start: Option<NaiveDate>,
    },
    /// Set the baseline to the current forecast, or to `to` when given. A milestone that already
    /// has one is re-baselined, which needs a reason.
    Baseline {
        to: Option<NaiveDate>,
        reason: Option<String>,
    },
    Meet {
        actual: NaiveDate,
    },
    /// A new name, a new owner, or both (`None`: as it is).
    Revise {
        name: Option<String>,
        owner: Option<String>,
    },
}

fn check_span(
    v: &mut Validator,
    kind: MilestoneKind,
    start: Option<NaiveDate>,
    (finish_field, finish): (&str, NaiveDate),
) {
    v.optional_date("start", start);
    v.date(finish_field, finish);
    match (kind, start) {
        (MilestoneKind::Milestone, Some(_)) => {
            v.push("start", "a milestone is a point in time: it has no start")
        }
        (MilestoneKind::Deliverable, None) => v.push("start", "a deliverable needs a start date"),
        (MilestoneKind::Deliverable, Some(s)) if s > finish => {
            v.push("start", "must not be after the finish date")
        }
        _ => {}
    }
}

impl Milestone {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    pub fn apply(&mut self, event: &MilestoneEvent) {
        match event {
            MilestoneEvent::MilestoneAdded {
                milestone_id,
                program_id,
                project_id,
                kind,
                name,
                owner,
                planned_start,
                planned,
                ..
            } => {
                self.id = Some(*milestone_id);
                self.name = name.clone();
                self.owner = owner.clone();
                self.program_id = Some(*program_id);
                self.project_id = Some(*project_id);
                self.kind = Some(*kind);
                self.forecast_start = *planned_start;
                self.forecast = Some(*planned);
            }
            MilestoneEvent::MilestoneForecastChanged { to, start, .. } => {
                self.forecast = Some(*to);
                if start.is_some() {
                    self.forecast_start = *start;
                }
            }
            MilestoneEvent::MilestoneBaselined { baseline, .. } => self.baseline = Some(*baseline),
            MilestoneEvent::MilestoneRebaselined { to, .. } => self.baseline = Some(*to),
            MilestoneEvent::MilestoneMet { actual, .. } => self.actual = Some(*actual),
            MilestoneEvent::MilestoneRenamed { to, .. } => self.name = to.clone(),
            MilestoneEvent::MilestoneOwnerChanged { to, .. } => self.owner = to.clone(),
        }
    }

    pub fn decide(&self, command: MilestoneCommand) -> Result<Vec<MilestoneEvent>, DomainError> {
        if let MilestoneCommand::Add {
            milestone_id,
            program_id,
            project_id,
            project_in_program,
            name,
            kind,
            owner,
            planned_start,
            planned,
            external_ref,
        } = command
        {
            if self.exists() {
                return Err(DomainError::AlreadyExists(format!(
                    "milestone {milestone_id}"
                )));
            }
            let mut v = Validator::new();
            if !project_in_program {
                v.push("project_id", "is not a project of this program");
            }
            let name = v.required_text("name", &name, NAME_MAX);
            let owner = v.required_text("owner", &owner, PERSON_MAX);
            check_span(&mut v, kind, planned_start, ("planned", planned));
            v.finish()?;
            return Ok(vec![MilestoneEvent::MilestoneAdded {
                milestone_id,
                program_id,
                project_id,
                name,
                kind,
                owner,
                planned_start,
                planned,
                external_ref,
            }]);
        }
        let (Some(milestone_id), Some(program_id), Some(project_id), Some(kind), Some(forecast)) = (
            self.id,
            self.program_id,
            self.project_id,
            self.kind,
            self.forecast,
        ) else {
            return Err(DomainError::NotFound("milestone".into()));
        };
        if let Some(actual) = self.actual
            && !matches!(
                command,
                MilestoneCommand::Baseline { .. } | MilestoneCommand::Revise { .. }
            )
        {
            return Err(DomainError::NothingToChange(format!(
                "the milestone was met on {actual}; its dates are facts now"
            )));
        }
        match command {
            MilestoneCommand::Add { .. } => Err(DomainError::AlreadyExists("the milestone".into())),
            MilestoneCommand::ChangeForecast { to, start } => {
                let mut v = Validator::new();
                let start = match kind {
                    MilestoneKind::Deliverable => start.or(self.forecast_start),
                    MilestoneKind::Milestone => start,
                };
                check_span(&mut v, kind, start, ("to", to));
                v.finish()?;
                if to == forecast && start == self.forecast_start {
                    return Err(DomainError::NothingToChange(format!(
                        "the forecast is already {to}"
                    )));
                }
                Ok(vec![MilestoneEvent::MilestoneForecastChanged {
                    milestone_id,
                    program_id,
                    project_id,
                    from: forecast,
                    to,
                    start: start.filter(|_| kind == MilestoneKind::Deliverable),
                }])
            }
            MilestoneCommand::Baseline { to, reason } => {
                let to = to.unwrap_or(forecast);
                let mut v = Validator::new();
                v.date("to", to);
                v.finish()?;
                match self.baseline {
                    None => Ok(vec![MilestoneEvent::MilestoneBaselined {
                        milestone_id,
                        program_id,
                        project_id,
                        baseline: to,
                    }]),
                    Some(from) if from == to => Err(DomainError::NothingToChange(format!(
                        "the baseline is already {to}"
                    ))),
                    Some(from) => {
                        if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                            let mut v = Validator::new();
                            v.push("reason", "a re-baseline needs a reason");
                            v.finish()?;
                        }
                        Ok(vec![MilestoneEvent::MilestoneRebaselined {
                            milestone_id,
                            program_id,
                            project_id,
                            from,
                            to,
                        }])
                    }
                }
            }
            MilestoneCommand::Meet { actual } => {
                let mut v = Validator::new();
                v.date("actual", actual);
                v.finish()?;
                Ok(vec![MilestoneEvent::MilestoneMet {
                    milestone_id,
                    program_id,
                    project_id,
                    actual,
                }])
            }
            MilestoneCommand::Revise { name, owner } => {
                let mut v = Validator::new();
                let name = name.map(|n| v.required_text("name", &n, NAME_MAX));
                let owner = owner.map(|o| v.required_text("owner", &o, PERSON_MAX));
                v.finish()?;
                let mut events = Vec::new();
                if let Some(to) = name.filter(|n| *n != self.name) {
                    events.push(MilestoneEvent::MilestoneRenamed {
                        milestone_id,
                        program_id,
                        project_id,
                        from: self.name.clone(),
                        to,
                    });
                }
                if let Some(to) = owner.filter(|o| *o != self.owner) {
                    events.push(MilestoneEvent::MilestoneOwnerChanged {
                        milestone_id,
                        program_id,
                        project_id,
                        from: self.owner.clone(),
                        to,
                    });
                }
                if events.is_empty() {
                    return Err(DomainError::NothingToChange(format!(
                        "“{}” already has that name and owner",
                        self.name
                    )));
                }
                Ok(events)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldError;
    use crate::aggregate::given::Given;
    use uuid::Uuid;

    fn d(month: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, month, day).unwrap()
    }

    fn ids() -> (MilestoneId, ProgramId, ProjectId) {
        (
            MilestoneId::from_uuid(Uuid::from_u128(3)),
            ProgramId::from_uuid(Uuid::from_u128(1)),
            ProjectId::from_uuid(Uuid::from_u128(2)),
        )
    }

    fn added(kind: MilestoneKind, start: Option<NaiveDate>) -> MilestoneEvent {
        let (milestone_id, program_id, project_id) = ids();
        MilestoneEvent::MilestoneAdded {
            milestone_id,
            program_id,
            project_id,
            name: "Gateway cut-over".into(),
            kind,
            owner: "Lee".into(),
            planned_start: start,
            planned: d(6, 30),
            external_ref: None,
        }
    }

    fn add(kind: MilestoneKind, start: Option<NaiveDate>, in_program: bool) -> MilestoneCommand {
        let (milestone_id, program_id, project_id) = ids();
        MilestoneCommand::Add {
            milestone_id,
            program_id,
            project_id,
            project_in_program: in_program,
            name: " Gateway cut-over ".into(),
            kind,
            owner: "Lee".into(),
            planned_start: start,
            planned: d(6, 30),
            external_ref: None,
        }
    }

    /// The names of the fields refused.
    fn fields(invalid: Vec<FieldError>) -> Vec<String> {
        invalid.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn adding_checks_the_project_and_the_shape_of_the_dates() {
        let none = Given::<Milestone>::events(&[]);
        none.when(add(MilestoneKind::Milestone, None, true))
            .then_events(vec![added(MilestoneKind::Milestone, None)]);
        assert_eq!(
            fields(
                none.when(add(MilestoneKind::Milestone, None, false))
                    .then_invalid()
            ),
            ["project_id"]
        );
        assert_eq!(
            fields(
                none.when(add(MilestoneKind::Deliverable, None, true))
                    .then_invalid()
            ),
            ["start"]
        );
        assert_eq!(
            fields(
                none.when(add(MilestoneKind::Deliverable, Some(d(7, 1)), true))
                    .then_invalid()
            ),
            ["start"]
        );
        Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)])
            .when(add(MilestoneKind::Milestone, None, true))
            .then_error_matches(|e| matches!(e, DomainError::AlreadyExists(_)));
    }

    #[test]
    fn a_forecast_moves_with_its_old_date_recorded() {
        let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)]);
        let (milestone_id, program_id, project_id) = ids();
        m.when(MilestoneCommand::ChangeForecast {
            to: d(7, 14),
            start: None,
        })
        .then_events(vec![MilestoneEvent::MilestoneForecastChanged {
            milestone_id,
            program_id,
            project_id,
            from: d(6, 30),
            to: d(7, 14),
            start: None,
        }]);
        m.when(MilestoneCommand::ChangeForecast {
            to: d(6, 30),
            start: None,
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        // A deliverable keeps its start unless told otherwise, and the start stays before the finish.
        let deliverable =
            Given::<Milestone>::events(&[added(MilestoneKind::Deliverable, Some(d(6, 1)))]);
        let moved = deliverable
            .when(MilestoneCommand::ChangeForecast {
                to: d(7, 14),
                start: None,
            })
            .events();
        assert!(
            matches!(&moved[0], MilestoneEvent::MilestoneForecastChanged { start: Some(s), .. } if *s == d(6, 1))
        );
        assert_eq!(
            fields(
                deliverable
                    .when(MilestoneCommand::ChangeForecast {
                        to: d(5, 1),
                        start: None
                    })
                    .then_invalid()
            ),
            ["start"]
        );
    }

    #[test]
    fn the_first_baseline_is_set_and_changing_it_needs_a_reason() {
        let (milestone_id, program_id, project_id) = ids();
        let baselined = MilestoneEvent::MilestoneBaselined {
            milestone_id,
            program_id,
            project_id,
            baseline: d(6, 30),
        };
        Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None)])
            .when(MilestoneCommand::Baseline {
                to: None,
                reason: None,
            })
            .then_events(vec![baselined.clone()]);
        let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None), baselined]);
        assert_eq!(
            fields(
                m.when(MilestoneCommand::Baseline {
                    to: Some(d(8, 1)),
                    reason: Some("  ".into())
                })
                .then_invalid()
            ),
            ["reason"]
        );
        m.when(MilestoneCommand::Baseline {
            to: Some(d(8, 1)),
            reason: Some("vendor contract signed late".into()),
        })
        .then_events(vec![MilestoneEvent::MilestoneRebaselined {
            milestone_id,
            program_id,
            project_id,
            from: d(6, 30),
            to: d(8, 1),
        }]);
        m.when(MilestoneCommand::Baseline {
            to: Some(d(6, 30)),
            reason: Some("x".into()),
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    }

    #[test]
    fn a_met_milestone_no_longer_moves() {
        let (milestone_id, program_id, project_id) = ids();
        let met = MilestoneEvent::MilestoneMet {
            milestone_id,
            program_id,
            project_id,
            actual: d(7, 2),
        };
        let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None), met]);
        m.when(MilestoneCommand::ChangeForecast {
            to: d(8, 1),
            start: None,
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        m.when(MilestoneCommand::Meet { actual: d(7, 3) })
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        Given::<Milestone>::events(&[])
            .when(MilestoneCommand::Meet { actual: d(7, 3) })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }

    #[test]
    fn a_milestone_is_renamed_and_reowned_with_what_it_was_even_once_met() {
        let (milestone_id, program_id, project_id) = ids();
        let met = MilestoneEvent::MilestoneMet {
            milestone_id,
            program_id,
            project_id,
            actual: d(7, 2),
        };
        let m = Given::<Milestone>::events(&[added(MilestoneKind::Milestone, None), met]);
        m.when(MilestoneCommand::Revise {
            name: Some("  Gateway go-live ".into()),
            owner: Some("Lee".into()),
        })
        .then_events(vec![MilestoneEvent::MilestoneRenamed {
            milestone_id,
            program_id,
            project_id,
            from: "Gateway cut-over".into(),
            to: "Gateway go-live".into(),
        }]);
        m.when(MilestoneCommand::Revise {
            name: Some("Gateway go-live".into()),
            owner: Some("Ana Ruiz".into()),
        })
        .then_events(vec![
            MilestoneEvent::MilestoneRenamed {
                milestone_id,
                program_id,
                project_id,
                from: "Gateway cut-over".into(),
                to: "Gateway go-live".into(),
            },
            MilestoneEvent::MilestoneOwnerChanged {
                milestone_id,
                program_id,
                project_id,
                from: "Lee".into(),
                to: "Ana Ruiz".into(),
            },
        ]);
        m.when(MilestoneCommand::Revise {
            name: Some("Gateway cut-over".into()),
            owner: None,
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        assert_eq!(
            fields(
                m.when(MilestoneCommand::Revise {
                    name: Some(" ".into()),
                    owner: Some("x".repeat(PERSON_MAX + 1)),
                })
                .then_invalid()
            ),
            ["name", "owner"]
        );
        Given::<Milestone>::events(&[])
            .when(MilestoneCommand::Revise {
                name: Some("x".into()),
                owner: None,
            })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }

    #[test]
    fn events_round_trip_through_their_wire_form() {
        let event = added(MilestoneKind::Deliverable, Some(d(6, 1)));
        let encoded = event.encode();
        assert_eq!(
            (encoded.stream_type, encoded.event_type.as_str()),
            ("milestone", "MilestoneAdded")
        );
        assert_eq!(encoded.payload["kind"], "deliverable");
        let decoded =
            MilestoneEvent::decode(&encoded.event_type, encoded.schema_version, encoded.payload)
                .unwrap();
        assert_eq!(decoded, event);
    }
}
