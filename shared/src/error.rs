use crate::date::{PLAN_DATE_MAX, PLAN_DATE_MIN, in_plan_range};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One problem with one input field, as shown next to that field in a form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a command was refused by the domain. Nothing is appended when this is returned.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("the input is not valid")]
    Invalid(Vec<FieldError>),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
    #[error("nothing to change: {0}")]
    NothingToChange(String),
    /// The change would make the dependencies circular; the cycle, named, first = last.
    #[error("this dependency would close a cycle: {}", .0.join(" → "))]
    Cycle(Vec<String>),
    /// The caller named the version of what they edited, and it has moved on since.
    #[error("{what} is at version {current}, not the version {expected} you edited")]
    Stale {
        what: String,
        expected: i64,
        current: i64,
    },
}

/// Collects field errors so a form can show all of them at once rather than one per round trip.
#[derive(Default)]
pub struct Validator {
    errors: Vec<FieldError>,
}

impl Validator {
    pub fn new() -> Self {
        Self::default()
    }

    /// A required single-line text: trimmed, non-empty, at most `max` characters.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.errors
                .push(FieldError::new(field, "must not be empty"));
        } else {
            self.max_len(field, trimmed, max);
        }
        trimmed.to_string()
    }

    /// An optional text: trimmed, at most `max` characters (may be empty).
    pub fn optional_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        self.max_len(field, trimmed, max);
        trimmed.to_string()
    }

    fn max_len(&mut self, field: &str, value: &str, max: usize) {
        // Names, people and titles (short fields) are single lines; longer texts may hold line
        // breaks and tabs. No text holds other control characters: NUL cannot even be stored
        // (PostgreSQL refuses it), and CR/LF in a name would break every line-based export.
        let single_line = max <= NAME_MAX.max(PERSON_MAX);
        if let Some(c) = value
            .chars()
            .find(|c| c.is_control() && (single_line || !matches!(c, '\n' | '\r' | '\t')))
        {
            self.errors.push(FieldError::new(
                field,
                if single_line && matches!(c, '\n' | '\r') {
                    "must be a single line".to_string()
                } else {
                    format!(
                        "must not contain the control character U+{:04X}",
                        u32::from(c)
                    )
                },
            ));
            return;
        }
        let chars = value.chars().count();
        if chars > max {
            self.errors.push(FieldError::new(
                field,
                format!("must be at most {max} characters (got {chars})"),
            ));
        }
    }

    /// A plan date: within [`PLAN_DATE_MIN`]..=[`PLAN_DATE_MAX`].
    pub fn date(&mut self, field: &str, date: NaiveDate) {
        if !in_plan_range(date) {
            self.errors.push(FieldError::new(
                field,
                format!("must be between {PLAN_DATE_MIN} and {PLAN_DATE_MAX} (got {date})"),
            ));
        }
    }

    /// An optional plan date.
    pub fn optional_date(&mut self, field: &str, date: Option<NaiveDate>) {
        if let Some(date) = date {
            self.date(field, date);
        }
    }

    /// A whole number within `range` (counts, durations, SLAs).
    pub fn within<T: PartialOrd + std::fmt::Display>(
        &mut self,
        field: &str,
        value: T,
        range: std::ops::RangeInclusive<T>,
    ) {
        if !range.contains(&value) {
            self.errors.push(FieldError::new(
                field,
                format!(
                    "must be between {} and {} (got {value})",
                    range.start(),
                    range.end()
                ),
            ));
        }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// The errors collected so far, as the refusal: for a caller that has just pushed one and
    /// cannot go on.
    pub fn fail(self) -> DomainError {
        DomainError::Invalid(self.errors)
    }

    pub fn finish(self) -> Result<(), DomainError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.errors))
        }
    }
}

pub const NAME_MAX: usize = 200;
pub const PERSON_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;
