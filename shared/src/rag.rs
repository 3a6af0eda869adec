use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Red / amber / green health, as program managers report it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Rag {
    Green,
    Amber,
    Red,
}

impl Rag {
    pub const ALL: [Rag; 3] = [Rag::Green, Rag::Amber, Rag::Red];

    pub fn as_str(self) -> &'static str {
        match self {
            Rag::Green => "green",
            Rag::Amber => "amber",
            Rag::Red => "red",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Rag::Green => "Green",
            Rag::Amber => "Amber",
            Rag::Red => "Red",
        }
    }
}

impl fmt::Display for Rag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Rag {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "green" => Ok(Rag::Green),
            "amber" => Ok(Rag::Amber),
            "red" => Ok(Rag::Red),
            other => Err(format!(
                "'{other}' is not a RAG status (green, amber or red)"
            )),
        }
    }
}
