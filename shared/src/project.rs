//! The project aggregate: a delivery effort in one program, with its manager and reported health.

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
    ProjectObjectivesChanged {
        project_id: ProjectId,
        program_id: ProgramId,
        objectives: Vec<ObjectiveId>,
    },
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
            | ProjectEvent::ProjectObjectivesChanged { program_id, .. } => *program_id,
        })
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
        }
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
                let (Some(project_id), Some(program_id)) = (self.id, self.program_id) else {
                    return Err(DomainError::NotFound("project".into()));
                };
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
                let (Some(project_id), Some(program_id)) = (self.id, self.program_id) else {
                    return Err(DomainError::NotFound("project".into()));
                };
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
        }
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
    fn status_of_unknown_project_is_not_found() {
        Given::<Project>::events(&[])
            .when(ProjectCommand::ReportStatus {
                rag: Rag::Green,
                narrative: "fine".into(),
            })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }
}
