//! A program's objectives after its creation: added, revised and retired directly by the program
//! manager, unless the program's decision rights give objective changes to a forum (then refused
//! as `decision_required`, naming the decision to raise; its approval comes back through
//! `governance::effects`).
//!
//! Objectives live on the program's stream, but each counts its own version: a revision is
//! checked (by the domain) against the objective's version, and a race with any other change of
//! the program (a member granted, another objective revised) is decided again on the newer state
//! — the objective's version checked again — never refused for someone else's change.

use super::governance::{DirectChange, require_direct};
use super::{CommandError, accepted, decide_and_append, load};
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use throughline_shared::api::{CommandAccepted, ObjectiveEntry, ObjectivesResponse};
use throughline_shared::governance::requests::EffectRequest;
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::objective::{ObjectiveChange, target_days_moved};
use throughline_shared::program::{Program, ProgramCommand};
use throughline_shared::{DomainError, ObjectiveId, ProgramId};

/// The program's objectives now, each with its own version.
pub async fn objectives(
    store: &EventStore,
    program_id: ProgramId,
) -> Result<ObjectivesResponse, CommandError> {
    let program = load::<Program>(store, program_id.0).await?.state;
    if !program.exists() {
        return Err(DomainError::NotFound(format!("program {program_id}")).into());
    }
    Ok(ObjectivesResponse {
        objectives: program
            .objectives
            .iter()
            .map(|o| ObjectiveEntry {
                objective: o.clone(),
                version: program.objective_version(o.objective_id),
            })
            .collect(),
        retired: program.retired_objectives.clone(),
    })
}

/// The decision a forum would take instead of a direct change: its question and effect, against
/// the objective's version the change was made from.
fn as_decision(
    program: &Program,
    change: &ObjectiveChange,
    expected_version: Option<i64>,
) -> (String, EffectRequest) {
    let title = |id: ObjectiveId| {
        program
            .objectives
            .iter()
            .find(|o| o.objective_id == id)
            .map_or_else(|| id.to_string(), |o| o.title.clone())
    };
    let version = |id| expected_version.or(Some(program.objective_version(id)));
    match change {
        ObjectiveChange::Add { terms, .. } => (
            format!("Add the objective “{}”?", terms.title.trim()),
            EffectRequest::AddObjective {
                terms: terms.clone(),
            },
        ),
        ObjectiveChange::Revise {
            objective_id,
            terms,
        } => (
            format!("Revise the objective “{}”?", title(*objective_id)),
            EffectRequest::ReviseObjective {
                objective_id: *objective_id,
                terms: terms.clone(),
                expected_version: version(*objective_id),
            },
        ),
        ObjectiveChange::Retire { objective_id } => (
            format!("Retire the objective “{}”?", title(*objective_id)),
            EffectRequest::RetireObjective {
                objective_id: *objective_id,
                expected_version: version(*objective_id),
            },
        ),
    }
}

/// Adds, revises or retires an objective directly. `expected_version` is the objective's own
/// (for a revision or retirement), checked by the domain on every attempt: a race with another
/// change of the program is decided again, never a reason to overwrite the objective.
pub async fn change_objective(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    change: ObjectiveChange,
    reason: String,
    expected_version: Option<i64>,
) -> Result<CommandAccepted, CommandError> {
    let loaded = load::<Program>(store, program_id.0).await?;
    if !loaded.state.exists() {
        return Err(DomainError::NotFound(format!("program {program_id}")).into());
    }
    let objective_id = change.objective_id();
    let command = ProgramCommand::ChangeObjective {
        change: change.clone(),
        reason: reason.clone(),
        expected_version,
    };
    // Decided here first (it is pure) so a change the domain refuses is refused as such, before
    // asking whether a forum would have to take it.
    loaded.state.decide(command.clone())?;
    let (question, effect) = as_decision(&loaded.state, &change, expected_version);
    require_direct(
        store,
        program_id,
        DirectChange {
            kind: DecisionKind::ObjectiveChange,
            magnitude: target_days_moved(&loaded.state.objectives, &change),
            question,
            effect,
        },
    )
    .await?;
    let events = decide_and_append(store, ctx, program_id.0, loaded, command, Some(reason)).await?;
    let mut answer = accepted(&events, program_id, None)?;
    // Named by the objective, as a scope item is: the caller learns a new one's id and its
    // version now.
    answer.stream_id = objective_id.0;
    answer.version = load::<Program>(store, program_id.0)
        .await?
        .state
        .objective_version(objective_id);
    Ok(answer)
}
