//! Read models assembled on request, for the routes and for the demo seed alike: the governance
//! view and the RAID register (each folded from the program's own streams on every read), a
//! forum's agenda, and the program's view (as of a position: from the nearest snapshot).

pub mod agenda;
pub mod briefing;
pub mod governance;
pub mod history;
pub mod program;
pub mod raid;
pub mod snapshots;

use crate::event_store::{StoreError, read_program_streams};
use throughline_shared::{DomainEvent, ProgramId, RecordedEvent};

/// Feeds `fold` every event of the program's streams of `stream_types` up to `up_to`, in log
/// order. As with program views, an event that does not decode is logged and skipped, so one bad
/// event never takes a page down with it.
pub(crate) async fn fold_program_streams(
    pool: &sqlx::PgPool,
    program_id: ProgramId,
    stream_types: &[&str],
    up_to: i64,
    mut fold: impl FnMut(&RecordedEvent, &DomainEvent),
) -> Result<(), StoreError> {
    let events = read_program_streams(pool, program_id.0, stream_types, up_to).await?;
    for recorded in &events {
        match recorded.decode() {
            Ok(event) => fold(recorded, &event),
            Err(e) => tracing::error!(
                %program_id,
                position = recorded.position,
                stream_type = %recorded.stream_type,
                error = %e,
                "an event cannot be decoded; skipped"
            ),
        }
    }
    Ok(())
}
