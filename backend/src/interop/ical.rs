//! A program's milestones as an RFC 5545 calendar (built with the `icalendar` crate, which takes
//! care of escaping and line folding): one all-day event per milestone on its forecast date (or
//! the day it was met), with its baseline, variance and status in the description. The event's
//! UID is the milestone's and its SEQUENCE the milestone's version, so calendar apps move the
//! event when the forecast moves instead of adding another.

use icalendar::{Calendar, Component, Event, EventLike, EventStatus};
use std::collections::{HashMap, HashSet};
use throughline_shared::analysis::{DependencyStatus, ScheduleAnalysis};
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::ProgramView;

pub fn calendar(view: &ProgramView, analysis: &ScheduleAnalysis) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&format!("{} — milestones", view.name));
    calendar.description(&format!(
        "Milestones of the program “{}” in Throughline, at their forecast dates.",
        view.name
    ));
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
            .summary(&format!("{project}: {}", m.name))
            .description(&description.join("\n"))
            .all_day(m.actual.unwrap_or(m.forecast))
            .add_property("SEQUENCE", m.version.to_string())
            .add_property("CATEGORIES", project)
            .status(EventStatus::Confirmed);
        if let Some(at) = view.updated_at {
            event.timestamp(at);
        }
        calendar.push(event.done());
    }
    calendar.done().to_string()
}
