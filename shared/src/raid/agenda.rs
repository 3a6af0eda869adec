//! What a forum's session should look at in the RAID register: risks above the program's
//! appetite, risks new since the forum last met, stale risks, and scores that moved since then.
//! Assembled from the register now and as it stood at the forum's previous session.

use super::Band;
use super::view::RaidView;
use crate::ids::RiskId;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Why a risk is on the agenda. Wire names are stable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "why")]
pub enum RiskAgendaReason {
    /// Above the program's appetite, in these words.
    AboveAppetite { because: String },
    /// Identified since the forum last met.
    New,
    /// Not reassessed by its review date.
    Stale { review_by: NaiveDate },
    /// Its score moved since the forum last met.
    ScoreChanged { from: u8, to: u8 },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaRisk {
    pub risk_id: RiskId,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    /// Every reason it is on the agenda (one risk may be new and above appetite).
    pub reasons: Vec<RiskAgendaReason>,
}

/// The open risks a session should look at, highest score first. `then` is the register as it
/// stood at the forum's previous session (`None`: its first, so every risk is new).
pub fn risk_agenda(now: &RaidView, then: Option<&RaidView>, today: NaiveDate) -> Vec<AgendaRisk> {
    let appetite = now.settings().appetite;
    let mut items: Vec<AgendaRisk> = now
        .open_risks()
        .filter_map(|(risk_id, risk)| {
            let mut reasons = Vec::new();
            if let Some(because) = appetite.and_then(|a| risk.above_appetite(&a)) {
                reasons.push(RiskAgendaReason::AboveAppetite { because });
            }
            let before = then.and_then(|t| t.risk(risk_id));
            if before.is_none() {
                reasons.push(RiskAgendaReason::New);
            }
            if risk.is_stale(today)
                && let Some(review_by) = risk.review_by
            {
                reasons.push(RiskAgendaReason::Stale { review_by });
            }
            let score = |r: &super::risk::Risk| r.inherent.map(|a| a.score());
            if let (Some(from), Some(to)) = (before.and_then(score), score(risk))
                && from != to
            {
                reasons.push(RiskAgendaReason::ScoreChanged { from, to });
            }
            (!reasons.is_empty()).then(|| AgendaRisk {
                risk_id,
                title: risk.details.title.clone(),
                score: score(risk),
                band: risk.inherent.map(|a| a.band()),
                reasons,
            })
        })
        .collect();
    items.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.title.cmp(&b.title)));
    items
}
