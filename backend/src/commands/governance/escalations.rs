//! Escalations: raised against an item of the program, moved up the charter's path by hand or
//! when their response time runs out, resolved.

use super::charter_of;
use crate::commands::{CommandError, Loaded, accepted, decide_and_append, load};
use crate::event_store::{AppendError, EventStore, StoreError};
use crate::queries::raid::raid_view;
use crate::request_context::RequestContext;
use chrono::{DateTime, Utc};
use throughline_shared::api::CommandAccepted;
use throughline_shared::event::AggregateEvent;
use throughline_shared::governance::charter::{Charter, charter_stream};
use throughline_shared::governance::escalation::{
    Escalation, EscalationCommand, EscalationEvent, ItemRef,
};
use throughline_shared::governance::requests::{EscalateRequest, EscalationStepRequest};
use throughline_shared::ids::EscalationId;
use throughline_shared::raid::escalation::due_escalations;
use throughline_shared::raid::risk::RiskEvent;
use throughline_shared::view::ProgramView;
use throughline_shared::{DomainError, FieldError, ProgramId};
use uuid::Uuid;

/// What an escalated item is called: from the program as it is now, or for a decision or a risk
/// (which the program view does not hold) the name the route looked up.
fn subject_label(
    view: &ProgramView,
    looked_up: Option<String>,
    subject: ItemRef,
) -> Option<String> {
    match subject {
        ItemRef::Milestone(id) => view.milestone(id).map(|m| m.name.clone()),
        ItemRef::Project(id) => view.project(id).map(|p| p.name.clone()),
        ItemRef::Dependency(id) => view.dependency(id).map(|d| {
            let name = |m| {
                view.milestone(m)
                    .map_or("?", |m| m.name.as_str())
                    .to_string()
            };
            format!("{} → {}", name(d.provider), name(d.consumer))
        }),
        ItemRef::Decision(_) | ItemRef::Risk(_) => looked_up,
    }
}

pub async fn escalate(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    view: &ProgramView,
    looked_up: Option<String>,
    request: EscalateRequest,
    now: DateTime<Utc>,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let Some(label) = subject_label(view, looked_up, request.subject) else {
        return Err(DomainError::Invalid(vec![FieldError::new(
            "subject",
            "is not an item of this program",
        )])
        .into());
    };
    let escalation_id = EscalationId::from_uuid(Uuid::new_v4());
    let loaded = load::<Escalation>(store, escalation_id.0).await?;
    let command = EscalationCommand::Raise {
        escalation_id,
        program_id,
        subject: request.subject,
        subject_label: label,
        reason: request.reason,
        levels: charter.state.escalation_path.clone(),
        now,
    };
    let events = decide_and_append(store, ctx, escalation_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

async fn escalation_in(
    store: &EventStore,
    program_id: ProgramId,
    escalation_id: EscalationId,
) -> Result<Loaded<Escalation>, CommandError> {
    let loaded = load::<Escalation>(store, escalation_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(DomainError::NotFound(format!(
            "escalation {escalation_id} in program {program_id}"
        ))
        .into());
    }
    Ok(loaded)
}

/// Moves an escalation up (`resolve` false) or resolves it.
pub async fn escalation_step(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    escalation_id: EscalationId,
    resolve: bool,
    request: EscalationStepRequest,
    now: DateTime<Utc>,
) -> Result<CommandAccepted, CommandError> {
    let loaded = escalation_in(store, program_id, escalation_id).await?;
    let loaded = loaded.expecting("the escalation", request.expected_version)?;
    let command = if resolve {
        EscalationCommand::Resolve {
            resolution: request.text,
        }
    } else {
        EscalationCommand::MoveUp {
            reason: request.text,
            now,
        }
    };
    let events = decide_and_append(store, ctx, escalation_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// The scheduled SLA check: moves every open escalation whose response time has run out by `now`
/// one level up. Safe to run on several instances at once and again after a restart: each step
/// is appended expecting the version it was decided on, so of two instances moving the same
/// escalation only one succeeds; the other's conflict is expected and ignored. Returns how many
/// escalations this call moved.
pub async fn check_escalations(
    store: &EventStore,
    now: DateTime<Utc>,
) -> Result<usize, CommandError> {
    let streams: Vec<Uuid> = sqlx::query_scalar(
        "SELECT s.stream_id FROM streams s WHERE s.stream_type = $1 \
         AND NOT EXISTS (SELECT 1 FROM events e \
                         WHERE e.stream_id = s.stream_id AND e.event_type = 'EscalationResolved') \
         ORDER BY s.stream_id",
    )
    .bind(EscalationEvent::STREAM_TYPE)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    let ctx = RequestContext::system("escalation-sla-check");
    let mut moved = 0;
    for stream in streams {
        // At this version: racing instances must move it once, not once each.
        let loaded = load::<Escalation>(store, stream).await?.at_this_version();
        if !loaded.state.is_overdue(now) {
            continue;
        }
        match decide_and_append(
            store,
            &ctx,
            stream,
            loaded,
            EscalationCommand::CheckSla { now },
            None,
        )
        .await
        {
            Ok(_) => moved += 1,
            // At the top of its path: flagged as overdue, nowhere further to go.
            Err(CommandError::Domain(DomainError::NothingToChange(_))) => {}
            // Another instance moved it first.
            Err(CommandError::Append(AppendError::Conflict { .. })) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(moved)
}

/// Raises the escalations the RAID registers call for (`raid::escalation::due_escalations`: stale
/// risks, overdue treatment actions, scores crossing the appetite), in every program that has an
/// escalation path. Each escalation's id is derived from its risk and key, and is appended only
/// if its stream does not exist yet: instances checking at once, or again after a restart, raise
/// it once. Returns how many this call raised.
pub async fn escalate_from_registers(
    store: &EventStore,
    now: DateTime<Utc>,
) -> Result<usize, CommandError> {
    let programs: Vec<Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT program_id FROM streams \
         WHERE stream_type = $1 AND program_id IS NOT NULL ORDER BY program_id",
    )
    .bind(RiskEvent::STREAM_TYPE)
    .fetch_all(store.pool())
    .await
    .map_err(StoreError::from)?;
    let ctx = RequestContext::system("raid-check");
    let mut raised = 0;
    for program in programs {
        let program_id = ProgramId::from_uuid(program);
        let charter = load::<Charter>(store, charter_stream(program_id)).await?;
        if charter.state.escalation_path.is_empty() {
            continue;
        }
        let raid = raid_view(store.pool(), program_id, i64::MAX).await?;
        for due in due_escalations(&raid, now.date_naive()) {
            let scope = if due.group { program } else { due.risk_id.0 };
            let escalation_id = EscalationId::from_uuid(Uuid::new_v5(&scope, due.key.as_bytes()));
            let loaded = load::<Escalation>(store, escalation_id.0)
                .await?
                .at_this_version();
            if loaded.state.id.is_some() {
                continue;
            }
            let command = EscalationCommand::Raise {
                escalation_id,
                program_id,
                subject: ItemRef::Risk(due.risk_id),
                subject_label: due.label,
                reason: due.reason,
                levels: charter.state.escalation_path.clone(),
                now,
            };
            match decide_and_append(store, &ctx, escalation_id.0, loaded, command, None).await {
                Ok(_) => raised += 1,
                // Another instance raised it first.
                Err(CommandError::Append(AppendError::Conflict { .. })) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(raised)
}
