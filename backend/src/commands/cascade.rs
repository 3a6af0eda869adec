//! Cascades: the moves a slip pushes downstream, proposed to their owners as one change set
//! (by the program manager or the slipped milestone's project manager), and each owner's answer.
//! An accepted or countered part is one append of two streams — the cascade's answer and the
//! milestone's forecast change — whose causation is the slip's event, so the audit trail
//! links every agreed move to the slip that caused it.

use super::{CommandError, Loaded, answer_for, load, stream_part};
use crate::event_store::{AppendError, AppendRequest, EventStore, StoreError};
use crate::queries::program::current_view;
use crate::request_context::RequestContext;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{AnswerMoveRequest, CommandAccepted, ProposeCascadeRequest};
use throughline_shared::cascade::{Cascade, CascadeCommand, CascadePart, PartAnswer, SlipRef};
use throughline_shared::date::add_days;
use throughline_shared::ids::{CascadeId, MilestoneId};
use throughline_shared::milestone::{Milestone, MilestoneCommand, MilestoneKind};
use throughline_shared::{DomainError, FieldError, ProgramId};
use uuid::Uuid;

const RETRIES: usize = 5;

/// Proposes the moves the slip at `slip_position` pushes onto milestones that still need them
/// (not met, still in the plan, forecast earlier than the slip pushes it, and not already
/// pending as far), from the plan as it is now.
pub async fn propose_cascade(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    request: ProposeCascadeRequest,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CommandAccepted, CommandError> {
    let view = current_view(store.pool(), program_id)
        .await
        .map_err(|e| CommandError::Unavailable(e.to_string()))?
        .ok_or_else(|| DomainError::NotFound(format!("program {program_id}")))?;
    let slip = view
        .slips
        .iter()
        .find(|s| s.position == request.slip_position)
        .ok_or_else(|| {
            DomainError::Invalid(vec![FieldError::new(
                "slip_position",
                "is not one of the program's recent slips",
            )])
        })?;
    let slipped = view.milestone(slip.milestone_id).ok_or_else(|| {
        refused(
            "slip_position",
            "the slipped milestone is no longer in the plan",
        )
    })?;
    // The program manager, or whoever manages the slipped milestone's project.
    if allow(ProgramAction::Edit).is_err() {
        allow(ProgramAction::ChangeSchedule(slipped.project_id))?;
    }
    let parts: Vec<CascadePart> = slip
        .moved
        .iter()
        .filter_map(|moved| {
            let m = view.milestone(moved.milestone)?;
            // Already proposed at least as far, and not answered yet: once is enough.
            let proposed = view
                .pending_moves
                .iter()
                .any(|p| p.milestone_id == moved.milestone && p.to >= moved.to);
            (m.actual.is_none() && m.forecast < moved.to && !proposed).then(|| {
                let days = throughline_shared::date::days_between(m.forecast, moved.to);
                CascadePart {
                    milestone_id: m.milestone_id,
                    project_id: m.project_id,
                    name: m.name.clone(),
                    from: m.forecast,
                    to: moved.to,
                    // A deliverable keeps its duration.
                    start: (m.kind == MilestoneKind::Deliverable)
                        .then(|| m.forecast_start.map(|s| add_days(s, days)))
                        .flatten(),
                }
            })
        })
        // The rest, not pending, can be proposed again once these are answered.
        .take(throughline_shared::cascade::PARTS_MAX)
        .collect();
    let cascade_id = CascadeId::from_uuid(ctx.event_ids().id(0).0);
    let loaded = load::<Cascade>(store, cascade_id.0).await?;
    let command = CascadeCommand::Propose {
        cascade_id,
        program_id,
        slip: SlipRef {
            milestone_id: slip.milestone_id,
            name: slipped.name.clone(),
            from: slip.from,
            to: slip.to,
            position: slip.position,
        },
        parts,
    };
    let events =
        super::decide_and_append(store, ctx, cascade_id.0, loaded, command, request.reason).await?;
    let mut answer = super::accepted(&events, program_id, None)?;
    answer.stream_id = cascade_id.0;
    Ok(answer)
}

fn refused(field: &str, message: &str) -> CommandError {
    DomainError::Invalid(vec![FieldError::new(field, message)]).into()
}

/// The cascade, if it is one of `program_id`'s.
async fn cascade_in(
    store: &EventStore,
    program_id: ProgramId,
    cascade_id: CascadeId,
) -> Result<Loaded<Cascade>, CommandError> {
    let loaded = load::<Cascade>(store, cascade_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(DomainError::NotFound(format!("cascade {cascade_id}")).into());
    }
    Ok(loaded)
}

/// The event id of the slip a cascade follows, so agreed moves name it as their cause.
async fn slip_event(store: &EventStore, program_id: ProgramId, position: i64) -> Option<Uuid> {
    sqlx::query_scalar("SELECT event_id FROM events WHERE position = $1 AND program_id = $2")
        .bind(position)
        .bind(program_id.0)
        .fetch_optional(store.pool())
        .await
        .map_err(StoreError::from)
        .ok()
        .flatten()
}

/// An owner's answer to their part: the cascade's event, and (unless declined) the milestone's
/// forecast change, in one append.
pub async fn answer_move(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    cascade_id: CascadeId,
    milestone_id: MilestoneId,
    request: AnswerMoveRequest,
    allow: impl Fn(ProgramAction) -> Result<(), CommandError>,
) -> Result<CommandAccepted, CommandError> {
    ctx.metadata_for(Some(request.reason.clone()))?;
    let ids = ctx.event_ids();
    let mut attempt = 0;
    loop {
        let cascade = cascade_in(store, program_id, cascade_id).await?;
        let part =
            cascade.state.part(milestone_id).cloned().ok_or_else(|| {
                DomainError::NotFound(format!("a move of milestone {milestone_id}"))
            })?;
        let milestone = load::<Milestone>(store, milestone_id.0).await?;
        // The milestone's owner answers: its project as it is now (it may have moved).
        let project_id = milestone
            .state
            .project_id
            .filter(|_| milestone.state.retired.is_none())
            .ok_or_else(|| {
                refused(
                    "milestone_id",
                    &format!("“{}” is no longer in the plan", part.name),
                )
            })?;
        allow(ProgramAction::ChangeSchedule(project_id))?;
        let forecast_now = milestone.state.forecast.unwrap_or(part.from);
        let cascade_events = cascade.state.decide(CascadeCommand::Answer {
            milestone_id,
            answer: request.answer,
            forecast_now,
            reason: request.reason.clone(),
        })?;
        let to = match request.answer {
            PartAnswer::Accept => Some(part.to),
            PartAnswer::Counter { to } => Some(to),
            PartAnswer::Decline => None,
        };
        let milestone_events = match to {
            Some(to) => {
                // The start keeps its distance to the finish as it is now.
                let days = throughline_shared::date::days_between(forecast_now, to);
                let start = milestone.state.forecast_start.map(|s| add_days(s, days));
                milestone
                    .state
                    .decide(MilestoneCommand::ChangeForecast { to, start })?
            }
            None => Vec::new(),
        };
        let slip = cascade.state.slip.as_ref().map_or(0, |s| s.position);
        let mut metadata = ctx.metadata(Some(request.reason.clone()));
        metadata.causation_id = slip_event(store, program_id, slip)
            .await
            .or(metadata.causation_id);
        let mut next_id = (0..).map(|i| ids.id(i));
        let mut streams = vec![stream_part(
            cascade_id.0,
            &cascade,
            &cascade_events,
            &mut next_id,
            &metadata,
        )];
        if !milestone_events.is_empty() {
            streams.push(stream_part(
                milestone_id.0,
                &milestone,
                &milestone_events,
                &mut next_id,
                &metadata,
            ));
        }
        match store.append(AppendRequest { streams }).await {
            Err(AppendError::Conflict { .. }) if attempt < RETRIES => {
                attempt += 1;
                tracing::debug!(%program_id, attempt, "a cascade or its milestone changed meanwhile; deciding again");
            }
            Err(e) => return Err(e.into()),
            Ok(recorded) => return answer_for(&recorded, cascade_id.0, program_id),
        }
    }
}
