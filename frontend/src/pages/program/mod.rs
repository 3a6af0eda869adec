//! `/programs/:id`: one program with its projects, kept live by folding streamed events into the
//! loaded view with the same `ProgramView::apply` the server uses; `?as_of=` shows its history.
//!
//! The view is read once per program and moment (a resource, shown through `Suspense` and an
//! `ErrorBoundary`); from then on the page's state ([`state::Page`]) owns it and the live stream
//! moves it. Switching between the tabs of one route keeps both.

mod header;
mod overview;
mod scrubber;
mod state;

use leptos::html;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::view::ProgramView;

use crate::api::{self, ApiError, AsOf};
use crate::app::{Elsewhere, use_now};
use crate::auth::use_auth;
use crate::components::edit_program_form::EditProgramForm;
use crate::components::feedback::{ErrorBanner, Loading, api_errors};
use crate::components::governance::{GovernanceRead, GovernanceTab};
use crate::components::live_indicator::LiveIndicator;
use crate::components::raid::{RaidRead, RaidTab};
use crate::components::scope_panel::ScopePanel;
use crate::components::timeline::day_of_ms;
use crate::pages::not_found::ProgramNotFound;
use crate::schedule::Schedule;
use header::{HistoryBanner, ProgramHeader, UnfoldedBanner};
use overview::Overview;
use scrubber::{Scrub, Scrubber};
use state::Page;

#[component]
pub fn ProgramPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let tab = Memo::new(move |_| Tab::of(params.read().get("tab").as_deref()));
    // A change of program, or between now and history, reads the program again; a change of tab
    // does not, nor one of moment in history (the scrubber moves there: `ProgramLoaded`).
    let key = Memo::new(move |_| {
        (
            params.read().get("id"),
            query.read().get("as_of").is_some(),
            tab.get().is_some(),
        )
    });
    move || {
        let (id, _, known_tab) = key.get();
        match id.and_then(|id| id.parse::<ProgramId>().ok()) {
            Some(id) if known_tab => {
                let as_of = query
                    .read_untracked()
                    .get("as_of")
                    .as_deref()
                    .and_then(AsOf::parse);
                let tab = Memo::new(move |_| tab.get().unwrap_or(Tab::Overview));
                view! { <ProgramScreen id as_of tab/> }.into_any()
            }
            // A program's page of the administration app (members, projects) reached by a link
            // of this one: loaded from the server.
            Some(_) => view! { <Elsewhere admin=false/> }.into_any(),
            None => view! { <ProgramNotFound/> }.into_any(),
        }
    }
}

/// The program page's tabs, one URL each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Overview,
    Objectives,
    Governance,
    Raid,
}

impl Tab {
    /// The tab of the page's `:tab` segment (absent: the overview); `None` for a segment that
    /// names no tab.
    fn of(segment: Option<&str>) -> Option<Self> {
        match segment {
            None => Some(Tab::Overview),
            Some("objectives") => Some(Tab::Objectives),
            Some("governance") => Some(Tab::Governance),
            Some("raid") => Some(Tab::Raid),
            Some(_) => None,
        }
    }
}

type ProgramRead = LocalResource<Result<ProgramView, ApiError>>;

/// The current view of the program the app opened on, asked for at start-up alongside `/api/me`
/// so the first screen waits for one round trip instead of two. Taken once by the page it was
/// read for; dropped if the browser turns out to be signed out (the read was refused, and a
/// sign-in afterwards must read again).
#[derive(Clone, Copy)]
pub struct Prefetched(StoredValue<Option<(ProgramId, ProgramRead)>>);

impl Prefetched {
    /// Starts the read if the address is a program's current page (`/programs/{id}` or one of
    /// its tabs, no `as_of`).
    pub fn from_location() -> Self {
        let location = web_sys::window().map(|w| w.location());
        let path = location.as_ref().and_then(|l| l.pathname().ok());
        let search = location.as_ref().and_then(|l| l.search().ok());
        let id = path
            .as_deref()
            .and_then(|p| p.strip_prefix("/programs/"))
            .and_then(|rest| rest.split('/').next())
            .and_then(|id| id.parse::<ProgramId>().ok())
            .filter(|_| !search.unwrap_or_default().contains("as_of"));
        Self(StoredValue::new(id.map(|id| {
            (
                id,
                LocalResource::new(move || async move { api::get_program(id, None).await }),
            )
        })))
    }

    pub fn drop_read(self) {
        self.0.set_value(None);
    }

    fn take(self, id: ProgramId) -> Option<ProgramRead> {
        let (for_id, read) = self.0.get_value()?;
        self.0.set_value(None);
        (for_id == id).then_some(read)
    }
}

/// Reads the program (as of `as_of`, if given) and shows it, or why it cannot.
#[component]
fn ProgramScreen(id: ProgramId, as_of: Option<AsOf>, tab: Memo<Tab>) -> impl IntoView {
    let prefetched = as_of
        .is_none()
        .then(|| use_context::<Prefetched>().and_then(|p| p.take(id)))
        .flatten();
    let program = prefetched.unwrap_or_else(|| {
        let as_of = as_of.clone();
        LocalResource::new(move || {
            let as_of = as_of.clone();
            async move { api::get_program(id, as_of.as_ref()).await }
        })
    });
    let retry = Callback::new(move |_| program.refetch());
    let history = as_of.is_some();
    let shown = move || {
        program.get().map(|read| match read {
            Ok(view) => Ok(view! { <ProgramLoaded id view as_of=as_of.clone() tab/> }.into_any()),
            // No such program; in history, one not yet created at that moment.
            Err(e) if e.is_not_found() => {
                let live_id = history.then_some(id);
                Ok(view! { <ProgramNotFound live_id/> }.into_any())
            }
            Err(e) => Err::<AnyView, ApiError>(e),
        })
    };
    view! {
        <Suspense fallback=|| view! { <Loading label="Loading program…"/> }>
            <ErrorBoundary fallback=move |errors| {
                let message = errors
                    .with(api_errors)
                    .into_iter()
                    .next()
                    .map(|e| e.message)
                    .unwrap_or_default();
                view! {
                    <ErrorBanner title="Could not load this program" message on_retry=retry/>
                }
            }>
                {shown}
            </ErrorBoundary>
        </Suspense>
    }
}

#[component]
fn ProgramLoaded(
    id: ProgramId,
    view: ProgramView,
    as_of: Option<AsOf>,
    tab: Memo<Tab>,
) -> impl IntoView {
    let history = as_of.is_some();
    let page = Page::new(id, history, view);
    page.start();
    let auth = use_auth();
    let program_id = id;
    // Controls appear only for what the server would accept from this user.
    let can = move |action: ProgramAction| auth.can(program_id, action);
    let view = page.view;
    let editing = RwSignal::new(false);
    let edit_button = NodeRef::<html::Button>::new();
    let now = use_now();
    // The moment the views the server folds on request are read at: the scrubber's, in history.
    let moment = RwSignal::new(as_of.clone());
    let scrub = as_of
        .as_ref()
        .map(|as_of| Scrub::start(page, as_of, moment));
    // A moment named by the address after opening (back and forward; a tab's link carries the
    // cursor's own): the scrubber goes there.
    if let Some(scrub) = scrub {
        let query = use_query_map();
        let opened = StoredValue::new(as_of.clone());
        Effect::new(move |_| {
            let named = query
                .with(|q| q.get("as_of"))
                .as_deref()
                .and_then(AsOf::parse);
            let Some(named) = named else { return };
            if opened.with_value(|o| o.as_ref() == Some(&named)) {
                return;
            }
            opened.set_value(Some(named.clone()));
            if named != AsOf::Position(page.cursor.get_untracked()) {
                scrub.seek_to(&named);
            }
        });
    }
    // Dates are judged on the day being looked at: today, or the scrubbed moment's.
    let today = Memo::new(move |_| {
        let live_day = day_of_ms(now.get());
        match scrub {
            Some(scrub) => scrub.at.get().map_or(live_day, |t| t.date_naive()),
            None => live_day,
        }
    });
    let schedule = Schedule::new(view, today);
    let analysis = schedule.analysis;
    // Decisions waiting past their forum's SLA are flagged on the governance tab's label, seen
    // from every tab of the page.
    let governance = GovernanceRead::start(program_id, moment, page.events);
    // Likewise risks above the program's appetite, on the RAID tab's label.
    let raid = RaidRead::start(program_id, moment, page.events);
    // History stays history, at the scrubbed moment, when switching tabs.
    let link = move |path: &'static str| tab_href(page, path);

    let name =
        Memo::new(move |_| view.with(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default()));
    Effect::new(move |_| {
        let title = if history {
            format!("{} (history) · Throughline", name.get())
        } else {
            format!("{} · Throughline", name.get())
        };
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            document.set_title(&title);
        }
    });

    let close_edit = Callback::new(move |_| {
        editing.set(false);
        if let Some(button) = edit_button.get_untracked() {
            let _ = button.focus();
        }
    });
    let threatened = Memo::new(move |_| {
        analysis.with(|a| {
            a.as_ref()
                .map_or(0, |a| a.objectives.iter().filter(|o| o.threatened).count())
        })
    });

    view! {
        {scrub.map(|scrub| view! { <HistoryBanner page at=scrub.at/> })}
        <UnfoldedBanner view/>
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <A href="/">"Programs"</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">{move || name.get()}</span>
        </nav>
        <ProgramHeader page schedule tab/>
        <div class="toolbar">
            <Show when=move || !history>
                <LiveIndicator status=page.live_status/>
            </Show>
            <Show when=move || !history && can(ProgramAction::Edit)>
                <button type="button" class="btn btn-secondary" data-testid="edit-program"
                    node_ref=edit_button aria-expanded=move || editing.get().to_string()
                    on:click=move |_| editing.update(|e| *e = !*e)>
                    "Edit details"
                </button>
            </Show>
            // Pages of the administration app: loaded from the server (`rel="external"` keeps the
            // router from trying them here).
            <a href=format!("/programs/{program_id}/members") rel="external" class="btn btn-secondary"
                data-testid="members-link">
                "Members"
            </a>
            <a href=format!("/programs/{program_id}/projects") rel="external" class="btn btn-secondary"
                data-testid="projects-link">
                "Projects"
            </a>
            {move || (!can(ProgramAction::Edit) && !history).then(|| view! {
                <span class="pill pill-readonly" data-testid="read-only-badge"
                    title="Your role in this program does not allow changes">
                    {if auth.access(program_id).can_write_anything() { "Limited access" } else { "Read-only" }}
                </span>
            })}
            <Show when=move || !history>
                <a class="btn btn-secondary" data-testid="replay-history"
                    href=move || {
                        // The newest event known, governance's included.
                        // `try_`: the router reads a link again as it leaves the page.
                        let newest = page.events.try_with(|e| e.first().map_or(0, |e| e.position));
                        let folded = view.try_with(|v| v.as_ref().map_or(0, |v| v.position));
                        let (newest, folded) = (newest.unwrap_or(0), folded.unwrap_or(0));
                        format!("/programs/{program_id}?as_of={}", newest.max(folded))
                    }>
                    "Replay history"
                </a>
            </Show>
        </div>
        {scrub.map(|scrub| view! { <Scrubber scrub/> })}
        <nav class="tabs" aria-label="Program views">
            <A href=link("") exact=true>"Overview and schedule"</A>
            <A href=link("/objectives")>
                {move || match threatened.get() {
                    0 => "Objectives and scope".to_string(),
                    n => format!("Objectives and scope ({n} threatened)"),
                }}
            </A>
            <A href=link("/governance")>
                {move || match governance.bottlenecks() {
                    0 => "Governance".to_string(),
                    n => format!("Governance ({n} past SLA)"),
                }}
            </A>
            <A href=link("/raid")>
                {move || match raid.above_appetite() {
                    0 => "Risks and issues".to_string(),
                    n => format!("Risks and issues ({n} above appetite)"),
                }}
            </A>
            <a href=format!("/programs/{program_id}/changes") rel="external">"What changed"</a>
            <a href=format!("/programs/{program_id}/briefings") rel="external">"Briefings"</a>
            <a href=link("/audit") rel="external">"Audit trail"</a>
        </nav>
        <Show when=move || editing.get() && !history>
            {move || view.get_untracked().map(|program| view! {
                <EditProgramForm program on_accepted=page.accepted("Program details saved.".into())
                    on_close=close_edit/>
            })}
        </Show>
        <p class="visually-hidden" role="status" aria-live="polite">
            {move || page.notice.get()}
        </p>

        {move || match tab.get() {
            Tab::Governance => view! {
                <GovernanceTab program_id view governance history/>
            }.into_any(),
            Tab::Raid => view! { <RaidTab program_id view raid history/> }.into_any(),
            Tab::Objectives => view! {
                <section class="card scope-card" aria-label="Phase and scope">
                    <ScopePanel view/>
                </section>
            }
            .into_any(),
            Tab::Overview => view! { <Overview page schedule raid/> }.into_any(),
        }}
    }
}

/// A tab's address; in history, at the scrubbed moment. One function, so every tab link is the
/// same type of link.
fn tab_href(page: Page, path: &'static str) -> impl Fn() -> String + Clone + Send + Sync + 'static {
    move || {
        let id = page.id;
        if page.history {
            // `try_`: the router reads a link again as it leaves the page.
            format!(
                "/programs/{id}{path}?as_of={}",
                page.cursor.try_get().unwrap_or(0)
            )
        } else {
            format!("/programs/{id}{path}")
        }
    }
}
