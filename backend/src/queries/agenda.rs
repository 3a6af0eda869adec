//! What a forum's next session has on its table.

use super::governance::governance_view;
use super::program::{ReadFailed, current_view, view_at};
use super::raid::raid_view;
use crate::commands::governance::next_session;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use throughline_shared::ProgramId;
use throughline_shared::governance::session::{Agenda, assemble_agenda};
use throughline_shared::ids::ForumId;
use throughline_shared::raid::agenda::risk_agenda;
use throughline_shared::view::ProgramView;

/// Why there is no agenda to show (mapped to HTTP in `error.rs`).
#[derive(Debug, thiserror::Error)]
pub enum AgendaError {
    #[error("program {0} was not found")]
    ProgramNotFound(ProgramId),
    #[error("forum {0} was not found")]
    ForumNotFound(ForumId),
    #[error("the forum's cadence has no session after today")]
    NoNextSession,
    #[error(transparent)]
    Read(#[from] ReadFailed),
}

/// The agenda of `forum_id`'s session now (from the governance view, the program as it is and as
/// it was at the forum's previous session, judged on today), and the forum's next session day.
pub async fn agenda_for(
    pool: &PgPool,
    program_id: ProgramId,
    forum_id: ForumId,
    now: DateTime<Utc>,
) -> Result<(Agenda, NaiveDate), AgendaError> {
    let governance = governance_view(pool, program_id, i64::MAX)
        .await
        .map_err(ReadFailed::Log)?;
    let forum = governance
        .forum(forum_id)
        .ok_or(AgendaError::ForumNotFound(forum_id))?;
    let next = next_session(&forum.rules, now.date_naive()).ok_or(AgendaError::NoNextSession)?;
    let view = current_view(pool, program_id)
        .await?
        .ok_or(AgendaError::ProgramNotFound(program_id))?;
    let then = match governance.last_session_position(forum_id) {
        Some(position) => Some((
            view_at(pool, program_id, position)
                .await?
                .unwrap_or_else(|| ProgramView::new(program_id)),
            position,
        )),
        None => None,
    };
    let analysis = view.analyse(now.date_naive());
    let mut agenda = assemble_agenda(
        forum_id,
        &governance,
        &view,
        then.as_ref().map(|(v, p)| (v, *p)),
        &analysis,
        now,
    );
    let raid_now = raid_view(pool, program_id, i64::MAX)
        .await
        .map_err(ReadFailed::Log)?;
    let raid_then = match then {
        Some((_, position)) => Some(
            raid_view(pool, program_id, position)
                .await
                .map_err(ReadFailed::Log)?,
        ),
        None => None,
    };
    agenda.risks = risk_agenda(&raid_now, raid_then.as_ref(), now.date_naive());
    agenda.position = agenda.position.max(raid_now.position);
    Ok((agenda, next))
}
