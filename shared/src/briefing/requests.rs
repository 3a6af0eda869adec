//! The briefings' HTTP DTOs.

use super::{BriefingContent, BriefingDocument, BriefingLog, PublishedBriefing};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A briefing generated as of a moment, for the program manager to add their words to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingDraft {
    pub document: BriefingDocument,
    /// The briefings stream's version it was generated against: send it back to publish, so a
    /// briefing published meanwhile (which changes what "since" means) is a 409, not a surprise.
    pub expected_version: i64,
    /// Published so far, and when the next is due.
    pub log: BriefingLog,
}

/// Publishes the briefing generated as of `as_of`, judged on `day` (both as the draft gave them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublishBriefingRequest {
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub as_of: i64,
    pub day: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(minimum = 0))]
    pub expected_version: i64,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub narrative: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub highlights: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingPublishedResponse {
    pub number: u32,
    pub content_hash: String,
    /// The position of its `BriefingPublished` event.
    pub position: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetBriefingCadenceRequest {
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 92))]
    pub every_days: u16,
}

/// One published briefing with everything it said.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingDetail {
    pub briefing: PublishedBriefing,
    pub content: BriefingContent,
}

/// A published briefing checked against the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BriefingVerification {
    pub number: u32,
    /// The hash its event recorded.
    pub recorded_hash: String,
    /// The hash of the content as stored now.
    pub computed_hash: String,
    /// The content still hashes to what was recorded.
    pub content_matches: bool,
    /// The event's own link in the log's hash chain re-computes.
    pub event_hash_matches: bool,
    pub position: i64,
}
