//! A program's members and their roles; program managers grant and revoke roles here. Every
//! change is an event in the program's audit trail.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::access::{ProgramAction, ProgramRole, RoleGrant};
use throughline_shared::api::{ProgramMember, RoleChangeRequest, UserSummary};
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, ProjectId, UserId};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{FieldMessage, FormError, invalid};
use crate::pages::not_found::{ProgramReadFailed, program_page};

#[component]
pub fn MembersPage() -> impl IntoView {
    program_page(|id| view! { <Members id/> })
}

type ProgramRead = LocalResource<Result<ProgramView, ApiError>>;
type MembersRead = LocalResource<Result<Vec<ProgramMember>, ApiError>>;

/// The program's name for a project id (the id itself if the view does not know it).
fn project_name(program: ProgramRead, project: ProjectId) -> String {
    program.with(|p| {
        p.as_ref()
            .and_then(|p| p.as_ref().ok())
            .and_then(|v| v.project(project))
            .map_or_else(|| project.to_string(), |p| p.name.clone())
    })
}

/// "Viewer", or "Project manager of Card Gateway".
fn grant_label(program: ProgramRead, grant: RoleGrant) -> String {
    match grant.project_id {
        Some(project) => format!(
            "{} of {}",
            grant.role.label(),
            project_name(program, project)
        ),
        None => grant.role.label().to_string(),
    }
}

#[component]
fn Members(id: ProgramId) -> impl IntoView {
    let auth = use_auth();
    let program: ProgramRead = LocalResource::new(move || async move {
        let view = api::get_program(id, None).await;
        if let Ok(v) = &view
            && let Some(document) = web_sys::window().and_then(|w| w.document())
        {
            document.set_title(&format!("Members of {} · Throughline", v.name));
        }
        view
    });
    let members: MembersRead = LocalResource::new(move || api::list_members(id));
    let can_manage = Memo::new(move |_| auth.can(id, ProgramAction::ManageMembers));
    let notice = RwSignal::new(None::<String>);
    let changed = Callback::new(move |message: String| {
        notice.set(Some(message));
        members.refetch();
        // Your own rights may have changed.
        auth.refresh();
    });
    let name = move || {
        program.with(|p| {
            p.as_ref()
                .and_then(|p| p.as_ref().ok())
                .map(|v| v.name.clone())
                .unwrap_or_default()
        })
    };

    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}") rel="external">{name}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"Members"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1>"Members"</h1>
                <p class="lede">
                    {move || if can_manage.get() {
                        "Who may see and change this program. Every grant and removal is recorded in the program's activity."
                    } else {
                        "Who may see and change this program. Only program managers change membership."
                    }}
                </p>
            </div>
        </div>
        {move || notice.get().map(|n| view! {
            <p class="banner banner-ok" role="status" data-testid="members-notice">{n}</p>
        })}
        <Show when=move || can_manage.get()>
            <GrantForm id program on_granted=changed/>
        </Show>
        <Transition fallback=|| view! { <p class="loading" role="status">"Loading members…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ProgramReadFailed errors title="Could not load the members"/> }>
                // Nothing to show when the read worked; a failure goes to the boundary.
                {move || members.with(|m| m.as_ref().map(|m| m.as_ref().map(|_| ()).map_err(Clone::clone)))}
                <MembersTable id program members can_manage notice changed/>
            </ErrorBoundary>
        </Transition>
    }
}

/// One row per member, keyed by user: a grant or a removal re-renders only that member's row.
#[component]
fn MembersTable(
    id: ProgramId,
    program: ProgramRead,
    members: MembersRead,
    can_manage: Memo<bool>,
    notice: RwSignal<Option<String>>,
    changed: Callback<String>,
) -> impl IntoView {
    let ids = move || {
        members.with(|m| match m {
            Some(Ok(list)) => list.iter().map(|m| m.user.user_id).collect(),
            _ => Vec::new(),
        })
    };
    view! {
        <div class="table-wrap card">
            <table class="data-table" data-testid="members-table">
                <thead>
                    <tr>
                        <th scope="col">"Member"</th>
                        <th scope="col">"Roles"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=ids key=|user: &UserId| *user let:user>
                        <MemberRow id program members user can_manage notice changed/>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn MemberRow(
    id: ProgramId,
    program: ProgramRead,
    members: MembersRead,
    user: UserId,
    can_manage: Memo<bool>,
    notice: RwSignal<Option<String>>,
    changed: Callback<String>,
) -> impl IntoView {
    let member = Memo::new(move |_| {
        members.with(|m| match m {
            Some(Ok(list)) => list.iter().find(|m| m.user.user_id == user).cloned(),
            _ => None,
        })
    });
    let summary = move |f: fn(&UserSummary) -> String| {
        move || member.with(|m| m.as_ref().map(|m| f(&m.user)).unwrap_or_default())
    };
    let grants = move || member.with(|m| m.as_ref().map_or_else(Vec::new, |m| m.grants.clone()));
    let revoke = move |grant: RoleGrant| {
        let username = member.with_untracked(|m| {
            m.as_ref()
                .map(|m| m.user.username.clone())
                .unwrap_or_default()
        });
        let message = format!("{username} is no longer {}.", grant_label(program, grant));
        let request = RoleChangeRequest {
            user_id: user,
            role: grant.role,
            project_id: grant.project_id,
            reason: None,
        };
        spawn_local(async move {
            match api::change_role(id, &request, false).await {
                Ok(_) => changed.run(message),
                Err(e) => notice.set(Some(e.message)),
            }
        });
    };
    view! {
        <tr data-testid="member-row" data-username=summary(|u| u.username.clone())>
            <th scope="row">
                <div class="project-name">{summary(|u| u.display_name.clone())}</div>
                <div class="muted">
                    {summary(|u| u.username.clone())}
                    {summary(|u| if u.active { String::new() } else { " · deactivated".into() })}
                </div>
            </th>
            <td>
                <ul class="grant-list">
                    <For each=grants key=|g| *g let:grant>
                        <li class="grant" data-testid="grant" data-role=grant.role.wire_name()>
                            <span class=format!("role role-{}", grant.role.wire_name())>
                                {move || grant_label(program, grant)}
                            </span>
                            <Show when=move || can_manage.get()>
                                <RevokeButton program grant
                                    username=Signal::derive(summary(|u| u.username.clone()))
                                    on_revoke=Callback::new(move |()| revoke(grant))/>
                            </Show>
                        </li>
                    </For>
                </ul>
            </td>
        </tr>
    }
}

#[component]
fn RevokeButton(
    program: ProgramRead,
    grant: RoleGrant,
    username: Signal<String>,
    on_revoke: Callback<()>,
) -> impl IntoView {
    let what = move || {
        format!(
            "Remove {} from {}",
            grant_label(program, grant),
            username.get()
        )
    };
    view! {
        <button type="button" class="grant-remove" data-testid="revoke-role"
            aria-label=what title=what on:click=move |_| on_revoke.run(())>
            "×"
        </button>
    }
}

/// Give a person a role; a project manager's role names their project.
#[component]
fn GrantForm(id: ProgramId, program: ProgramRead, on_granted: Callback<String>) -> impl IntoView {
    // Active accounts only: a deactivated person cannot use a role.
    let people = LocalResource::new(|| async {
        api::list_users()
            .await
            .map(|list| list.into_iter().filter(|u| u.active).collect::<Vec<_>>())
            .unwrap_or_default()
    });
    let person = RwSignal::new(None::<UserId>);
    let role = RwSignal::new(ProgramRole::Viewer);
    let project = RwSignal::new(None::<ProjectId>);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let person_choices = move || {
        people.with(|p| {
            p.iter()
                .flatten()
                .map(|u| (u.user_id, format!("{} ({})", u.display_name, u.username)))
                .collect::<Vec<_>>()
        })
    };
    let project_choices = move || {
        program.with(|p| match p {
            Some(Ok(v)) => v
                .projects
                .iter()
                .map(|p| (p.project_id, p.name.clone()))
                .collect(),
            _ => Vec::new(),
        })
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(user_id) = person.get_untracked() else {
            error.set(Some(ApiError::field_error("user_id", "choose a person")));
            return;
        };
        let role = role.get_untracked();
        let request = RoleChangeRequest {
            user_id,
            role,
            project_id: project
                .get_untracked()
                .filter(|_| role == ProgramRole::ProjectManager),
            reason: Some(reason.with_untracked(|r| r.trim().to_string())).filter(|r| !r.is_empty()),
        };
        let who = people.with_untracked(|p| {
            p.iter()
                .flatten()
                .find(|u| u.user_id == user_id)
                .map(|u| u.display_name.clone())
                .unwrap_or_default()
        });
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::change_role(id, &request, true).await;
            pending.try_set(false);
            match result {
                Ok(_) => {
                    person.set(None);
                    project.set(None);
                    reason.set(String::new());
                    on_granted.run(format!("{who} is now {}.", role.label()));
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };

    view! {
        <form class="card inline-form" data-testid="grant-form" on:submit=on_submit
            novalidate=true aria-labelledby="grant-title">
            <h2 id="grant-title" class="form-title">"Give someone a role"</h2>
            <div class="field-row">
                <div class="field">
                    <label for="grant-user">"Person"</label>
                    <select id="grant-user" data-testid="grant-user"
                        aria-invalid=move || invalid(error, "user_id")
                        aria-describedby="grant-user-error"
                        on:change=move |ev| person.set(event_target_value(&ev).parse().ok())>
                        <option value="" prop:selected=move || person.with(Option::is_none)>
                            "Choose…"
                        </option>
                        <For each=person_choices key=|p| p.clone() let:choice>
                            <option value=choice.0.to_string()
                                prop:selected=move || person.get() == Some(choice.0)>
                                {choice.1}
                            </option>
                        </For>
                    </select>
                    <FieldMessage error field="user_id" id="grant-user-error"/>
                </div>
                <div class="field">
                    <label for="grant-role">"Role"</label>
                    <select id="grant-role" data-testid="grant-role" aria-describedby="grant-role-hint"
                        on:change=move |ev| {
                            if let Some(r) = ProgramRole::from_wire_name(&event_target_value(&ev)) {
                                role.set(r);
                            }
                        }>
                        {ProgramRole::ALL.into_iter().map(|r| view! {
                            <option value=r.wire_name() prop:selected=move || role.get() == r>
                                {r.label()}
                            </option>
                        }).collect_view()}
                    </select>
                    <span class="hint" id="grant-role-hint">
                        "Program managers have full control; project managers report on their project; \
                         contributors on any; forum members sit on decision forums; viewers read."
                    </span>
                </div>
                <div class="field">
                    <label for="grant-project">
                        "Project "<span class="optional">"(for a project manager)"</span>
                    </label>
                    <select id="grant-project" data-testid="grant-project"
                        aria-invalid=move || invalid(error, "project_id")
                        aria-describedby="grant-project-error"
                        on:change=move |ev| project.set(event_target_value(&ev).parse().ok())>
                        <option value="" prop:selected=move || project.with(Option::is_none)>
                            "Choose…"
                        </option>
                        <For each=project_choices key=|p| p.clone() let:choice>
                            <option value=choice.0.to_string()
                                prop:selected=move || project.get() == Some(choice.0)>
                                {choice.1}
                            </option>
                        </For>
                    </select>
                    <FieldMessage error field="project_id" id="grant-project-error"/>
                </div>
                <div class="field">
                    <label for="grant-reason">"Reason "<span class="optional">"(optional)"</span></label>
                    <input type="text" id="grant-reason" data-testid="grant-reason"
                        placeholder="e.g. joins the steering committee" bind:value=reason/>
                </div>
            </div>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="grant-submit"
                    disabled=move || pending.get()>
                    "Give role"
                </button>
            </div>
        </form>
    }
}
