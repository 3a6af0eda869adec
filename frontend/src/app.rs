use std::time::Duration;

use leptos::prelude::*;
use leptos_router::components::{A, Route, Router, Routes};
use leptos_router::path;

use crate::pages::not_found::NotFound;
use crate::pages::program::ProgramPage;
use crate::pages::program_list::ProgramListPage;

/// The current time in milliseconds, refreshed every 30 s so "5 min ago" stays true.
#[derive(Clone, Copy)]
pub struct Now(pub ReadSignal<f64>);

pub fn use_now() -> ReadSignal<f64> {
    use_context::<Now>()
        .map(|n| n.0)
        .unwrap_or_else(|| signal(crate::time::now_ms()).0)
}

#[component]
pub fn App() -> impl IntoView {
    let (now, set_now) = signal(crate::time::now_ms());
    set_interval(
        move || set_now.set(crate::time::now_ms()),
        Duration::from_secs(30),
    );
    provide_context(Now(now));

    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <header class="topbar">
                <div class="topbar-inner">
                    <A href="/" attr:class="brand" attr:aria-label="Throughline, all programs">
                        <span class="brand-mark" aria-hidden="true"></span>
                        <span class="brand-name">"Throughline"</span>
                    </A>
                    <nav class="topnav" aria-label="Main">
                        <A href="/" exact=true>"Programs"</A>
                    </nav>
                </div>
            </header>
            <main id="main" class="page" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=ProgramListPage/>
                    <Route path=path!("/programs/:id") view=ProgramPage/>
                </Routes>
            </main>
            <footer class="footer">
                "Throughline · every change is an event; nothing is ever overwritten."
            </footer>
        </Router>
    }
}
