//! The program's audit trail: every event with who, when, what changed, why, and what caused it,
//! filtered by entity, actor, event type and time range, with links along causation chains, the
//! hash chain's verification, and exports (JSON lines, CSV) carrying the head hash. The filters
//! live in the URL, so a causation link is a link like any other.

use crate::api::{self, ApiError, AsOf};
use crate::markup::{self, Submitted, esc, get, list, n, s};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde_json::Value;
use throughline_shared::ProgramId;
use throughline_shared::view::ProgramView;

/// The URL query parameters the audit API filters on.
const FILTERS: [&str; 8] = [
    "stream_id",
    "actor",
    "event_type",
    "from",
    "to",
    "event_id",
    "caused_by",
    "cause",
];

/// The entity a stream is, in words, from the program view.
fn entity(view: &ProgramView, stream_type: &str, stream_id: &str) -> String {
    match stream_type {
        "milestone" => view
            .milestones
            .iter()
            .find(|m| m.milestone_id.to_string() == stream_id)
            .map_or_else(|| "milestone".into(), |m| format!("milestone “{}”", m.name)),
        "project" => view
            .projects
            .iter()
            .find(|p| p.project_id.to_string() == stream_id)
            .map_or_else(|| "project".into(), |p| format!("project “{}”", p.name)),
        "dependency_register" => "dependencies".into(),
        "governance" => "governance charter".into(),
        other => other.replace('_', " "),
    }
}

/// The page's events as table rows, newest first (read from the JSON of `AuditPage`).
fn rows_html(events: &[Value], view: &ProgramView, base: &str) -> String {
    let mut h = String::from(
        "<table class=\"data-table audit-table\"><thead><tr><th>#</th><th>When</th><th>Who</th>\
         <th>What</th><th>Entity</th><th>Why and what caused it</th></tr></thead><tbody>",
    );
    for e in events.iter().rev() {
        let m = get(e, "metadata");
        let event_type = s(e, "event_type");
        let mut why = esc(s(m, "reason"));
        let cause = s(m, "causation_id");
        if !cause.is_empty() {
            why.push_str(&format!(
                " <a class=\"cause\" data-testid=\"cause-link\" href=\"{base}?cause={}\">caused by…</a>",
                esc(cause)
            ));
        }
        if event_type == "DecisionApproved" {
            why.push_str(&format!(
                " <a data-testid=\"effects-link\" href=\"{base}?caused_by={}\">its effects…</a>",
                esc(s(e, "event_id"))
            ));
        }
        let description = get(e, "description").as_str().unwrap_or(event_type);
        h.push_str(&format!(
            "<tr data-testid=\"audit-row\" data-type=\"{}\"><td class=\"muted\">{}</td><td>{}</td><td>{}</td>\
             <td>{}<br><code class=\"muted\">{}</code></td><td><a href=\"{base}?stream_id={}\">{}</a></td><td>{why}</td></tr>",
            esc(event_type),
            n(e, "position"),
            esc(&crate::time::rfc3339_readable(s(e, "recorded_at"))),
            esc(s(m, "actor")),
            esc(description),
            esc(event_type),
            esc(s(e, "stream_id")),
            esc(&entity(view, s(e, "stream_type"), s(e, "stream_id"))),
        ));
    }
    h.push_str("</tbody></table>");
    h
}

#[component]
pub fn AuditTab(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    as_of: Option<AsOf>,
) -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let base = format!("/programs/{program_id}/audit");
    let page = RwSignal::new(None::<Result<Value, ApiError>>);
    let chain = RwSignal::new(None::<serde_json::Value>);
    let as_of_param = as_of
        .as_ref()
        .map(|a| format!("as_of={}&", api::encode(&a.query_value())))
        .unwrap_or_default();
    // The filter part of the API query, from the page URL.
    let filters = Memo::new(move |_| {
        query.with(|q| {
            FILTERS
                .iter()
                .filter_map(|k| q.get(k).filter(|v| !v.is_empty()).map(|v| (*k, v)))
                .map(|(k, v)| format!("{k}={}", api::encode(&v)))
                .collect::<Vec<_>>()
                .join("&")
        })
    });
    let api_query = Memo::new(move |_| format!("{as_of_param}{}", filters.get()));
    Effect::new(move |_| {
        let path = format!(
            "/api/programs/{program_id}/audit?{}&limit=1000",
            api_query.get()
        );
        page.set(None);
        spawn_local(async move { page.set(Some(api::get_value(&path).await)) });
    });
    spawn_local(async move {
        let path = format!("/api/programs/{program_id}/audit/verify");
        chain.set(api::get_value(&path).await.ok());
    });

    let on_submit = {
        let base = base.clone();
        move |ev: web_sys::SubmitEvent| {
            ev.prevent_default();
            let Some(f) = Submitted::from(&ev) else {
                return;
            };
            let mut parts = Vec::new();
            for key in ["actor", "event_type", "stream_id"] {
                let v = f.get(key);
                if !v.is_empty() {
                    parts.push(format!("{key}={}", api::encode(&v)));
                }
            }
            for key in ["from", "to"] {
                if let Some(at) = crate::time::local_input_to_rfc3339(&f.get(key)) {
                    parts.push(format!("{key}={}", api::encode(&at)));
                }
            }
            navigate(&format!("{base}?{}", parts.join("&")), Default::default());
        }
    };
    let content = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let q = query.get();
        let value = |key: &str| esc(&q.get(key).unwrap_or_default());
        let export = |format: &str| {
            esc(&format!(
                "/api/programs/{program_id}/audit?format={format}&{}",
                api_query.get()
            ))
        };
        let mut h = format!(
            "<div class=\"section-header\"><h2>Audit trail</h2><div class=\"page-actions\">\
             <a class=\"btn btn-secondary\" download data-testid=\"export-jsonl\" href=\"{}\">Export JSON lines</a>\
             <a class=\"btn btn-secondary\" download href=\"{}\">Export CSV</a></div></div>",
            export("jsonl"),
            export("csv")
        );
        h.push_str("<p class=\"chain\" data-testid=\"chain\">");
        h.push_str(&chain.with(|c| match c {
            None => "Checking the hash chain…".to_string(),
            Some(c) if get(c, "ok").as_bool() == Some(true) => format!(
                "<span class=\"rag rag-green\"><span class=\"rag-dot\"></span>Hash chain verified</span> \
                 up to position {} · {} events checked",
                n(c, "head_position"),
                n(c, "checked")
            ),
            Some(c) => format!(
                "<span class=\"rag rag-red\"><span class=\"rag-dot\"></span>Hash chain broken</span> at position {}: {}",
                n(c, "first_broken_position"),
                esc(s(c, "problem"))
            ),
        }));
        h.push_str("</p>");
        h.push_str(&format!(
            "<form class=\"toolbar audit-filters\">\
             <label class=\"inline-field\">Who<input name=\"actor\" value=\"{}\" placeholder=\"user name\"></label>\
             <label class=\"inline-field\">Event type<input name=\"event_type\" value=\"{}\" placeholder=\"e.g. MilestoneRebaselined\"></label>\
             <input type=\"hidden\" name=\"stream_id\" value=\"{}\">\
             <label class=\"inline-field\">From<input type=\"datetime-local\" name=\"from\"></label>\
             <label class=\"inline-field\">To<input type=\"datetime-local\" name=\"to\"></label>\
             <button class=\"btn btn-primary btn-small\">Filter</button>\
             <a class=\"btn btn-ghost btn-small\" href=\"{base}\">Clear</a></form>",
            value("actor"),
            value("event_type"),
            value("stream_id")
        ));
        // Where a causation link led: the cause (an event, or the command that appended
        // several) and everything it caused.
        for (key, text) in [
            (
                "cause",
                "Following a causation link: {} and what it caused.",
            ),
            ("event_id", "Showing the event {}."),
            ("caused_by", "Showing what {} caused."),
        ] {
            if let Some(id) = q.get(key) {
                h.push_str(&format!(
                    "<p class=\"banner banner-history\">{}</p>",
                    text.replace("{}", &esc(&id))
                ));
            }
        }
        h.push_str(&page.with(|p| match p {
            None => "<p class=\"loading\">Loading the audit trail…</p>".to_string(),
            Some(Err(e)) => markup::error_html(e),
            Some(Ok(p)) => {
                let head = format!(
                    "<p class=\"muted\" data-testid=\"head-hash\">Read against position {} · head hash <code>{}</code></p>",
                    n(p, "head"),
                    esc(s(p, "head_hash"))
                );
                let body = if list(p, "events").is_empty() {
                    "<p class=\"empty-state\">No events match these filters.</p>".to_string()
                } else {
                    view.with(|v| v.as_ref().map(|v| rows_html(list(p, "events"), v, &base)).unwrap_or_default())
                };
                format!("{head}<div class=\"table-wrap\">{body}</div>")
            }
        }));
        if let Some(el) = content.get() {
            el.set_inner_html(&h);
        }
    });

    view! {
        <section class="audit" aria-label="Audit trail" on:submit=on_submit>
            <div node_ref=content data-testid="audit"></div>
        </section>
    }
}
