//! Importing schedules from files — an MS Project plan (`mspdi`), milestones and dependencies as
//! CSV rows (`csv_rows`), risks as CSV rows (`raid_rows`) — decided by the same pure aggregates as single commands, then appended in
//! one atomic multi-stream append, so an import happens whole or not at all.

mod csv_rows;
mod mspdi;
mod raid_rows;

pub use csv_rows::{import_dependency_rows, import_milestone_rows};
pub use mspdi::{Grouping, ImportOptions, import_plan};
pub use raid_rows::import_risk_rows;

use crate::event_store::{ExpectedVersion, NewEvent, StreamAppend};
use crate::request_context::RequestContext;
use throughline_shared::DomainError;
use throughline_shared::aggregate::Aggregate;
use throughline_shared::event::AggregateEvent;
use uuid::Uuid;

/// Decides `command` on `state`, applies the events, and keeps them for the append.
pub(super) fn decide_into<A: Aggregate>(
    state: &mut A,
    command: A::Command,
    out: &mut Vec<A::Event>,
) -> Result<(), DomainError> {
    let events = state.decide(command)?;
    for event in &events {
        state.apply(event);
    }
    out.extend(events);
    Ok(())
}

pub(super) fn stream<E: AggregateEvent>(
    stream_id: Uuid,
    expected: ExpectedVersion,
    events: &[E],
    ctx: &RequestContext,
    reason: &str,
) -> StreamAppend {
    let metadata = ctx.metadata(Some(reason.to_string()));
    StreamAppend {
        stream_id,
        stream_type: E::STREAM_TYPE.to_string(),
        expected,
        events: events
            .iter()
            .map(|e| NewEvent::new(e.encode(), metadata.clone()))
            .collect(),
    }
}

pub(super) fn expected(version: i64) -> ExpectedVersion {
    if version == 0 {
        ExpectedVersion::NoStream
    } else {
        ExpectedVersion::Exact(version)
    }
}
