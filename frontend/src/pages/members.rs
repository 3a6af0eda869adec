//! A program's members and their roles; program managers grant and revoke roles here. Every
//! change is an event in the program's audit trail.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use throughline_shared::access::{ProgramAction, ProgramRole, RoleGrant};
use throughline_shared::api::{ProgramMember, RoleChangeRequest, UserSummary};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, UserId};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{
    ErrorBanner, FieldMessage, FormError, Loading, invalid, sentence,
};
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

fn role_description(role: ProgramRole) -> &'static str {
    match role {
        ProgramRole::ProgramManager => "full control: details, projects and members",
        ProgramRole::ProjectManager => "reports status of their project",
        ProgramRole::Contributor => "reports status of any project",
        ProgramRole::ForumMember => "sits on the program's decision forums",
        ProgramRole::Viewer => "reads everything, changes nothing",
    }
}

#[component]
fn Members(id: ProgramId) -> impl IntoView {
    let auth = use_auth();
    let program = RwSignal::new(None::<Result<ProgramView, ApiError>>);
    let members = RwSignal::new(None::<Result<Vec<ProgramMember>, ApiError>>);
    let users = RwSignal::new(Vec::<UserSummary>::new());
    let notice = RwSignal::new(None::<String>);
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
    let project_name = move |grant: &RoleGrant| -> Option<String> {
        let project = grant.project_id?;
        program.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .and_then(|v| v.project(project).map(|p| p.name.clone()))
                .or_else(|| Some(project.to_string()))
        })
    };
    let changed = Callback::new(move |message: String| {
        notice.set(Some(message));
        reload();
        // Your own rights may have changed.
        auth.refresh();
    });

    let table = move || {
        members.get().map(|result| match result {
            Err(e) if e.is_not_found() => view! { <NotFound/> }.into_any(),
            Err(e) => view! { <ErrorBanner title="Could not load the members" message=e.message/> }.into_any(),
            Ok(list) => {
                let rows = list.into_iter().map(|m| {
                    let user = m.user.clone();
                    let grants = m.grants.into_iter().map(|grant| {
                        let label = match project_name(&grant) {
                            Some(project) => format!("{} of {project}", grant.role.label()),
                            None => grant.role.label().to_string(),
                        };
                        let user_id = user.user_id;
                        let username = user.username.clone();
                        view! {
                            <li class="grant" data-testid="grant" data-role=grant.role.wire_name()>
                                <span class=format!("role role-{}", grant.role.wire_name())>{label.clone()}</span>
                                <Show when=move || can_manage.get()>
                                    <RevokeButton id user_id grant label=label.clone() username=username.clone() on_done=changed/>
                                </Show>
                            </li>
                        }
                    }).collect_view();
                    view! {
                        <tr data-testid="member-row" data-username=user.username.clone()>
                            <th scope="row">
                                <div class="project-name">{user.display_name.clone()}</div>
                                <div class="muted">{user.username.clone()}{(!user.active).then_some(" · deactivated")}</div>
                            </th>
                            <td><ul class="grant-list">{grants}</ul></td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap card">
                        <table class="data-table" data-testid="members-table">
                            <thead><tr><th scope="col">"Member"</th><th scope="col">"Roles"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                }.into_any()
            }
        })
    };

    let name = move || {
        program.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .map(|v| v.name.clone())
        })
    };
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <A href="/">"Programs"</A>
            <span aria-hidden="true">" / "</span>
            <A href=format!("/programs/{id}")>{name}</A>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Members"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Members"</h1>
                <p class="lede">{move || if can_manage.get() {
                    "Who may see and change this program. Every grant and removal is recorded in the program's activity."
                } else {
                    "Who may see and change this program. Only program managers change membership."
                }}</p>
            </div>
        </div>
        <p class="visually-hidden" role="status" aria-live="polite">{move || notice.get()}</p>
        {move || notice.get().map(|n| view! { <p class="banner banner-ok" data-testid="members-notice">{n}</p> })}
        <Show when=move || can_manage.get()>
            <GrantForm id program users on_done=changed/>
        </Show>
        {move || if members.with(Option::is_none) {
            view! { <Loading label="Loading members…"/> }.into_any()
        } else {
            table().into_any()
        }}
    }
}

#[component]
fn RevokeButton(
    id: ProgramId,
    user_id: UserId,
    grant: RoleGrant,
    label: String,
    username: String,
    on_done: Callback<String>,
) -> impl IntoView {
    let error = RwSignal::new(None::<ApiError>);
    let aria = format!("Remove {label} from {username}");
    let click = move |_| {
        let (label, username) = (label.clone(), username.clone());
        spawn_local(async move {
            let request = RoleChangeRequest {
                user_id,
                role: grant.role,
                project_id: grant.project_id,
                reason: None,
            };
            match api::change_role(id, &request, false).await {
                Ok(_) => on_done.run(format!("{username} is no longer {label}.")),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <button type="button" class="grant-remove" data-testid="revoke-role" aria-label=aria.clone()
            title=aria on:click=click>"×"</button>
        {move || error.get().map(|e| view! { <span class="field-error" role="alert">{e.message}</span> })}
    }
}

#[component]
fn GrantForm(
    id: ProgramId,
    program: RwSignal<Option<Result<ProgramView, ApiError>>>,
    users: RwSignal<Vec<UserSummary>>,
    on_done: Callback<String>,
) -> impl IntoView {
    let user = RwSignal::new(String::new());
    let role = RwSignal::new(ProgramRole::Viewer);
    let project = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let projects = move || {
        program.with(|p| match p {
            Some(Ok(v)) => v
                .projects
                .iter()
                .map(|p| (p.project_id, p.name.clone()))
                .collect::<Vec<_>>(),
            _ => Vec::new(),
        })
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Ok(user_id) = user.get_untracked().parse::<UserId>() else {
            error.set(Some(ApiError::field_error("user_id", "choose a person")));
            return;
        };
        let role = role.get_untracked();
        let request = RoleChangeRequest {
            user_id,
            role,
            project_id: (role == ProgramRole::ProjectManager)
                .then(|| project.get_untracked().parse().ok())
                .flatten(),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        let who = users.with_untracked(|list| {
            list.iter()
                .find(|u| u.user_id == user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        });
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::change_role(id, &request, true).await;
            pending.set(false);
            match result {
                Ok(_) => {
                    reason.set(String::new());
                    on_done.run(format!("{who} is now {}.", role.label()));
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card inline-form" data-testid="grant-form" on:submit=on_submit novalidate=true
            aria-labelledby="grant-title">
            <h2 id="grant-title" class="form-title">"Give someone a role"</h2>
            <div class="field-row">
                <div class="field">
                    <label for="grant-user">"Person"</label>
                    <select id="grant-user" data-testid="grant-user"
                        aria-invalid=move || invalid(error, "user_id") aria-describedby="grant-user-error"
                        on:change=move |ev| user.set(event_target_value(&ev))>
                        <option value="" selected=true>"Choose…"</option>
                        {move || users.get().into_iter().map(|u| view! {
                            <option value=u.user_id.to_string()>{format!("{} ({})", u.display_name, u.username)}</option>
                        }).collect_view()}
                    </select>
                    <FieldMessage error field="user_id" id="grant-user-error"/>
                </div>
                <div class="field">
                    <label for="grant-role">"Role"</label>
                    <select id="grant-role" data-testid="grant-role" aria-describedby="grant-role-hint"
                        on:change=move |ev| if let Some(r) = ProgramRole::from_wire_name(&event_target_value(&ev)) { role.set(r) }>
                        {ProgramRole::ALL.into_iter().map(|r| view! {
                            <option value=r.wire_name() selected=r == ProgramRole::Viewer>{r.label()}</option>
                        }).collect_view()}
                    </select>
                    <p class="hint" id="grant-role-hint">{move || sentence(role_description(role.get()))}</p>
                </div>
                <Show when=move || role.get() == ProgramRole::ProjectManager>
                    <div class="field">
                        <label for="grant-project">"Project"</label>
                        <select id="grant-project" data-testid="grant-project"
                            aria-invalid=move || invalid(error, "project_id") aria-describedby="grant-project-error"
                            on:change=move |ev| project.set(event_target_value(&ev))>
                            <option value="" selected=true>"Choose…"</option>
                            {move || projects().into_iter().map(|(pid, name)| view! {
                                <option value=pid.to_string()>{name}</option>
                            }).collect_view()}
                        </select>
                        <FieldMessage error field="project_id" id="grant-project-error"/>
                    </div>
                </Show>
                <div class="field">
                    <label for="grant-reason">"Reason " <span class="optional">"(optional)"</span></label>
                    <input type="text" id="grant-reason" data-testid="grant-reason" bind:value=reason
                        placeholder="e.g. joins the steering committee"/>
                </div>
            </div>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="grant-submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Saving…" } else { "Give role" }}
                </button>
            </div>
        </form>
    }
}
