//! The program's audit trail: every event with who, when, what changed, why, and what caused it,
//! filtered by entity, actor, event type and time range, with links along causation chains, the
//! hash chain's verification, and exports (JSON lines, CSV) carrying the head hash. The filters
//! live in the URL, so a causation link is a link like any other.
//!
//! The trail is read a page at a time, oldest first (the API pages forward from a position).
//! The first page is a resource keyed on the filters, so an answer for filters no longer shown
//! is dropped however late it comes; "Load more" appends the next page of the same read.

use crate::api::{self, ApiError, AsOf, AuditFilters};
use crate::components::feedback::{ErrorDetails, ReadFailed};
use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use std::task::{Poll, Waker};
use throughline_shared::api::{AuditPage, VerifyReport};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, RecordedEvent};
use uuid::Uuid;

/// Events per page.
const PAGE: i64 = 100;

/// The entity a stream is, in words, from the program view.
fn entity(view: &ProgramView, stream_type: &str, stream_id: Uuid) -> String {
    match stream_type {
        "milestone" => view
            .milestones
            .iter()
            .find(|m| m.milestone_id.0 == stream_id)
            .map_or_else(|| "milestone".into(), |m| format!("milestone “{}”", m.name)),
        "project" => view
            .projects
            .iter()
            .find(|p| p.project_id.0 == stream_id)
            .map_or_else(|| "project".into(), |p| format!("project “{}”", p.name)),
        "dependency_register" => "dependencies".into(),
        "governance" => "governance charter".into(),
        other => other.replace('_', " "),
    }
}

/// The entity a bare stream id (from the URL) names, when the view knows it.
fn entity_by_id(view: &ProgramView, stream_id: &str) -> Option<String> {
    let id: Uuid = stream_id.parse().ok()?;
    if view.milestones.iter().any(|m| m.milestone_id.0 == id) {
        return Some(entity(view, "milestone", id));
    }
    if view.projects.iter().any(|p| p.project_id.0 == id) {
        return Some(entity(view, "project", id));
    }
    None
}

/// One read of the trail: its filters, the pages loaded so far, and a number no other read has,
/// so a page loaded for an earlier read is never added to it.
#[derive(Clone, Debug, PartialEq)]
struct Trail {
    read: u64,
    filters: AuditFilters,
    first: AuditPage,
}

/// Pages loaded after the first, for the read numbered `read`.
#[derive(Clone, Debug, Default, PartialEq)]
struct MorePages {
    read: u64,
    pages: Vec<AuditPage>,
}

impl Trail {
    /// The last page loaded of this read (the first, or the latest of `more`).
    fn last<'a>(&'a self, more: &'a MorePages) -> &'a AuditPage {
        self.pages(more).last().unwrap_or(&self.first)
    }

    fn pages<'a>(&self, more: &'a MorePages) -> &'a [AuditPage] {
        if more.read == self.read {
            &more.pages
        } else {
            &[]
        }
    }

    /// Whether the log holds more matching events after the last page loaded. A full page may
    /// have been the last: the next read then comes back empty, and the button goes.
    fn has_more(&self, more: &MorePages) -> bool {
        let last = self.last(more);
        last.events.len() as i64 == PAGE && last.next_after < self.first.head
    }
}

/// The first page for the filters chosen when it comes, with those filters. A resource runs one
/// read at a time, so a slow answer for filters since changed would hold up the read of the new
/// ones, and then show for a moment: instead, a read whose filters change while it waits gives
/// way at once (its answer is never used) and the page is read again for the new filters.
async fn first_page(
    program_id: ProgramId,
    filters: Memo<AuditFilters>,
    waiting: StoredValue<Vec<Waker>>,
    as_of: Option<&str>,
    mut wanted: AuditFilters,
) -> (AuditFilters, Result<AuditPage, ApiError>) {
    loop {
        let answer = {
            let mut read = std::pin::pin!(api::audit_page(program_id, &wanted, as_of, 0, PAGE));
            std::future::poll_fn(|cx| {
                if let Poll::Ready(answer) = read.as_mut().poll(cx) {
                    return Poll::Ready(Some(answer));
                }
                if filters.with_untracked(|f| *f != wanted) {
                    return Poll::Ready(None);
                }
                waiting.update_value(|w| {
                    if !w.iter().any(|waker| waker.will_wake(cx.waker())) {
                        w.push(cx.waker().clone());
                    }
                });
                Poll::Pending
            })
            .await
        };
        match answer {
            Some(answer) => return (wanted, answer),
            None => wanted = filters.get_untracked(),
        }
    }
}

/// Links within the tab: the tab's address with some filters, keeping the point in history.
#[derive(Clone)]
struct Links {
    base: String,
    as_of: Option<String>,
    /// The program's page (the program app's), where a position shows the program as it stood.
    program: String,
}

impl Links {
    fn with(&self, filters: &AuditFilters) -> String {
        let query = filters.query(self.as_of.as_deref());
        if query.is_empty() {
            self.base.clone()
        } else {
            format!("{}?{query}", self.base)
        }
    }

    fn one(&self, set: impl FnOnce(&mut AuditFilters)) -> String {
        let mut filters = AuditFilters::default();
        set(&mut filters);
        self.with(&filters)
    }
}

#[component]
pub fn AuditTab(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    as_of: Option<AsOf>,
) -> impl IntoView {
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(|q| AuditFilters::from_query(|k| q.get(k))));
    let as_of = as_of.map(|a| a.query_value());
    let links = Links {
        base: format!("/programs/{program_id}/audit"),
        program: format!("/programs/{program_id}"),
        as_of: as_of.clone(),
    };

    let chain = LocalResource::new(move || api::verify_chain(program_id));
    // A read waiting on the network is woken when the filters change, to give way at once.
    let waiting = StoredValue::new(Vec::<Waker>::new());
    Effect::new(move |_| {
        filters.track();
        waiting.update_value(|w| w.drain(..).for_each(Waker::wake));
    });
    let reads = StoredValue::new(0_u64);
    let last = StoredValue::new(None::<(AuditFilters, Result<Trail, ApiError>)>);
    let trail = {
        let as_of = as_of.clone();
        LocalResource::new(move || {
            let wanted = filters.get();
            let as_of = as_of.clone();
            async move {
                // A resource runs again for the filters a read that gave way has already answered.
                let answered = last.with_value(|l| {
                    l.as_ref()
                        .filter(|(f, _)| *f == wanted)
                        .map(|(_, answer)| answer.clone())
                });
                if let Some(answer) = answered {
                    return answer;
                }
                reads.update_value(|n| *n += 1);
                let read = reads.get_value();
                let (filters, first) =
                    first_page(program_id, filters, waiting, as_of.as_deref(), wanted).await;
                let answer = first.map(|first| Trail {
                    read,
                    filters: filters.clone(),
                    first,
                });
                last.set_value(Some((filters, answer.clone())));
                answer
            }
        })
    };
    let more = RwSignal::new(MorePages::default());

    let export = {
        let as_of = as_of.clone();
        move |format: &'static str| {
            let as_of = as_of.clone();
            move || filters.with(|f| api::audit_export_url(program_id, f, as_of.as_deref(), format))
        }
    };

    view! {
        <section class="audit" aria-label="Audit trail">
            <div data-testid="audit">
                <div class="section-header">
                    <h2>"Audit trail"</h2>
                    <div class="page-actions">
                        <a class="btn btn-secondary" download data-testid="export-jsonl"
                            href=export("jsonl")>
                            "Export JSON lines"
                        </a>
                        <a class="btn btn-secondary" download data-testid="export-csv"
                            href=export("csv")>
                            "Export CSV"
                        </a>
                    </div>
                </div>
                <p class="chain" data-testid="chain">
                    <Suspense fallback=|| "Checking the hash chain…">
                        {move || chain.get().map(|report| view! { <Chain report/> })}
                    </Suspense>
                </p>
                <FilterForm filters links=links.clone()/>
                <Following filters view/>
                <Transition fallback=|| view! {
                    <p class="loading" role="status">"Loading the audit trail…"</p>
                }>
                    <ErrorBoundary fallback=|errors| view! {
                        <ReadFailed errors title="Could not read the audit trail"/>
                    }>
                        // Nothing to show when the read worked; a failure goes to the boundary.
                        {move || trail.with(|t| t.as_ref().map(|t| t.as_ref().map(|_| ()).map_err(Clone::clone)))}
                        <Events program_id trail more view links=links.clone()/>
                    </ErrorBoundary>
                </Transition>
            </div>
        </section>
    }
}

/// The hash chain's verification, or where it breaks.
#[component]
fn Chain(report: Result<VerifyReport, ApiError>) -> impl IntoView {
    match report {
        Ok(r) if r.ok => view! {
            <span class="rag rag-green"><span class="rag-dot"></span>"Hash chain verified"</span>
            {format!(" up to position {} · {} events checked", r.head_position, r.checked)}
        }
        .into_any(),
        Ok(r) => view! {
            <span class="rag rag-red"><span class="rag-dot"></span>"Hash chain broken"</span>
            {format!(
                " at position {}: {}",
                r.first_broken_position.unwrap_or_default(),
                r.problem.unwrap_or_default()
            )}
        }
        .into_any(),
        Err(e) => format!("The hash chain could not be checked: {}", e.message).into_any(),
    }
}

/// Who, what and when to show. Typed values become the URL's filters on submit; the entity
/// filter is kept, a causation step is left.
#[component]
fn FilterForm(filters: Memo<AuditFilters>, links: Links) -> impl IntoView {
    let navigate = use_navigate();
    let actor = RwSignal::new(String::new());
    let event_type = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    // The URL is the truth: a link followed, Clear or Back shows its filters in the fields.
    Effect::new(move |_| {
        filters.with(|f| {
            actor.set(f.actor.clone().unwrap_or_default());
            event_type.set(f.event_type.clone().unwrap_or_default());
            let local = |at: &Option<String>| {
                at.as_deref()
                    .map(crate::time::rfc3339_to_local_input)
                    .unwrap_or_default()
            };
            from.set(local(&f.from));
            to.set(local(&f.to));
        })
    });
    let clear = links.with(&AuditFilters::default());
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let typed = |signal: RwSignal<String>| {
            Some(signal.with_untracked(|s| s.trim().to_string())).filter(|s| !s.is_empty())
        };
        let instant = |signal: RwSignal<String>| {
            signal.with_untracked(|s| crate::time::local_input_to_rfc3339(s))
        };
        let next = AuditFilters {
            stream_id: filters.with_untracked(|f| f.stream_id.clone()),
            actor: typed(actor),
            event_type: typed(event_type),
            from: instant(from),
            to: instant(to),
            ..AuditFilters::default()
        };
        navigate(&links.with(&next), Default::default());
    };
    view! {
        <form class="toolbar audit-filters" data-testid="audit-filters" on:submit=on_submit>
            <label class="inline-field">
                "Who"
                <input name="actor" data-testid="filter-actor" placeholder="user name"
                    bind:value=actor/>
            </label>
            <label class="inline-field">
                "Event type"
                <input name="event_type" data-testid="filter-event-type"
                    placeholder="e.g. MilestoneRebaselined" bind:value=event_type/>
            </label>
            <label class="inline-field">
                "From"
                <input type="datetime-local" name="from" data-testid="filter-from" bind:value=from/>
            </label>
            <label class="inline-field">
                "To"
                <input type="datetime-local" name="to" data-testid="filter-to" bind:value=to/>
            </label>
            <button class="btn btn-primary btn-small" data-testid="filter-submit">"Filter"</button>
            <a class="btn btn-ghost btn-small" href=clear>"Clear"</a>
        </form>
    }
}

/// Where a link led: one entity, or a step along a causation chain (an event, or the command
/// that appended several, and what it caused).
#[component]
fn Following(filters: Memo<AuditFilters>, view: RwSignal<Option<ProgramView>>) -> impl IntoView {
    let notes = move || {
        filters.with(|f| {
            let mut notes = Vec::new();
            if let Some(id) = &f.stream_id {
                let name = view
                    .with(|v| v.as_ref().and_then(|v| entity_by_id(v, id)))
                    .unwrap_or_else(|| "one entity".into());
                notes.push(format!("Showing the events of {name}."));
            }
            if let Some(id) = &f.cause {
                notes.push(format!(
                    "Following a causation link: {id} and what it caused."
                ));
            }
            if let Some(id) = &f.event_id {
                notes.push(format!("Showing the event {id}."));
            }
            if let Some(id) = &f.caused_by {
                notes.push(format!("Showing what {id} caused."));
            }
            notes
        })
    };
    move || {
        notes()
            .into_iter()
            .map(|note| view! { <p class="banner banner-history">{note}</p> })
            .collect_view()
    }
}

/// The events loaded so far as a table, and the button that loads the next page.
#[component]
fn Events(
    program_id: ProgramId,
    trail: LocalResource<Result<Trail, ApiError>>,
    more: RwSignal<MorePages>,
    view: RwSignal<Option<ProgramView>>,
    links: Links,
) -> impl IntoView {
    let links = StoredValue::new(links);
    let head = Memo::new(move |_| {
        trail.with(|t| match t {
            Some(Ok(t)) => Some((t.first.head, t.first.head_hash.clone())),
            _ => None,
        })
    });
    let events = move || {
        trail.with(|t| {
            let Some(Ok(t)) = t else { return Vec::new() };
            more.with(|more| {
                std::iter::once(&t.first)
                    .chain(t.pages(more))
                    .flat_map(|p| p.events.iter().cloned())
                    .collect::<Vec<RecordedEvent>>()
            })
        })
    };
    let count = Memo::new(move |_| {
        trail.with(|t| match t {
            Some(Ok(t)) => more.with(|more| {
                std::iter::once(&t.first)
                    .chain(t.pages(more))
                    .map(|p| p.events.len())
                    .sum::<usize>()
            }),
            _ => 0,
        })
    });
    let has_more = Memo::new(move |_| {
        trail.with(|t| matches!(t, Some(Ok(t)) if more.with(|m| t.has_more(m))))
    });
    // The read whose next page is on its way, and the failure of the last attempt.
    let loading = RwSignal::new(None::<u64>);
    let failed = RwSignal::new(None::<(u64, ApiError)>);
    let current = move || trail.with(|t| t.as_ref().and_then(|t| t.as_ref().ok()).map(|t| t.read));
    let status = NodeRef::<leptos::html::P>::new();

    let load_more = move |_: MouseEvent| {
        let Some((read, filters, pinned, after)) = trail.with_untracked(|t| {
            let t = t.as_ref()?.as_ref().ok()?;
            let after = more.with_untracked(|m| t.last(m).next_after);
            Some((t.read, t.filters.clone(), t.first.head, after))
        }) else {
            return;
        };
        if loading.get_untracked() == Some(read) {
            return;
        }
        loading.set(Some(read));
        failed.set(None);
        spawn_local(async move {
            // Read against the first page's head, so every page agrees with the hash shown.
            let pinned = pinned.to_string();
            let result = api::audit_page(program_id, &filters, Some(&pinned), after, PAGE).await;
            loading.update(|l| {
                if *l == Some(read) {
                    *l = None;
                }
            });
            match result {
                Ok(page) => {
                    // Added only where it continues the trail on show, and never twice.
                    let continues = trail.with_untracked(|t| {
                        matches!(t, Some(Ok(t)) if t.read == read
                            && more.with_untracked(|m| t.last(m).next_after) == after)
                    });
                    if !continues {
                        return;
                    }
                    more.update(|m| {
                        if m.read != read {
                            *m = MorePages {
                                read,
                                pages: Vec::new(),
                            };
                        }
                        m.pages.push(page);
                    });
                    // The button is gone at the end of the trail: the focus goes to the count.
                    if !has_more.get_untracked()
                        && let Some(status) = status.get_untracked()
                    {
                        let _ = status.focus();
                    }
                }
                Err(e) => failed.set(Some((read, e))),
            }
        });
    };

    let pending = move || current().is_some_and(|read| loading.get() == Some(read));
    let failure = move || {
        failed.with(|f| match f {
            Some((read, e)) if current() == Some(*read) => Some(e.clone()),
            _ => None,
        })
    };

    view! {
        {move || head.get().map(|(position, hash)| view! {
            <p class="muted" data-testid="head-hash">
                {format!("Read against position {position} · head hash ")}
                <code>{hash}</code>
            </p>
        })}
        <Show when=move || head.with(Option::is_some) && count.get() == 0>
            <p class="empty-state">"No events match these filters."</p>
        </Show>
        <Show when=move || count.get() != 0>
            <div class="table-wrap">
                <table class="data-table audit-table">
                    <thead>
                        <tr>
                            <th scope="col">"#"</th>
                            <th scope="col">"When"</th>
                            <th scope="col">"Who"</th>
                            <th scope="col">"What"</th>
                            <th scope="col">"Entity"</th>
                            <th scope="col">"Why and what caused it"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=events key=|e| e.position let:event>
                            <EventRow event view links/>
                        </For>
                    </tbody>
                </table>
            </div>
        </Show>
        <p class="muted" data-testid="audit-count" tabindex="-1" node_ref=status
            role="status" aria-live="polite">
            {move || match (count.get(), has_more.get()) {
                (0, _) => String::new(),
                (n, true) => format!("Showing the first {n} events, oldest first."),
                (n, false) => format!("Showing all {n} events, oldest first."),
            }}
        </p>
        {move || failure().map(|error| view! {
            <div class="banner banner-error" role="alert">
                <div class="banner-text">
                    <strong>"Could not load more of the trail"</strong>
                    <ErrorDetails error/>
                </div>
            </div>
        })}
        <Show when=move || has_more.get()>
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" data-testid="load-more"
                    on:click=load_more aria-busy=move || pending().to_string()
                    disabled=pending>
                    {move || if pending() { "Loading…" } else { "Load more" }}
                </button>
            </div>
        </Show>
    }
}

#[component]
fn EventRow(
    event: RecordedEvent,
    view: RwSignal<Option<ProgramView>>,
    links: StoredValue<Links>,
) -> impl IntoView {
    let RecordedEvent {
        position,
        event_id,
        stream_id,
        stream_type,
        event_type,
        metadata,
        recorded_at,
        description,
        ..
    } = event;
    let cause = metadata.causation_id.map(|cause| {
        let href = links.with_value(|l| l.one(|f| f.cause = Some(cause.to_string())));
        view! { " "<a class="cause" data-testid="cause-link" href=href>"caused by…"</a> }
    });
    let effects = (event_type == "DecisionApproved").then(|| {
        let href = links.with_value(|l| l.one(|f| f.caused_by = Some(event_id.to_string())));
        view! { " "<a data-testid="effects-link" href=href>"its effects…"</a> }
    });
    let entity_href = links.with_value(|l| l.one(|f| f.stream_id = Some(stream_id.to_string())));
    let entity_name = {
        let stream_type = stream_type.clone();
        move || {
            view.with(|v| match v {
                Some(v) => entity(v, &stream_type, stream_id),
                None => stream_type.replace('_', " "),
            })
        }
    };
    view! {
        <tr data-testid="audit-row" data-type=event_type.clone()>
            <td class="muted">
                <a href=links.with_value(|l| format!("{}?as_of={position}", l.program)) rel="external"
                    data-testid="as-of-link" aria-label=format!("Position {position}: show the program right after this event")
                    title="Show the program right after this event">{position}</a>
            </td>
            <td>{crate::time::date_time_seconds(&recorded_at)}</td>
            <td>{metadata.actor}</td>
            <td>
                {description.unwrap_or_else(|| event_type.clone())}
                <br/>
                <code class="muted">{event_type.clone()}</code>
            </td>
            <td><a href=entity_href>{entity_name}</a></td>
            <td>{metadata.reason}{cause}{effects}</td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use throughline_shared::EventMetadata;
    use throughline_shared::ids::EventId;

    fn event(position: i64) -> RecordedEvent {
        RecordedEvent {
            position,
            event_id: EventId::from_uuid(Uuid::from_u128(position as u128)),
            stream_id: Uuid::from_u128(1),
            stream_type: "milestone".into(),
            version: position,
            event_type: "MilestoneForecastChanged".into(),
            schema_version: 1,
            program_id: None,
            payload: serde_json::Value::Null,
            metadata: EventMetadata {
                actor: "priya".into(),
                actor_id: None,
                token_id: None,
                correlation_id: Uuid::from_u128(2),
                causation_id: None,
                request_id: None,
                reason: None,
            },
            recorded_at: chrono::DateTime::UNIX_EPOCH,
            hash: String::new(),
            description: None,
        }
    }

    /// A page of `events` events ending at `next_after`, read against `head`.
    fn page(events: i64, next_after: i64, head: i64) -> AuditPage {
        AuditPage {
            events: (next_after - events + 1..=next_after).map(event).collect(),
            next_after,
            head,
            head_hash: String::new(),
        }
    }

    fn trail(read: u64, first: AuditPage) -> Trail {
        Trail {
            read,
            filters: AuditFilters::default(),
            first,
        }
    }

    #[test]
    fn pages_of_an_earlier_read_never_join_a_later_one() {
        let trail = trail(2, page(PAGE, 100, 250));
        let stale = MorePages {
            read: 1,
            pages: vec![page(PAGE, 200, 250)],
        };
        assert!(trail.pages(&stale).is_empty());
        assert_eq!(trail.last(&stale).next_after, 100);
        assert!(trail.has_more(&stale));
    }

    #[test]
    fn the_trail_ends_with_a_short_page_or_at_the_head() {
        let more = |pages| MorePages { read: 1, pages };
        let first = trail(1, page(PAGE, 100, 250));
        assert!(first.has_more(&more(vec![page(PAGE, 200, 250)])));
        assert!(!first.has_more(&more(vec![page(PAGE, 200, 250), page(50, 250, 250)])));
        assert!(!trail(1, page(PAGE, 250, 250)).has_more(&more(Vec::new())));
        assert!(!trail(1, page(30, 250, 250)).has_more(&more(Vec::new())));
    }
}
