//! The `program_views` read model: one folded `ProgramView` per program.

use super::Projection;
use anyhow::Context;
use sqlx::PgConnection;
use std::collections::{HashMap, HashSet};
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
            let decoded = event
                .take_decoded()
                .with_context(|| format!("event at position {}", event.position))?;
            self.views
                .entry(program_id)
                .or_insert_with(|| ProgramView::new(program_id))
                .apply(event, &decoded);
            self.dirty.insert(program_id);
        }
        Ok(())
    }

    async fn flush(&mut self, db: &mut PgConnection) -> anyhow::Result<()> {
        let mut program_ids = Vec::with_capacity(self.dirty.len());
        let mut names = Vec::with_capacity(self.dirty.len());
        let mut bodies = Vec::with_capacity(self.dirty.len());
        let mut positions = Vec::with_capacity(self.dirty.len());
        for id in self.dirty.drain() {
            let view = &self.views[&id];
            // Events of a program that was never created (impossible through commands) leave
            // no row rather than a half-empty one.
            if !view.exists() {
                continue;
            }
            program_ids.push(id.0);
            names.push(view.name.clone());
            bodies.push(serde_json::to_string(view)?);
            positions.push(view.position);
        }
        if program_ids.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO program_views (program_id, name, view, position) \
             SELECT id, name, body::jsonb, position \
             FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bigint[]) AS t(id, name, body, position) \
             ON CONFLICT (program_id) DO UPDATE \
             SET name = EXCLUDED.name, view = EXCLUDED.view, position = EXCLUDED.position",
        )
        .bind(&program_ids)
        .bind(&names)
        .bind(&bodies)
        .bind(&positions)
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
