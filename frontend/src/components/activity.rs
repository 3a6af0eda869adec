//! The audit trail of a program: every event, newest first — who, when, what, why and where.

use leptos::prelude::*;
use leptos_router::components::A;
use throughline_shared::milestone::MilestoneEvent;
use throughline_shared::project::ProjectEvent;
use throughline_shared::view::ProgramView;
use throughline_shared::{DomainEvent, ProgramId, ProjectId, RecordedEvent};

use crate::app::use_now;
use crate::time;

/// The sentence for one event, with the project's name first for project events (looked up with
/// `project_name`; `None` when unknown). With the program's view at hand, milestones and
/// dependencies are named too (their later events carry only ids).
pub fn describe_recorded(
    recorded: &RecordedEvent,
    project_name: impl Fn(ProjectId) -> Option<String>,
    view: Option<&ProgramView>,
) -> (Option<String>, String) {
    match recorded.decode() {
        Ok(event) => {
            // The server describes events (so the wasm need not carry every event's wording).
            let sentence = recorded
                .description
                .clone()
                .unwrap_or_else(|| recorded.event_type.clone());
            let milestone = |id| view.and_then(|v| v.milestone(id)).map(|m| m.name.clone());
            let sentence = match (&event, view) {
                (DomainEvent::Milestone(e), _)
                    if !matches!(e, MilestoneEvent::MilestoneAdded { .. }) =>
                {
                    match milestone(e.milestone_id()) {
                        Some(name) => format!("“{name}”: {sentence}"),
                        None => sentence,
                    }
                }
                (DomainEvent::Dependency(e), Some(v)) => match v.dependency(e.dependency_id()) {
                    Some(d) => sentence.replace(
                        &d.dependency_id.to_string(),
                        &format!(
                            "“{}” needs “{}”",
                            milestone(d.consumer).unwrap_or_default(),
                            milestone(d.provider).unwrap_or_default()
                        ),
                    ),
                    None => sentence,
                },
                _ => sentence,
            };
            let project = match &event {
                DomainEvent::Project(ProjectEvent::ProjectAdded { name, .. }) => Some(name.clone()),
                DomainEvent::Project(
                    ProjectEvent::ProjectStatusReported { project_id, .. }
                    | ProjectEvent::ProjectObjectivesChanged { project_id, .. },
                ) => project_name(*project_id),
                DomainEvent::Milestone(event) => project_name(event.project_id()),
                _ => None,
            };
            (project, sentence)
        }
        // Events this page does not decode (the program's own, governance) read as the server
        // described them.
        Err(err) => (
            None,
            recorded.description.clone().unwrap_or_else(|| {
                format!(
                    "{} (this version of the page cannot show it: {err})",
                    recorded.event_type
                )
            }),
        ),
    }
}

/// Events shown at first, and added by each "Show older".
const PAGE: usize = 30;

#[component]
pub fn ActivityPanel(
    program_id: ProgramId,
    /// Newest first.
    events: RwSignal<Vec<RecordedEvent>>,
    view: RwSignal<Option<ProgramView>>,
    /// Events above this position arrived live: they are briefly highlighted, and always shown.
    #[prop(into)]
    live_after: Signal<i64>,
    /// Only events up to this position (a view of the past shows nothing after its moment).
    #[prop(into)]
    until: Signal<i64>,
) -> impl IntoView {
    let now = use_now();
    // A big program has tens of thousands of events: the newest pages of them are in the page,
    // and everything that arrives live on top, so nothing shifts out from under the reader.
    let pages = RwSignal::new(1_usize);
    let shown = move || {
        let (until, live_after, n) = (until.get(), live_after.get(), pages.get() * PAGE);
        events.with(|list| {
            let mut older = 0;
            list.iter()
                .filter(|e| e.position <= until)
                .take_while(|e| {
                    if e.position <= live_after {
                        older += 1;
                    }
                    older <= n
                })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let more = Memo::new(move |_| {
        let (until, live_after, n) = (until.get(), live_after.get(), pages.get() * PAGE);
        events.with(|list| {
            list.iter()
                .filter(|e| e.position <= until.min(live_after))
                .nth(n)
                .is_some()
        })
    });
    view! {
        <ol class="activity-list" data-testid="activity-list" aria-label="Activity, newest first">
            <For
                each=shown
                key=|e| e.position
                children=move |recorded| {
                    let (project, sentence) = view.with_untracked(|v| {
                        describe_recorded(
                            &recorded,
                            |id| v.as_ref().and_then(|v| v.project(id)).map(|p| p.name.clone()),
                            v.as_ref(),
                        )
                    });
                    let at = recorded.recorded_at;
                    let position = recorded.position;
                    let fresh = position > live_after.get_untracked();
                    let reason = recorded.metadata.reason.clone().filter(|r| !r.trim().is_empty());
                    view! {
                        <li
                            class=if fresh { "activity-item activity-new" } else { "activity-item" }
                            data-testid="activity-item"
                            data-position=position
                            data-event-type=recorded.event_type.clone()
                        >
                            <p class="activity-what">
                                {project.map(|p| view! { <span class="activity-project">{p}</span> })}
                                <span data-testid="activity-text">{sentence}</span>
                            </p>
                            {reason.map(|r| view! {
                                <p class="activity-why" data-testid="activity-reason">
                                    <span class="visually-hidden">"Reason: "</span>
                                    {r}
                                </p>
                            })}
                            <p class="activity-meta">
                                <span class="activity-who" data-testid="activity-actor">
                                    {recorded.metadata.actor.clone()}
                                </span>
                                " · "
                                <time datetime=at.to_rfc3339() title=time::date_time_seconds(&at)>
                                    {move || time::relative(&at, now.get())}
                                </time>
                                " · "
                                <A
                                    href=format!("/programs/{program_id}?as_of={position}")
                                    attr:class="activity-position"
                                    attr:title="Show the program as it stood right after this change"
                                    attr:data-testid="activity-as-of"
                                >
                                    {format!("#{position}")}
                                </A>
                            </p>
                        </li>
                    }
                }
            />
        </ol>
        <Show when=move || more.get()>
            <button type="button" class="btn btn-secondary btn-small activity-more"
                data-testid="activity-more" on:click=move |_| pages.update(|p| *p += 1)>
                "Show older changes"
            </button>
        </Show>
    }
}
