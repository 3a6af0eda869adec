use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::auth::{Auth, AuthState, provide_auth};
use crate::components::feedback::Loading;
use crate::components::user_menu::UserMenu;
use crate::pages::account::AccountPage;
use crate::pages::audit::AuditPage;
use crate::pages::briefings::{BriefingPage, BriefingsPage};
use crate::pages::changes::ChangesPage;
use crate::pages::governance_setup::GovernanceSetupPage;
use crate::pages::login::LoginPage;
use crate::pages::members::MembersPage;
use crate::pages::not_found::NotFound;
use crate::pages::objectives::ObjectivesPage;
use crate::pages::plan_files::PlanFilesPage;
use crate::pages::program::{Prefetched, ProgramPage};
use crate::pages::program_list::ProgramListPage;
use crate::pages::projects::ProjectsPage;
use crate::pages::users::UsersPage;
use throughline_shared::ui::is_admin_path;

/// The current time in milliseconds, refreshed every 30 s so "5 min ago" stays true.
#[derive(Clone, Copy)]
pub struct Now(pub ReadSignal<f64>);

pub fn use_now() -> ReadSignal<f64> {
    use_context::<Now>()
        .map(|n| n.0)
        .unwrap_or_else(|| signal(crate::time::now_ms()).0)
}

/// The program app: programs and their tabs. The administration app's pages are handed to the
/// server, which serves that app.
#[component]
pub fn App() -> impl IntoView {
    let auth = provide_auth();
    let prefetched = Prefetched::from_location();
    provide_context(prefetched);
    Effect::new(move |_| {
        if matches!(auth.0.get(), AuthState::SignedOut { .. }) {
            prefetched.drop_read();
        }
    });
    let routes = || {
        view! {
            <Routes fallback=|| view! { <Elsewhere admin=false/> }>
                <Route path=path!("/") view=ProgramListPage/>
                // The overview and every tab are one route, so moving between them keeps the page
                // (and its loaded program) instead of mounting it again.
                <Route path=path!("/programs/:id/:tab?") view=ProgramPage/>
            </Routes>
        }
        .into_any()
    };
    view! { <Shell auth routes/> }
}

/// The administration app: the account, users, and a program's rarely used pages (members,
/// projects, objectives' editing, audit trail, plan files, governance setup, what changed,
/// briefings). Every other page is the program app's, handed to the server.
#[component]
pub fn AdminApp() -> impl IntoView {
    let auth = provide_auth();
    let routes = || {
        view! {
            <Routes fallback=|| view! { <Elsewhere admin=true/> }>
                <Route path=path!("/programs/:id/members") view=MembersPage/>
                <Route path=path!("/programs/:id/projects") view=ProjectsPage/>
                <Route path=path!("/programs/:id/objectives/edit") view=ObjectivesPage/>
                <Route path=path!("/programs/:id/audit") view=AuditPage/>
                <Route path=path!("/programs/:id/plan-files") view=PlanFilesPage/>
                <Route path=path!("/programs/:id/governance/setup") view=GovernanceSetupPage/>
                <Route path=path!("/programs/:id/changes") view=ChangesPage/>
                <Route path=path!("/programs/:id/briefings") view=BriefingsPage/>
                <Route path=path!("/programs/:id/briefings/:number") view=BriefingPage/>
                <Route path=path!("/account") view=AccountPage/>
                <Route path=path!("/admin/users") view=UsersPage/>
            </Routes>
        }
        .into_any()
    };
    view! { <Shell auth routes/> }
}

/// A path no route of this app matched: a page of the other app is loaded from the server
/// (which serves that app for it); anything else is not found.
#[component]
pub(crate) fn Elsewhere(
    /// Whether this is the administration app.
    admin: bool,
) -> impl IntoView {
    let location = web_sys::window().map(|w| w.location());
    let path = location
        .as_ref()
        .and_then(|l| l.pathname().ok())
        .unwrap_or_default();
    if is_admin_path(&path) != admin
        && let Some(location) = location
    {
        let _ = location.reload();
        return view! { <Loading label="Loading…"/> }.into_any();
    }
    view! { <NotFound/> }.into_any()
}

/// What both apps look like around their pages: the top bar, sign-in when signed out, the
/// footer. `routes` are the app's pages, shown once signed in.
#[component]
fn Shell(auth: Auth, routes: fn() -> AnyView) -> impl IntoView {
    let (now, set_now) = signal(crate::time::now_ms());
    set_interval(
        move || set_now.set(crate::time::now_ms()),
        Duration::from_secs(30),
    );
    provide_context(Now(now));

    // Only a change between checking, signed out and signed in rebuilds the page; a refreshed
    // `me` (after a role change, say) updates the controls in place.
    let phase = Memo::new(move |_| match auth.0.get() {
        AuthState::SignedIn(_) => None,
        other => Some(other),
    });
    let signed_in = Memo::new(move |_| phase.get().is_none());
    let body = move || match phase.get() {
        Some(AuthState::Checking) => view! { <Loading label="Loading…"/> }.into_any(),
        Some(AuthState::SignedOut { notice }) => view! { <LoginPage notice/> }.into_any(),
        Some(AuthState::SignedIn(_)) | None => routes(),
    };

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <div class="topbar-inner">
                    <A href="/" attr:class="brand" attr:aria-label="Throughline, all programs">
                        <span class="brand-mark" aria-hidden="true"></span>
                        <span class="brand-name">"Throughline"</span>
                    </A>
                    <Show when=move || signed_in.get()>
                        <nav class="topnav" aria-label="Main">
                            <A href="/" exact=true>"Programs"</A>
                        </nav>
                        <div class="topbar-spacer"></div>
                        <UserMenu/>
                    </Show>
                </div>
            </header>
            <main id="main" class="page" tabindex="-1">
                {body}
            </main>
            <footer class="footer">
                "Throughline · every change is an event; nothing is ever overwritten."
            </footer>
        </Router>
    }
}
