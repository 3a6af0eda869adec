//! Throughline's domain, shared by the server and the browser.
//!
//! Everything here is pure: no IO, no clocks, no randomness. The backend feeds it events read from
//! PostgreSQL; the browser feeds it the same events from the live stream, so both fold the log with
//! exactly the same code.

// Folds and analyses run on whatever the log holds: nothing input can reach may panic.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::unreachable
    )
)]

pub mod access;
pub mod aggregate;
pub mod analysis;
pub mod api;
pub mod briefing;
pub mod cascade;
pub mod changes;
pub mod date;
pub mod dependency;
pub mod describe;
pub mod error;
pub mod event;
pub mod governance;
pub mod history;
pub mod ids;
pub mod milestone;
pub mod money;
pub mod objective;
pub mod program;
pub mod project;
pub mod rag;
pub mod raid;
pub mod schedule;
pub mod scope;
pub mod ui;
pub mod upcast;
pub mod user;
pub mod view;

#[cfg(test)]
mod totality;

pub use error::{DomainError, FieldError};
pub use event::{DecodeError, DomainEvent, EventMetadata, RecordedEvent};
pub use ids::{EventId, ObjectiveId, ProgramId, ProjectId, TokenId, UserId};
pub use rag::Rag;
