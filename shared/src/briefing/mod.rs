//! Executive briefings: the program manager's consolidated report to leadership, generated from
//! the log as of any moment ([`generate`]), given a narrative and highlights, then published.
//!
//! One stream per program (`briefing`, id `UUIDv5(program, "briefings")`):
//! - `BriefingPublished` holds everything the briefing said — the generated document, the
//!   narrative, the highlights — and the SHA-256 of that content's canonical JSON, computed by the
//!   server. What leadership received is fixed forever, and anyone holding a copy can check its
//!   hash against the log (`GET …/briefings/{number}/verify`).
//! - `BriefingCadenceSet`: how often a briefing is due (weekly until set). A briefing is due
//!   [`BriefingLog::due`] days after the last one's day (or from the program's creation).
//!
//! Each briefing counts "since" from the previous published one, so its numbers never go back:
//! a briefing as of a moment before the last published one is refused.
//!
//! Like governance, the browser never decodes these events (feature `governance-events`).

mod document;
mod generate;
pub mod requests;

pub use document::*;
pub use generate::{BriefingInputs, Evidence, ItemEvidence, generate};

use crate::error::{DomainError, Validator};
use crate::event::{AggregateEvent, RecordedEvent};
use crate::ids::ProgramId;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub fn briefings_stream(program_id: ProgramId) -> Uuid {
    Uuid::new_v5(&program_id.0, b"briefings")
}

pub const CADENCE_DAYS_DEFAULT: u16 = 7;
pub const CADENCE_DAYS_MAX: u16 = 92;
pub const NARRATIVE_MAX: usize = 10_000;
pub const HIGHLIGHTS_MAX: usize = 10;
pub const HIGHLIGHT_MAX: usize = 400;

/// Everything a published briefing said: what its hash covers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingContent {
    pub document: BriefingDocument,
    /// The program manager's own words.
    pub narrative: String,
    /// What leadership should take away, most important first.
    pub highlights: Vec<String>,
}

/// Facts about a program's briefings. Wire names are the variant names and never change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BriefingEvent {
    BriefingPublished {
        program_id: ProgramId,
        /// 1 for the program's first briefing, then one more each time.
        number: u32,
        content: Box<BriefingContent>,
        /// Lowercase hex SHA-256 of `content`'s canonical JSON.
        content_hash: String,
    },
    BriefingCadenceSet {
        program_id: ProgramId,
        every_days: u16,
    },
}

impl AggregateEvent for BriefingEvent {
    const STREAM_TYPE: &'static str = "briefing";

    fn current_schema_version(_event_type: &str) -> i32 {
        1
    }

    fn program_id(&self) -> Option<ProgramId> {
        Some(match self {
            BriefingEvent::BriefingPublished { program_id, .. }
            | BriefingEvent::BriefingCadenceSet { program_id, .. } => *program_id,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BriefingCommand {
    Publish {
        program_id: ProgramId,
        content: Box<BriefingContent>,
        content_hash: String,
    },
    SetCadence {
        program_id: ProgramId,
        every_days: u16,
    },
}

/// The stream's state, for deciding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Briefings {
    pub published: u32,
    /// The last published briefing's position and hash.
    pub last: Option<(i64, String)>,
    pub cadence_days: Option<u16>,
}

impl Briefings {
    pub fn apply(&mut self, event: &BriefingEvent) {
        match event {
            BriefingEvent::BriefingPublished {
                number,
                content,
                content_hash,
                ..
            } => {
                self.published = self.published.max(*number);
                self.last = Some((content.document.as_of, content_hash.clone()));
            }
            BriefingEvent::BriefingCadenceSet { every_days, .. } => {
                self.cadence_days = Some(*every_days);
            }
        }
    }

    pub fn decide(&self, command: BriefingCommand) -> Result<Vec<BriefingEvent>, DomainError> {
        match command {
            BriefingCommand::Publish {
                program_id,
                content,
                content_hash,
            } => {
                let mut v = Validator::new();
                let narrative = v.required_text("narrative", &content.narrative, NARRATIVE_MAX);
                if content.highlights.len() > HIGHLIGHTS_MAX {
                    v.push(
                        "highlights",
                        format!(
                            "at most {HIGHLIGHTS_MAX} (got {})",
                            content.highlights.len()
                        ),
                    );
                }
                let highlights: Vec<String> = content
                    .highlights
                    .iter()
                    .enumerate()
                    .take(HIGHLIGHTS_MAX)
                    .map(|(i, h)| v.required_text(&format!("highlights[{i}]"), h, HIGHLIGHT_MAX))
                    .collect();
                if content_hash.len() != 64
                    || !content_hash
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                {
                    v.push("content_hash", "must be 64 lowercase hexadecimal digits");
                }
                if content.document.program_id != program_id {
                    v.push("document", "was generated for another program");
                }
                if let Some((as_of, _)) = &self.last
                    && content.document.as_of < *as_of
                {
                    v.push(
                        "as_of",
                        format!(
                            "must not be before briefing {}'s position {as_of}: each briefing \
                             counts what changed since the one before",
                            self.published
                        ),
                    );
                }
                v.finish()?;
                if narrative != content.narrative || highlights != content.highlights {
                    // The hash was computed over what was sent; trimmed text would not match it.
                    return Err(DomainError::Invalid(vec![crate::error::FieldError::new(
                        "narrative",
                        "must be sent trimmed (the hash covers the text as sent)",
                    )]));
                }
                if self.last.as_ref().is_some_and(|(_, h)| *h == content_hash) {
                    return Err(DomainError::NothingToChange(format!(
                        "briefing {} already says exactly this",
                        self.published
                    )));
                }
                Ok(vec![BriefingEvent::BriefingPublished {
                    program_id,
                    number: self.published.saturating_add(1),
                    content,
                    content_hash,
                }])
            }
            BriefingCommand::SetCadence {
                program_id,
                every_days,
            } => {
                let mut v = Validator::new();
                v.within("every_days", every_days, 1..=CADENCE_DAYS_MAX);
                v.finish()?;
                if self.cadence_days.unwrap_or(CADENCE_DAYS_DEFAULT) == every_days
                    && self.cadence_days.is_some()
                {
                    return Err(DomainError::NothingToChange(format!(
                        "briefings are already due every {every_days} days"
                    )));
                }
                Ok(vec![BriefingEvent::BriefingCadenceSet {
                    program_id,
                    every_days,
                }])
            }
        }
    }
}

/// One published briefing, as its list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishedBriefing {
    pub number: u32,
    /// The position of its `BriefingPublished` event.
    pub position: i64,
    pub published_at: DateTime<Utc>,
    pub published_by: String,
    /// The moment it reports on.
    pub as_of: i64,
    pub as_of_day: NaiveDate,
    pub overall: Option<crate::Rag>,
    pub content_hash: String,
}

/// A program's briefings, folded from its stream with the recorded facts (who, when).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingLog {
    /// Oldest first.
    pub published: Vec<PublishedBriefing>,
    pub cadence_days: u16,
    /// The day the next briefing is due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_due: Option<NaiveDate>,
}

impl BriefingLog {
    /// Folds one event of the stream (others are ignored).
    pub fn apply(&mut self, recorded: &RecordedEvent, event: &BriefingEvent) {
        match event {
            BriefingEvent::BriefingPublished {
                number,
                content,
                content_hash,
                ..
            } => self.published.push(PublishedBriefing {
                number: *number,
                position: recorded.position,
                published_at: recorded.recorded_at,
                published_by: recorded.metadata.actor.clone(),
                as_of: content.document.as_of,
                as_of_day: content.document.as_of_day,
                overall: content.document.overall,
                content_hash: content_hash.clone(),
            }),
            BriefingEvent::BriefingCadenceSet { every_days, .. } => self.cadence_days = *every_days,
        }
    }

    pub fn cadence(&self) -> u16 {
        if self.cadence_days == 0 {
            CADENCE_DAYS_DEFAULT
        } else {
            self.cadence_days
        }
    }

    /// When the next briefing is due: a cadence after the last one's day, or after the day the
    /// program was created when none has been published.
    pub fn due(&self, created: Option<NaiveDate>) -> Option<NaiveDate> {
        let from = self.published.last().map(|b| b.as_of_day).or(created)?;
        from.checked_add_signed(Duration::days(i64::from(self.cadence())))
    }

    pub fn latest(&self) -> Option<&PublishedBriefing> {
        self.published.last()
    }

    /// The last briefing published as of a moment at or before `position`.
    pub fn before(&self, position: i64) -> Option<&PublishedBriefing> {
        self.published.iter().rev().find(|b| b.as_of <= position)
    }
}

/// The audit trail's sentence.
pub fn describe(event: &BriefingEvent) -> String {
    match event {
        BriefingEvent::BriefingPublished {
            number,
            content,
            content_hash,
            ..
        } => format!(
            "Published executive briefing {number} as of {} (position {}, SHA-256 {}…)",
            content.document.as_of_day,
            content.document.as_of,
            content_hash.get(..12).unwrap_or(content_hash)
        ),
        BriefingEvent::BriefingCadenceSet { every_days, .. } => {
            format!("Set the executive briefing cadence to every {every_days} days")
        }
    }
}

#[cfg(test)]
mod tests;
