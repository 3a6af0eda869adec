//! A program's RAID register, folded on read from its risk, issue, assumption and settings
//! streams (no table keeps it), like the governance view.

use super::fold_program_streams;
use crate::event_store::StoreError;
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::event::AggregateEvent;
use throughline_shared::raid::assumption::AssumptionEvent;
use throughline_shared::raid::issue::IssueEvent;
use throughline_shared::raid::risk::RiskEvent;
use throughline_shared::raid::settings::RaidSettingsEvent;
use throughline_shared::raid::view::RaidView;

/// The stream types the register is folded from.
pub const RAID_STREAMS: [&str; 4] = [
    RiskEvent::STREAM_TYPE,
    IssueEvent::STREAM_TYPE,
    AssumptionEvent::STREAM_TYPE,
    RaidSettingsEvent::STREAM_TYPE,
];

/// The program's RAID register as it stood at `up_to` (the whole log: `i64::MAX`).
pub async fn raid_view(
    pool: &PgPool,
    program_id: ProgramId,
    up_to: i64,
) -> Result<RaidView, StoreError> {
    let mut view = RaidView::new(program_id);
    fold_program_streams(pool, program_id, &RAID_STREAMS, up_to, |r, e| {
        view.apply(r, e)
    })
    .await?;
    Ok(view)
}
