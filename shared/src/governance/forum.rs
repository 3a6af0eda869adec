//! Decision forums: who sits on them, how many must take part for a decision to count (quorum),
//! how often they meet, and how long an item may wait for them (the decision SLA).

use crate::date::{add_months, days_between};
use crate::ids::UserId;
use chrono::{Datelike, NaiveDate, TimeDelta};
use serde::{Deserialize, Serialize};

/// How often a forum meets. Wire names are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Cadence {
    Weekly,
    Fortnightly,
    Monthly,
    Quarterly,
}

impl Cadence {
    pub fn label(self) -> &'static str {
        match self {
            Cadence::Weekly => "weekly",
            Cadence::Fortnightly => "fortnightly",
            Cadence::Monthly => "monthly",
            Cadence::Quarterly => "quarterly",
        }
    }

    /// The `n`-th session after `first`. Counted from the first session, not from the previous
    /// one, so a forum meeting on the 31st meets on the last day of shorter months and on the
    /// 31st again afterwards, instead of drifting to the 28th.
    fn add(self, first: NaiveDate, n: u32) -> Option<NaiveDate> {
        let days = |step: i64| first.checked_add_signed(TimeDelta::try_days(step * i64::from(n))?);
        match self {
            Cadence::Weekly => days(7),
            Cadence::Fortnightly => days(14),
            Cadence::Monthly => add_months(first, n),
            Cadence::Quarterly => add_months(first, n.checked_mul(3)?),
        }
    }

    /// The next `count` sessions on or after `from`, counted from the forum's first session.
    /// Empty where the cadence runs past the calendar's end.
    pub fn sessions_from(self, first: NaiveDate, from: NaiveDate, count: usize) -> Vec<NaiveDate> {
        // Start just before `from` rather than stepping from the first session: a forum whose
        // first session lies far back would otherwise take millions of steps.
        let months = (i64::from(from.year()) - i64::from(first.year())) * 12
            + i64::from(from.month0())
            - i64::from(first.month0());
        let ahead = match self {
            Cadence::Weekly => days_between(first, from) / 7,
            Cadence::Fortnightly => days_between(first, from) / 14,
            Cadence::Monthly => months,
            Cadence::Quarterly => months / 3,
        };
        let skip = u32::try_from(ahead.saturating_sub(1).max(0)).unwrap_or(u32::MAX);
        (skip..=u32::MAX)
            .map_while(|n| self.add(first, n))
            .skip_while(|d| *d < from)
            .take(count)
            .collect()
    }
}

/// A forum as decisions need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForumRules {
    pub chair: UserId,
    pub members: Vec<UserId>,
    /// How many members must vote for an outcome to stand.
    pub quorum: u32,
    pub cadence: Cadence,
    pub first_session: NaiveDate,
    /// Days an item may wait for a decision before it is a bottleneck.
    pub decision_sla_days: u32,
}

impl ForumRules {
    pub fn is_member(&self, user: UserId) -> bool {
        self.chair == user || self.members.contains(&user)
    }

    /// The quorum must be reachable: at most the number of people who can vote.
    pub fn check(&self) -> Result<(), String> {
        let voters = 1 + self.members.iter().filter(|m| **m != self.chair).count();
        match self.quorum {
            0 => Err("a quorum of at least 1 is needed".into()),
            q if q as usize > voters => Err(format!(
                "a quorum of {q} cannot be reached by {voters} member(s)"
            )),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn sessions_follow_the_cadence_from_the_first_one() {
        let first = d(2027, 1, 31);
        assert_eq!(
            Cadence::Monthly.sessions_from(first, d(2027, 2, 1), 3),
            vec![d(2027, 2, 28), d(2027, 3, 31), d(2027, 4, 30)],
            "month ends stay month ends, without drifting to the 28th"
        );
        assert_eq!(
            Cadence::Fortnightly.sessions_from(d(2027, 1, 4), d(2027, 1, 5), 2),
            vec![d(2027, 1, 18), d(2027, 2, 1)]
        );
        assert_eq!(
            Cadence::Quarterly.sessions_from(d(2026, 11, 15), d(2026, 11, 15), 2),
            vec![d(2026, 11, 15), d(2027, 2, 15)]
        );
        assert_eq!(
            Cadence::Weekly.sessions_from(d(2027, 1, 4), d(2027, 1, 5), 1),
            vec![d(2027, 1, 11)]
        );
    }

    #[test]
    fn a_quorum_must_be_reachable() {
        let user = |n| UserId::from_uuid(uuid::Uuid::from_u128(n));
        let mut rules = ForumRules {
            chair: user(1),
            members: vec![user(1), user(2), user(3)],
            quorum: 3,
            cadence: Cadence::Monthly,
            first_session: d(2027, 1, 4),
            decision_sla_days: 14,
        };
        assert_eq!(rules.check(), Ok(()));
        rules.quorum = 4;
        assert!(
            rules
                .check()
                .unwrap_err()
                .contains("cannot be reached by 3")
        );
        rules.quorum = 0;
        assert!(rules.check().is_err());
        assert!(rules.is_member(user(2)) && !rules.is_member(user(9)));
    }
}
