//! `/`: every program with its health at a glance, kept live, and the "New program" form.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use throughline_shared::project::ProjectEvent;
use throughline_shared::view::ProgramSummary;
use throughline_shared::{DomainEvent, ProjectId, RecordedEvent};

use crate::api::{self, ApiError};
use crate::app::use_now;
use crate::auth::use_auth;
use crate::components::activity::describe_recorded;
use crate::components::create_program_form::CreateProgramForm;
use crate::components::feedback::{ErrorBanner, Loading};
use crate::components::live_indicator::LiveIndicator;
use crate::components::rag_chip::{RagChip, RagCountChips};
use crate::live::{self, LiveSlot, LiveStatus};
use crate::time;

const RECENT: i64 = 8;

#[component]
pub fn ProgramListPage() -> impl IntoView {
    let programs = RwSignal::new(None::<Result<Vec<ProgramSummary>, ApiError>>);
    let recent = RwSignal::new(Vec::<RecordedEvent>::new());
    let project_names = RwSignal::new(HashMap::<ProjectId, String>::new());
    let live_status = RwSignal::new(LiveStatus::Connecting);
    let creating = RwSignal::new(false);
    let auth = use_auth();
    let slot = LiveSlot::tied_to_owner();
    let now = use_now();

    let fetch_recent = move |head: i64| {
        spawn_local(async move {
            let Ok(page) = api::global_events((head - RECENT).max(0), RECENT as u32).await else {
                return;
            };
            let mut events = page.events;
            events.reverse();
            // Status reports name their project by id only: learn the names from the programs'
            // views (once per program), so the list can say which project changed.
            let mut missing = Vec::new();
            for e in &events {
                match e.decode() {
                    Ok(DomainEvent::Project(ProjectEvent::ProjectAdded {
                        project_id,
                        name,
                        ..
                    })) => {
                        project_names.update(|m| {
                            m.insert(project_id, name);
                        });
                    }
                    Ok(DomainEvent::Project(ProjectEvent::ProjectStatusReported {
                        project_id,
                        program_id,
                        ..
                    })) if !project_names.with_untracked(|m| m.contains_key(&project_id))
                        && !missing.contains(&program_id) =>
                    {
                        missing.push(program_id)
                    }
                    _ => {}
                }
            }
            for program_id in missing {
                if let Ok(view) = api::get_program(program_id, None).await {
                    project_names.update(|m| {
                        m.extend(view.projects.into_iter().map(|p| (p.project_id, p.name)));
                    });
                }
            }
            recent.set(events);
        });
    };
    let refetch = move || {
        spawn_local(async move {
            let list = api::list_programs().await;
            // Keep showing the last good list if a background refresh fails.
            if list.is_ok() || programs.with_untracked(|p| !matches!(p, Some(Ok(_)))) {
                programs.set(Some(list));
            }
        });
    };

    let start = {
        let slot = slot.clone();
        move || {
            let slot = slot.clone();
            programs.set(None);
            spawn_local(async move {
                // Read the head first: everything after it reaches us live, everything up to it is
                // in the list read next, so nothing falls between the two.
                let head = api::health().await.map(|h| h.head_position);
                let list = api::list_programs().await;
                programs.set(Some(list));
                let Ok(head) = head else {
                    live_status.set(LiveStatus::Reconnecting);
                    return;
                };
                fetch_recent(head);
                if slot.is_disposed() {
                    return;
                }
                // Many events can arrive at once (a busy log); refetch at most every 300 ms.
                let scheduled = Rc::new(Cell::new(false));
                let latest = Rc::new(Cell::new(head));
                let subscription = live::subscribe(
                    None,
                    head,
                    move |events, covered| {
                        latest.set(latest.get().max(covered));
                        if events.is_empty() || scheduled.replace(true) {
                            return;
                        }
                        let scheduled = scheduled.clone();
                        let latest = latest.clone();
                        set_timeout(
                            move || {
                                scheduled.set(false);
                                refetch();
                                fetch_recent(latest.get());
                            },
                            Duration::from_millis(300),
                        );
                    },
                    move |status| live_status.set(status),
                );
                slot.set(subscription);
            });
        }
    };
    start();
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title("Programs · Throughline");
    }
    let retry = Callback::new(move |_| refetch());

    let table = move || {
        programs.get().map(|result| match result {
            Err(e) => view! {
                <ErrorBanner title="Could not load the programs" message=e.message
                    on_retry=retry/>
            }
            .into_any(),
            Ok(list) if list.is_empty() => view! {
                <div class="empty-state" data-testid="no-programs">
                    <h2>"No programs yet"</h2>
                    <p>"Create the first program to start tracking its projects and their health."</p>
                    <Show when=move || auth.can_create_programs()>
                        <button type="button" class="btn btn-primary"
                            on:click=move |_| creating.set(true)>
                            "New program"
                        </button>
                    </Show>
                </div>
            }
            .into_any(),
            Ok(mut list) => {
                // Most recently changed first: that is where a program manager's attention goes.
                list.sort_by_key(|e| std::cmp::Reverse(e.position));
                let count = list.len();
                let rows = list
                    .into_iter()
                    .map(|p| {
                        let updated = p.updated_at;
                        let row_name = p.name.clone();
                        view! {
                            <tr data-testid="program-row" data-program-id=p.program_id.to_string()
                                data-program-name=row_name>
                                <th scope="row" class="col-program">
                                    <A href=format!("/programs/{}", p.program_id)
                                        attr:class="row-link" attr:data-testid="program-link">
                                        {p.name.clone()}
                                    </A>
                                    <div class="muted">{format!("Sponsor: {}", p.sponsor)}</div>
                                </th>
                                <td class="col-health" data-label="Health">
                                    {if p.project_count == 0 {
                                        view! { <span class="muted">"No projects yet"</span> }
                                            .into_any()
                                    } else {
                                        view! { <RagChip rag=p.rollup_rag/> }.into_any()
                                    }}
                                </td>
                                <td class="col-projects" data-label="Projects">
                                    <span class="project-count" data-testid="project-count">
                                        {format!(
                                            "{} project{}",
                                            p.project_count,
                                            if p.project_count == 1 { "" } else { "s" }
                                        )}
                                    </span>
                                    <RagCountChips counts=p.rag_counts/>
                                </td>
                                <td class="col-updated" data-label="Last updated">
                                    {updated.map(|at| view! {
                                        <time datetime=at.to_rfc3339() title=time::date_time(&at)>
                                            {move || time::relative(&at, now.get())}
                                        </time>
                                    })}
                                </td>
                            </tr>
                        }
                    })
                    .collect_view();
                view! {
                    <div class="table-wrap card">
                        <table class="data-table program-table" data-testid="program-table">
                            <caption class="visually-hidden">
                                {format!("{count} programs, most recently changed first")}
                            </caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Program"</th>
                                    <th scope="col">"Health"</th>
                                    <th scope="col">"Projects"</th>
                                    <th scope="col">"Last updated"</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }
                .into_any()
            }
        })
    };

    let recent_activity = move || {
        let items = recent.get();
        if items.is_empty() {
            return None;
        }
        let names = programs.with(|p| match p {
            Some(Ok(list)) => list
                .iter()
                .map(|s| (s.program_id, s.name.clone()))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        });
        let entries = items
            .into_iter()
            .map(|e| {
                let program = e
                    .program_id
                    .and_then(|id| names.iter().find(|(pid, _)| *pid == id).cloned());
                let (project, sentence) = project_names
                    .with(|names| describe_recorded(&e, |id| names.get(&id).cloned(), None));
                let at = e.recorded_at;
                view! {
                    <li class="recent-item">
                        {program.map(|(id, name)| view! {
                            <p class="recent-program">
                                <A href=format!("/programs/{id}")>{name}</A>
                            </p>
                        })}
                        <p class="activity-what">
                            {project.map(|p| view! { <span class="activity-project">{p}</span> })}
                            <span>{sentence}</span>
                        </p>
                        <p class="activity-meta">
                            {e.metadata.actor.clone()}
                            " · "
                            <time datetime=at.to_rfc3339() title=time::date_time_seconds(&at)>
                                {move || time::relative(&at, now.get())}
                            </time>
                        </p>
                    </li>
                }
            })
            .collect_view();
        Some(view! {
            <aside class="card side-panel" aria-labelledby="recent-title">
                <h2 id="recent-title" class="panel-title">"Recent changes"</h2>
                <ol class="activity-list compact">{entries}</ol>
            </aside>
        })
    };

    view! {
        <div class="page-header">
            <div>
                <h1>"Programs"</h1>
                <p class="lede">"Every program, its projects and their health — as it happens."</p>
            </div>
            <div class="page-actions">
                <LiveIndicator status=live_status/>
                <Show when=move || auth.can_create_programs()>
                    <button type="button" class="btn btn-primary" data-testid="new-program"
                        aria-expanded=move || creating.get().to_string()
                        on:click=move |_| creating.update(|c| *c = !*c)>
                        "New program"
                    </button>
                </Show>
            </div>
        </div>
        <Show when=move || creating.get()>
            <CreateProgramForm on_close=Callback::new(move |_| creating.set(false))/>
        </Show>
        <div class="layout-main-side">
            <section class="main-column" aria-label="Programs">
                {move || match programs.with(Option::is_none) {
                    true => view! { <Loading label="Loading programs…"/> }.into_any(),
                    false => table().into_any(),
                }}
            </section>
            {recent_activity}
        </div>
    }
}
