//! Sessions of a forum: opened with their agenda, then their record (attendance, minutes,
//! actions) kept until they close.

use super::{Caller, charter_of, forbidden};
use crate::commands::{CommandError, accepted, decide_and_append, load};
use crate::event_store::EventStore;
use crate::request_context::RequestContext;
use chrono::NaiveDate;
use throughline_shared::api::CommandAccepted;
use throughline_shared::governance::charter::Person;
use throughline_shared::governance::forum::ForumRules;
use throughline_shared::governance::requests::AttendanceRequest;
use throughline_shared::governance::session::{Agenda, ReviewSession, SessionCommand};
use throughline_shared::ids::{ForumId, SessionId};
use throughline_shared::{DomainError, FieldError, ProgramId, UserId};
use uuid::Uuid;

/// The forum's next session on or after `today`, by its cadence; `None` only where the cadence
/// runs past the calendar's end (a forum recorded with an absurd first session).
pub fn next_session(rules: &ForumRules, today: NaiveDate) -> Option<NaiveDate> {
    rules
        .cadence
        .sessions_from(rules.first_session, today, 1)
        .first()
        .copied()
}

/// Opens a session of `forum_id` with the agenda the caller assembled (the program manager or the
/// forum's chair).
pub async fn open_session(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    forum_id: ForumId,
    caller: Caller,
    date: NaiveDate,
    agenda: Agenda,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let Some(forum) = charter.state.forum(forum_id) else {
        return Err(DomainError::NotFound(format!("forum {forum_id}")).into());
    };
    if !caller.governs && Some(forum.rules.chair) != caller.user_id {
        return Err(forbidden(
            "holding a session needs the program manager role or the forum's chair",
        ));
    }
    let session_id = SessionId::from_uuid(Uuid::new_v4());
    let loaded = load::<ReviewSession>(store, session_id.0).await?;
    let command = SessionCommand::Open {
        session_id,
        program_id,
        forum_id,
        date,
        agenda,
    };
    let events = decide_and_append(store, ctx, session_id.0, loaded, command, None).await?;
    accepted(&events, program_id, None)
}

/// What a session command needs besides the command: the forum's people, for attendance.
pub enum SessionStep {
    Attendance(AttendanceRequest),
    Command(SessionCommand),
}

/// Records attendance, minutes, an action, an action's status, or closes the session. The
/// program manager and the forum's chair keep the record; an action's owner-side status can be
/// changed by anyone who may raise decisions (`action_writer`).
pub async fn session_step(
    store: &EventStore,
    ctx: &RequestContext,
    program_id: ProgramId,
    session_id: SessionId,
    caller: Caller,
    action_writer: bool,
    step: SessionStep,
) -> Result<CommandAccepted, CommandError> {
    let charter = charter_of(store, program_id).await?;
    let loaded = load::<ReviewSession>(store, session_id.0).await?;
    if loaded.state.program_id != Some(program_id) {
        return Err(
            DomainError::NotFound(format!("session {session_id} in program {program_id}")).into(),
        );
    }
    let forum = loaded
        .state
        .forum_id
        .and_then(|f| charter.state.forum(f))
        .ok_or_else(|| DomainError::NotFound("the session's forum".into()))?;
    let chairs = Some(forum.rules.chair) == caller.user_id;
    let keeps_record = caller.governs || chairs;
    let command = match step {
        SessionStep::Attendance(request) => {
            let named = |ids: &[UserId], field: &str| -> Result<Vec<Person>, CommandError> {
                ids.iter()
                    .map(|id| {
                        forum
                            .people
                            .iter()
                            .find(|p| p.user_id == *id)
                            .cloned()
                            .ok_or_else(|| {
                                DomainError::Invalid(vec![FieldError::new(
                                    field,
                                    format!("user {id} does not sit on {}", forum.name),
                                )])
                                .into()
                            })
                    })
                    .collect()
            };
            SessionCommand::RecordAttendance {
                present: named(&request.present, "present")?,
                apologies: named(&request.apologies, "apologies")?,
            }
        }
        SessionStep::Command(command) => command,
    };
    let allowed = match command {
        SessionCommand::ChangeAction { .. } => keeps_record || action_writer,
        _ => keeps_record,
    };
    if !allowed {
        return Err(forbidden(
            "keeping a session's record needs the program manager role or the forum's chair",
        ));
    }
    let mut accepted_at = accepted(
        &decide_and_append(store, ctx, session_id.0, loaded, command, None).await?,
        program_id,
        None,
    )?;
    accepted_at.stream_id = session_id.0;
    Ok(accepted_at)
}
