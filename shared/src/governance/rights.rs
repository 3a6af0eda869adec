//! Decision rights: which kind of decision, above which threshold, must go to which forum. A
//! raised decision is routed by these rules, and the reason for the routing is kept with it.

use crate::ids::ForumId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a decision is about. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    /// Magnitude: the change in minor currency units (cents).
    BudgetChange,
    /// Magnitude: none (every scope change counts).
    ScopeChange,
    /// Magnitude: days the baseline moves.
    Rebaseline,
    /// Magnitude: the risk score accepted.
    RiskAcceptance,
    DependencyCancellation,
    /// Adding, revising or retiring a program objective. Magnitude: days a target date moves.
    ObjectiveChange,
    Other,
}

impl DecisionKind {
    /// The label with its article: "a re-baseline", "an objective change".
    pub fn a_label(self) -> String {
        let label = self.label();
        match label.chars().next() {
            Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {label}"),
            _ => format!("a {label}"),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DecisionKind::BudgetChange => "budget change",
            DecisionKind::ScopeChange => "scope change",
            DecisionKind::Rebaseline => "re-baseline",
            DecisionKind::RiskAcceptance => "risk acceptance",
            DecisionKind::DependencyCancellation => "dependency cancellation",
            DecisionKind::ObjectiveChange => "objective change",
            DecisionKind::Other => "decision",
        }
    }
}

/// The size of a change that sets or clears a date (an objective's target): it reaches every
/// threshold, as no number of days says how far it moved.
pub const DATE_SET_OR_CLEARED: i64 = i64::MAX;

/// A magnitude of `kind` in a program manager's words: money in major units with thousands
/// separators (budgets are kept in minor units), days, or a score.
pub fn magnitude_words(kind: DecisionKind, magnitude: i64) -> String {
    if magnitude == DATE_SET_OR_CLEARED && kind == DecisionKind::ObjectiveChange {
        return "a target date set or cleared".into();
    }
    let m = magnitude.unsigned_abs();
    match kind {
        DecisionKind::BudgetChange => {
            format!("{}.{:02}", crate::money::group_thousands(m / 100), m % 100)
        }
        DecisionKind::Rebaseline | DecisionKind::ObjectiveChange => format!("{m} days"),
        _ => format!("a score of {m}"),
    }
}

/// "Decisions of `kind` with a magnitude of at least `threshold` go to `forum`."
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionRight {
    pub kind: DecisionKind,
    /// Absent: every decision of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<i64>,
    pub forum_id: ForumId,
    /// The forum's name when the rule was made, for the routing reason.
    pub forum_name: String,
}

impl DecisionRight {
    /// The rule in words, e.g. "budget change of 50,000.00 or more → Steering committee".
    pub fn sentence(&self) -> String {
        match self.threshold {
            Some(t) => format!(
                "{} of {} or more → {}",
                self.kind.label(),
                magnitude_words(self.kind, t),
                self.forum_name
            ),
            None => format!("every {} → {}", self.kind.label(), self.forum_name),
        }
    }
}

/// Where a decision goes, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Routing {
    pub forum_id: ForumId,
    pub reason: String,
}

/// The forum for a decision: among the rules for its kind that its magnitude reaches, the one
/// with the highest threshold (the most specific) wins; a rule without threshold catches the
/// rest. `None`: no rule applies, the program manager decides.
pub fn route(
    rights: &[DecisionRight],
    kind: DecisionKind,
    magnitude: Option<i64>,
) -> Option<Routing> {
    let reached = |r: &&DecisionRight| match (r.threshold, magnitude) {
        (None, _) => true,
        (Some(t), Some(m)) => m.abs() >= t,
        (Some(_), None) => false,
    };
    let rule = rights
        .iter()
        .filter(|r| r.kind == kind)
        .filter(reached)
        .max_by_key(|r| r.threshold.map_or(i64::MIN, |t| t))?;
    let reason = match (rule.threshold, magnitude) {
        (Some(t), Some(m)) => format!(
            "{} of {} reaches the threshold of {} set for {}",
            kind.a_label(),
            magnitude_words(kind, m),
            magnitude_words(kind, t),
            rule.forum_name
        ),
        _ => format!("every {} goes to {}", kind.label(), rule.forum_name),
    };
    Some(Routing {
        forum_id: rule.forum_id,
        reason,
    })
}

/// The magnitude of a re-baseline: how many days the date moves, either way. Raising a decision
/// and changing a baseline directly measure it with this one function.
pub fn days_moved(from: NaiveDate, to: NaiveDate) -> i64 {
    crate::date::days_between(from, to).saturating_abs()
}

/// A change the decision rights give to a forum, attempted directly instead of through a
/// decision: what the forum is and why, for the caller to raise the decision instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecisionRequired {
    pub kind: DecisionKind,
    pub magnitude: Option<i64>,
    pub routing: Routing,
}

impl DecisionRequired {
    /// Why the change was refused and what to do instead, naming the forum (by its current
    /// name, `forum`).
    pub fn message(&self, forum: &str) -> String {
        format!(
            "{}: {} is {forum}'s to decide, not a direct change — raise a decision for {forum} \
             with this change as its effect",
            self.routing.reason,
            self.kind.a_label()
        )
    }
}

/// Whether a change may be made directly (not as the effect of an approved decision): only when
/// [`route`] — the very rule that routes a raised decision — would leave a decision of its kind
/// and magnitude to the program manager. Where it names a forum, the change must go through that
/// forum as a decision.
pub fn check_direct(
    rights: &[DecisionRight],
    kind: DecisionKind,
    magnitude: Option<i64>,
) -> Result<(), DecisionRequired> {
    match route(rights, kind, magnitude) {
        None => Ok(()),
        Some(routing) => Err(DecisionRequired {
            kind,
            magnitude,
            routing,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn forum(n: u128, name: &str) -> (ForumId, String) {
        (ForumId::from_uuid(Uuid::from_u128(n)), name.into())
    }

    fn right(
        kind: DecisionKind,
        threshold: Option<i64>,
        (forum_id, forum_name): (ForumId, String),
    ) -> DecisionRight {
        DecisionRight {
            kind,
            threshold,
            forum_id,
            forum_name,
        }
    }

    #[test]
    fn magnitudes_read_as_money_days_or_scores() {
        assert_eq!(
            magnitude_words(DecisionKind::BudgetChange, 12_000_000),
            "120,000.00"
        );
        assert_eq!(magnitude_words(DecisionKind::BudgetChange, -5), "0.05");
        assert_eq!(
            magnitude_words(DecisionKind::BudgetChange, 12_345_678_901),
            "123,456,789.01"
        );
        assert_eq!(magnitude_words(DecisionKind::Rebaseline, 21), "21 days");
        assert_eq!(
            magnitude_words(DecisionKind::RiskAcceptance, 16),
            "a score of 16"
        );
    }

    #[test]
    fn the_most_specific_reached_rule_routes_and_says_why() {
        let change_board = forum(1, "the change board");
        let steering = forum(2, "the steering committee");
        let rights = vec![
            right(
                DecisionKind::BudgetChange,
                Some(1_000_000),
                change_board.clone(),
            ),
            right(
                DecisionKind::BudgetChange,
                Some(50_000_000),
                steering.clone(),
            ),
            right(DecisionKind::Rebaseline, None, change_board.clone()),
        ];
        // €20,000 (in cents) goes to the change board; €750,000 to steering; a cut counts too.
        let small = route(&rights, DecisionKind::BudgetChange, Some(2_000_000)).unwrap();
        assert_eq!(small.forum_id, change_board.0);
        assert!(
            small
                .reason
                .contains("a budget change of 20,000.00 reaches the threshold of 10,000.00 set for the change board"),
            "{}",
            small.reason
        );
        assert_eq!(
            route(&rights, DecisionKind::BudgetChange, Some(-75_000_000))
                .unwrap()
                .forum_id,
            steering.0
        );
        // Below every threshold, or a kind without rules: no forum, the program manager decides.
        assert_eq!(route(&rights, DecisionKind::BudgetChange, Some(10)), None);
        assert_eq!(route(&rights, DecisionKind::ScopeChange, None), None);
        let rebaseline = route(&rights, DecisionKind::Rebaseline, Some(3)).unwrap();
        assert_eq!(
            rebaseline.reason,
            "every re-baseline goes to the change board"
        );
    }

    #[test]
    fn a_direct_change_a_right_gives_to_a_forum_is_refused_by_the_same_routing() {
        let change_board = forum(1, "Change board");
        let rights = vec![
            right(DecisionKind::Rebaseline, Some(10), change_board.clone()),
            right(
                DecisionKind::DependencyCancellation,
                None,
                change_board.clone(),
            ),
        ];
        let day = |d| NaiveDate::from_ymd_opt(2027, 4, d).unwrap();
        // Given re-baselines of 10 days or more go to the change board,
        // when the baseline moves 20 days (earlier or later) directly, then it is refused, naming
        // the board and saying why, exactly as a raised decision would be routed.
        for (from, to) in [(day(1), day(21)), (day(21), day(1))] {
            let moved = days_moved(from, to);
            assert_eq!(moved, 20);
            let refused = check_direct(&rights, DecisionKind::Rebaseline, Some(moved)).unwrap_err();
            assert_eq!(
                Some(&refused.routing),
                route(&rights, DecisionKind::Rebaseline, Some(moved)).as_ref()
            );
            assert_eq!(refused.routing.forum_id, change_board.0);
            assert_eq!(refused.magnitude, Some(20));
            let message = refused.message("Change board");
            assert!(
                message.starts_with(
                    "a re-baseline of 20 days reaches the threshold of 10 days set for Change board"
                ) && message.contains("raise a decision for Change board"),
                "{message}"
            );
        }
        // When it moves 5 days, no rule is reached: the program manager may change it directly.
        assert_eq!(
            check_direct(
                &rights,
                DecisionKind::Rebaseline,
                Some(days_moved(day(1), day(6)))
            ),
            Ok(())
        );
        // Every cancellation goes to the board; kinds without rules are direct.
        assert!(check_direct(&rights, DecisionKind::DependencyCancellation, None).is_err());
        assert_eq!(
            check_direct(&rights, DecisionKind::BudgetChange, Some(1)),
            Ok(())
        );
        assert_eq!(
            check_direct(&[], DecisionKind::Rebaseline, Some(400)),
            Ok(())
        );
    }
}
