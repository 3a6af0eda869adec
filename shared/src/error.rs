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
        let chars = value.chars().count();
        if chars > max {
            self.errors.push(FieldError::new(
                field,
                format!("must be at most {max} characters (got {chars})"),
            ));
        }
    }

    pub fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
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
