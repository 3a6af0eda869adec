//! Governance commands: the charter (forums, decision rights, escalation path), decisions from
//! raising to outcome, escalations, and the sessions of forums. Approving a decision appends its
//! effects (a re-baseline, a dependency cancelled, an earlier decision superseded) in the same
//! atomic append as the approval, each with the approval as its causation, so every changed date
//! leads back to the decision and the people who took it.
//!
//! `decide_outcome` decides each effect with its target's aggregate (milestone `Baseline`,
//! register `Cancel`, decision `Supersede`) and appends the approval and every effect in **one**
//! multi-stream append, each effect expecting its target's version and carrying the approval's
//! event id as `causation_id` and the rationale as its reason. A target that changed since the
//! decision was raised is refused by the domain (422); a change racing the approval fails the
//! append (`CommandError::OutcomeRaced`, 409): nothing is applied either way.
//!
//! The escalation SLA check (`check_escalations(store, now)`) runs every
//! `THROUGHLINE_ESCALATION_CHECK_SECONDS` (60) on every instance: it visits open escalations
//! (partial index `streams_escalations`) and moves up each one whose deadline passed, appending
//! with the version it decided on. When two instances check at once one append wins and the other
//! gets a version conflict, which it ignores. Deadlines are in the events, so a restarted instance
//! goes on where the log says; `now` is a parameter, so tests drive the clock.

mod charter;
mod decisions;
mod effects;
mod escalations;
mod rights;
mod sessions;

pub use charter::{save_forum, set_decision_rights, set_escalation_path};
pub use decisions::{decide_outcome, raise_decision, table_decision, vote};
pub use escalations::{check_escalations, escalate, escalate_from_registers, escalation_step};
pub use rights::{DirectChange, RaiseInstead, require_direct};
pub use sessions::{SessionStep, next_session, open_session, session_step};

use super::{CommandError, Loaded, load};
use crate::event_store::EventStore;
use throughline_shared::governance::charter::{Charter, charter_stream};
use throughline_shared::{ProgramId, UserId};

/// Whether the caller holds the program manager's right to govern (looked up by the route).
#[derive(Clone, Copy, Debug)]
pub struct Caller {
    pub user_id: Option<UserId>,
    pub governs: bool,
}

fn forbidden(why: &str) -> CommandError {
    CommandError::Forbidden(format!("you may not do this: {why}"))
}

async fn charter_of(
    store: &EventStore,
    program_id: ProgramId,
) -> Result<Loaded<Charter>, CommandError> {
    super::existing_program(store, program_id, None).await?;
    load::<Charter>(store, charter_stream(program_id)).await
}
