//! A program's members and their roles; program managers grant and revoke roles here. Every
//! change is an event in the program's audit trail.
//!
//! Built as markup with delegated handlers (see `markup.rs`), to keep the wasm within budget.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;
use throughline_shared::access::{ProgramAction, ProgramRole, RoleGrant};
use throughline_shared::api::{ProgramMember, RoleChangeRequest, UserSummary};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, UserId};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::markup::{self, Submitted, attr, esc, field_state, form_error};
use crate::pages::not_found::NotFound;

#[component]
pub fn MembersPage() -> impl IntoView {
    let params = use_params_map();
    move || match params
        .read()
        .get("id")
        .and_then(|id| id.parse::<ProgramId>().ok())
    {
        Some(id) => view! { <Members id/> }.into_any(),
        None => view! { <NotFound/> }.into_any(),
    }
}

fn grant_form(
    view: Option<&ProgramView>,
    users: &[UserSummary],
    error: Option<&ApiError>,
) -> String {
    let people: String = users
        .iter()
        .map(|u| {
            format!(
                "<option value=\"{}\">{} ({})</option>",
                u.user_id,
                esc(&u.display_name),
                esc(&u.username)
            )
        })
        .collect();
    let roles: String = ProgramRole::ALL
        .iter()
        .map(|r| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                r.wire_name(),
                if *r == ProgramRole::Viewer {
                    " selected"
                } else {
                    ""
                },
                r.label()
            )
        })
        .collect();
    let projects: String = view.map_or(String::new(), |v| {
        v.projects
            .iter()
            .map(|p| {
                format!(
                    "<option value=\"{}\">{}</option>",
                    p.project_id,
                    esc(&p.name)
                )
            })
            .collect()
    });
    let (user_invalid, user_message) = field_state(error, "user_id", "grant-user-error");
    let (project_invalid, project_message) =
        field_state(error, "project_id", "grant-project-error");
    format!(
        "<form class=\"card inline-form\" data-testid=\"grant-form\" data-key=\"grant\" novalidate aria-labelledby=\"grant-title\">\
         <h2 id=\"grant-title\" class=\"form-title\">Give someone a role</h2><div class=\"field-row\">\
         <label class=\"field\"><span>Person</span><select name=\"user\" data-testid=\"grant-user\"{user_invalid}>\
         <option value=\"\">Choose…</option>{people}</select>{user_message}</label>\
         <label class=\"field\"><span>Role</span><select name=\"role\" data-testid=\"grant-role\">{roles}</select>\
         <span class=\"hint\">Program managers have full control; project managers report on their project; \
         contributors on any; forum members sit on decision forums; viewers read.</span></label>\
         <label class=\"field\"><span>Project <span class=\"optional\">(for a project manager)</span></span>\
         <select name=\"project\" data-testid=\"grant-project\"{project_invalid}><option value=\"\">Choose…</option>{projects}</select>{project_message}</label>\
         <label class=\"field\"><span>Reason <span class=\"optional\">(optional)</span></span>\
         <input type=\"text\" name=\"reason\" data-testid=\"grant-reason\" placeholder=\"e.g. joins the steering committee\"></label>\
         </div>{}<div class=\"form-actions\"><button type=\"submit\" class=\"btn btn-primary\" data-testid=\"grant-submit\">Give role</button></div></form>",
        form_error(error)
    )
}

fn grant_label(view: Option<&ProgramView>, grant: &RoleGrant) -> String {
    match grant.project_id {
        Some(project) => format!(
            "{} of {}",
            grant.role.label(),
            view.and_then(|v| v.project(project))
                .map_or_else(|| project.to_string(), |p| p.name.clone())
        ),
        None => grant.role.label().to_string(),
    }
}

fn table_html(view: Option<&ProgramView>, members: &[ProgramMember], manage: bool) -> String {
    let mut h = String::from(
        "<div class=\"table-wrap card\"><table class=\"data-table\" data-testid=\"members-table\">\
         <thead><tr><th scope=\"col\">Member</th><th scope=\"col\">Roles</th></tr></thead><tbody>",
    );
    for m in members {
        let u = &m.user;
        let mut grants = String::new();
        for g in &m.grants {
            let label = grant_label(view, g);
            let remove = if manage {
                format!(
                    "<button type=\"button\" class=\"grant-remove\" data-testid=\"revoke-role\" data-act=\"revoke\" \
                     data-user=\"{}\" data-role=\"{}\" data-project=\"{}\" data-label=\"{}\" data-username=\"{}\" \
                     aria-label=\"Remove {} from {}\" title=\"Remove {} from {}\">×</button>",
                    u.user_id,
                    g.role.wire_name(),
                    g.project_id.map(|p| p.to_string()).unwrap_or_default(),
                    esc(&label),
                    esc(&u.username),
                    esc(&label),
                    esc(&u.username),
                    esc(&label),
                    esc(&u.username)
                )
            } else {
                String::new()
            };
            grants.push_str(&format!(
                "<li class=\"grant\" data-testid=\"grant\" data-role=\"{}\"><span class=\"role role-{}\">{}</span>{remove}</li>",
                g.role.wire_name(),
                g.role.wire_name(),
                esc(&label)
            ));
        }
        h.push_str(&format!(
            "<tr data-testid=\"member-row\" data-username=\"{}\"><th scope=\"row\"><div class=\"project-name\">{}</div>\
             <div class=\"muted\">{}{}</div></th><td><ul class=\"grant-list\">{grants}</ul></td></tr>",
            esc(&u.username),
            esc(&u.display_name),
            esc(&u.username),
            if u.active { "" } else { " · deactivated" }
        ));
    }
    h.push_str("</tbody></table></div>");
    h
}

#[component]
fn Members(id: ProgramId) -> impl IntoView {
    let auth = use_auth();
    let program = RwSignal::new(None::<Result<ProgramView, ApiError>>);
    let members = RwSignal::new(None::<Result<Vec<ProgramMember>, ApiError>>);
    let users = RwSignal::new(Vec::<UserSummary>::new());
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let can_manage = Memo::new(move |_| auth.can(id, ProgramAction::ManageMembers));
    let reload = move || {
        spawn_local(async move { members.set(Some(api::list_members(id).await)) });
    };
    spawn_local(async move {
        let view = api::get_program(id, None).await;
        if let Ok(v) = &view
            && let Some(document) = web_sys::window().and_then(|w| w.document())
        {
            document.set_title(&format!("Members of {} · Throughline", v.name));
        }
        program.set(Some(view));
    });
    reload();
    Effect::new(move |_| {
        if can_manage.get() {
            spawn_local(async move {
                if let Ok(list) = api::list_users().await {
                    users.set(list.into_iter().filter(|u| u.active).collect());
                }
            });
        }
    });
    let changed = move |message: String| {
        error.set(None);
        notice.set(Some(message));
        reload();
        // Your own rights may have changed.
        auth.refresh();
    };

    let content = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let manage = can_manage.get();
        let h = program.with(|p| {
            let view = p.as_ref().and_then(|p| p.as_ref().ok());
            let name = view.map_or(String::new(), |v| esc(&v.name));
            let mut h = format!(
                "<nav class=\"breadcrumb\" aria-label=\"Breadcrumb\"><a href=\"/\">Programs</a><span aria-hidden=\"true\"> / </span>\
                 <a href=\"/programs/{id}\">{name}</a><span aria-hidden=\"true\"> / </span><span aria-current=\"page\">Members</span></nav>\
                 <div class=\"page-header\"><div><h1>Members</h1><p class=\"lede\">{}</p></div></div>",
                if manage {
                    "Who may see and change this program. Every grant and removal is recorded in the program's activity."
                } else {
                    "Who may see and change this program. Only program managers change membership."
                }
            );
            if let Some(n) = notice.get() {
                h.push_str(&format!(
                    "<p class=\"banner banner-ok\" role=\"status\" data-testid=\"members-notice\">{}</p>",
                    esc(&n)
                ));
            }
            if manage {
                h.push_str(&users.with(|u| grant_form(view, u, error.get().as_ref())));
            }
            h.push_str(&members.with(|m| match m {
                None => "<p class=\"loading\">Loading members…</p>".to_string(),
                Some(Err(e)) if e.is_not_found() => {
                    "<div class=\"not-found\" data-testid=\"not-found\"><h1>Not found</h1><p>This program does not exist, or you may not see it.</p></div>".to_string()
                }
                Some(Err(e)) => markup::error_html(e),
                Some(Ok(list)) => table_html(view, list, manage),
            }));
            h
        });
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
        let Ok(user_id) = f.get("user").parse::<UserId>() else {
            error.set(Some(ApiError::field_error("user_id", "choose a person")));
            return;
        };
        let role = ProgramRole::from_wire_name(&f.get("role")).unwrap_or(ProgramRole::Viewer);
        let request = RoleChangeRequest {
            user_id,
            role,
            project_id: (role == ProgramRole::ProjectManager)
                .then(|| f.get("project").parse().ok())
                .flatten(),
            reason: Some(f.get("reason")).filter(|r| !r.is_empty()),
        };
        let who = users.with_untracked(|list| {
            list.iter()
                .find(|u| u.user_id == user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        });
        pending.set_value(true);
        spawn_local(async move {
            let result = api::change_role(id, &request, true).await;
            pending.set_value(false);
            match result {
                Ok(_) => {
                    f.form.reset();
                    changed(format!("{who} is now {}.", role.label()));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = markup::closest(&ev, "[data-act=\"revoke\"]") else {
            return;
        };
        let (Ok(user_id), Some(role)) = (
            attr(&el, "data-user").parse::<UserId>(),
            ProgramRole::from_wire_name(&attr(&el, "data-role")),
        ) else {
            return;
        };
        let request = RoleChangeRequest {
            user_id,
            role,
            project_id: attr(&el, "data-project").parse().ok(),
            reason: None,
        };
        let message = format!(
            "{} is no longer {}.",
            attr(&el, "data-username"),
            attr(&el, "data-label")
        );
        spawn_local(async move {
            match api::change_role(id, &request, false).await {
                Ok(_) => changed(message),
                Err(e) => notice.set(Some(e.message)),
            }
        });
    };
    view! { <div node_ref=content on:submit=on_submit on:click=on_click></div> }
}
