//! Calendar dates as a program manager reads them ("5 Mar 2027"), written by hand: chrono's
//! `format` machinery would add its whole strftime interpreter to the wasm for three patterns.

use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

pub fn month(d: NaiveDate) -> &'static str {
    MONTHS[d.month0() as usize]
}

/// "5 Mar 2027".
pub fn day_month_year(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), month(d), d.year())
}

/// "5 Mar".
pub fn day_month(d: NaiveDate) -> String {
    format!("{} {}", d.day(), month(d))
}

/// "Mar 2027".
pub fn month_year(d: NaiveDate) -> String {
    format!("{} {}", month(d), d.year())
}

/// A `YYYY-MM-DD` value of a date input.
pub fn parse_input(value: &str) -> Option<NaiveDate> {
    let mut parts = value.trim().splitn(3, '-');
    let year = parts.next()?.parse().ok()?;
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_like_a_plan() {
        let d = NaiveDate::from_ymd_opt(2027, 3, 5).unwrap();
        assert_eq!(day_month_year(d), "5 Mar 2027");
        assert_eq!(day_month(d), "5 Mar");
        assert_eq!(month_year(d), "Mar 2027");
        assert_eq!(parse_input("2027-03-05"), Some(d));
        assert_eq!(parse_input("2027-02-30"), None);
        assert_eq!(parse_input(""), None);
        assert_eq!(parse_input("5/3/2027"), None);
    }
}
