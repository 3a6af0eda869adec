//! The `program_views` read model: one folded `ProgramView` per program.

use super::Projection;
use anyhow::Context;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, RecordedEvent};
use uuid::Uuid;

pub const PROGRAM_VIEWS: &str = "program_views";

/// Views kept in memory between batches; beyond this the working set is flushed and dropped.
const MAX_CACHED: usize = 50_000;

#[derive(Default)]
pub struct ProgramViews {
    /// The working set: every view loaded or folded since the last `forget`. A program in here
    /// with no row yet is simply absent from the table.
    views: HashMap<ProgramId, ProgramView>,
    /// Programs whose stored row is known (loaded or looked up and found missing).
    known: HashSet<ProgramId>,
    dirty: HashSet<ProgramId>,
}

impl ProgramViews {
    pub fn new() -> Self {
        Self::default()
    }

    async fn load_missing(
        &mut self,
        db: &mut PgConnection,
        events: &[RecordedEvent],
    ) -> anyhow::Result<()> {
        let mut missing: Vec<Uuid> = events
            .iter()
            .filter_map(|e| e.program_id)
            .filter(|p| !self.known.contains(p))
            .map(|p| p.0)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        let stored: Vec<(Uuid, serde_json::Value)> =
            sqlx::query_as("SELECT program_id, view FROM program_views WHERE program_id = ANY($1)")
                .bind(&missing)
                .fetch_all(&mut *db)
                .await?;
        for (id, view) in stored {
            let view: ProgramView = serde_json::from_value(view)
                .with_context(|| format!("stored view of program {id} is unreadable"))?;
            self.views.insert(ProgramId(id), view);
        }
        self.known.extend(missing.into_iter().map(ProgramId));
        Ok(())
    }
}

/// Folds one event into its program's view, never failing: an event that does not decode, or
/// whose fold panics, is recorded in the view as skipped (and logged), and the view — and every
/// other program's — goes on with the next event. Stopping here instead would stop every
/// program's view behind one bad event, for good, since events are never edited.
pub fn fold_one(view: &mut ProgramView, event: &mut RecordedEvent) {
    let error = match event.take_decoded() {
        Ok(decoded) => {
            // Unwind safety: on a panic the view is marked as having skipped this event; what
            // `apply` changed before it panicked stays, as it would for any partial fold.
            match std::panic::catch_unwind(AssertUnwindSafe(|| view.apply(event, &decoded))) {
                Ok(()) => return,
                Err(panic) => panic_message(panic.as_ref()),
            }
        }
        Err(e) => e.to_string(),
    };
    tracing::error!(
        program_id = %view.program_id,
        position = event.position,
        event_type = %event.event_type,
        error = %error,
        "an event cannot be folded into its program's view; skipped"
    );
    view.skip_unfoldable(event, &error);
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .map_or_else(
            || "folding it panicked".to_string(),
            |m| format!("folding it panicked: {m}"),
        )
}

impl Projection for ProgramViews {
    fn name(&self) -> &'static str {
        PROGRAM_VIEWS
    }

    async fn fold(
        &mut self,
        db: &mut PgConnection,
        mut events: Vec<RecordedEvent>,
    ) -> anyhow::Result<()> {
        if self.views.len() > MAX_CACHED {
            self.flush(db).await?;
            self.forget();
        }
        self.load_missing(db, &events).await?;
        for event in &mut events {
            let Some(program_id) = event.program_id else {
                continue;
            };
            let view = self
                .views
                .entry(program_id)
                .or_insert_with(|| ProgramView::new(program_id));
            fold_one(view, event);
            self.dirty.insert(program_id);
        }
        Ok(())
    }

    async fn flush(&mut self, db: &mut PgConnection) -> anyhow::Result<()> {
        let mut program_ids = Vec::with_capacity(self.dirty.len());
        let mut names = Vec::with_capacity(self.dirty.len());
        let mut bodies = Vec::with_capacity(self.dirty.len());
        let mut positions = Vec::with_capacity(self.dirty.len());
        let mut unfolded = Vec::with_capacity(self.dirty.len());
        for id in self.dirty.drain() {
            let Some(view) = self.views.get(&id) else {
                continue;
            };
            // Events of a program that was never created (impossible through commands) leave
            // no row rather than a half-empty one.
            if !view.exists() {
                continue;
            }
            program_ids.push(id.0);
            names.push(view.name.clone());
            bodies.push(serde_json::to_string(view)?);
            positions.push(view.position);
            unfolded.push(i64::try_from(view.unfolded_count).unwrap_or(i64::MAX));
        }
        if program_ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO program_views (program_id, name, view, position, unfolded_count) \
             SELECT id, name, body::jsonb, position, unfolded \
             FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) \
                  AS t(id, name, body, position, unfolded) \
             ON CONFLICT (program_id) DO UPDATE \
             SET name = EXCLUDED.name, view = EXCLUDED.view, position = EXCLUDED.position, \
                 unfolded_count = EXCLUDED.unfolded_count",
        )
        .bind(&program_ids)
        .bind(&names)
        .bind(&bodies)
        .bind(&positions)
        .bind(&unfolded)
        .execute(db)
        .await?;
        Ok(())
    }

    async fn reset(&mut self, db: &mut PgConnection) -> anyhow::Result<()> {
        self.forget();
        sqlx::query("DELETE FROM program_views").execute(db).await?;
        Ok(())
    }

    fn forget(&mut self) {
        self.views.clear();
        self.known.clear();
        self.dirty.clear();
    }
}
