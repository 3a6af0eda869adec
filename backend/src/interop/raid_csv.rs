//! The risk register as CSV: the export a program manager opens in a spreadsheet, and the rows an
//! import reads back (the same columns both ways; the ones marked export-only are ignored on the
//! way in). Text cells are guarded against formula injection like every export
//! ([`super::csv_io::neutralise`]); projects are named, several separated by `;`; costs are in
//! major units with two decimals.

use super::csv_io::{text_cell, write};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use throughline_shared::ids::RiskId;
use throughline_shared::money::Money;
use throughline_shared::raid::register::{RaidFilter, RaidKind};
use throughline_shared::raid::view::RaidView;
use throughline_shared::view::ProgramView;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskCsvRow {
    /// Empty for a new risk.
    #[serde(default)]
    pub risk_id: Option<RiskId>,
    #[serde(with = "text_cell")]
    pub title: String,
    #[serde(default, with = "text_cell")]
    pub description: String,
    #[serde(default, with = "text_cell")]
    pub cause: String,
    #[serde(with = "text_cell")]
    pub category: String,
    #[serde(with = "text_cell")]
    pub owner: String,
    /// Project names separated by `;` (empty: a program risk).
    #[serde(default, with = "text_cell")]
    pub projects: String,
    #[serde(default)]
    pub probability: Option<u8>,
    #[serde(default)]
    pub impact: Option<u8>,
    #[serde(default)]
    pub schedule_days: Option<u16>,
    /// In major units, e.g. `40000.00`.
    #[serde(default, with = "text_cell")]
    pub cost: String,
    #[serde(default, with = "text_cell")]
    pub currency: String,
    #[serde(default)]
    pub review_by: Option<NaiveDate>,
    #[serde(default)]
    pub proximity: Option<NaiveDate>,
    /// Export only.
    #[serde(default, skip_deserializing)]
    pub score: Option<u8>,
    #[serde(default, skip_deserializing)]
    pub band: String,
    #[serde(default, skip_deserializing)]
    pub state: String,
    #[serde(default, skip_deserializing)]
    pub response: String,
    #[serde(default, skip_deserializing)]
    pub residual_score: Option<u8>,
    #[serde(default, skip_deserializing)]
    pub stale: bool,
}

/// `12345.67` for 1,234,567 minor units.
pub fn amount_text(money: &Money) -> String {
    let minor = money.minor();
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    format!("{sign}{}.{:02}", m / 100, m % 100)
}

/// Minor units from `12345.67`, `12345.6`, `12345` or `-5.00` (no thousands separators: a
/// spreadsheet's `1,234` is ambiguous across locales); `None` for anything else.
pub fn parse_amount(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (units, cents) = match digits.split_once('.') {
        Some((u, c)) if (1..=2).contains(&c.len()) => (u, c),
        Some(_) => return None,
        None => (digits, "0"),
    };
    let all_digits =
        |s: &str| !s.is_empty() && s.len() <= 16 && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(units) || !all_digits(cents) {
        return None;
    }
    let units: i64 = units.parse().ok()?;
    let cents: i64 = cents.parse().ok()?;
    let cents = if digits.split_once('.').is_some_and(|(_, c)| c.len() == 1) {
        cents * 10
    } else {
        cents
    };
    let minor = units.checked_mul(100)?.checked_add(cents)?;
    Some(if negative { -minor } else { minor })
}

/// Every risk of the register as it reads on `today`, highest score first.
pub fn risks_csv(raid: &RaidView, view: &ProgramView, today: NaiveDate) -> String {
    let register = raid.register(
        today,
        &RaidFilter {
            kind: Some(RaidKind::Risk),
            ..Default::default()
        },
    );
    let project_name = |id| {
        view.project(id)
            .map_or_else(|| id.to_string(), |p| p.name.clone())
    };
    write(register.risks.into_iter().map(|r| {
        let inherent = r.inherent;
        RiskCsvRow {
            risk_id: Some(r.risk_id),
            title: r.details.title,
            description: r.details.description,
            cause: r.details.cause,
            category: r.details.category,
            owner: r.details.owner,
            projects: {
                let mut names: Vec<String> = r
                    .details
                    .projects
                    .iter()
                    .map(|p| project_name(*p))
                    .collect();
                names.sort();
                names.join("; ")
            },
            probability: inherent.map(|a| a.probability.get()),
            impact: inherent.map(|a| a.impact.get()),
            schedule_days: inherent.and_then(|a| a.schedule_days),
            cost: inherent
                .and_then(|a| a.cost)
                .map(|c| amount_text(&c))
                .unwrap_or_default(),
            currency: inherent
                .and_then(|a| a.cost)
                .map(|c| c.currency().to_string())
                .unwrap_or_default(),
            review_by: r.review_by,
            proximity: r.details.proximity,
            score: r.score,
            band: r
                .band
                .map(|b| b.wire_name().to_string())
                .unwrap_or_default(),
            state: r.state.label().to_string(),
            response: r
                .strategy
                .map(|s| s.label().to_string())
                .unwrap_or_default(),
            residual_score: r.residual.map(|a| a.score()),
            stale: r.stale,
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_back_what_they_write_and_refuse_what_is_ambiguous() {
        let eur = throughline_shared::money::Currency::parse("EUR").unwrap();
        for minor in [0, 5, 1234567, -250, 99] {
            let text = amount_text(&Money::new(minor, eur).unwrap());
            assert_eq!(parse_amount(&text), Some(minor), "{text}");
        }
        assert_eq!(parse_amount("40000"), Some(4_000_000));
        assert_eq!(parse_amount(" 12.5 "), Some(1250));
        for bad in [
            "",
            "1,234",
            "1.234",
            "12.",
            ".5",
            "abc",
            "1e3",
            "--1",
            "99999999999999999",
        ] {
            assert_eq!(parse_amount(bad), None, "{bad}");
        }
    }
}
