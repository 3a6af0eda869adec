//! A program's view, now or as it stood at a log position, folded from the projection's stored
//! view and the log.

use crate::error::ApiError;
use crate::event_store::{EventFilter, StoreError, read_events};
use crate::projection::{fold_one, load_view_at_checkpoint};
use sqlx::PgPool;
use std::collections::BTreeMap;
use throughline_shared::ProgramId;
use throughline_shared::view::ProgramView;

/// Events read per query while folding.
pub(crate) const FOLD_PAGE: i64 = 5_000;

/// A read of the log or of a stored view failed: an outage or a bug, never the caller's doing.
#[derive(Debug, thiserror::Error)]
pub enum ReadFailed {
    #[error(transparent)]
    Log(#[from] StoreError),
    #[error(transparent)]
    Stored(#[from] anyhow::Error),
}

impl From<ReadFailed> for ApiError {
    fn from(error: ReadFailed) -> Self {
        // Each kept as its own type, so an unreachable database is still told apart (503).
        match error {
            ReadFailed::Log(e) => ApiError::internal(e),
            ReadFailed::Stored(e) => ApiError::internal(e),
        }
    }
}

/// Folds `filter`'s events (all pages) into `views`, creating views for programs as they appear.
pub(crate) async fn fold_into(
    pool: &PgPool,
    mut filter: EventFilter,
    views: &mut BTreeMap<ProgramId, ProgramView>,
) -> Result<(), ReadFailed> {
    filter.limit = FOLD_PAGE;
    loop {
        let events = read_events(pool, filter).await?;
        let last = events.last().map(|e| e.position);
        let count = events.len();
        for mut event in events {
            if let Some(program_id) = event.program_id {
                if filter.program_id.is_some_and(|p| p != program_id) {
                    continue;
                }
                let view = views
                    .entry(program_id)
                    .or_insert_with(|| ProgramView::new(program_id));
                fold_one(view, &mut event);
            }
        }
        match last {
            Some(last) if count as i64 == FOLD_PAGE => filter.after = last,
            _ => return Ok(()),
        }
    }
}

/// The program's view now: the projection's row, plus whatever the projection has not folded yet,
/// so a read right after a write always includes that write.
pub(crate) async fn current_view(
    pool: &PgPool,
    program_id: ProgramId,
) -> Result<Option<ProgramView>, ReadFailed> {
    let (checkpoint, stored) = load_view_at_checkpoint(pool, program_id).await?;
    let mut views = BTreeMap::new();
    if let Some(view) = stored {
        views.insert(program_id, view);
    }
    let filter = EventFilter {
        after: checkpoint,
        up_to: None,
        program_id: Some(program_id),
        limit: FOLD_PAGE,
    };
    fold_into(pool, filter, &mut views).await?;
    Ok(views.remove(&program_id).filter(ProgramView::exists))
}

/// The program's view as it stood at `position`: folded from the log, from the nearest snapshot
/// at or before it (`snapshots`), or from the start when there is none.
pub(crate) async fn view_at(
    pool: &PgPool,
    program_id: ProgramId,
    position: i64,
) -> Result<Option<ProgramView>, ReadFailed> {
    let from = super::snapshots::nearest(pool, program_id, Some(position)).await?;
    view_from(pool, program_id, from, position).await
}

/// The program's view at `position`, folded from `from` (or from the start).
pub async fn view_from(
    pool: &PgPool,
    program_id: ProgramId,
    from: Option<super::snapshots::Snapshot>,
    position: i64,
) -> Result<Option<ProgramView>, ReadFailed> {
    let mut views = BTreeMap::new();
    let after = from.map_or(0, |s| {
        views.insert(program_id, s.view);
        s.position
    });
    let filter = EventFilter {
        after,
        up_to: Some(position),
        program_id: Some(program_id),
        limit: FOLD_PAGE,
    };
    fold_into(pool, filter, &mut views).await?;
    Ok(views.remove(&program_id).filter(ProgramView::exists))
}
