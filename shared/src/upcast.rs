//! Upcasters: old event shapes converted to the current one on read.
//!
//! Stored events are never rewritten. When a payload's shape changes, the event's schema version is
//! bumped and a step from the old version to the next is added here; decoding chains the steps.

use crate::event::DecodeError;
use serde_json::Value;

/// One upgrade of a payload by one schema version.
type Step = fn(Value) -> Result<Value, String>;

/// Bring `payload` of `(stream_type, event_type)` from `schema_version` up to the current version.
pub fn upcast(
    stream_type: &str,
    event_type: &str,
    schema_version: i32,
    mut payload: Value,
) -> Result<Value, DecodeError> {
    let mut version = schema_version;
    while let Some(step) = step_from(stream_type, event_type, version) {
        payload = step(payload).map_err(|message| DecodeError::Malformed {
            event_type: event_type.to_string(),
            schema_version: version,
            message,
        })?;
        version += 1;
    }
    Ok(payload)
}

/// The step from `version` to the next, if there is one.
fn step_from(stream_type: &str, event_type: &str, version: i32) -> Option<Step> {
    match (stream_type, event_type, version) {
        // Program events are decoded only where `DomainEvent::decode` decodes them.
        #[cfg(any(test, feature = "program-events"))]
        ("program", "ProgramCreated", 1) => Some(program_created_v1_to_v2),
        _ => None,
    }
}

#[cfg(any(test, feature = "program-events"))]
/// v1 of `ProgramCreated` (before objectives had targets) stored `objectives` as a list of titles.
/// v2 stores objects with an id; the id is derived from the program id and the objective's place in
/// the list, so every replay of the same v1 event yields the same ids.
fn program_created_v1_to_v2(payload: Value) -> Result<Value, String> {
    use serde_json::Map;
    use uuid::Uuid;
    let Value::Object(mut map) = payload else {
        return Err("payload is not an object".into());
    };
    let program_id = map
        .get("program_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or("program_id is missing or not a uuid")?;
    let titles = match map.remove("objectives") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items,
        Some(_) => return Err("objectives is not a list".into()),
    };
    let objectives = titles
        .into_iter()
        .enumerate()
        .map(|(i, title)| {
            let title = title.as_str().ok_or("an objective title is not a string")?;
            let id = Uuid::new_v5(&program_id, format!("objective/{i}").as_bytes());
            let mut objective = Map::new();
            objective.insert("objective_id".into(), Value::String(id.to_string()));
            objective.insert("title".into(), Value::String(title.to_string()));
            Ok(Value::Object(objective))
        })
        .collect::<Result<Vec<_>, String>>()?;
    map.insert("objectives".into(), Value::Array(objectives));
    Ok(Value::Object(map))
}

#[cfg(test)]
mod tests {
    use crate::event::{DecodeError, DomainEvent};
    use crate::program::{ProgramEvent, StrategicObjective};
    use crate::{ObjectiveId, ProgramId};
    use serde_json::json;
    use uuid::Uuid;

    #[test]
    fn program_created_v1_is_read_as_v2_with_stable_objective_ids() {
        let program = Uuid::from_u128(42);
        let v1 = json!({
            "program_id": program,
            "name": "Payments",
            "description": "",
            "sponsor": "Dana",
            "objectives": ["Retire the mainframe", "PCI DSS 4.0"]
        });
        let decode = || DomainEvent::decode("program", "ProgramCreated", 1, v1.clone()).unwrap();
        let DomainEvent::Program(ProgramEvent::ProgramCreated { objectives, .. }) = decode() else {
            panic!("not a ProgramCreated");
        };
        assert_eq!(objectives.len(), 2);
        assert_eq!(
            objectives[1],
            StrategicObjective {
                objective_id: ObjectiveId::from_uuid(Uuid::new_v5(&program, b"objective/1")),
                title: "PCI DSS 4.0".into(),
                kpi: None,
                target_value: None,
                target_date: None,
            }
        );
        assert_eq!(
            decode(),
            decode(),
            "replaying a v1 event yields the same ids"
        );
        let DomainEvent::Program(ProgramEvent::ProgramCreated { program_id, .. }) = decode() else {
            unreachable!()
        };
        assert_eq!(program_id, ProgramId::from_uuid(program));
    }

    #[test]
    fn a_schema_newer_than_this_build_is_refused_not_misread() {
        let err = DomainEvent::decode("program", "ProgramCreated", 3, json!({})).unwrap_err();
        assert!(matches!(
            err,
            DecodeError::FutureSchema {
                found: 3,
                known: 2,
                ..
            }
        ));
    }

    #[test]
    fn malformed_v1_payload_is_a_decode_error() {
        let err = DomainEvent::decode(
            "program",
            "ProgramCreated",
            1,
            json!({"program_id": "nope", "objectives": []}),
        )
        .unwrap_err();
        assert!(matches!(err, DecodeError::Malformed { .. }));
    }
}
