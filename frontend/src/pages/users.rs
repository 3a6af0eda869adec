//! User administration (organisation administrators): create accounts, deactivate and reactivate.

use leptos::ev::{MouseEvent, SubmitEvent};
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::UserId;
use throughline_shared::api::{CreateUserRequest, UserSummary};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{FieldMessage, FormError, ReadFailed, invalid};

#[component]
pub fn UsersPage() -> impl IntoView {
    let auth = use_auth();
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title("Users · Throughline");
    }
    let admin = Memo::new(move |_| auth.is_admin());
    view! {
        <div class="page-header">
            <div>
                <p class="eyebrow">"Administration"</p>
                <h1>"Users"</h1>
                <p class="lede">
                    "Everyone who can sign in. Roles in programs are given on each program's Members page."
                </p>
            </div>
        </div>
        <Show when=move || admin.get() fallback=|| view! {
            <div class="banner banner-error" role="alert">
                <p class="banner-text">
                    "Administrators only: only organisation administrators can manage users."
                </p>
            </div>
        }>
            <Users/>
        </Show>
    }
}

#[component]
fn Users() -> impl IntoView {
    let users = LocalResource::new(api::list_users);
    let notice = RwSignal::new(None::<String>);
    let created = Callback::new(move |user: UserSummary| {
        notice.set(Some(format!("Created {}.", user.username)));
        users.refetch();
    });
    view! {
        {move || notice.get().map(|n| view! {
            <p class="banner banner-ok" role="status" data-testid="users-notice">{n}</p>
        })}
        <CreateUserForm on_created=created/>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading users…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <ReadFailed errors title="Could not load the users"/>
            }>
                // Nothing to show when the read worked; a failure goes to the boundary.
                {move || users.with(|u| u.as_ref().map(|u| u.as_ref().map(|_| ()).map_err(Clone::clone)))}
                <UsersTable users notice/>
            </ErrorBoundary>
        </Transition>
    }
}

/// Every account, one row each, keyed by user: a change re-renders only that user's row.
#[component]
fn UsersTable(
    users: LocalResource<Result<Vec<UserSummary>, ApiError>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let auth = use_auth();
    let me = Memo::new(move |_| auth.me().map(|m| m.user.user_id));
    let ids = move || {
        users.with(|u| match u {
            Some(Ok(list)) => list.iter().map(|u| u.user_id).collect(),
            _ => Vec::new(),
        })
    };
    view! {
        <div class="table-wrap card">
            <table class="data-table" data-testid="users-table">
                <thead>
                    <tr>
                        <th scope="col">"Person"</th>
                        <th scope="col">"Kind"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>
                    <For each=ids key=|id: &UserId| *id let:id>
                        <UserRow users id me notice/>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn UserRow(
    users: LocalResource<Result<Vec<UserSummary>, ApiError>>,
    id: UserId,
    me: Memo<Option<UserId>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let user = Memo::new(move |_| {
        users.with(|u| match u {
            Some(Ok(list)) => list.iter().find(|u| u.user_id == id).cloned(),
            _ => None,
        })
    });
    let field = move |f: fn(&UserSummary) -> String| {
        move || user.with(|u| u.as_ref().map(f).unwrap_or_default())
    };
    let active = Memo::new(move |_| user.with(|u| u.as_ref().is_some_and(|u| u.active)));
    let pending = RwSignal::new(false);
    let toggle = move |_: MouseEvent| {
        let Some(username) = user.with_untracked(|u| u.as_ref().map(|u| u.username.clone())) else {
            return;
        };
        let active = active.get_untracked();
        pending.set(true);
        spawn_local(async move {
            let result = api::set_user_active(id, !active, "").await;
            pending.try_set(false);
            match result {
                Ok(()) => {
                    notice.set(Some(if active {
                        format!("Deactivated {username}: their sessions and tokens no longer work.")
                    } else {
                        format!("Reactivated {username}.")
                    }));
                    users.refetch();
                }
                Err(e) => notice.set(Some(e.message)),
            }
        });
    };
    view! {
        <tr data-testid="user-row" data-username=field(|u| u.username.clone())
            data-active=move || active.get().to_string()>
            <th scope="row">
                <div class="project-name">{field(|u| u.display_name.clone())}</div>
                <div class="muted">{field(|u| u.username.clone())}</div>
            </th>
            <td>{field(|u| if u.admin { "Administrator" } else { "User" }.to_string())}</td>
            <td>
                <span class=move || if active.get() { "pill pill-ok" } else { "pill pill-off" }>
                    {move || if active.get() { "Active" } else { "Deactivated" }}
                </span>
            </td>
            <td class="col-actions">
                <Show when=move || me.get() != Some(id)>
                    <button type="button" class="btn btn-secondary btn-small"
                        data-testid="toggle-active" disabled=move || pending.get() on:click=toggle>
                        {move || if active.get() { "Deactivate" } else { "Reactivate" }}
                    </button>
                </Show>
            </td>
        </tr>
    }
}

/// A new account with an initial password; emptied once the account exists.
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
            username: username.with_untracked(|u| u.trim().to_string()),
            display_name: display_name.with_untracked(|d| d.trim().to_string()),
            password: password.get_untracked(),
            admin: admin.get_untracked(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::create_user(&request).await;
            pending.try_set(false);
            match result {
                Ok(user) => {
                    username.set(String::new());
                    display_name.set(String::new());
                    password.set(String::new());
                    admin.set(false);
                    on_created.run(user);
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
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
                    <input type="text" id="new-username" data-testid="new-username"
                        autocomplete="off" autocapitalize="none" spellcheck="false"
                        placeholder="e.g. dana.w" bind:value=username
                        aria-invalid=move || invalid(error, "username")
                        aria-describedby="new-username-error"/>
                    <FieldMessage error field="username" id="new-username-error"/>
                </div>
                <div class="field">
                    <label for="new-display-name">"Full name"</label>
                    <input type="text" id="new-display-name" data-testid="new-display-name"
                        placeholder="e.g. Dana Whitfield" bind:value=display_name
                        aria-invalid=move || invalid(error, "display_name")
                        aria-describedby="new-display-name-error"/>
                    <FieldMessage error field="display_name" id="new-display-name-error"/>
                </div>
                <div class="field">
                    <label for="new-password">
                        "Initial password (at least 12 characters; share it privately)"
                    </label>
                    <input type="password" id="new-password" data-testid="new-password"
                        autocomplete="new-password" bind:value=password
                        aria-invalid=move || invalid(error, "password")
                        aria-describedby="new-password-error"/>
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
                    "Add user"
                </button>
            </div>
        </form>
    }
}
