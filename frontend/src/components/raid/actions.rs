//! Treatment actions of a risk and actions resolving an issue: the list with its controls (done,
//! dropped) and the form adding one. `base` is the item's path under the register
//! (`risks/{id}` or `issues/{id}`).

use super::{Empty, Field, Raid, Shell, date_of, day, tag, trimmed};
use crate::api::{self, RaidMethod};
use leptos::prelude::*;
use throughline_shared::governance::session::ActionStatus;
use throughline_shared::raid::RaidAction;
use throughline_shared::raid::requests::{AddRaidActionRequest, ChangeRaidActionRequest};

fn status_word(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Open => "open",
        ActionStatus::Done => "done",
        ActionStatus::Dropped => "dropped",
    }
}

/// The actions, each with "Done" and "Drop" while open (for those who may change the item).
#[component]
pub(super) fn ActionList(
    raid: Raid,
    base: String,
    actions: Signal<Vec<RaidAction>>,
    version: Signal<i64>,
    may: Memo<bool>,
) -> impl IntoView {
    let base = StoredValue::new(base);
    let change = move |action_id, status: ActionStatus| {
        raid.post(
            format!("{}/actions/{action_id}", base.get_value()),
            api::json_body(&ChangeRaidActionRequest {
                status,
                note: String::new(),
                expected_version: Some(version.get_untracked()),
            }),
            if status == ActionStatus::Done {
                "Action done."
            } else {
                "Action dropped."
            },
        );
    };
    let empty = Signal::derive(move || actions.with(Vec::is_empty).then_some("No actions yet."));
    let items = move || {
        let today = raid.data.with_untracked(|r| r.as_ref().map(|r| r.today));
        let may = may.get();
        actions.with(|list| {
            list.iter()
                .map(|a| {
                    let overdue = today.is_some_and(|t| a.is_overdue(t));
                    let open = a.status == ActionStatus::Open;
                    let id = a.action_id;
                    view! {
                        <li class=format!("raid-action action-{}", status_word(a.status))
                            data-testid="raid-action">
                            <span class="action-title">{a.title.clone()}</span>
                            <span class="muted">{format!(" — {}, due {}", a.owner, day(a.due))}</span>
                            {overdue.then(|| tag("flag flag-late", "overdue", None))}
                            {(!open).then(|| tag("pill pill-off", status_word(a.status), None))}
                            {(open && may).then(|| view! {
                                " "
                                <button type="button" class="btn btn-secondary btn-small"
                                    data-act="action-done" on:click=move |_| change(id, ActionStatus::Done)>
                                    "Done"
                                </button>
                                " "
                                <button type="button" class="btn btn-ghost btn-small"
                                    data-act="action-drop" on:click=move |_| change(id, ActionStatus::Dropped)>
                                    "Drop"
                                </button>
                            })}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <Empty text=empty/>
        <ul class="raid-actions" data-testid="raid-actions">{items}</ul>
    }
}

/// Title, owner and due date; cleared once the action is added.
#[component]
pub(super) fn AddActionForm(raid: Raid, base: String, version: Signal<i64>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let base = StoredValue::new(base);
    let submit = Callback::new(move |_| {
        let Some(due_date) = date_of(due) else {
            return raid.refuse("due", "choose the date the action is due");
        };
        let body = AddRaidActionRequest {
            title: trimmed(title),
            owner: trimmed(owner),
            due: due_date,
            expected_version: Some(version.get_untracked()),
        };
        raid.send(
            None,
            RaidMethod::Post,
            format!("{}/actions", base.get_value()),
            api::json_body(&body),
            "Action added.",
            Some(Callback::new(move |()| {
                title.try_set(String::new());
                due.try_set(String::new());
            })),
        );
    });
    view! {
        <Shell form="add-action" button="Add action" submit>
            <Field label="Action" name="action-title" value=title required=true grow=true/>
            <Field label="Owner" name="action-owner" value=owner required=true/>
            <Field label="Due" name="action-due" kind="date" value=due required=true/>
        </Shell>
    }
}
