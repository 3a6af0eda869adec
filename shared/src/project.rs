//! The project aggregate: a delivery effort in one program, with its manager and reported health.
//!
//! Events: `ProjectAdded`, `ProjectStatusReported`, `ProjectObjectivesChanged`, `ProjectRenamed`
//! and `ProjectManagerChanged` (from → to), `ProjectPaused`, `ProjectResumed` and `ProjectClosed`
//! (reasons in the metadata). A project is closed only once none of its milestones is open (each
//! met or cancelled; the caller looks them up); a closed project takes no more changes, and
//! milestones cannot be added or moved to it. `manager` is the name reports show; the right to
//! manage the project is a role granted on the members page.

use crate::error::{DomainError, NAME_MAX, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{ObjectiveId, ProgramId, ProjectId};
use crate::rag::Rag;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectEvent {
    ProjectAdded {
        project_id: ProjectId,
        program_id: ProgramId,
        name: String,
        manager: String,
        /// The program objectives this project contributes to (none on events recorded before
        /// projects declared them).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        objectives: Vec<ObjectiveId>,
    },
    ProjectStatusReported {
        project_id: ProjectId,
        program_id: ProgramId,
        rag: Rag,
        narrative: String,
    },
    /// The program objectives the project contributes to, from now on.
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    ProjectObjectivesChanged {
        project_id: ProjectId,
        program_id: ProgramId,
        objectives: Vec<ObjectiveId>,
    },
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    ProjectRenamed {
        project_id: ProjectId,
        program_id: ProgramId,
        from: String,
        to: String,
    },
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    ProjectManagerChanged {
        project_id: ProjectId,
        program_id: ProgramId,
        from: String,
        to: String,
    },
    /// On hold (the reason is in the metadata).
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    ProjectPaused {
        project_id: ProjectId,
        program_id: ProgramId,
    },
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    ProjectResumed {
        project_id: ProjectId,
        program_id: ProgramId,
    },
    /// Done or abandoned (the reason is in the metadata): it takes no more changes.
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    ProjectClosed {
        project_id: ProjectId,
        program_id: ProgramId,
    },
}

/// Where a project stands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectStage {
    #[default]
    Active,
    Paused,
    Closed,
}

impl AggregateEvent for ProjectEvent {
    const STREAM_TYPE: &'static str = "project";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            ProjectEvent::ProjectAdded { program_id, .. }
            | ProjectEvent::ProjectStatusReported { program_id, .. }
            | ProjectEvent::ProjectObjectivesChanged { program_id, .. }
            | ProjectEvent::ProjectRenamed { program_id, .. }
            | ProjectEvent::ProjectManagerChanged { program_id, .. }
            | ProjectEvent::ProjectPaused { program_id, .. }
            | ProjectEvent::ProjectResumed { program_id, .. }
            | ProjectEvent::ProjectClosed { program_id, .. } => *program_id,
        })
    }
}

impl ProjectEvent {
    pub fn project_id(&self) -> ProjectId {
        match self {
            ProjectEvent::ProjectAdded { project_id, .. }
            | ProjectEvent::ProjectStatusReported { project_id, .. }
            | ProjectEvent::ProjectObjectivesChanged { project_id, .. }
            | ProjectEvent::ProjectRenamed { project_id, .. }
            | ProjectEvent::ProjectManagerChanged { project_id, .. }
            | ProjectEvent::ProjectPaused { project_id, .. }
            | ProjectEvent::ProjectResumed { project_id, .. }
            | ProjectEvent::ProjectClosed { project_id, .. } => *project_id,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Project {
    pub id: Option<ProjectId>,
    pub program_id: Option<ProgramId>,
    pub name: String,
    pub manager: String,
    pub objectives: Vec<ObjectiveId>,
    pub rag: Option<Rag>,
    pub narrative: String,
    pub stage: ProjectStage,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectCommand {
    /// `program_exists` is looked up by the caller: the project cannot see the program's stream.
    Add {
        project_id: ProjectId,
        program_id: ProgramId,
        program_exists: bool,
        /// The program's objectives, looked up by the caller.
        program_objectives: Vec<ObjectiveId>,
        name: String,
        manager: String,
        objectives: Vec<ObjectiveId>,
    },
    ReportStatus {
        rag: Rag,
        narrative: String,
    },
    SetObjectives {
        /// The program's objectives, looked up by the caller.
        program_objectives: Vec<ObjectiveId>,
        objectives: Vec<ObjectiveId>,
    },
    /// A new name, a new manager, or both (`None`: as it is).
    Revise {
        name: Option<String>,
        manager: Option<String>,
    },
    /// To `Paused`, back to `Active`, or `Closed`; pausing and closing need a reason.
    ChangeStage {
        to: ProjectStage,
        reason: Option<String>,
        /// The names of its milestones neither met nor cancelled, looked up by the caller.
        open_milestones: Vec<String>,
    },
}

impl Project {
    pub fn apply(&mut self, event: &ProjectEvent) {
        match event {
            ProjectEvent::ProjectAdded {
                project_id,
                program_id,
                name,
                manager,
                objectives,
            } => {
                self.id = Some(*project_id);
                self.program_id = Some(*program_id);
                self.name = name.clone();
                self.manager = manager.clone();
                self.objectives = objectives.clone();
            }
            ProjectEvent::ProjectStatusReported { rag, narrative, .. } => {
                self.rag = Some(*rag);
                self.narrative = narrative.clone();
            }
            ProjectEvent::ProjectObjectivesChanged { objectives, .. } => {
                self.objectives = objectives.clone()
            }
            ProjectEvent::ProjectRenamed { to, .. } => self.name = to.clone(),
            ProjectEvent::ProjectManagerChanged { to, .. } => self.manager = to.clone(),
            ProjectEvent::ProjectPaused { .. } => self.stage = ProjectStage::Paused,
            ProjectEvent::ProjectResumed { .. } => self.stage = ProjectStage::Active,
            ProjectEvent::ProjectClosed { .. } => self.stage = ProjectStage::Closed,
        }
    }

    /// Exists and is not closed: milestones may be added to it or moved into it.
    pub fn is_open(&self) -> bool {
        self.id.is_some() && self.stage != ProjectStage::Closed
    }

    pub fn decide(&self, command: ProjectCommand) -> Result<Vec<ProjectEvent>, DomainError> {
        match command {
            ProjectCommand::Add {
                project_id,
                program_id,
                program_exists,
                program_objectives,
                name,
                manager,
                mut objectives,
            } => {
                if !program_exists {
                    return Err(DomainError::NotFound(format!("program {program_id}")));
                }
                if self.id.is_some() {
                    return Err(DomainError::AlreadyExists(format!("project {project_id}")));
                }
                let mut v = Validator::new();
                let name = v.required_text("name", &name, NAME_MAX);
                let manager = v.required_text("manager", &manager, PERSON_MAX);
                objectives.sort();
                objectives.dedup();
                if objectives.iter().any(|o| !program_objectives.contains(o)) {
                    v.push("objectives", "not an objective of this program");
                }
                v.finish()?;
                Ok(vec![ProjectEvent::ProjectAdded {
                    project_id,
                    program_id,
                    name,
                    manager,
                    objectives,
                }])
            }
            ProjectCommand::SetObjectives {
                program_objectives,
                mut objectives,
            } => {
                let (project_id, program_id) = self.open()?;
                objectives.sort();
                objectives.dedup();
                let mut v = Validator::new();
                if objectives.iter().any(|o| !program_objectives.contains(o)) {
                    v.push("objectives", "not an objective of this program");
                }
                v.finish()?;
                if objectives == self.objectives {
                    return Err(DomainError::NothingToChange(
                        "the project already contributes to exactly these objectives".into(),
                    ));
                }
                Ok(vec![ProjectEvent::ProjectObjectivesChanged {
                    project_id,
                    program_id,
                    objectives,
                }])
            }
            ProjectCommand::ReportStatus { rag, narrative } => {
                let (project_id, program_id) = self.open()?;
                let mut v = Validator::new();
                // A status without a word of explanation is useless to the reader of a status report.
                let narrative = v.required_text("narrative", &narrative, TEXT_MAX);
                v.finish()?;
                Ok(vec![ProjectEvent::ProjectStatusReported {
                    project_id,
                    program_id,
                    rag,
                    narrative,
                }])
            }
            ProjectCommand::Revise { name, manager } => {
                let (project_id, program_id) = self.open()?;
                let mut v = Validator::new();
                let name = name.map(|n| v.required_text("name", &n, NAME_MAX));
                let manager = manager.map(|m| v.required_text("manager", &m, PERSON_MAX));
                v.finish()?;
                let mut events = Vec::new();
                if let Some(to) = name.filter(|n| *n != self.name) {
                    events.push(ProjectEvent::ProjectRenamed {
                        project_id,
                        program_id,
                        from: self.name.clone(),
                        to,
                    });
                }
                if let Some(to) = manager.filter(|m| *m != self.manager) {
                    events.push(ProjectEvent::ProjectManagerChanged {
                        project_id,
                        program_id,
                        from: self.manager.clone(),
                        to,
                    });
                }
                if events.is_empty() {
                    return Err(DomainError::NothingToChange(format!(
                        "“{}” already has that name and manager",
                        self.name
                    )));
                }
                Ok(events)
            }
            ProjectCommand::ChangeStage {
                to,
                reason,
                open_milestones,
            } => {
                let (project_id, program_id) = self.open()?;
                if to == self.stage {
                    return Err(DomainError::NothingToChange(format!(
                        "“{}” is already {}",
                        self.name,
                        match to {
                            ProjectStage::Active => "active",
                            ProjectStage::Paused => "paused",
                            ProjectStage::Closed => "closed",
                        }
                    )));
                }
                let mut v = Validator::new();
                let needs_reason = to != ProjectStage::Active;
                if needs_reason && reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    v.push("reason", "say why");
                }
                if to == ProjectStage::Closed && !open_milestones.is_empty() {
                    let n = open_milestones.len();
                    let named: Vec<_> = open_milestones
                        .iter()
                        .take(5)
                        .map(|m| format!("“{m}”"))
                        .collect();
                    v.push(
                        "milestones",
                        format!(
                            "{n} milestone{} still open ({}{}): mark each met or cancel it first",
                            if n == 1 { " is" } else { "s are" },
                            named.join(", "),
                            if n > 5 { ", …" } else { "" }
                        ),
                    );
                }
                v.finish()?;
                Ok(vec![match to {
                    ProjectStage::Active => ProjectEvent::ProjectResumed {
                        project_id,
                        program_id,
                    },
                    ProjectStage::Paused => ProjectEvent::ProjectPaused {
                        project_id,
                        program_id,
                    },
                    ProjectStage::Closed => ProjectEvent::ProjectClosed {
                        project_id,
                        program_id,
                    },
                }])
            }
        }
    }

    /// The project's ids, if it exists and is not closed.
    fn open(&self) -> Result<(ProjectId, ProgramId), DomainError> {
        let (Some(project_id), Some(program_id)) = (self.id, self.program_id) else {
            return Err(DomainError::NotFound("project".into()));
        };
        if self.stage == ProjectStage::Closed {
            return Err(DomainError::NothingToChange(format!(
                "“{}” is closed",
                self.name
            )));
        }
        Ok((project_id, program_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FieldError;
    use crate::aggregate::given::Given;
    use uuid::Uuid;

    fn ids() -> (ProjectId, ProgramId) {
        (
            ProjectId::from_uuid(Uuid::from_u128(2)),
            ProgramId::from_uuid(Uuid::from_u128(1)),
        )
    }

    fn added() -> ProjectEvent {
        let (project_id, program_id) = ids();
        ProjectEvent::ProjectAdded {
            project_id,
            program_id,
            name: "Card gateway".into(),
            manager: "Lee".into(),
            objectives: vec![objective(7)],
        }
    }

    fn objective(n: u128) -> ObjectiveId {
        ObjectiveId::from_uuid(Uuid::from_u128(n))
    }

    #[test]
    fn add_needs_an_existing_program() {
        let (project_id, program_id) = ids();
        Given::<Project>::events(&[])
            .when(ProjectCommand::Add {
                project_id,
                program_id,
                program_exists: false,
                program_objectives: vec![],
                name: "x".into(),
                manager: "y".into(),
                objectives: vec![],
            })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }

    #[test]
    fn add_then_report_status() {
        let (project_id, program_id) = ids();
        let nothing = Given::<Project>::events(&[]);
        nothing
            .when(ProjectCommand::Add {
                project_id,
                program_id,
                program_exists: true,
                program_objectives: vec![objective(7), objective(8)],
                name: " Card gateway ".into(),
                manager: "Lee".into(),
                objectives: vec![objective(7), objective(7)],
            })
            .then_events(vec![added()]);

        // Contributing to another program's objective is refused.
        nothing
            .when(ProjectCommand::Add {
                project_id,
                program_id,
                program_exists: true,
                program_objectives: vec![objective(8)],
                name: "Card gateway".into(),
                manager: "Lee".into(),
                objectives: vec![objective(7)],
            })
            .then_error(DomainError::Invalid(vec![FieldError::new(
                "objectives",
                "not an objective of this program",
            )]));

        Given::<Project>::events(&[added()])
            .when(ProjectCommand::ReportStatus {
                rag: Rag::Amber,
                narrative: "Vendor API two weeks late".into(),
            })
            .then_events(vec![ProjectEvent::ProjectStatusReported {
                project_id,
                program_id,
                rag: Rag::Amber,
                narrative: "Vendor API two weeks late".into(),
            }]);
    }

    #[test]
    fn status_needs_a_narrative() {
        Given::<Project>::events(&[added()])
            .when(ProjectCommand::ReportStatus {
                rag: Rag::Red,
                narrative: "   ".into(),
            })
            .then_error(DomainError::Invalid(vec![FieldError::new(
                "narrative",
                "must not be empty",
            )]));
    }

    #[test]
    fn a_project_is_renamed_paused_and_closed_once_nothing_is_open() {
        let (project_id, program_id) = ids();
        let p = Given::<Project>::events(&[added()]);
        p.when(ProjectCommand::Revise {
            name: Some("Card gateway v2".into()),
            manager: Some("Lee".into()),
        })
        .then_events(vec![ProjectEvent::ProjectRenamed {
            project_id,
            program_id,
            from: "Card gateway".into(),
            to: "Card gateway v2".into(),
        }]);
        let stage = |to, reason: &str, open: &[&str]| ProjectCommand::ChangeStage {
            to,
            reason: Some(reason.into()),
            open_milestones: open.iter().map(|m| m.to_string()).collect(),
        };
        p.when(stage(ProjectStage::Paused, "Funding review", &[]))
            .then_events(vec![ProjectEvent::ProjectPaused {
                project_id,
                program_id,
            }]);
        assert_eq!(
            p.when(stage(ProjectStage::Paused, " ", &[])).then_invalid(),
            vec![FieldError::new("reason", "say why")]
        );
        p.when(stage(ProjectStage::Active, "", &[]))
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        let refused = p
            .when(stage(
                ProjectStage::Closed,
                "Delivered",
                &["Go-live", "Handover"],
            ))
            .then_invalid();
        assert_eq!(refused[0].field, "milestones");
        assert!(
            refused[0]
                .message
                .contains("2 milestones are still open (“Go-live”, “Handover”)")
        );
        p.when(stage(ProjectStage::Closed, "Delivered", &[]))
            .then_events(vec![ProjectEvent::ProjectClosed {
                project_id,
                program_id,
            }]);
        // Closed: nothing more changes.
        let closed = Given::<Project>::events(&[
            added(),
            ProjectEvent::ProjectClosed {
                project_id,
                program_id,
            },
        ]);
        assert!(!closed.is_open());
        for command in [
            stage(ProjectStage::Active, "", &[]),
            ProjectCommand::ReportStatus {
                rag: Rag::Green,
                narrative: "done".into(),
            },
            ProjectCommand::Revise {
                name: Some("x".into()),
                manager: None,
            },
        ] {
            closed.when(command).then_error_matches(
                |e| matches!(e, DomainError::NothingToChange(m) if m.contains("closed")),
            );
        }
    }

    #[test]
    fn status_of_unknown_project_is_not_found() {
        Given::<Project>::events(&[])
            .when(ProjectCommand::ReportStatus {
                rag: Rag::Green,
                narrative: "fine".into(),
            })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }
}
