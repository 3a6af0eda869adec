//! A program's governance, folded on read from its charter, decision, escalation and session
//! streams (no table keeps it).

use super::fold_program_streams;
use crate::event_store::StoreError;
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
    let mut view = GovernanceView::new(program_id);
    fold_program_streams(pool, program_id, &GOVERNANCE_STREAMS, up_to, |r, e| {
        view.apply(r, e)
    })
    .await?;
    Ok(view)
}
