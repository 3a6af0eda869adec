//! Changing the schedule from the program page: add a milestone, propose a dependency, baseline
//! the plan, import an MS Project plan, and get a calendar feed. Each control appears only when
//! the server would accept it from this user.
//!
//! Built as markup with one delegated handler per kind of event (see `markup.rs`): these forms
//! are large and rarely open, and as `view!` code they cost the wasm budget more than any screen.

use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::access::{ProgramAction, TokenScope};
use throughline_shared::api::{
    AddMilestoneRequest, CommandAccepted, CreateTokenRequest, ProposeDependencyRequest,
};
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::schedule::DependencyType;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, ProjectId};
use wasm_bindgen::JsCast;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::dates;
use crate::markup::{self, Submitted, attr, esc, field_state, form_error, input};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    None,
    Milestone,
    Dependency,
    Import,
    Calendar,
}

/// The form's error and buttons.
fn footer(error: Option<&ApiError>, submit: &str, testid: &str) -> String {
    let error = form_error(error);
    format!(
        "{error}<div class=\"form-actions\"><button type=\"submit\" class=\"btn btn-primary\" data-testid=\"{testid}\">{submit}</button>\
         <button type=\"button\" class=\"btn btn-secondary\" data-act=\"close\">Cancel</button></div>"
    )
}

fn milestone_form(projects: &[(ProjectId, String)], error: Option<&ApiError>) -> String {
    let options: String = projects
        .iter()
        .map(|(id, name)| format!("<option value=\"{id}\">{}</option>", esc(name)))
        .collect();
    format!(
        "<form class=\"card inline-form\" data-testid=\"milestone-form\" data-form=\"milestone\" data-key=\"milestone\" novalidate>\
         <h3 class=\"form-title\">Add a milestone</h3><div class=\"field-row\">\
         <label class=\"field\"><span>Project</span><select name=\"project\" data-testid=\"milestone-project\">{options}</select></label>\
         {}{}</div><div class=\"field-row\">\
         <label class=\"inline-check\"><input type=\"checkbox\" name=\"deliverable\" value=\"yes\"><span>Deliverable (has a start)</span></label>\
         {}{}</div>{}</form>",
        input(
            error,
            "Name",
            "text",
            "name",
            "name",
            "milestone-name-input",
            " autofocus placeholder=\"e.g. PCI certification\""
        ),
        input(
            error,
            "Owner",
            "text",
            "owner",
            "owner",
            "milestone-owner",
            ""
        ),
        input(
            error,
            "Planned start (deliverables)",
            "date",
            "start",
            "start",
            "milestone-start",
            ""
        ),
        input(
            error,
            "Planned date (finish)",
            "date",
            "planned",
            "planned",
            "milestone-planned",
            ""
        ),
        footer(error, "Add milestone", "milestone-submit"),
    )
}

/// Milestones as `<option>`s grouped by project.
fn milestone_options(view: &ProgramView) -> String {
    let mut h = String::from("<option value=\"\">Choose…</option>");
    for p in &view.projects {
        h.push_str(&format!("<optgroup label=\"{}\">", esc(&p.name)));
        for m in view
            .milestones
            .iter()
            .filter(|m| m.project_id == p.project_id)
        {
            h.push_str(&format!(
                "<option value=\"{}\">{}</option>",
                m.milestone_id,
                esc(&m.name)
            ));
        }
        h.push_str("</optgroup>");
    }
    h
}

fn dependency_form(view: &ProgramView, error: Option<&ApiError>) -> String {
    let options = milestone_options(view);
    let select = |label: &str, name: &str| {
        let (invalid, message) = field_state(error, name, &format!("dependency-{name}-error"));
        format!(
            "<label class=\"field\"><span>{label}</span><select name=\"{name}\" data-testid=\"dependency-{name}\"{invalid}>{options}</select>{message}</label>"
        )
    };
    format!(
        "<form class=\"card inline-form\" data-testid=\"dependency-form\" data-form=\"dependency\" data-key=\"dependency\" novalidate>\
         <h3 class=\"form-title\">Propose a dependency</h3><div class=\"field-row\">{}{}</div><div class=\"field-row\">\
         <label class=\"field\"><span>Type</span><select name=\"kind\" data-testid=\"dependency-type\">\
         <option value=\"FS\">Finish → start</option><option value=\"SS\">Start → start</option>\
         <option value=\"FF\">Finish → finish</option><option value=\"SF\">Start → finish</option></select></label>\
         {}{}</div>{}</form>",
        select("Needs (provider)", "provider"),
        select("Needed by (consumer)", "consumer"),
        input(
            error,
            "Lag (days)",
            "number",
            "lag",
            "lag_days",
            "dependency-lag",
            " value=\"0\""
        ),
        input(
            error,
            "Need-by date (optional)",
            "date",
            "need_by",
            "need_by",
            "dependency-need-by",
            ""
        ),
        footer(error, "Propose", "dependency-submit"),
    )
}

fn import_form(error: Option<&ApiError>, report: Option<&str>) -> String {
    let report = report.map_or(String::new(), |r| {
        format!(
            "<p class=\"form-note\" role=\"status\" data-testid=\"import-report\">{}</p>",
            esc(r)
        )
    });
    let error = form_error(error);
    format!(
        "<div class=\"card inline-form\" data-testid=\"import-form\"><h3 class=\"form-title\">Import an MS Project plan</h3>\
         <p class=\"form-note\">Save the plan as XML in MS Project. Milestones come in with their baselines; links between them \
         (also through tasks, and to plans imported before) become dependencies. A file with any error imports nothing.</p>\
         <input type=\"file\" accept=\".xml,application/xml,text/xml\" data-testid=\"import-file\" data-act=\"import\">{report}{error}</div>"
    )
}

fn calendar_form(url: Option<&str>, error: Option<&ApiError>) -> String {
    let body = match url {
        Some(u) => format!(
            "<input type=\"text\" class=\"mono wide\" readonly data-testid=\"calendar-url\" value=\"{}\">\
             <p class=\"form-note\">Copy it now: it is shown only once.</p>",
            esc(u)
        ),
        None => "<button type=\"button\" class=\"btn btn-primary\" data-testid=\"create-calendar-url\" data-act=\"calendar\">Create a calendar address</button>".into(),
    };
    let error = form_error(error);
    format!(
        "<div class=\"card inline-form\" data-testid=\"calendar-form\"><h3 class=\"form-title\">Milestones in your calendar</h3>\
         <p class=\"form-note\">A private address for calendar apps (one all-day event per milestone, moving with its forecast). \
         It carries a read-only key for this program only; revoke it on your account page to stop the feed.</p>{body}{error}</div>"
    )
}

fn milestone_request(f: &Submitted) -> Result<AddMilestoneRequest, ApiError> {
    let deliverable = f.get("deliverable") == "yes";
    let planned = dates::parse_input(&f.get("planned"));
    let mut missing = Vec::new();
    if f.get("name").is_empty() {
        missing.push(throughline_shared::FieldError::new(
            "name",
            "must not be empty",
        ));
    }
    if planned.is_none() {
        missing.push(throughline_shared::FieldError::new(
            "planned",
            "choose a date",
        ));
    }
    if !missing.is_empty() {
        return Err(ApiError {
            fields: missing,
            ..ApiError::local("validation_failed", "some fields are not valid")
        });
    }
    Ok(AddMilestoneRequest {
        project_id: f
            .get("project")
            .parse()
            .map_err(|_| ApiError::field_error("project_id", "choose a project"))?,
        name: f.get("name"),
        kind: if deliverable {
            MilestoneKind::Deliverable
        } else {
            MilestoneKind::Milestone
        },
        owner: f.get("owner"),
        planned_start: dates::parse_input(&f.get("start")).filter(|_| deliverable),
        planned: planned.expect("checked above"),
    })
}

fn dependency_request(f: &Submitted) -> Result<ProposeDependencyRequest, ApiError> {
    let pick = |field: &str| {
        f.get(field)
            .parse::<MilestoneId>()
            .map_err(|_| ApiError::field_error(field, "choose a milestone"))
    };
    Ok(ProposeDependencyRequest {
        provider: pick("provider")?,
        consumer: pick("consumer")?,
        kind: [
            DependencyType::FinishToStart,
            DependencyType::StartToStart,
            DependencyType::FinishToFinish,
            DependencyType::StartToFinish,
        ]
        .into_iter()
        .find(|k| k.code() == f.get("kind"))
        .unwrap_or(DependencyType::FinishToStart),
        lag_days: f.get("lag").parse().unwrap_or(0),
        need_by: dates::parse_input(&f.get("need_by")),
        provider_owner: None,
        consumer_owner: None,
        description: String::new(),
        expected_version: None,
        reason: None,
    })
}

#[component]
pub fn ScheduleActions(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    let auth = use_auth();
    let open = RwSignal::new(Open::None);
    let notice = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<ApiError>);
    let report = RwSignal::new(None::<String>);
    let calendar_url = RwSignal::new(None::<String>);
    let pending = StoredValue::new(false);
    let projects = move || {
        view.with(|v| {
            v.as_ref()
                .map(|v| {
                    v.projects
                        .iter()
                        .filter(|p| {
                            auth.can(program_id, ProgramAction::ChangeSchedule(p.project_id))
                        })
                        .map(|p| (p.project_id, p.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let set_open = move |what: Open| {
        error.set(None);
        report.set(None);
        calendar_url.set(None);
        open.update(|o| *o = if *o == what { Open::None } else { what });
    };

    let content = NodeRef::<leptos::html::Div>::new();
    // The form last opened, so its first field takes the focus once, not on every re-render.
    let focused_for = StoredValue::new(Open::None);
    Effect::new(move |_| {
        let projects = projects();
        let may_baseline = auth.can(program_id, ProgramAction::Baseline)
            && view.with(|v| {
                v.as_ref()
                    .is_some_and(|v| v.milestones.iter().any(|m| m.baseline.is_none()))
            });
        let mut h = String::from("<div class=\"schedule-actions\">");
        if !projects.is_empty() {
            h.push_str("<button type=\"button\" class=\"btn btn-primary\" data-testid=\"add-milestone\" data-act=\"milestone\">Add milestone</button>\
                <button type=\"button\" class=\"btn btn-secondary\" data-testid=\"propose-dependency\" data-act=\"dependency\">Propose dependency</button>");
        }
        if may_baseline {
            h.push_str("<button type=\"button\" class=\"btn btn-secondary\" data-testid=\"baseline-plan\" data-act=\"baseline\" \
                title=\"Set the baseline of every milestone without one to its current forecast\">Baseline the plan</button>");
        }
        if auth.can(program_id, ProgramAction::AddProject) {
            h.push_str("<button type=\"button\" class=\"btn btn-secondary\" data-testid=\"import-plan\" data-act=\"import-open\">Import MS Project…</button>");
        }
        h.push_str(&format!(
            "<button type=\"button\" class=\"btn btn-ghost\" data-testid=\"calendar-feed\" data-act=\"calendar-open\">Calendar feed</button>\
             <a class=\"btn btn-ghost\" data-testid=\"export-milestones\" download href=\"/api/programs/{program_id}/milestones.csv\">Milestones CSV</a>\
             <a class=\"btn btn-ghost\" data-testid=\"export-dependencies\" download href=\"/api/programs/{program_id}/dependencies.csv\">Dependencies CSV</a></div>"
        ));
        if let Some(n) = notice.get() {
            h.push_str(&format!(
                "<p class=\"form-note\" role=\"status\">{}</p>",
                esc(&n)
            ));
        }
        let error = error.get();
        let error = error.as_ref();
        let opened = open.get();
        match opened {
            Open::Milestone => h.push_str(&milestone_form(&projects, error)),
            Open::Dependency => h.push_str(&view.with(|v| {
                v.as_ref()
                    .map(|v| dependency_form(v, error))
                    .unwrap_or_default()
            })),
            Open::Import => h.push_str(&import_form(error, report.get().as_deref())),
            Open::Calendar => h.push_str(&calendar_form(calendar_url.get().as_deref(), error)),
            Open::None => h.push_str(&form_error(error)),
        }
        if let Some(el) = content.get() {
            markup::set_preserving_inputs(&el, &h);
            if focused_for.get_value() != opened {
                focused_for.set_value(opened);
                let first = el
                    .query_selector("form [autofocus]")
                    .ok()
                    .flatten()
                    .or_else(|| el.query_selector("form select").ok().flatten());
                if let Some(focus) = first
                    && let Some(focus) = focus.dyn_ref::<web_sys::HtmlElement>()
                {
                    let _ = focus.focus();
                }
            }
        }
    });

    let accepted = move |result: Result<CommandAccepted, ApiError>| match result {
        Ok(accepted) => {
            error.set(None);
            open.set(Open::None);
            on_accepted.run(accepted);
        }
        Err(e) => error.set(Some(e)),
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(el) = markup::closest(&ev, "[data-act]") else {
            return;
        };
        match attr(&el, "data-act").as_str() {
            "milestone" => set_open(Open::Milestone),
            "dependency" => set_open(Open::Dependency),
            "import-open" => set_open(Open::Import),
            "calendar-open" => set_open(Open::Calendar),
            "close" => set_open(Open::None),
            "baseline" => {
                error.set(None);
                spawn_local(async move {
                    match api::baseline_program(program_id).await {
                        Ok(done) => notice.set(Some(format!(
                            "Baselined {} milestone(s) at their current forecasts.",
                            done.baselined
                        ))),
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
            "calendar" => {
                let name =
                    view.with_untracked(|v| v.as_ref().map(|v| v.name.clone()).unwrap_or_default());
                let request = CreateTokenRequest {
                    name: format!("Calendar: {name}"),
                    scope: TokenScope::ReadOnly,
                    program_id: Some(program_id),
                };
                spawn_local(async move {
                    match api::create_token(&request).await {
                        Ok(created) => {
                            let origin = web_sys::window()
                                .and_then(|w| w.location().origin().ok())
                                .unwrap_or_default();
                            calendar_url.set(Some(format!(
                                "{origin}/api/programs/{program_id}/calendar.ics?token={}",
                                created.secret
                            )));
                        }
                        Err(e) => error.set(Some(e)),
                    }
                });
            }
            _ => {}
        }
    };
    let on_change = move |ev: web_sys::Event| {
        let Some(file) = markup::closest(&ev, "[data-act=\"import\"]")
            .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|files| files.get(0))
        else {
            return;
        };
        error.set(None);
        report.set(None);
        spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text()).await;
            let result = match text.ok().and_then(|t| t.as_string()) {
                Some(xml) => api::import_mspdi(program_id, xml).await,
                None => Err(ApiError::local(
                    "unreadable_file",
                    "The file could not be read.",
                )),
            };
            match result {
                Ok(r) => report.set(Some(format!(
                    "Imported {} milestones and {} dependencies. {}",
                    r.milestones,
                    r.dependencies,
                    r.warnings.join(" ")
                ))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        if pending.get_value() {
            return;
        }
        let Some(f) = Submitted::from(&ev) else {
            return;
        };
        match f.data("data-form").as_str() {
            "milestone" => match milestone_request(&f) {
                Ok(request) => {
                    pending.set_value(true);
                    spawn_local(async move {
                        let result = api::add_milestone(program_id, &request).await;
                        pending.set_value(false);
                        accepted(result);
                    });
                }
                Err(e) => error.set(Some(e)),
            },
            "dependency" => match dependency_request(&f) {
                Ok(request) => {
                    pending.set_value(true);
                    spawn_local(async move {
                        let result = api::propose_dependency(program_id, &request).await;
                        pending.set_value(false);
                        accepted(result);
                    });
                }
                Err(e) => error.set(Some(e)),
            },
            _ => {}
        }
    };
    let on_keydown = move |ev: web_sys::KeyboardEvent| {
        if ev.key() == "Escape" && open.get_untracked() != Open::None {
            set_open(Open::None);
        }
    };
    view! {
        <div node_ref=content on:click=on_click on:submit=on_submit on:change=on_change
            on:keydown=on_keydown></div>
    }
}
