//! A program's objectives after its creation: added, revised and retired directly by the program
//! manager, unless the program's decision rights give objective changes to a forum (then refused
//! as `decision_required`, naming the decision to raise; its approval comes back through
//! `governance::effects`).
//!
//! Objectives live on the program's stream, but each counts its own version: a revision is
//! checked against the objective's version, and a race with any other change of the program
//! (a member granted, another objective revised) is decided again on the newer state — the
//! objective's version checked again — never refused for someone else's change.

use super::governance::{DirectChange, require_direct};
use super::{CommandError, accepted, decide_and_append, load};
use crate::event_store::{AppendError, EventStore};
use crate::request_context::RequestContext;
use throughline_shared::api::{CommandAccepted, ObjectiveEntry, ObjectivesResponse};
use throughline_shared::governance::requests::EffectRequest;
use throughline_shared::governance::rights::DecisionKind;
use throughline_shared::objective::{ObjectiveChange, target_days_moved};
use throughline_shared::program::{Program, ProgramCommand};
use throughline_shared::{DomainError, ObjectiveId, ProgramId};

const PROGRAM_RETRIES: usize = 5;

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

/// The decision a forum would take instead of a direct change: its question and effect.
fn as_decision(program: &Program, change: &ObjectiveChange) -> (String, EffectRequest) {
    let title = |id: ObjectiveId| {
        program
            .objectives
            .iter()
            .find(|o| o.objective_id == id)
            .map_or_else(|| id.to_string(), |o| o.title.clone())
    };
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
            },
        ),
        ObjectiveChange::Retire { objective_id } => (
            format!("Retire the objective “{}”?", title(*objective_id)),
            EffectRequest::RetireObjective {
                objective_id: *objective_id,
            },
        ),
    }
}

/// Adds, revises or retires an objective directly. `expected_version` is the objective's own
/// (for a revision or retirement).
pub async fn change_objective(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    change: ObjectiveChange,
    reason: String,
    expected_version: Option<i64>,
) -> Result<CommandAccepted, CommandError> {
    let mut attempt = 0;
    loop {
        let loaded = load::<Program>(store, program_id.0).await?;
        if !loaded.state.exists() {
            return Err(DomainError::NotFound(format!("program {program_id}")).into());
        }
        let objective_id = change.objective_id();
        let current = loaded.state.objective_version(objective_id);
        // A retired objective is refused as such below, whatever version the caller saw.
        let retired = loaded
            .state
            .retired_objectives
            .iter()
            .any(|o| o.objective_id == objective_id);
        if let Some(expected) = expected_version
            && expected != current
            && !retired
            && !matches!(change, ObjectiveChange::Add { .. })
        {
            return Err(CommandError::StaleVersion {
                what: "the objective",
                expected,
                current,
            });
        }
        // Decided here first (it is pure) so a change the domain refuses is refused as such,
        // before asking whether a forum would have to take it.
        loaded.state.decide(ProgramCommand::ChangeObjective {
            change: change.clone(),
            reason: reason.clone(),
        })?;
        let (question, effect) = as_decision(&loaded.state, &change);
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
        let command = ProgramCommand::ChangeObjective {
            change: change.clone(),
            reason: reason.clone(),
        };
        let loaded = loaded.at_this_version();
        match decide_and_append(
            store,
            ctx,
            program_id.0,
            loaded,
            command,
            Some(reason.clone()),
        )
        .await
        {
            Err(CommandError::Append(AppendError::Conflict { .. }))
                if attempt < PROGRAM_RETRIES =>
            {
                attempt += 1;
                tracing::debug!(%program_id, attempt, "program changed concurrently; deciding the objective change again");
            }
            Err(e) => return Err(e),
            Ok(events) => {
                let mut answer = accepted(&events, program_id, None)?;
                // Named by the objective, as a scope item is: the caller learns a new one's id.
                answer.stream_id = objective_id.0;
                answer.version = current.saturating_add(1);
                return Ok(answer);
            }
        }
    }
}
