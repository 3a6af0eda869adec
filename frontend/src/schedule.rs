//! The program's schedule as the timeline, the dependency table and the milestone panel read it:
//! the live view, its analysis, and lookups by id. Worked out once per change for all of them,
//! and only for changes that touch the schedule: a status report (most live events) leaves the
//! analysis, the layout and every row that shows the schedule as they are.

use std::collections::HashMap;

use chrono::NaiveDate;
use leptos::prelude::*;
use throughline_shared::ProjectId;
use throughline_shared::analysis::{DependencyHealth, ScheduleAnalysis};
use throughline_shared::ids::{CascadeId, DependencyId, MilestoneId, ObjectiveId};
use throughline_shared::project::ProjectStage;
use throughline_shared::view::{DependencyView, MilestoneView, ProgramView, ProjectView};

/// Everything the analysis and the timeline read of a view, in a form that is cheap to compare:
/// a milestone's or the dependency register's version moves with each of their events (a
/// milestone retired leaves the list); of a project, its name, stage and objectives (not its
/// status reports, most of the live events).
#[derive(Clone, Debug, PartialEq)]
struct Stamp {
    program_version: i64,
    dependencies_version: i64,
    dependencies: usize,
    milestones: usize,
    milestone_versions: i64,
    pending_moves: Vec<(CascadeId, MilestoneId, NaiveDate)>,
    projects: Vec<(ProjectId, String, ProjectStage, Vec<ObjectiveId>)>,
}

impl Stamp {
    fn of(view: &ProgramView) -> Self {
        Self {
            program_version: view.version,
            dependencies_version: view.dependencies_version,
            dependencies: view.dependencies.len(),
            milestones: view.milestones.len(),
            milestone_versions: view.milestones.iter().map(|m| m.version).sum(),
            pending_moves: view
                .pending_moves
                .iter()
                .map(|p| (p.cascade_id, p.milestone_id, p.to))
                .collect(),
            projects: view
                .projects
                .iter()
                .map(|p| (p.project_id, p.name.clone(), p.stage, p.objectives.clone()))
                .collect(),
        }
    }
}

/// Where each milestone, dependency and project sits in the view's lists. The lists grow (a
/// retired milestone leaves its list), and a view read again holds them in the same order, so the
/// index is rebuilt only when a list's length changes; every lookup still checks the id, falling
/// back to a scan.
#[derive(Clone, Debug, Default)]
struct Index {
    sizes: (usize, usize, usize),
    milestones: HashMap<MilestoneId, usize>,
    dependencies: HashMap<DependencyId, usize>,
    projects: HashMap<ProjectId, usize>,
}

impl PartialEq for Index {
    fn eq(&self, other: &Self) -> bool {
        self.sizes == other.sizes
    }
}

fn sizes(view: &ProgramView) -> (usize, usize, usize) {
    (
        view.milestones.len(),
        view.dependencies.len(),
        view.projects.len(),
    )
}

#[derive(Clone, Copy)]
pub struct Schedule {
    pub view: RwSignal<Option<ProgramView>>,
    stamp: Memo<Option<Stamp>>,
    /// The view judged on the page's day; recomputed only when the schedule or the day changes.
    pub analysis: Memo<Option<ScheduleAnalysis>>,
    index: Memo<Index>,
}

impl Schedule {
    pub fn new(view: RwSignal<Option<ProgramView>>, today: Memo<NaiveDate>) -> Self {
        let stamp = Memo::new(move |_| view.with(|v| v.as_ref().map(Stamp::of)));
        let analysis = Memo::new(move |_| {
            depend_on(stamp);
            let day = today.get();
            view.with_untracked(|v| v.as_ref().map(|v| v.analyse(day)))
        });
        let grown = Memo::new(move |_| view.with(|v| v.as_ref().map(sizes)));
        let index = Memo::new(move |_| {
            depend_on(grown);
            view.with_untracked(|v| {
                v.as_ref().map_or_else(Index::default, |v| Index {
                    sizes: sizes(v),
                    milestones: ids(&v.milestones, |m| m.milestone_id),
                    dependencies: ids(&v.dependencies, |d| d.dependency_id),
                    projects: ids(&v.projects, |p| p.project_id),
                })
            })
        });
        Self {
            view,
            stamp,
            analysis,
            index,
        }
    }

    /// Reads the view for what the schedule shows: re-runs the caller only when the schedule
    /// changed, not on every event.
    pub fn with<R>(&self, f: impl FnOnce(&ProgramView) -> R) -> Option<R> {
        depend_on(self.stamp);
        self.view.with_untracked(|v| v.as_ref().map(f))
    }

    /// Runs `f` with lookups by id into `view` (the value inside [`Schedule::view`]); untracked.
    pub fn lookup<R>(&self, view: &ProgramView, f: impl FnOnce(&Lookup<'_>) -> R) -> R {
        self.index
            .with_untracked(|index| f(&Lookup { view, index }))
    }
}

/// Subscribes the running computation to `memo`. (`Memo::track` only subscribes: a memo nobody
/// reads is never computed, so it would never see its own sources change.)
fn depend_on<T: PartialEq + Send + Sync + 'static>(memo: Memo<T>) {
    memo.with(|_| ());
}

fn ids<T, K: std::hash::Hash + Eq>(items: &[T], id: impl Fn(&T) -> K) -> HashMap<K, usize> {
    items.iter().enumerate().map(|(i, x)| (id(x), i)).collect()
}

/// Milestones, dependencies and projects of one view by id, in constant time.
pub struct Lookup<'v> {
    view: &'v ProgramView,
    index: &'v Index,
}

impl<'v> Lookup<'v> {
    pub fn milestone(&self, id: MilestoneId) -> Option<&'v MilestoneView> {
        self.index
            .milestones
            .get(&id)
            .and_then(|&i| self.view.milestones.get(i))
            .filter(|m| m.milestone_id == id)
            .or_else(|| self.view.milestone(id))
    }

    pub fn dependency(&self, id: DependencyId) -> Option<&'v DependencyView> {
        self.index
            .dependencies
            .get(&id)
            .and_then(|&i| self.view.dependencies.get(i))
            .filter(|d| d.dependency_id == id)
            .or_else(|| self.view.dependency(id))
    }

    /// A dependency's health in `analysis` (of the same view: its list follows the view's).
    pub fn health<'a>(
        &self,
        analysis: &'a ScheduleAnalysis,
        id: DependencyId,
    ) -> Option<&'a DependencyHealth> {
        self.index
            .dependencies
            .get(&id)
            .and_then(|&i| analysis.dependencies.get(i))
            .filter(|h| h.dependency_id == id)
            .or_else(|| analysis.dependency(id))
    }

    pub fn project(&self, id: ProjectId) -> Option<&'v ProjectView> {
        self.index
            .projects
            .get(&id)
            .and_then(|&i| self.view.projects.get(i))
            .filter(|p| p.project_id == id)
            .or_else(|| self.view.project(id))
    }
}
