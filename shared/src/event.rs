//! The envelope every event travels in, and decoding of stored events into domain events.
//!
//! An event is stored as `(stream_type, event_type, schema_version, payload)`. The `event_type` is a
//! stable wire name (never renamed); `schema_version` says which shape `payload` has. Decoding runs
//! the upcasters in [`crate::upcast`] first, so the domain only ever sees the current shape.

use crate::dependency::DependencyEvent;
use crate::governance::charter::CharterEvent;
use crate::governance::decision::DecisionEvent;
use crate::governance::escalation::EscalationEvent;
use crate::governance::session::SessionEvent;
use crate::ids::{EventId, ProgramId};
use crate::milestone::MilestoneEvent;
use crate::program::ProgramEvent;
use crate::project::ProjectEvent;
use crate::raid::assumption::AssumptionEvent;
use crate::raid::issue::IssueEvent;
use crate::raid::risk::RiskEvent;
use crate::raid::settings::RaidSettingsEvent;
use crate::upcast;
use crate::user::UserEvent;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

/// Who did it, and why: stored with every event, shown in the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventMetadata {
    /// The user name of the person whose request caused the event.
    pub actor: String,
    /// That person's user id (absent on events recorded before accounts existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_id: Option<crate::ids::UserId>,
    /// The API token the request was made with, when it was not an interactive session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<crate::ids::TokenId>,
    /// Shared by every event caused by one user intention, across commands.
    pub correlation_id: Uuid,
    /// The event or command that caused this one, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// The HTTP request that carried the command.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The reason the actor gave, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// One event as it stands in the log, with its global position and place in its stream.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordedEvent {
    /// Global, gapless position in the log (1, 2, 3, ...).
    pub position: i64,
    pub event_id: EventId,
    pub stream_id: Uuid,
    pub stream_type: String,
    /// Version of the stream after this event (1, 2, 3, ... without gaps).
    pub version: i64,
    pub event_type: String,
    pub schema_version: i32,
    /// The program this event belongs to: what live subscriptions and audit views filter on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program_id: Option<ProgramId>,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub payload: Value,
    pub metadata: EventMetadata,
    pub recorded_at: DateTime<Utc>,
    /// Hex SHA-256 of this event chained to the previous one.
    pub hash: String,
    /// What happened, in words (the audit trail's sentence), filled in by the server on what it
    /// sends to readers; never stored or hashed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl RecordedEvent {
    /// With its sentence filled in: the server describes events once so the browser need not
    /// carry every event's wording in its wasm.
    pub fn described(mut self) -> Self {
        if let Ok(event) = self.decode() {
            self.description = Some(crate::describe::describe(&event));
        }
        self
    }

    pub fn decode(&self) -> Result<DomainEvent, DecodeError> {
        self.decode_payload(self.payload.clone())
    }

    /// Like `decode`, but moves the payload out (leaving `null`) instead of copying it: for
    /// readers that fold and then drop the events, like a projection rebuild.
    pub fn take_decoded(&mut self) -> Result<DomainEvent, DecodeError> {
        let payload = std::mem::take(&mut self.payload);
        self.decode_payload(payload)
    }

    fn decode_payload(&self, payload: Value) -> Result<DomainEvent, DecodeError> {
        DomainEvent::decode(
            &self.stream_type,
            &self.event_type,
            self.schema_version,
            payload,
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("unknown stream type '{0}'")]
    UnknownStreamType(String),
    /// One of the plan's rare edits ([`PLAN_EDIT_EVENTS`]), which this build leaves to the
    /// server: read the view again.
    #[error("event {0} is folded by the server: read the view again")]
    FoldedByServer(String),
    #[error("event {event_type} has schema version {found}, newer than this build knows ({known})")]
    FutureSchema {
        event_type: String,
        found: i32,
        known: i32,
    },
    #[error("cannot decode {event_type} v{schema_version}: {message}")]
    Malformed {
        event_type: String,
        schema_version: i32,
        message: String,
    },
}

/// Every aggregate's event enum implements this so the store can write it and read it back.
pub trait AggregateEvent: Sized + Serialize + for<'de> Deserialize<'de> {
    /// Stable name of the aggregate's streams, stored in `events.stream_type`.
    const STREAM_TYPE: &'static str;

    /// The schema version this build writes for the given event type.
    fn current_schema_version(event_type: &str) -> i32;

    /// The program the event belongs to, for filtering.
    fn program_id(&self) -> Option<ProgramId>;

    /// Split into the stable wire name and the payload, as stored.
    fn encode(&self) -> EncodedEvent {
        // Event enums use serde's default (external) tagging: `{"VariantName": payload}`. The tag
        // becomes the stored `event_type`; only the payload is stored. (Adjacent tagging would
        // store the same, but costs a second deserializer per enum in the browser's wasm.)
        // Our event enums hold no maps with non-string keys, so serializing them cannot fail; and
        // an externally tagged enum is always a one-entry object or a string. Were either ever
        // untrue, the event is written as what it is, under a type no decoder knows, rather than
        // taking the process down.
        let (event_type, payload) = match serde_json::to_value(self) {
            Ok(Value::Object(map)) if map.len() == 1 => map
                .into_iter()
                .next()
                .unwrap_or_else(|| (String::new(), Value::Null)),
            Ok(Value::String(unit_variant)) => (unit_variant, Value::Object(Default::default())),
            Ok(other) => ("Unencodable".to_string(), other),
            Err(e) => ("Unencodable".to_string(), Value::String(e.to_string())),
        };
        EncodedEvent {
            schema_version: Self::current_schema_version(&event_type),
            stream_type: Self::STREAM_TYPE,
            event_type,
            payload,
            program_id: self.program_id(),
        }
    }

    /// Read a stored payload of any known schema version.
    fn decode(event_type: &str, schema_version: i32, payload: Value) -> Result<Self, DecodeError> {
        let known = Self::current_schema_version(event_type);
        if schema_version > known {
            return Err(DecodeError::FutureSchema {
                event_type: event_type.to_string(),
                found: schema_version,
                known,
            });
        }
        let payload = upcast::upcast(Self::STREAM_TYPE, event_type, schema_version, payload)?;
        let mut map = serde_json::Map::new();
        map.insert(event_type.to_string(), payload);
        serde_json::from_value(Value::Object(map)).map_err(|e| DecodeError::Malformed {
            event_type: event_type.to_string(),
            schema_version,
            message: e.to_string(),
        })
    }
}

/// An event ready to be appended: wire name, schema version and payload.
#[derive(Clone, Debug, PartialEq)]
pub struct EncodedEvent {
    pub stream_type: &'static str,
    pub event_type: String,
    pub schema_version: i32,
    pub payload: Value,
    pub program_id: Option<ProgramId>,
}

/// Any event of any aggregate, as a projection sees it.
#[derive(Clone, Debug, PartialEq)]
pub enum DomainEvent {
    Program(ProgramEvent),
    Project(ProjectEvent),
    User(UserEvent),
    Milestone(MilestoneEvent),
    Dependency(DependencyEvent),
    Charter(CharterEvent),
    Decision(DecisionEvent),
    Escalation(EscalationEvent),
    Session(SessionEvent),
    Risk(RiskEvent),
    Issue(IssueEvent),
    Assumption(AssumptionEvent),
    RaidSettings(RaidSettingsEvent),
    Cascade(crate::cascade::CascadeEvent),
    Briefing(crate::briefing::BriefingEvent),
}

/// The plan's rare edits: decoded only with shared's `plan-edit-events` (the server, and tests).
/// Each is a variant marked `skip_deserializing` without that feature, or an event of the
/// cascades, whose decoder is left out with it.
pub const PLAN_EDIT_EVENTS: &[&str] = &[
    "MilestoneProgressReported",
    "MilestoneRenamed",
    "MilestoneOwnerChanged",
    "MilestoneKindChanged",
    "MilestoneMoved",
    "MilestoneCancelled",
    "MilestoneRemoved",
    "DependencyTermsChanged",
    "ProjectObjectivesChanged",
    "ProjectRenamed",
    "ProjectManagerChanged",
    "ProjectPaused",
    "ProjectResumed",
    "ProjectClosed",
    "CascadeProposed",
    "CascadePartAccepted",
    "CascadePartCountered",
    "CascadePartDeclined",
];

impl DomainEvent {
    pub fn decode(
        stream_type: &str,
        event_type: &str,
        schema_version: i32,
        payload: Value,
    ) -> Result<Self, DecodeError> {
        // Their variants are not even deserializable in such a build, to keep their code out of
        // the wasm.
        #[cfg(not(any(test, feature = "plan-edit-events")))]
        if PLAN_EDIT_EVENTS.contains(&event_type) {
            return Err(DecodeError::FoldedByServer(event_type.to_string()));
        }
        match stream_type {
            // The browser re-reads the program view when one of these (rare) events arrives
            // rather than carrying their decoder; the server and shared's own tests decode them.
            #[cfg(any(test, feature = "program-events"))]
            ProgramEvent::STREAM_TYPE => {
                ProgramEvent::decode(event_type, schema_version, payload).map(DomainEvent::Program)
            }
            ProjectEvent::STREAM_TYPE => {
                ProjectEvent::decode(event_type, schema_version, payload).map(DomainEvent::Project)
            }
            MilestoneEvent::STREAM_TYPE => {
                MilestoneEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::Milestone)
            }
            DependencyEvent::STREAM_TYPE => {
                DependencyEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::Dependency)
            }
            // Governance is read through its own view, which the server folds: the browser
            // neither folds nor describes these events, so it need not carry their decoders.
            #[cfg(feature = "governance-events")]
            CharterEvent::STREAM_TYPE => {
                CharterEvent::decode(event_type, schema_version, payload).map(DomainEvent::Charter)
            }
            #[cfg(feature = "governance-events")]
            DecisionEvent::STREAM_TYPE => {
                DecisionEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::Decision)
            }
            #[cfg(feature = "governance-events")]
            SessionEvent::STREAM_TYPE => {
                SessionEvent::decode(event_type, schema_version, payload).map(DomainEvent::Session)
            }
            #[cfg(feature = "governance-events")]
            EscalationEvent::STREAM_TYPE => {
                EscalationEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::Escalation)
            }
            // RAID, like governance, is read through a view the server folds.
            #[cfg(feature = "raid-events")]
            RiskEvent::STREAM_TYPE => {
                RiskEvent::decode(event_type, schema_version, payload).map(DomainEvent::Risk)
            }
            #[cfg(feature = "raid-events")]
            IssueEvent::STREAM_TYPE => {
                IssueEvent::decode(event_type, schema_version, payload).map(DomainEvent::Issue)
            }
            #[cfg(feature = "raid-events")]
            AssumptionEvent::STREAM_TYPE => {
                AssumptionEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::Assumption)
            }
            #[cfg(feature = "raid-events")]
            RaidSettingsEvent::STREAM_TYPE => {
                RaidSettingsEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::RaidSettings)
            }
            #[cfg(feature = "governance-events")]
            crate::briefing::BriefingEvent::STREAM_TYPE => {
                crate::briefing::BriefingEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::Briefing)
            }
            #[cfg(any(test, feature = "plan-edit-events"))]
            crate::cascade::CascadeEvent::STREAM_TYPE => {
                crate::cascade::CascadeEvent::decode(event_type, schema_version, payload)
                    .map(DomainEvent::Cascade)
            }
            #[cfg(feature = "account-events")]
            UserEvent::STREAM_TYPE => {
                UserEvent::decode(event_type, schema_version, payload).map(DomainEvent::User)
            }
            other => Err(DecodeError::UnknownStreamType(other.to_string())),
        }
    }
}

/// Canonical JSON bytes: object keys sorted, no whitespace. The hash chain is computed over these,
/// so the stored `jsonb` (which reorders keys and drops whitespace) can be re-hashed exactly.
pub fn canonical_json(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by_key(|(key, _)| *key);
            out.push(b'{');
            for (i, (key, value)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                // Strings go through serde_json so escaping is the standard one. Writing a string
                // into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *out, key);
                out.push(b':');
                canonical_json(value, out);
            }
            out.push(b'}');
        }
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                canonical_json(item, out);
            }
            out.push(b']');
        }
        // A scalar into a Vec cannot fail.
        scalar => {
            let _ = serde_json::to_writer(&mut *out, scalar);
        }
    }
}

/// `event` recorded at `position` as the store would (actor `user<position>`, one second apart).
#[cfg(test)]
pub(crate) fn recorded<E: AggregateEvent>(
    position: i64,
    version: i64,
    stream: Uuid,
    event: E,
) -> RecordedEvent {
    use chrono::TimeZone;
    let enc = event.encode();
    RecordedEvent {
        description: None,
        position,
        event_id: EventId::from_uuid(Uuid::from_u128(1000 + position as u128)),
        stream_id: stream,
        stream_type: enc.stream_type.to_string(),
        version,
        event_type: enc.event_type,
        schema_version: enc.schema_version,
        program_id: enc.program_id,
        payload: enc.payload,
        metadata: EventMetadata {
            actor: format!("user{position}"),
            actor_id: None,
            token_id: None,
            correlation_id: Uuid::nil(),
            causation_id: None,
            request_id: None,
            reason: None,
        },
        recorded_at: Utc.timestamp_opt(1_700_000_000 + position, 0).unwrap(),
        hash: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let a = json!({"b": 1, "a": {"z": [1, {"y": 2, "x": "é\""}], "c": null}});
        let mut out = Vec::new();
        canonical_json(&a, &mut out);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            r#"{"a":{"c":null,"z":[1,{"x":"é\"","y":2}]},"b":1}"#
        );
    }
}
