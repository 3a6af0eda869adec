//! What the register sends up the program's escalation path by itself: a risk not reassessed by
//! its review date, a treatment action past its due date, and a risk whose score crosses the
//! program's appetite, and a group of risks sharing a cause or a category whose combined exposure
//! crosses it. Each is named by a key that is the same on every instance and after any
//! restart (the review date, the action and its due date, the position of the event that
//! crossed), so the server turns it into an escalation exactly once.

use super::register::GroupBy;
use super::view::RaidView;
use crate::governance::session::ActionStatus;
use crate::ids::RiskId;
use crate::money::Money;
use chrono::NaiveDate;

/// An escalation the register calls for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueEscalation {
    /// The risk escalated; for a group, the member with the most expected days.
    pub risk_id: RiskId,
    /// Stable across instances: the server derives the escalation's id from it, and from the
    /// risk's id (or, for a group, the program's: a group outlives any one member).
    pub key: String,
    pub group: bool,
    /// The risk's title, as the escalation names its subject.
    pub label: String,
    pub reason: String,
}

/// Every escalation the register calls for on `today`. Risks accepted through a decision are not
/// escalated for their appetite (a forum took them on), but still for staleness and overdue
/// actions.
pub fn due_escalations(raid: &RaidView, today: NaiveDate) -> Vec<DueEscalation> {
    let appetite = raid.settings().appetite;
    let mut due = Vec::new();
    for (risk_id, risk) in raid.open_risks() {
        let label = risk.details.title.clone();
        let mut push = |key: String, reason: String| {
            due.push(DueEscalation {
                risk_id,
                key,
                group: false,
                label: label.clone(),
                reason,
            })
        };
        if risk.is_stale(today)
            && let Some(review_by) = risk.review_by
        {
            push(
                format!("stale:{review_by}"),
                format!("not reassessed by its review date, {review_by}"),
            );
        }
        for action in risk
            .actions
            .iter()
            .filter(|a| a.status == ActionStatus::Open && a.due < today)
        {
            push(
                format!("action-overdue:{}:{}", action.action_id, action.due),
                format!(
                    "treatment action “{}” ({}) was due {}",
                    action.title, action.owner, action.due
                ),
            );
        }
        let accepted = risk.accepted_by.is_some();
        if let Some(limit) = appetite.map(|a| a.score).filter(|_| !accepted) {
            // The assessment that took the score above the appetite, in the run of assessments
            // above it that the risk is in now.
            let trend = raid.trend(risk_id);
            let above = |p: &super::register::ScorePoint| p.score.is_some_and(|s| s > limit);
            if trend.last().is_some_and(above) {
                let start = match trend.iter().rposition(|p| !above(p)) {
                    Some(i) => Some(i.saturating_add(1)),
                    // Above for as long as the trend remembers: it crossed before the window,
                    // and was escalated then (a key from the window would move with it).
                    None if trend.len() >= super::view::TREND_MAX => None,
                    None => Some(0),
                };
                if let Some(crossed) = start.and_then(|i| trend.get(i)) {
                    push(
                        format!("above-appetite:{}", crossed.position),
                        format!(
                            "its score {} is above the program's appetite of {limit}",
                            crossed.score.unwrap_or_default()
                        ),
                    );
                }
            }
        }
    }
    for group in raid.groups().into_iter().filter(|g| g.above_appetite) {
        let (Some(since), Some(lead)) = (
            raid.group_above_since(group.by, &group.name),
            group
                .risks
                .iter()
                .copied()
                .max_by_key(|id| raid.risk(*id).and_then(|r| r.inherent?.expected_days())),
        ) else {
            continue;
        };
        let (by, words) = match group.by {
            GroupBy::Cause => ("cause", "caused by"),
            GroupBy::Category => ("category", "in the category"),
        };
        due.push(DueEscalation {
            risk_id: lead,
            key: format!(
                "group-above-appetite:{by}:{}:{since}",
                group.name.trim().to_lowercase()
            ),
            group: true,
            label: format!("{} risks {words} “{}”", group.risks.len(), group.name),
            reason: {
                let costs: Vec<String> = group
                    .expected_cost
                    .0
                    .iter()
                    .filter_map(|t| Money::new(t.minor, t.currency))
                    .map(|m| m.to_string())
                    .collect();
                let cost = if costs.is_empty() {
                    String::new()
                } else {
                    format!(" and {} expected", costs.join(" + "))
                };
                format!(
                    "together they expose the program to {} expected days{cost}: above its appetite",
                    group.expected_days
                )
            },
        });
    }
    due
}
