//! The program aggregate: identity, sponsor and strategic objectives.

use crate::access::{ProgramRole, RoleGrant};
use crate::error::{DomainError, NAME_MAX, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{ObjectiveId, ProgramId, ProjectId, ScopeItemId, UserId};
use crate::objective::{
    OBJECTIVES_MAX, ObjectiveChange, apply_objective, checked_terms, decide_objective,
};
use crate::scope::{ProgramPhase, ScopeItem, apply_scope, decide_scope};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// An outcome the program exists to achieve, with a measurable target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StrategicObjective {
    pub objective_id: ObjectiveId,
    pub title: String,
    /// The KPI that tells whether the objective is met, e.g. "monthly active merchants".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kpi: Option<String>,
    /// The value the KPI must reach, e.g. "10,000".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_date: Option<NaiveDate>,
}

/// An objective as typed into the create-program form (the id is assigned by the server).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ObjectiveDraft {
    pub title: String,
    #[serde(default)]
    pub kpi: Option<String>,
    #[serde(default)]
    pub target_value: Option<String>,
    #[serde(default)]
    pub target_date: Option<NaiveDate>,
}

/// Facts about a program. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProgramEvent {
    /// Schema v2: objectives are structured. v1 stored them as plain titles (see `upcast`).
    ProgramCreated {
        program_id: ProgramId,
        name: String,
        description: String,
        sponsor: String,
        objectives: Vec<StrategicObjective>,
    },
    ProgramRenamed {
        program_id: ProgramId,
        from: String,
        to: String,
    },
    ProgramDescriptionChanged {
        program_id: ProgramId,
        description: String,
    },
    ProgramSponsorChanged {
        program_id: ProgramId,
        from: String,
        to: String,
    },
    /// Membership is part of the program's own history, so it shows in its audit trail.
    ProgramRoleGranted {
        program_id: ProgramId,
        user_id: UserId,
        /// The user's name when granted, so the audit trail reads without a lookup.
        username: String,
        role: ProgramRole,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_id: Option<ProjectId>,
        /// The project's name when granted, for the same reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_name: Option<String>,
    },
    ProgramRoleRevoked {
        program_id: ProgramId,
        user_id: UserId,
        username: String,
        role: ProgramRole,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_id: Option<ProjectId>,
        /// The project's name when granted, for the same reason.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        project_name: Option<String>,
    },
    ProgramPhaseChanged {
        program_id: ProgramId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<ProgramPhase>,
        to: ProgramPhase,
    },
    ScopeItemRecorded {
        program_id: ProgramId,
        scope_item_id: ScopeItemId,
        title: String,
        in_scope: bool,
        rationale: String,
    },
    /// Moved in or out of scope, or its rationale restated.
    ScopeItemRevised {
        program_id: ProgramId,
        scope_item_id: ScopeItemId,
        in_scope: bool,
        rationale: String,
    },
    /// An objective added after the program's creation (the reason is in the metadata).
    ObjectiveAdded {
        program_id: ProgramId,
        objective: StrategicObjective,
    },
    /// An objective's terms restated: all of them, as they were and as they are now.
    ObjectiveRevised {
        program_id: ProgramId,
        objective_id: ObjectiveId,
        from: ObjectiveDraft,
        to: ObjectiveDraft,
    },
    /// No longer an objective of the program; its title kept for the audit trail.
    ObjectiveRetired {
        program_id: ProgramId,
        objective_id: ObjectiveId,
        title: String,
    },
}

impl AggregateEvent for ProgramEvent {
    const STREAM_TYPE: &'static str = "program";

    fn current_schema_version(event_type: &str) -> i32 {
        match event_type {
            "ProgramCreated" => 2,
            _ => 1,
        }
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            ProgramEvent::ProgramCreated { program_id, .. }
            | ProgramEvent::ProgramRenamed { program_id, .. }
            | ProgramEvent::ProgramDescriptionChanged { program_id, .. }
            | ProgramEvent::ProgramSponsorChanged { program_id, .. }
            | ProgramEvent::ProgramRoleGranted { program_id, .. }
            | ProgramEvent::ProgramRoleRevoked { program_id, .. }
            | ProgramEvent::ProgramPhaseChanged { program_id, .. }
            | ProgramEvent::ScopeItemRecorded { program_id, .. }
            | ProgramEvent::ScopeItemRevised { program_id, .. }
            | ProgramEvent::ObjectiveAdded { program_id, .. }
            | ProgramEvent::ObjectiveRevised { program_id, .. }
            | ProgramEvent::ObjectiveRetired { program_id, .. } => *program_id,
        })
    }
}

/// What a decision about a program needs to know: rebuilt from the program's own stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Program {
    pub id: Option<ProgramId>,
    pub name: String,
    pub description: String,
    pub sponsor: String,
    /// The objectives in force.
    pub objectives: Vec<StrategicObjective>,
    /// Objectives retired, oldest first.
    pub retired_objectives: Vec<StrategicObjective>,
    /// Each objective's own version (see `objective`).
    pub objective_versions: BTreeMap<ObjectiveId, i64>,
    pub members: BTreeSet<(UserId, RoleGrant)>,
    pub phase: Option<ProgramPhase>,
    pub scope: Vec<ScopeItem>,
}

/// Intentions about a program; `decide` turns them into events or refuses them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramCommand {
    Create {
        program_id: ProgramId,
        name: String,
        description: String,
        sponsor: String,
        /// Objective ids are chosen by the caller (the server) so `decide` stays pure.
        objectives: Vec<(ObjectiveId, ObjectiveDraft)>,
        /// Whoever creates a program manages it (user id and name).
        creator: Option<(UserId, String)>,
    },
    Edit {
        name: Option<String>,
        description: Option<String>,
        sponsor: Option<String>,
    },
    GrantRole {
        user_id: UserId,
        username: String,
        /// Only active users can be given a role (looked up by the caller).
        user_active: bool,
        grant: RoleGrant,
        /// For a project manager's grant: whether the project is one of this program's.
        project_in_program: bool,
        project_name: Option<String>,
    },
    RevokeRole {
        user_id: UserId,
        username: String,
        grant: RoleGrant,
        project_name: Option<String>,
    },
    ChangePhase {
        to: ProgramPhase,
    },
    /// Record a new scope item (with `title`), or move an existing one in or out.
    SetScope {
        scope_item_id: ScopeItemId,
        title: Option<String>,
        in_scope: bool,
        rationale: String,
    },
    /// Add, revise or retire an objective, with the reason, against the objective's own version
    /// when the caller names the one it edited.
    ChangeObjective {
        change: ObjectiveChange,
        reason: String,
        expected_version: Option<i64>,
    },
}

impl Program {
    pub fn exists(&self) -> bool {
        self.id.is_some()
    }

    /// An objective's own version (0: no such objective).
    pub fn objective_version(&self, objective_id: ObjectiveId) -> i64 {
        self.objective_versions
            .get(&objective_id)
            .copied()
            .unwrap_or(0)
    }

    pub fn apply(&mut self, event: &ProgramEvent) {
        match event {
            ProgramEvent::ProgramCreated {
                program_id,
                name,
                description,
                sponsor,
                objectives,
            } => {
                self.id = Some(*program_id);
                self.name = name.clone();
                self.description = description.clone();
                self.sponsor = sponsor.clone();
                self.objectives = objectives.clone();
                self.objective_versions = objectives.iter().map(|o| (o.objective_id, 1)).collect();
            }
            ProgramEvent::ProgramRenamed { to, .. } => self.name = to.clone(),
            ProgramEvent::ProgramDescriptionChanged { description, .. } => {
                self.description = description.clone()
            }
            ProgramEvent::ProgramSponsorChanged { to, .. } => self.sponsor = to.clone(),
            ProgramEvent::ProgramRoleGranted {
                user_id,
                role,
                project_id,
                ..
            } => {
                self.members.insert((
                    *user_id,
                    RoleGrant {
                        role: *role,
                        project_id: *project_id,
                    },
                ));
            }
            ProgramEvent::ProgramRoleRevoked {
                user_id,
                role,
                project_id,
                ..
            } => {
                self.members.remove(&(
                    *user_id,
                    RoleGrant {
                        role: *role,
                        project_id: *project_id,
                    },
                ));
            }
            ProgramEvent::ProgramPhaseChanged { to, .. } => self.phase = Some(*to),
            ProgramEvent::ScopeItemRecorded { .. } | ProgramEvent::ScopeItemRevised { .. } => {
                apply_scope(&mut self.scope, event)
            }
            ProgramEvent::ObjectiveAdded { .. }
            | ProgramEvent::ObjectiveRevised { .. }
            | ProgramEvent::ObjectiveRetired { .. } => apply_objective(
                &mut self.objectives,
                &mut self.retired_objectives,
                &mut self.objective_versions,
                event,
            ),
        }
    }

    fn program_managers(&self) -> usize {
        self.members
            .iter()
            .filter(|(_, g)| g.role == ProgramRole::ProgramManager)
            .count()
    }

    pub fn decide(&self, command: ProgramCommand) -> Result<Vec<ProgramEvent>, DomainError> {
        match command {
            ProgramCommand::ChangeObjective {
                change,
                reason,
                expected_version,
            } => {
                let Some(program_id) = self.id else {
                    return Err(DomainError::NotFound("program".into()));
                };
                let current = self.objective_version(change.objective_id());
                let live = self
                    .objectives
                    .iter()
                    .any(|o| o.objective_id == change.objective_id());
                // A retired objective is refused as such below, whatever version was edited.
                if let Some(expected) = expected_version
                    && live
                    && expected != current
                {
                    return Err(DomainError::Stale {
                        what: "the objective".into(),
                        expected,
                        current,
                    });
                }
                decide_objective(
                    program_id,
                    &self.objectives,
                    &self.retired_objectives,
                    change,
                    &reason,
                )
            }
            ProgramCommand::ChangePhase { to } => {
                let Some(program_id) = self.id else {
                    return Err(DomainError::NotFound("program".into()));
                };
                if self.phase == Some(to) {
                    return Err(DomainError::NothingToChange(format!(
                        "the program is already in {}",
                        to.label()
                    )));
                }
                Ok(vec![ProgramEvent::ProgramPhaseChanged {
                    program_id,
                    from: self.phase,
                    to,
                }])
            }
            ProgramCommand::SetScope {
                scope_item_id,
                title,
                in_scope,
                rationale,
            } => {
                let Some(program_id) = self.id else {
                    return Err(DomainError::NotFound("program".into()));
                };
                decide_scope(
                    program_id,
                    &self.scope,
                    scope_item_id,
                    title,
                    in_scope,
                    rationale,
                )
            }
            ProgramCommand::Create {
                program_id,
                name,
                description,
                sponsor,
                objectives,
                creator,
            } => {
                if self.exists() {
                    return Err(DomainError::AlreadyExists(format!("program {program_id}")));
                }
                let mut v = Validator::new();
                let name = v.required_text("name", &name, NAME_MAX);
                let description = v.optional_text("description", &description, TEXT_MAX);
                let sponsor = v.required_text("sponsor", &sponsor, PERSON_MAX);
                if objectives.len() > OBJECTIVES_MAX {
                    v.push(
                        "objectives",
                        format!("a program holds at most {OBJECTIVES_MAX} objectives"),
                    );
                }
                let objectives: Vec<StrategicObjective> = objectives
                    .into_iter()
                    .take(OBJECTIVES_MAX)
                    .enumerate()
                    .map(|(i, (objective_id, draft))| {
                        checked_terms(&mut v, &format!("objectives[{i}]."), objective_id, draft)
                    })
                    .collect();
                v.finish()?;
                let mut events = vec![ProgramEvent::ProgramCreated {
                    program_id,
                    name,
                    description,
                    sponsor,
                    objectives,
                }];
                if let Some((user_id, username)) = creator {
                    events.push(ProgramEvent::ProgramRoleGranted {
                        program_id,
                        user_id,
                        username,
                        role: ProgramRole::ProgramManager,
                        project_id: None,
                        project_name: None,
                    });
                }
                Ok(events)
            }
            ProgramCommand::GrantRole {
                user_id,
                username,
                user_active,
                grant,
                project_in_program,
                project_name,
            } => {
                let Some(program_id) = self.id else {
                    return Err(DomainError::NotFound("program".into()));
                };
                let mut v = Validator::new();
                match (grant.role, grant.project_id) {
                    (ProgramRole::ProjectManager, None) => {
                        v.push("project_id", "a project manager's role names the project")
                    }
                    (ProgramRole::ProjectManager, Some(_)) if !project_in_program => {
                        v.push("project_id", "is not a project of this program")
                    }
                    (ProgramRole::ProjectManager, Some(_)) => {}
                    (_, Some(_)) => v.push(
                        "project_id",
                        "only a project manager's role names a project",
                    ),
                    (_, None) => {}
                }
                if !user_active {
                    v.push("user_id", "is not an active user");
                }
                v.finish()?;
                if self.members.contains(&(user_id, grant)) {
                    return Err(DomainError::NothingToChange(format!(
                        "{username} already holds this role"
                    )));
                }
                Ok(vec![ProgramEvent::ProgramRoleGranted {
                    program_id,
                    user_id,
                    username,
                    role: grant.role,
                    project_id: grant.project_id,
                    project_name: grant.project_id.and(project_name),
                }])
            }
            ProgramCommand::RevokeRole {
                user_id,
                username,
                grant,
                project_name,
            } => {
                let Some(program_id) = self.id else {
                    return Err(DomainError::NotFound("program".into()));
                };
                if !self.members.contains(&(user_id, grant)) {
                    return Err(DomainError::NothingToChange(format!(
                        "{username} does not hold this role"
                    )));
                }
                if grant.role == ProgramRole::ProgramManager && self.program_managers() == 1 {
                    let mut v = Validator::new();
                    v.push(
                        "role",
                        "a program keeps at least one program manager: grant the role to someone else first",
                    );
                    v.finish()?;
                }
                Ok(vec![ProgramEvent::ProgramRoleRevoked {
                    program_id,
                    user_id,
                    username,
                    role: grant.role,
                    project_id: grant.project_id,
                    project_name: grant.project_id.and(project_name),
                }])
            }
            ProgramCommand::Edit {
                name,
                description,
                sponsor,
            } => {
                let Some(program_id) = self.id else {
                    return Err(DomainError::NotFound("program".into()));
                };
                let mut v = Validator::new();
                let name = name.map(|n| v.required_text("name", &n, NAME_MAX));
                let description = description.map(|d| v.optional_text("description", &d, TEXT_MAX));
                let sponsor = sponsor.map(|s| v.required_text("sponsor", &s, PERSON_MAX));
                v.finish()?;

                let mut events = Vec::new();
                if let Some(to) = name.filter(|n| *n != self.name) {
                    events.push(ProgramEvent::ProgramRenamed {
                        program_id,
                        from: self.name.clone(),
                        to,
                    });
                }
                if let Some(description) = description.filter(|d| *d != self.description) {
                    events.push(ProgramEvent::ProgramDescriptionChanged {
                        program_id,
                        description,
                    });
                }
                if let Some(to) = sponsor.filter(|s| *s != self.sponsor) {
                    events.push(ProgramEvent::ProgramSponsorChanged {
                        program_id,
                        from: self.sponsor.clone(),
                        to,
                    });
                }
                if events.is_empty() {
                    return Err(DomainError::NothingToChange(
                        "the program already has these details".into(),
                    ));
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

    fn pid() -> ProgramId {
        ProgramId::from_uuid(Uuid::from_u128(1))
    }

    fn created() -> ProgramEvent {
        ProgramEvent::ProgramCreated {
            program_id: pid(),
            name: "Payments Modernisation".into(),
            description: "Move card processing off the mainframe".into(),
            sponsor: "Dana CFO".into(),
            objectives: vec![],
        }
    }

    #[test]
    fn create_trims_and_records_objectives() {
        let oid = ObjectiveId::from_uuid(Uuid::from_u128(7));
        Given::<Program>::events(&[])
            .when(ProgramCommand::Create {
                program_id: pid(),
                name: "  Payments  ".into(),
                description: "".into(),
                sponsor: "Dana".into(),
                objectives: vec![(
                    oid,
                    ObjectiveDraft {
                        title: "Cut cost per transaction".into(),
                        kpi: Some("cost per txn".into()),
                        target_value: Some("".into()),
                        target_date: NaiveDate::from_ymd_opt(2027, 6, 30),
                    },
                )],
                creator: None,
            })
            .then_events(vec![ProgramEvent::ProgramCreated {
                program_id: pid(),
                name: "Payments".into(),
                description: "".into(),
                sponsor: "Dana".into(),
                objectives: vec![StrategicObjective {
                    objective_id: oid,
                    title: "Cut cost per transaction".into(),
                    kpi: Some("cost per txn".into()),
                    target_value: None,
                    target_date: NaiveDate::from_ymd_opt(2027, 6, 30),
                }],
            }]);
    }

    #[test]
    fn create_reports_every_invalid_field() {
        Given::<Program>::events(&[])
            .when(ProgramCommand::Create {
                program_id: pid(),
                name: " ".into(),
                description: "".into(),
                sponsor: "".into(),
                objectives: vec![(
                    ObjectiveId::from_uuid(Uuid::nil()),
                    ObjectiveDraft::default(),
                )],
                creator: None,
            })
            .then_error(DomainError::Invalid(vec![
                FieldError::new("name", "must not be empty"),
                FieldError::new("sponsor", "must not be empty"),
                FieldError::new("objectives[0].title", "must not be empty"),
            ]));
    }

    #[test]
    fn create_twice_is_refused() {
        Given::<Program>::events(&[created()])
            .when(ProgramCommand::Create {
                program_id: pid(),
                name: "x".into(),
                description: "".into(),
                sponsor: "y".into(),
                objectives: vec![],
                creator: None,
            })
            .then_error_matches(|e| matches!(e, DomainError::AlreadyExists(_)));
    }

    #[test]
    fn edit_emits_only_what_changed() {
        Given::<Program>::events(&[created()])
            .when(ProgramCommand::Edit {
                name: Some("Payments 2.0".into()),
                description: Some("Move card processing off the mainframe".into()),
                sponsor: Some("Sam COO".into()),
            })
            .then_events(vec![
                ProgramEvent::ProgramRenamed {
                    program_id: pid(),
                    from: "Payments Modernisation".into(),
                    to: "Payments 2.0".into(),
                },
                ProgramEvent::ProgramSponsorChanged {
                    program_id: pid(),
                    from: "Dana CFO".into(),
                    to: "Sam COO".into(),
                },
            ]);
    }

    #[test]
    fn edit_without_change_is_refused() {
        Given::<Program>::events(&[created()])
            .when(ProgramCommand::Edit {
                name: Some("Payments Modernisation".into()),
                description: None,
                sponsor: None,
            })
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    }

    #[test]
    fn edit_of_unknown_program_is_not_found() {
        Given::<Program>::events(&[])
            .when(ProgramCommand::Edit {
                name: Some("x".into()),
                description: None,
                sponsor: None,
            })
            .then_error_matches(|e| matches!(e, DomainError::NotFound(_)));
    }

    #[test]
    fn events_round_trip_through_their_wire_form() {
        let event = created();
        let encoded = event.encode();
        assert_eq!(encoded.event_type, "ProgramCreated");
        assert_eq!(encoded.schema_version, 2);
        assert_eq!(encoded.program_id, Some(pid()));
        let decoded =
            ProgramEvent::decode(&encoded.event_type, encoded.schema_version, encoded.payload)
                .unwrap();
        assert_eq!(decoded, event);
    }

    fn uid(n: u128) -> UserId {
        UserId::from_uuid(Uuid::from_u128(n))
    }

    fn granted(user: u128, grant: RoleGrant) -> ProgramEvent {
        ProgramEvent::ProgramRoleGranted {
            program_id: pid(),
            user_id: uid(user),
            username: format!("u{user}"),
            role: grant.role,
            project_id: grant.project_id,
            project_name: grant.project_id.map(|_| "Gateway".into()),
        }
    }

    fn grant_cmd(user: u128, grant: RoleGrant, project_in_program: bool) -> ProgramCommand {
        ProgramCommand::GrantRole {
            user_id: uid(user),
            username: format!("u{user}"),
            user_active: true,
            grant,
            project_in_program,
            project_name: Some("Gateway".into()),
        }
    }

    #[test]
    fn the_creator_becomes_program_manager() {
        let events = Given::<Program>::events(&[])
            .when(ProgramCommand::Create {
                program_id: pid(),
                name: "P".into(),
                description: "".into(),
                sponsor: "S".into(),
                objectives: vec![],
                creator: Some((uid(1), "u1".into())),
            })
            .events();
        assert_eq!(
            events[1],
            granted(1, RoleGrant::new(ProgramRole::ProgramManager))
        );
    }

    #[test]
    fn grants_are_validated_and_not_repeated() {
        let pm = RoleGrant::new(ProgramRole::ProgramManager);
        let program = Given::<Program>::events(&[created(), granted(1, pm)]);
        let project = ProjectId::from_uuid(Uuid::from_u128(5));
        program
            .when(grant_cmd(2, RoleGrant::project_manager(project), true))
            .then_events(vec![granted(2, RoleGrant::project_manager(project))]);
        let invalid = |cmd| program.when(cmd).then_invalid();
        assert_eq!(
            invalid(grant_cmd(2, RoleGrant::project_manager(project), false))[0].field,
            "project_id"
        );
        assert_eq!(
            invalid(grant_cmd(
                2,
                RoleGrant {
                    role: ProgramRole::ProjectManager,
                    project_id: None
                },
                true
            ))[0]
                .message,
            "a project manager's role names the project"
        );
        program
            .when(grant_cmd(1, pm, false))
            .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
        let inactive = ProgramCommand::GrantRole {
            user_id: uid(3),
            username: "u3".into(),
            user_active: false,
            grant: RoleGrant::new(ProgramRole::Viewer),
            project_in_program: false,
            project_name: None,
        };
        assert_eq!(invalid(inactive)[0].field, "user_id");
    }

    #[test]
    fn the_last_program_manager_cannot_be_revoked() {
        let pm = RoleGrant::new(ProgramRole::ProgramManager);
        let revoke = |user: u128| ProgramCommand::RevokeRole {
            user_id: uid(user),
            username: format!("u{user}"),
            grant: pm,
            project_name: None,
        };
        let alone = Given::<Program>::events(&[created(), granted(1, pm)]);
        alone
            .when(revoke(1))
            .then_error_matches(|e| matches!(e, DomainError::Invalid(_)));
        let two = Given::<Program>::events(&[created(), granted(1, pm), granted(2, pm)]);
        assert!(matches!(
            two.when(revoke(1)).events()[0],
            ProgramEvent::ProgramRoleRevoked { .. }
        ));
        two.when(ProgramCommand::RevokeRole {
            user_id: uid(2),
            username: "u2".into(),
            grant: RoleGrant::new(ProgramRole::Viewer),
            project_name: None,
        })
        .then_error_matches(|e| matches!(e, DomainError::NothingToChange(_)));
    }
}
