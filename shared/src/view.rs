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

use crate::date::days_between;
use crate::dependency::{DependencyEvent, DependencyState};
use crate::event::{DomainEvent, RecordedEvent};
use crate::ids::{DependencyId, MilestoneId, ObjectiveId, ProgramId, ProjectId};
use crate::milestone::{MilestoneEvent, MilestoneKind};
use crate::program::{ProgramEvent, StrategicObjective};
use crate::project::ProjectEvent;
use crate::rag::Rag;
use crate::schedule::{DependencyType, Moved, Shift};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

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

/// How many slips a view keeps: the recent history a program manager reviews. Older ones remain in
/// the log, and a view as of an earlier moment shows the slips recent then.
pub const RECENT_SLIPS: usize = 50;

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
            | DomainEvent::RaidSettings(_) => {}
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

    fn apply_dependency(&mut self, recorded: &RecordedEvent, event: &DependencyEvent) {
        self.dependencies_version = recorded.version;
        if let DependencyEvent::DependencyProposed {
            dependency_id,
            provider,
            provider_project,
            consumer,
            consumer_project,
            kind,
            lag_days,
            need_by,
            provider_owner,
            consumer_owner,
            description,
            ..
        } = event
        {
            self.dependencies.push(DependencyView {
                dependency_id: *dependency_id,
                provider: *provider,
                provider_project: *provider_project,
                consumer: *consumer,
                consumer_project: *consumer_project,
                kind: *kind,
                lag_days: *lag_days,
                need_by: *need_by,
                provider_owner: provider_owner.clone(),
                consumer_owner: consumer_owner.clone(),
                description: description.clone(),
                state: DependencyState::Proposed,
                proposed_at: recorded.recorded_at,
                closed_reason: None,
            });
            return;
        }
        let Some(dependency) = self
            .dependencies
            .iter_mut()
            .find(|d| d.dependency_id == event.dependency_id())
        else {
            return;
        };
        match event {
            DependencyEvent::DependencyProposed { .. } => {}
            DependencyEvent::DependencyAgreed { .. } => dependency.state = DependencyState::Agreed,
            DependencyEvent::DependencyNeedByChanged { to, .. } => dependency.need_by = *to,
            DependencyEvent::DependencyBroken { .. } => {
                dependency.state = DependencyState::Broken;
                dependency.closed_reason = recorded.metadata.reason.clone();
            }
            DependencyEvent::DependencyCancelled { .. } => {
                dependency.state = DependencyState::Cancelled;
                dependency.closed_reason = recorded.metadata.reason.clone();
            }
        }
    }

    pub fn dependency(&self, id: DependencyId) -> Option<&DependencyView> {
        self.dependencies.iter().find(|d| d.dependency_id == id)
    }

    fn apply_milestone(&mut self, recorded: &RecordedEvent, event: &MilestoneEvent) {
        let version = recorded.version;
        if let MilestoneEvent::MilestoneForecastChanged {
            milestone_id,
            from,
            to,
            start,
            ..
        } = event
        {
            // A deliverable's start may move on its own: a later start is a slip too (it pushes
            // whatever hangs on the start), even when the finish holds.
            let old_start = self.milestone(*milestone_id).and_then(|m| m.forecast_start);
            let shift = Shift {
                start: match (old_start, start) {
                    (Some(old), Some(new)) => days_between(old, *new),
                    // A deliverable's start held.
                    (Some(_), None) => 0,
                    // A milestone: one date.
                    (None, _) => days_between(*from, *to),
                },
                finish: days_between(*from, *to),
            };
            if shift.start > 0 || shift.finish > 0 {
                // Judged against the schedule just before the slip, so "what moved" is what
                // this change moved.
                let (moved, threatened_objectives) = self.slip_impact(*milestone_id, shift);
                self.slips.push(SlipRecord {
                    position: recorded.position,
                    recorded_at: recorded.recorded_at,
                    actor: recorded.metadata.actor.clone(),
                    milestone_id: *milestone_id,
                    from: *from,
                    to: *to,
                    moved,
                    threatened_objectives,
                });
                if self.slips.len() > RECENT_SLIPS {
                    self.slips.remove(0);
                }
            }
        }
        if let MilestoneEvent::MilestoneAdded {
            milestone_id,
            project_id,
            name,
            kind,
            owner,
            planned_start,
            planned,
            external_ref,
            ..
        } = event
        {
            self.milestones.push(MilestoneView {
                external_ref: external_ref.clone(),
                milestone_id: *milestone_id,
                project_id: *project_id,
                name: name.clone(),
                kind: *kind,
                owner: owner.clone(),
                planned: *planned,
                planned_start: *planned_start,
                forecast: *planned,
                forecast_start: *planned_start,
                baseline: None,
                actual: None,
                version,
            });
            return;
        }
        let Some(milestone) = self
            .milestones
            .iter_mut()
            .find(|m| m.milestone_id == event.milestone_id())
        else {
            return;
        };
        milestone.version = version;
        match event {
            MilestoneEvent::MilestoneAdded { .. } => {}
            MilestoneEvent::MilestoneForecastChanged { to, start, .. } => {
                milestone.forecast = *to;
                if start.is_some() {
                    milestone.forecast_start = *start;
                }
            }
            MilestoneEvent::MilestoneBaselined { baseline, .. } => {
                milestone.baseline = Some(*baseline)
            }
            MilestoneEvent::MilestoneRebaselined { to, .. } => milestone.baseline = Some(*to),
            MilestoneEvent::MilestoneMet { actual, .. } => milestone.actual = Some(*actual),
            MilestoneEvent::MilestoneRenamed { to, .. } => milestone.name = to.clone(),
            MilestoneEvent::MilestoneOwnerChanged { to, .. } => milestone.owner = to.clone(),
        }
    }

    pub fn milestone(&self, id: MilestoneId) -> Option<&MilestoneView> {
        self.milestones.iter().find(|m| m.milestone_id == id)
    }

    pub fn project(&self, id: ProjectId) -> Option<&ProjectView> {
        self.projects.iter().find(|p| p.project_id == id)
    }

    fn project_mut(&mut self, id: ProjectId) -> Option<&mut ProjectView> {
        self.projects.iter_mut().find(|p| p.project_id == id)
    }

    pub fn rag_counts(&self) -> RagCounts {
        let mut counts = RagCounts::default();
        for p in &self.projects {
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
mod tests {
    use super::*;
    use uuid::Uuid;

    fn pid() -> ProgramId {
        ProgramId::from_uuid(Uuid::from_u128(1))
    }
    fn prj() -> ProjectId {
        ProjectId::from_uuid(Uuid::from_u128(2))
    }

    use crate::event::recorded as record;

    fn history() -> Vec<RecordedEvent> {
        vec![
            record(
                1,
                1,
                pid().0,
                ProgramEvent::ProgramCreated {
                    program_id: pid(),
                    name: "Payments".into(),
                    description: "".into(),
                    sponsor: "Dana".into(),
                    objectives: vec![],
                },
            ),
            record(
                2,
                1,
                prj().0,
                ProjectEvent::ProjectAdded {
                    project_id: prj(),
                    program_id: pid(),
                    name: "Gateway".into(),
                    manager: "Lee".into(),
                    objectives: vec![],
                },
            ),
            record(
                3,
                2,
                prj().0,
                ProjectEvent::ProjectStatusReported {
                    project_id: prj(),
                    program_id: pid(),
                    rag: Rag::Amber,
                    narrative: "Vendor late".into(),
                },
            ),
            record(
                4,
                3,
                prj().0,
                ProjectEvent::ProjectStatusReported {
                    project_id: prj(),
                    program_id: pid(),
                    rag: Rag::Red,
                    narrative: "Vendor later".into(),
                },
            ),
        ]
    }

    fn fold(events: &[RecordedEvent]) -> ProgramView {
        let mut view = ProgramView::new(pid());
        for e in events {
            view.apply(e, &e.decode().unwrap());
        }
        view
    }

    #[test]
    fn folds_program_projects_and_status_trend() {
        let view = fold(&history());
        assert!(view.exists());
        assert_eq!(view.position, 4);
        assert_eq!(view.version, 1);
        let project = view.project(prj()).unwrap();
        assert_eq!(project.version, 3);
        assert_eq!(project.previous_rag, Some(Rag::Amber));
        let status = project.status.as_ref().unwrap();
        assert_eq!(
            (status.rag, status.reported_by.as_str()),
            (Rag::Red, "user4")
        );
        assert_eq!(view.rollup_rag(), Some(Rag::Red));
        assert_eq!(view.summary().rag_counts.red, 1);
    }

    #[test]
    fn replayed_and_foreign_events_change_nothing() {
        let events = history();
        let once = fold(&events);
        let mut twice = events.clone();
        twice.extend(events.iter().cloned());
        let mut foreign = events[2].clone();
        foreign.position = 99;
        foreign.program_id = Some(ProgramId::from_uuid(Uuid::from_u128(9)));
        twice.push(foreign);
        assert_eq!(fold(&twice), once);
    }

    #[test]
    fn a_prefix_of_the_log_is_the_past_view() {
        let events = history();
        let past = fold(&events[..3]);
        assert_eq!(past.position, 3);
        let status = past.project(prj()).unwrap().status.as_ref().unwrap();
        assert_eq!(status.rag, Rag::Amber);
        assert!(!fold(&[]).exists());
    }

    /// Given a deliverable and a consumer hanging on its start (SS), when only the start moves
    /// later, then a slip is recorded and pushes the consumer; when only the finish moves, the
    /// SS consumer stays put.
    #[test]
    fn a_deliverables_start_slip_is_recorded_and_a_finish_slip_leaves_start_consumers_alone() {
        use crate::dependency::DependencyEvent;
        use crate::milestone::{MilestoneEvent, MilestoneKind};
        use crate::schedule::DependencyType;
        let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
        let (program_id, project_id) = (pid(), prj());
        let build = MilestoneId::from_uuid(Uuid::from_u128(21));
        let test = MilestoneId::from_uuid(Uuid::from_u128(22));
        let mut events = history();
        let mut next = events.len() as i64;
        let mut push = |events: &mut Vec<RecordedEvent>, stream: Uuid, version, e: DomainEvent| {
            next += 1;
            events.push(match e {
                DomainEvent::Milestone(e) => record(next, version, stream, e),
                DomainEvent::Dependency(e) => record(next, version, stream, e),
                _ => return,
            });
        };
        for (id, start, finish) in [
            (build, day(3, 1), day(3, 31)),
            (test, day(3, 1), day(4, 30)),
        ] {
            push(
                &mut events,
                id.0,
                1,
                DomainEvent::Milestone(MilestoneEvent::MilestoneAdded {
                    milestone_id: id,
                    program_id,
                    project_id,
                    name: format!("{id}"),
                    kind: MilestoneKind::Deliverable,
                    owner: "Lee".into(),
                    planned_start: Some(start),
                    planned: finish,
                    external_ref: None,
                }),
            );
        }
        push(
            &mut events,
            Uuid::from_u128(30),
            1,
            DomainEvent::Dependency(DependencyEvent::DependencyProposed {
                dependency_id: crate::ids::DependencyId::from_uuid(Uuid::from_u128(31)),
                program_id,
                provider: build,
                provider_project: project_id,
                provider_name: "Build".into(),
                consumer: test,
                consumer_project: project_id,
                consumer_name: "Test".into(),
                kind: DependencyType::StartToStart,
                lag_days: 0,
                need_by: None,
                provider_owner: "Lee".into(),
                consumer_owner: "Kim".into(),
                description: String::new(),
            }),
        );
        // The finish moves a week, the start holds: the SS consumer does not move.
        push(
            &mut events,
            build.0,
            2,
            DomainEvent::Milestone(MilestoneEvent::MilestoneForecastChanged {
                milestone_id: build,
                program_id,
                project_id,
                from: day(3, 31),
                to: day(4, 7),
                start: None,
            }),
        );
        let view = fold(&events);
        let slip = view.slips.last().unwrap();
        assert_eq!(slip.milestone_id, build);
        assert!(slip.moved.is_empty(), "{:?}", slip.moved);
        // The start moves five days, the finish holds: a slip, pushing the consumer five days.
        push(
            &mut events,
            build.0,
            3,
            DomainEvent::Milestone(MilestoneEvent::MilestoneForecastChanged {
                milestone_id: build,
                program_id,
                project_id,
                from: day(4, 7),
                to: day(4, 7),
                start: Some(day(3, 6)),
            }),
        );
        let view = fold(&events);
        assert_eq!(view.slips.len(), 2);
        let slip = view.slips.last().unwrap();
        assert_eq!(
            slip.moved
                .iter()
                .map(|m| (m.milestone, m.days))
                .collect::<Vec<_>>(),
            vec![(test, 5)]
        );
    }

    #[test]
    fn folds_milestone_dates_and_reads_views_stored_before_milestones() {
        use crate::milestone::{MilestoneEvent, MilestoneKind};
        let milestone = MilestoneId::from_uuid(Uuid::from_u128(9));
        let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
        let (program_id, project_id, milestone_id) = (pid(), prj(), milestone);
        let mut events = history();
        let next = events.len() as i64;
        for (k, e) in [
            MilestoneEvent::MilestoneAdded {
                milestone_id,
                program_id,
                project_id,
                name: "Cut-over".into(),
                kind: MilestoneKind::Milestone,
                owner: "Lee".into(),
                planned_start: None,
                planned: day(6, 30),
                external_ref: None,
            },
            MilestoneEvent::MilestoneBaselined {
                milestone_id,
                program_id,
                project_id,
                baseline: day(6, 30),
            },
            MilestoneEvent::MilestoneForecastChanged {
                milestone_id,
                program_id,
                project_id,
                from: day(6, 30),
                to: day(7, 21),
                start: None,
            },
        ]
        .into_iter()
        .enumerate()
        {
            events.push(record(next + 1 + k as i64, k as i64 + 1, milestone.0, e));
        }
        let view = fold(&events);
        let m = view.milestone(milestone).unwrap();
        assert_eq!(
            (m.planned, m.baseline, m.forecast),
            (day(6, 30), Some(day(6, 30)), day(7, 21))
        );
        assert_eq!((m.variance_days(), m.version), (Some(21), 3));
        // A view as the projection stored it before milestones existed still reads.
        let mut stored = serde_json::to_value(fold(&history())).unwrap();
        stored.as_object_mut().unwrap().remove("milestones");
        let old: ProgramView = serde_json::from_value(stored).unwrap();
        assert!(old.milestones.is_empty());
    }
}
