//! Dates a plan can hold, and date arithmetic that cannot panic.
//!
//! Commands accept plan dates only within [`PLAN_DATE_MIN`]..=[`PLAN_DATE_MAX`] (checked by
//! `Validator::date` in every `decide`), so nothing new can carry a date near the calendar's end.
//! Events keep plain `NaiveDate`s: a log written before the bound existed may hold any date, and
//! every fold and analysis must still read it, so the arithmetic here saturates instead of
//! panicking (chrono's `+` and `TimeDelta::days` panic on overflow).

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

/// The earliest date a plan may name.
pub const PLAN_DATE_MIN: NaiveDate = match NaiveDate::from_ymd_opt(1900, 1, 1) {
    Some(d) => d,
    None => NaiveDate::MIN,
};

/// The latest date a plan may name.
pub const PLAN_DATE_MAX: NaiveDate = match NaiveDate::from_ymd_opt(2200, 12, 31) {
    Some(d) => d,
    None => NaiveDate::MAX,
};

/// The longest span, in days, that durations, lags and SLAs may take (the whole plan range).
pub const PLAN_SPAN_DAYS_MAX: i64 = 110_000;

pub fn in_plan_range(date: NaiveDate) -> bool {
    (PLAN_DATE_MIN..=PLAN_DATE_MAX).contains(&date)
}

/// `date` moved by `days`, saturating at chrono's calendar ends.
pub fn add_days(date: NaiveDate, days: i64) -> NaiveDate {
    TimeDelta::try_days(days)
        .and_then(|delta| date.checked_add_signed(delta))
        .unwrap_or(if days < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

/// Whole days from `from` to `to` (negative when `to` is earlier). Cannot overflow: chrono's
/// calendar spans far fewer days than an `i64` holds.
pub fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

/// `at` moved by `hours`, saturating at chrono's ends.
pub fn add_hours(at: DateTime<Utc>, hours: i64) -> DateTime<Utc> {
    TimeDelta::try_hours(hours)
        .and_then(|delta| at.checked_add_signed(delta))
        .unwrap_or(if hours < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
}

/// `at` moved by `days`, saturating at chrono's ends.
pub fn add_days_at(at: DateTime<Utc>, days: i64) -> DateTime<Utc> {
    add_hours(at, days.saturating_mul(24))
}

/// `date` moved by whole months, keeping the day of the month where the month has it and taking
/// the month's last day otherwise (31 Jan + 1 month = 28/29 Feb). `None` past chrono's ends.
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    let total = i64::from(date.year())
        .checked_mul(12)?
        .checked_add(i64::from(date.month0()))?
        .checked_add(i64::from(months))?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()?.checked_add(1)?;
    // The day itself, or the month's last day when it is shorter (at most three steps back).
    (1..=date.day())
        .rev()
        .find_map(|day| NaiveDate::from_ymd_opt(year, month, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn arithmetic_saturates_at_the_calendar_ends() {
        assert_eq!(add_days(d(2027, 1, 1), 31), d(2027, 2, 1));
        assert_eq!(add_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(add_days(NaiveDate::MIN, -1), NaiveDate::MIN);
        assert_eq!(add_days(d(2027, 1, 1), i64::MAX), NaiveDate::MAX);
        assert_eq!(add_days(d(2027, 1, 1), i64::MIN), NaiveDate::MIN);
        assert_eq!(
            add_hours(DateTime::<Utc>::MAX_UTC, 1),
            DateTime::<Utc>::MAX_UTC
        );
        assert_eq!(
            add_days_at(DateTime::<Utc>::MIN_UTC, i64::MIN),
            DateTime::<Utc>::MIN_UTC
        );
        assert!(days_between(NaiveDate::MIN, NaiveDate::MAX) > 0);
    }

    #[test]
    fn months_keep_the_day_or_take_the_last_one() {
        assert_eq!(add_months(d(2027, 1, 31), 1), Some(d(2027, 2, 28)));
        assert_eq!(add_months(d(2028, 1, 31), 1), Some(d(2028, 2, 29)));
        assert_eq!(add_months(d(2027, 1, 31), 3), Some(d(2027, 4, 30)));
        assert_eq!(add_months(d(2027, 11, 15), 2), Some(d(2028, 1, 15)));
        assert_eq!(add_months(NaiveDate::MAX, 1), None);
        assert_eq!(add_months(d(2027, 1, 1), u32::MAX), None);
    }

    #[test]
    fn the_plan_range_is_1900_to_2200() {
        assert!(in_plan_range(d(1900, 1, 1)));
        assert!(in_plan_range(d(2200, 12, 31)));
        assert!(!in_plan_range(d(1899, 12, 31)));
        assert!(!in_plan_range(d(2201, 1, 1)));
        assert!(!in_plan_range(NaiveDate::MAX));
    }
}
