//! A dependency's terms from now on: its type, lag and need-by date, against the dependency's own
//! version (an edit of another dependency meanwhile is no conflict). New terms of an agreed
//! dependency are for its provider to agree to again.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use throughline_shared::ProgramId;
use throughline_shared::api::{CommandAccepted, ReviseDependencyRequest};
use throughline_shared::dependency::LAG_DAYS_MAX;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::DependencyView;

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid, submit};
use crate::dates;

const TYPES: [(DependencyType, &str); 4] = [
    (DependencyType::FinishToStart, "FS: finish to start"),
    (DependencyType::StartToStart, "SS: start to start"),
    (DependencyType::FinishToFinish, "FF: finish to finish"),
    (DependencyType::StartToFinish, "SF: start to finish"),
];

#[component]
pub fn TermsForm(
    program_id: ProgramId,
    dependency: DependencyView,
    on_accepted: Callback<CommandAccepted>,
    on_done: Callback<()>,
) -> impl IntoView {
    let id = dependency.dependency_id;
    let kind = RwSignal::new(dependency.kind);
    let lag = RwSignal::new(dependency.lag_days.to_string());
    let need_by = RwSignal::new(
        dependency
            .need_by
            .map(|d| d.to_string())
            .unwrap_or_default(),
    );
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let Some(lag_days) = lag
            .with_untracked(|l| l.trim().parse::<i32>().ok())
            .filter(|l| (-LAG_DAYS_MAX..=LAG_DAYS_MAX).contains(l))
        else {
            error.set(Some(ApiError::field_error(
                "lag_days",
                &format!("a whole number of days between -{LAG_DAYS_MAX} and {LAG_DAYS_MAX}"),
            )));
            return;
        };
        let need_by_text = need_by.get_untracked();
        let need_by = match need_by_text.trim() {
            "" => None,
            text => match dates::parse_input(text) {
                Some(d) => Some(d),
                None => {
                    error.set(Some(ApiError::field_error(
                        "need_by",
                        "choose a date, or none",
                    )));
                    return;
                }
            },
        };
        let request = ReviseDependencyRequest {
            kind: kind.get_untracked(),
            lag_days,
            need_by,
            expected_version: Some(dependency.version),
            reason: None,
        };
        submit(
            pending,
            error,
            async move { api::revise_dependency(program_id, id, &request).await },
            on_accepted,
            on_done,
        );
    };
    let options = TYPES
        .iter()
        .map(|(t, label)| {
            view! { <option value=t.code() selected=*t == dependency.kind>{*label}</option> }
        })
        .collect_view();
    let error_id = move |field: &str| format!("terms-{field}-error-{id}");
    view! {
        <form class="row-form terms-form" data-testid="dependency-terms-form" on:submit=on_submit novalidate>
            <label class="field">
                <span>"Type"</span>
                <select data-testid="terms-kind"
                    on:change=move |ev| {
                        let code = event_target_value(&ev);
                        if let Some((t, _)) = TYPES.iter().find(|(t, _)| t.code() == code) {
                            kind.set(*t);
                        }
                    }>
                    {options}
                </select>
            </label>
            <label class="field">
                <span>"Lag (days)"</span>
                <input type="number" data-testid="terms-lag" min=-LAG_DAYS_MAX max=LAG_DAYS_MAX step="1"
                    aria-invalid=move || invalid(error, "lag_days") aria-describedby=error_id("lag")
                    bind:value=lag/>
                <FieldMessage error field="lag_days" id=error_id("lag")/>
            </label>
            <label class="field">
                <span>"Needed by (blank: the consumer's forecast)"</span>
                <input type="date" data-testid="terms-need-by"
                    aria-invalid=move || invalid(error, "need_by") aria-describedby=error_id("need-by")
                    bind:value=need_by/>
                <FieldMessage error field="need_by" id=error_id("need-by")/>
            </label>
            <button type="submit" class="btn btn-small btn-primary" data-testid="save-terms"
                disabled=move || pending.get()>"Save terms"</button>
            <button type="button" class="btn btn-small btn-secondary" on:click=move |_| on_done.run(())>"Cancel"</button>
            <FormError error/>
        </form>
    }
}
