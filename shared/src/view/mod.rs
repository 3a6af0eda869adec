//! Read models: pure folds of recorded events into what a program manager looks at.
//!
//! The server keeps these up to date in PostgreSQL (the projection runner) and also folds them
//! from the log up to any past position (`as_of`); the browser folds live events into the same view
//! it loaded. All three use `ProgramView::apply`, so they cannot disagree. `apply` ignores events
//! at or below the view's position, so replays and overlaps are harmless.
//!
//! **Slip impact is recorded with each slip.** When `apply` folds a forecast moving later — a
//! finish, or a deliverable's start on its own — it computes, against the schedule just before,
//! what the slip pushes downstream (`Schedule::impact_of` with a shift per end: FS/FF links follow
//! the provider's finish, SS/SF its start) and which objectives it newly threatens, and keeps it
//! in `ProgramView.slips` (the last [`RECENT_SLIPS`]; an earlier view is an as-of fold away).

use crate::dependency::DependencyState;
use crate::event::{DomainEvent, RecordedEvent};
use crate::ids::{DependencyId, MilestoneId, ObjectiveId, ProgramId, ProjectId};
use crate::milestone::{MilestoneKind, Retirement};
use crate::program::{ProgramEvent, StrategicObjective};
use crate::project::{ProjectEvent, ProjectStage};
use crate::rag::Rag;
use crate::schedule::{DependencyType, Moved};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

mod schedule;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusReport {
    pub rag: Rag,
    pub narrative: String,
    pub reported_at: DateTime<Utc>,
    pub reported_by: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectView {
    pub project_id: ProjectId,
    pub name: String,
    pub manager: String,
    /// The project stream's version: send it back as `expected_version` to detect conflicting edits.
    pub version: i64,
    pub status: Option<StatusReport>,
    /// The report before the current one, so a reader sees the trend (e.g. amber → red).
    pub previous_rag: Option<Rag>,
    pub added_at: DateTime<Utc>,
    /// The program objectives it contributes to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objectives: Vec<ObjectiveId>,
    #[serde(default)]
    pub stage: ProjectStage,
    /// Why it was paused or closed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage_reason: Option<String>,
}

/// A milestone or deliverable with every date a program manager compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MilestoneView {
    pub milestone_id: MilestoneId,
    pub project_id: ProjectId,
    pub name: String,
    pub kind: MilestoneKind,
    pub owner: String,
    pub planned: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_start: Option<NaiveDate>,
    pub forecast: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast_start: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<NaiveDate>,
    /// As last reported (0 until then).
    #[serde(default, skip_serializing_if = "is_zero_percent")]
    pub percent_complete: u8,
    /// A deliverable's actual start, once reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual_start: Option<NaiveDate>,
    /// The milestone stream's version, for `expected_version` on changes.
    pub version: i64,
    /// Where it was imported from (e.g. `Ledger#12`: MS Project file stem # task UID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_ref: Option<String>,
}

/// A dependency between two milestones, with its recorded lifecycle state. Health (at risk, late,
/// met) depends on "today" and is computed by [`crate::analysis`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyView {
    pub dependency_id: DependencyId,
    pub provider: MilestoneId,
    pub provider_project: ProjectId,
    pub consumer: MilestoneId,
    pub consumer_project: ProjectId,
    pub kind: DependencyType,
    pub lag_days: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub need_by: Option<NaiveDate>,
    pub provider_owner: String,
    pub consumer_owner: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub state: DependencyState,
    pub proposed_at: DateTime<Utc>,
    /// Why it was broken or cancelled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_reason: Option<String>,
    /// How many events are about this dependency: send it back as `expected_version` when
    /// revising it (views stored before it was counted read 0, and are rebuilt).
    #[serde(default)]
    pub version: i64,
}

/// A milestone that left the plan: cancelled, or removed as entered by mistake. Gone from the
/// schedule and its analysis; kept here so the record still names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RetiredMilestone {
    pub milestone_id: MilestoneId,
    pub project_id: ProjectId,
    pub name: String,
    pub kind: MilestoneKind,
    pub owner: String,
    /// Its forecast when it left.
    pub forecast: NaiveDate,
    pub how: Retirement,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
    pub by: String,
    pub position: i64,
}

/// An event of this program that could not be folded (its payload did not decode, or folding it
/// failed). The view goes on with the events after it, so one bad event never freezes a program,
/// and says which it skipped: a compensating event, or an upcaster and a rebuild, repairs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnfoldedEvent {
    pub position: i64,
    pub event_type: String,
    pub error: String,
}

/// How many skipped events a view names; the count goes on past it.
pub const UNFOLDED_KEPT: usize = 20;

/// A forecast that moved later, with the downstream impact computed when it was recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlipRecord {
    pub position: i64,
    pub recorded_at: DateTime<Utc>,
    pub actor: String,
    pub milestone_id: MilestoneId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Everything the slip pushes downstream (the slipped milestone itself excluded).
    pub moved: Vec<Moved>,
    /// Objectives whose target date the slip (with what it pushes) now misses.
    pub threatened_objectives: Vec<ObjectiveId>,
}

/// A move a slip pushed onto a milestone, proposed to its owner and not answered yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingMove {
    pub cascade_id: crate::ids::CascadeId,
    pub milestone_id: MilestoneId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The milestone whose slip pushes it.
    pub slipped: String,
}

/// How many slips a view keeps: the recent history a program manager reviews. Older ones remain in
/// the log, and a view as of an earlier moment shows the slips recent then.
pub const RECENT_SLIPS: usize = 50;

fn is_zero_percent(n: &u8) -> bool {
    *n == 0
}

impl MilestoneView {
    /// Forecast minus baseline in days (positive: late against the agreed plan).
    pub fn variance_days(&self) -> Option<i64> {
        self.baseline.map(|b| (self.forecast - b).num_days())
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramView {
    pub program_id: ProgramId,
    pub name: String,
    pub description: String,
    pub sponsor: String,
    pub objectives: Vec<StrategicObjective>,
    pub projects: Vec<ProjectView>,
    /// Views stored before milestones existed have none.
    #[serde(default)]
    pub milestones: Vec<MilestoneView>,
    #[serde(default)]
    pub dependencies: Vec<DependencyView>,
    /// The dependency register's stream version (for `expected_version` on dependency changes).
    #[serde(default)]
    pub dependencies_version: i64,
    /// Recent slips with their impact, oldest first.
    #[serde(default)]
    pub slips: Vec<SlipRecord>,
    // After the lists the view cache encodes apart (`view_cache::encoding::split_head` finds
    // `dependencies_version` and `slips` right after them).
    /// Milestones cancelled or removed, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_milestones: Vec<RetiredMilestone>,
    /// Moves proposed to their owners after a slip and not answered yet (see `cascade`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pending_moves: Vec<PendingMove>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<crate::scope::ProgramPhase>,
    #[serde(default)]
    pub scope: Vec<crate::scope::ScopeItem>,
    /// The program stream's version (for `expected_version` on edits).
    pub version: i64,
    pub created_at: Option<DateTime<Utc>>,
    pub created_by: Option<String>,
    pub updated_at: Option<DateTime<Utc>>,
    /// The global log position this view reflects: every event up to here has been folded in.
    pub position: i64,
    /// Events of this program the fold had to skip (the first [`UNFOLDED_KEPT`]); empty when
    /// the whole history folded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unfolded: Vec<UnfoldedEvent>,
    /// How many events were skipped in all.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unfolded_count: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl ProgramView {
    pub fn new(program_id: ProgramId) -> Self {
        Self {
            program_id,
            name: String::new(),
            description: String::new(),
            sponsor: String::new(),
            objectives: Vec::new(),
            projects: Vec::new(),
            milestones: Vec::new(),
            dependencies: Vec::new(),
            retired_milestones: Vec::new(),
            pending_moves: Vec::new(),
            dependencies_version: 0,
            slips: Vec::new(),
            phase: None,
            scope: Vec::new(),
            version: 0,
            created_at: None,
            created_by: None,
            updated_at: None,
            position: 0,
            unfolded: Vec::new(),
            unfolded_count: 0,
        }
    }

    /// True once the program's creation has been folded in (an `as_of` before it sees nothing).
    pub fn exists(&self) -> bool {
        self.created_at.is_some()
    }

    /// Records that `recorded` could not be folded, and moves past it. Safe to call for an event
    /// whose `apply` failed half-way (its position may already be taken) and for a replay.
    pub fn skip_unfoldable(&mut self, recorded: &RecordedEvent, error: &str) {
        if recorded.program_id != Some(self.program_id)
            || recorded.position < self.position
            || self
                .unfolded
                .iter()
                .any(|u| u.position == recorded.position)
        {
            return;
        }
        self.position = recorded.position;
        self.unfolded_count = self.unfolded_count.saturating_add(1);
        if self.unfolded.len() < UNFOLDED_KEPT {
            self.unfolded.push(UnfoldedEvent {
                position: recorded.position,
                event_type: recorded.event_type.clone(),
                error: error.chars().take(500).collect(),
            });
        }
    }

    /// Fold one event in. Events of other programs, and events already folded in, are ignored,
    /// which makes applying a replayed or overlapping batch harmless.
    pub fn apply(&mut self, recorded: &RecordedEvent, event: &DomainEvent) {
        if recorded.program_id != Some(self.program_id) || recorded.position <= self.position {
            return;
        }
        self.position = recorded.position;
        self.updated_at = Some(recorded.recorded_at);
        match event {
            DomainEvent::Program(event) => {
                self.version = recorded.version;
                match event {
                    ProgramEvent::ProgramCreated {
                        name,
                        description,
                        sponsor,
                        objectives,
                        ..
                    } => {
                        self.name = name.clone();
                        self.description = description.clone();
                        self.sponsor = sponsor.clone();
                        self.objectives = objectives.clone();
                        self.created_at = Some(recorded.recorded_at);
                        self.created_by = Some(recorded.metadata.actor.clone());
                    }
                    ProgramEvent::ProgramRenamed { to, .. } => self.name = to.clone(),
                    ProgramEvent::ProgramDescriptionChanged { description, .. } => {
                        self.description = description.clone()
                    }
                    ProgramEvent::ProgramSponsorChanged { to, .. } => self.sponsor = to.clone(),
                    // Membership is served by the access read model; the view only moves its
                    // version, which edits are checked against.
                    ProgramEvent::ProgramRoleGranted { .. }
                    | ProgramEvent::ProgramRoleRevoked { .. } => {}
                    ProgramEvent::ProgramPhaseChanged { to, .. } => self.phase = Some(*to),
                    ProgramEvent::ScopeItemRecorded { .. }
                    | ProgramEvent::ScopeItemRevised { .. } => {
                        crate::scope::apply_scope(&mut self.scope, event)
                    }
                    // Retired objectives leave the view: their contributors' links to them are
                    // ignored by every analysis, which only walks the objectives listed here.
                    ProgramEvent::ObjectiveAdded { .. }
                    | ProgramEvent::ObjectiveRevised { .. }
                    | ProgramEvent::ObjectiveRetired { .. } => crate::objective::apply_objective(
                        &mut self.objectives,
                        &mut Vec::new(),
                        &mut Default::default(),
                        event,
                    ),
                }
            }
            // Governance has its own view (`governance::view`).
            DomainEvent::User(_)
            | DomainEvent::Charter(_)
            | DomainEvent::Decision(_)
            | DomainEvent::Escalation(_)
            | DomainEvent::Session(_)
            | DomainEvent::Risk(_)
            | DomainEvent::Issue(_)
            | DomainEvent::Assumption(_)
            | DomainEvent::RaidSettings(_)
            | DomainEvent::Briefing(_) => {}
            DomainEvent::Cascade(event) => self.apply_cascade(event),
            DomainEvent::Milestone(event) => self.apply_milestone(recorded, event),
            DomainEvent::Dependency(event) => self.apply_dependency(recorded, event),
            DomainEvent::Project(event) => match event {
                ProjectEvent::ProjectAdded {
                    project_id,
                    name,
                    manager,
                    objectives,
                    ..
                } => self.projects.push(ProjectView {
                    project_id: *project_id,
                    name: name.clone(),
                    manager: manager.clone(),
                    version: recorded.version,
                    status: None,
                    previous_rag: None,
                    added_at: recorded.recorded_at,
                    objectives: objectives.clone(),
                    stage: ProjectStage::Active,
                    stage_reason: None,
                }),
                ProjectEvent::ProjectObjectivesChanged {
                    project_id,
                    objectives,
                    ..
                } => {
                    if let Some(project) = self.project_mut(*project_id) {
                        project.version = recorded.version;
                        project.objectives = objectives.clone();
                    }
                }
                ProjectEvent::ProjectRenamed { to, .. }
                | ProjectEvent::ProjectManagerChanged { to, .. } => {
                    if let Some(project) = self.project_mut(event.project_id()) {
                        project.version = recorded.version;
                        match event {
                            ProjectEvent::ProjectRenamed { .. } => project.name = to.clone(),
                            _ => project.manager = to.clone(),
                        }
                    }
                }
                ProjectEvent::ProjectPaused { .. }
                | ProjectEvent::ProjectResumed { .. }
                | ProjectEvent::ProjectClosed { .. } => {
                    if let Some(project) = self.project_mut(event.project_id()) {
                        project.version = recorded.version;
                        project.stage = match event {
                            ProjectEvent::ProjectPaused { .. } => ProjectStage::Paused,
                            ProjectEvent::ProjectClosed { .. } => ProjectStage::Closed,
                            _ => ProjectStage::Active,
                        };
                        project.stage_reason = recorded.metadata.reason.clone();
                    }
                }
                ProjectEvent::ProjectStatusReported {
                    project_id,
                    rag,
                    narrative,
                    ..
                } => {
                    if let Some(project) = self.project_mut(*project_id) {
                        project.version = recorded.version;
                        project.previous_rag = project.status.as_ref().map(|s| s.rag);
                        project.status = Some(StatusReport {
                            rag: *rag,
                            narrative: narrative.clone(),
                            reported_at: recorded.recorded_at,
                            reported_by: recorded.metadata.actor.clone(),
                        });
                    }
                }
            },
        }
    }

    pub fn project(&self, id: ProjectId) -> Option<&ProjectView> {
        self.projects.iter().find(|p| p.project_id == id)
    }

    fn project_mut(&mut self, id: ProjectId) -> Option<&mut ProjectView> {
        self.projects.iter_mut().find(|p| p.project_id == id)
    }

    pub fn rag_counts(&self) -> RagCounts {
        let mut counts = RagCounts::default();
        // A closed project's last report is history, not the program's health.
        for p in self
            .projects
            .iter()
            .filter(|p| p.stage != ProjectStage::Closed)
        {
            match p.status.as_ref().map(|s| s.rag) {
                Some(Rag::Green) => counts.green += 1,
                Some(Rag::Amber) => counts.amber += 1,
                Some(Rag::Red) => counts.red += 1,
                None => counts.unreported += 1,
            }
        }
        counts
    }

    /// The program's health rolled up from its projects: the worst reported status.
    pub fn rollup_rag(&self) -> Option<Rag> {
        self.projects
            .iter()
            .filter(|p| p.stage != ProjectStage::Closed)
            .filter_map(|p| p.status.as_ref().map(|s| s.rag))
            .max()
    }

    pub fn summary(&self) -> ProgramSummary {
        ProgramSummary {
            program_id: self.program_id,
            name: self.name.clone(),
            sponsor: self.sponsor.clone(),
            project_count: self.projects.len(),
            rag_counts: self.rag_counts(),
            rollup_rag: self.rollup_rag(),
            updated_at: self.updated_at,
            position: self.position,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RagCounts {
    pub green: usize,
    pub amber: usize,
    pub red: usize,
    pub unreported: usize,
}

/// One row of the program list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgramSummary {
    pub program_id: ProgramId,
    pub name: String,
    pub sponsor: String,
    pub project_count: usize,
    pub rag_counts: RagCounts,
    pub rollup_rag: Option<Rag>,
    pub updated_at: Option<DateTime<Utc>>,
    pub position: i64,
}

#[cfg(test)]
mod tests;
