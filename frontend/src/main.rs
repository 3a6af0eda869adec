//! Throughline's browser UI: a Leptos client-side app served by the backend next to `/api`.

mod api;
mod app;
mod auth;
mod components;
mod live;
mod pages;
mod time;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
