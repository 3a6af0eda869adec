//! Changing what a milestone is: its name, owner, kind (a deliverable has a start) and project, or
//! taking it out of the plan — cancelled, or removed as entered by mistake. Each form is checked
//! against the version shown when it was opened: an edit made elsewhere since is a conflict.

use chrono::NaiveDate;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use throughline_shared::api::{CommandAccepted, RetireMilestoneRequest, ReviseMilestoneRequest};
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::view::MilestoneView;
use throughline_shared::{ProgramId, ProjectId};

use crate::api::{self, ApiError};
use crate::components::feedback::{FieldMessage, FormError, invalid, submit};
use crate::dates;

/// Name, owner, kind and project, as they were when the form opened; only what changed is sent.
#[component]
pub fn DetailsForm(
    program_id: ProgramId,
    milestone: MilestoneView,
    /// The program's projects a milestone may move to (not closed), by name.
    projects: Vec<(ProjectId, String)>,
    on_accepted: Callback<CommandAccepted>,
    on_done: Callback<()>,
) -> impl IntoView {
    let milestone_id = milestone.milestone_id;
    let was = milestone.clone();
    let name = RwSignal::new(milestone.name.clone());
    let owner = RwSignal::new(milestone.owner.clone());
    let kind = RwSignal::new(milestone.kind);
    let start = RwSignal::new(String::new());
    let project = RwSignal::new(milestone.project_id.to_string());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    // Only a milestone becoming a deliverable is given a start here.
    let needs_start =
        move || kind.get() == MilestoneKind::Deliverable && was.kind == MilestoneKind::Milestone;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let changed = |signal: RwSignal<String>, was: &str| {
            let now = signal.with_untracked(|s| s.trim().to_string());
            (now != was).then_some(now)
        };
        let new_kind = Some(kind.get_untracked()).filter(|k| *k != milestone.kind);
        let start: Option<NaiveDate> = if new_kind == Some(MilestoneKind::Deliverable) {
            match dates::parse_input(&start.get_untracked()) {
                Some(d) => Some(d),
                None => {
                    error.set(Some(ApiError::field_error(
                        "start",
                        "choose the date it starts",
                    )));
                    return;
                }
            }
        } else {
            None
        };
        let project_id = project
            .with_untracked(|p| p.parse::<uuid::Uuid>().ok())
            .map(ProjectId)
            .filter(|p| *p != milestone.project_id);
        let request = ReviseMilestoneRequest {
            name: changed(name, &milestone.name),
            owner: changed(owner, &milestone.owner),
            kind: new_kind,
            start,
            project_id,
            expected_version: Some(milestone.version),
            reason: Some(reason.get_untracked()).filter(|r| !r.trim().is_empty()),
        };
        submit(
            pending,
            error,
            async move { api::revise_milestone(program_id, milestone_id, &request).await },
            on_accepted,
            on_done,
        );
    };
    let id = move |field: &str| format!("milestone-{field}-error-{milestone_id}");
    let project_options = projects
        .into_iter()
        .map(|(id, name)| view! { <option value=id.to_string()>{name}</option> })
        .collect_view();
    view! {
        <form class="forecast-form" data-testid="milestone-details-form" on:submit=on_submit novalidate>
            <div class="field-row">
                <label class="field grow">
                    <span>"Name"</span>
                    <input type="text" name="name" maxlength="200" aria-invalid=move || invalid(error, "name")
                        aria-describedby=id("name") bind:value=name/>
                    <FieldMessage error field="name" id=id("name")/>
                </label>
                <label class="field">
                    <span>"Owner"</span>
                    <input type="text" name="owner" maxlength="200" aria-invalid=move || invalid(error, "owner")
                        aria-describedby=id("owner") bind:value=owner/>
                    <FieldMessage error field="owner" id=id("owner")/>
                </label>
            </div>
            <div class="field-row">
                <label class="field">
                    <span>"Kind"</span>
                    <select name="kind" data-testid="details-kind"
                        on:change=move |ev| kind.set(if event_target_value(&ev) == "deliverable" {
                            MilestoneKind::Deliverable
                        } else {
                            MilestoneKind::Milestone
                        })>
                        <option value="milestone" selected=milestone.kind == MilestoneKind::Milestone>
                            "Milestone (a point in time)"
                        </option>
                        <option value="deliverable" selected=milestone.kind == MilestoneKind::Deliverable>
                            "Deliverable (with a start)"
                        </option>
                    </select>
                </label>
                <Show when=needs_start>
                    <label class="field">
                        <span>"Starts"</span>
                        <input type="date" name="start" data-testid="details-start"
                            aria-invalid=move || invalid(error, "start") aria-describedby=id("start")
                            bind:value=start/>
                        <FieldMessage error field="start" id=id("start")/>
                    </label>
                </Show>
                <label class="field grow">
                    <span>"Project"</span>
                    <select name="project" data-testid="details-project"
                        aria-invalid=move || invalid(error, "project_id") aria-describedby=id("project")
                        prop:value=move || project.get()
                        on:change=move |ev| project.set(event_target_value(&ev))>
                        {project_options}
                    </select>
                    <FieldMessage error field="project_id" id=id("project")/>
                </label>
            </div>
            <label class="field">
                <span>"Reason (optional)"</span>
                <input type="text" name="reason" maxlength="4000" bind:value=reason/>
            </label>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" data-testid="save-details"
                    disabled=move || pending.get()>"Save"</button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_done.run(())>"Cancel"</button>
            </div>
        </form>
    }
}

/// Takes the milestone out of the plan: cancelled (no longer planned) or, for whoever added it
/// within a day and before a baseline, removed as a mistake. Either way its dependencies are let
/// go of, and their other ends are told.
#[component]
pub fn RetireForm(
    program_id: ProgramId,
    milestone: MilestoneView,
    /// How many active dependencies it has, to say what else changes.
    dependencies: usize,
    on_accepted: Callback<CommandAccepted>,
    on_done: Callback<()>,
) -> impl IntoView {
    let milestone_id: MilestoneId = milestone.milestone_id;
    let how = RwSignal::new("cancel");
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let pending = RwSignal::new(false);
    let baselined = milestone.baseline.is_some();
    let version = milestone.version;
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() {
            return;
        }
        let request = RetireMilestoneRequest {
            reason: reason.get_untracked(),
            expected_version: Some(version),
        };
        let how = how.get_untracked();
        submit(
            pending,
            error,
            async move { api::retire_milestone(program_id, milestone_id, how, &request).await },
            on_accepted,
            on_done,
        );
    };
    let reason_id = format!("retire-reason-error-{milestone_id}");
    let consequence = match dependencies {
        0 => "It has no dependencies.".to_string(),
        1 => "Its one dependency will be let go of: broken if it provides, cancelled if it consumes; the other side sees it at once.".to_string(),
        n => format!("Its {n} dependencies will be let go of: broken where it provides, cancelled where it consumes; the other sides see it at once."),
    };
    view! {
        <form class="forecast-form retire-form" data-testid="retire-milestone-form" on:submit=on_submit novalidate>
            <fieldset class="choice">
                <legend>"Take it out of the plan"</legend>
                <label>
                    <input type="radio" name="how" value="cancel" checked
                        on:change=move |_| how.set("cancel")/>
                    " Cancel: no longer planned (kept in the record)"
                </label>
                <label>
                    <input type="radio" name="how" value="remove" data-testid="retire-remove" disabled=baselined
                        on:change=move |_| how.set("remove")/>
                    " Remove: it was entered by mistake"
                    {baselined.then(|| view! { <span class="muted">" (not once baselined)"</span> })}
                </label>
            </fieldset>
            <p class="muted">{consequence}</p>
            <label class="field">
                <span>"Reason"</span>
                <input type="text" name="reason" data-testid="retire-reason" maxlength="4000" required
                    aria-invalid=move || invalid(error, "reason") aria-describedby=reason_id.clone()
                    bind:value=reason/>
                <FieldMessage error field="reason" id=reason_id/>
            </label>
            <FormError error/>
            <div class="form-actions">
                <button type="submit" class="btn btn-danger" data-testid="confirm-retire"
                    disabled=move || pending.get()>
                    {move || if how.get() == "remove" { "Remove milestone" } else { "Cancel milestone" }}
                </button>
                <button type="button" class="btn btn-secondary" on:click=move |_| on_done.run(())>"Keep it"</button>
            </div>
        </form>
    }
}
