//! Your account: API tokens (created, shown once, revoked) and your password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::access::TokenScope;
use throughline_shared::api::{ChangePasswordRequest, CreateTokenRequest, CreatedToken, TokenInfo};
use throughline_shared::view::ProgramSummary;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::{ErrorBanner, FieldMessage, FormError, Loading, invalid};
use crate::time;

#[component]
pub fn AccountPage() -> impl IntoView {
    let auth = use_auth();
    let tokens = RwSignal::new(None::<Result<Vec<TokenInfo>, ApiError>>);
    let programs = RwSignal::new(Vec::<ProgramSummary>::new());
    let created = RwSignal::new(None::<CreatedToken>);
    let reload = move || spawn_local(async move { tokens.set(Some(api::list_tokens().await)) });
    reload();
    spawn_local(async move {
        if let Ok(list) = api::list_programs().await {
            programs.set(list);
        }
    });
    if let Some(document) = web_sys::window().and_then(|w| w.document()) {
        document.set_title("Account · Throughline");
    }
    let program_name = move |id: ProgramId| {
        programs.with(|list| {
            list.iter()
                .find(|p| p.program_id == id)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| id.to_string())
        })
    };

    let table = move || {
        tokens.get().map(|result| match result {
            Err(e) => view! { <ErrorBanner title="Could not load your tokens" message=e.message/> }.into_any(),
            Ok(list) if list.is_empty() => view! {
                <p class="muted" data-testid="no-tokens">"You have no API tokens."</p>
            }.into_any(),
            Ok(list) => {
                let rows = list.into_iter().map(|t| {
                    let token_id = t.token_id;
                    let revoked = t.revoked_at.is_some();
                    let scope = match t.scope {
                        TokenScope::ReadOnly => "Read-only",
                        TokenScope::ReadWrite => "Read-write",
                    };
                    let limit = t.program_id.map(program_name).unwrap_or_else(|| "All your programs".into());
                    let last_used = t.last_used_at.map(|at| time::date_time(&at)).unwrap_or_else(|| "Never".into());
                    view! {
                        <tr data-testid="token-row" data-token-name=t.name.clone() data-revoked=revoked.to_string()>
                            <th scope="row">{t.name.clone()}</th>
                            <td>{scope}</td>
                            <td>{limit}</td>
                            <td>{time::date_time(&t.created_at)}</td>
                            <td>{last_used}</td>
                            <td class="col-actions">
                                {if revoked {
                                    view! { <span class="pill pill-off">"Revoked"</span> }.into_any()
                                } else {
                                    view! {
                                        <button type="button" class="btn btn-secondary btn-small" data-testid="revoke-token"
                                            on:click=move |_| spawn_local(async move {
                                                if api::revoke_token(token_id).await.is_ok() {
                                                    created.set(None);
                                                }
                                                reload();
                                            })>
                                            "Revoke"
                                        </button>
                                    }.into_any()
                                }}
                            </td>
                        </tr>
                    }
                }).collect_view();
                view! {
                    <div class="table-wrap card">
                        <table class="data-table" data-testid="tokens-table">
                            <thead><tr>
                                <th scope="col">"Name"</th>
                                <th scope="col">"Access"</th>
                                <th scope="col">"Programs"</th>
                                <th scope="col">"Created"</th>
                                <th scope="col">"Last used"</th>
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
                <p class="eyebrow">"Your account"</p>
                <h1>{move || auth.me().map(|m| m.user.display_name)}</h1>
                <p class="lede">{move || auth.me().map(|m| format!(
                    "Signed in as {}{}.", m.user.username, if m.user.admin { ", organisation administrator" } else { "" }))}</p>
            </div>
        </div>
        <section class="page-section" aria-labelledby="tokens-title">
            <div class="section-header"><h2 id="tokens-title">"API tokens"</h2></div>
            <p class="panel-note">
                "For scripts and integrations: send a token as " <code>"Authorization: Bearer …"</code>
                ". A token can do at most what you can, narrowed to read-only or to one program."
            </p>
            {move || created.get().map(|c| view! {
                <div class="banner banner-secret" role="status" data-testid="new-token">
                    <div class="banner-text">
                        <strong>{format!("Token “{}” created. Copy it now: it will not be shown again.", c.token.name)}</strong>
                        <code class="secret" data-testid="new-token-secret">{c.secret.clone()}</code>
                    </div>
                    <button type="button" class="btn btn-secondary" on:click=move |_| created.set(None)>"Done"</button>
                </div>
            })}
            <CreateTokenForm programs on_created=Callback::new(move |c: CreatedToken| {
                created.set(Some(c));
                reload();
            })/>
            {move || if tokens.with(Option::is_none) {
                view! { <Loading label="Loading tokens…"/> }.into_any()
            } else {
                table().into_any()
            }}
        </section>
        <ChangePasswordForm/>
    }
}

#[component]
fn CreateTokenForm(
    programs: RwSignal<Vec<ProgramSummary>>,
    on_created: Callback<CreatedToken>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let read_only = RwSignal::new(true);
    let program = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = CreateTokenRequest {
            name: name.get_untracked(),
            scope: if read_only.get_untracked() {
                TokenScope::ReadOnly
            } else {
                TokenScope::ReadWrite
            },
            program_id: program.get_untracked().parse().ok(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::create_token(&request).await;
            pending.set(false);
            match result {
                Ok(created) => {
                    name.set(String::new());
                    on_created.run(created);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <form class="card inline-form" data-testid="create-token-form" on:submit=on_submit
            novalidate=true aria-labelledby="create-token-title">
            <h3 id="create-token-title" class="form-title">"New token"</h3>
            <div class="field-row">
                <div class="field">
                    <label for="token-name">"Name"</label>
                    <input type="text" id="token-name" data-testid="token-name" bind:value=name
                        placeholder="e.g. Weekly report script"
                        aria-invalid=move || invalid(error, "name") aria-describedby="token-name-error"/>
                    <FieldMessage error field="name" id="token-name-error"/>
                </div>
                <div class="field">
                    <label for="token-access">"Access"</label>
                    <select id="token-access" data-testid="token-access"
                        on:change=move |ev| read_only.set(event_target_value(&ev) == "read_only")>
                        <option value="read_only" selected=true>"Read-only"</option>
                        <option value="read_write">"Read-write"</option>
                    </select>
                </div>
                <div class="field">
                    <label for="token-program">"Programs"</label>
                    <select id="token-program" data-testid="token-program"
                        on:change=move |ev| program.set(event_target_value(&ev))>
                        <option value="" selected=true>"All your programs"</option>
                        {move || programs.get().into_iter().map(|p| view! {
                            <option value=p.program_id.to_string()>{p.name}</option>
                        }).collect_view()}
                    </select>
                </div>
            </div>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="create-token-submit"
                    disabled=move || pending.get()>
                    {move || if pending.get() { "Creating…" } else { "Create token" }}
                </button>
            </div>
        </form>
    }
}

#[component]
fn ChangePasswordForm() -> impl IntoView {
    let auth = use_auth();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let revoke_tokens = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = ChangePasswordRequest {
            current_password: current.get_untracked(),
            new_password: new.get_untracked(),
            revoke_tokens: revoke_tokens.get_untracked(),
        };
        pending.set(true);
        error.set(None);
        spawn_local(async move {
            let result = api::change_password(&request).await;
            pending.set(false);
            match result {
                // Every session ends with a new password, this one included.
                Ok(()) => {
                    auth.signed_out(Some("Password changed. Sign in with the new one.".into()))
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <section class="page-section" aria-labelledby="password-title">
            <div class="section-header"><h2 id="password-title">"Password"</h2></div>
            <form class="card inline-form" data-testid="password-form" on:submit=on_submit novalidate=true>
                <div class="field-row">
                    <div class="field">
                        <label for="current-password">"Current password"</label>
                        <input type="password" id="current-password" autocomplete="current-password" bind:value=current
                            aria-invalid=move || invalid(error, "current_password") aria-describedby="current-password-error"/>
                        <FieldMessage error field="current_password" id="current-password-error"/>
                    </div>
                    <div class="field">
                        <label for="new-password-own">"New password"</label>
                        <input type="password" id="new-password-own" autocomplete="new-password" bind:value=new
                            aria-invalid=move || invalid(error, "new_password") aria-describedby="new-password-own-error"/>
                        <FieldMessage error field="new_password" id="new-password-own-error"/>
                    </div>
                </div>
                <label class="checkbox">
                    <input type="checkbox" data-testid="revoke-tokens" bind:checked=revoke_tokens/>
                    " Also revoke all my API tokens"
                </label>
                <FormError error/>
                <div class="form-actions">
                    <button type="submit" class="btn btn-secondary" disabled=move || pending.get()>
                        "Change password"
                    </button>
                </div>
            </form>
        </section>
    }
}
