//! A program's governance, folded on read from its charter, decision, escalation and session
//! streams (no table keeps it).

use crate::event_store::{StoreError, read_program_streams};
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::event::AggregateEvent;
use throughline_shared::governance::charter::CharterEvent;
use throughline_shared::governance::decision::DecisionEvent;
use throughline_shared::governance::escalation::EscalationEvent;
use throughline_shared::governance::session::SessionEvent;
use throughline_shared::governance::view::GovernanceView;

/// The stream types the governance view is folded from.
const GOVERNANCE_STREAMS: [&str; 4] = [
    CharterEvent::STREAM_TYPE,
    DecisionEvent::STREAM_TYPE,
    EscalationEvent::STREAM_TYPE,
    SessionEvent::STREAM_TYPE,
];

/// The program's governance as it stood at `up_to` (the whole log: `i64::MAX`).
pub async fn governance_view(
    pool: &PgPool,
    program_id: ProgramId,
    up_to: i64,
) -> Result<GovernanceView, StoreError> {
    let events = read_program_streams(pool, program_id.0, &GOVERNANCE_STREAMS, up_to).await?;
    let mut view = GovernanceView::new(program_id);
    for recorded in &events {
        // As with program views: an event that does not decode is logged and skipped, so one bad
        // event never takes a program's governance page down with it.
        match recorded.decode() {
            Ok(event) => view.apply(recorded, &event),
            Err(e) => tracing::error!(
                %program_id,
                position = recorded.position,
                error = %e,
                "a governance event cannot be decoded; skipped"
            ),
        }
    }
    Ok(view)
}
