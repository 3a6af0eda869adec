//! The sign-in page, shown instead of any page while nobody is signed in.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::LoginRequest;

use crate::api::ApiError;
use crate::auth::use_auth;
use crate::components::feedback::sentence;

#[component]
pub fn LoginPage(#[prop(into)] notice: Option<String>) -> impl IntoView {
    let auth = use_auth();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let username_ref = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = username_ref.get() {
            let _ = input.focus();
        }
    });
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title("Sign in · Throughline");
    }

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = LoginRequest {
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = crate::api::login(&request).await;
            pending.set(false);
            match result {
                Ok(me) => auth.signed_in(me),
                Err(e) => {
                    password.set(String::new());
                    error.set(Some(e));
                }
            }
        });
    };

    view! {
        <div class="login-wrap">
            <form class="card login-card" data-testid="login-form" on:submit=on_submit
                novalidate=true aria-labelledby="login-title">
                <h1 id="login-title" class="form-title">"Sign in"</h1>
                {notice.map(|n| view! { <p class="banner banner-history" role="status">{n}</p> })}
                <div class="field">
                    <label for="login-username">"User name"</label>
                    <input type="text" id="login-username" data-testid="login-username"
                        autocomplete="username" autocapitalize="none" spellcheck="false"
                        node_ref=username_ref bind:value=username required=true/>
                </div>
                <div class="field">
                    <label for="login-password">"Password"</label>
                    <input type="password" id="login-password" data-testid="login-password"
                        autocomplete="current-password" bind:value=password required=true/>
                </div>
                {move || error.get().map(|e| view! {
                    <p class="form-error" role="alert" data-testid="login-error">{sentence(&e.message)}</p>
                })}
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary btn-block" data-testid="login-submit"
                        disabled=move || pending.get()>
                        {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </div>
                <p class="hint">
                    "No account? Ask an administrator. A fresh install prints the first administrator's password when it starts."
                </p>
            </form>
        </div>
    }
}
