//! The governance charter: forums, decision rights and the escalation path.

use super::charter_of;
use crate::commands::{CommandError, accepted, decide_and_append};
use crate::event_store::{EventStore, StoreError};
use crate::request_context::RequestContext;
use throughline_shared::api::CommandAccepted;
use throughline_shared::governance::charter::{
    CharterCommand, ForumDraft, RightDraft, charter_stream,
};
use throughline_shared::governance::forum::ForumRules;
use throughline_shared::governance::requests::{
    DecisionRightsRequest, EscalationPathRequest, SaveForumRequest,
};
use throughline_shared::ids::ForumId;
use throughline_shared::{DomainError, ProgramId, UserId};
use uuid::Uuid;

async fn charter_command(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    expected_version: Option<i64>,
    command: CharterCommand,
) -> Result<CommandAccepted, CommandError> {
    let loaded = charter_of(store, program_id).await?;
    let loaded = loaded.expecting("the governance charter", expected_version)?;
    let events = decide_and_append(
        store,
        ctx,
        charter_stream(program_id),
        loaded,
        command,
        None,
    )
    .await?;
    accepted(&events, program_id, None)
}

/// Establishes a forum (`forum_id` absent) or revises one.
pub async fn save_forum(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    forum_id: Option<ForumId>,
    request: SaveForumRequest,
) -> Result<CommandAccepted, CommandError> {
    if let Some(id) = forum_id {
        let charter = charter_of(store, program_id).await?;
        if charter.state.forum(id).is_none() {
            return Err(DomainError::NotFound(format!("forum {id}")).into());
        }
    }
    let mut ids: Vec<Uuid> = std::iter::once(request.chair)
        .chain(request.members.iter().copied())
        .map(|u| u.0)
        .collect();
    ids.dedup();
    // Only people with a role in the program can sit on its forums.
    let named: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT DISTINCT u.user_id, u.display_name FROM users u \
         JOIN program_members m ON m.user_id = u.user_id \
         WHERE m.program_id = $1 AND u.user_id = ANY($2) AND u.active",
    )
    .bind(program_id.0)
    .bind(&ids)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    let people = ids
        .iter()
        .map(|id| {
            let name = named.iter().find(|(u, _)| u == id).map(|(_, n)| n.clone());
            (UserId(*id), name)
        })
        .collect();
    let forum_id = forum_id.unwrap_or_else(|| ForumId::from_uuid(Uuid::new_v4()));
    let command = CharterCommand::SaveForum {
        program_id,
        forum_id,
        draft: ForumDraft {
            name: request.name,
            purpose: request.purpose,
            rules: ForumRules {
                chair: request.chair,
                members: request.members,
                quorum: request.quorum,
                cadence: request.cadence,
                first_session: request.first_session,
                decision_sla_days: request.decision_sla_days,
            },
            people,
        },
    };
    let mut accepted =
        charter_command(store, ctx, program_id, request.expected_version, command).await?;
    accepted.stream_id = forum_id.0;
    Ok(accepted)
}

pub async fn set_decision_rights(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: DecisionRightsRequest,
) -> Result<CommandAccepted, CommandError> {
    let rights = request
        .rights
        .into_iter()
        .map(|r| RightDraft {
            kind: r.kind,
            threshold: r.threshold,
            forum_id: r.forum_id,
        })
        .collect();
    let command = CharterCommand::SetDecisionRights { program_id, rights };
    charter_command(store, ctx, program_id, request.expected_version, command).await
}

pub async fn set_escalation_path(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: EscalationPathRequest,
) -> Result<CommandAccepted, CommandError> {
    let command = CharterCommand::SetEscalationPath {
        program_id,
        levels: request.levels,
    };
    charter_command(store, ctx, program_id, request.expected_version, command).await
}
