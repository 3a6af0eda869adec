//! Executive briefings (pages of the administration app). `/programs/:id/briefings`: the draft
//! generated from the log as of now or any date, the program manager's narrative and highlights,
//! publishing, the cadence and the briefings published so far. `/programs/:id/briefings/:number`:
//! one published briefing, printable, checked against the log, with its Markdown and PDF.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::briefing::requests::{BriefingDraft, PublishBriefingRequest};
use throughline_shared::briefing::{BriefingLog, HIGHLIGHTS_MAX, PublishedBriefing};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::briefing_document::{BriefingBody, Overall};
use crate::components::feedback::ReadFailed;
use crate::components::rag_chip::RagChip;
use crate::dates::day_month_year as day;
use crate::pages::not_found::NotFound;

fn program_param() -> Memo<Option<ProgramId>> {
    let params = use_params_map();
    Memo::new(move |_| params.read().get("id").and_then(|id| id.parse().ok()))
}

fn set_title(title: &str) {
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title(&format!("{title} · Throughline"));
    }
}

#[component]
pub fn BriefingsPage() -> impl IntoView {
    let id = program_param();
    let query = use_query_map();
    let as_of = Memo::new(move |_| query.read().get("as_of"));
    // The program manager's words outlive a new draft (another moment, a refresh after a 409).
    let words = Words {
        narrative: RwSignal::new(String::new()),
        highlights: RwSignal::new(String::new()),
        error: RwSignal::new(None),
    };
    move || match id.get() {
        Some(id) => view! { <Briefings id as_of=as_of.get() words/> }.into_any(),
        None => view! { <NotFound/> }.into_any(),
    }
}

/// What the program manager writes into a briefing.
#[derive(Clone, Copy)]
struct Words {
    narrative: RwSignal<String>,
    highlights: RwSignal<String>,
    /// The last refusal, kept across the new draft a 409 brings.
    error: RwSignal<Option<ApiError>>,
}

#[component]
fn Tabs(id: ProgramId) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Program views">
            <a href=format!("/programs/{id}") rel="external">"Overview and schedule"</a>
            <a href=format!("/programs/{id}/objectives") rel="external">"Objectives and scope"</a>
            <a href=format!("/programs/{id}/governance") rel="external">"Governance"</a>
            <a href=format!("/programs/{id}/raid") rel="external">"Risks and issues"</a>
            <a href=format!("/programs/{id}/changes")>"What changed"</a>
            <a href=format!("/programs/{id}/briefings") aria-current="page" class="active">"Briefings"</a>
            <a href=format!("/programs/{id}/audit") rel="external">"Audit trail"</a>
        </nav>
    }
}

#[component]
fn Briefings(id: ProgramId, as_of: Option<String>, words: Words) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let read = {
        let as_of = as_of.clone();
        LocalResource::new(move || {
            refresh.track();
            let as_of = as_of.clone();
            async move { api::briefing_draft(id, as_of.as_deref()).await }
        })
    };
    let name = move || {
        read.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|d| d.document.program_name.clone())
                .unwrap_or_default()
        })
    };
    Effect::new(move |_| {
        let name = name();
        if !name.is_empty() {
            set_title(&format!("Briefings of {name}"));
        }
    });
    let auth = use_auth();
    let governs = Signal::derive(move || auth.can(id, ProgramAction::Govern));
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}") rel="external">{name}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Executive briefings"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1 data-testid="program-name">{name}</h1>
                <p class="lede">"The consolidated report to leadership, generated from the log as of any moment. Add your words and publish: what was sent is recorded with its hash, checkable against the log forever."</p>
            </div>
        </div>
        <Tabs id/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Generating the briefing…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <ReadFailed errors=errors title="Could not generate the briefing"/>
            }>
                {move || read.get().map(|r| r.map(|draft| view! {
                    <Published id log=draft.log.clone() governs refresh/>
                    <Draft id draft=draft.clone() governs as_of=as_of.clone() words refresh/>
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

/// The briefings published so far, the cadence and when the next is due.
#[component]
fn Published(
    id: ProgramId,
    log: BriefingLog,
    governs: Signal<bool>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let rows: Vec<PublishedBriefing> = log.published.iter().rev().cloned().collect();
    let empty = rows.is_empty();
    let due = log.next_due;
    let cadence = RwSignal::new(log.cadence().to_string());
    let error = RwSignal::new(None::<String>);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(days) = cadence.get_untracked().trim().parse::<u16>() else {
            error.set(Some("Give a whole number of days, 1 to 92.".into()));
            return;
        };
        leptos::task::spawn_local(async move {
            match api::set_briefing_cadence(id, days).await {
                Ok(_) => {
                    error.set(None);
                    refresh.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    view! {
        <section class="card briefing-card briefing-published" aria-labelledby="published-title">
            <div class="card-header">
                <h2 id="published-title">"Published briefings"</h2>
                {due.map(|due| view! {
                    <span class="muted" data-testid="next-due">{format!("Next due {}", day(due))}</span>
                })}
            </div>
            <Show when=move || empty>
                <p class="muted">"None yet: the first is generated below."</p>
            </Show>
            <Show when=move || !empty>
                <div class="table-wrap"><table class="data-table" data-testid="published-briefings">
                    <thead><tr>
                        <th scope="col">"No."</th><th scope="col">"As of"</th><th scope="col">"Overall"</th>
                        <th scope="col">"Published"</th><th scope="col">"SHA-256"</th><th scope="col">"Files"</th>
                    </tr></thead>
                    <tbody>
                        <For each={let rows = rows.clone(); move || rows.clone()} key=|b| b.number let:b>
                            <tr data-testid="published-briefing">
                                <td><a href=format!("/programs/{id}/briefings/{}", b.number)>{format!("Briefing {}", b.number)}</a></td>
                                <td>{day(b.as_of_day)}</td>
                                <td><RagChip rag=b.overall/></td>
                                <td>{format!("{} by {}", day(b.published_at.date_naive()), b.published_by)}</td>
                                <td><code title=b.content_hash.clone()>{b.content_hash.chars().take(12).collect::<String>()}"…"</code></td>
                                <td class="briefing-files">
                                    <a href=format!("/api/programs/{id}/briefings/{}/briefing.md", b.number) rel="external" download="">"Markdown"</a>
                                    <a href=format!("/api/programs/{id}/briefings/{}/briefing.pdf", b.number) rel="external" download="">"PDF"</a>
                                </td>
                            </tr>
                        </For>
                    </tbody>
                </table></div>
            </Show>
            <Show when=move || governs.get()>
                <form class="briefing-row" data-testid="cadence-form" on:submit=save>
                    <label class="field">
                        <span>"A briefing is due every (days)"</span>
                        <input type="number" min="1" max="92" name="every_days" required
                            prop:value=move || cadence.get()
                            on:input=move |ev| cadence.set(event_target_value(&ev))/>
                    </label>
                    <button class="btn btn-secondary btn-small">"Save cadence"</button>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                </form>
            </Show>
        </section>
    }
}

/// The draft with the composer: narrative, highlights, publish.
#[component]
fn Draft(
    id: ProgramId,
    draft: BriefingDraft,
    governs: Signal<bool>,
    as_of: Option<String>,
    words: Words,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let navigate = use_navigate();
    let doc = draft.document.clone();
    let shown = as_of.filter(|a| crate::dates::parse_input(a).is_some());
    let picked = RwSignal::new(shown.clone().unwrap_or_default());
    let Words {
        narrative,
        highlights,
        error,
    } = words;
    let moment = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            error.set(None);
            let date = picked.get_untracked();
            let query = if date.is_empty() {
                String::new()
            } else {
                format!("?as_of={date}")
            };
            // The same moment again: generated anew (the log moved on, or a briefing was
            // published meanwhile).
            if date == shown.clone().unwrap_or_default() {
                refresh.update(|n| *n += 1);
            } else {
                navigate(
                    &format!("/programs/{id}/briefings{query}"),
                    Default::default(),
                );
            }
        }
    };
    let busy = RwSignal::new(false);
    let request = StoredValue::new((doc.as_of, doc.as_of_day, draft.expected_version));
    let publish = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (as_of, day, expected_version) = request.get_value();
        let request = PublishBriefingRequest {
            as_of,
            day,
            expected_version,
            narrative: narrative.get_untracked(),
            highlights: highlights
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
        };
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::publish_briefing(id, &request).await {
                Ok(done) => navigate(
                    &format!("/programs/{id}/briefings/{}", done.number),
                    Default::default(),
                ),
                Err(e) => {
                    // Out of date (a briefing published meanwhile): a new draft, words kept.
                    let stale = e.status == 409;
                    error.set(Some(e));
                    if stale {
                        refresh.update(|n| *n += 1);
                    }
                }
            }
            busy.set(false);
        });
    };
    let since = match doc.follows {
        Some(n) => format!("since briefing {n} ({})", day(doc.since_day)),
        None => "since the program began".to_string(),
    };
    view! {
        <section class="card briefing-card briefing-draft" aria-labelledby="draft-title">
            <div class="card-header">
                <h2 id="draft-title">{format!("Draft as of {} (log position {})", day(doc.as_of_day), doc.as_of)}</h2>
                <Overall rag=doc.overall/>
            </div>
            <p class="muted">{format!("What changed is counted {since}.")}</p>
            <form class="briefing-row" data-testid="draft-moment" on:submit=moment>
                <label class="field">
                    <span>"As of"</span>
                    <input type="date" name="as_of" prop:value=move || picked.get()
                        on:input=move |ev| picked.set(event_target_value(&ev))/>
                </label>
                <button class="btn btn-secondary btn-small">"Generate"</button>
            </form>
            <Show when=move || governs.get()>
                <form class="briefing-compose" data-testid="publish-form" on:submit=publish.clone()>
                    <label class="field">
                        <span>"Narrative (your words to leadership)"</span>
                        <textarea name="narrative" rows="5" required maxlength="10000"
                            prop:value=move || narrative.get()
                            on:input=move |ev| narrative.set(event_target_value(&ev))></textarea>
                    </label>
                    <label class="field">
                        <span>{format!("Highlights (one per line, at most {HIGHLIGHTS_MAX})")}</span>
                        <textarea name="highlights" rows="3"
                            prop:value=move || highlights.get()
                            on:input=move |ev| highlights.set(event_target_value(&ev))></textarea>
                    </label>
                    {move || error.get().map(|e| view! { <p class="error" role="alert">{e.to_string()}</p> })}
                    <button class="btn btn-primary" disabled=move || busy.get()>"Publish briefing"</button>
                </form>
            </Show>
            <BriefingBody document=doc.clone()/>
        </section>
    }
}

#[component]
pub fn BriefingPage() -> impl IntoView {
    let id = program_param();
    let params = use_params_map();
    let number = Memo::new(move |_| {
        params
            .read()
            .get("number")
            .and_then(|n| n.parse::<u32>().ok())
    });
    move || match (id.get(), number.get()) {
        (Some(id), Some(number)) => view! { <Briefing id number/> }.into_any(),
        _ => view! { <NotFound/> }.into_any(),
    }
}

#[component]
fn Briefing(id: ProgramId, number: u32) -> impl IntoView {
    let read = LocalResource::new(move || async move {
        let detail = api::briefing(id, number).await?;
        let check = api::verify_briefing(id, number).await?;
        Ok::<_, ApiError>((detail, check))
    });
    view! {
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading the briefing…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <ReadFailed errors=errors title="Could not load this briefing"/>
            }>
                {move || read.get().map(|r| r.map(|(detail, check)| {
                    let doc = detail.content.document.clone();
                    let b = detail.briefing.clone();
                    set_title(&format!("{} briefing {}", doc.program_name, b.number));
                    let verified = check.content_matches && check.event_hash_matches;
                    view! {
                        <nav class="breadcrumb no-print" aria-label="Breadcrumb">
                            <a href="/" rel="external">"Programs"</a>
                            <span aria-hidden="true">" / "</span>
                            <a href=format!("/programs/{id}") rel="external">{doc.program_name.clone()}</a>
                            <span aria-hidden="true">" / "</span>
                            <a href=format!("/programs/{id}/briefings")>"Executive briefings"</a>
                            <span aria-hidden="true">" / "</span>
                            <span aria-current="page">{format!("Briefing {}", b.number)}</span>
                        </nav>
                        <article class="briefing-print" data-testid="briefing">
                            <header class="briefing-head">
                                <div>
                                    <h1>{format!("{} — executive briefing {}", doc.program_name, b.number)}</h1>
                                    <p class="muted">{format!(
                                        "As of {} (log position {}) · sponsor {} · published {} by {}",
                                        day(doc.as_of_day), doc.as_of, doc.sponsor,
                                        day(b.published_at.date_naive()), b.published_by
                                    )}</p>
                                </div>
                                <Overall rag=doc.overall/>
                            </header>
                            <div class="briefing-actions no-print">
                                <button class="btn btn-primary btn-small" on:click=|_| {
                                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                                }>"Print"</button>
                                <a class="btn btn-secondary btn-small" rel="external" download=""
                                    href=format!("/api/programs/{id}/briefings/{number}/briefing.md")>"Markdown"</a>
                                <a class="btn btn-secondary btn-small" rel="external" data-testid="pdf-link"
                                    href=format!("/api/programs/{id}/briefings/{number}/briefing.pdf")>"PDF"</a>
                            </div>
                            <p class=if verified { "briefing-verified ok" } else { "briefing-verified broken" }
                                data-testid="briefing-verified" role="status">
                                {if verified {
                                    format!("Verified against the log: event {} holds this content, SHA-256 {}.", check.position, check.recorded_hash)
                                } else {
                                    format!("Does not verify: recorded {}, computed {}.", check.recorded_hash, check.computed_hash)
                                }}
                            </p>
                            <Show when={let empty = detail.content.highlights.is_empty(); move || !empty}>
                                <section class="briefing-section">
                                    <h2>"Highlights"</h2>
                                    <ul>
                                        {detail.content.highlights.iter().map(|h| view! { <li>{h.clone()}</li> }).collect_view()}
                                    </ul>
                                </section>
                            </Show>
                            <section class="briefing-section">
                                <h2>"From the program manager"</h2>
                                {detail.content.narrative.split("\n\n").map(|p| view! { <p>{p.to_string()}</p> }).collect_view()}
                            </section>
                            <BriefingBody document=doc.clone()/>
                        </article>
                    }
                }))}
            </ErrorBoundary>
        </Transition>
    }
}
