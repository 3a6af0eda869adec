//! Milestone and dependency commands. Who may change a milestone depends on its project, known
//! only once the milestone is loaded, so these take an `allow` check to run at that point.

use super::governance::{DirectChange, require_direct};
use super::{CommandError, Loaded, accepted, answer_for, decide_and_append, load, stream_part};
use crate::event_store::{
    AppendError, AppendRequest, EventStore, ExpectedVersion, NewEvent, StoreError, StreamAppend,
    first_of_stream,
};
use crate::request_context::RequestContext;
use chrono::{TimeDelta, Utc};
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{
    AddMilestoneRequest, BaselineProgramAccepted, BaselineProgramRequest, CommandAccepted,
    DependencyChangeRequest, ProposeDependencyRequest, ReviseDependencyRequest,
    ReviseMilestoneRequest,
};
use throughline_shared::dependency::{
    DependencyCommand, DependencyRegister, DependencyTerms, MilestoneRef, RegisteredDependency,
    register_stream_id,
};
use throughline_shared::event::AggregateEvent;
use throughline_shared::governance::requests::EffectRequest;
use throughline_shared::governance::rights::{DecisionKind, days_moved};
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::{
    Milestone, MilestoneCommand, MilestoneEvent, MilestoneRevision, ProjectMove,
    REMOVAL_WINDOW_HOURS, Retirement,
};
use throughline_shared::project::Project;
use throughline_shared::{DomainError, FieldError, ProgramId, ProjectId};
use uuid::Uuid;

/// Runs the caller's permission check for an action whose target is known only after loading.
pub trait Allow: FnOnce(ProgramAction) -> Result<(), CommandError> {}
impl<F: FnOnce(ProgramAction) -> Result<(), CommandError>> Allow for F {}

pub async fn add_milestone(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: AddMilestoneRequest,
) -> Result<CommandAccepted, CommandError> {
    let project = load::<Project>(store, request.project_id.0).await?;
    if project.state.program_id == Some(program_id) && !project.state.is_open() {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "project_id",
            format!("“{}” is closed", project.state.name),
        )])
        .into());
    }
    let milestone_id = MilestoneId::from_uuid(Uuid::new_v4());
    let loaded = load::<Milestone>(store, milestone_id.0).await?;
    let command = MilestoneCommand::Add {
        milestone_id,
        program_id,
        project_id: request.project_id,
        project_in_program: project.state.program_id == Some(program_id),
        name: request.name,
        kind: request.kind,
        owner: request.owner,
        planned_start: request.planned_start,
        planned: request.planned,
        external_ref: None,
    };
    let events = decide_and_append(store, ctx, milestone_id.0, loaded, command, None).await?;
    accepted(&events, program_id, Some(request.project_id))
}

/// The milestone, if it is one of `program_id`'s (reached through another program's URL it does
/// not exist there).
async fn milestone_in(
    store: &EventStore,
    program_id: ProgramId,
    milestone_id: MilestoneId,
) -> Result<Loaded<Milestone>, CommandError> {
    let loaded = load::<Milestone>(store, milestone_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(DomainError::NotFound(format!(
            "milestone {milestone_id} in program {program_id}"
        ))
        .into());
    }
    Ok(loaded)
}

/// What a milestone command needs besides the command itself.
pub struct MilestoneChange {
    pub program_id: ProgramId,
    pub milestone_id: MilestoneId,
    pub expected_version: Option<i64>,
    pub reason: Option<String>,
}

/// Changes one milestone: its forecast, its baseline (the program manager's call) or that it was
/// met.
pub async fn change_milestone(
    store: &EventStore,
    ctx: &RequestContext,
    change: MilestoneChange,
    command: MilestoneCommand,
    allow: impl Allow,
) -> Result<CommandAccepted, CommandError> {
    let loaded = milestone_in(store, change.program_id, change.milestone_id).await?;
    let project_id = loaded.state.project_id;
    allow(match (&command, project_id) {
        (MilestoneCommand::Baseline { .. }, _) => ProgramAction::Baseline,
        (_, Some(project_id)) => ProgramAction::ChangeSchedule(project_id),
        (_, None) => return Err(DomainError::NotFound("the milestone".into()).into()),
    })?;
    let loaded = loaded.expecting("the milestone", change.expected_version)?;
    // A re-baseline the decision rights give to a forum is that forum's decision: decided here
    // (the command is pure) to see how far the baseline would move.
    if matches!(command, MilestoneCommand::Baseline { .. }) {
        let rebaselined = loaded
            .state
            .decide(command.clone())?
            .into_iter()
            .find_map(|e| match e {
                MilestoneEvent::MilestoneRebaselined { from, to, .. } => Some((from, to)),
                _ => None,
            });
        if let Some((from, to)) = rebaselined {
            let question = format!("Re-baseline “{}” from {from} to {to}?", loaded.state.name);
            require_direct(
                store,
                change.program_id,
                DirectChange {
                    kind: DecisionKind::Rebaseline,
                    magnitude: Some(days_moved(from, to)),
                    question,
                    effect: EffectRequest::Rebaseline {
                        milestone_id: change.milestone_id,
                        to,
                    },
                },
            )
            .await?;
        }
    }
    let events = decide_and_append(
        store,
        ctx,
        change.milestone_id.0,
        loaded,
        command,
        change.reason,
    )
    .await?;
    accepted(&events, change.program_id, project_id)
}

/// The streams of every milestone ever added to the program (also those retired since).
pub(super) async fn milestone_streams(
    store: &EventStore,
    program_id: ProgramId,
) -> Result<Vec<Uuid>, CommandError> {
    Ok(sqlx::query_scalar(
        "SELECT stream_id FROM streams WHERE program_id = $1 AND stream_type = $2 \
         ORDER BY stream_id",
    )
    .bind(program_id.0)
    .bind(MilestoneEvent::STREAM_TYPE)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?)
}

/// Baselines every milestone of the program that has no baseline yet, atomically: either all of
/// them get their current forecast as baseline, or (on a concurrent change) none does.
pub async fn baseline_program(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: BaselineProgramRequest,
) -> Result<BaselineProgramAccepted, CommandError> {
    let streams = milestone_streams(store, program_id).await?;
    let metadata = ctx.metadata(request.reason);
    let mut appends = Vec::new();
    for stream_id in streams {
        let loaded = load::<Milestone>(store, stream_id).await?;
        // Retired milestones are out of the plan, and so out of its baseline.
        if loaded.state.baseline.is_some() || loaded.state.retired.is_some() {
            continue;
        }
        let events = loaded.state.decide(MilestoneCommand::Baseline {
            to: None,
            reason: None,
        })?;
        appends.push(StreamAppend {
            stream_id,
            stream_type: MilestoneEvent::STREAM_TYPE.to_string(),
            expected: ExpectedVersion::Exact(loaded.version),
            events: events
                .iter()
                .map(|e| NewEvent::new(e.encode(), metadata.clone()))
                .collect(),
        });
    }
    if appends.is_empty() {
        return Err(DomainError::NothingToChange(
            "every milestone of the program already has a baseline".into(),
        )
        .into());
    }
    let baselined = appends.len();
    let recorded = store
        .append(ctx.identify(AppendRequest { streams: appends }))
        .await?;
    Ok(BaselineProgramAccepted {
        baselined,
        position: recorded.last().map_or(0, |e| e.position),
    })
}

/// Renames, re-owns, changes the kind of and/or moves a milestone to another project: one event
/// each. A move needs the right to change the schedule of both projects.
pub async fn revise_milestone(
    store: &EventStore,
    ctx: &RequestContext,
    change: MilestoneChange,
    request: ReviseMilestoneRequest,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CommandAccepted, CommandError> {
    let project = match request.project_id {
        None => None,
        Some(to) => {
            let milestone = milestone_in(store, change.program_id, change.milestone_id).await?;
            let from = match milestone.state.project_id {
                Some(from) => load::<Project>(store, from.0).await?.state,
                None => Project::default(),
            };
            let target = load::<Project>(store, to.0).await?.state;
            let in_program = target.program_id == Some(change.program_id);
            if in_program && Some(to) != milestone.state.project_id {
                allow(ProgramAction::ChangeSchedule(to))?;
            }
            Some(ProjectMove {
                to,
                to_name: target.name.clone(),
                from_name: from.name,
                in_program,
                open: target.is_open(),
            })
        }
    };
    let command = MilestoneCommand::Revise(MilestoneRevision {
        name: request.name,
        owner: request.owner,
        kind: request.kind,
        start: request.start,
        project,
    });
    change_milestone(store, ctx, change, command, &allow).await
}

/// Cancels a milestone (no longer planned) or removes it (entered by mistake, by its creator,
/// soon): the milestone's event and the register's letting go of its dependencies, in one
/// append. A concurrent change to the register is decided again; one to the milestone is a
/// conflict when the caller named its version.
pub async fn retire_milestone(
    store: &EventStore,
    ctx: &RequestContext,
    change: MilestoneChange,
    how: Retirement,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CommandAccepted, CommandError> {
    let reason = change.reason.clone();
    // Checked as any reason is, before anything is decided: it is kept in the log forever.
    ctx.metadata_for(reason.clone())?;
    let register_id = register_stream_id(change.program_id);
    let ids = ctx.event_ids();
    let mut attempt = 0;
    loop {
        let loaded = milestone_in(store, change.program_id, change.milestone_id).await?;
        let project_id = loaded
            .state
            .project_id
            .ok_or_else(|| DomainError::NotFound("the milestone".into()))?;
        // On every attempt: the milestone may have moved to another project meanwhile.
        allow(ProgramAction::ChangeSchedule(project_id))?;
        let loaded = loaded.expecting("the milestone", change.expected_version)?;
        let command = match how {
            Retirement::Cancelled => MilestoneCommand::Cancel {
                reason: reason.clone(),
            },
            Retirement::Removed => {
                let first = first_of_stream(store.pool(), change.milestone_id.0).await?;
                let by_its_creator = first.as_ref().is_some_and(|e| match e.metadata.actor_id {
                    Some(creator) => ctx.actor_id == Some(creator),
                    None => e.metadata.actor == ctx.actor,
                });
                let within_window = first.as_ref().is_some_and(|e| {
                    Utc::now() - e.recorded_at < TimeDelta::hours(REMOVAL_WINDOW_HOURS)
                });
                MilestoneCommand::Remove {
                    reason: reason.clone(),
                    by_its_creator,
                    within_window,
                }
            }
        };
        let milestone_events = loaded.state.decide(command)?;
        let register = load::<DependencyRegister>(store, register_id).await?;
        let released = register.state.release(change.milestone_id, how);
        let said = reason.as_deref().unwrap_or_default().trim().to_string();
        let mut next_id = (0..).map(|i| ids.id(i));
        let mut streams = vec![stream_part(
            change.milestone_id.0,
            &loaded,
            &milestone_events,
            &mut next_id,
            &ctx.metadata(reason.clone()),
        )];
        if !released.is_empty() {
            let mut part = stream_part(
                register_id,
                &register,
                &[],
                &mut next_id,
                &ctx.metadata(None),
            );
            part.events = released
                .iter()
                .zip(next_id.by_ref())
                .map(|((event, why), id)| {
                    NewEvent::with_id(
                        id,
                        event.encode(),
                        ctx.metadata(Some(format!("{why}: {said}"))),
                    )
                })
                .collect();
            streams.push(part);
        }
        match store.append(AppendRequest { streams }).await {
            Err(AppendError::Conflict { stream_id, .. })
                if stream_id == register_id && attempt < REGISTER_RETRIES =>
            {
                attempt += 1;
                tracing::debug!(program_id = %change.program_id, attempt, "dependency register changed while retiring a milestone; deciding again");
            }
            Err(AppendError::Conflict { .. }) if !loaded.pinned && attempt < REGISTER_RETRIES => {
                attempt += 1;
            }
            Err(e) => return Err(e.into()),
            Ok(recorded) => return answer_for(&recorded, change.milestone_id.0, change.program_id),
        }
    }
}

/// How often a dependency change is decided again after a concurrent change to the register,
/// when the caller did not pin a version. Each retry re-judges against the new graph, so nothing
/// is overwritten: a proposal that now closes a cycle is refused.
const REGISTER_RETRIES: usize = 5;

async fn change_register(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    expected_version: Option<i64>,
    reason: Option<String>,
    mut decide: impl AsyncFnMut(&DependencyRegister) -> Result<DependencyCommand, CommandError>,
) -> Result<CommandAccepted, CommandError> {
    let stream_id = register_stream_id(program_id);
    let mut attempt = 0;
    loop {
        let loaded = load::<DependencyRegister>(store, stream_id).await?;
        // This loop decides again itself: the command is built from the register it read.
        let loaded = loaded
            .expecting("the dependency register", expected_version)?
            .at_this_version();
        let command = decide(&loaded.state).await?;
        match decide_and_append(store, ctx, stream_id, loaded, command, reason.clone()).await {
            Err(CommandError::Append(AppendError::Conflict { .. }))
                if expected_version.is_none() && attempt < REGISTER_RETRIES =>
            {
                attempt += 1;
                tracing::debug!(%program_id, attempt, "dependency register changed concurrently; deciding again");
            }
            Err(e) => return Err(e),
            Ok(events) => return accepted(&events, program_id, None),
        }
    }
}

async fn milestone_ref(
    store: &EventStore,
    milestone_id: MilestoneId,
) -> Result<Option<MilestoneRef>, CommandError> {
    let milestone = load::<Milestone>(store, milestone_id.0).await?.state;
    Ok(match (milestone.program_id, milestone.project_id) {
        // Out of the plan: nothing can depend on it any more.
        _ if milestone.retired.is_some() => None,
        (Some(program_id), Some(project_id)) => Some(MilestoneRef {
            id: milestone_id,
            program_id,
            project_id,
            name: milestone.name,
            owner: milestone.owner,
        }),
        _ => None,
    })
}

pub async fn propose_dependency(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: ProposeDependencyRequest,
    allow: impl Allow,
) -> Result<CommandAccepted, CommandError> {
    let provider = milestone_ref(store, request.provider).await?;
    let consumer = milestone_ref(store, request.consumer).await?;
    if let (Some(p), Some(c)) = (&provider, &consumer)
        && p.program_id == program_id
        && c.program_id == program_id
    {
        allow(ProgramAction::ManageDependency {
            provider: p.project_id,
            consumer: c.project_id,
        })?;
    }
    let dependency_id = DependencyId::from_uuid(Uuid::new_v4());
    change_register(
        store,
        ctx,
        program_id,
        request.expected_version,
        request.reason,
        async |_| {
            Ok(DependencyCommand::Propose {
                dependency_id,
                program_id,
                provider: provider.clone(),
                consumer: consumer.clone(),
                kind: request.kind,
                lag_days: request.lag_days,
                need_by: request.need_by,
                provider_owner: request.provider_owner.clone(),
                consumer_owner: request.consumer_owner.clone(),
                description: request.description.clone(),
            })
        },
    )
    .await
    .map(|mut accepted| {
        // The register's stream is not what the caller asked about: answer with the new id.
        accepted.stream_id = dependency_id.0;
        accepted
    })
}

/// A change to an existing dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DependencyChange {
    Agree,
    ChangeNeedBy,
    Break,
    Cancel,
}

/// Whose the ends of a dependency are now: milestones move between projects, and the register
/// keeps the projects they had when it was proposed.
async fn current_ends(
    store: &EventStore,
    dependency: &RegisteredDependency,
) -> Result<(ProjectId, ProjectId), CommandError> {
    let project = async |id: MilestoneId, proposed: ProjectId| {
        Ok::<_, CommandError>(
            load::<Milestone>(store, id.0)
                .await?
                .state
                .project_id
                .unwrap_or(proposed),
        )
    };
    Ok((
        project(dependency.provider, dependency.provider_project).await?,
        project(dependency.consumer, dependency.consumer_project).await?,
    ))
}

/// A dependency's type, lag and need-by as they should be from now on, against the dependency's
/// own version (`expected_version`), so an edit of one dependency never conflicts with another's.
pub async fn revise_dependency(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    dependency_id: DependencyId,
    request: ReviseDependencyRequest,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CommandAccepted, CommandError> {
    change_register(
        store,
        ctx,
        program_id,
        None,
        request.reason.clone(),
        async |register| {
            let dependency = register
                .dependency(dependency_id)
                .ok_or_else(|| DomainError::NotFound(format!("dependency {dependency_id}")))?;
            // On every attempt: either end may have moved to another project meanwhile.
            let (provider, consumer) = current_ends(store, dependency).await?;
            allow(ProgramAction::ManageDependency { provider, consumer })?;
            if let Some(expected) = request.expected_version
                && expected != dependency.version
            {
                return Err(CommandError::StaleVersion {
                    what: "the dependency",
                    expected,
                    current: dependency.version,
                });
            }
            Ok(DependencyCommand::Revise {
                dependency_id,
                terms: DependencyTerms {
                    kind: request.kind,
                    lag_days: request.lag_days,
                },
                need_by: request.need_by,
            })
        },
    )
    .await
}

pub async fn change_dependency(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    dependency_id: DependencyId,
    change: DependencyChange,
    request: DependencyChangeRequest,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CommandAccepted, CommandError> {
    let mut first = true;
    change_register(
        store,
        ctx,
        program_id,
        request.expected_version,
        request.reason.clone(),
        async |register| {
            let dependency = register
                .dependency(dependency_id)
                .ok_or_else(|| DomainError::NotFound(format!("dependency {dependency_id}")))?;
            // Checked on every attempt: a milestone at either end may have moved to another
            // project meanwhile. The provider's side commits to deliver; either side may
            // re-date, break or cancel.
            let (provider, consumer) = current_ends(store, dependency).await?;
            allow(match change {
                DependencyChange::Agree => ProgramAction::ChangeSchedule(provider),
                _ => ProgramAction::ManageDependency { provider, consumer },
            })?;
            if std::mem::take(&mut first) {
                // Cancelling a dependency the register would let go may be a forum's decision.
                if change == DependencyChange::Cancel && dependency.state.is_active() {
                    require_direct(
                        store,
                        program_id,
                        DirectChange {
                            kind: DecisionKind::DependencyCancellation,
                            magnitude: None,
                            question: format!(
                                "Cancel the dependency of “{}” on “{}”?",
                                register.milestone_name(dependency.consumer),
                                register.milestone_name(dependency.provider)
                            ),
                            effect: EffectRequest::CancelDependency { dependency_id },
                        },
                    )
                    .await?;
                }
            }
            Ok(match change {
                DependencyChange::Agree => DependencyCommand::Agree { dependency_id },
                DependencyChange::ChangeNeedBy => DependencyCommand::ChangeNeedBy {
                    dependency_id,
                    to: request.need_by,
                },
                DependencyChange::Break => DependencyCommand::Break {
                    dependency_id,
                    reason: request.reason.clone(),
                },
                DependencyChange::Cancel => DependencyCommand::Cancel {
                    dependency_id,
                    reason: request.reason.clone(),
                },
            })
        },
    )
    .await
}
