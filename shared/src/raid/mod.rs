//! RAID: the program's register of risks, issues and assumptions (dependencies stay in their own
//! register and are shown alongside). Pure, like the rest of `shared`: "today" and looked-up
//! facts (the program's categories, its appetite) come in as arguments. Commands are in the
//! server's `commands::raid`, routes in `routes::raid`. Four kinds of stream:
//!
//! - **Risks** (`risk`, one each; [`risk`]): identified with a cause, a category from the
//!   program's list, an owner, a scope (the program, or projects) and links to the milestones,
//!   dependencies and objectives they threaten; assessed (probability × impact, each 1–5, and
//!   where known the schedule days and cost it would bring), given a residual (target)
//!   assessment, a response, treatment actions; closed with a reason (flagged when closed with
//!   no treatment done and not accepted) or **realised** into an issue. Every assessment and
//!   response is its own event with its reason, so a risk's score has a history.
//! - **Issues** (`raid_issue`, one each; [`issue`]): a problem now, with a severity, an owner, a
//!   date to resolve it by, actions; a realised risk's issue links back to it.
//! - **Assumptions** (`assumption`, one each; [`assumption`]): a statement to validate by a date;
//!   an invalidated assumption raises a risk, linked.
//! - **Settings** (`raid_settings`, one per program; [`settings`]): the program's risk appetite
//!   (a score and, optionally, days and money thresholds) and its risk categories.
//!
//! [`view::RaidView`] is folded by the server from those streams (now or as of any position),
//! like the governance view; [`exposure`] pushes each risk's expected slip through the schedule.

pub mod agenda;
pub mod assumption;
pub mod describe;
pub mod escalation;
pub mod exposure;
pub mod issue;
pub mod register;
pub mod requests;
pub mod risk;
pub mod settings;
pub mod suggestions;
pub mod view;

#[cfg(test)]
mod fold_tests;

use crate::error::{NAME_MAX, PERSON_MAX, Validator};
use crate::governance::session::ActionStatus;
use crate::ids::{ActionId, DependencyId, MilestoneId, ObjectiveId, ProjectId};
use crate::money::Money;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A rating on the 1–5 scale (probability or impact). Cannot hold anything else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Rating {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::Integer)
            .minimum(Some(1))
            .maximum(Some(5))
            .description(Some("a rating on the 1–5 scale"))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Rating {}

impl Rating {
    pub const ALL: [Rating; 5] = [Rating(1), Rating(2), Rating(3), Rating(4), Rating(5)];

    pub fn new(n: u8) -> Option<Self> {
        (1..=5).contains(&n).then_some(Self(n))
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The probability a rating stands for, in percent, for expected values: 1 is rare (10%),
    /// 3 even (50%), 5 almost certain (90%).
    pub fn percent(self) -> u8 {
        self.0.saturating_mul(20).saturating_sub(10)
    }
}

impl TryFrom<u8> for Rating {
    type Error = String;

    fn try_from(n: u8) -> Result<Self, String> {
        Self::new(n).ok_or_else(|| format!("a rating is 1 to 5 (got {n})"))
    }
}

impl From<Rating> for u8 {
    fn from(r: Rating) -> u8 {
        r.0
    }
}

/// The most days of schedule impact an assessment may name (ten years).
pub const IMPACT_DAYS_MAX: u16 = 3650;

/// Probability × impact, and where known what the risk would cost if it happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub probability: Rating,
    pub impact: Rating,
    /// Days the threatened milestones would slip if it happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3650))]
    pub schedule_days: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<Money>,
}

impl Assessment {
    /// 1–25.
    pub fn score(&self) -> u8 {
        self.probability.get() * self.impact.get()
    }

    pub fn band(&self) -> Band {
        Band::of(self.score())
    }

    /// Probability × days, rounded: the slip to expect.
    pub fn expected_days(&self) -> Option<u32> {
        self.schedule_days
            .map(|d| (u32::from(d) * u32::from(self.probability.percent()) + 50) / 100)
    }

    pub fn expected_cost(&self) -> Option<Money> {
        self.cost.map(|c| c.percent(self.probability.percent()))
    }

    pub(crate) fn check(&self, v: &mut Validator, field: &str) {
        if let Some(days) = self.schedule_days {
            v.within(&format!("{field}.schedule_days"), days, 0..=IMPACT_DAYS_MAX);
        }
    }
}

/// A score's band: 1 / 2–5 / 6–11 / 12–19 / 20–25. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Band {
    VeryLow,
    Low,
    Medium,
    High,
    Critical,
}

impl Band {
    pub const ALL: [Band; 5] = [
        Band::VeryLow,
        Band::Low,
        Band::Medium,
        Band::High,
        Band::Critical,
    ];

    pub fn of(score: u8) -> Band {
        match score {
            0..=1 => Band::VeryLow,
            2..=5 => Band::Low,
            6..=11 => Band::Medium,
            12..=19 => Band::High,
            _ => Band::Critical,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::VeryLow => "Very low",
            Band::Low => "Low",
            Band::Medium => "Medium",
            Band::High => "High",
            Band::Critical => "Critical",
        }
    }

    pub fn wire_name(self) -> &'static str {
        match self {
            Band::VeryLow => "very_low",
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::Critical => "critical",
        }
    }

    pub fn from_wire_name(name: &str) -> Option<Band> {
        Band::ALL.into_iter().find(|b| b.wire_name() == name)
    }
}

impl fmt::Display for Band {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Something of the program a RAID item threatens or touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "kind", content = "id")]
pub enum RaidLink {
    Milestone(MilestoneId),
    Dependency(DependencyId),
    Objective(ObjectiveId),
}

/// The most projects one item may name, and the most links.
pub const SCOPE_MAX: usize = 50;
pub const LINKS_MAX: usize = 100;

/// Projects and links, deduplicated and sorted so the stored event does not depend on the order
/// they were given in; too many is refused.
pub(crate) fn scope_and_links(
    v: &mut Validator,
    projects: Vec<ProjectId>,
    links: Vec<RaidLink>,
) -> (Vec<ProjectId>, Vec<RaidLink>) {
    let mut projects = projects;
    projects.sort();
    projects.dedup();
    let mut links = links;
    links.sort();
    links.dedup();
    if projects.len() > SCOPE_MAX {
        v.push(
            "projects",
            format!("at most {SCOPE_MAX} projects (got {})", projects.len()),
        );
    }
    if links.len() > LINKS_MAX {
        v.push(
            "links",
            format!("at most {LINKS_MAX} links (got {})", links.len()),
        );
    }
    (projects, links)
}

/// A step agreed to treat a risk or resolve an issue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaidAction {
    pub action_id: ActionId,
    pub title: String,
    pub owner: String,
    pub due: NaiveDate,
    pub status: ActionStatus,
}

impl RaidAction {
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == ActionStatus::Open && self.due < today
    }
}

/// The most actions one item may carry.
pub const ACTIONS_MAX: usize = 200;

/// Checks a new action against the item's actions: a fresh id, a title, an owner, a due date.
pub(crate) fn new_action(
    existing: &[RaidAction],
    action_id: ActionId,
    title: &str,
    owner: &str,
    due: NaiveDate,
) -> Result<RaidAction, crate::DomainError> {
    if existing.iter().any(|a| a.action_id == action_id) {
        return Err(crate::DomainError::AlreadyExists(format!(
            "action {action_id}"
        )));
    }
    let mut v = Validator::new();
    let title = v.required_text("title", title, NAME_MAX);
    let owner = v.required_text("owner", owner, PERSON_MAX);
    v.date("due", due);
    if existing.len() >= ACTIONS_MAX {
        v.push("actions", format!("at most {ACTIONS_MAX} actions per item"));
    }
    v.finish()?;
    Ok(RaidAction {
        action_id,
        title,
        owner,
        due,
        status: ActionStatus::Open,
    })
}

/// Checks a change of an action's status: the action exists and the status moves.
pub(crate) fn action_change(
    existing: &[RaidAction],
    action_id: ActionId,
    status: ActionStatus,
    note: &str,
) -> Result<String, crate::DomainError> {
    let Some(action) = existing.iter().find(|a| a.action_id == action_id) else {
        return Err(crate::DomainError::NotFound(format!("action {action_id}")));
    };
    if action.status == status {
        return Err(crate::DomainError::NothingToChange(format!(
            "the action is already {}",
            status_word(status)
        )));
    }
    let mut v = Validator::new();
    let note = v.optional_text("note", note, crate::error::TEXT_MAX);
    v.finish()?;
    Ok(note)
}

pub(crate) fn set_action_status(
    actions: &mut [RaidAction],
    action_id: ActionId,
    status: ActionStatus,
) {
    if let Some(a) = actions.iter_mut().find(|a| a.action_id == action_id) {
        a.status = status;
    }
}

pub fn status_word(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Open => "open",
        ActionStatus::Done => "done",
        ActionStatus::Dropped => "dropped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_and_scores_fall_in_their_bands() {
        assert!(Rating::new(0).is_none() && Rating::new(6).is_none());
        assert!(serde_json::from_str::<Rating>("9").is_err());
        assert!(serde_json::from_str::<Rating>("-1").is_err());
        let a = |p, i| Assessment {
            probability: Rating::new(p).unwrap(),
            impact: Rating::new(i).unwrap(),
            schedule_days: Some(20),
            cost: None,
        };
        let bands: Vec<Band> = [(1, 1), (1, 5), (2, 3), (3, 4), (4, 5), (5, 5)]
            .into_iter()
            .map(|(p, i)| a(p, i).band())
            .collect();
        assert_eq!(
            bands,
            [
                Band::VeryLow,
                Band::Low,
                Band::Medium,
                Band::High,
                Band::Critical,
                Band::Critical
            ]
        );
        assert_eq!(a(1, 3).expected_days(), Some(2), "10% of 20 days");
        assert_eq!(a(5, 3).expected_days(), Some(18), "90% of 20 days");
        assert_eq!(Rating::ALL.map(Rating::percent), [10, 30, 50, 70, 90]);
    }
}
