//! What an approved decision changes elsewhere: each effect decided against its target (a
//! milestone, the dependency register, an earlier decision) as it is now.

use super::decisions::decision_in;
use crate::commands::{CommandError, Loaded, load};
use crate::event_store::EventStore;
use throughline_shared::aggregate::Aggregate;
use throughline_shared::dependency::{DependencyCommand, DependencyRegister, register_stream_id};
use throughline_shared::event::{AggregateEvent, EncodedEvent};
use throughline_shared::governance::decision::{DecisionCommand, ProposedEffect};
use throughline_shared::governance::rights::days_moved;
use throughline_shared::ids::{DecisionId, MilestoneId};
use throughline_shared::milestone::{Milestone, MilestoneCommand};
use throughline_shared::objective::{ObjectiveChange, target_days_moved};
use throughline_shared::program::{Program, ProgramCommand, ProgramEvent};
use throughline_shared::raid::risk::{ResponseStrategy, Risk, RiskCommand};
use throughline_shared::{DomainError, FieldError, ProgramId};
use uuid::Uuid;

async fn milestone_in(
    store: &EventStore,
    program_id: ProgramId,
    effect: usize,
    milestone_id: MilestoneId,
) -> Result<Loaded<Milestone>, CommandError> {
    let loaded = load::<Milestone>(store, milestone_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(DomainError::Invalid(vec![FieldError::new(
            format!("effects[{effect}].milestone_id"),
            "is not a milestone of this program",
        )])
        .into());
    }
    Ok(loaded)
}

/// Prefixes the field names of a refused effect so the caller sees which effect it was.
fn in_effect(i: usize, e: DomainError) -> CommandError {
    match e {
        DomainError::Invalid(fields) => DomainError::Invalid(
            fields
                .into_iter()
                .map(|f| FieldError::new(format!("effects[{i}].{}", f.field), f.message))
                .collect(),
        )
        .into(),
        DomainError::NothingToChange(m) | DomainError::NotFound(m) => {
            DomainError::Invalid(vec![FieldError::new(format!("effects[{i}]"), m)]).into()
        }
        other => other.into(),
    }
}

/// What an effect would append to its target, decided against the target as it is now.
pub(super) struct EffectAppend {
    pub stream_id: Uuid,
    pub stream_type: &'static str,
    pub version: i64,
    /// The version of what the effect changes, compared with the one it was raised against:
    /// the stream's, except for an objective, which counts its own on the program's stream.
    pub current: i64,
    pub events: Vec<EncodedEvent>,
    /// The effect's size, for routing a decision raised without one: for a re-baseline, how
    /// many days the milestone's baseline (or forecast) moves; for a risk acceptance, the risk's
    /// score; for an objective's revision, how many days its target date moves.
    pub magnitude: Option<i64>,
}

fn decided<A: Aggregate>(
    i: usize,
    stream_id: Uuid,
    loaded: &Loaded<A>,
    command: A::Command,
) -> Result<EffectAppend, CommandError> {
    let events = loaded.state.decide(command).map_err(|e| in_effect(i, e))?;
    Ok(EffectAppend {
        stream_id,
        stream_type: A::Event::STREAM_TYPE,
        version: loaded.version,
        current: loaded.version,
        events: events.iter().map(AggregateEvent::encode).collect(),
        magnitude: None,
    })
}

/// The program as a decision's effects leave it so far: effects on its objectives are decided one
/// after the other on it (two additions of one title, or one past the most a program holds, are
/// refused), then appended as one part at the version it was loaded at.
#[derive(Default)]
pub(super) struct Batch {
    program: Option<Loaded<Program>>,
}

/// Decides what `effect` appends on approval, and the version of its target now.
pub(super) async fn effect_append(
    store: &EventStore,
    program_id: ProgramId,
    i: usize,
    effect: &ProposedEffect,
    reason: &str,
    decision_id: DecisionId,
    batch: &mut Batch,
) -> Result<EffectAppend, CommandError> {
    match effect {
        ProposedEffect::Rebaseline {
            milestone_id, to, ..
        } => {
            let loaded = milestone_in(store, program_id, i, *milestone_id).await?;
            let from = loaded.state.baseline.or(loaded.state.forecast);
            let command = MilestoneCommand::Baseline {
                to: Some(*to),
                reason: Some(reason.to_string()),
            };
            let mut append = decided(i, milestone_id.0, &loaded, command)?;
            append.magnitude = from.map(|from| days_moved(from, *to));
            Ok(append)
        }
        ProposedEffect::CancelDependency { dependency_id, .. } => {
            let stream = register_stream_id(program_id);
            let loaded = load::<DependencyRegister>(store, stream).await?;
            let command = DependencyCommand::Cancel {
                dependency_id: *dependency_id,
                reason: Some(reason.to_string()),
            };
            decided(i, stream, &loaded, command)
        }
        ProposedEffect::AcceptRisk { risk_id, .. } => {
            let loaded = load::<Risk>(store, risk_id.0).await?;
            if loaded.state.program_id != Some(program_id) {
                return Err(in_effect(
                    i,
                    DomainError::NotFound(format!("risk {risk_id}")),
                ));
            }
            let command = RiskCommand::Respond {
                strategy: ResponseStrategy::Accept,
                reason: reason.to_string(),
                appetite: None,
                decision_id: Some(decision_id),
            };
            let mut append = decided(i, risk_id.0, &loaded, command)?;
            append.magnitude = loaded.state.inherent.map(|a| i64::from(a.score()));
            Ok(append)
        }
        ProposedEffect::ChangeObjective {
            objective_id,
            terms,
            objective_version,
        } => {
            let loaded = match batch.program.take() {
                Some(loaded) => loaded,
                None => load::<Program>(store, program_id.0).await?,
            };
            let change = match terms {
                None => ObjectiveChange::Retire {
                    objective_id: *objective_id,
                },
                // An addition is raised against version 0: the objective does not exist yet.
                Some(terms) if *objective_version == 0 => ObjectiveChange::Add {
                    objective_id: *objective_id,
                    terms: terms.clone(),
                },
                Some(terms) => ObjectiveChange::Revise {
                    objective_id: *objective_id,
                    terms: terms.clone(),
                },
            };
            let magnitude = target_days_moved(&loaded.state.objectives, &change);
            let current = loaded.state.objective_version(*objective_id);
            let command = ProgramCommand::ChangeObjective {
                change,
                reason: reason.to_string(),
                expected_version: None,
            };
            let events = loaded.state.decide(command).map_err(|e| in_effect(i, e))?;
            let mut state = loaded.state;
            for event in &events {
                state.apply(event);
            }
            let append = EffectAppend {
                stream_id: program_id.0,
                stream_type: ProgramEvent::STREAM_TYPE,
                version: loaded.version,
                current,
                events: events.iter().map(AggregateEvent::encode).collect(),
                magnitude,
            };
            batch.program = Some(Loaded {
                state,
                version: loaded.version,
                pinned: loaded.pinned,
            });
            Ok(append)
        }
        ProposedEffect::Supersede {
            decision_id: earlier,
            ..
        } => {
            let loaded = decision_in(store, program_id, *earlier)
                .await
                .map_err(|_| in_effect(i, DomainError::NotFound(format!("decision {earlier}"))))?;
            decided(
                i,
                earlier.0,
                &loaded,
                DecisionCommand::Supersede { by: decision_id },
            )
        }
    }
}
