//! The as-of control: pick a past position or date and time to see the program as it stood then.

use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use throughline_shared::ProgramId;

use crate::api::AsOf;
use crate::time;

/// Pick a past position or date and time; the page then shows the program as it stood then.
#[component]
pub(super) fn AsOfControl(
    id: ProgramId,
    as_of: Option<AsOf>,
    /// The newest change number the page knows of, offered as a hint.
    latest: Signal<i64>,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let mode = RwSignal::new(match as_of {
        Some(AsOf::Instant(_)) => "time",
        _ => "position",
    });
    let position = RwSignal::new(match &as_of {
        Some(AsOf::Position(p)) => p.to_string(),
        _ => String::new(),
    });
    let instant = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let first = NodeRef::<html::Input>::new();

    Effect::new(move |_| {
        if open.get()
            && let Some(input) = first.get()
        {
            let _ = input.focus();
        }
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let value = if mode.get_untracked() == "position" {
            match position.get_untracked().trim().parse::<i64>() {
                Ok(p) if p >= 1 => Some(p.to_string()),
                _ => None,
            }
        } else {
            time::local_input_to_rfc3339(&instant.get_untracked())
        };
        match value {
            Some(value) => {
                error.set(None);
                open.set(false);
                navigate(
                    &format!(
                        "/programs/{id}?as_of={}",
                        js_sys::encode_uri_component(&value)
                    ),
                    Default::default(),
                );
            }
            None => error.set(Some(if mode.get_untracked() == "position" {
                "Enter a position number of 1 or more.".into()
            } else {
                "Pick a date and time.".into()
            })),
        }
    };

    view! {
        <div class="as-of">
            <button type="button" class="btn btn-secondary" data-testid="as-of-toggle"
                aria-expanded=move || open.get().to_string() aria-controls="as-of-form"
                on:click=move |_| open.update(|o| *o = !*o)>
                "View history…"
            </button>
            <Show when=move || open.get()>
                <form id="as-of-form" class="card as-of-form" data-testid="as-of-form"
                    on:submit=on_submit.clone()
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                        if ev.key() == "Escape" { ev.prevent_default(); open.set(false); }
                    }>
                    <fieldset class="segmented">
                        <legend>"Show the program as it stood at"</legend>
                        <label>
                            <input type="radio" name="as-of-mode" value="position"
                                prop:checked=move || mode.get() == "position"
                                on:change=move |_| mode.set("position")/>
                            "A change number"
                        </label>
                        <label>
                            <input type="radio" name="as-of-mode" value="time"
                                prop:checked=move || mode.get() == "time"
                                on:change=move |_| mode.set("time")/>
                            "A date and time"
                        </label>
                    </fieldset>
                    {move || if mode.get() == "position" {
                        view! {
                            <div class="field">
                                <label for="as-of-position">"Change number (#)"</label>
                                <input type="number" min="1" step="1" id="as-of-position"
                                    data-testid="as-of-position" node_ref=first bind:value=position
                                    aria-describedby="as-of-position-hint"/>
                                <p class="hint" id="as-of-position-hint">
                                    {move || format!(
                                        "The #n shown in the activity list; this page is at #{}.",
                                        latest.get()
                                    )}
                                </p>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <div class="field">
                                <label for="as-of-time">"Date and time (your time zone)"</label>
                                <input type="datetime-local" step="1" id="as-of-time"
                                    data-testid="as-of-time" node_ref=first bind:value=instant/>
                            </div>
                        }.into_any()
                    }}
                    {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" data-testid="as-of-submit">
                            "Show"
                        </button>
                        <button type="button" class="btn btn-secondary"
                            on:click=move |_| open.set(false)>"Cancel"</button>
                    </div>
                </form>
            </Show>
        </div>
    }
}
