//! Executive briefings: publishing one (the server generates its document as of the moment the
//! draft was read, adds the program manager's words and hashes the whole) and the cadence.

use super::{CommandError, accepted, decide_and_append, existing_program, load};
use crate::event_store::{EventStore, canonical_string};
use crate::queries::briefing::{DraftFailed, draft};
use crate::queries::program::ReadFailed;
use crate::request_context::RequestContext;
use sha2::{Digest, Sha256};
use throughline_shared::api::CommandAccepted;
use throughline_shared::briefing::requests::{BriefingPublishedResponse, PublishBriefingRequest};
use throughline_shared::briefing::{
    BriefingCommand, BriefingContent, BriefingEvent, Briefings, briefings_stream,
};
use throughline_shared::error::DomainError;
use throughline_shared::{DomainEvent, ProgramId};

/// Lowercase hex SHA-256 of the content's canonical JSON (keys sorted, no whitespace): what a
/// reader recomputes from the content to check a briefing against its event.
pub fn content_hash(content: &BriefingContent) -> Result<String, CommandError> {
    let value = serde_json::to_value(content)
        .map_err(|e| CommandError::Internal(format!("a briefing does not encode: {e}")))?;
    Ok(hex::encode(Sha256::digest(
        canonical_string(&value).as_bytes(),
    )))
}

pub async fn publish(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: PublishBriefingRequest,
) -> Result<BriefingPublishedResponse, CommandError> {
    existing_program(store, program_id, None).await?;
    let stream = briefings_stream(program_id);
    let loaded = load::<Briefings>(store, stream)
        .await?
        .expecting("the program's briefings", Some(request.expected_version))?;
    let document = match draft(store.pool(), program_id, request.as_of, request.day).await {
        Ok((document, _, _)) => document,
        Err(DraftFailed::NoProgram(p)) => {
            return Err(
                DomainError::Invalid(vec![throughline_shared::error::FieldError::new(
                    "as_of",
                    format!("the program did not exist at log position {p}"),
                )])
                .into(),
            );
        }
        Err(DraftFailed::Log(e) | DraftFailed::Read(ReadFailed::Log(e))) => return Err(e.into()),
        Err(DraftFailed::Read(ReadFailed::Stored(e))) => {
            return Err(CommandError::Internal(e.to_string()));
        }
    };
    let content = BriefingContent {
        document,
        narrative: request.narrative.trim().to_string(),
        highlights: request
            .highlights
            .iter()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .collect(),
    };
    let content_hash = content_hash(&content)?;
    let command = BriefingCommand::Publish {
        program_id,
        content: Box::new(content),
        content_hash,
    };
    let events = decide_and_append(store, ctx, stream, loaded, command, None).await?;
    // The events recorded: on a retry that decided again after a conflict, this publication's.
    let published = events.iter().find_map(|r| match r.decode() {
        Ok(DomainEvent::Briefing(BriefingEvent::BriefingPublished {
            number,
            content_hash,
            ..
        })) => Some(BriefingPublishedResponse {
            number,
            content_hash,
            position: r.position,
        }),
        _ => None,
    });
    published.ok_or_else(|| CommandError::Internal("a publication recorded no briefing".into()))
}

pub async fn set_cadence(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    every_days: u16,
) -> Result<CommandAccepted, CommandError> {
    existing_program(store, program_id, None).await?;
    let stream = briefings_stream(program_id);
    let loaded = load::<Briefings>(store, stream).await?;
    let command = BriefingCommand::SetCadence {
        program_id,
        every_days,
    };
    let events = decide_and_append(store, ctx, stream, loaded, command, None).await?;
    accepted(&events, program_id, None)
}
