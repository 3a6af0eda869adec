//! User administration (organisation administrators): create accounts, deactivate and reactivate.
//!
//! Built as markup with delegated handlers (see `markup.rs`): a page few people open, kept small
//! in the wasm.

use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::{CreateUserRequest, UserSummary};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::markup::{self, Submitted, attr, esc, form_error, input};

fn table_html(users: &[UserSummary], me: Option<throughline_shared::UserId>) -> String {
    let mut h = String::from(
        "<div class=\"table-wrap card\"><table class=\"data-table\" data-testid=\"users-table\"><thead><tr>\
         <th scope=\"col\">Person</th><th scope=\"col\">Kind</th><th scope=\"col\">Status</th>\
         <th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>",
    );
    for u in users {
        let toggle = if Some(u.user_id) == me {
            String::new()
        } else {
            format!(
                "<button type=\"button\" class=\"btn btn-secondary btn-small\" data-testid=\"toggle-active\" \
                 data-act=\"toggle\" data-id=\"{}\" data-active=\"{}\" data-username=\"{}\">{}</button>",
                u.user_id,
                u.active,
                esc(&u.username),
                if u.active { "Deactivate" } else { "Reactivate" }
            )
        };
        h.push_str(&format!(
            "<tr data-testid=\"user-row\" data-username=\"{}\" data-active=\"{}\"><th scope=\"row\">\
             <div class=\"project-name\">{}</div><div class=\"muted\">{}</div></th><td>{}</td>\
             <td><span class=\"pill {}\">{}</span></td><td class=\"col-actions\">{toggle}</td></tr>",
            esc(&u.username),
            u.active,
            esc(&u.display_name),
            esc(&u.username),
            if u.admin { "Administrator" } else { "User" },
            if u.active { "pill-ok" } else { "pill-off" },
            if u.active { "Active" } else { "Deactivated" },
        ));
    }
    h.push_str("</tbody></table></div>");
    h
}

fn form_html(error: Option<&ApiError>) -> String {
    format!(
        "<form class=\"card inline-form\" data-testid=\"create-user-form\" data-key=\"user\" novalidate \
         aria-labelledby=\"create-user-title\"><h2 id=\"create-user-title\" class=\"form-title\">Add a user</h2>\
         <div class=\"field-row\">{}{}{}</div>\
         <label class=\"checkbox\"><input type=\"checkbox\" name=\"admin\" data-testid=\"new-admin\"> \
         Organisation administrator (manages users, sees every program)</label>{}\
         <div class=\"form-actions\"><button type=\"submit\" class=\"btn btn-primary\" data-testid=\"create-user-submit\">Add user</button></div></form>",
        input(
            error,
            "User name",
            "text",
            "username",
            "username",
            "new-username",
            " autocomplete=\"off\" autocapitalize=\"none\" spellcheck=\"false\" placeholder=\"e.g. dana.w\""
        ),
        input(
            error,
            "Full name",
            "text",
            "display_name",
            "display_name",
            "new-display-name",
            " placeholder=\"e.g. Dana Whitfield\""
        ),
        input(
            error,
            "Initial password (at least 12 characters; share it privately)",
            "password",
            "password",
            "password",
            "new-password",
            " autocomplete=\"new-password\""
        ),
        form_error(error),
    )
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let auth = use_auth();
    let users = RwSignal::new(None::<Result<Vec<UserSummary>, ApiError>>);
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let reload = move || {
        spawn_local(async move { users.set(Some(api::list_users().await)) });
    };
    reload();
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title("Users · Throughline");
    }
    let content = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let mut h = String::from(
            "<div class=\"page-header\"><div><p class=\"eyebrow\">Administration</p><h1>Users</h1>\
             <p class=\"lede\">Everyone who can sign in. Roles in programs are given on each program's Members page.</p></div></div>",
        );
        if !auth.is_admin() {
            h.push_str("<div class=\"banner banner-error\" role=\"alert\"><p class=\"banner-text\">Administrators only: only organisation administrators can manage users.</p></div>");
        } else {
            if let Some(n) = notice.get() {
                h.push_str(&format!(
                    "<p class=\"banner banner-ok\" role=\"status\" data-testid=\"users-notice\">{}</p>",
                    esc(&n)
                ));
            }
            h.push_str(&form_html(error.get().as_ref()));
            let me = auth.me().map(|m| m.user.user_id);
            h.push_str(&users.with(|u| match u {
                None => "<p class=\"loading\">Loading users…</p>".to_string(),
                Some(Err(e)) => markup::error_html(e),
                Some(Ok(list)) => table_html(list, me),
            }));
        }
        if let Some(el) = content.get() {
            markup::set_preserving_inputs(&el, &h);
        }
    });
    let pending = StoredValue::new(false);
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(f) = Submitted::from(&ev) else {
            return;
        };
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        let request = CreateUserRequest {
            username: f.get("username"),
            display_name: f.get("display_name"),
            password: f.get("password"),
            admin: f.get("admin") == "on",
        };
        spawn_local(async move {
            let result = api::create_user(&request).await;
            pending.set_value(false);
            match result {
                Ok(user) => {
                    f.form.reset();
                    error.set(None);
                    notice.set(Some(format!("Created {}.", user.username)));
                    reload();
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = markup::closest(&ev, "[data-act=\"toggle\"]") else {
            return;
        };
        let Ok(user_id) = attr(&el, "data-id").parse() else {
            return;
        };
        let active = attr(&el, "data-active") == "true";
        let username = attr(&el, "data-username");
        spawn_local(async move {
            match api::set_user_active(user_id, !active, "").await {
                Ok(()) => {
                    notice.set(Some(if active {
                        format!("Deactivated {username}: their sessions and tokens no longer work.")
                    } else {
                        format!("Reactivated {username}.")
                    }));
                    reload();
                }
                Err(e) => notice.set(Some(e.message)),
            }
        });
    };
    view! { <div node_ref=content on:submit=on_submit on:click=on_click></div> }
}
