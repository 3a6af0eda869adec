//! Throughline's browser UI: a Leptos client-side app served by the backend next to `/api`.

mod api;
mod app;
mod auth;
mod components;
mod dates;
mod live;
mod markup;
mod pages;
mod time;
mod timeline_layout;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
