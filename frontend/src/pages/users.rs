//! User administration (organisation administrators): create accounts, deactivate and reactivate.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::UserId;
use throughline_shared::api::{CreateUserRequest, UserSummary};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{ErrorBanner, FieldMessage, FormError, Loading, invalid};

#[component]
pub fn UsersPage() -> impl IntoView {
    let auth = use_auth();
    let users = RwSignal::new(None::<Result<Vec<UserSummary>, ApiError>>);
    let notice = RwSignal::new(None::<String>);
    let reload = move || {
        spawn_local(async move { users.set(Some(api::list_users().await)) });
    };
    reload();
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title("Users · Throughline");
    }
    let me = auth.me().map(|m| m.user.user_id);

    let table = move || {
        users.get().map(|result| match result {
            Err(e) => view! { <ErrorBanner title="Could not load the users" message=e.message/> }.into_any(),
            Ok(list) => {
                let rows = list.into_iter().map(|u| {
                    let user_id = u.user_id;
                    let active = u.active;
                    let is_me = Some(user_id) == me;
                    view! {
                        <tr data-testid="user-row" data-username=u.username.clone() data-active=active.to_string()>
                            <th scope="row">
                                <div class="project-name">{u.display_name.clone()}</div>
                                <div class="muted">{u.username.clone()}</div>
                            </th>
                            <td>{if u.admin { "Administrator" } else { "User" }}</td>
                            <td>
                                <span class=if active { "pill pill-ok" } else { "pill pill-off" }>
                                    {if active { "Active" } else { "Deactivated" }}
                                </span>
                            </td>
                            <td class="col-actions">
                                {(!is_me).then(|| view! {
                                    <ToggleActive user_id active username=u.username.clone()
                                        on_done=Callback::new(move |message: String| {
                                            notice.set(Some(message));
                                            reload();
                                        })/>
                                })}
                            </td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap card">
                        <table class="data-table" data-testid="users-table">
                            <thead><tr>
                                <th scope="col">"Person"</th>
                                <th scope="col">"Kind"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }
        })
    };

    view! {
        <div class="page-header">
            <div>
                <p class="eyebrow">"Administration"</p>
                <h1>"Users"</h1>
                <p class="lede">"Everyone who can sign in. Roles in programs are given on each program's Members page."</p>
            </div>
        </div>
        {move || (!auth.is_admin()).then(|| view! {
            <ErrorBanner title="Administrators only" message="only organisation administrators can manage users"/>
        })}
        <Show when=move || auth.is_admin()>
            <p class="visually-hidden" role="status" aria-live="polite">{move || notice.get()}</p>
            {move || notice.get().map(|n| view! { <p class="banner banner-ok" data-testid="users-notice">{n}</p> })}
            <CreateUserForm on_created=Callback::new(move |user: UserSummary| {
                notice.set(Some(format!("Created {}.", user.username)));
                reload();
            })/>
            {move || if users.with(Option::is_none) {
                view! { <Loading label="Loading users…"/> }.into_any()
            } else {
                table().into_any()
            }}
        </Show>
    }
}

#[component]
fn ToggleActive(
    user_id: UserId,
    active: bool,
    username: String,
    on_done: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let label = if active { "Deactivate" } else { "Reactivate" };
    let click = move |_| {
        let username = username.clone();
        pending.set(true);
        spawn_local(async move {
            let result = api::set_user_active(user_id, !active, "").await;
            pending.set(false);
            match result {
                Ok(()) => on_done.run(if active {
                    format!("Deactivated {username}: their sessions and tokens no longer work.")
                } else {
                    format!("Reactivated {username}.")
                }),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <button type="button" class="btn btn-secondary btn-small" data-testid="toggle-active"
            disabled=move || pending.get() on:click=click>
            {label}
        </button>
        {move || error.get().map(|e| view! { <p class="field-error">{e.message}</p> })}
    }
}

#[component]
fn CreateUserForm(on_created: Callback<UserSummary>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let display_name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let admin = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = CreateUserRequest {
            username: username.get_untracked(),
            display_name: display_name.get_untracked(),
            password: password.get_untracked(),
            admin: admin.get_untracked(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::create_user(&request).await;
            pending.set(false);
            match result {
                Ok(user) => {
                    username.set(String::new());
                    display_name.set(String::new());
                    password.set(String::new());
                    admin.set(false);
                    on_created.run(user);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card inline-form" data-testid="create-user-form" on:submit=on_submit
            novalidate=true aria-labelledby="create-user-title">
            <h2 id="create-user-title" class="form-title">"Add a user"</h2>
            <div class="field-row">
                <div class="field">
                    <label for="new-username">"User name"</label>
                    <input type="text" id="new-username" data-testid="new-username" bind:value=username
                        autocomplete="off" autocapitalize="none" spellcheck="false" placeholder="e.g. dana.w"
                        aria-invalid=move || invalid(error, "username") aria-describedby="new-username-error"/>
                    <FieldMessage error field="username" id="new-username-error"/>
                </div>
                <div class="field">
                    <label for="new-display-name">"Full name"</label>
                    <input type="text" id="new-display-name" data-testid="new-display-name" bind:value=display_name
                        placeholder="e.g. Dana Whitfield"
                        aria-invalid=move || invalid(error, "display_name") aria-describedby="new-display-name-error"/>
                    <FieldMessage error field="display_name" id="new-display-name-error"/>
                </div>
                <div class="field">
                    <label for="new-password">"Initial password"</label>
                    <input type="password" id="new-password" data-testid="new-password" bind:value=password
                        autocomplete="new-password"
                        aria-invalid=move || invalid(error, "password") aria-describedby="new-password-hint new-password-error"/>
                    <p class="hint" id="new-password-hint">"At least 12 characters. Share it privately."</p>
                    <FieldMessage error field="password" id="new-password-error"/>
                </div>
            </div>
            <label class="checkbox">
                <input type="checkbox" data-testid="new-admin" bind:checked=admin/>
                " Organisation administrator (manages users, sees every program)"
            </label>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="create-user-submit"
                    disabled=move || pending.get()>
                    {move || if pending.get() { "Adding…" } else { "Add user" }}
                </button>
            </div>
        </form>
    }
}
