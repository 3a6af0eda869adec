//! Cascade by agreement, in a milestone's panel: after it slipped, the moves its slip still pushes
//! downstream, offered to whoever may propose them to their owners; and, on a milestone with a
//! move pending, its owner's answer — accept it, move to a date of their own, or keep the date
//! with a reason.

use leptos::prelude::*;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{AnswerMoveRequest, CommandAccepted, ProposeCascadeRequest};
use throughline_shared::cascade::PartAnswer;
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::{PendingMove, ProgramView};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{FieldMessage, FormError, invalid, submit};
use crate::dates;
use crate::schedule::Schedule;

/// The moves `milestone`'s last slip still pushes: (its position, how many milestones), counting
/// those not met, still earlier than the slip pushes them, and not already proposed.
fn moves_to_propose(v: &ProgramView, milestone: MilestoneId) -> Option<(i64, usize)> {
    let slip = v.slips.iter().rev().find(|s| s.milestone_id == milestone)?;
    let needed = slip
        .moved
        .iter()
        .filter(|moved| {
            v.milestone(moved.milestone)
                .is_some_and(|m| m.actual.is_none() && m.forecast < moved.to)
                && !v
                    .pending_moves
                    .iter()
                    .any(|p| p.milestone_id == moved.milestone && p.to >= moved.to)
        })
        .count();
    (needed > 0).then_some((slip.position, needed))
}

/// Offers to propose the moves the milestone's last slip pushes downstream.
#[component]
pub fn ProposeMoves(
    program_id: ProgramId,
    milestone_id: MilestoneId,
    schedule: Schedule,
    history: bool,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    let auth = use_auth();
    let offer = Memo::new(move |_| {
        schedule.view.with(|v| {
            let v = v.as_ref()?;
            let project = v.milestone(milestone_id)?.project_id;
            let may = auth.can(program_id, ProgramAction::Edit)
                || auth.can(program_id, ProgramAction::ChangeSchedule(project));
            may.then(|| moves_to_propose(v, milestone_id)).flatten()
        })
    });
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let propose = move |_| {
        let Some((slip_position, _)) = offer.get_untracked() else {
            return;
        };
        let request = ProposeCascadeRequest {
            slip_position,
            reason: None,
        };
        submit(
            pending,
            error,
            async move { api::propose_cascade(program_id, &request).await },
            on_accepted,
            Callback::new(|()| {}),
        );
    };
    move || {
        let (_, count) = offer.get().filter(|_| !history)?;
        let plural = if count == 1 { "" } else { "s" };
        Some(view! {
            <div class="cascade-offer" data-testid="propose-moves-box">
                <p>
                    {format!("Its last slip pushes {count} milestone{plural} downstream that ha{} not moved yet.",
                        if count == 1 { "s" } else { "ve" })}
                </p>
                <button type="button" class="btn btn-secondary btn-small" data-testid="propose-moves"
                    disabled=move || pending.get() on:click=propose>
                    {format!("Propose the move{plural} to their owners")}
                </button>
                <FormError error/>
            </div>
        })
    }
}

/// The owner's answer to a move pending on their milestone.
#[component]
pub fn PendingMoveAnswer(
    program_id: ProgramId,
    milestone_id: MilestoneId,
    schedule: Schedule,
    history: bool,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    let auth = use_auth();
    let pending_move = Memo::new(move |_| {
        schedule.view.with(|v| {
            let v = v.as_ref()?;
            let m = v.milestone(milestone_id)?;
            let may = auth.can(program_id, ProgramAction::ChangeSchedule(m.project_id));
            let p: PendingMove = v
                .pending_moves
                .iter()
                .find(|p| p.milestone_id == milestone_id)?
                .clone();
            Some((p, may))
        })
    });
    let own_date = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let send = move |answer: Option<PartAnswer>| {
        let Some((p, _)) = pending_move.get_untracked() else {
            return;
        };
        let answer = match answer {
            Some(a) => a,
            None => match dates::parse_input(&own_date.get_untracked()) {
                Some(to) => PartAnswer::Counter { to },
                None => {
                    error.set(Some(ApiError::field_error("to", "choose a date")));
                    return;
                }
            },
        };
        let request = AnswerMoveRequest {
            answer,
            reason: reason.get_untracked(),
        };
        submit(
            pending,
            error,
            async move { api::answer_move(program_id, p.cascade_id, milestone_id, &request).await },
            on_accepted,
            Callback::new(|()| {}),
        );
    };
    move || {
        let (p, may) = pending_move.get()?;
        let may = may && !history;
        let ids = (
            format!("move-date-{milestone_id}"),
            format!("move-reason-{milestone_id}"),
        );
        Some(view! {
            <div class="pending-move" data-testid="pending-move" role="group"
                aria-label="Proposed move">
                <p>
                    <strong>"Proposed move: "</strong>
                    {format!("{} → {}, after “{}” slipped.", dates::day_month_year(p.from),
                        dates::day_month_year(p.to), p.slipped)}
                </p>
                {may.then(|| view! {
                    <div class="field-row">
                        <label class="field">
                            <span>"Or a date of your own"</span>
                            <input type="date" data-testid="move-own-date" bind:value=own_date
                                aria-invalid=move || invalid(error, "to")
                                aria-describedby=format!("{}-error", ids.0)/>
                            <FieldMessage error field="to" id=format!("{}-error", ids.0)/>
                        </label>
                        <label class="field grow">
                            <span>"Reason (needed to decline)"</span>
                            <input type="text" maxlength="4000" data-testid="move-reason" bind:value=reason
                                aria-invalid=move || invalid(error, "reason")
                                aria-describedby=format!("{}-error", ids.1)/>
                            <FieldMessage error field="reason" id=format!("{}-error", ids.1)/>
                        </label>
                    </div>
                    <FieldMessage error field="milestone_id" id=format!("move-milestone-error-{milestone_id}")/>
                    <FormError error/>
                    <div class="form-actions">
                        <button type="button" class="btn btn-primary btn-small" data-testid="accept-move"
                            disabled=move || pending.get() on:click=move |_| send(Some(PartAnswer::Accept))>
                            "Accept the move"
                        </button>
                        <button type="button" class="btn btn-secondary btn-small" data-testid="counter-move"
                            disabled=move || pending.get() on:click=move |_| send(None)>
                            "Move to my date"
                        </button>
                        <button type="button" class="btn btn-ghost btn-small" data-testid="decline-move"
                            disabled=move || pending.get() on:click=move |_| send(Some(PartAnswer::Decline))>
                            "Keep the date"
                        </button>
                    </div>
                })}
            </div>
        })
    }
}
