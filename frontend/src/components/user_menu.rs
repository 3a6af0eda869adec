//! The signed-in user's menu in the top bar: who you are, your account, administration, sign out.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::api;
use crate::auth::use_auth;

#[component]
pub fn UserMenu() -> impl IntoView {
    let auth = use_auth();
    let open = RwSignal::new(false);
    let sign_out = move |_| {
        spawn_local(async move {
            // Whatever the answer, this browser forgets the session.
            let _ = api::logout().await;
            auth.signed_out(Some("You have signed out.".into()));
        });
    };
    move || {
        auth.me().map(|me| {
            let initials: String = me
                .user
                .display_name
                .split_whitespace()
                .filter_map(|w| w.chars().next())
                .take(2)
                .collect::<String>()
                .to_uppercase();
            let admin = me.user.admin;
            view! {
                <div class="user-menu" data-testid="user-menu"
                    on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
                    <button type="button" class="user-button" data-testid="user-menu-button"
                        aria-haspopup="true" aria-expanded=move || open.get().to_string()
                        on:click=move |_| open.update(|o| *o = !*o)>
                        <span class="avatar" aria-hidden="true">{initials}</span>
                        <span class="user-name">{me.user.display_name.clone()}</span>
                        {admin.then(|| view! { <span class="badge">"Admin"</span> })}
                    </button>
                    <Show when=move || open.get()>
                        <div class="menu" role="menu" on:click=move |_| open.set(false)>
                            <p class="menu-note">"Signed in as " <strong>{me.user.username.clone()}</strong></p>
                            <A href="/account" attr:role="menuitem" attr:data-testid="menu-account">
                                "Account & API tokens"
                            </A>
                            {admin.then(|| view! {
                                <A href="/admin/users" attr:role="menuitem" attr:data-testid="menu-users">
                                    "Users"
                                </A>
                            })}
                            <button type="button" role="menuitem" class="menu-item"
                                data-testid="sign-out" on:click=sign_out>
                                "Sign out"
                            </button>
                        </div>
                    </Show>
                </div>
            }
        })
    }
}
