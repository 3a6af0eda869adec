//! What a briefing says: sections of sentences, each with the log positions of the events it
//! rests on, and the milestones its timeline picture draws. Renderers (the page, Markdown, PDF)
//! only lay these out; every word is decided by [`super::generate`].

use crate::ids::ProgramId;
use crate::rag::Rag;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A briefing as generated from the log, before the program manager's words are added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingDocument {
    pub program_id: ProgramId,
    pub program_name: String,
    pub sponsor: String,
    /// The log position it reports as of, and that moment's day.
    pub as_of: i64,
    pub as_of_day: NaiveDate,
    /// What "since" counts from: the previous published briefing's moment, or the program's
    /// beginning.
    pub since: i64,
    pub since_day: NaiveDate,
    /// The number of the briefing it follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<u32>,
    /// The program's overall health, with its reasons in the first section.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overall: Option<Rag>,
    pub sections: Vec<BriefingSection>,
    /// The plan as the timeline picture draws it: one lane per project.
    pub timeline: Vec<TimelineLane>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SectionKey {
    Health,
    Objectives,
    Milestones,
    CriticalPath,
    Dependencies,
    Risks,
    Decisions,
    Escalations,
    Changes,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingSection {
    pub key: SectionKey,
    pub title: String,
    /// Empty: nothing to report (renderers say so).
    pub facts: Vec<Fact>,
}

/// One sentence of a briefing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Fact {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rag: Option<Rag>,
    /// Log positions of the events it rests on, oldest first (at most [`EVIDENCE_MAX`]).
    pub evidence: Vec<i64>,
}

pub const EVIDENCE_MAX: usize = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineLane {
    pub project: String,
    pub milestones: Vec<TimelineMark>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelineMark {
    pub name: String,
    pub forecast: NaiveDate,
    /// Where the baseline put it, when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<NaiveDate>,
    /// Its forecast before it moved since the last briefing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub was: Option<NaiveDate>,
    pub met: bool,
    pub critical: bool,
}

impl BriefingDocument {
    /// The earliest and latest dates the timeline draws (forecasts, baselines and old dates).
    pub fn timeline_span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let dates = self.timeline.iter().flat_map(|l| {
            l.milestones
                .iter()
                .flat_map(|m| [Some(m.forecast), m.baseline, m.was])
                .flatten()
        });
        dates.fold(None, |span, d| match span {
            None => Some((d, d)),
            Some((lo, hi)) => Some((lo.min(d), hi.max(d))),
        })
    }
}
