//! Identifier newtypes: a `ProjectId` can never be passed where a `ProgramId` is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = Uuid))]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            pub const fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Uuid {
                id.0
            }
        }
    };
}

id_type!(
    /// A program: the aggregate that owns objectives, scope and (later) governance forums.
    ProgramId
);
id_type!(
    /// A project inside one program; its own event stream, so teams reporting status on
    /// different projects never conflict with each other.
    ProjectId
);
id_type!(
    /// A strategic objective of a program.
    ObjectiveId
);
id_type!(
    /// The unique id of one event in the log; a retried append with the same id is idempotent.
    EventId
);
id_type!(
    /// A person with an account. Derived from the user name, so that the event store's
    /// "stream must not exist yet" check is what makes user names unique.
    UserId
);
id_type!(
    /// An API token (the secret itself is never stored, only its hash).
    TokenId
);
id_type!(
    /// A dated checkpoint (or deliverable) of a project.
    MilestoneId
);
id_type!(
    /// A dependency between two milestones or deliverables.
    DependencyId
);
id_type!(
    /// One statement of a program's scope (in or out).
    ScopeItemId
);
id_type!(
    /// A decision forum of a program (steering committee, architecture board, change board…).
    ForumId
);
id_type!(
    /// A decision raised in a program.
    DecisionId
);
id_type!(
    /// An item escalated in a program (a late dependency, a slip, a stuck decision…).
    EscalationId
);
id_type!(
    /// One meeting of a decision forum (a review session).
    SessionId
);
id_type!(
    /// An action agreed at a review session.
    ActionId
);
id_type!(
    /// A risk in a program's RAID register.
    RiskId
);
id_type!(
    /// An issue (a problem now) in a program's RAID register.
    IssueId
);
id_type!(
    /// An assumption in a program's RAID register.
    AssumptionId
);
id_type!(
    /// A cascade: the moves a slip pushes downstream, proposed to their owners as one change set.
    CascadeId
);
