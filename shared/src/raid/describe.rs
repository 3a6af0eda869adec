//! Audit-trail sentences for RAID events (called by [`crate::describe::describe`]).

use super::assumption::AssumptionEvent;
use super::issue::IssueEvent;
use super::risk::RiskEvent;
use super::settings::RaidSettingsEvent;
use super::{Assessment, status_word};

fn assessment_words(a: &Assessment) -> String {
    let mut words = format!(
        "{} ({}: probability {} × impact {}",
        a.score(),
        a.band(),
        a.probability.get(),
        a.impact.get()
    );
    if let Some(days) = a.schedule_days {
        words.push_str(&format!(", {days} days"));
    }
    if let Some(cost) = a.cost {
        words.push_str(&format!(", {cost}"));
    }
    words.push(')');
    words
}

pub fn describe_risk(event: &RiskEvent) -> String {
    match event {
        RiskEvent::RiskIdentified { details, .. } => {
            let scope = if details.projects.is_empty() {
                "a program risk".to_string()
            } else {
                format!("a {} risk", details.category)
            };
            format!(
                "Identified the risk “{}” ({scope}, owner {})",
                details.title, details.owner
            )
        }
        RiskEvent::RiskRevised { details, .. } => format!("Revised the risk “{}”", details.title),
        RiskEvent::RiskAssessed {
            assessment, reason, ..
        } => format!(
            "Assessed a risk at {}: {reason}",
            assessment_words(assessment)
        ),
        RiskEvent::RiskResidualAssessed {
            assessment, reason, ..
        } => format!(
            "Set a risk's residual (target) score to {}: {reason}",
            assessment_words(assessment)
        ),
        RiskEvent::RiskResponseChosen {
            strategy,
            reason,
            decision_id,
            ..
        } => match decision_id {
            // The reason names the decision and its rationale (the approval's own words).
            Some(_) => format!("Chose to {} a risk as approved: {reason}", strategy.label()),
            None => format!("Chose to {} a risk: {reason}", strategy.label()),
        },
        RiskEvent::RiskActionAdded { action, .. } => format!(
            "Added the treatment action “{}” for {}, due {}",
            action.title, action.owner, action.due
        ),
        RiskEvent::RiskActionChanged { status, note, .. } => with_note(
            format!("Marked a treatment action {}", status_word(*status)),
            note,
        ),
        RiskEvent::RiskClosed {
            reason,
            without_treatment,
            ..
        } => {
            if *without_treatment {
                format!("Closed a risk without treatment (no action done, not accepted): {reason}")
            } else {
                format!("Closed a risk: {reason}")
            }
        }
        RiskEvent::RiskRealised { reason, .. } => {
            format!("A risk happened and became an issue: {reason}")
        }
    }
}

pub fn describe_issue(event: &IssueEvent) -> String {
    match event {
        IssueEvent::IssueRaised {
            details, from_risk, ..
        } => {
            let from = if from_risk.is_some() {
                " from a realised risk"
            } else {
                ""
            };
            format!(
                "Raised the {} issue “{}”{from} (owner {})",
                details.severity.label(),
                details.title,
                details.owner
            )
        }
        IssueEvent::IssueRevised { details, .. } => {
            format!("Revised the issue “{}”", details.title)
        }
        IssueEvent::IssueActionAdded { action, .. } => format!(
            "Added the action “{}” for {}, due {}",
            action.title, action.owner, action.due
        ),
        IssueEvent::IssueActionChanged { status, note, .. } => with_note(
            format!("Marked an issue's action {}", status_word(*status)),
            note,
        ),
        IssueEvent::IssueResolved { resolution, .. } => {
            format!("Resolved an issue: {resolution}")
        }
    }
}

pub fn describe_assumption(event: &AssumptionEvent) -> String {
    match event {
        AssumptionEvent::AssumptionRecorded { details, .. } => format!(
            "Recorded the assumption “{}” (owner {})",
            details.statement, details.owner
        ),
        AssumptionEvent::AssumptionRevised { details, .. } => {
            format!("Revised the assumption “{}”", details.statement)
        }
        AssumptionEvent::AssumptionValidated { note, .. } => {
            format!("Validated an assumption: {note}")
        }
        AssumptionEvent::AssumptionInvalidated { note, .. } => {
            format!("Found an assumption false and raised a risk for it: {note}")
        }
    }
}

pub fn describe_settings(event: &RaidSettingsEvent) -> String {
    match event {
        RaidSettingsEvent::RiskAppetiteSet {
            appetite, reason, ..
        } => {
            let mut words = format!("Set the risk appetite to a score of {}", appetite.score);
            if let Some(days) = appetite.schedule_days {
                words.push_str(&format!(", {days} days expected slip"));
            }
            if let Some(cost) = appetite.cost {
                words.push_str(&format!(", {cost} expected cost"));
            }
            format!("{words}: {reason}")
        }
        RaidSettingsEvent::RiskCategoriesSet { categories, .. } => {
            format!("Set the risk categories: {}", categories.join(", "))
        }
        RaidSettingsEvent::RiskSuggestionDismissed { status, reason, .. } => format!(
            "Dismissed the risk suggested for a dependency gone {}: {reason}",
            status.label().to_lowercase()
        ),
    }
}

fn with_note(words: String, note: &str) -> String {
    if note.is_empty() {
        words
    } else {
        format!("{words}: {note}")
    }
}
