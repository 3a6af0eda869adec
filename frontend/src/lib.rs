//! Throughline's browser UI: Leptos client-side apps served by the backend next to `/api`.
//!
//! Two apps share this library, each its own wasm: the program app (`main.rs`: programs, their
//! tabs, sign-in), loaded first, and the administration app (`bin/throughline-admin.rs`: account,
//! users, and a program's rarely used pages), loaded only when one of its pages is opened. Their pages are rarely used,
//! and out of the first load they keep the first wasm within its budget (docs/benchmarks.md).
//! Which app a path belongs to is [`throughline_shared::ui::is_admin_path`], which the server
//! uses too; each app sends a path of the other to the server.

pub mod api;
pub mod app;
pub mod auth;
pub mod components;
pub mod dates;
pub mod live;
pub mod pages;
pub mod schedule;
pub mod time;
pub mod timeline_layout;

/// Mounts an app on the page's body.
pub fn start<F, N>(app: F)
where
    F: FnOnce() -> N + 'static,
    N: leptos::prelude::IntoView,
{
    // A panic's message in the console (the console_error_panic_hook crate also appended a JS stack
    // trace: with panic=abort and no symbols it named nothing, and cost wasm).
    std::panic::set_hook(Box::new(|info| leptos::logging::error!("{info}")));
    leptos::mount::mount_to_body(app);
}
