//! Why a command did not go through, in the words of the domain, the event store and the caller's
//! rights. Nothing here knows HTTP: the edge (`crate::error`) gives each its status and code.

use super::governance::RaiseInstead;
use crate::auth::password::PasswordError;
use crate::event_store::{AppendError, StoreError};
use throughline_shared::{DecodeError, DomainError};

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The domain refused: invalid fields, something not found or already there, a cycle,
    /// nothing to change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The caller may not do this; what they are told, reason included.
    #[error("{0}")]
    Forbidden(String),
    /// The client named the version it edited, and the stream has moved on since.
    #[error("{what} is at version {current}, not the version {expected} you edited")]
    StaleVersion {
        what: &'static str,
        expected: i64,
        current: i64,
    },
    /// An approval and its effects are one append, expecting the versions they were decided on:
    /// one of those streams moved meanwhile. Not decided again, since the decider saw the old
    /// state.
    #[error(
        "the decision or something its effects change was changed at the same moment; reload \
         and decide again"
    )]
    OutcomeRaced,
    /// A change made directly that the program's decision rights give to a forum.
    #[error("{}", .0.message)]
    DecisionRequired(Box<RaiseInstead>),
    /// Every row of an imported file that cannot be applied; nothing was imported.
    #[error("nothing was imported: {} row(s) cannot be applied", .0.len())]
    RowsRefused(Vec<String>),
    /// An imported file names projects the program does not have: created only on confirmation.
    #[error(
        "nothing was imported: the file names projects this program does not have ({}); import \
         it again confirming that they are to be created",
        .0.join(", ")
    )]
    ProjectsToCreate(Vec<String>),
    #[error(transparent)]
    Append(#[from] AppendError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("stored event cannot be decoded: {0}")]
    Decode(#[from] DecodeError),
    #[error("a password could not be hashed: {0:?}")]
    Password(PasswordError),
    /// Recorded, but not yet in force on every instance (or the database went out of reach
    /// while waiting for that).
    #[error(transparent)]
    NotInForce(#[from] crate::projection::NotInForce),
    /// Recorded, but not in force yet, or the database is out of reach: worth retrying shortly.
    #[error("{0}")]
    Unavailable(String),
    /// A command broke an invariant of its own: a bug, logged where it is answered.
    #[error("{0}")]
    Internal(String),
}
