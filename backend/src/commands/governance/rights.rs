//! Direct changes the program's decision rights give to a forum: refused, naming the decision to
//! raise instead.

use crate::commands::{CommandError, load};
use crate::event_store::EventStore;
use throughline_shared::ProgramId;
use throughline_shared::governance::charter::{Charter, charter_stream};
use throughline_shared::governance::requests::EffectRequest;
use throughline_shared::governance::rights::{DecisionKind, check_direct};
use throughline_shared::ids::ForumId;

/// A change made directly, which the decision rights may give to a forum.
#[derive(Debug)]
pub struct DirectChange {
    pub kind: DecisionKind,
    pub magnitude: Option<i64>,
    /// The decision to raise instead: its question and the change as its effect.
    pub question: String,
    pub effect: EffectRequest,
}

/// A direct change refused because a forum decides it: the forum, why (the rule that routed it),
/// and the change, to be raised as a decision of `program_id` instead.
#[derive(Debug)]
pub struct RaiseInstead {
    pub program_id: ProgramId,
    pub forum_id: ForumId,
    /// The forum's name.
    pub forum: String,
    /// The decision right that gives the change to the forum, in words.
    pub reason: String,
    pub message: String,
    pub change: DirectChange,
}

/// Refuses a change made directly that the program's decision rights give to a forum — decided by
/// `rights::check_direct`, i.e. by `route`, the rule that routes a raised decision — naming the
/// forum and the decision to raise (answered `422 decision_required`, with the suggested request
/// in its details). An approved decision's effects are decided in `decide_outcome` and do not
/// come through here.
pub async fn require_direct(
    store: &EventStore,
    program_id: ProgramId,
    change: DirectChange,
) -> Result<(), CommandError> {
    let charter = load::<Charter>(store, charter_stream(program_id)).await?;
    let Err(required) = check_direct(&charter.state.rights, change.kind, change.magnitude) else {
        return Ok(());
    };
    let forum_id = required.routing.forum_id;
    let forum = charter
        .state
        .forum(forum_id)
        .map(|f| f.name.clone())
        .or_else(|| {
            charter
                .state
                .rights
                .iter()
                .find(|r| r.forum_id == forum_id)
                .map(|r| r.forum_name.clone())
        })
        .unwrap_or_else(|| forum_id.to_string());
    let message = required.message(&forum);
    Err(CommandError::DecisionRequired(Box::new(RaiseInstead {
        program_id,
        forum_id,
        forum,
        reason: required.routing.reason,
        message,
        change,
    })))
}
