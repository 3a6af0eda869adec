//! A program's scope (what is in, what is out, and why) and its phase. Both are the program
//! manager's to set, recorded on the program's own stream so they show in its audit trail and
//! in every view of the past.

use crate::error::{DomainError, NAME_MAX, TEXT_MAX, Validator};
use crate::ids::{ProgramId, ScopeItemId};
use crate::program::ProgramEvent;
use serde::{Deserialize, Serialize};

/// Where the program is in its life. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProgramPhase {
    Initiation,
    Planning,
    Delivery,
    Closing,
    Closed,
}

impl ProgramPhase {
    pub const ALL: [ProgramPhase; 5] = [
        ProgramPhase::Initiation,
        ProgramPhase::Planning,
        ProgramPhase::Delivery,
        ProgramPhase::Closing,
        ProgramPhase::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ProgramPhase::Initiation => "Initiation",
            ProgramPhase::Planning => "Planning",
            ProgramPhase::Delivery => "Delivery",
            ProgramPhase::Closing => "Closing",
            ProgramPhase::Closed => "Closed",
        }
    }
}

/// One statement of scope: something the program will (or will not) deliver.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScopeItem {
    pub scope_item_id: ScopeItemId,
    pub title: String,
    pub in_scope: bool,
    /// Why it is in (or out).
    pub rationale: String,
}

/// Record a new scope item, or move an existing one in or out (a rationale is always needed:
/// scope without a reason is what programs later argue about).
pub fn decide_scope(
    program_id: ProgramId,
    scope: &[ScopeItem],
    scope_item_id: ScopeItemId,
    title: Option<String>,
    in_scope: bool,
    rationale: String,
) -> Result<Vec<ProgramEvent>, DomainError> {
    let mut v = Validator::new();
    let rationale = v.required_text("rationale", &rationale, TEXT_MAX);
    match scope.iter().find(|s| s.scope_item_id == scope_item_id) {
        None => {
            let title = v.required_text("title", title.as_deref().unwrap_or(""), NAME_MAX);
            if scope.iter().any(|s| s.title.eq_ignore_ascii_case(&title)) {
                v.push("title", "the scope already has an item with this title");
            }
            v.finish()?;
            Ok(vec![ProgramEvent::ScopeItemRecorded {
                program_id,
                scope_item_id,
                title,
                in_scope,
                rationale,
            }])
        }
        Some(existing) => {
            v.finish()?;
            if existing.in_scope == in_scope && existing.rationale == rationale {
                return Err(DomainError::NothingToChange(format!(
                    "“{}” is already {} scope for that reason",
                    existing.title,
                    if in_scope { "in" } else { "out of" }
                )));
            }
            Ok(vec![ProgramEvent::ScopeItemRevised {
                program_id,
                scope_item_id,
                in_scope,
                rationale,
            }])
        }
    }
}

pub fn apply_scope(scope: &mut Vec<ScopeItem>, event: &ProgramEvent) {
    match event {
        ProgramEvent::ScopeItemRecorded {
            scope_item_id,
            title,
            in_scope,
            rationale,
            ..
        } => scope.push(ScopeItem {
            scope_item_id: *scope_item_id,
            title: title.clone(),
            in_scope: *in_scope,
            rationale: rationale.clone(),
        }),
        ProgramEvent::ScopeItemRevised {
            scope_item_id,
            in_scope,
            rationale,
            ..
        } => {
            if let Some(item) = scope.iter_mut().find(|s| s.scope_item_id == *scope_item_id) {
                item.in_scope = *in_scope;
                item.rationale = rationale.clone();
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Program, ProgramCommand};
    use crate::{DomainError, FieldError};
    use uuid::Uuid;

    fn program() -> Program {
        let mut p = Program::default();
        p.apply(&ProgramEvent::ProgramCreated {
            program_id: ProgramId::from_uuid(Uuid::from_u128(1)),
            name: "Payments".into(),
            description: String::new(),
            sponsor: "Dana".into(),
            objectives: vec![],
        });
        p
    }

    fn item(n: u128) -> ScopeItemId {
        ScopeItemId::from_uuid(Uuid::from_u128(100 + n))
    }

    fn when(p: &mut Program, command: ProgramCommand) -> Result<Vec<ProgramEvent>, DomainError> {
        let events = p.decide(command)?;
        events.iter().for_each(|e| p.apply(e));
        Ok(events)
    }

    #[test]
    fn scope_items_need_a_rationale_and_move_in_and_out_with_one() {
        let mut p = program();
        let set = |id, title: Option<&str>, in_scope, rationale: &str| ProgramCommand::SetScope {
            scope_item_id: id,
            title: title.map(str::to_string),
            in_scope,
            rationale: rationale.into(),
        };
        assert_eq!(
            when(&mut p, set(item(1), Some("Crypto payments"), false, " ")).unwrap_err(),
            DomainError::Invalid(vec![FieldError::new("rationale", "must not be empty")])
        );
        when(
            &mut p,
            set(
                item(1),
                Some("Crypto payments"),
                false,
                "No regulatory approval",
            ),
        )
        .unwrap();
        assert!(matches!(
            when(&mut p, set(item(2), Some("crypto PAYMENTS"), true, "again")),
            Err(DomainError::Invalid(_))
        ));
        let revised = when(
            &mut p,
            set(item(1), None, true, "Approved by the regulator"),
        )
        .unwrap();
        assert!(matches!(
            revised[0],
            ProgramEvent::ScopeItemRevised { in_scope: true, .. }
        ));
        assert_eq!(p.scope.len(), 1);
        assert!(p.scope[0].in_scope);
        assert!(matches!(
            when(
                &mut p,
                set(item(1), None, true, "Approved by the regulator")
            ),
            Err(DomainError::NothingToChange(_))
        ));
    }

    #[test]
    fn the_phase_moves_and_records_where_it_came_from() {
        let mut p = program();
        let events = when(
            &mut p,
            ProgramCommand::ChangePhase {
                to: ProgramPhase::Planning,
            },
        )
        .unwrap();
        assert!(matches!(
            events[0],
            ProgramEvent::ProgramPhaseChanged {
                from: None,
                to: ProgramPhase::Planning,
                ..
            }
        ));
        let events = when(
            &mut p,
            ProgramCommand::ChangePhase {
                to: ProgramPhase::Delivery,
            },
        )
        .unwrap();
        assert!(matches!(
            events[0],
            ProgramEvent::ProgramPhaseChanged {
                from: Some(ProgramPhase::Planning),
                to: ProgramPhase::Delivery,
                ..
            }
        ));
        assert!(matches!(
            when(
                &mut p,
                ProgramCommand::ChangePhase {
                    to: ProgramPhase::Delivery
                }
            ),
            Err(DomainError::NothingToChange(_))
        ));
    }
}
