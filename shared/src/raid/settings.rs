//! The program's RAID settings: its risk appetite and its risk categories. One stream per program
//! (id `UUIDv5(program, "raid-settings")`), set by the program manager.

use super::{Assessment, IMPACT_DAYS_MAX};
use crate::analysis::DependencyStatus;
use crate::error::{DomainError, NAME_MAX, TEXT_MAX, Validator};
use crate::event::AggregateEvent;
use crate::ids::{DependencyId, ProgramId};
use crate::money::Money;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn settings_stream(program_id: ProgramId) -> Uuid {
    Uuid::new_v5(&program_id.0, b"raid-settings")
}

/// The categories a program has until its manager sets its own.
pub const DEFAULT_CATEGORIES: [&str; 7] = [
    "Schedule",
    "Cost",
    "Technical",
    "Vendor",
    "Resource",
    "Regulatory",
    "Scope",
];

pub const CATEGORIES_MAX: usize = 50;

/// How much risk the program will carry without a decision: a score, and where set, the expected
/// slip and expected cost of one risk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appetite {
    /// 1–25: a risk scoring above it is above appetite.
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 25))]
    pub score: u8,
    /// Expected slip (probability × days) above which a risk is above appetite.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3650))]
    pub schedule_days: Option<u16>,
    /// Expected cost above which a risk is above appetite (compared in this currency only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
}

impl Appetite {
    /// Why `assessment` is above this appetite, in words; `None` when within it.
    pub fn exceeded_by(&self, assessment: &Assessment) -> Option<String> {
        let score = assessment.score();
        if score > self.score {
            return Some(format!(
                "its score {score} is above the appetite of {}",
                self.score
            ));
        }
        if let (Some(limit), Some(expected)) = (self.schedule_days, assessment.expected_days())
            && expected > u32::from(limit)
        {
            return Some(format!(
                "its expected slip of {expected} days is above the appetite of {limit} days"
            ));
        }
        if let (Some(limit), Some(expected)) = (self.cost, assessment.expected_cost())
            && expected.currency() == limit.currency()
            && expected.minor() > limit.minor()
        {
            return Some(format!(
                "its expected cost of {expected} is above the appetite of {limit}"
            ));
        }
        None
    }

    /// The largest amount an aggregate of risks may reach (summed expected days or cost): the
    /// same thresholds.
    pub fn exceeded_by_total(&self, days: u32, cost: Option<Money>) -> bool {
        self.schedule_days.is_some_and(|l| days > u32::from(l))
            || matches!((self.cost, cost), (Some(l), Some(c))
                if l.currency() == c.currency() && c.minor() > l.minor())
    }
}

/// Facts about a program's RAID settings. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum RaidSettingsEvent {
    RiskAppetiteSet {
        program_id: ProgramId,
        appetite: Appetite,
        reason: String,
    },
    RiskCategoriesSet {
        program_id: ProgramId,
        categories: Vec<String>,
    },
    /// The risk the register suggested for a dependency in this trouble is not wanted (a new
    /// trouble of the same dependency suggests it again).
    RiskSuggestionDismissed {
        program_id: ProgramId,
        dependency_id: DependencyId,
        status: DependencyStatus,
        reason: String,
    },
}

impl AggregateEvent for RaidSettingsEvent {
    const STREAM_TYPE: &'static str = "raid_settings";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            RaidSettingsEvent::RiskAppetiteSet { program_id, .. }
            | RaidSettingsEvent::RiskCategoriesSet { program_id, .. }
            | RaidSettingsEvent::RiskSuggestionDismissed { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RaidSettings {
    pub appetite: Option<Appetite>,
    /// Empty until set: [`RaidSettings::categories`] then gives the defaults.
    pub own_categories: Vec<String>,
    /// Suggestions dismissed: the dependency and the trouble it was in.
    pub dismissed: Vec<(DependencyId, DependencyStatus)>,
}

impl RaidSettings {
    pub fn categories(&self) -> Vec<String> {
        if self.own_categories.is_empty() {
            DEFAULT_CATEGORIES.iter().map(|c| c.to_string()).collect()
        } else {
            self.own_categories.clone()
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RaidSettingsCommand {
    SetAppetite {
        program_id: ProgramId,
        appetite: Appetite,
        reason: String,
    },
    SetCategories {
        program_id: ProgramId,
        categories: Vec<String>,
    },
    DismissSuggestion {
        program_id: ProgramId,
        dependency_id: DependencyId,
        status: DependencyStatus,
        reason: String,
    },
}

impl RaidSettings {
    pub fn apply(&mut self, event: &RaidSettingsEvent) {
        match event {
            RaidSettingsEvent::RiskAppetiteSet { appetite, .. } => self.appetite = Some(*appetite),
            RaidSettingsEvent::RiskCategoriesSet { categories, .. } => {
                self.own_categories = categories.clone();
            }
            RaidSettingsEvent::RiskSuggestionDismissed {
                dependency_id,
                status,
                ..
            } => {
                // Bounded by the dependencies and their few kinds of trouble.
                if !self.dismissed.contains(&(*dependency_id, *status)) {
                    self.dismissed.push((*dependency_id, *status));
                }
            }
        }
    }

    pub fn decide(
        &self,
        command: RaidSettingsCommand,
    ) -> Result<Vec<RaidSettingsEvent>, DomainError> {
        match command {
            RaidSettingsCommand::SetAppetite {
                program_id,
                appetite,
                reason,
            } => {
                let mut v = Validator::new();
                v.within("score", appetite.score, 1..=25);
                if let Some(days) = appetite.schedule_days {
                    v.within("schedule_days", days, 0..=IMPACT_DAYS_MAX);
                }
                if appetite.cost.is_some_and(|c| c.minor() < 0) {
                    v.push("cost", "must not be negative");
                }
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                v.finish()?;
                if self.appetite == Some(appetite) {
                    return Err(DomainError::NothingToChange(
                        "the appetite is already set so".into(),
                    ));
                }
                Ok(vec![RaidSettingsEvent::RiskAppetiteSet {
                    program_id,
                    appetite,
                    reason,
                }])
            }
            RaidSettingsCommand::SetCategories {
                program_id,
                categories,
            } => {
                let mut v = Validator::new();
                let mut kept: Vec<String> = Vec::new();
                for (i, c) in categories.iter().enumerate() {
                    let c = v.required_text(&format!("categories[{i}]"), c, NAME_MAX);
                    if !c.is_empty() && !kept.iter().any(|k| k.eq_ignore_ascii_case(&c)) {
                        kept.push(c);
                    }
                }
                if kept.is_empty() {
                    v.push("categories", "name at least one category");
                }
                if kept.len() > CATEGORIES_MAX {
                    v.push(
                        "categories",
                        format!("at most {CATEGORIES_MAX} categories (got {})", kept.len()),
                    );
                }
                v.finish()?;
                if kept == self.categories() {
                    return Err(DomainError::NothingToChange(
                        "the categories are already these".into(),
                    ));
                }
                Ok(vec![RaidSettingsEvent::RiskCategoriesSet {
                    program_id,
                    categories: kept,
                }])
            }
            RaidSettingsCommand::DismissSuggestion {
                program_id,
                dependency_id,
                status,
                reason,
            } => {
                if self.dismissed.contains(&(dependency_id, status)) {
                    return Err(DomainError::NothingToChange(
                        "the suggestion is already dismissed".into(),
                    ));
                }
                let mut v = Validator::new();
                let reason = v.required_text("reason", &reason, TEXT_MAX);
                v.finish()?;
                Ok(vec![RaidSettingsEvent::RiskSuggestionDismissed {
                    program_id,
                    dependency_id,
                    status,
                    reason,
                }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aggregate::given::Given;
    use crate::money::Currency;
    use crate::raid::Rating;

    fn program() -> ProgramId {
        ProgramId::from_uuid(Uuid::from_u128(2))
    }

    #[test]
    fn an_appetite_is_bounded_and_names_which_threshold_a_risk_crosses() {
        let eur = Currency::parse("EUR").unwrap();
        let appetite = Appetite {
            score: 12,
            schedule_days: Some(10),
            cost: Some(Money::new(5_000_000, eur).unwrap()),
        };
        Given::<RaidSettings>::events(&[])
            .when(RaidSettingsCommand::SetAppetite {
                program_id: program(),
                appetite: Appetite {
                    score: 26,
                    ..appetite
                },
                reason: "Board guidance".into(),
            })
            .then_invalid();
        let settings = Given::<RaidSettings>::decided(vec![RaidSettingsCommand::SetAppetite {
            program_id: program(),
            appetite,
            reason: "Board guidance".into(),
        }]);
        let a = |p, i, days: Option<u16>, cost: Option<i64>| Assessment {
            probability: Rating::new(p).unwrap(),
            impact: Rating::new(i).unwrap(),
            schedule_days: days,
            cost: cost.map(|c| Money::new(c, eur).unwrap()),
        };
        let appetite = settings.appetite.unwrap();
        assert_eq!(appetite.exceeded_by(&a(3, 4, Some(20), None)), None);
        assert_eq!(
            appetite.exceeded_by(&a(4, 4, None, None)).unwrap(),
            "its score 16 is above the appetite of 12"
        );
        assert!(
            appetite
                .exceeded_by(&a(3, 3, Some(30), None))
                .unwrap()
                .contains("expected slip of 15 days")
        );
        assert!(
            appetite
                .exceeded_by(&a(5, 2, None, Some(10_000_000)))
                .unwrap()
                .contains("expected cost of EUR 90,000.00")
        );
    }

    #[test]
    fn categories_default_until_set_and_are_kept_once_each() {
        assert_eq!(RaidSettings::default().categories().len(), 7);
        let events = Given::<RaidSettings>::events(&[])
            .when(RaidSettingsCommand::SetCategories {
                program_id: program(),
                categories: vec!["Vendor".into(), " vendor ".into(), "Data".into()],
            })
            .events();
        assert_eq!(
            events,
            vec![RaidSettingsEvent::RiskCategoriesSet {
                program_id: program(),
                categories: vec!["Vendor".into(), "Data".into()]
            }]
        );
        Given::<RaidSettings>::events(&[])
            .when(RaidSettingsCommand::SetCategories {
                program_id: program(),
                categories: vec![],
            })
            .then_invalid();
    }
}
