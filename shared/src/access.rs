//! Who may do what in a program: roles, grants and the one permission check that the server
//! enforces and the browser uses to hide what the user may not do.

use crate::ids::{ProgramId, ProjectId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A role a user holds in one program. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgramRole {
    /// Full control of the program: details, projects, membership.
    ProgramManager,
    /// Runs one project of the program (the grant names it): reports its status.
    ProjectManager,
    /// Reports status on any project; later raises risks, issues and decisions.
    Contributor,
    /// Sits on the program's decision forums (decides there once governance exists); reads.
    ForumMember,
    /// Read-only: executives and stakeholders.
    Viewer,
}

impl ProgramRole {
    pub const ALL: [ProgramRole; 5] = [
        ProgramRole::ProgramManager,
        ProgramRole::ProjectManager,
        ProgramRole::Contributor,
        ProgramRole::ForumMember,
        ProgramRole::Viewer,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ProgramRole::ProgramManager => "Program manager",
            ProgramRole::ProjectManager => "Project manager",
            ProgramRole::Contributor => "Contributor",
            ProgramRole::ForumMember => "Forum member",
            ProgramRole::Viewer => "Viewer",
        }
    }

    pub fn wire_name(self) -> &'static str {
        match self {
            ProgramRole::ProgramManager => "program_manager",
            ProgramRole::ProjectManager => "project_manager",
            ProgramRole::Contributor => "contributor",
            ProgramRole::ForumMember => "forum_member",
            ProgramRole::Viewer => "viewer",
        }
    }

    pub fn from_wire_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.wire_name() == name)
    }
}

impl fmt::Display for ProgramRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// One role held in one program; a project manager's grant names the project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoleGrant {
    pub role: ProgramRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<ProjectId>,
}

impl RoleGrant {
    pub fn new(role: ProgramRole) -> Self {
        Self {
            role,
            project_id: None,
        }
    }

    pub fn project_manager(project_id: ProjectId) -> Self {
        Self {
            role: ProgramRole::ProjectManager,
            project_id: Some(project_id),
        }
    }
}

/// What an API token may do on behalf of its owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    ReadOnly,
    ReadWrite,
}

impl TokenScope {
    pub fn wire_name(self) -> &'static str {
        match self {
            TokenScope::ReadOnly => "read_only",
            TokenScope::ReadWrite => "read_write",
        }
    }

    pub fn from_wire_name(name: &str) -> Option<Self> {
        match name {
            "read_only" => Some(TokenScope::ReadOnly),
            "read_write" => Some(TokenScope::ReadWrite),
            _ => None,
        }
    }
}

/// Something a user may want to do in a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgramAction {
    /// See the program, its projects, history (as of any moment), audit trail and live events.
    Read,
    /// Change the program's own details.
    Edit,
    AddProject,
    ReportStatus(ProjectId),
    /// Grant and revoke roles in the program.
    ManageMembers,
    /// Add milestones to a project, move their forecasts, mark them met; agree to deliver what
    /// other projects depend on.
    ChangeSchedule(ProjectId),
    /// Set the agreed plan (baseline) of milestones, or change it (re-baseline).
    Baseline,
    /// Propose, re-date, break or cancel a dependency between two projects' milestones.
    ManageDependency {
        provider: ProjectId,
        consumer: ProjectId,
    },
    /// Set up forums, decision rights and the escalation path; table decisions for a session.
    Govern,
    /// Raise a decision for a forum (or the program manager) to take; resolve an escalation.
    RaiseDecision,
    /// Raise or change a RAID item (risk, issue, assumption) of this project; `None`: a
    /// program-level item, the program manager's.
    ManageRaid(Option<ProjectId>),
    /// Escalate an item, or move an escalation up: anyone with access. Voting and recording an
    /// outcome need this too, and then membership of the forum, which the domain checks.
    TakePart,
}

impl ProgramAction {
    pub fn is_write(self) -> bool {
        !matches!(self, ProgramAction::Read)
    }
}

/// Everything that decides what one caller may do in one program.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramAccess {
    /// Organisation administrators may do everything everywhere.
    pub admin: bool,
    pub grants: Vec<RoleGrant>,
    /// A read-only token (or a token scoped to another program) narrows the user's own rights.
    #[serde(default)]
    pub read_only: bool,
}

impl ProgramAccess {
    pub fn can(&self, action: ProgramAction) -> bool {
        if self.read_only && action.is_write() {
            return false;
        }
        if self.admin {
            return true;
        }
        let has = |role: ProgramRole| self.grants.iter().any(|g| g.role == role);
        match action {
            ProgramAction::Read => !self.grants.is_empty(),
            ProgramAction::Edit
            | ProgramAction::AddProject
            | ProgramAction::ManageMembers
            | ProgramAction::Baseline
            | ProgramAction::Govern => has(ProgramRole::ProgramManager),
            ProgramAction::RaiseDecision => {
                has(ProgramRole::ProgramManager)
                    || has(ProgramRole::ProjectManager)
                    || has(ProgramRole::Contributor)
            }
            ProgramAction::TakePart => !self.grants.is_empty(),
            ProgramAction::ReportStatus(project) | ProgramAction::ChangeSchedule(project) => {
                has(ProgramRole::ProgramManager)
                    || has(ProgramRole::Contributor)
                    || self.grants.contains(&RoleGrant::project_manager(project))
            }
            ProgramAction::ManageRaid(None) => has(ProgramRole::ProgramManager),
            ProgramAction::ManageRaid(Some(project)) => {
                has(ProgramRole::ProgramManager)
                    || has(ProgramRole::Contributor)
                    || self.grants.contains(&RoleGrant::project_manager(project))
            }
            ProgramAction::ManageDependency { provider, consumer } => {
                has(ProgramRole::ProgramManager)
                    || has(ProgramRole::Contributor)
                    || self.grants.contains(&RoleGrant::project_manager(provider))
                    || self.grants.contains(&RoleGrant::project_manager(consumer))
            }
        }
    }

    /// Whether the caller may raise or change a RAID item scoped to `projects`: for a program
    /// item (none), the program manager; otherwise whoever may manage the RAID of any one of them
    /// (a project manager owns the risks their project shares with others).
    pub fn can_manage_raid(&self, projects: &[ProjectId]) -> bool {
        if projects.is_empty() {
            return self.can(ProgramAction::ManageRaid(None));
        }
        projects
            .iter()
            .any(|p| self.can(ProgramAction::ManageRaid(Some(*p))))
    }

    /// Any write at all: the UI shows edit controls only when this holds.
    pub fn can_write_anything(&self) -> bool {
        !self.read_only
            && (self.admin
                || self.grants.iter().any(|g| {
                    matches!(
                        g.role,
                        ProgramRole::ProgramManager
                            | ProgramRole::ProjectManager
                            | ProgramRole::Contributor
                    )
                }))
    }
}

/// A program the caller belongs to, with the grants held there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Membership {
    pub program_id: ProgramId,
    pub grants: Vec<RoleGrant>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn project(n: u128) -> ProjectId {
        ProjectId::from_uuid(Uuid::from_u128(n))
    }

    fn access(grants: &[RoleGrant]) -> ProgramAccess {
        ProgramAccess {
            admin: false,
            grants: grants.to_vec(),
            read_only: false,
        }
    }

    #[test]
    fn each_role_allows_exactly_its_actions() {
        let own = project(1);
        let other = project(2);
        let actions = [
            ProgramAction::Read,
            ProgramAction::Edit,
            ProgramAction::AddProject,
            ProgramAction::ManageMembers,
            ProgramAction::ReportStatus(own),
            ProgramAction::ReportStatus(other),
            ProgramAction::ChangeSchedule(own),
            ProgramAction::ChangeSchedule(other),
            ProgramAction::Baseline,
            ProgramAction::ManageDependency {
                provider: own,
                consumer: other,
            },
            ProgramAction::ManageDependency {
                provider: other,
                consumer: own,
            },
            ProgramAction::ManageDependency {
                provider: other,
                consumer: project(3),
            },
        ];
        const F: bool = false;
        const T: bool = true;
        let table: [(RoleGrant, [bool; 12]); 5] = [
            (RoleGrant::new(ProgramRole::ProgramManager), [T; 12]),
            (
                RoleGrant::project_manager(own),
                [T, F, F, F, T, F, T, F, F, T, T, F],
            ),
            (
                RoleGrant::new(ProgramRole::Contributor),
                [T, F, F, F, T, T, T, T, F, T, T, T],
            ),
            (
                RoleGrant::new(ProgramRole::ForumMember),
                [T, F, F, F, F, F, F, F, F, F, F, F],
            ),
            (
                RoleGrant::new(ProgramRole::Viewer),
                [T, F, F, F, F, F, F, F, F, F, F, F],
            ),
        ];
        for (grant, expected) in table {
            for (action, allowed) in actions.iter().zip(expected) {
                assert_eq!(
                    access(&[grant]).can(*action),
                    allowed,
                    "{grant:?} {action:?}"
                );
            }
        }
    }

    #[test]
    fn raid_items_belong_to_their_projects_and_program_items_to_the_program_manager() {
        let (own, other) = (project(1), project(2));
        let pm_of_own = access(&[RoleGrant::project_manager(own)]);
        assert!(pm_of_own.can_manage_raid(&[own]));
        assert!(
            pm_of_own.can_manage_raid(&[other, own]),
            "a shared risk is theirs too"
        );
        assert!(!pm_of_own.can_manage_raid(&[other]));
        assert!(!pm_of_own.can_manage_raid(&[]));
        let contributor = access(&[RoleGrant::new(ProgramRole::Contributor)]);
        assert!(contributor.can_manage_raid(&[other]) && !contributor.can_manage_raid(&[]));
        let manager = access(&[RoleGrant::new(ProgramRole::ProgramManager)]);
        assert!(manager.can_manage_raid(&[]));
        for role in [ProgramRole::ForumMember, ProgramRole::Viewer] {
            assert!(!access(&[RoleGrant::new(role)]).can_manage_raid(&[own]));
        }
    }

    #[test]
    fn no_grant_means_nothing_and_admin_means_everything() {
        assert!(!access(&[]).can(ProgramAction::Read));
        let admin = ProgramAccess {
            admin: true,
            ..Default::default()
        };
        assert!(admin.can(ProgramAction::ManageMembers));
        assert!(admin.can_write_anything());
    }

    #[test]
    fn a_read_only_token_narrows_even_a_program_manager() {
        let mut pm = access(&[RoleGrant::new(ProgramRole::ProgramManager)]);
        pm.read_only = true;
        assert!(pm.can(ProgramAction::Read));
        assert!(!pm.can(ProgramAction::Edit));
        assert!(!pm.can(ProgramAction::ReportStatus(project(1))));
        assert!(!pm.can_write_anything());
    }

    #[test]
    fn wire_names_round_trip() {
        for role in ProgramRole::ALL {
            assert_eq!(ProgramRole::from_wire_name(role.wire_name()), Some(role));
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::Value::String(role.wire_name().into())
            );
        }
    }
}
