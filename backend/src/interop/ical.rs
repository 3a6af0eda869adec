//! A program's milestones as an RFC 5545 calendar (built with the `icalendar` crate, which takes
//! care of line folding and most escaping): one all-day event per milestone on its forecast date
//! (or the day it was met), with its baseline, variance and status in the description. The
//! event's UID is the milestone's and its SEQUENCE the milestone's version, so calendar apps move
//! the event when the forecast moves instead of adding another.
//!
//! Names are user input, and a name with a line break must not add lines (`BEGIN:VALARM`…) to the
//! feed. The crate escapes the TEXT properties it knows (SUMMARY, DESCRIPTION, UID, `X-…`) and
//! the items of `categories()`, but neither NAME (RFC 7986) nor a value given to `add_property`
//! for a list property like CATEGORIES, and none of it removes a carriage return. So every text
//! goes through `plain` (control characters out), and the one property the crate writes as
//! given (NAME) through `escaped` as well.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};
use std::collections::{HashMap, HashSet};
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis};
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::ProgramView;

/// Text without the control characters RFC 5545 TEXT may not carry (a carriage return, which
/// with a line feed ends a content line, among them), except tab and line feed, which TEXT can
/// say (the latter escaped as `\n`).
fn plain(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n'))
        .collect()
}

/// An RFC 5545 TEXT value, escaped (section 3.3.11: backslash, semicolon, comma and line feed),
/// for a property the crate writes as given.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in plain(text).chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

pub fn calendar(view: &ProgramView, analysis: &ScheduleAnalysis) -> String {
    let mut calendar = Calendar::new();
    let name = plain(&format!("{} — milestones", view.name));
    // Not `Calendar::name`: it writes NAME unescaped (X-WR-CALNAME it escapes).
    calendar.append_property(Property::new("NAME", escaped(&name)));
    calendar.append_property(Property::new("X-WR-CALNAME", name));
    calendar.description(&plain(&format!(
        "Milestones of the program “{}” in Throughline, at their forecast dates.",
        view.name
    )));
    // Once per feed, not per milestone: a big program has thousands of both.
    let health = analysis.by_dependency();
    let mut troubled_inputs: HashMap<MilestoneId, usize> = HashMap::new();
    for d in &view.dependencies {
        if health
            .get(&d.dependency_id)
            .is_some_and(|h| matches!(h.status, DependencyStatus::Late | DependencyStatus::AtRisk))
        {
            *troubled_inputs.entry(d.consumer).or_default() += 1;
        }
    }
    let overdue: HashSet<MilestoneId> = analysis.overdue.iter().copied().collect();
    for m in &view.milestones {
        let project = view
            .project(m.project_id)
            .map(|p| p.name.as_str())
            .unwrap_or("");
        let late_inputs = troubled_inputs.get(&m.milestone_id).copied().unwrap_or(0);
        let status = if m.actual.is_some() {
            "met".to_string()
        } else if overdue.contains(&m.milestone_id) {
            "overdue".to_string()
        } else if late_inputs > 0 {
            format!("{late_inputs} input(s) at risk or late")
        } else {
            "on track".to_string()
        };
        let mut description = vec![
            format!("Project: {project}"),
            format!("Owner: {}", m.owner),
            format!("Status: {status}"),
            format!("Forecast: {}", m.forecast),
        ];
        if let Some(baseline) = m.baseline {
            description.push(format!(
                "Baseline: {baseline} ({:+} days)",
                (m.forecast - baseline).num_days()
            ));
        }
        if let Some(actual) = m.actual {
            description.push(format!("Met: {actual}"));
        }
        let mut event = Event::new();
        event
            .uid(&format!("{}@throughline", m.milestone_id))
            .summary(&plain(&format!("{project}: {}", m.name)))
            .description(&plain(&description.join("\n")))
            .all_day(m.actual.unwrap_or(m.forecast))
            // An INTEGER (a version counts from 1), not text.
            .add_property("SEQUENCE", m.version.to_string())
            // One category, the project: escaped by `categories`, commas and all.
            .categories([plain(project)])
            .status(EventStatus::Confirmed);
        if let Some(at) = view.updated_at {
            event.timestamp(at);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interop::csv_io::tests::view_named;
    use chrono::NaiveDate;

    const PROGRAM: &str = "Payments\r\nX-INJECTED:program";
    const PROJECT: &str = "Ops\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\n, ; \\ end";
    const MILESTONE: &str = "Go-live\r\nBEGIN:VALARM\r\nTRIGGER:-PT1M";
    const OWNER: &str = "a;b,c\\d\r\nEND:VEVENT\rBEGIN:VEVENT\nSUMMARY:x";

    /// Content lines after unfolding (RFC 5545 section 3.1), without the line ends.
    fn unfolded(text: &str) -> Vec<String> {
        assert!(text.ends_with("\r\n"));
        text.replace("\r\n ", "")
            .replace("\r\n\t", "")
            .trim_end_matches("\r\n")
            .split("\r\n")
            .map(str::to_string)
            .collect()
    }

    /// The inverse of TEXT escaping.
    fn unescape(value: &str) -> String {
        let mut out = String::new();
        let mut chars = value.chars();
        while let Some(c) = chars.next() {
            match (c, c == '\\') {
                (_, true) => match chars.next() {
                    Some('n' | 'N') => out.push('\n'),
                    Some(c @ ('\\' | ';' | ',')) => out.push(c),
                    other => panic!("bad escape \\{other:?} in {value:?}"),
                },
                (c, false) => {
                    assert!(
                        !matches!(c, ';' | ','),
                        "unescaped {c:?} in a TEXT value {value:?}"
                    );
                    out.push(c);
                }
            }
        }
        out
    }

    fn feed() -> (ProgramView, Vec<String>) {
        let mut view = view_named(PROJECT, &[MILESTONE, "Second, with; punctuation\\"], OWNER);
        view.name = PROGRAM.to_string();
        let analysis = view.analyse(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
        let text = calendar(&view, &analysis);
        assert!(
            text.split("\r\n").all(|l| !l.contains(['\r', '\n'])),
            "no bare CR or LF: {text:?}"
        );
        (view, unfolded(&text))
    }

    #[test]
    fn names_with_line_breaks_add_no_lines_to_the_calendar() {
        let (view, lines) = feed();
        const KNOWN: [&str; 17] = [
            "BEGIN",
            "END",
            "VERSION",
            "PRODID",
            "CALSCALE",
            "NAME",
            "X-WR-CALNAME",
            "DESCRIPTION",
            "X-WR-CALDESC",
            "DTSTAMP",
            "UID",
            "SUMMARY",
            "DTSTART",
            "DTEND",
            "SEQUENCE",
            "CATEGORIES",
            "STATUS",
        ];
        for line in &lines {
            let name = line
                .split([':', ';'])
                .next()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| panic!("not a content line: {line:?}"));
            assert!(KNOWN.contains(&name), "injected line {line:?}");
            if matches!(name, "BEGIN" | "END") {
                assert!(
                    matches!(&line[name.len()..], ":VCALENDAR" | ":VEVENT"),
                    "injected component {line:?}"
                );
            }
        }
        let count = |wanted: &str| lines.iter().filter(|l| *l == wanted).count();
        assert_eq!(count("BEGIN:VEVENT"), view.milestones.len());
        assert_eq!(count("END:VEVENT"), view.milestones.len());
        assert_eq!((count("BEGIN:VCALENDAR"), count("END:VCALENDAR")), (1, 1));
        assert_eq!(lines.first().unwrap(), "BEGIN:VCALENDAR");
        assert_eq!(lines.last().unwrap(), "END:VCALENDAR");
    }

    #[test]
    fn text_values_read_back_as_the_names_without_carriage_returns() {
        let (view, lines) = feed();
        let values = |property: &str| -> Vec<String> {
            lines
                .iter()
                .filter_map(|l| l.strip_prefix(property)?.strip_prefix(':'))
                .map(unescape)
                .collect()
        };
        let no_cr = |s: &str| s.replace('\r', "");
        let calendar_name = no_cr(&format!("{PROGRAM} — milestones"));
        assert_eq!(values("NAME"), [calendar_name.as_str()]);
        assert_eq!(values("X-WR-CALNAME"), [calendar_name.as_str()]);
        assert!(values("X-WR-CALDESC")[0].contains(&no_cr(PROGRAM)));
        let summaries: Vec<String> = view
            .milestones
            .iter()
            .map(|m| no_cr(&format!("{PROJECT}: {}", m.name)))
            .collect();
        assert_eq!(values("SUMMARY"), summaries);
        // CATEGORIES is a list: its one item is the project, commas escaped, not split.
        assert_eq!(values("CATEGORIES"), [no_cr(PROJECT), no_cr(PROJECT)]);
        let descriptions = values("DESCRIPTION");
        // The calendar's own, then one per event.
        assert_eq!(descriptions.len(), 1 + view.milestones.len());
        assert!(
            descriptions[1].contains(&format!("Owner: {}\n", no_cr(OWNER))),
            "{:?}",
            descriptions[1]
        );
    }

    #[test]
    fn text_escaping_follows_rfc_5545() {
        assert_eq!(
            escaped("a\\b;c,d\ne\r\nf\u{7}g\th"),
            "a\\\\b\\;c\\,d\\ne\\nfg\th"
        );
        assert_eq!(plain("x\r\ny\rz\u{0}\u{85}"), "x\nyz");
        assert_eq!(escaped("Payments — milestones"), "Payments — milestones");
    }
}
