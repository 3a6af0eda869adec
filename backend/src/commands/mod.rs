//! Command handling: rebuild an aggregate from its stream, let the pure domain decide, append the
//! decided events with the stream version the decision was based on.
//!
//! [`load`] starts from the state an earlier command left in the store's `StateCache` (at most
//! 4,096 streams, with the version and position it is folded to) and folds only the stream's
//! events after that position (a range of the `(stream_id, position)` index), so a command costs
//! the same on a stream of 10 or 10,000 events. A client that names `expected_version` gets 409
//! `version_conflict` when the stream has moved ([`Loaded::expecting`]). Otherwise a command that
//! loses the race for its stream's version is loaded and decided again (up to 16 times, with a
//! jittered pause): writers of one stream on one instance take turns through `StreamLocks`
//! (waiting a second at most), so only other instances race it, sixteen people reporting at once
//! are all recorded, and only a command that no longer holds is refused. Commands that must act
//! exactly once per version (the escalation SLA check) use [`Loaded::at_this_version`]. Event ids
//! are the request's (`RequestContext::event_ids`, derived from an `Idempotency-Key` when there is
//! one), the same on every attempt, so only one attempt can land. Commands that change access
//! wait for the `access` projection before answering. Errors are [`CommandError`], in domain
//! words; `crate::error` alone maps them to HTTP.

use crate::event_store::{
    AppendError, AppendRequest, At, EventStore, ExpectedVersion, NewEvent, StoreError,
    StreamAppend, read_stream_after,
};
use crate::projection::{ACCESS, wait_for_projection};
use crate::request_context::RequestContext;
use throughline_shared::access::RoleGrant;
use throughline_shared::aggregate::Aggregate;
use throughline_shared::api::{
    AddProjectRequest, ChangePhaseRequest, CommandAccepted, CreateProgramRequest,
    EditProgramRequest, ProjectObjectivesRequest, ReportStatusRequest, RoleChangeRequest,
    ScopeRequest,
};
use throughline_shared::event::AggregateEvent;
use throughline_shared::ids::ScopeItemId;
use throughline_shared::program::{Program, ProgramCommand};
use throughline_shared::project::{Project, ProjectCommand, ProjectEvent};
use throughline_shared::{
    DomainError, FieldError, ObjectiveId, ProgramId, ProjectId, RecordedEvent,
};
use uuid::Uuid;

pub mod briefing;
pub mod cascade;
mod error;
pub mod governance;
pub mod import;
pub mod objective;
pub mod project;
pub mod raid;
pub mod schedule;

pub use error::CommandError;

/// An aggregate as of its stream's latest event.
pub struct Loaded<A> {
    pub state: A,
    pub version: i64,
    /// The client named the version it edited (`expected_version`): a change by someone else
    /// in the meantime is then a conflict to report, never a reason to decide again.
    pub pinned: bool,
}

impl<A> Loaded<A> {
    /// Holds the append to the version loaded, whoever chose it: for callers whose command
    /// depends on the state they read, and who decide again themselves if they want to.
    pub fn at_this_version(self) -> Self {
        Self {
            pinned: true,
            ..self
        }
    }

    /// Checks the version the client edited, if it named one, and holds the append to it.
    pub fn expecting(
        self,
        what: &'static str,
        expected: Option<i64>,
    ) -> Result<Self, CommandError> {
        match expected {
            Some(expected) if expected != self.version => Err(CommandError::StaleVersion {
                what,
                expected,
                current: self.version,
            }),
            Some(_) => Ok(Self {
                pinned: true,
                ..self
            }),
            None => Ok(self),
        }
    }
}

/// Folds the stream from the state an earlier command left in the cache (if any), reading only
/// the events after it.
pub async fn load<A: Aggregate>(
    store: &EventStore,
    stream_id: Uuid,
) -> Result<Loaded<A>, CommandError> {
    let (mut state, cached) = store
        .states()
        .get::<A>(stream_id)
        .unwrap_or_else(|| (A::default(), At::default()));
    let tail: Vec<RecordedEvent> =
        read_stream_after(store.pool(), stream_id, cached.position).await?;
    let mut at = cached;
    for recorded in &tail {
        let event = A::Event::decode(
            &recorded.event_type,
            recorded.schema_version,
            recorded.payload.clone(),
        )?;
        state.apply(&event);
        at = At {
            version: recorded.version,
            position: recorded.position,
        };
    }
    if at.version > cached.version {
        store.states().put(stream_id, at, state.clone());
    }
    let version = at.version;
    Ok(Loaded {
        state,
        version,
        pinned: false,
    })
}

/// How often a command that lost a race for its stream's version is decided again: writers of
/// this instance take turns, so only writers on other instances race it.
const CONFLICT_RETRIES: u32 = 16;

/// Decide and append, expecting the stream to still be at the version the decision saw. If it
/// moved meanwhile and the client did not pin a version, the command is decided again on the
/// newer state (a few times): 16 people reporting status at once all get their report recorded,
/// and only a command that no longer holds on the newer state is refused.
pub(crate) async fn decide_and_append<A: Aggregate>(
    store: &EventStore,
    ctx: &RequestContext,
    stream_id: Uuid,
    loaded: Loaded<A>,
    command: A::Command,
    reason: Option<String>,
) -> Result<Vec<RecordedEvent>, CommandError> {
    let metadata = ctx.metadata_for(reason)?;
    let pinned = loaded.pinned;
    let mut loaded = loaded;
    let mut attempt = 0;
    // Writers of this stream on this instance take turns (see `StreamLocks`): the state the
    // caller loaded may be stale by the time it is our turn, which costs one reload below. A turn
    // is waited for a second at most (turns are milliseconds unless the database is in trouble,
    // when every caller must still be answered within two seconds): then it races as before.
    let _turn = tokio::time::timeout(
        std::time::Duration::from_secs(1),
        store.stream_locks().lock(stream_id),
    )
    .await
    .ok();
    // The same ids on every attempt: only one attempt can land.
    let ids = ctx.event_ids();
    loop {
        let events = loaded.state.decide(command.clone())?;
        let expected = if loaded.version == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(loaded.version)
        };
        let append = StreamAppend {
            stream_id,
            stream_type: A::Event::STREAM_TYPE.to_string(),
            expected,
            events: events
                .iter()
                .enumerate()
                .map(|(i, e)| NewEvent::with_id(ids.id(i), e.encode(), metadata.clone()))
                .collect(),
        };
        match store.append(AppendRequest::single(append)).await {
            Err(AppendError::Conflict { .. }) if !pinned && attempt < CONFLICT_RETRIES => {
                attempt += 1;
                tracing::debug!(%stream_id, attempt, "stream changed concurrently; deciding again");
                // Spreads the retries of many writers racing for one stream.
                let ceiling = 1u64 << attempt.min(6);
                let pause = u64::from(Uuid::new_v4().as_bytes()[0]) % (ceiling + 1);
                tokio::time::sleep(std::time::Duration::from_millis(pause)).await;
                loaded = load::<A>(store, stream_id).await?;
            }
            result => return Ok(result?),
        }
    }
}

/// Waits until the access read model has folded `position`, so a grant, a revocation or a new
/// account is in force on every instance before the caller hears of it.
pub(crate) async fn access_in_force(store: &EventStore, position: i64) -> Result<(), CommandError> {
    Ok(wait_for_projection(store.pool(), ACCESS, position).await?)
}

fn accepted(
    events: &[RecordedEvent],
    program_id: ProgramId,
    project_id: Option<ProjectId>,
) -> Result<CommandAccepted, CommandError> {
    // Every decide answers at least one event or an error; an empty answer would be a bug in
    // it, reported as such rather than as a success.
    let last = events.last().ok_or_else(|| {
        CommandError::Internal("a command was accepted with no event to show for it".into())
    })?;
    // Ids from the recorded events where they say: a retry with an idempotency key is answered
    // with the original events, whose new program or project had the id chosen the first time.
    let project_id = match project_id {
        Some(_) if last.stream_type == ProjectEvent::STREAM_TYPE => {
            Some(ProjectId::from_uuid(last.stream_id))
        }
        other => other,
    };
    Ok(CommandAccepted {
        stream_id: last.stream_id,
        version: last.version,
        position: last.position,
        program_id: last.program_id.unwrap_or(program_id),
        project_id,
    })
}

pub async fn create_program(
    store: &EventStore,
    ctx: &RequestContext,
    request: CreateProgramRequest,
) -> Result<CommandAccepted, CommandError> {
    let program_id = ProgramId::from_uuid(Uuid::new_v4());
    let loaded = load::<Program>(store, program_id.0).await?;
    let command = ProgramCommand::Create {
        program_id,
        creator: ctx.actor_id.map(|id| (id, ctx.actor.clone())),
        name: request.name,
        description: request.description,
        sponsor: request.sponsor,
        objectives: request
            .objectives
            .into_iter()
            .map(|draft| (ObjectiveId::from_uuid(Uuid::new_v4()), draft))
            .collect(),
    };
    let events = decide_and_append(store, ctx, program_id.0, loaded, command, None).await?;
    // The creator's program-manager role must be in force before they are told the program exists.
    access_in_force(store, events.last().map_or(0, |e| e.position)).await?;
    accepted(&events, program_id, None)
}

pub async fn edit_program(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: EditProgramRequest,
) -> Result<CommandAccepted, CommandError> {
    let loaded = existing_program(store, program_id, request.expected_version).await?;
    let command = ProgramCommand::Edit {
        name: request.name,
        description: request.description,
        sponsor: request.sponsor,
    };
    let events =
        decide_and_append(store, ctx, program_id.0, loaded, command, request.reason).await?;
    accepted(&events, program_id, None)
}

pub async fn add_project(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: AddProjectRequest,
) -> Result<CommandAccepted, CommandError> {
    let program = load::<Program>(store, program_id.0).await?;
    let project_id = ProjectId::from_uuid(Uuid::new_v4());
    let loaded = load::<Project>(store, project_id.0).await?;
    let command = ProjectCommand::Add {
        project_id,
        program_id,
        program_exists: program.state.exists(),
        program_objectives: program
            .state
            .objectives
            .iter()
            .map(|o| o.objective_id)
            .collect(),
        name: request.name,
        manager: request.manager,
        objectives: request.objectives,
    };
    let events = decide_and_append(store, ctx, project_id.0, loaded, command, None).await?;
    accepted(&events, program_id, Some(project_id))
}

pub async fn report_status(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    project_id: ProjectId,
    request: ReportStatusRequest,
) -> Result<CommandAccepted, CommandError> {
    let loaded = load::<Project>(store, project_id.0).await?;
    // A project reached through another program's URL does not exist there.
    if loaded.state.program_id != Some(program_id) {
        return Err(
            DomainError::NotFound(format!("project {project_id} in program {program_id}")).into(),
        );
    }
    let loaded = loaded.expecting("the project", request.expected_version)?;
    let command = ProjectCommand::ReportStatus {
        rag: request.rag,
        narrative: request.narrative,
    };
    let events =
        decide_and_append(store, ctx, project_id.0, loaded, command, request.reason).await?;
    accepted(&events, program_id, Some(project_id))
}

/// Grants or revokes a role in a program; in force for every instance when this returns.
pub async fn change_role(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: RoleChangeRequest,
    grant: bool,
) -> Result<CommandAccepted, CommandError> {
    let loaded = existing_program(store, program_id, None).await?;
    let user: Option<(String, bool)> =
        sqlx::query_as("SELECT username, active FROM users WHERE user_id = $1")
            .bind(request.user_id.0)
            .fetch_optional(store.pool())
            .await
            .map_err(StoreError::from)?;
    let Some((username, user_active)) = user else {
        return Err(DomainError::Invalid(vec![FieldError::new("user_id", "no such user")]).into());
    };
    let role_grant = RoleGrant {
        role: request.role,
        project_id: request.project_id,
    };
    let project = match request.project_id {
        Some(project) => Some(load::<Project>(store, project.0).await?.state),
        None => None,
    };
    let project_in_program = project
        .as_ref()
        .is_some_and(|p| p.program_id == Some(program_id));
    let project_name = project.map(|p| p.name).filter(|_| project_in_program);
    let command = if grant {
        ProgramCommand::GrantRole {
            user_id: request.user_id,
            username,
            user_active,
            grant: role_grant,
            project_in_program,
            project_name,
        }
    } else {
        ProgramCommand::RevokeRole {
            user_id: request.user_id,
            username,
            grant: role_grant,
            project_name,
        }
    };
    let events =
        decide_and_append(store, ctx, program_id.0, loaded, command, request.reason).await?;
    let accepted = accepted(&events, program_id, request.project_id)?;
    access_in_force(store, accepted.position).await?;
    Ok(accepted)
}

/// Loads a program that must exist, checking the version the editor saw.
async fn existing_program(
    store: &EventStore,
    program_id: ProgramId,
    expected_version: Option<i64>,
) -> Result<Loaded<Program>, CommandError> {
    let loaded = load::<Program>(store, program_id.0).await?;
    if !loaded.state.exists() {
        return Err(DomainError::NotFound(format!("program {program_id}")).into());
    }
    let loaded = loaded.expecting("the program", expected_version)?;
    Ok(loaded)
}

pub async fn change_phase(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: ChangePhaseRequest,
) -> Result<CommandAccepted, CommandError> {
    let loaded = existing_program(store, program_id, request.expected_version).await?;
    let command = ProgramCommand::ChangePhase { to: request.phase };
    let events =
        decide_and_append(store, ctx, program_id.0, loaded, command, request.reason).await?;
    accepted(&events, program_id, None)
}

/// Records a new scope item (`item` absent) or moves an existing one in or out.
pub async fn set_scope(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    item: Option<ScopeItemId>,
    request: ScopeRequest,
) -> Result<CommandAccepted, CommandError> {
    let loaded = existing_program(store, program_id, request.expected_version).await?;
    let scope_item_id = match item {
        Some(id) if !loaded.state.scope.iter().any(|s| s.scope_item_id == id) => {
            return Err(DomainError::NotFound(format!("scope item {id}")).into());
        }
        Some(id) => id,
        None => ScopeItemId::from_uuid(Uuid::new_v4()),
    };
    let command = ProgramCommand::SetScope {
        scope_item_id,
        title: if item.is_none() { request.title } else { None },
        in_scope: request.in_scope,
        rationale: request.rationale,
    };
    let events = decide_and_append(store, ctx, program_id.0, loaded, command, None).await?;
    let mut accepted = accepted(&events, program_id, None)?;
    accepted.stream_id = scope_item_id.0;
    Ok(accepted)
}

pub async fn set_project_objectives(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    project_id: ProjectId,
    request: ProjectObjectivesRequest,
) -> Result<CommandAccepted, CommandError> {
    let program = existing_program(store, program_id, None).await?;
    let loaded = load::<Project>(store, project_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(
            DomainError::NotFound(format!("project {project_id} in program {program_id}")).into(),
        );
    }
    let loaded = loaded.expecting("the project", request.expected_version)?;
    let command = ProjectCommand::SetObjectives {
        program_objectives: program
            .state
            .objectives
            .iter()
            .map(|o| o.objective_id)
            .collect(),
        objectives: request.objectives,
    };
    let events =
        decide_and_append(store, ctx, project_id.0, loaded, command, request.reason).await?;
    accepted(&events, program_id, Some(project_id))
}

/// One stream's part of a multi-stream append, expecting the version `loaded` was read at.
pub(crate) fn stream_part<A: Aggregate>(
    stream_id: Uuid,
    loaded: &Loaded<A>,
    events: &[A::Event],
    ids: &mut impl Iterator<Item = throughline_shared::EventId>,
    metadata: &throughline_shared::EventMetadata,
) -> StreamAppend {
    StreamAppend {
        stream_id,
        stream_type: A::Event::STREAM_TYPE.to_string(),
        expected: if loaded.version == 0 {
            ExpectedVersion::NoStream
        } else {
            ExpectedVersion::Exact(loaded.version)
        },
        events: events
            .iter()
            .zip(ids.by_ref())
            .map(|(e, id)| NewEvent::with_id(id, e.encode(), metadata.clone()))
            .collect(),
    }
}

/// The answer naming `stream_id`'s event among a multi-stream append's.
pub(crate) fn answer_for(
    recorded: &[RecordedEvent],
    stream_id: Uuid,
    program_id: ProgramId,
) -> Result<CommandAccepted, CommandError> {
    let event = recorded
        .iter()
        .rfind(|e| e.stream_id == stream_id)
        .ok_or_else(|| CommandError::Internal("an appended stream is missing its event".into()))?;
    accepted(std::slice::from_ref(event), program_id, None)
}
