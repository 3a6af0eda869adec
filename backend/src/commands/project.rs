//! A project's own details and stage: renamed, given a new manager, paused, resumed, closed.

use super::{CommandError, accepted, decide_and_append, load};
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use throughline_shared::api::{CommandAccepted, ProjectStageRequest, ReviseProjectRequest};
use throughline_shared::milestone::Milestone;
use throughline_shared::project::{Project, ProjectCommand, ProjectStage};
use throughline_shared::{DomainError, ProgramId, ProjectId};

use super::Loaded;

/// The project, if it is one of `program_id`'s (reached through another program's URL it does not
/// exist there), checked against the version the caller edited.
async fn project_in(
    store: &EventStore,
    program_id: ProgramId,
    project_id: ProjectId,
    expected_version: Option<i64>,
) -> Result<Loaded<Project>, CommandError> {
    let loaded = load::<Project>(store, project_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(
            DomainError::NotFound(format!("project {project_id} in program {program_id}")).into(),
        );
    }
    loaded.expecting("the project", expected_version)
}

pub async fn revise_project(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    project_id: ProjectId,
    request: ReviseProjectRequest,
) -> Result<CommandAccepted, CommandError> {
    let loaded = project_in(store, program_id, project_id, request.expected_version).await?;
    let command = ProjectCommand::Revise {
        name: request.name,
        manager: request.manager,
    };
    let events =
        decide_and_append(store, ctx, project_id.0, loaded, command, request.reason).await?;
    accepted(&events, program_id, Some(project_id))
}

/// Pauses, resumes or closes a project. Closing looks up its milestones still open (neither met
/// nor cancelled) from their own streams, so a milestone changed a moment ago counts as it is now.
pub async fn change_project_stage(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    project_id: ProjectId,
    request: ProjectStageRequest,
) -> Result<CommandAccepted, CommandError> {
    let loaded = project_in(store, program_id, project_id, request.expected_version).await?;
    let mut open_milestones = Vec::new();
    if request.stage == ProjectStage::Closed {
        for stream_id in super::schedule::milestone_streams(store, program_id).await? {
            let milestone = load::<Milestone>(store, stream_id).await?.state;
            if milestone.project_id == Some(project_id)
                && milestone.actual.is_none()
                && milestone.retired.is_none()
            {
                open_milestones.push(milestone.name);
            }
        }
        open_milestones.sort();
    }
    let command = ProjectCommand::ChangeStage {
        to: request.stage,
        reason: request.reason.clone(),
        open_milestones,
    };
    let events =
        decide_and_append(store, ctx, project_id.0, loaded, command, request.reason).await?;
    accepted(&events, program_id, Some(project_id))
}
