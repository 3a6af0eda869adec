//! A program's strategic objectives after its creation: added, revised (title, KPI, target value,
//! target date) and retired, each with a reason, on the program's own stream so they show in its
//! audit trail and in every view of the past.
//!
//! Each objective counts its own version (its creation is 1, each revision one more), so an edit
//! of one objective never conflicts with another's, nor with the program's other changes. A
//! retired objective leaves the plan's objectives (its contributors' links to it are ignored) and
//! is kept in `Program::retired_objectives`. The program's decision rights may give objective
//! changes to a forum (`DecisionKind::ObjectiveChange`, sized by the days a target date moves);
//! the backend checks them before deciding, and an approved decision's effect comes back here.

use crate::error::{DomainError, NAME_MAX, TEXT_MAX, Validator};
use crate::ids::{ObjectiveId, ProgramId};
use crate::program::{ObjectiveDraft, ProgramEvent, StrategicObjective};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// The most objectives a program holds at once: a strategy, not a backlog.
pub const OBJECTIVES_MAX: usize = 50;

/// What is to happen to one objective.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ObjectiveChange {
    /// A new objective (its id chosen by the caller, so `decide` stays pure).
    Add {
        objective_id: ObjectiveId,
        terms: ObjectiveDraft,
    },
    /// Its terms as they should be from now on (all of them: absent ones are cleared).
    Revise {
        objective_id: ObjectiveId,
        terms: ObjectiveDraft,
    },
    Retire {
        objective_id: ObjectiveId,
    },
}

impl ObjectiveChange {
    pub fn objective_id(&self) -> ObjectiveId {
        match self {
            ObjectiveChange::Add { objective_id, .. }
            | ObjectiveChange::Revise { objective_id, .. }
            | ObjectiveChange::Retire { objective_id } => *objective_id,
        }
    }
}

/// An objective's terms, checked: title required, KPI and target value optional (blank is
/// none), the target date within the plan's bounds. `prefix` names the fields in errors.
pub(crate) fn checked_terms(
    v: &mut Validator,
    prefix: &str,
    objective_id: ObjectiveId,
    draft: ObjectiveDraft,
) -> StrategicObjective {
    let optional = |v: &mut Validator, field: &str, value: Option<String>| {
        value
            .map(|s| v.optional_text(&format!("{prefix}{field}"), &s, NAME_MAX))
            .filter(|s| !s.is_empty())
    };
    let title = v.required_text(&format!("{prefix}title"), &draft.title, NAME_MAX);
    let kpi = optional(v, "kpi", draft.kpi);
    let target_value = optional(v, "target_value", draft.target_value);
    v.optional_date(&format!("{prefix}target_date"), draft.target_date);
    StrategicObjective {
        objective_id,
        title,
        kpi,
        target_value,
        target_date: draft.target_date,
    }
}

/// The terms an objective has, as a draft (what a revision states and an event records).
pub fn terms_of(objective: &StrategicObjective) -> ObjectiveDraft {
    ObjectiveDraft {
        title: objective.title.clone(),
        kpi: objective.kpi.clone(),
        target_value: objective.target_value.clone(),
        target_date: objective.target_date,
    }
}

/// How far a change moves an objective's target date, in days either way: the size the decision
/// rights route it by (0 when the date stays; `DATE_SET_OR_CLEARED` when a date is set or
/// cleared). `None` for an addition, a retirement, or a revision of an objective without a date.
pub fn target_days_moved(
    objectives: &[StrategicObjective],
    change: &ObjectiveChange,
) -> Option<i64> {
    let ObjectiveChange::Revise {
        objective_id,
        terms,
    } = change
    else {
        return None;
    };
    let from = objectives
        .iter()
        .find(|o| o.objective_id == *objective_id)?
        .target_date;
    match (from, terms.target_date) {
        (Some(from), Some(to)) => Some(crate::governance::rights::days_moved(from, to)),
        (None, None) => None,
        // A target date set or cleared reaches every threshold: no size of move is smaller.
        _ => Some(crate::governance::rights::DATE_SET_OR_CLEARED),
    }
}

/// Decides a change to the program's objectives. `reason` is required: an objective moved
/// without one is what a steering committee later cannot explain.
pub fn decide_objective(
    program_id: ProgramId,
    objectives: &[StrategicObjective],
    retired: &[StrategicObjective],
    change: ObjectiveChange,
    reason: &str,
) -> Result<Vec<ProgramEvent>, DomainError> {
    let mut v = Validator::new();
    v.required_text("reason", reason, TEXT_MAX);
    let objective_id = change.objective_id();
    let current = objectives.iter().find(|o| o.objective_id == objective_id);
    if current.is_none() && !matches!(change, ObjectiveChange::Add { .. }) {
        v.finish()?;
        return Err(
            match retired.iter().find(|o| o.objective_id == objective_id) {
                Some(o) => DomainError::Invalid(vec![crate::FieldError::new(
                    "objective_id",
                    format!("“{}” was retired: add a new objective instead", o.title),
                )]),
                None => DomainError::NotFound(format!("objective {objective_id}")),
            },
        );
    }
    let duplicate = |v: &mut Validator, title: &str| {
        if objectives
            .iter()
            .any(|o| o.objective_id != objective_id && o.title.eq_ignore_ascii_case(title))
        {
            v.push(
                "title",
                "the program already has an objective with this title",
            );
        }
    };
    match change {
        ObjectiveChange::Add {
            objective_id,
            terms,
        } => {
            if current.is_some() || retired.iter().any(|o| o.objective_id == objective_id) {
                v.finish()?;
                return Err(DomainError::AlreadyExists(format!(
                    "objective {objective_id}"
                )));
            }
            if objectives.len() >= OBJECTIVES_MAX {
                v.push(
                    "objective",
                    format!(
                        "a program holds at most {OBJECTIVES_MAX} objectives: retire one first"
                    ),
                );
            }
            let objective = checked_terms(&mut v, "", objective_id, terms);
            duplicate(&mut v, &objective.title);
            v.finish()?;
            Ok(vec![ProgramEvent::ObjectiveAdded {
                program_id,
                objective,
            }])
        }
        ObjectiveChange::Revise {
            objective_id,
            terms,
        } => {
            let objective = checked_terms(&mut v, "", objective_id, terms);
            duplicate(&mut v, &objective.title);
            v.finish()?;
            let from = current.map(terms_of).unwrap_or_default();
            let to = terms_of(&objective);
            if from == to {
                return Err(DomainError::NothingToChange(
                    "the objective already has these terms".into(),
                ));
            }
            Ok(vec![ProgramEvent::ObjectiveRevised {
                program_id,
                objective_id,
                from,
                to,
            }])
        }
        ObjectiveChange::Retire { objective_id } => {
            v.finish()?;
            Ok(vec![ProgramEvent::ObjectiveRetired {
                program_id,
                objective_id,
                title: current.map(|o| o.title.clone()).unwrap_or_default(),
            }])
        }
    }
}

/// Folds an objective event into a program's objectives, retired ones and versions.
pub(crate) fn apply_objective(
    objectives: &mut Vec<StrategicObjective>,
    retired: &mut Vec<StrategicObjective>,
    versions: &mut BTreeMap<ObjectiveId, i64>,
    event: &ProgramEvent,
) {
    let bump = |versions: &mut BTreeMap<ObjectiveId, i64>, id: ObjectiveId| {
        let version = versions.entry(id).or_insert(0);
        *version = version.saturating_add(1);
    };
    match event {
        ProgramEvent::ObjectiveAdded { objective, .. } => {
            if !objectives
                .iter()
                .any(|o| o.objective_id == objective.objective_id)
            {
                objectives.push(objective.clone());
            }
            bump(versions, objective.objective_id);
        }
        ProgramEvent::ObjectiveRevised {
            objective_id, to, ..
        } => {
            if let Some(o) = objectives
                .iter_mut()
                .find(|o| o.objective_id == *objective_id)
            {
                o.title = to.title.clone();
                o.kpi = to.kpi.clone();
                o.target_value = to.target_value.clone();
                o.target_date = to.target_date;
            }
            bump(versions, *objective_id);
        }
        ProgramEvent::ObjectiveRetired { objective_id, .. } => {
            if let Some(i) = objectives
                .iter()
                .position(|o| o.objective_id == *objective_id)
            {
                retired.push(objectives.remove(i));
            }
            bump(versions, *objective_id);
        }
        _ => {}
    }
}

/// A target date's move in words, for the audit trail: "target date 30 Jun 2027 → 31 Aug 2027".
pub(crate) fn revision_words(from: &ObjectiveDraft, to: &ObjectiveDraft) -> String {
    let mut parts = Vec::new();
    if from.title != to.title {
        parts.push(format!("title “{}” → “{}”", from.title, to.title));
    }
    let text = |o: &Option<String>| o.clone().unwrap_or_else(|| "none".into());
    if from.kpi != to.kpi {
        parts.push(format!("KPI {} → {}", text(&from.kpi), text(&to.kpi)));
    }
    if from.target_value != to.target_value {
        parts.push(format!(
            "target {} → {}",
            text(&from.target_value),
            text(&to.target_value)
        ));
    }
    if from.target_date != to.target_date {
        let date = |d: Option<NaiveDate>| d.map_or_else(|| "none".into(), |d| d.to_string());
        parts.push(format!(
            "target date {} → {}",
            date(from.target_date),
            date(to.target_date)
        ));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use crate::program::{Program, ProgramCommand};
    use crate::{DomainError, FieldError};
    use uuid::Uuid;

    fn pid() -> ProgramId {
        ProgramId::from_uuid(Uuid::from_u128(1))
    }

    fn oid(n: u128) -> ObjectiveId {
        ObjectiveId::from_uuid(Uuid::from_u128(100 + n))
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, m, d).unwrap()
    }

    fn objective(n: u128, title: &str, date: Option<NaiveDate>) -> StrategicObjective {
        StrategicObjective {
            objective_id: oid(n),
            title: title.into(),
            kpi: Some("merchants live".into()),
            target_value: Some("10,000".into()),
            target_date: date,
        }
    }

    fn created() -> ProgramEvent {
        ProgramEvent::ProgramCreated {
            program_id: pid(),
            name: "Payments".into(),
            description: String::new(),
            sponsor: "Dana".into(),
            objectives: vec![objective(1, "Onboard merchants", Some(day(6, 30)))],
        }
    }

    fn change(change: ObjectiveChange, reason: &str) -> ProgramCommand {
        ProgramCommand::ChangeObjective {
            change,
            reason: reason.into(),
            expected_version: None,
        }
    }

    fn draft(title: &str, date: Option<NaiveDate>) -> ObjectiveDraft {
        ObjectiveDraft {
            title: title.into(),
            kpi: Some("merchants live".into()),
            target_value: Some("10,000".into()),
            target_date: date,
        }
    }

    #[test]
    fn an_objective_is_added_with_a_reason_and_counts_its_own_version() {
        let given = Given::<Program>::events(&[created()]);
        given
            .when(change(
                ObjectiveChange::Add {
                    objective_id: oid(2),
                    terms: ObjectiveDraft {
                        title: "  Cut cost per transaction ".into(),
                        kpi: Some(" ".into()),
                        target_value: None,
                        target_date: Some(day(12, 31)),
                    },
                },
                "The board added a cost goal",
            ))
            .then_events(vec![ProgramEvent::ObjectiveAdded {
                program_id: pid(),
                objective: StrategicObjective {
                    objective_id: oid(2),
                    title: "Cut cost per transaction".into(),
                    kpi: None,
                    target_value: None,
                    target_date: Some(day(12, 31)),
                },
            }]);
        let after = Given::<Program>::events(&[
            created(),
            ProgramEvent::ObjectiveAdded {
                program_id: pid(),
                objective: objective(2, "Cut cost", None),
            },
        ]);
        assert_eq!(after.objectives.len(), 2);
        assert_eq!(after.objective_version(oid(1)), 1);
        assert_eq!(after.objective_version(oid(2)), 1);
    }

    #[test]
    fn an_addition_without_a_reason_or_with_a_taken_title_is_refused() {
        Given::<Program>::events(&[created()])
            .when(change(
                ObjectiveChange::Add {
                    objective_id: oid(2),
                    terms: draft("onboard MERCHANTS", Some(day(2, 28))),
                },
                " ",
            ))
            .then_error(DomainError::Invalid(vec![
                FieldError::new("reason", "must not be empty"),
                FieldError::new(
                    "title",
                    "the program already has an objective with this title",
                ),
            ]));
    }

    #[test]
    fn a_revision_records_from_and_to_and_its_target_move_sizes_the_decision() {
        let given = Given::<Program>::events(&[created()]);
        let revision = ObjectiveChange::Revise {
            objective_id: oid(1),
            terms: draft("Onboard merchants", Some(day(8, 31))),
        };
        assert_eq!(target_days_moved(&given.objectives, &revision), Some(62));
        given
            .when(change(revision, "Acquirer certification moved"))
            .then_events(vec![ProgramEvent::ObjectiveRevised {
                program_id: pid(),
                objective_id: oid(1),
                from: draft("Onboard merchants", Some(day(6, 30))),
                to: draft("Onboard merchants", Some(day(8, 31))),
            }]);
        // The same terms again change nothing.
        Given::<Program>::events(&[created()])
            .when(change(
                ObjectiveChange::Revise {
                    objective_id: oid(1),
                    terms: draft("Onboard merchants", Some(day(6, 30))),
                },
                "no-op",
            ))
            .then_error(DomainError::NothingToChange(
                "the objective already has these terms".into(),
            ));
        // Words only: a move of no days; a date cleared (or set): as large as any threshold.
        let words = ObjectiveChange::Revise {
            objective_id: oid(1),
            terms: draft("Onboard more merchants", Some(day(6, 30))),
        };
        assert_eq!(target_days_moved(&given.objectives, &words), Some(0));
        let cleared = ObjectiveChange::Revise {
            objective_id: oid(1),
            terms: draft("Onboard merchants", None),
        };
        assert_eq!(
            target_days_moved(&given.objectives, &cleared),
            Some(crate::governance::rights::DATE_SET_OR_CLEARED)
        );
    }

    #[test]
    fn a_retired_objective_leaves_the_list_and_cannot_be_revised_or_retired_again() {
        let retired = ProgramEvent::ObjectiveRetired {
            program_id: pid(),
            objective_id: oid(1),
            title: "Onboard merchants".into(),
        };
        Given::<Program>::events(&[created()])
            .when(change(
                ObjectiveChange::Retire {
                    objective_id: oid(1),
                },
                "Merged into the cost objective",
            ))
            .then_events(vec![retired.clone()]);
        let given = Given::<Program>::events(&[created(), retired]);
        assert!(given.objectives.is_empty());
        assert_eq!(given.retired_objectives.len(), 1);
        assert_eq!(given.objective_version(oid(1)), 2);
        let refusal = DomainError::Invalid(vec![FieldError::new(
            "objective_id",
            "“Onboard merchants” was retired: add a new objective instead",
        )]);
        given
            .when(change(
                ObjectiveChange::Retire {
                    objective_id: oid(1),
                },
                "again",
            ))
            .then_error(refusal.clone());
        given
            .when(change(
                ObjectiveChange::Revise {
                    objective_id: oid(1),
                    terms: draft("Back", None),
                },
                "revive",
            ))
            .then_error(refusal);
        // Its id is not reused for a new one either.
        given
            .when(change(
                ObjectiveChange::Add {
                    objective_id: oid(1),
                    terms: draft("Back", None),
                },
                "revive",
            ))
            .then_error(DomainError::AlreadyExists(format!("objective {}", oid(1))));
        given
            .when(change(
                ObjectiveChange::Retire {
                    objective_id: oid(9),
                },
                "unknown",
            ))
            .then_error(DomainError::NotFound(format!("objective {}", oid(9))));
    }

    #[test]
    fn a_program_holds_a_bounded_number_of_objectives() {
        let mut events = vec![created()];
        for n in 2..=OBJECTIVES_MAX as u128 {
            events.push(ProgramEvent::ObjectiveAdded {
                program_id: pid(),
                objective: objective(n, &format!("Objective {n}"), None),
            });
        }
        Given::<Program>::events(&events)
            .when(change(
                ObjectiveChange::Add {
                    objective_id: oid(999),
                    terms: draft("One too many", None),
                },
                "more",
            ))
            .then_error(DomainError::Invalid(vec![FieldError::new(
                "objective",
                format!("a program holds at most {OBJECTIVES_MAX} objectives: retire one first"),
            )]));
    }

    #[test]
    fn a_revision_reads_in_words() {
        assert_eq!(
            revision_words(
                &draft("Onboard merchants", Some(day(6, 30))),
                &ObjectiveDraft {
                    title: "Onboard merchants".into(),
                    kpi: None,
                    target_value: Some("12,000".into()),
                    target_date: Some(day(8, 31)),
                }
            ),
            "KPI merchants live → none, target 10,000 → 12,000, target date 2027-06-30 → 2027-08-31"
        );
    }
}
