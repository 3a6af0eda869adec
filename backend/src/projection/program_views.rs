//! The `program_views` read model: one folded `ProgramView` per program, stored in parts —
//! the head (`program_views`: everything but the milestones and dependencies) and one row per
//! milestone and per dependency (`program_view_parts`) — so that writing a view costs what its
//! events changed, not the size of the program.

use super::Projection;
use anyhow::Context;
use sqlx::{PgConnection, PgExecutor};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use throughline_shared::view::{DependencyView, MilestoneView, ProgramView};
use throughline_shared::{ProgramId, RecordedEvent};
use uuid::Uuid;

pub const PROGRAM_VIEWS: &str = "program_views";

/// Views kept in memory between batches; beyond this the working set is flushed and dropped.
const MAX_CACHED: usize = 50_000;

/// Under a sustained load, each changed view is written at most this often (see
/// `Projection::flush_interval`).
const FLUSH_INTERVAL: Duration = Duration::from_millis(250);

/// What the tables hold of one program, as hashes of each part's JSON: a flush writes the parts
/// whose JSON changed.
#[derive(Default)]
struct Stored {
    head: u64,
    milestones: Vec<u64>,
    dependencies: Vec<u64>,
}

#[derive(Default)]
pub struct ProgramViews {
    /// The working set: every view loaded or folded since the last `forget`. A program in here
    /// with no row yet is simply absent from the table.
    views: HashMap<ProgramId, ProgramView>,
    /// Programs whose stored row is known (loaded or looked up and found missing), with what is
    /// stored of them.
    stored: HashMap<ProgramId, Stored>,
    dirty: HashSet<ProgramId>,
}

fn hash_of(json: &str) -> u64 {
    let mut h = DefaultHasher::new();
    json.hash(&mut h);
    h.finish()
}

/// The head of a view: the view without its milestones and dependencies, as stored.
fn head_json(view: &mut ProgramView) -> serde_json::Result<String> {
    let milestones = std::mem::take(&mut view.milestones);
    let dependencies = std::mem::take(&mut view.dependencies);
    let head = serde_json::to_string(view);
    view.milestones = milestones;
    view.dependencies = dependencies;
    head
}

/// Reads whole views (head and parts) of `programs`, as stored.
pub async fn load_views(
    db: &mut PgConnection,
    programs: &[Uuid],
) -> anyhow::Result<HashMap<ProgramId, ProgramView>> {
    let heads: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT program_id, view::text FROM program_views WHERE program_id = ANY($1)",
    )
    .bind(programs)
    .fetch_all(&mut *db)
    .await?;
    let mut views = HashMap::with_capacity(heads.len());
    for (id, head) in heads {
        let view: ProgramView = serde_json::from_str(&head)
            .with_context(|| format!("stored view of program {id} is unreadable"))?;
        views.insert(ProgramId(id), view);
    }
    let parts: Vec<(Uuid, String, String)> = sqlx::query_as(
        "SELECT program_id, kind, body::text FROM program_view_parts \
         WHERE program_id = ANY($1) ORDER BY program_id, kind, ord",
    )
    .bind(programs)
    .fetch_all(&mut *db)
    .await?;
    for (id, kind, body) in parts {
        let Some(view) = views.get_mut(&ProgramId(id)) else {
            continue;
        };
        let context = || format!("a stored {kind} of program {id} is unreadable");
        match kind.as_str() {
            "milestone" => view
                .milestones
                .push(serde_json::from_str(&body).with_context(context)?),
            _ => view
                .dependencies
                .push(serde_json::from_str(&body).with_context(context)?),
        }
    }
    Ok(views)
}

/// One program's stored view, with the projection's checkpoint it is consistent with (read in
/// one statement, so in one snapshot).
pub async fn load_view_at_checkpoint(
    db: impl PgExecutor<'_>,
    program_id: ProgramId,
) -> anyhow::Result<(i64, Option<ProgramView>)> {
    let (checkpoint, head, milestones, dependencies): (i64, Option<String>, String, String) =
        sqlx::query_as(
            "SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = $2), 0), \
                    (SELECT view::text FROM program_views WHERE program_id = $1), \
                    (SELECT coalesce(json_agg(body ORDER BY ord), '[]')::text FROM program_view_parts \
                      WHERE program_id = $1 AND kind = 'milestone'), \
                    (SELECT coalesce(json_agg(body ORDER BY ord), '[]')::text FROM program_view_parts \
                      WHERE program_id = $1 AND kind = 'dependency')",
        )
        .bind(program_id.0)
        .bind(PROGRAM_VIEWS)
        .fetch_one(db)
        .await?;
    let Some(head) = head else {
        return Ok((checkpoint, None));
    };
    let context = || format!("stored view of program {program_id} is unreadable");
    let mut view: ProgramView = serde_json::from_str(&head).with_context(context)?;
    view.milestones =
        serde_json::from_str::<Vec<MilestoneView>>(&milestones).with_context(context)?;
    view.dependencies =
        serde_json::from_str::<Vec<DependencyView>>(&dependencies).with_context(context)?;
    Ok((checkpoint, Some(view)))
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
            .filter(|p| !self.stored.contains_key(p))
            .map(|p| p.0)
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        missing.sort_unstable();
        missing.dedup();
        for (id, mut view) in load_views(db, &missing).await? {
            let stored = Stored {
                head: hash_of(&head_json(&mut view)?),
                milestones: view
                    .milestones
                    .iter()
                    .map(|m| serde_json::to_string(m).map(|j| hash_of(&j)))
                    .collect::<Result<_, _>>()?,
                dependencies: view
                    .dependencies
                    .iter()
                    .map(|d| serde_json::to_string(d).map(|j| hash_of(&j)))
                    .collect::<Result<_, _>>()?,
            };
            self.stored.insert(id, stored);
            self.views.insert(id, view);
        }
        for id in missing {
            self.stored.entry(ProgramId(id)).or_default();
        }
        Ok(())
    }
}

/// The rows one flush writes.
#[derive(Default)]
struct Writes {
    head_ids: Vec<Uuid>,
    names: Vec<String>,
    heads: Vec<String>,
    positions: Vec<i64>,
    unfolded: Vec<i64>,
    part_ids: Vec<Uuid>,
    part_kinds: Vec<&'static str>,
    part_ords: Vec<i32>,
    part_bodies: Vec<String>,
    cut_ids: Vec<Uuid>,
    cut_kinds: Vec<&'static str>,
    cut_from: Vec<i32>,
}

impl Writes {
    /// Queues the parts of one list whose JSON differs from what is stored, and the removal of
    /// stored parts beyond its end.
    fn parts<T: serde::Serialize>(
        &mut self,
        id: Uuid,
        kind: &'static str,
        items: &[T],
        stored: &mut Vec<u64>,
    ) -> anyhow::Result<()> {
        for (ord, item) in items.iter().enumerate() {
            let json = serde_json::to_string(item)?;
            let hash = hash_of(&json);
            if stored.get(ord) == Some(&hash) {
                continue;
            }
            match stored.get_mut(ord) {
                Some(h) => *h = hash,
                None => stored.push(hash),
            }
            self.part_ids.push(id);
            self.part_kinds.push(kind);
            self.part_ords
                .push(i32::try_from(ord).context("a list too long to store")?);
            self.part_bodies.push(json);
        }
        if stored.len() > items.len() {
            stored.truncate(items.len());
            self.cut_ids.push(id);
            self.cut_kinds.push(kind);
            self.cut_from
                .push(i32::try_from(items.len()).context("a list too long to store")?);
        }
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

    fn flush_interval(&self) -> Duration {
        FLUSH_INTERVAL
    }

    async fn fold(
        &mut self,
        db: &mut PgConnection,
        mut events: Vec<RecordedEvent>,
    ) -> anyhow::Result<()> {
        if self.views.len() > MAX_CACHED && self.dirty.is_empty() {
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
        let mut w = Writes::default();
        for id in self.dirty.drain() {
            let Some(view) = self.views.get_mut(&id) else {
                continue;
            };
            // Events of a program that was never created (impossible through commands) leave
            // no row rather than a half-empty one.
            if !view.exists() {
                continue;
            }
            let stored = self.stored.entry(id).or_default();
            let head = head_json(view)?;
            let hash = hash_of(&head);
            if hash != stored.head {
                stored.head = hash;
                w.head_ids.push(id.0);
                w.names.push(view.name.clone());
                w.heads.push(head);
                w.positions.push(view.position);
                w.unfolded
                    .push(i64::try_from(view.unfolded_count).unwrap_or(i64::MAX));
            }
            w.parts(id.0, "milestone", &view.milestones, &mut stored.milestones)?;
            w.parts(
                id.0,
                "dependency",
                &view.dependencies,
                &mut stored.dependencies,
            )?;
        }
        let bytes = w
            .heads
            .iter()
            .chain(&w.part_bodies)
            .map(String::len)
            .sum::<usize>();
        crate::metrics::METRICS
            .view_bytes_written
            .inc_by(bytes as u64);
        if !w.head_ids.is_empty() {
            sqlx::query(
                "INSERT INTO program_views (program_id, name, view, position, unfolded_count) \
                 SELECT id, name, body::jsonb, position, unfolded \
                 FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) \
                      AS t(id, name, body, position, unfolded) \
                 ON CONFLICT (program_id) DO UPDATE \
                 SET name = EXCLUDED.name, view = EXCLUDED.view, position = EXCLUDED.position, \
                     unfolded_count = EXCLUDED.unfolded_count",
            )
            .bind(&w.head_ids)
            .bind(&w.names)
            .bind(&w.heads)
            .bind(&w.positions)
            .bind(&w.unfolded)
            .execute(&mut *db)
            .await?;
        }
        if !w.part_ids.is_empty() {
            sqlx::query(
                "INSERT INTO program_view_parts (program_id, kind, ord, body) \
                 SELECT id, kind, ord, body::jsonb \
                 FROM UNNEST($1::uuid[], $2::text[], $3::int4[], $4::text[]) AS t(id, kind, ord, body) \
                 ON CONFLICT (program_id, kind, ord) DO UPDATE SET body = EXCLUDED.body",
            )
            .bind(&w.part_ids)
            .bind(&w.part_kinds)
            .bind(&w.part_ords)
            .bind(&w.part_bodies)
            .execute(&mut *db)
            .await?;
        }
        if !w.cut_ids.is_empty() {
            sqlx::query(
                "DELETE FROM program_view_parts p \
                 USING UNNEST($1::uuid[], $2::text[], $3::int4[]) AS t(id, kind, from_ord) \
                 WHERE p.program_id = t.id AND p.kind = t.kind AND p.ord >= t.from_ord",
            )
            .bind(&w.cut_ids)
            .bind(&w.cut_kinds)
            .bind(&w.cut_from)
            .execute(&mut *db)
            .await?;
        }
        Ok(())
    }

    async fn reset(&mut self, db: &mut PgConnection) -> anyhow::Result<()> {
        self.forget();
        sqlx::query("DELETE FROM program_view_parts")
            .execute(&mut *db)
            .await?;
        sqlx::query("DELETE FROM program_views").execute(db).await?;
        Ok(())
    }

    fn forget(&mut self) {
        self.views.clear();
        self.stored.clear();
        self.dirty.clear();
    }
}
