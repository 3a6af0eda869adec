//! Throughline's browser UI: a Leptos client-side app served by the backend next to `/api`.

mod api;
mod app;
mod auth;
mod components;
mod dates;
mod live;
mod pages;
mod schedule;
mod time;
mod timeline_layout;

fn main() {
    // A panic's message in the console (the console_error_panic_hook crate also appended a JS stack
    // trace: with panic=abort and no symbols it named nothing, and cost wasm).
    std::panic::set_hook(Box::new(|info| leptos::logging::error!("{info}")));
    leptos::mount::mount_to_body(app::App);
}
