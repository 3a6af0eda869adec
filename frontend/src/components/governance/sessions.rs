//! A review session's card: the agenda assembled from the log, attendance, minutes and actions,
//! and the form its chair (or the program manager) keeps the record with.

use super::{Gov, day, submitter, trimmed, words};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use serde::Serialize;
use throughline_shared::UserId;
use throughline_shared::analysis::DependencyStatus;
use throughline_shared::governance::charter::{Forum, Person};
use throughline_shared::governance::requests::{
    ActionRequest, ActionStatusRequest, AttendanceRequest, MinutesRequest,
};
use throughline_shared::governance::session::ActionStatus;
use throughline_shared::governance::view::SessionView;
use throughline_shared::ids::SessionId;
use throughline_shared::raid::agenda::{AgendaRisk, RiskAgendaReason};

/// The body of a command that needs nothing more than its path.
#[derive(Serialize)]
struct Nothing {}

fn status_wire(status: DependencyStatus) -> &'static str {
    match status {
        DependencyStatus::Proposed => "proposed",
        DependencyStatus::Agreed => "agreed",
        DependencyStatus::AtRisk => "at_risk",
        DependencyStatus::Late => "late",
        DependencyStatus::Met => "met",
        DependencyStatus::Broken => "broken",
        DependencyStatus::Cancelled => "cancelled",
    }
}

fn action_wire(status: ActionStatus) -> &'static str {
    match status {
        ActionStatus::Open => "open",
        ActionStatus::Done => "done",
        ActionStatus::Dropped => "dropped",
    }
}

/// A titled list of the agenda (nothing when empty).
fn agenda_list(title: &'static str, items: Vec<AnyView>) -> Option<AnyView> {
    (!items.is_empty()).then(|| {
        view! {
            <p class="subhead">{title}</p>
            <ul class="effects">{items}</ul>
        }
        .into_any()
    })
}

fn texts(items: impl Iterator<Item = String>) -> Vec<AnyView> {
    items
        .map(|text| view! { <li>{text}</li> }.into_any())
        .collect()
}

#[component]
pub(super) fn SessionCard(gov: Gov, id: SessionId) -> impl IntoView {
    let session = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref()?
                .view
                .sessions
                .iter()
                .find(|s| s.session_id == id)
                .cloned()
        })
    });
    let forum = Memo::new(move |_| gov.forum(session.with(|s| s.as_ref().map(|s| s.forum_id))?));
    // Marking an action done is for those who raise decisions; the record is the chair's or the
    // program manager's to keep.
    let marks = Memo::new(move |_| gov.reader.with(|r| r.raises && !r.history));
    let keeps = Memo::new(move |_| {
        let closed = session.with(|s| s.as_ref().is_none_or(|s| s.closed));
        gov.reader.with(|r| {
            !closed
                && !r.history
                && (r.governs || forum.with(|f| f.as_ref().is_some_and(|f| r.chairs(f))))
        })
    });
    let people = Signal::derive(move || {
        forum.with(|f| f.as_ref().map_or_else(Vec::new, |f| f.people.clone()))
    });
    let done = move |action: String| {
        gov.send(
            format!("sessions/{id}/actions/{action}"),
            ActionStatusRequest {
                status: ActionStatus::Done,
                note: String::new(),
            },
            "Action done.",
            || {},
        )
    };
    view! {
        <article class="card decision" data-testid="session">
            {move || session.with(|s| s.as_ref().map(|s| forum.with(|f| {
                session_body(s, f.as_ref(), marks.get(), done)
            })))}
            <Show when=move || keeps.get()>
                <SessionForm gov id people/>
            </Show>
        </article>
    }
}

/// "Vendor capacity (16): above appetite — score 16 over 12; stale since 1 Mar".
fn agenda_risk(r: &AgendaRisk) -> String {
    let reasons: Vec<String> = r
        .reasons
        .iter()
        .map(|why| match why {
            RiskAgendaReason::AboveAppetite { because } => format!("above appetite ({because})"),
            RiskAgendaReason::New => "new".to_string(),
            RiskAgendaReason::Stale { review_by } => format!("not reviewed by {}", day(*review_by)),
            RiskAgendaReason::ScoreChanged { from, to } => format!("score {from} → {to}"),
        })
        .collect();
    match r.score {
        Some(score) => format!("{} ({score}): {}", r.title, reasons.join("; ")),
        None => format!("{}: {}", r.title, reasons.join("; ")),
    }
}

fn session_body(
    s: &SessionView,
    forum: Option<&Forum>,
    marks: bool,
    done: impl Fn(String) + Copy + Send + Sync + 'static,
) -> AnyView {
    let a = &s.agenda;
    let (pill, state) = if s.closed {
        ("approved", "closed")
    } else {
        ("in_review", "open")
    };
    let title = format!(
        "{} — {}",
        forum.map_or("Forum", |f| f.name.as_str()),
        day(s.date)
    );
    let names = |people: &[Person]| {
        people
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let present = (!s.present.is_empty()).then(|| {
        let mut text = format!("Present: {}", names(&s.present));
        if !s.apologies.is_empty() {
            text.push_str(&format!("; apologies: {}", names(&s.apologies)));
        }
        view! { <p>{text}</p> }
    });
    let minutes = s
        .minutes
        .clone()
        .map(|m| view! { <p class="outcome" data-testid="minutes">{m}</p> });
    let actions = s
        .actions
        .iter()
        .map(|x| {
            let text = format!(
                "{} — {}, by {} ({})",
                x.title,
                x.owner,
                day(x.due),
                action_wire(x.status)
            );
            let action = x.action_id.to_string();
            let button = (x.status == ActionStatus::Open && marks).then(|| {
                let clicked = action.clone();
                view! {
                    " "
                    <button type="button" class="btn btn-ghost btn-small" data-act="done"
                        data-id=action data-session=s.session_id.to_string()
                        on:click=move |_| done(clicked.clone())>
                        "Mark done"
                    </button>
                }
            });
            view! { <li>{text}{button}</li> }.into_any()
        })
        .collect();
    view! {
        <header class="decision-head">
            <h3>{title}</h3>
            <span class=format!("pill state state-{pill}")>{state}</span>
        </header>
        {agenda_list("Decisions awaiting the forum",
            texts(a.decisions.iter().map(|d| d.question.clone())))}
        {agenda_list("Open escalations",
            texts(a.escalations.iter().map(|e| format!("{} (with {})", e.subject, e.level))))}
        {agenda_list("Milestones that slipped", texts(a.slipped.iter().map(|m| {
            format!("{}: {} → {}", m.name, day(m.from), day(m.to))
        })))}
        {agenda_list("Dependencies in trouble", texts(a.dependencies.iter().map(|d| {
            format!("{} ({}, {} days)", d.label, words(status_wire(d.status)), d.gap_days)
        })))}
        {agenda_list("Risks", texts(a.risks.iter().map(agenda_risk)))}
        {agenda_list(
            if a.since_position.is_none() { "Changes so far" } else { "Changes since the last session" },
            texts(a.changes.iter().cloned()),
        )}
        {present}
        {minutes}
        {agenda_list("Actions", actions)}
    }
    .into_any()
}

/// Attendance, minutes, actions and closing: one form, the pressed button says which.
#[component]
fn SessionForm(gov: Gov, id: SessionId, people: Signal<Vec<Person>>) -> impl IntoView {
    let present = RwSignal::new(Vec::<UserId>::new());
    let minutes = RwSignal::new(String::new());
    let title = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let due = RwSignal::new(String::new());
    let reset = move || {
        present.try_set(Vec::new());
        for field in [minutes, title, owner, due] {
            field.try_set(String::new());
        }
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let step = submitter(&ev);
        let path = format!("sessions/{id}/{step}");
        let saved = "Session record saved.";
        match step.as_str() {
            "attendance" => gov.send(
                path,
                AttendanceRequest {
                    present: present.get_untracked(),
                    apologies: Vec::new(),
                },
                saved,
                reset,
            ),
            "minutes" => gov.send(
                path,
                MinutesRequest {
                    minutes: trimmed(minutes),
                },
                saved,
                reset,
            ),
            "actions" => match due.with_untracked(|d| crate::dates::parse_input(d)) {
                Some(due) => gov.send(
                    path,
                    ActionRequest {
                        title: trimmed(title),
                        owner: trimmed(owner),
                        due,
                    },
                    saved,
                    reset,
                ),
                None => gov.refuse("due", "choose the date the action is due"),
            },
            "close" => gov.send(path, Nothing {}, saved, reset),
            _ => {}
        }
    };
    view! {
        <form class="outcome-form session-form" data-form="session" on:submit=on_submit>
            <div class="field-row">
                <For each=move || people.get() key=|p| p.user_id let:person>
                    <label class="inline-check">
                        <input type="checkbox" name="present" value=person.user_id.to_string()
                            prop:checked=move || present.with(|p| p.contains(&person.user_id))
                            on:change=move |ev| {
                                let user = person.user_id;
                                present.update(|p| {
                                    p.retain(|u| *u != user);
                                    if event_target_checked(&ev) {
                                        p.push(user);
                                    }
                                });
                            }/>
                        {person.name.clone()}
                    </label>
                </For>
                <button class="btn btn-ghost btn-small" value="attendance">"Record attendance"</button>
            </div>
            <label class="field grow">
                <span>"Minutes"</span>
                <textarea name="minutes" rows="2" bind:value=minutes></textarea>
            </label>
            <div class="field-row">
                <label class="field grow"><span>"Action"</span><input name="title" bind:value=title/></label>
                <label class="field"><span>"Owner"</span><input name="owner" bind:value=owner/></label>
                <label class="field"><span>"Due"</span><input type="date" name="due" bind:value=due/></label>
            </div>
            <div class="form-actions">
                <button class="btn btn-secondary btn-small" value="minutes">"Save minutes"</button>
                <button class="btn btn-secondary btn-small" value="actions">"Add action"</button>
                <button class="btn btn-ghost btn-small" value="close">"Close session"</button>
            </div>
        </form>
    }
}
