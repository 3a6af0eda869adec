//! A briefing generated from the views as they stood at one moment, and what changed since the
//! previous briefing. Every sentence carries the positions of the events it rests on: the item's
//! events since the previous briefing, or, when it did not change, the latest that set it.

use super::document::{
    BriefingDocument, BriefingSection, EVIDENCE_MAX, Fact, SectionKey, TimelineLane, TimelineMark,
};
use crate::analysis::{DependencyStatus, ScheduleAnalysis};
use crate::changes::{Presence, ProgramChanges};
use crate::governance::decision::DecisionState;
use crate::governance::view::GovernanceView;
use crate::ids::{MilestoneId, ProjectId};
use crate::project::ProjectStage;
use crate::rag::Rag;
use crate::raid::Band;
use crate::raid::exposure::ExposureContext;
use crate::raid::register::RaidFilter;
use crate::raid::view::RaidView;
use crate::view::ProgramView;
use chrono::NaiveDate;
use std::collections::HashMap;
use uuid::Uuid;

/// Facts per section beyond which the rest are counted in one sentence.
const FACTS_MAX: usize = 20;
/// How far ahead "due soon" looks.
const DUE_WITHIN_DAYS: i64 = 14;
const TOP_RISKS: usize = 5;
const LANES_MAX: usize = 12;
const MARKS_PER_LANE_MAX: usize = 12;
/// Quoted narratives are cut to this many characters.
const QUOTE_MAX: usize = 240;

/// The events behind one item (a stream, or a dependency or objective within its stream).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemEvidence {
    /// Its latest event up to the briefing's moment.
    pub latest: i64,
    /// Its events after the previous briefing, oldest first (the latest few).
    pub recent: Vec<i64>,
}

/// Evidence per item id, read from the log by the server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    pub items: HashMap<Uuid, ItemEvidence>,
}

impl Evidence {
    /// Records one event about `item` (any order); `since` is the previous briefing's moment.
    pub fn record(&mut self, item: Uuid, position: i64, since: i64) {
        let e = self.items.entry(item).or_default();
        e.latest = e.latest.max(position);
        if position > since {
            e.recent.push(position);
            e.recent.sort_unstable();
            e.recent.dedup();
            if e.recent.len() > EVIDENCE_MAX {
                e.recent.remove(0);
            }
        }
    }

    /// What a sentence about `items` rests on: each item's events since the previous briefing,
    /// or its latest event when it did not change since (the latest few in all).
    fn of(&self, items: &[Uuid]) -> Vec<i64> {
        let mut positions: Vec<i64> = items
            .iter()
            .filter_map(|i| self.items.get(i))
            .flat_map(|e| {
                if e.recent.is_empty() {
                    vec![e.latest]
                } else {
                    e.recent.clone()
                }
            })
            .filter(|p| *p > 0)
            .collect();
        positions.sort_unstable();
        positions.dedup();
        let skip = positions.len().saturating_sub(EVIDENCE_MAX);
        positions.into_iter().skip(skip).collect()
    }
}

/// Everything a briefing is generated from.
pub struct BriefingInputs<'a> {
    pub view: &'a ProgramView,
    pub governance: &'a GovernanceView,
    pub raid: &'a RaidView,
    pub as_of: i64,
    pub day: NaiveDate,
    pub since: i64,
    pub since_day: NaiveDate,
    pub follows: Option<u32>,
    /// From `since` to `as_of`.
    pub changes: &'a ProgramChanges,
    pub evidence: &'a Evidence,
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn quote(text: &str) -> String {
    let text = text.trim();
    if text.chars().count() <= QUOTE_MAX {
        text.to_string()
    } else {
        let cut: String = text.chars().take(QUOTE_MAX).collect();
        format!("{}…", cut.trim_end())
    }
}

struct Names<'a> {
    view: &'a ProgramView,
    milestones: HashMap<MilestoneId, (&'a str, ProjectId)>,
    projects: HashMap<ProjectId, &'a str>,
}

impl<'a> Names<'a> {
    fn new(view: &'a ProgramView) -> Self {
        let mut milestones: HashMap<MilestoneId, (&str, ProjectId)> = view
            .retired_milestones
            .iter()
            .map(|m| (m.milestone_id, (m.name.as_str(), m.project_id)))
            .collect();
        milestones.extend(
            view.milestones
                .iter()
                .map(|m| (m.milestone_id, (m.name.as_str(), m.project_id))),
        );
        Self {
            view,
            milestones,
            projects: view
                .projects
                .iter()
                .map(|p| (p.project_id, p.name.as_str()))
                .collect(),
        }
    }

    fn project(&self, id: ProjectId) -> &str {
        self.projects
            .get(&id)
            .copied()
            .unwrap_or("a removed project")
    }

    /// "Go-live (Payments)".
    fn milestone(&self, id: MilestoneId) -> String {
        match self.milestones.get(&id) {
            Some((name, project)) => format!("{name} ({})", self.project(*project)),
            None => "a removed milestone".to_string(),
        }
    }
}

/// Keeps a section readable and the published event bounded: the first [`FACTS_MAX`] facts, then
/// one sentence counting the rest.
fn bounded(mut facts: Vec<Fact>) -> Vec<Fact> {
    if facts.len() > FACTS_MAX {
        let rest = facts.len() - FACTS_MAX;
        facts.truncate(FACTS_MAX);
        facts.push(Fact {
            text: format!("…and {rest} more."),
            rag: None,
            evidence: Vec::new(),
        });
    }
    facts
}

fn fact(text: String, rag: Option<Rag>, evidence: Vec<i64>) -> Fact {
    Fact {
        text,
        rag,
        evidence,
    }
}

/// The briefing as of `inputs.as_of`. Pure and total: any views give a document.
pub fn generate(inputs: &BriefingInputs<'_>) -> BriefingDocument {
    let view = inputs.view;
    let analysis = view.analyse(inputs.day);
    let names = Names::new(view);
    let (overall, health) = health(inputs, &analysis, &names);
    let sections = vec![
        section(SectionKey::Health, "Overall health", health),
        section(
            SectionKey::Objectives,
            "Objectives",
            objectives(inputs, &analysis, &names),
        ),
        section(
            SectionKey::Milestones,
            "Milestones",
            milestones(inputs, &analysis, &names),
        ),
        section(
            SectionKey::CriticalPath,
            "Critical path",
            critical_path(inputs, &analysis, &names),
        ),
        section(
            SectionKey::Dependencies,
            "Dependencies",
            dependencies(inputs, &analysis, &names),
        ),
        section(SectionKey::Risks, "Top risks and exposure", risks(inputs)),
        section(SectionKey::Decisions, "Decisions", decisions(inputs)),
        section(SectionKey::Escalations, "Escalations", escalations(inputs)),
        section(
            SectionKey::Changes,
            &match inputs.follows {
                Some(n) => format!("What changed since briefing {n}"),
                None => "What changed since the program began".to_string(),
            },
            changes(inputs, &names),
        ),
    ];
    BriefingDocument {
        program_id: view.program_id,
        program_name: view.name.clone(),
        sponsor: view.sponsor.clone(),
        as_of: inputs.as_of,
        as_of_day: inputs.day,
        since: inputs.since,
        since_day: inputs.since_day,
        follows: inputs.follows,
        overall,
        sections,
        timeline: timeline(inputs, &analysis, &names),
    }
}

fn section(key: SectionKey, title: &str, facts: Vec<Fact>) -> BriefingSection {
    BriefingSection {
        key,
        title: title.to_string(),
        facts: bounded(facts),
    }
}

fn health(
    inputs: &BriefingInputs<'_>,
    analysis: &ScheduleAnalysis,
    names: &Names<'_>,
) -> (Option<Rag>, Vec<Fact>) {
    let view = inputs.view;
    let ev = inputs.evidence;
    let active: Vec<_> = view
        .projects
        .iter()
        .filter(|p| p.stage != ProjectStage::Closed)
        .collect();
    let mut reasons = Vec::new();
    let mut overall = view.rollup_rag();
    let mut facts = Vec::new();
    for rag in [Rag::Red, Rag::Amber] {
        let named: Vec<&str> = active
            .iter()
            .filter(|p| p.status.as_ref().is_some_and(|s| s.rag == rag))
            .map(|p| p.name.as_str())
            .collect();
        if !named.is_empty() {
            reasons.push(format!(
                "{} {} {} ({})",
                plural(named.len(), "project", "projects"),
                if named.len() == 1 {
                    "reports"
                } else {
                    "report"
                },
                rag.label(),
                named.join(", ")
            ));
        }
    }
    let critical: std::collections::HashSet<MilestoneId> =
        analysis.critical_path.iter().copied().collect();
    let mut troubled: Vec<_> = analysis
        .dependencies
        .iter()
        .filter(|d| d.status.is_trouble())
        .collect();
    troubled.sort_by_key(|d| (d.status.urgency(), std::cmp::Reverse(d.gap_days)));
    if !troubled.is_empty() {
        let on_path = troubled
            .iter()
            .filter(|h| {
                matches!(h.status, DependencyStatus::Late | DependencyStatus::Broken)
                    && view.dependencies.iter().any(|d| {
                        d.dependency_id == h.dependency_id && critical.contains(&d.consumer)
                    })
            })
            .count();
        let worst = if on_path > 0 { Rag::Red } else { Rag::Amber };
        overall = overall.max(Some(worst));
        let late = troubled
            .iter()
            .filter(|d| d.status == DependencyStatus::Late)
            .count();
        let broken = troubled
            .iter()
            .filter(|d| d.status == DependencyStatus::Broken)
            .count();
        let at_risk = troubled.len() - late - broken;
        let parts: Vec<String> = [(late, "late"), (broken, "broken"), (at_risk, "at risk")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        reasons.push(format!(
            "{} in trouble ({}){}",
            plural(troubled.len(), "dependency", "dependencies"),
            parts.join(", "),
            if on_path > 0 {
                ", feeding the critical path"
            } else {
                ""
            }
        ));
    }
    let threatened: Vec<&str> = analysis
        .objectives
        .iter()
        .filter(|o| o.threatened)
        .filter_map(|o| {
            view.objectives
                .iter()
                .find(|v| v.objective_id == o.objective_id)
                .map(|v| v.title.as_str())
        })
        .collect();
    if !threatened.is_empty() {
        overall = overall.max(Some(Rag::Amber));
        reasons.push(format!(
            "{} threatened ({})",
            plural(threatened.len(), "objective is", "objectives are"),
            threatened.join(", ")
        ));
    }
    let overall_text = match overall {
        None => "No project has reported its status yet.".to_string(),
        Some(rag) if reasons.is_empty() => format!(
            "Overall {}: every active project reports Green and no dependency is in trouble.",
            rag.label()
        ),
        Some(rag) => format!("Overall {}: {}.", rag.label(), reasons.join("; ")),
    };
    let mut items: Vec<Uuid> = active.iter().map(|p| p.project_id.0).collect();
    items.extend(troubled.iter().map(|d| d.dependency_id.0));
    facts.push(fact(overall_text, overall, ev.of(&items)));
    let mut reported: Vec<_> = active
        .iter()
        .filter_map(|p| p.status.as_ref().map(|s| (p, s)))
        .filter(|(_, s)| s.rag != Rag::Green)
        .collect();
    reported.sort_by_key(|(p, s)| (std::cmp::Reverse(s.rag), p.name.clone()));
    for (p, s) in reported {
        let trend = match p.previous_rag {
            Some(prev) if prev != s.rag => format!(" (was {})", prev.label()),
            _ => String::new(),
        };
        facts.push(fact(
            format!(
                "{} is {}{trend}: “{}” ({}, {}).",
                p.name,
                s.rag.label(),
                quote(&s.narrative),
                s.reported_by,
                day(s.reported_at.date_naive())
            ),
            Some(s.rag),
            ev.of(&[p.project_id.0]),
        ));
    }
    let unreported: Vec<&str> = active
        .iter()
        .filter(|p| p.status.is_none())
        .map(|p| p.name.as_str())
        .collect();
    if !unreported.is_empty() {
        facts.push(fact(
            format!("Not reported yet: {}.", unreported.join(", ")),
            None,
            Vec::new(),
        ));
    }
    for h in troubled.iter().take(3) {
        if let Some(d) = view
            .dependencies
            .iter()
            .find(|d| d.dependency_id == h.dependency_id)
        {
            facts.push(fact(
                format!(
                    "{} → {} is {}{}.",
                    names.milestone(d.provider),
                    names.milestone(d.consumer),
                    h.status.label().to_lowercase(),
                    if h.gap_days > 0 {
                        format!(" by {}", plural(h.gap_days as usize, "day", "days"))
                    } else {
                        String::new()
                    }
                ),
                Some(dependency_rag(h.status)),
                ev.of(&[d.dependency_id.0, d.provider.0]),
            ));
        }
    }
    (overall, facts)
}

fn dependency_rag(status: DependencyStatus) -> Rag {
    match status {
        DependencyStatus::Late | DependencyStatus::Broken => Rag::Red,
        DependencyStatus::AtRisk => Rag::Amber,
        _ => Rag::Green,
    }
}

fn objectives(
    inputs: &BriefingInputs<'_>,
    analysis: &ScheduleAnalysis,
    names: &Names<'_>,
) -> Vec<Fact> {
    let ev = inputs.evidence;
    let mut facts = Vec::new();
    for objective in &inputs.view.objectives {
        let outlook = analysis
            .objectives
            .iter()
            .find(|o| o.objective_id == objective.objective_id);
        let title = &objective.title;
        let mut items = vec![objective.objective_id.0];
        items.extend(outlook.and_then(|o| o.latest_milestone).map(|m| m.0));
        let finish = outlook.and_then(|o| o.latest_finish);
        let last = outlook
            .and_then(|o| o.latest_milestone)
            .map(|m| names.milestone(m));
        let (text, rag) = match (outlook, objective.target_date, finish) {
            (Some(o), Some(target), Some(finish)) if o.threatened => (
                format!(
                    "{title} is threatened: {} finishes {}, {} after its target of {}.",
                    last.unwrap_or_else(|| "its last milestone".into()),
                    day(finish),
                    plural(o.days_over.max(0) as usize, "day", "days"),
                    day(target)
                ),
                Some(Rag::Red),
            ),
            (_, Some(target), Some(finish)) => (
                format!(
                    "{title} is on track: its work finishes {}, by its target of {}.",
                    day(finish),
                    day(target)
                ),
                Some(Rag::Green),
            ),
            (_, Some(target), None) => (
                format!(
                    "{title} is due {}; no project milestone contributes to it yet.",
                    day(target)
                ),
                None,
            ),
            (_, None, Some(finish)) => (
                format!(
                    "{title} has no target date; its work finishes {}.",
                    day(finish)
                ),
                None,
            ),
            (_, None, None) => (
                format!("{title} has no target date and no contributing milestone."),
                None,
            ),
        };
        facts.push(fact(text, rag, ev.of(&items)));
    }
    facts
}

fn milestones(
    inputs: &BriefingInputs<'_>,
    analysis: &ScheduleAnalysis,
    names: &Names<'_>,
) -> Vec<Fact> {
    let ev = inputs.evidence;
    let view = inputs.view;
    let mut facts = Vec::new();
    for id in &analysis.overdue {
        if let Some(m) = view.milestones.iter().find(|m| m.milestone_id == *id) {
            facts.push(fact(
                format!(
                    "{} is overdue: its forecast of {} has passed and it is not met.",
                    names.milestone(*id),
                    day(m.forecast)
                ),
                Some(Rag::Red),
                ev.of(&[id.0]),
            ));
        }
    }
    let mut slipped: Vec<_> = inputs
        .changes
        .milestones
        .iter()
        .filter(|d| d.moved_days.is_some_and(|n| n > 0))
        .collect();
    slipped.sort_by_key(|d| std::cmp::Reverse(d.moved_days));
    for d in slipped {
        if let (Some(f), Some(n)) = (&d.forecast, d.moved_days) {
            let baseline = view
                .milestones
                .iter()
                .find(|m| m.milestone_id == d.milestone_id)
                .and_then(|m| m.baseline.map(|b| (m.forecast - b).num_days()))
                .filter(|v| *v > 0)
                .map(|v| {
                    format!(
                        "; {} behind its baseline",
                        plural(v as usize, "day", "days")
                    )
                })
                .unwrap_or_default();
            facts.push(fact(
                format!(
                    "{} slipped {}: {} → {}{baseline}.",
                    names.milestone(d.milestone_id),
                    plural(n as usize, "day", "days"),
                    day(f.from),
                    day(f.to)
                ),
                Some(Rag::Amber),
                ev.of(&[d.milestone_id.0]),
            ));
        }
    }
    let horizon = inputs
        .day
        .checked_add_signed(chrono::Duration::days(DUE_WITHIN_DAYS))
        .unwrap_or(inputs.day);
    let mut due: Vec<_> = view
        .milestones
        .iter()
        .filter(|m| m.actual.is_none() && m.forecast >= inputs.day && m.forecast <= horizon)
        .collect();
    due.sort_by_key(|m| m.forecast);
    for m in due {
        facts.push(fact(
            format!(
                "{} is due {}{}.",
                names.milestone(m.milestone_id),
                day(m.forecast),
                if m.percent_complete > 0 {
                    format!(" ({}% complete)", m.percent_complete)
                } else {
                    String::new()
                }
            ),
            None,
            ev.of(&[m.milestone_id.0]),
        ));
    }
    for d in &inputs.changes.milestones {
        if let Some(met) = &d.met
            && let Some(on) = met.to
        {
            facts.push(fact(
                format!(
                    "{} was met on {}.",
                    names.milestone(d.milestone_id),
                    day(on)
                ),
                Some(Rag::Green),
                ev.of(&[d.milestone_id.0]),
            ));
        }
        if let (Some(f), Some(n)) = (&d.forecast, d.moved_days)
            && n < 0
        {
            facts.push(fact(
                format!(
                    "{} moved {} earlier: {} → {}.",
                    names.milestone(d.milestone_id),
                    plural(n.unsigned_abs() as usize, "day", "days"),
                    day(f.from),
                    day(f.to)
                ),
                Some(Rag::Green),
                ev.of(&[d.milestone_id.0]),
            ));
        }
    }
    facts
}

fn critical_path(
    inputs: &BriefingInputs<'_>,
    analysis: &ScheduleAnalysis,
    names: &Names<'_>,
) -> Vec<Fact> {
    let ev = inputs.evidence;
    let path = &analysis.critical_path;
    let mut facts = Vec::new();
    if let Some(last) = path.last() {
        let end = inputs
            .view
            .milestones
            .iter()
            .find(|m| m.milestone_id == *last)
            .map(|m| m.actual.unwrap_or(m.forecast));
        facts.push(fact(
            format!(
                "The critical path runs through {} and ends with {}{}.",
                plural(path.len(), "milestone", "milestones"),
                names.milestone(*last),
                end.map(|d| format!(" on {}", day(d))).unwrap_or_default()
            ),
            None,
            ev.of(&[last.0]),
        ));
        let chain: Vec<String> = path.iter().map(|m| names.milestone(*m)).collect();
        facts.push(fact(
            format!("In order: {}.", chain.join(" → ")),
            None,
            Vec::new(),
        ));
    } else {
        facts.push(fact(
            "There is no critical path: the plan has no milestones.".to_string(),
            None,
            Vec::new(),
        ));
    }
    if let Some(diff) = &inputs.changes.critical_path {
        for (ids, verb) in [(&diff.joined, "joined"), (&diff.left, "left")] {
            if !ids.is_empty() {
                let named: Vec<String> = ids.iter().map(|m| names.milestone(*m)).collect();
                let items: Vec<Uuid> = ids.iter().map(|m| m.0).collect();
                facts.push(fact(
                    format!(
                        "{} {verb} the critical path since {}.",
                        named.join(", "),
                        since_words(inputs)
                    ),
                    Some(Rag::Amber),
                    ev.of(&items),
                ));
            }
        }
    }
    facts
}

fn since_words(inputs: &BriefingInputs<'_>) -> String {
    match inputs.follows {
        Some(n) => format!("briefing {n}"),
        None => "the program began".to_string(),
    }
}

fn dependencies(
    inputs: &BriefingInputs<'_>,
    analysis: &ScheduleAnalysis,
    names: &Names<'_>,
) -> Vec<Fact> {
    let ev = inputs.evidence;
    let mut facts = Vec::new();
    let live: Vec<_> = analysis
        .dependencies
        .iter()
        .filter(|d| d.status != DependencyStatus::Cancelled)
        .collect();
    if live.is_empty() {
        return vec![fact(
            "No dependencies between projects are registered.".to_string(),
            None,
            Vec::new(),
        )];
    }
    let mut statuses: Vec<DependencyStatus> = live.iter().map(|d| d.status).collect();
    statuses.sort_by_key(|s| s.urgency());
    statuses.dedup();
    let counts: Vec<String> = statuses
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                live.iter().filter(|d| d.status == *s).count(),
                s.label().to_lowercase()
            )
        })
        .collect();
    facts.push(fact(
        format!(
            "{}: {}.",
            plural(live.len(), "dependency", "dependencies"),
            counts.join(", ")
        ),
        None,
        Vec::new(),
    ));
    let mut troubled: Vec<_> = live.iter().filter(|d| d.status.is_trouble()).collect();
    troubled.sort_by_key(|d| (d.status.urgency(), std::cmp::Reverse(d.gap_days)));
    for h in troubled {
        let Some(d) = inputs
            .view
            .dependencies
            .iter()
            .find(|d| d.dependency_id == h.dependency_id)
        else {
            continue;
        };
        let detail = match (h.need_by, h.delivers) {
            (Some(need), Some(delivers)) => format!(
                ": needed by {}, delivers {}{}",
                day(need),
                day(delivers),
                if h.gap_days > 0 {
                    format!(", {} late", plural(h.gap_days as usize, "day", "days"))
                } else {
                    String::new()
                }
            ),
            _ => d
                .closed_reason
                .as_deref()
                .map(|r| format!(": “{}”", quote(r)))
                .unwrap_or_default(),
        };
        facts.push(fact(
            format!(
                "{} → {} is {}{detail}.",
                names.milestone(d.provider),
                names.milestone(d.consumer),
                h.status.label().to_lowercase()
            ),
            Some(dependency_rag(h.status)),
            ev.of(&[d.dependency_id.0, d.provider.0]),
        ));
    }
    facts
}

fn band_rag(band: Option<Band>) -> Option<Rag> {
    band.map(|b| match b {
        Band::Critical | Band::High => Rag::Red,
        Band::Medium => Rag::Amber,
        Band::Low | Band::VeryLow => Rag::Green,
    })
}

fn risks(inputs: &BriefingInputs<'_>) -> Vec<Fact> {
    let ev = inputs.evidence;
    let register = inputs.raid.register(inputs.day, &RaidFilter::default());
    let mut open: Vec<_> = register
        .risks
        .iter()
        .filter(|r| r.state.is_open())
        .collect();
    open.sort_by_key(|r| (std::cmp::Reverse(r.score), r.details.title.clone()));
    let mut facts = Vec::new();
    let above = open.iter().filter(|r| r.above_appetite.is_some()).count();
    facts.push(fact(
        format!(
            "{} open{}.",
            plural(open.len(), "risk", "risks"),
            if above > 0 {
                format!(", {above} above the program's appetite")
            } else {
                String::new()
            }
        ),
        None,
        Vec::new(),
    ));
    let context = ExposureContext::new(inputs.view);
    for row in open.iter().take(TOP_RISKS) {
        let exposure = inputs
            .raid
            .risk(row.risk_id)
            .and_then(|risk| context.of(row.risk_id, risk));
        let reach = exposure
            .as_ref()
            .and_then(|e| {
                e.milestones.first().map(|m| {
                    let objectives = e
                        .objectives
                        .iter()
                        .filter(|o| o.expected_days_over > 0)
                        .count();
                    format!(
                        "; expected to push {} by {}{}",
                        inputs
                            .view
                            .milestones
                            .iter()
                            .find(|v| v.milestone_id == m.milestone_id)
                            .map_or("a milestone", |v| v.name.as_str()),
                        plural(m.expected_days.max(0) as usize, "day", "days"),
                        if objectives > 0 {
                            format!(
                                ", taking {} past target",
                                plural(objectives, "objective", "objectives")
                            )
                        } else {
                            String::new()
                        }
                    )
                })
            })
            .unwrap_or_default();
        let score = match (row.score, row.band) {
            (Some(s), Some(b)) => format!("score {s} ({})", b.label().to_lowercase()),
            _ => "not assessed".to_string(),
        };
        let appetite = row
            .above_appetite
            .as_deref()
            .map(|why| format!("; above appetite: {why}"))
            .unwrap_or_default();
        facts.push(fact(
            format!(
                "{} — {score}, owned by {}{appetite}{reach}.",
                row.details.title, row.details.owner
            ),
            band_rag(row.band),
            ev.of(&[row.risk_id.0]),
        ));
    }
    facts
}

fn decisions(inputs: &BriefingInputs<'_>) -> Vec<Fact> {
    let ev = inputs.evidence;
    let gov = inputs.governance;
    let mut facts = Vec::new();
    let mut taken: Vec<_> = gov
        .decisions
        .iter()
        .filter_map(|d| d.outcome.as_ref().map(|o| (d, o)))
        .filter(|(_, o)| o.position > inputs.since && o.position <= inputs.as_of)
        .collect();
    taken.sort_by_key(|(_, o)| o.position);
    for (d, o) in taken {
        let verb = match o.state {
            DecisionState::Approved => "Approved",
            DecisionState::Rejected => "Rejected",
            DecisionState::Deferred => "Deferred",
            DecisionState::Superseded => "Superseded",
            DecisionState::Proposed | DecisionState::InReview => "Recorded",
        };
        facts.push(fact(
            format!(
                "{verb} on {}: {} — “{}”",
                day(o.at.date_naive()),
                d.question,
                quote(&o.rationale)
            ),
            None,
            ev.of(&[d.decision_id.0]),
        ));
    }
    let mut open: Vec<_> = gov.decisions.iter().filter(|d| d.is_open()).collect();
    open.sort_by_key(|d| d.raised_at);
    for d in open {
        let forum = d.forum_id.and_then(|f| {
            gov.charter
                .forums
                .iter()
                .find(|x| x.forum_id == f)
                .map(|x| (x.name.clone(), x.rules.decision_sla_days))
        });
        let (who, sla) = forum.unwrap_or_else(|| {
            (
                "the program manager".to_string(),
                crate::governance::view::PROGRAM_MANAGER_SLA_DAYS,
            )
        });
        let waiting = (inputs.day - d.raised_at.date_naive()).num_days().max(0);
        let late = waiting > i64::from(sla);
        facts.push(fact(
            format!(
                "Pending with {who} for {}{}: {}",
                plural(waiting as usize, "day", "days"),
                if late {
                    format!(", past its {sla}-day limit")
                } else {
                    String::new()
                },
                d.question
            ),
            Some(if late { Rag::Red } else { Rag::Amber }),
            ev.of(&[d.decision_id.0]),
        ));
    }
    facts
}

fn escalations(inputs: &BriefingInputs<'_>) -> Vec<Fact> {
    let ev = inputs.evidence;
    let mut facts = Vec::new();
    for e in &inputs.governance.escalations {
        let items = [e.escalation_id.0];
        // Resolved since the previous briefing: its resolution is among its events since.
        let changed = ev
            .items
            .get(&e.escalation_id.0)
            .is_some_and(|i| !i.recent.is_empty());
        match &e.resolution {
            Some(r) if changed => facts.push(fact(
                format!(
                    "Resolved on {}: {} — “{}”",
                    day(r.at.date_naive()),
                    e.subject_label,
                    quote(&r.resolution)
                ),
                Some(Rag::Green),
                ev.of(&items),
            )),
            Some(_) => {}
            None => {
                let level = e.levels.get(e.level).map_or_else(
                    || format!("level {}", e.level.saturating_add(1)),
                    |l| l.title.clone(),
                );
                let overdue = e.due_at.date_naive() < inputs.day;
                facts.push(fact(
                    format!(
                        "Open with {level}: {} — “{}”; answer due {}{}.",
                        e.subject_label,
                        quote(&e.reason),
                        day(e.due_at.date_naive()),
                        if overdue { ", overdue" } else { "" }
                    ),
                    Some(if overdue { Rag::Red } else { Rag::Amber }),
                    ev.of(&items),
                ));
            }
        }
    }
    facts
}

fn changes(inputs: &BriefingInputs<'_>, names: &Names<'_>) -> Vec<Fact> {
    let ev = inputs.evidence;
    let c = inputs.changes;
    let mut facts = Vec::new();
    let count = |n: usize, what: &str, many: &str| (n > 0).then(|| plural(n, what, many));
    let moved = c
        .milestones
        .iter()
        .filter(|d| d.moved_days.is_some())
        .count();
    let met = c
        .milestones
        .iter()
        .filter(|d| d.met.as_ref().is_some_and(|m| m.to.is_some()))
        .count();
    let added = c
        .milestones
        .iter()
        .filter(|d| d.presence == Presence::Added)
        .count();
    let summary: Vec<String> = [
        count(moved, "milestone moved", "milestones moved"),
        count(met, "milestone met", "milestones met"),
        count(added, "milestone added", "milestones added"),
        count(
            c.dependencies.iter().filter(|d| d.status.is_some()).count(),
            "dependency changed status",
            "dependencies changed status",
        ),
        count(
            c.projects.iter().filter(|p| p.rag.is_some()).count(),
            "project changed status",
            "projects changed status",
        ),
        count(
            c.risks
                .iter()
                .filter(|r| r.presence == Presence::Added)
                .count(),
            "new risk",
            "new risks",
        ),
        count(c.decisions.len(), "decision moved on", "decisions moved on"),
        count(
            c.escalations.len(),
            "escalation moved on",
            "escalations moved on",
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    facts.push(fact(
        if summary.is_empty() {
            format!(
                "Nothing changed since {} ({}).",
                since_words(inputs),
                day(inputs.since_day)
            )
        } else {
            format!(
                "Since {} ({}): {}.",
                since_words(inputs),
                day(inputs.since_day),
                summary.join(", ")
            )
        },
        None,
        Vec::new(),
    ));
    for p in &c.projects {
        if let Some(rag) = &p.rag
            && let Some(to) = rag.to
        {
            let from = rag
                .from
                .map_or("unreported".to_string(), |r| r.label().to_string());
            facts.push(fact(
                format!(
                    "{} went from {from} to {}{}",
                    p.name,
                    to.label(),
                    p.narrative
                        .as_deref()
                        .map(|n| format!(": “{}”", quote(n)))
                        .unwrap_or_else(|| ".".into())
                ),
                Some(to),
                ev.of(&[p.project_id.0]),
            ));
        }
    }
    for d in &c.dependencies {
        if let Some(status) = &d.status
            && let Some(to) = status.to
        {
            facts.push(fact(
                format!(
                    "{} → {}: {} → {}.",
                    names.milestone(d.provider),
                    names.milestone(d.consumer),
                    status.from.map_or("new", |s| s.label()).to_lowercase(),
                    to.label().to_lowercase()
                ),
                Some(dependency_rag(to)),
                ev.of(&[d.dependency_id.0, d.provider.0]),
            ));
        }
    }
    for o in &c.objectives {
        if let Some(t) = &o.threatened {
            facts.push(fact(
                if t.to {
                    format!("{} became threatened.", o.title)
                } else {
                    format!("{} is back on track.", o.title)
                },
                Some(if t.to { Rag::Red } else { Rag::Green }),
                ev.of(&[o.objective_id.0]),
            ));
        }
    }
    for r in &c.risks {
        let text = match (r.presence, &r.score, &r.state) {
            (Presence::Added, _, _) => format!("New risk: {}.", r.title),
            (Presence::Removed, _, _) => format!("Risk no longer in the register: {}.", r.title),
            (_, _, Some(state)) if !state.to.is_open() => format!("Risk closed: {}.", r.title),
            (_, Some(score), _) => format!(
                "{}: score {} → {}.",
                r.title,
                score
                    .from
                    .map_or("unassessed".to_string(), |s| s.to_string()),
                score.to.map_or("unassessed".to_string(), |s| s.to_string())
            ),
            _ => continue,
        };
        facts.push(fact(text, None, ev.of(&[r.risk_id.0])));
    }
    facts
}

fn timeline(
    inputs: &BriefingInputs<'_>,
    analysis: &ScheduleAnalysis,
    names: &Names<'_>,
) -> Vec<TimelineLane> {
    let critical: std::collections::HashSet<MilestoneId> =
        analysis.critical_path.iter().copied().collect();
    let was: HashMap<MilestoneId, NaiveDate> = inputs
        .changes
        .milestones
        .iter()
        .filter_map(|d| d.forecast.as_ref().map(|f| (d.milestone_id, f.from)))
        .collect();
    names
        .view
        .projects
        .iter()
        .filter(|p| p.stage != ProjectStage::Closed)
        .take(LANES_MAX)
        .map(|p| {
            let mut marks: Vec<TimelineMark> = names
                .view
                .milestones
                .iter()
                .filter(|m| m.project_id == p.project_id)
                .map(|m| TimelineMark {
                    name: m.name.clone(),
                    forecast: m.actual.unwrap_or(m.forecast),
                    baseline: m.baseline,
                    was: was.get(&m.milestone_id).copied(),
                    met: m.actual.is_some(),
                    critical: critical.contains(&m.milestone_id),
                })
                .collect();
            marks.sort_by_key(|m| m.forecast);
            // Too many to draw: the earliest met ones give way, so what is coming stays.
            while marks.len() > MARKS_PER_LANE_MAX {
                match marks.iter().position(|m| m.met) {
                    Some(i) => {
                        marks.remove(i);
                    }
                    None => marks.truncate(MARKS_PER_LANE_MAX),
                }
            }
            TimelineLane {
                project: p.name.clone(),
                milestones: marks,
            }
        })
        .collect()
}
