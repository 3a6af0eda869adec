//! The schedule's part of the program view: milestones and dependencies, and the slips recorded
//! as forecasts move.

use super::{
    DependencyView, MilestoneView, PendingMove, ProgramView, RECENT_SLIPS, RetiredMilestone,
    SlipRecord,
};
use crate::cascade::CascadeEvent;
use crate::date::days_between;
use crate::dependency::{DependencyEvent, DependencyState};
use crate::event::RecordedEvent;
use crate::ids::{DependencyId, MilestoneId};
use crate::milestone::{MilestoneEvent, MilestoneKind, Retirement};
use crate::schedule::Shift;

impl ProgramView {
    pub(super) fn apply_dependency(&mut self, recorded: &RecordedEvent, event: &DependencyEvent) {
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
                version: 1,
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
        dependency.version = dependency.version.saturating_add(1);
        match event {
            DependencyEvent::DependencyProposed { .. } => {}
            DependencyEvent::DependencyAgreed { .. } => dependency.state = DependencyState::Agreed,
            DependencyEvent::DependencyNeedByChanged { to, .. } => dependency.need_by = *to,
            DependencyEvent::DependencyTermsChanged { to, .. } => {
                dependency.kind = to.kind;
                dependency.lag_days = to.lag_days;
                dependency.state = dependency.state.after_terms_changed();
            }
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

    /// Proposed moves are pending until their owner answers.
    pub(super) fn apply_cascade(&mut self, event: &CascadeEvent) {
        match event {
            CascadeEvent::CascadeProposed {
                cascade_id,
                slip,
                parts,
                ..
            } => {
                // Bounded like the cascade itself, whatever a log holds.
                for part in parts.iter().take(crate::cascade::PARTS_MAX) {
                    self.pending_moves.push(PendingMove {
                        cascade_id: *cascade_id,
                        milestone_id: part.milestone_id,
                        from: part.from,
                        to: part.to,
                        slipped: slip.name.clone(),
                    });
                }
            }
            CascadeEvent::CascadePartAccepted {
                cascade_id,
                milestone_id,
                ..
            }
            | CascadeEvent::CascadePartCountered {
                cascade_id,
                milestone_id,
                ..
            }
            | CascadeEvent::CascadePartDeclined {
                cascade_id,
                milestone_id,
                ..
            } => self
                .pending_moves
                .retain(|p| !(p.cascade_id == *cascade_id && p.milestone_id == *milestone_id)),
        }
    }

    pub(super) fn apply_milestone(&mut self, recorded: &RecordedEvent, event: &MilestoneEvent) {
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
                percent_complete: 0,
                actual_start: None,
            });
            return;
        }
        let id = event.milestone_id();
        if let MilestoneEvent::MilestoneCancelled { .. } | MilestoneEvent::MilestoneRemoved { .. } =
            event
        {
            self.retire(recorded, event);
            return;
        }
        if let MilestoneEvent::MilestoneMoved { project_id, .. } = event {
            for d in &mut self.dependencies {
                if d.provider == id {
                    d.provider_project = *project_id;
                }
                if d.consumer == id {
                    d.consumer_project = *project_id;
                }
            }
        }
        let Some(milestone) = self.milestones.iter_mut().find(|m| m.milestone_id == id) else {
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
            MilestoneEvent::MilestoneProgressReported {
                percent_complete,
                actual_start,
                ..
            } => {
                milestone.percent_complete = (*percent_complete).min(100);
                if actual_start.is_some() {
                    milestone.actual_start = *actual_start;
                }
            }
            MilestoneEvent::MilestoneRenamed { to, .. } => milestone.name = to.clone(),
            MilestoneEvent::MilestoneOwnerChanged { to, .. } => milestone.owner = to.clone(),
            MilestoneEvent::MilestoneKindChanged { to, start, .. } => {
                milestone.kind = *to;
                milestone.forecast_start = *start;
                // A point in time has no planned start either; a new deliverable's plan starts
                // where it was first given a start.
                milestone.planned_start = match to {
                    MilestoneKind::Milestone => None,
                    MilestoneKind::Deliverable => milestone.planned_start.or(*start),
                };
                if *to == MilestoneKind::Milestone {
                    milestone.actual_start = None;
                }
            }
            MilestoneEvent::MilestoneMoved { project_id, .. } => milestone.project_id = *project_id,
            MilestoneEvent::MilestoneCancelled { .. } | MilestoneEvent::MilestoneRemoved { .. } => {
            }
        }
    }

    /// Takes a cancelled or removed milestone out of the plan, into `retired_milestones`. Its
    /// dependencies were let go of in the same append (the register's events).
    fn retire(&mut self, recorded: &RecordedEvent, event: &MilestoneEvent) {
        let id = event.milestone_id();
        let Some(at) = self.milestones.iter().position(|m| m.milestone_id == id) else {
            return;
        };
        let milestone = self.milestones.remove(at);
        // Out of the plan: nothing is left to move.
        self.pending_moves.retain(|p| p.milestone_id != id);
        self.retired_milestones.push(RetiredMilestone {
            milestone_id: id,
            project_id: milestone.project_id,
            name: milestone.name,
            kind: milestone.kind,
            owner: milestone.owner,
            forecast: milestone.forecast,
            how: match event {
                MilestoneEvent::MilestoneRemoved { .. } => Retirement::Removed,
                _ => Retirement::Cancelled,
            },
            reason: recorded.metadata.reason.clone(),
            at: recorded.recorded_at,
            by: recorded.metadata.actor.clone(),
            position: recorded.position,
        });
    }

    /// A milestone's name, also once it left the plan.
    pub fn milestone_name(&self, id: MilestoneId) -> Option<&str> {
        self.milestone(id).map(|m| m.name.as_str()).or_else(|| {
            self.retired_milestones
                .iter()
                .find(|m| m.milestone_id == id)
                .map(|m| m.name.as_str())
        })
    }

    pub fn milestone(&self, id: MilestoneId) -> Option<&MilestoneView> {
        self.milestones.iter().find(|m| m.milestone_id == id)
    }
}
