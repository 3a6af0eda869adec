//! The program's governance tab: what needs attention (decisions past their SLA, overdue
//! escalations), decisions with their routing, votes, outcome and the controls the reader may
//! use, escalations, review sessions, and the charter.
//!
//! Built from typed components over the server's `GovernanceResponse`. Every list is keyed by
//! its aggregate's id and every row reads its own item through a memo, so a live re-read only
//! touches the rows whose data changed; forms own their signals and are never re-created by a
//! re-read, so typing, focus and caret survive any number of live events.

mod charter;
mod decisions;
mod escalations;
mod forms;
mod sessions;

use crate::api::{self, ApiError, AsOf};
use crate::auth::use_auth;
use crate::components::reread::{follow, reread_on};
use charter::{CharterForms, CharterSection};
use decisions::DecisionCard;
use escalations::EscalationCard;
use forms::{EscalateForm, RaiseForm};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::Serialize;
use sessions::SessionCard;
use std::sync::Arc;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::ProgramMember;
use throughline_shared::governance::charter::Forum;
use throughline_shared::governance::requests::GovernanceResponse;
use throughline_shared::ids::{
    DecisionId, DependencyId, EscalationId, ForumId, MilestoneId, SessionId,
};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, RecordedEvent, UserId};

/// Who is reading, as far as the controls on offer go.
#[derive(Clone, Debug, PartialEq)]
struct Reader {
    user_id: Option<UserId>,
    governs: bool,
    raises: bool,
    takes_part: bool,
    /// Reading the program as it stood at some point: nothing can be changed.
    history: bool,
}

impl Reader {
    fn chairs(&self, forum: &Forum) -> bool {
        self.user_id == Some(forum.rules.chair)
    }

    fn sits_on(&self, forum: &Forum) -> bool {
        self.user_id
            .is_some_and(|u| forum.rules.chair == u || forum.rules.members.contains(&u))
    }
}

/// What every part of the tab shares: the data it shows and the way it sends commands.
#[derive(Clone, Copy)]
struct Gov {
    program_id: ProgramId,
    data: RwSignal<Option<GovernanceResponse>>,
    program: RwSignal<Option<ProgramView>>,
    reader: Memo<Reader>,
    /// The last failed command, shown at the top of the tab.
    error: RwSignal<Option<ApiError>>,
    notice: RwSignal<String>,
    refresh: RwSignal<u64>,
}

impl Gov {
    /// Sends a command to `path` under the program; on success announces `done`, reads the view
    /// again and runs `then` (a form resetting or closing itself).
    fn send<B: Serialize + 'static>(
        self,
        path: String,
        body: B,
        done: &'static str,
        then: impl FnOnce() + 'static,
    ) {
        spawn_local(async move {
            match api::governance_command(self.program_id, &path, &body).await {
                Ok(()) => {
                    self.error.set(None);
                    self.notice.set(done.to_string());
                    then();
                    self.refresh.update(|n| *n += 1);
                }
                Err(e) => self.error.set(Some(e)),
            }
        });
    }

    /// A problem found before asking the server, shown like the server's own.
    fn refuse(self, field: &str, message: &str) {
        self.error.set(Some(ApiError::field_error(field, message)));
    }

    fn forum(self, id: ForumId) -> Option<Forum> {
        self.data.with(|g| g.as_ref()?.view.forum(id).cloned())
    }
}

/// A wire name (`in_review`) as words ("in review").
fn words(wire: &str) -> String {
    wire.replace('_', " ")
}

/// A date as "5 Mar 2027".
fn day(date: chrono::NaiveDate) -> String {
    crate::dates::day_month_year(date)
}

fn milestone_name(view: &ProgramView, id: MilestoneId) -> String {
    view.milestone(id)
        .map_or_else(|| "a milestone".to_string(), |m| m.name.clone())
}

/// "Provider → consumer".
fn dependency_name(view: &ProgramView, id: DependencyId) -> String {
    view.dependency(id).map_or_else(
        || "a dependency".to_string(),
        |d| {
            format!(
                "{} → {}",
                milestone_name(view, d.provider),
                milestone_name(view, d.consumer)
            )
        },
    )
}

/// The value of the button that submitted a form (forms with several outcomes).
pub(crate) fn submitter(ev: &leptos::ev::SubmitEvent) -> String {
    ev.submitter()
        .and_then(|b| b.get_attribute("value"))
        .unwrap_or_default()
}

/// A form field's text without the spaces around it.
fn trimmed(signal: RwSignal<String>) -> String {
    signal.with_untracked(|s| s.trim().to_string())
}

/// A failed request: the message, then each field's problem.
#[component]
pub(crate) fn ErrorList(error: ApiError) -> impl IntoView {
    let fields = (!error.fields.is_empty()).then(|| {
        view! {
            <ul class="field-errors">
                {error.fields.into_iter().map(|f| view! {
                    <li><strong>{words(&f.field)}</strong>": "{f.message}</li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <div class="banner banner-error" role="alert">
            <p class="banner-text">{error.message}</p>
            {fields}
        </div>
    }
}

/// The stream types the governance view is folded from (as the server's `GOVERNANCE_STREAMS`),
/// and the briefings, whose publication settles when the next is due.
const GOVERNANCE_STREAMS: [&str; 5] = [
    "governance",
    "decision",
    "escalation",
    "review_session",
    "briefing",
];

/// The program's governance view, read by the program page (its tabs flag bottlenecks) and shown
/// by the governance tab.
#[derive(Clone, Copy)]
pub struct GovernanceRead {
    pub data: RwSignal<Option<GovernanceResponse>>,
    pub failed: RwSignal<Option<ApiError>>,
    /// Bumped to read again (after an action).
    pub refresh: RwSignal<u64>,
}

/// Whether the view read has every governance event up to `latest` (its `position` is the last
/// governance event it folded).
fn covers(data: RwSignal<Option<GovernanceResponse>>, latest: Option<i64>) -> bool {
    data.with_untracked(|g| {
        g.as_ref()
            .is_some_and(|g| latest.is_none_or(|p| g.view.position >= p))
    })
}

impl GovernanceRead {
    /// Reads the view now and whenever a governance event arrives (`events`, fed by the page's
    /// live subscription) or `refresh` is bumped: one read at a time, one more if anything arrived
    /// meanwhile. Reads never overlap, so an older answer can never land after a newer one.
    pub fn start(
        program_id: ProgramId,
        as_of: RwSignal<Option<AsOf>>,
        events: RwSignal<Vec<RecordedEvent>>,
    ) -> Self {
        let read = Self {
            data: RwSignal::new(None),
            failed: RwSignal::new(None),
            refresh: RwSignal::new(0),
        };
        let Self {
            data,
            failed,
            refresh,
        } = read;
        follow(as_of, refresh);
        reread_on(
            events,
            &GOVERNANCE_STREAMS,
            refresh,
            Arc::new(move |latest| covers(data, latest)),
            Arc::new(move || {
                let as_of = as_of.try_get_untracked().flatten();
                Box::pin(async move {
                    match api::governance(program_id, as_of.as_ref()).await {
                        Ok(g) => {
                            data.set(Some(g));
                            failed.set(None);
                        }
                        Err(e) => failed.set(Some(e)),
                    }
                })
            }),
        );
        read
    }

    /// How many decisions wait past their SLA.
    pub fn bottlenecks(self) -> usize {
        self.data
            .with(|g| g.as_ref().map_or(0, |g| g.attention.bottlenecks.len()))
    }
}

#[component]
pub fn GovernanceTab(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    governance: GovernanceRead,
    history: bool,
) -> impl IntoView {
    let auth = use_auth();
    let GovernanceRead {
        data,
        failed,
        refresh,
    } = governance;
    let reader = Memo::new(move |_| Reader {
        user_id: auth.me().map(|m| m.user.user_id),
        governs: auth.can(program_id, ProgramAction::Govern),
        raises: auth.can(program_id, ProgramAction::RaiseDecision),
        takes_part: auth.can(program_id, ProgramAction::TakePart),
        history,
    });
    let gov = Gov {
        program_id,
        data,
        program: view,
        reader,
        error: RwSignal::new(None),
        notice: RwSignal::new(String::new()),
        refresh,
    };
    let raising = RwSignal::new(false);
    let escalating = RwSignal::new(false);
    let loaded = Memo::new(move |_| data.with(Option::is_some));
    let program_loaded = Memo::new(move |_| view.with(Option::is_some));
    let may = move |what: fn(&Reader) -> bool| move || reader.with(|r| !r.history && what(r));

    view! {
        <section class="governance" aria-label="Governance">
            <p class="visually-hidden" role="status" aria-live="polite">{move || gov.notice.get()}</p>
            <div data-testid="governance">
                <div class="section-header">
                    <h2>"Governance"</h2>
                    <div class="page-actions">
                        <Show when=may(|r| r.raises)>
                            <button type="button" class="btn btn-primary" data-act="raise"
                                data-testid="raise-decision"
                                aria-expanded=move || raising.get().to_string()
                                on:click=move |_| raising.update(|r| *r = !*r)>
                                "Raise a decision"
                            </button>
                        </Show>
                        <Show when=may(|r| r.takes_part)>
                            <button type="button" class="btn btn-secondary" data-act="escalate"
                                data-testid="escalate"
                                aria-expanded=move || escalating.get().to_string()
                                on:click=move |_| escalating.update(|r| *r = !*r)>
                                "Escalate"
                            </button>
                        </Show>
                        <Show when=may(|r| r.governs)>
                            <a class="btn btn-ghost" data-testid="charter" rel="external"
                                href=format!("/programs/{program_id}/governance/setup")>
                                "Set up governance"
                            </a>
                        </Show>
                    </div>
                </div>
                {move || gov.error.get().map(|error| view! { <ErrorList error/> })}
                <Show when=move || program_loaded.get() && raising.get() && !history>
                    <RaiseForm gov open=raising/>
                </Show>
                <Show when=move || program_loaded.get() && escalating.get() && !history>
                    <EscalateForm gov open=escalating/>
                </Show>
                {move || failed.get().map(|error| view! { <ErrorList error/> })}
                <Show when=move || program_loaded.get() && loaded.get()
                    fallback=move || failed.with(Option::is_none).then(|| view! {
                        <p class="loading">"Loading governance…"</p>
                    })>
                    <Summary gov/>
                    <Decisions gov/>
                    <Escalations gov/>
                    <Sessions gov/>
                    <h3 class="subsection-title">"Forums, decision rights and escalation path"</h3>
                    <CharterSection gov/>
                </Show>
            </div>
        </section>
    }
}

/// The charter's forms and what they set, on a page of the administration app
/// (`/programs/:id/governance/setup`): set up once and changed rarely, they stay out of the
/// program app's wasm. Read once, and again after each change made here.
#[component]
pub fn GovernanceSetup(program_id: ProgramId) -> impl IntoView {
    let auth = use_auth();
    // Read like the tab's (one read at a time, so an older answer never lands last), with no
    // live events and no moment.
    let GovernanceRead {
        data,
        failed,
        refresh,
    } = GovernanceRead::start(program_id, RwSignal::new(None), RwSignal::new(Vec::new()));
    let members = RwSignal::new(Vec::<ProgramMember>::new());
    let reader = Memo::new(move |_| Reader {
        user_id: auth.me().map(|m| m.user.user_id),
        governs: auth.can(program_id, ProgramAction::Govern),
        raises: false,
        takes_part: false,
        history: false,
    });
    let gov = Gov {
        program_id,
        data,
        program: RwSignal::new(None),
        reader,
        error: RwSignal::new(None),
        notice: RwSignal::new(String::new()),
        refresh,
    };
    spawn_local(async move {
        if let Ok(list) = api::list_members(program_id).await {
            members.try_set(list);
        }
    });
    let governs = Memo::new(move |_| reader.with(|r| r.governs));
    let loaded = Memo::new(move |_| data.with(Option::is_some));
    view! {
        <section class="governance governance-setup" aria-label="Governance setup"
            data-testid="governance-setup">
            <p class="visually-hidden" role="status" aria-live="polite">{move || gov.notice.get()}</p>
            {move || gov.error.get().map(|error| view! { <ErrorList error/> })}
            {move || failed.get().map(|error| view! { <ErrorList error/> })}
            <Show when=move || loaded.get()
                fallback=move || failed.with(Option::is_none).then(|| view! {
                    <p class="loading" role="status">"Loading governance…"</p>
                })>
                <Show when=move || governs.get()
                    fallback=|| view! {
                        <p class="empty-state">"Only the program manager sets up the program's governance."</p>
                    }>
                    <h2 class="subsection-title">"Change the charter"</h2>
                    <CharterForms gov members/>
                </Show>
                <h2 class="subsection-title">"Forums, decision rights and escalation path"</h2>
                <CharterSection gov/>
            </Show>
        </section>
    }
}

/// The counts at the top: decisions past their SLA, open decisions, overdue escalations.
#[component]
fn Summary(gov: Gov) -> impl IntoView {
    let counts = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref().map_or((0, 0, 0), |g| {
                (
                    g.attention.bottlenecks.len(),
                    g.view.decisions.iter().filter(|d| d.is_open()).count(),
                    g.attention.overdue_escalations.len(),
                )
            })
        })
    });
    let late = |n: usize| if n > 0 { "count late" } else { "count" };
    view! {
        <div class="rag-counts gov-summary">
            <span class=move || late(counts.get().0) data-testid="bottleneck-count">
                <strong>{move || counts.get().0}</strong>" past their SLA"
            </span>
            <span class="count"><strong>{move || counts.get().1}</strong>" open decisions"</span>
            <span class=move || late(counts.get().2)>
                <strong>{move || counts.get().2}</strong>" overdue escalations"
            </span>
            {move || gov.data.with(|g| g.as_ref().and_then(|g| g.briefing_due)).map(|due| view! {
                <a class="count late" data-testid="briefing-due" rel="external"
                    href=format!("/programs/{}/briefings", gov.program_id)>
                    "Executive briefing due " {due.to_string()}
                </a>
            })}
        </div>
    }
}

/// Open decisions first (oldest first: the longest waiting on top), then the record, newest
/// first.
#[component]
fn Decisions(gov: Gov) -> impl IntoView {
    let order = Memo::new(move |_| {
        gov.data.with(|g| {
            let Some(g) = g else { return Vec::new() };
            let decisions = &g.view.decisions;
            let open = decisions.iter().filter(|d| d.is_open());
            let closed = decisions.iter().rev().filter(|d| !d.is_open());
            open.chain(closed)
                .map(|d| d.decision_id)
                .collect::<Vec<DecisionId>>()
        })
    });
    view! {
        <h3 class="subsection-title">"Decisions"</h3>
        <Show when=move || order.with(Vec::is_empty)>
            <p class="empty-state">"No decisions raised yet."</p>
        </Show>
        <For each=move || order.get() key=|id| *id let:id>
            <DecisionCard gov id/>
        </For>
    }
}

/// Newest first.
#[component]
fn Escalations(gov: Gov) -> impl IntoView {
    let order = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref().map_or_else(Vec::new, |g| {
                g.view
                    .escalations
                    .iter()
                    .rev()
                    .map(|e| e.escalation_id)
                    .collect::<Vec<EscalationId>>()
            })
        })
    });
    view! {
        <h3 class="subsection-title">"Escalations"</h3>
        <Show when=move || order.with(Vec::is_empty)>
            <p class="empty-state">"Nothing escalated."</p>
        </Show>
        <For each=move || order.get() key=|id| *id let:id>
            <EscalationCard gov id/>
        </For>
    }
}

/// The three latest sessions, newest first.
#[component]
fn Sessions(gov: Gov) -> impl IntoView {
    let order = Memo::new(move |_| {
        gov.data.with(|g| {
            g.as_ref().map_or_else(Vec::new, |g| {
                g.view
                    .sessions
                    .iter()
                    .rev()
                    .take(3)
                    .map(|s| s.session_id)
                    .collect::<Vec<SessionId>>()
            })
        })
    });
    view! {
        <h3 class="subsection-title">"Review sessions"</h3>
        <Show when=move || order.with(Vec::is_empty)>
            <p class="empty-state">"No sessions held yet."</p>
        </Show>
        <For each=move || order.get() key=|id| *id let:id>
            <SessionCard gov id/>
        </For>
    }
}
