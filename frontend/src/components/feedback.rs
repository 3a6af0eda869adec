//! Loading, error and field-error presentation shared by the pages and forms.

use leptos::error::Errors;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::api::CommandAccepted;

use crate::api::ApiError;

/// A page-level error with the server's message, and an optional retry.
#[component]
pub fn ErrorBanner(
    #[prop(into)] message: String,
    #[prop(optional, into)] title: Option<String>,
    #[prop(optional)] on_retry: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert" data-testid="error-banner">
            <div class="banner-text">
                <strong>{title.unwrap_or_else(|| "Something went wrong".into())}</strong>
                <span>{sentence(&message)}</span>
            </div>
            {on_retry.map(|retry| view! {
                <button type="button" class="btn btn-secondary" on:click=move |_| retry.run(())>
                    "Try again"
                </button>
            })}
        </div>
    }
}

/// The error of a form submission that is not about one field (field errors sit by their fields).
#[component]
pub fn FormError(error: RwSignal<Option<ApiError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let text = if e.fields.is_empty() {
                sentence(&e.message)
            } else {
                "Some fields need attention: see the messages next to them.".to_string()
            };
            view! {
                <p class="form-error" role="alert" data-testid="form-error">{text}</p>
            }
        })
    }
}

/// The server's message as a sentence: capitalised, with a full stop.
pub fn sentence(message: &str) -> String {
    let message = message.trim();
    let mut chars = message.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

/// The message next to one field, if the last submission reported one for it.
#[component]
pub fn FieldMessage(
    error: RwSignal<Option<ApiError>>,
    #[prop(into)] field: String,
    #[prop(into)] id: String,
) -> impl IntoView {
    let field_for_view = field.clone();
    move || {
        error
            .with(|e| e.as_ref().and_then(|e| e.field(&field_for_view)))
            .map(|message| {
                view! {
                    <p class="field-error" id=id.clone() data-testid="field-error"
                        data-field=field.clone()>
                        {message}
                    </p>
                }
            })
    }
}

/// Whether the last submission reported an error for `field` (for `aria-invalid`).
pub fn invalid(error: RwSignal<Option<ApiError>>, field: &str) -> Option<&'static str> {
    error
        .with(|e| e.as_ref().is_some_and(|e| e.field(field).is_some()))
        .then_some("true")
}

#[component]
pub fn Loading(#[prop(into)] label: String) -> impl IntoView {
    view! {
        <div class="loading" role="status" aria-live="polite" data-testid="loading">
            <span class="spinner" aria-hidden="true"></span>
            <span>{label}</span>
        </div>
    }
}

/// The API errors an `ErrorBoundary` caught: every read here fails with an `ApiError`.
pub fn api_errors(errors: &Errors) -> Vec<ApiError> {
    errors
        .iter()
        .filter_map(|(_, e)| e.downcast_ref::<ApiError>().cloned())
        .collect()
}

/// A failed request: the message, then each field's or row's problem.
#[component]
pub fn ErrorDetails(error: ApiError) -> impl IntoView {
    let problems = (!error.fields.is_empty() || !error.rows.is_empty()).then(|| {
        view! {
            <ul class="field-errors">
                {error.fields.into_iter().map(|f| view! {
                    <li><strong>{f.field.replace('_', " ")}</strong>": "{f.message}</li>
                }).collect_view()}
                {error.rows.into_iter().map(|row| view! { <li>{row}</li> }).collect_view()}
            </ul>
        }
    });
    view! {
        <span>{sentence(&error.message)}</span>
        {problems}
    }
}

/// What an `ErrorBoundary` around a read shows instead of the data.
#[component]
pub fn ReadFailed(errors: ArcRwSignal<Errors>, #[prop(into)] title: String) -> impl IntoView {
    view! {
        <div class="banner banner-error" role="alert" data-testid="error-banner">
            <div class="banner-text">
                <strong>{title}</strong>
                {move || errors.with(api_errors).into_iter().map(|error| view! {
                    <ErrorDetails error/>
                }).collect_view()}
            </div>
        </div>
    }
}

/// Runs a form's command: `pending` while under way, the refusal in `error`; on success tells the
/// page and closes the form (either may be gone by then: a panel can close meanwhile).
pub fn submit(
    pending: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    request: impl Future<Output = Result<CommandAccepted, ApiError>> + 'static,
    on_accepted: Callback<CommandAccepted>,
    on_done: Callback<()>,
) {
    pending.set(true);
    error.set(None);
    spawn_local(async move {
        let result = request.await;
        pending.try_set(false);
        match result {
            Ok(accepted) => {
                on_accepted.try_run(accepted);
                on_done.try_run(());
            }
            Err(e) => {
                error.try_set(Some(e));
            }
        }
    });
}
