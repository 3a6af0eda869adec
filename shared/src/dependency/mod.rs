//! The dependency register of one program: every dependency between its milestones and
//! deliverables, provider → consumer.
//!
//! All of a program's dependencies live in one stream, so every structural change is decided
//! against the whole graph and appended with the version it saw: two people adding dependencies
//! at the same moment can never together close a cycle that neither alone would (the second append
//! fails on the version and is decided again, against the graph that now holds the first). The
//! register's stream (type `dependency_register`) has the id [`register_stream_id`]:
//! `UUIDv5(program id, "dependency-register")`. A proposal that would close a cycle is refused
//! naming it (`422 dependency_cycle`, `details.cycle`); the API tests race four proposals to close
//! a ring of four milestones and see exactly one refused.
//!
//! Recorded lifecycle: `DependencyProposed` (provider → consumer, FS/SS/FF/SF, lag, need-by,
//! owners) → `DependencyAgreed`, `DependencyNeedByChanged`, `DependencyTermsChanged` (type and
//! lag, from → to; an agreed dependency whose terms change is proposed again, for the provider to
//! agree to them), or `DependencyBroken` / `DependencyCancelled` (reasons in the metadata; also
//! appended when a milestone at either end is cancelled or removed, see
//! [`DependencyRegister::release`]). Each dependency counts its own events (`version`), so an edit
//! of one is checked against what its editor saw without conflicting with edits of the others. Who may: `ManageDependency{provider,
//! consumer}` (program manager, contributor, the manager of either project); agreeing is the
//! provider's side (`ChangeSchedule(provider project)`). "At risk", "late"
//! and "met" are not recorded: they follow from the dates and are computed by the analysis
//! (`crate::analysis`) as of any instant.

use crate::error::{DomainError, PERSON_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{DependencyId, MilestoneId, ProgramId, ProjectId};
use crate::milestone::Retirement;
use crate::schedule::{DependencyType, path_between};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// The stream holding a program's dependency register: derived from the program id, so it needs
/// no lookup and every instance agrees on it.
pub fn register_stream_id(program_id: ProgramId) -> Uuid {
    Uuid::new_v5(&program_id.0, b"dependency-register")
}

/// Lags beyond ten years are typing mistakes, not plans.
pub const LAG_DAYS_MAX: i32 = 3650;

/// Facts about a program's dependencies. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DependencyEvent {
    DependencyProposed {
        dependency_id: DependencyId,
        program_id: ProgramId,
        provider: MilestoneId,
        provider_project: ProjectId,
        /// The milestone's name when the dependency was proposed, so the record reads on its own.
        provider_name: String,
        consumer: MilestoneId,
        consumer_project: ProjectId,
        consumer_name: String,
        kind: DependencyType,
        lag_days: i32,
        /// When the consumer needs it; absent: the consumer's own forecast at its constrained end.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        need_by: Option<NaiveDate>,
        /// Who answers for delivering, and for receiving.
        provider_owner: String,
        consumer_owner: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        description: String,
    },
    /// The provider's side committed to it.
    DependencyAgreed {
        dependency_id: DependencyId,
        program_id: ProgramId,
    },
    DependencyNeedByChanged {
        dependency_id: DependencyId,
        program_id: ProgramId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        from: Option<NaiveDate>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<NaiveDate>,
    },
    /// Its type or lag changed.
    #[cfg_attr(
        not(any(test, feature = "plan-edit-events")),
        serde(skip_deserializing)
    )]
    DependencyTermsChanged {
        dependency_id: DependencyId,
        program_id: ProgramId,
        from: DependencyTerms,
        to: DependencyTerms,
    },
    /// The provider will not deliver it (the reason is in the event's metadata).
    DependencyBroken {
        dependency_id: DependencyId,
        program_id: ProgramId,
    },
    /// No longer needed (the reason is in the event's metadata).
    DependencyCancelled {
        dependency_id: DependencyId,
        program_id: ProgramId,
    },
}

impl AggregateEvent for DependencyEvent {
    const STREAM_TYPE: &'static str = "dependency_register";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(self.program())
    }
}

impl DependencyEvent {
    pub fn program(&self) -> ProgramId {
        match self {
            DependencyEvent::DependencyProposed { program_id, .. }
            | DependencyEvent::DependencyAgreed { program_id, .. }
            | DependencyEvent::DependencyNeedByChanged { program_id, .. }
            | DependencyEvent::DependencyTermsChanged { program_id, .. }
            | DependencyEvent::DependencyBroken { program_id, .. }
            | DependencyEvent::DependencyCancelled { program_id, .. } => *program_id,
        }
    }

    pub fn dependency_id(&self) -> DependencyId {
        match self {
            DependencyEvent::DependencyProposed { dependency_id, .. }
            | DependencyEvent::DependencyAgreed { dependency_id, .. }
            | DependencyEvent::DependencyNeedByChanged { dependency_id, .. }
            | DependencyEvent::DependencyTermsChanged { dependency_id, .. }
            | DependencyEvent::DependencyBroken { dependency_id, .. }
            | DependencyEvent::DependencyCancelled { dependency_id, .. } => *dependency_id,
        }
    }
}

/// How a dependency ties its ends together.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DependencyTerms {
    pub kind: DependencyType,
    pub lag_days: i32,
}

/// Where a dependency stands in its recorded lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DependencyState {
    Proposed,
    Agreed,
    Broken,
    Cancelled,
}

impl DependencyState {
    /// An agreed dependency whose type or lag changes is for its provider to agree to again.
    pub fn after_terms_changed(self) -> DependencyState {
        match self {
            DependencyState::Agreed => DependencyState::Proposed,
            other => other,
        }
    }

    /// Proposed and agreed dependencies constrain the schedule; broken and cancelled ones do not.
    pub fn is_active(self) -> bool {
        matches!(self, DependencyState::Proposed | DependencyState::Agreed)
    }
}

/// One end of a proposed dependency, as looked up by the caller from the milestone's own stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MilestoneRef {
    pub id: MilestoneId,
    pub program_id: ProgramId,
    pub project_id: ProjectId,
    pub name: String,
    pub owner: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredDependency {
    pub provider: MilestoneId,
    pub provider_project: ProjectId,
    pub consumer: MilestoneId,
    pub consumer_project: ProjectId,
    pub need_by: Option<NaiveDate>,
    pub state: DependencyState,
    pub terms: DependencyTerms,
    /// How many events are about this dependency (its proposal is the first).
    pub version: i64,
}

/// What decisions about a program's dependencies need: the graph, and names to describe cycles.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DependencyRegister {
    pub program_id: Option<ProgramId>,
    pub dependencies: BTreeMap<DependencyId, RegisteredDependency>,
    names: HashMap<MilestoneId, String>,
}

// A command lives for one decision; boxing the big variant would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DependencyCommand {
    Propose {
        dependency_id: DependencyId,
        program_id: ProgramId,
        /// `None`: no such milestone (the caller found no stream for the id given).
        provider: Option<MilestoneRef>,
        consumer: Option<MilestoneRef>,
        kind: DependencyType,
        lag_days: i32,
        need_by: Option<NaiveDate>,
        /// Defaults to the milestones' owners.
        provider_owner: Option<String>,
        consumer_owner: Option<String>,
        description: String,
    },
    Agree {
        dependency_id: DependencyId,
    },
    ChangeNeedBy {
        dependency_id: DependencyId,
        to: Option<NaiveDate>,
    },
    /// The terms and need-by date as they should be from now on: an event for each that differs.
    Revise {
        dependency_id: DependencyId,
        terms: DependencyTerms,
        need_by: Option<NaiveDate>,
    },
    Break {
        dependency_id: DependencyId,
        reason: Option<String>,
    },
    Cancel {
        dependency_id: DependencyId,
        reason: Option<String>,
    },
}

impl DependencyRegister {
    pub fn dependency(&self, id: DependencyId) -> Option<&RegisteredDependency> {
        self.dependencies.get(&id)
    }

    pub fn apply(&mut self, event: &DependencyEvent) {
        self.program_id = Some(event.program());
        let id = event.dependency_id();
        if let DependencyEvent::DependencyProposed {
            provider,
            provider_project,
            provider_name,
            consumer,
            consumer_project,
            consumer_name,
            need_by,
            kind,
            lag_days,
            ..
        } = event
        {
            self.names.insert(*provider, provider_name.clone());
            self.names.insert(*consumer, consumer_name.clone());
            self.dependencies.insert(
                id,
                RegisteredDependency {
                    provider: *provider,
                    provider_project: *provider_project,
                    consumer: *consumer,
                    consumer_project: *consumer_project,
                    need_by: *need_by,
                    state: DependencyState::Proposed,
                    terms: DependencyTerms {
                        kind: *kind,
                        lag_days: *lag_days,
                    },
                    version: 1,
                },
            );
            return;
        }
        let Some(dependency) = self.dependencies.get_mut(&id) else {
            return;
        };
        dependency.version = dependency.version.saturating_add(1);
        match event {
            DependencyEvent::DependencyProposed { .. } => {}
            DependencyEvent::DependencyAgreed { .. } => dependency.state = DependencyState::Agreed,
            DependencyEvent::DependencyNeedByChanged { to, .. } => dependency.need_by = *to,
            DependencyEvent::DependencyTermsChanged { to, .. } => {
                dependency.terms = *to;
                dependency.state = dependency.state.after_terms_changed();
            }
            DependencyEvent::DependencyBroken { .. } => dependency.state = DependencyState::Broken,
            DependencyEvent::DependencyCancelled { .. } => {
                dependency.state = DependencyState::Cancelled
            }
        }
    }

    /// What letting go of a retired milestone does to the active dependencies at either end: one
    /// it provided is broken (its consumer is told it will not come), one it consumed is
    /// cancelled (no longer needed); a milestone removed as a mistake never really provided, so
    /// its dependencies are cancelled. Each with the sentence to record as its reason.
    pub fn release(
        &self,
        milestone: MilestoneId,
        how: Retirement,
    ) -> Vec<(DependencyEvent, String)> {
        let Some(program_id) = self.program_id else {
            return Vec::new();
        };
        let name = self.milestone_name(milestone);
        let what = match how {
            Retirement::Cancelled => "was cancelled",
            Retirement::Removed => "was removed as entered by mistake",
        };
        self.dependencies
            .iter()
            .filter(|(_, d)| {
                d.state.is_active() && (d.provider == milestone || d.consumer == milestone)
            })
            .map(|(&dependency_id, d)| {
                if d.provider == milestone && how == Retirement::Cancelled {
                    (
                        DependencyEvent::DependencyBroken {
                            dependency_id,
                            program_id,
                        },
                        format!("its provider “{name}” {what}"),
                    )
                } else {
                    let end = if d.provider == milestone {
                        "provider"
                    } else {
                        "consumer"
                    };
                    (
                        DependencyEvent::DependencyCancelled {
                            dependency_id,
                            program_id,
                        },
                        format!("its {end} “{name}” {what}"),
                    )
                }
            })
            .collect()
    }

    /// The cycle a new dependency `provider → consumer` would close through the active ones, as
    /// milestones in dependency order starting and ending with `provider`.
    pub fn cycle_with(
        &self,
        provider: MilestoneId,
        consumer: MilestoneId,
    ) -> Option<Vec<MilestoneId>> {
        if provider == consumer {
            return Some(vec![provider, consumer]);
        }
        let mut outgoing: HashMap<MilestoneId, Vec<MilestoneId>> = HashMap::new();
        for d in self.dependencies.values().filter(|d| d.state.is_active()) {
            outgoing.entry(d.provider).or_default().push(d.consumer);
        }
        // A cycle exists if `provider` is downstream of `consumer`.
        let path = path_between(consumer, provider, |at| {
            outgoing.get(&at).into_iter().flatten().copied()
        })?;
        let mut cycle = vec![provider];
        cycle.extend(path);
        Some(cycle)
    }

    /// A milestone's name as the register's proposals recorded it (its id if it has none).
    pub fn milestone_name(&self, id: MilestoneId) -> String {
        self.name(id, &[])
    }

    fn name(&self, id: MilestoneId, extra: &[&MilestoneRef]) -> String {
        extra
            .iter()
            .find(|m| m.id == id)
            .map(|m| m.name.clone())
            .or_else(|| self.names.get(&id).cloned())
            .unwrap_or_else(|| id.to_string())
    }

    pub fn decide(&self, command: DependencyCommand) -> Result<Vec<DependencyEvent>, DomainError> {
        match command {
            DependencyCommand::Propose {
                dependency_id,
                program_id,
                provider,
                consumer,
                kind,
                lag_days,
                need_by,
                provider_owner,
                consumer_owner,
                description,
            } => {
                if self.dependencies.contains_key(&dependency_id) {
                    return Err(DomainError::AlreadyExists(format!(
                        "dependency {dependency_id}"
                    )));
                }
                let mut v = Validator::new();
                let in_program = |m: &Option<MilestoneRef>| {
                    m.as_ref().filter(|m| m.program_id == program_id).cloned()
                };
                let (provider, consumer) = (in_program(&provider), in_program(&consumer));
                if provider.is_none() {
                    v.push("provider", "is not a milestone of this program");
                }
                if consumer.is_none() {
                    v.push("consumer", "is not a milestone of this program");
                }
                v.optional_date("need_by", need_by);
                check_lag(&mut v, lag_days);
                let description = v.optional_text("description", &description, TEXT_MAX);
                let (Some(provider), Some(consumer)) = (provider, consumer) else {
                    return Err(v.fail());
                };
                let provider_owner = v.required_text(
                    "provider_owner",
                    provider_owner.as_deref().unwrap_or(&provider.owner),
                    PERSON_MAX,
                );
                let consumer_owner = v.required_text(
                    "consumer_owner",
                    consumer_owner.as_deref().unwrap_or(&consumer.owner),
                    PERSON_MAX,
                );
                if provider.id == consumer.id {
                    v.push("consumer", "a milestone cannot depend on itself");
                }
                v.finish()?;
                if let Some((existing, _)) = self.dependencies.iter().find(|(_, d)| {
                    d.state.is_active() && d.provider == provider.id && d.consumer == consumer.id
                }) {
                    return Err(DomainError::AlreadyExists(format!(
                        "a dependency of {} on {} ({existing})",
                        consumer.name, provider.name
                    )));
                }
                if let Some(cycle) = self.cycle_with(provider.id, consumer.id) {
                    let ends = [&provider, &consumer];
                    return Err(DomainError::Cycle(
                        cycle.into_iter().map(|id| self.name(id, &ends)).collect(),
                    ));
                }
                Ok(vec![DependencyEvent::DependencyProposed {
                    dependency_id,
                    program_id,
                    provider: provider.id,
                    provider_project: provider.project_id,
                    provider_name: provider.name.clone(),
                    consumer: consumer.id,
                    consumer_project: consumer.project_id,
                    consumer_name: consumer.name.clone(),
                    kind,
                    lag_days,
                    need_by,
                    provider_owner,
                    consumer_owner,
                    description,
                }])
            }
            DependencyCommand::Agree { dependency_id } => {
                let (program_id, dependency) = self.existing(dependency_id)?;
                match dependency.state {
                    DependencyState::Proposed => Ok(vec![DependencyEvent::DependencyAgreed {
                        dependency_id,
                        program_id,
                    }]),
                    DependencyState::Agreed => Err(DomainError::NothingToChange(
                        "the dependency is already agreed".into(),
                    )),
                    closed => Err(closed_error(closed)),
                }
            }
            DependencyCommand::ChangeNeedBy { dependency_id, to } => {
                let (program_id, dependency) = self.existing(dependency_id)?;
                if !dependency.state.is_active() {
                    return Err(closed_error(dependency.state));
                }
                let mut v = Validator::new();
                v.optional_date("to", to);
                v.finish()?;
                if dependency.need_by == to {
                    return Err(DomainError::NothingToChange(
                        "the need-by date is already that".into(),
                    ));
                }
                Ok(vec![DependencyEvent::DependencyNeedByChanged {
                    dependency_id,
                    program_id,
                    from: dependency.need_by,
                    to,
                }])
            }
            DependencyCommand::Revise {
                dependency_id,
                terms,
                need_by,
            } => {
                let (program_id, dependency) = self.existing(dependency_id)?;
                if !dependency.state.is_active() {
                    return Err(closed_error(dependency.state));
                }
                let mut v = Validator::new();
                check_lag(&mut v, terms.lag_days);
                v.optional_date("need_by", need_by);
                v.finish()?;
                let mut events = Vec::new();
                if terms != dependency.terms {
                    events.push(DependencyEvent::DependencyTermsChanged {
                        dependency_id,
                        program_id,
                        from: dependency.terms,
                        to: terms,
                    });
                }
                if need_by != dependency.need_by {
                    events.push(DependencyEvent::DependencyNeedByChanged {
                        dependency_id,
                        program_id,
                        from: dependency.need_by,
                        to: need_by,
                    });
                }
                if events.is_empty() {
                    return Err(DomainError::NothingToChange(
                        "the dependency already has those terms".into(),
                    ));
                }
                Ok(events)
            }
            DependencyCommand::Break {
                dependency_id,
                reason,
            } => self.close(dependency_id, reason, DependencyState::Broken),
            DependencyCommand::Cancel {
                dependency_id,
                reason,
            } => self.close(dependency_id, reason, DependencyState::Cancelled),
        }
    }

    fn existing(
        &self,
        id: DependencyId,
    ) -> Result<(ProgramId, &RegisteredDependency), DomainError> {
        match (self.program_id, self.dependencies.get(&id)) {
            (Some(program_id), Some(dependency)) => Ok((program_id, dependency)),
            _ => Err(DomainError::NotFound(format!("dependency {id}"))),
        }
    }

    fn close(
        &self,
        dependency_id: DependencyId,
        reason: Option<String>,
        to: DependencyState,
    ) -> Result<Vec<DependencyEvent>, DomainError> {
        let (program_id, dependency) = self.existing(dependency_id)?;
        if !dependency.state.is_active() {
            return Err(closed_error(dependency.state));
        }
        if reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            let mut v = Validator::new();
            v.push(
                "reason",
                match to {
                    DependencyState::Broken => "say why the provider cannot deliver",
                    _ => "say why the dependency is no longer needed",
                },
            );
            v.finish()?;
        }
        Ok(vec![match to {
            DependencyState::Broken => DependencyEvent::DependencyBroken {
                dependency_id,
                program_id,
            },
            _ => DependencyEvent::DependencyCancelled {
                dependency_id,
                program_id,
            },
        }])
    }
}

fn check_lag(v: &mut Validator, lag_days: i32) {
    if !(-LAG_DAYS_MAX..=LAG_DAYS_MAX).contains(&lag_days) {
        v.push(
            "lag_days",
            format!("must be between -{LAG_DAYS_MAX} and {LAG_DAYS_MAX}"),
        );
    }
}

fn closed_error(state: DependencyState) -> DomainError {
    DomainError::NothingToChange(match state {
        DependencyState::Broken => "the dependency was broken; propose a new one".into(),
        _ => "the dependency was cancelled; propose a new one".into(),
    })
}

#[cfg(test)]
mod tests;
