//! The `program_views` read model: one folded `ProgramView` per program, stored in parts —
//! the head (`program_views`: everything but the projects, milestones, dependencies and recent
//! slips) and one row per part (`program_view_parts`: projects, milestones and dependencies keyed
//! by their index in the view's list, slips by their log position) — so that writing a view costs
//! what its events changed, not the size of the program. A flush writes only the parts whose JSON
//! changed (hashes of what is stored are kept with the working set) and deletes those gone; it
//! runs at most every 250 ms under load (`FLUSH_INTERVAL`). `load_view_at_checkpoint` reads a
//! head, its parts and the checkpoint in one statement.
//!
//! **One bad event never stops other programs' views.** Every event is folded with [`fold_one`],
//! which records an event that does not decode, or whose fold panics (`catch_unwind`), in that
//! program's view as skipped (`ProgramView.unfolded`: position, type and error; the
//! `unfolded_count` column, which `/api/health` counts as `programs_with_unfolded_events`) and
//! goes on. Every read (current views, as-of folds, the view cache) uses the same function, so all
//! paths agree. A compensating event repairs what the skipped one left out; an upcaster plus
//! `throughline rebuild` replaces the skip with the real fold.

use super::Projection;
use anyhow::Context;
use sqlx::{PgConnection, PgExecutor};
use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, RecordedEvent};
use uuid::Uuid;

pub const PROGRAM_VIEWS: &str = "program_views";

/// Views kept in memory between batches; beyond this the working set is flushed and dropped.
const MAX_CACHED: usize = 50_000;

/// Under a sustained load, each changed view is written at most this often (see
/// `Projection::flush_interval`).
const FLUSH_INTERVAL: Duration = Duration::from_millis(250);

/// What the tables hold of one program, as hashes of each part's JSON: a flush writes the parts
/// whose JSON changed and removes those that are gone.
#[derive(Default)]
struct Stored {
    head: u64,
    parts: HashMap<(&'static str, i64), u64>,
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

/// The head of a view: the view without the lists stored as parts.
fn head_json(view: &mut ProgramView) -> serde_json::Result<String> {
    let projects = std::mem::take(&mut view.projects);
    let milestones = std::mem::take(&mut view.milestones);
    let dependencies = std::mem::take(&mut view.dependencies);
    let slips = std::mem::take(&mut view.slips);
    let head = serde_json::to_string(view);
    view.projects = projects;
    view.milestones = milestones;
    view.dependencies = dependencies;
    view.slips = slips;
    head
}

/// Every part of a view with its key: projects, milestones and dependencies by their index in
/// the view's list, recent slips by their log position (a new slip then adds one row and the
/// oldest goes, rather than every index shifting).
fn parts_of(view: &ProgramView) -> serde_json::Result<Vec<(&'static str, i64, String)>> {
    fn indexed<T: serde::Serialize>(
        kind: &'static str,
        items: &[T],
        out: &mut Vec<(&'static str, i64, String)>,
    ) -> serde_json::Result<()> {
        for (i, item) in items.iter().enumerate() {
            out.push((kind, i as i64, serde_json::to_string(item)?));
        }
        Ok(())
    }
    let mut out = Vec::with_capacity(
        view.projects.len() + view.milestones.len() + view.dependencies.len() + view.slips.len(),
    );
    indexed("project", &view.projects, &mut out)?;
    indexed("milestone", &view.milestones, &mut out)?;
    indexed("dependency", &view.dependencies, &mut out)?;
    for slip in &view.slips {
        out.push(("slip", slip.position, serde_json::to_string(slip)?));
    }
    Ok(out)
}

/// Puts a stored part back into its view (parts come in `kind, ord` order).
fn put_part(view: &mut ProgramView, kind: &str, body: &str) -> serde_json::Result<()> {
    match kind {
        "project" => view.projects.push(serde_json::from_str(body)?),
        "milestone" => view.milestones.push(serde_json::from_str(body)?),
        "dependency" => view.dependencies.push(serde_json::from_str(body)?),
        _ => view.slips.push(serde_json::from_str(body)?),
    }
    Ok(())
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
        if let Some(view) = views.get_mut(&ProgramId(id)) {
            put_part(view, &kind, &body)
                .with_context(|| format!("a stored {kind} of program {id} is unreadable"))?;
        }
    }
    Ok(views)
}

/// Every program's head with its projects (all a program list needs: no milestone), and the
/// projection's checkpoint, in the caller's transaction.
pub async fn load_heads(db: &mut PgConnection) -> anyhow::Result<Vec<ProgramView>> {
    let heads: Vec<(Uuid, String)> =
        sqlx::query_as("SELECT program_id, view::text FROM program_views")
            .fetch_all(&mut *db)
            .await?;
    let mut views = HashMap::with_capacity(heads.len());
    for (id, head) in heads {
        let view: ProgramView = serde_json::from_str(&head)
            .with_context(|| format!("stored view of program {id} is unreadable"))?;
        views.insert(id, view);
    }
    let projects: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT program_id, body::text FROM program_view_parts WHERE kind = 'project' \
         ORDER BY program_id, ord",
    )
    .fetch_all(&mut *db)
    .await?;
    for (id, body) in projects {
        if let Some(view) = views.get_mut(&id) {
            put_part(view, "project", &body)
                .with_context(|| format!("a stored project of program {id} is unreadable"))?;
        }
    }
    Ok(views.into_values().collect())
}

/// One program's stored view, with the projection's checkpoint it is consistent with (read in
/// one statement, so in one snapshot).
pub async fn load_view_at_checkpoint(
    db: impl PgExecutor<'_>,
    program_id: ProgramId,
) -> anyhow::Result<(i64, Option<ProgramView>)> {
    let (checkpoint, head, parts): (i64, Option<String>, String) = sqlx::query_as(
        "SELECT coalesce((SELECT position FROM projection_checkpoints WHERE name = $2), 0), \
                (SELECT view::text FROM program_views WHERE program_id = $1), \
                (SELECT coalesce(json_agg(json_build_array(kind, body) ORDER BY kind, ord), '[]')::text \
                   FROM program_view_parts WHERE program_id = $1)",
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
    // `[kind, body]` pairs, the bodies left as raw JSON until their kind is known.
    let parts: Vec<(String, &serde_json::value::RawValue)> =
        serde_json::from_str(&parts).with_context(context)?;
    for (kind, body) in parts {
        put_part(&mut view, &kind, body.get()).with_context(context)?;
    }
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
                parts: parts_of(&view)?
                    .into_iter()
                    .map(|(kind, ord, json)| ((kind, ord), hash_of(&json)))
                    .collect(),
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
    part_ords: Vec<i64>,
    part_bodies: Vec<String>,
    gone_ids: Vec<Uuid>,
    gone_kinds: Vec<&'static str>,
    gone_ords: Vec<i64>,
}

impl Writes {
    /// Queues the parts of one view whose JSON differs from what is stored, and the removal of
    /// stored parts it no longer has.
    fn parts(&mut self, id: Uuid, view: &ProgramView, stored: &mut Stored) -> anyhow::Result<()> {
        let parts = parts_of(view)?;
        let mut present = HashSet::with_capacity(parts.len());
        for (kind, ord, json) in parts {
            present.insert((kind, ord));
            let hash = hash_of(&json);
            if stored.parts.insert((kind, ord), hash) == Some(hash) {
                continue;
            }
            self.part_ids.push(id);
            self.part_kinds.push(kind);
            self.part_ords.push(ord);
            self.part_bodies.push(json);
        }
        if stored.parts.len() > present.len() {
            stored.parts.retain(|key, _| {
                let keep = present.contains(key);
                if !keep {
                    self.gone_ids.push(id);
                    self.gone_kinds.push(key.0);
                    self.gone_ords.push(key.1);
                }
                keep
            });
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
            w.parts(id.0, view, stored)?;
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
                 FROM UNNEST($1::uuid[], $2::text[], $3::int8[], $4::text[]) AS t(id, kind, ord, body) \
                 ON CONFLICT (program_id, kind, ord) DO UPDATE SET body = EXCLUDED.body",
            )
            .bind(&w.part_ids)
            .bind(&w.part_kinds)
            .bind(&w.part_ords)
            .bind(&w.part_bodies)
            .execute(&mut *db)
            .await?;
        }
        if !w.gone_ids.is_empty() {
            sqlx::query(
                "DELETE FROM program_view_parts p \
                 USING UNNEST($1::uuid[], $2::text[], $3::int8[]) AS t(id, kind, ord) \
                 WHERE p.program_id = t.id AND p.kind = t.kind AND p.ord = t.ord",
            )
            .bind(&w.gone_ids)
            .bind(&w.gone_kinds)
            .bind(&w.gone_ords)
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
