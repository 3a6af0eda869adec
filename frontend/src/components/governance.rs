//! The program's governance tab: what needs attention (decisions past their SLA, overdue
//! escalations, next sessions), decisions with their routing, votes, outcome and the controls
//! the user may use, escalations, and the charter. Rendered as markup (see `markup.rs`) from the
//! server's governance view, re-read whenever a live event arrives.

use crate::api::{self, ApiError, AsOf};
use crate::auth::use_auth;
use crate::markup::{self, JsonObject, Submitted, attr, day, esc, get, list, n, s, words};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::ProgramMember;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, RecordedEvent};
use wasm_bindgen::JsCast;

/// Everything the markup needs to know about the reader.
struct Reader {
    user_id: String,
    governs: bool,
    raises: bool,
    takes_part: bool,
    history: bool,
}

fn milestone_name(view: &ProgramView, id: &str) -> String {
    view.milestones
        .iter()
        .find(|m| m.milestone_id.to_string() == id)
        .map_or_else(|| "a milestone".to_string(), |m| m.name.clone())
}

fn dependency_name(view: &ProgramView, id: &str) -> String {
    view.dependencies
        .iter()
        .find(|d| d.dependency_id.to_string() == id)
        .map_or_else(
            || "a dependency".to_string(),
            |d| {
                format!(
                    "{} → {}",
                    milestone_name(view, &d.provider.to_string()),
                    milestone_name(view, &d.consumer.to_string())
                )
            },
        )
}

fn effect_html(view: &ProgramView, decisions: &[Value], e: &Value) -> String {
    match s(e, "effect") {
        "rebaseline" => {
            let id = s(e, "milestone_id");
            let from = view
                .milestones
                .iter()
                .find(|m| m.milestone_id.to_string() == id)
                .and_then(|m| m.baseline)
                // Once the re-baseline is done, there is nothing to compare.
                .filter(|b| b.to_string() != s(e, "to"))
                .map(|b| format!(" (now baselined {})", crate::dates::day_month_year(b)))
                .unwrap_or_default();
            format!(
                "Re-baseline “{}” to {}{from}",
                esc(&milestone_name(view, id)),
                day(s(e, "to"))
            )
        }
        "cancel_dependency" => format!(
            "Cancel the dependency {}",
            esc(&dependency_name(view, s(e, "dependency_id")))
        ),
        _ => {
            let id = s(e, "decision_id");
            let question = decisions
                .iter()
                .find(|d| s(d, "decision_id") == id)
                .map_or("an earlier decision", |d| s(d, "question"));
            format!("Supersede “{}”", esc(question))
        }
    }
}

/// A decision kind's wire name in words ("re-baseline").
fn kind_label(kind: &str) -> String {
    if kind == "rebaseline" {
        "re-baseline".into()
    } else {
        words(kind)
    }
}

fn forum_of<'a>(g: &'a Value, forum_id: &str) -> Option<&'a Value> {
    list(get(get(g, "view"), "charter"), "forums")
        .iter()
        .find(|f| s(f, "forum_id") == forum_id)
}

fn is_member(forum: &Value, user: &str) -> bool {
    s(get(forum, "rules"), "chair") == user
        || list(get(forum, "rules"), "members")
            .iter()
            .any(|m| m.as_str() == Some(user))
}

fn decision_html(g: &Value, view: &ProgramView, reader: &Reader, d: &Value) -> String {
    let id = s(d, "decision_id");
    let state = s(d, "state");
    let decisions = list(get(g, "view"), "decisions");
    let forum = forum_of(g, s(d, "forum_id"));
    let open = matches!(state, "proposed" | "in_review" | "deferred");
    let mut h = format!(
        "<article class=\"card decision\" data-testid=\"decision\" data-state=\"{state}\" id=\"decision-{id}\">\
         <header class=\"decision-head\"><h3>{}</h3><span class=\"pill state state-{state}\">{}</span></header>\
         <p class=\"decision-meta\">{} · raised by {} {} · <span class=\"routing\" data-testid=\"routing\">{}</span></p>",
        esc(s(d, "question")),
        words(state),
        esc(&kind_label(s(d, "kind"))),
        esc(s(d, "raised_by")),
        esc(&crate::time::rfc3339_readable(s(d, "raised_at"))),
        esc(s(d, "routing_reason")),
    );
    if let Some(b) = list(get(g, "attention"), "bottlenecks")
        .iter()
        .find(|b| s(b, "decision_id") == id)
    {
        h.push_str(&format!(
            "<p class=\"flag flag-late\" data-testid=\"bottleneck\">Waiting {} days — {} allows {}</p>",
            n(b, "waiting_days"),
            esc(get(b, "forum").as_str().unwrap_or("the program manager")),
            n(b, "sla_days")
        ));
    }
    if !s(d, "context").is_empty() {
        h.push_str(&format!(
            "<p class=\"decision-context\">{}</p>",
            esc(s(d, "context"))
        ));
    }
    let recommended = get(d, "recommendation").as_u64();
    h.push_str("<ol class=\"options\">");
    for (i, o) in list(d, "options").iter().enumerate() {
        let rec = recommended == Some(i as u64);
        h.push_str(&format!(
            "<li{}><strong>{}</strong>{}",
            if rec { " class=\"recommended\"" } else { "" },
            esc(s(o, "title")),
            if rec {
                " <span class=\"pill\">recommended</span>"
            } else {
                ""
            }
        ));
        for (key, sign) in [("pros", "+"), ("cons", "−")] {
            if !s(o, key).is_empty() {
                h.push_str(&format!(
                    "<br><span class=\"muted\">{sign} {}</span>",
                    esc(s(o, key))
                ));
            }
        }
        h.push_str("</li>");
    }
    h.push_str("</ol>");
    let effects = list(d, "effects");
    if !effects.is_empty() {
        h.push_str("<p class=\"subhead\">If approved</p><ul class=\"effects\">");
        for e in effects {
            h.push_str(&format!("<li>{}</li>", effect_html(view, decisions, e)));
        }
        h.push_str("</ul>");
    }
    if let (Some(session), Some(f)) = (get(d, "tabled_for").as_str(), forum)
        && open
    {
        h.push_str(&format!(
            "<p>On the agenda of {} on {}</p>",
            esc(s(f, "name")),
            day(session)
        ));
    }
    let votes = list(d, "votes");
    if !votes.is_empty() {
        let cast: Vec<String> = votes
            .iter()
            .map(|v| format!("{} — {}", esc(s(v, "name")), s(v, "vote")))
            .collect();
        let quorum = forum.map_or(String::new(), |f| {
            format!(" (quorum {})", n(get(f, "rules"), "quorum"))
        });
        h.push_str(&format!(
            "<p class=\"votes\" data-testid=\"votes\">Votes: {}{quorum}</p>",
            cast.join("; ")
        ));
    }
    if let Some(o) = Some(get(d, "outcome")).filter(|o| o.is_object()) {
        let by: Vec<String> = list(o, "decided_by")
            .iter()
            .map(|p| esc(p.as_str().unwrap_or("")))
            .collect();
        h.push_str(&format!(
            "<p class=\"outcome\" data-testid=\"outcome\"><strong>{}</strong> by {}: {} <a href=\"/programs/{}/audit?cause={}\">in the audit trail</a></p>",
            match s(o, "state") {
                "approved" => "Approved",
                "rejected" => "Rejected",
                _ => "Deferred",
            },
            by.join(", "),
            esc(s(o, "rationale")),
            esc(s(get(g, "view"), "program_id")),
            esc(s(o, "event_id")),
        ));
    }
    if reader.history || !open {
        h.push_str("</article>");
        return h;
    }
    let member = forum.is_some_and(|f| is_member(f, &reader.user_id));
    let chairs = forum.is_some_and(|f| s(get(f, "rules"), "chair") == reader.user_id);
    let mut actions = String::new();
    if forum.is_some() && state != "in_review" && (reader.governs || chairs) {
        actions.push_str(&format!(
            "<button type=\"button\" class=\"btn btn-secondary btn-small\" data-act=\"table\" data-id=\"{id}\">Table for the next session</button>"
        ));
    }
    if member && state == "in_review" && reader.takes_part {
        for vote in ["approve", "reject", "abstain"] {
            actions.push_str(&format!(
                "<button type=\"button\" class=\"btn btn-secondary btn-small\" data-act=\"vote\" data-id=\"{id}\" data-vote=\"{vote}\">Vote {vote}</button>"
            ));
        }
    }
    if !actions.is_empty() {
        h.push_str(&format!("<div class=\"decision-actions\">{actions}</div>"));
    }
    let decides = if forum.is_some() {
        member && state == "in_review" && reader.takes_part
    } else {
        reader.governs
    };
    if decides {
        h.push_str(&format!(
            "<form class=\"outcome-form\" data-form=\"outcome\" data-key=\"outcome-{id}\" data-id=\"{id}\" data-version=\"{}\">\
             <label class=\"field grow\"><span>Rationale</span><textarea name=\"rationale\" rows=\"2\" required \
             placeholder=\"Why, in a sentence the audit trail will keep\"></textarea></label>\
             <label class=\"field\"><span>Defer until <span class=\"optional\">(for a deferral)</span></span><input type=\"date\" name=\"until\"></label>\
             <div class=\"form-actions\"><button class=\"btn btn-primary\" name=\"outcome\" value=\"approve\">Approve</button>\
             <button class=\"btn btn-secondary\" name=\"outcome\" value=\"reject\">Reject</button>\
             <button class=\"btn btn-ghost\" name=\"outcome\" value=\"defer\">Defer</button></div></form>",
            n(d, "version")
        ));
    }
    h.push_str("</article>");
    h
}

fn escalation_html(reader: &Reader, e: &Value) -> String {
    let id = s(e, "escalation_id");
    let levels = list(e, "levels");
    let level = get(e, "level").as_u64().unwrap_or(0) as usize;
    let resolved = get(e, "resolution").is_object();
    let at = levels.get(level).map_or("?", |l| s(l, "title"));
    let mut h = format!(
        "<article class=\"card escalation\" data-testid=\"escalation\"><header class=\"decision-head\"><h3>{}</h3>\
         <span class=\"pill state state-{}\">{}</span></header><p class=\"decision-meta\">Raised by {} {}: {}</p>",
        esc(s(e, "subject_label")),
        if resolved { "approved" } else { "in_review" },
        if resolved {
            "resolved".to_string()
        } else {
            format!("level {} of {}: {}", level + 1, levels.len(), esc(at))
        },
        esc(s(e, "raised_by")),
        esc(&crate::time::rfc3339_readable(s(e, "raised_at"))),
        esc(s(e, "reason")),
    );
    for step in list(e, "steps") {
        h.push_str(&format!(
            "<p class=\"step\">{} to {} {}: {}</p>",
            if get(step, "automatic").as_bool() == Some(true) {
                "Moved up automatically"
            } else {
                "Moved up"
            },
            esc(levels
                .get(get(step, "to_level").as_u64().unwrap_or(0) as usize)
                .map_or("?", |l| s(l, "title"))),
            esc(&crate::time::rfc3339_readable(s(step, "at"))),
            esc(s(step, "reason"))
        ));
    }
    if resolved {
        let r = get(e, "resolution");
        h.push_str(&format!(
            "<p class=\"outcome\">Resolved by {}: {}</p></article>",
            esc(s(r, "by")),
            esc(s(r, "resolution"))
        ));
        return h;
    }
    h.push_str(&format!(
        "<p class=\"due\">Answer due by {}</p>",
        esc(&crate::time::rfc3339_readable(s(e, "due_at")))
    ));
    if !reader.history && reader.takes_part {
        let resolve = if reader.raises {
            "<button class=\"btn btn-secondary btn-small\" name=\"step\" value=\"resolve\">Resolve</button>"
        } else {
            ""
        };
        h.push_str(&format!(
            "<form class=\"outcome-form\" data-form=\"escalation\" data-key=\"esc-{id}\" data-id=\"{id}\" data-version=\"{}\">\
             <label class=\"field grow\"><span>Reason or resolution</span><input name=\"text\" required></label>\
             <div class=\"form-actions\"><button class=\"btn btn-ghost btn-small\" name=\"step\" value=\"move-up\">Move up</button>{resolve}</div></form>",
            n(e, "version")
        ));
    }
    h.push_str("</article>");
    h
}

/// A list section of a session's agenda ("" when empty).
fn agenda_list(title: &str, items: Vec<String>) -> String {
    if items.is_empty() {
        return String::new();
    }
    let items: String = items.iter().map(|i| format!("<li>{i}</li>")).collect();
    format!("<p class=\"subhead\">{title}</p><ul class=\"effects\">{items}</ul>")
}

fn session_html(g: &Value, reader: &Reader, session: &Value) -> String {
    let id = s(session, "session_id");
    let forum = forum_of(g, s(session, "forum_id"));
    let a = get(session, "agenda");
    let closed = get(session, "closed").as_bool() == Some(true);
    let mut h = format!(
        "<article class=\"card decision\" data-testid=\"session\"><header class=\"decision-head\"><h3>{} — {}</h3>\
         <span class=\"pill state state-{}\">{}</span></header>",
        esc(forum.map_or("Forum", |f| s(f, "name"))),
        day(s(session, "date")),
        if closed { "approved" } else { "in_review" },
        if closed { "closed" } else { "open" },
    );
    h.push_str(&agenda_list(
        "Decisions awaiting the forum",
        texts_of(a, "decisions", &|d| esc(s(d, "question"))),
    ));
    h.push_str(&agenda_list(
        "Open escalations",
        texts_of(a, "escalations", &|e| {
            format!("{} (with {})", esc(s(e, "subject")), esc(s(e, "level")))
        }),
    ));
    h.push_str(&agenda_list(
        "Milestones that slipped",
        texts_of(a, "slipped", &|m| {
            format!(
                "{}: {} → {}",
                esc(s(m, "name")),
                day(s(m, "from")),
                day(s(m, "to"))
            )
        }),
    ));
    h.push_str(&agenda_list(
        "Dependencies in trouble",
        texts_of(a, "dependencies", &|d| {
            format!(
                "{} ({}, {} days)",
                esc(s(d, "label")),
                words(s(d, "status")),
                n(d, "gap_days")
            )
        }),
    ));
    h.push_str(&agenda_list(
        if get(a, "since_position").is_null() {
            "Changes so far"
        } else {
            "Changes since the last session"
        },
        texts_of(a, "changes", &|c| esc(c.as_str().unwrap_or(""))),
    ));
    let names = |key: &str| {
        list(session, key)
            .iter()
            .map(|p| esc(s(p, "name")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !list(session, "present").is_empty() {
        h.push_str(&format!("<p>Present: {}", names("present")));
        if !list(session, "apologies").is_empty() {
            h.push_str(&format!("; apologies: {}", names("apologies")));
        }
        h.push_str("</p>");
    }
    if let Some(minutes) = get(session, "minutes").as_str() {
        h.push_str(&format!(
            "<p class=\"outcome\" data-testid=\"minutes\">{}</p>",
            esc(minutes)
        ));
    }
    h.push_str(&agenda_list("Actions", texts_of(session, "actions", &|x| {
        let done = if s(x, "status") == "open" && reader.raises && !reader.history {
            format!(
                " <button type=\"button\" class=\"btn btn-ghost btn-small\" data-act=\"done\" data-id=\"{}\" data-session=\"{id}\">Mark done</button>",
                s(x, "action_id")
            )
        } else {
            String::new()
        };
        format!(
            "{} — {}, by {} ({}){done}",
            esc(s(x, "title")),
            esc(s(x, "owner")),
            day(s(x, "due")),
            s(x, "status")
        )
    })));
    let keeps =
        forum.is_some_and(|f| s(get(f, "rules"), "chair") == reader.user_id) || reader.governs;
    if keeps && !closed && !reader.history {
        let people: String = forum.map_or(&[][..], |f| list(f, "people")).iter().map(|p| {
            format!(
                "<label class=\"inline-check\"><input type=\"checkbox\" name=\"present\" value=\"{}\">{}</label>",
                s(p, "user_id"),
                esc(s(p, "name"))
            )
        }).collect();
        h.push_str(&format!(
            "<form class=\"outcome-form session-form\" data-form=\"session\" data-key=\"session-{id}\" data-id=\"{id}\">\
             <div class=\"field-row\">{people}<button class=\"btn btn-ghost btn-small\" value=\"attendance\">Record attendance</button></div>\
             <label class=\"field grow\"><span>Minutes</span><textarea name=\"minutes\" rows=\"2\"></textarea></label>\
             <div class=\"field-row\"><label class=\"field grow\"><span>Action</span><input name=\"title\"></label>\
             <label class=\"field\"><span>Owner</span><input name=\"owner\"></label>\
             <label class=\"field\"><span>Due</span><input type=\"date\" name=\"due\"></label></div>\
             <div class=\"form-actions\"><button class=\"btn btn-secondary btn-small\" value=\"minutes\">Save minutes</button>\
             <button class=\"btn btn-secondary btn-small\" value=\"actions\">Add action</button>\
             <button class=\"btn btn-ghost btn-small\" value=\"close\">Close session</button></div></form>"
        ));
    }
    h.push_str("</article>");
    h
}

fn texts_of(v: &Value, key: &str, f: &dyn Fn(&Value) -> String) -> Vec<String> {
    list(v, key).iter().map(f).collect()
}

fn charter_html(g: &Value, reader: &Reader) -> String {
    let charter = get(get(g, "view"), "charter");
    let sessions = list(get(g, "attention"), "next_sessions");
    let mut h = String::from("<div class=\"charter\">");
    for f in list(charter, "forums") {
        let r = get(f, "rules");
        let people: Vec<String> = list(f, "people")
            .iter()
            .map(|p| {
                let chair = s(p, "user_id") == s(r, "chair");
                format!(
                    "{}{}",
                    esc(s(p, "name")),
                    if chair { " (chair)" } else { "" }
                )
            })
            .collect();
        let next: Vec<String> = sessions
            .iter()
            .find(|n| s(n, "forum_id") == s(f, "forum_id"))
            .map(|n| {
                list(n, "dates")
                    .iter()
                    .map(|d| day(d.as_str().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default();
        let holds = !reader.history && (reader.governs || s(r, "chair") == reader.user_id);
        let open = if holds {
            format!(
                "<button type=\"button\" class=\"btn btn-secondary btn-small\" data-act=\"session\" data-id=\"{}\" data-testid=\"open-session\">Open the next session</button>",
                s(f, "forum_id")
            )
        } else {
            String::new()
        };
        h.push_str(&format!(
            "<div class=\"card forum\" data-testid=\"forum\"><h3>{}</h3><p class=\"muted\">{}</p>\
             <p>{}</p><p>Quorum {} · meets {} · decides within {} days</p><p>Next sessions: {}</p>{open}</div>",
            esc(s(f, "name")),
            esc(s(f, "purpose")),
            people.join(", "),
            n(r, "quorum"),
            s(r, "cadence"),
            n(r, "decision_sla_days"),
            next.join(", ")
        ));
    }
    let rights = list(g, "rights_in_words");
    h.push_str("<div class=\"card forum\"><h3>Decision rights</h3><ul>");
    if rights.is_empty() {
        h.push_str("<li>None set: the program manager decides everything.</li>");
    }
    for r in rights {
        h.push_str(&format!("<li>{}</li>", esc(r.as_str().unwrap_or(""))));
    }
    h.push_str("</ul><h3>Escalation path</h3><ol>");
    for l in list(charter, "escalation_path") {
        h.push_str(&format!(
            "<li>{} {} — answers within {} h</li>",
            esc(s(l, "title")),
            esc(s(l, "contact")),
            n(l, "response_sla_hours")
        ));
    }
    h.push_str("</ol></div></div>");
    h
}

fn governance_html(g: &Value, view: &ProgramView, reader: &Reader) -> String {
    let a = get(g, "attention");
    let bottlenecks = list(a, "bottlenecks").len();
    let overdue = list(a, "overdue_escalations").len();
    let decisions = list(get(g, "view"), "decisions");
    let escalations = list(get(g, "view"), "escalations");
    let open_count = decisions
        .iter()
        .filter(|d| matches!(s(d, "state"), "proposed" | "in_review" | "deferred"))
        .count();
    let mut h = format!(
        "<div class=\"rag-counts gov-summary\"><span class=\"count{}\" data-testid=\"bottleneck-count\"><strong>{bottlenecks}</strong> past their SLA</span>\
         <span class=\"count\"><strong>{open_count}</strong> open decisions</span>\
         <span class=\"count{}\"><strong>{overdue}</strong> overdue escalations</span></div>",
        if bottlenecks > 0 { " late" } else { "" },
        if overdue > 0 { " late" } else { "" },
    );
    h.push_str("<h3 class=\"subsection-title\">Decisions</h3>");
    if decisions.is_empty() {
        h.push_str("<p class=\"empty-state\">No decisions raised yet.</p>");
    }
    // Open ones first (oldest first: the longest waiting on top), then the record.
    for open in [true, false] {
        for d in decisions
            .iter()
            .filter(|d| matches!(s(d, "state"), "proposed" | "in_review" | "deferred") == open)
        {
            if open {
                h.push_str(&decision_html(g, view, reader, d));
            }
        }
        if !open {
            for d in decisions
                .iter()
                .rev()
                .filter(|d| !matches!(s(d, "state"), "proposed" | "in_review" | "deferred"))
            {
                h.push_str(&decision_html(g, view, reader, d));
            }
        }
    }
    h.push_str("<h3 class=\"subsection-title\">Escalations</h3>");
    if escalations.is_empty() {
        h.push_str("<p class=\"empty-state\">Nothing escalated.</p>");
    }
    for e in escalations.iter().rev() {
        h.push_str(&escalation_html(reader, e));
    }
    h.push_str("<h3 class=\"subsection-title\">Review sessions</h3>");
    let sessions = list(get(g, "view"), "sessions");
    if sessions.is_empty() {
        h.push_str("<p class=\"empty-state\">No sessions held yet.</p>");
    }
    for session in sessions.iter().rev().take(3) {
        h.push_str(&session_html(g, reader, session));
    }
    h.push_str("<h3 class=\"subsection-title\">Forums, decision rights and escalation path</h3>");
    h.push_str(&charter_html(g, reader));
    h
}

fn options_html(view: &ProgramView, with_dependencies: bool) -> String {
    let mut h = String::from("<option value=\"\">—</option>");
    for m in &view.milestones {
        h.push_str(&format!(
            "<option value=\"m:{}\">{}</option>",
            m.milestone_id,
            esc(&m.name)
        ));
    }
    if with_dependencies {
        for d in &view.dependencies {
            h.push_str(&format!(
                "<option value=\"d:{}\">{}</option>",
                d.dependency_id,
                esc(&dependency_name(view, &d.dependency_id.to_string()))
            ));
        }
    }
    h
}

fn raise_form_html(view: &ProgramView) -> String {
    let kinds = [
        "rebaseline",
        "scope_change",
        "budget_change",
        "risk_acceptance",
        "dependency_cancellation",
        "other",
    ]
    .iter()
    .map(|k| format!("<option value=\"{k}\">{}</option>", words(k)))
    .collect::<String>();
    let option = |n: &str| {
        format!(
            "<fieldset class=\"objectives\"><legend>Option {n}</legend>\
             <label class=\"field\"><span>Title</span><input name=\"title{n}\" required></label>\
             <div class=\"field-row\"><label class=\"field grow\"><span>Pros</span><input name=\"pros{n}\"></label>\
             <label class=\"field grow\"><span>Cons</span><input name=\"cons{n}\"></label></div></fieldset>"
        )
    };
    format!(
        "<form class=\"create-form gov-form\" data-form=\"raise\" data-key=\"raise\" data-testid=\"raise-form\">\
         <h3 class=\"form-title\">Raise a decision</h3>\
         <div class=\"field-row\"><label class=\"field\"><span>Kind</span><select name=\"kind\">{kinds}</select></label>\
         <label class=\"field grow\"><span>Question</span><input name=\"question\" required placeholder=\"Re-baseline PCI certification to 30 April?\"></label></div>\
         <label class=\"field\"><span>Context <span class=\"optional\">(optional)</span></span><textarea name=\"context\" rows=\"2\"></textarea></label>\
         {}{}\
         <div class=\"field-row\"><label class=\"field\"><span>Recommendation</span><select name=\"recommendation\"><option value=\"\">none</option><option value=\"0\">Option A</option><option value=\"1\">Option B</option></select></label>\
         <label class=\"field\"><span>Amount or score <span class=\"optional\">(budget in cents, risk score)</span></span><input name=\"magnitude\" type=\"number\"></label></div>\
         <p class=\"hint\">Proposed effect, applied when approved:</p>\
         <div class=\"field-row\"><label class=\"field grow\"><span>Re-baseline or cancel</span><select name=\"target\" data-testid=\"effect-target\">{}</select></label>\
         <label class=\"field\"><span>New baseline</span><input type=\"date\" name=\"to\"></label></div>\
         <div class=\"form-actions\"><button class=\"btn btn-primary\" value=\"raise\">Raise decision</button></div></form>",
        option("A"),
        option("B"),
        options_html(view, true)
    )
}

fn escalate_form_html(view: &ProgramView) -> String {
    format!(
        "<form class=\"create-form gov-form\" data-form=\"escalate\" data-key=\"escalate\">\
         <h3 class=\"form-title\">Escalate</h3>\
         <div class=\"field-row\"><label class=\"field grow\"><span>Item</span><select name=\"target\" required>{}</select></label>\
         <label class=\"field grow\"><span>Reason</span><input name=\"reason\" required></label></div>\
         <div class=\"form-actions\"><button class=\"btn btn-primary\" value=\"escalate\">Escalate</button></div></form>",
        options_html(view, true)
    )
}

const KINDS: [&str; 6] = [
    "rebaseline",
    "scope_change",
    "budget_change",
    "risk_acceptance",
    "dependency_cancellation",
    "other",
];

/// `<option>`s with `selected` on the one equal to `current`.
fn select_options(values: &[(String, String)], current: &str) -> String {
    values
        .iter()
        .map(|(value, label)| {
            format!(
                "<option value=\"{value}\"{}>{}</option>",
                if value == current { " selected" } else { "" },
                esc(label)
            )
        })
        .collect()
}

/// The program manager's forms for the charter: a new forum, the decision rights (the whole set,
/// prefilled), the escalation path (prefilled).
fn charter_forms_html(g: &Value, members: &[ProgramMember]) -> String {
    let charter = get(get(g, "view"), "charter");
    let people: Vec<(String, String)> = members
        .iter()
        .map(|m| (m.user.user_id.to_string(), m.user.display_name.clone()))
        .collect();
    let ticks: String = people
        .iter()
        .map(|(id, name)| {
            format!(
                "<label class=\"inline-check\"><input type=\"checkbox\" name=\"members\" value=\"{id}\">{}</label>",
                esc(name)
            )
        })
        .collect();
    let cadences: Vec<(String, String)> = ["weekly", "fortnightly", "monthly", "quarterly"]
        .iter()
        .map(|c| (c.to_string(), c.to_string()))
        .collect();
    let mut h = format!(
        "<form class=\"create-form gov-form\" data-form=\"forum\" data-key=\"forum\" data-testid=\"forum-form\">\
         <h3 class=\"form-title\">Establish a forum</h3><div class=\"field-row\">\
         <label class=\"field grow\"><span>Name</span><input name=\"name\" required placeholder=\"e.g. Architecture review board\"></label>\
         <label class=\"field grow\"><span>Purpose</span><input name=\"purpose\"></label>\
         <label class=\"field\"><span>Chair</span><select name=\"chair\">{}</select></label></div>\
         <div class=\"field-row\"><span class=\"hint\">Members:</span>{ticks}</div><div class=\"field-row\">\
         <label class=\"field\"><span>Quorum</span><input type=\"number\" name=\"quorum\" value=\"1\" min=\"1\"></label>\
         <label class=\"field\"><span>Meets</span><select name=\"cadence\">{}</select></label>\
         <label class=\"field\"><span>First session</span><input type=\"date\" name=\"first\" required></label>\
         <label class=\"field\"><span>Decides within (days)</span><input type=\"number\" name=\"sla\" value=\"10\" min=\"1\"></label></div>\
         <div class=\"form-actions\"><button class=\"btn btn-primary\" value=\"forum\">Establish forum</button></div></form>",
        select_options(&people, ""),
        select_options(&cadences, "monthly"),
    );
    let forums: Vec<(String, String)> = list(charter, "forums")
        .iter()
        .map(|f| (s(f, "forum_id").to_string(), s(f, "name").to_string()))
        .collect();
    let kinds: Vec<(String, String)> = KINDS
        .iter()
        .map(|k| (k.to_string(), kind_label(k)))
        .collect();
    let rights = list(charter, "rights");
    h.push_str("<form class=\"create-form gov-form\" data-form=\"rights\" data-key=\"rights\"><h3 class=\"form-title\">Decision rights</h3>\
        <p class=\"hint\">Which decisions go to which forum, from which size: money in full currency units, re-baselines in days, risks by score; \
        no threshold means every one. Empty rows are ignored; anything no rule covers is the program manager's.</p>");
    for i in 0..rights.len() + 2 {
        let r = rights.get(i);
        let kind = r.map_or("", |r| s(r, "kind"));
        let threshold = r
            .and_then(|r| get(r, "threshold").as_i64())
            .map(|t| if kind == "budget_change" { t / 100 } else { t }.to_string())
            .unwrap_or_default();
        h.push_str(&format!(
            "<div class=\"field-row\"><select name=\"kind\">{}</select><input type=\"number\" name=\"threshold\" value=\"{threshold}\" placeholder=\"every\">\
             <select name=\"forum\"><option value=\"\">—</option>{}</select></div>",
            select_options(&kinds, kind),
            select_options(&forums, r.map_or("", |r| s(r, "forum_id"))),
        ));
    }
    h.push_str("<div class=\"form-actions\"><button class=\"btn btn-primary\" value=\"rights\">Save decision rights</button></div></form>");
    let path = list(charter, "escalation_path");
    h.push_str("<form class=\"create-form gov-form\" data-form=\"path\" data-key=\"path\" data-testid=\"path-form\"><h3 class=\"form-title\">Escalation path</h3>\
        <p class=\"hint\">Level by level: who an escalated item sits with, and how many hours they have to answer before it moves up.</p>");
    for i in 0..path.len().max(3) + 1 {
        let l = path.get(i);
        h.push_str(&format!(
            "<div class=\"field-row\"><input name=\"title\" placeholder=\"Level {}\" value=\"{}\">\
             <input name=\"contact\" placeholder=\"Contact\" value=\"{}\"><input type=\"number\" name=\"hours\" placeholder=\"Hours\" value=\"{}\"></div>",
            i + 1,
            esc(l.map_or("", |l| s(l, "title"))),
            esc(l.map_or("", |l| s(l, "contact"))),
            l.map_or(String::new(), |l| n(l, "response_sla_hours").to_string()),
        ));
    }
    h.push_str("<div class=\"form-actions\"><button class=\"btn btn-primary\" value=\"path\">Save escalation path</button></div></form>");
    h
}

/// The JSON array of strings `values`.
fn json_strings(values: &[String]) -> String {
    format!(
        "[{}]",
        values
            .iter()
            .map(|v| markup::json_string(v))
            .collect::<Vec<_>>()
            .join(",")
    )
}

/// A form's item select value (`m:<id>` or `d:<id>`) as the API's item reference.
fn item_ref(value: &str) -> Option<String> {
    let (kind, id) = value.split_once(':')?;
    let kind = if kind == "m" {
        "milestone"
    } else {
        "dependency"
    };
    Some(JsonObject::new().str("kind", kind).str("id", id).end())
}

fn raise_body(f: &Submitted) -> String {
    let options: Vec<String> = ["A", "B"]
        .iter()
        .map(|n| {
            JsonObject::new()
                .str("title", &f.get(&format!("title{n}")))
                .str("pros", &f.get(&format!("pros{n}")))
                .str("cons", &f.get(&format!("cons{n}")))
                .end()
        })
        .collect();
    let mut body = JsonObject::new()
        .str("kind", &f.get("kind"))
        .str("question", &f.get("question"))
        .str("context", &f.get("context"))
        .raw("options", &format!("[{}]", options.join(",")));
    // Numbers go through a parse, so only digits reach the body.
    if let Ok(r) = f.get("recommendation").parse::<u64>() {
        body = body.raw("recommendation", &r.to_string());
    }
    if let Ok(m) = f.get("magnitude").parse::<i64>() {
        body = body.raw("magnitude", &m.to_string());
    }
    let effect = match f.get("target").split_once(':') {
        Some(("m", id)) => JsonObject::new()
            .str("effect", "rebaseline")
            .str("milestone_id", id)
            .str("to", &f.get("to"))
            .end(),
        Some(("d", id)) => JsonObject::new()
            .str("effect", "cancel_dependency")
            .str("dependency_id", id)
            .end(),
        _ => String::new(),
    };
    body.raw("effects", &format!("[{effect}]")).end()
}

/// `"expected_version": n` when the form carried the version it was rendered with.
fn with_version(body: JsonObject, f: &Submitted) -> JsonObject {
    match f.data("data-version").parse::<i64>() {
        Ok(v) => body.raw("expected_version", &v.to_string()),
        Err(_) => body,
    }
}

/// The stream types the governance view is folded from (as the server's `GOVERNANCE_STREAMS`).
const GOVERNANCE_STREAMS: [&str; 4] = ["governance", "decision", "escalation", "review_session"];

/// The program's governance view, read by the program page (its tabs flag bottlenecks) and shown
/// by the governance tab.
#[derive(Clone, Copy)]
pub struct GovernanceRead {
    pub data: RwSignal<Option<Value>>,
    pub failed: RwSignal<Option<ApiError>>,
    /// Bumped to read again (after an action).
    pub refresh: RwSignal<u64>,
}

impl GovernanceRead {
    /// Reads the view now and whenever a governance event arrives (`events`, fed by the page's
    /// live subscription) or `refresh` is bumped: one read at a time, one more if anything arrived
    /// meanwhile.
    pub fn start(
        program_id: ProgramId,
        as_of: Option<&AsOf>,
        events: RwSignal<Vec<RecordedEvent>>,
    ) -> Self {
        let read = Self {
            data: RwSignal::new(None),
            failed: RwSignal::new(None),
            refresh: RwSignal::new(0),
        };
        let Self {
            data,
            failed,
            refresh,
        } = read;
        let query = as_of
            .map(|a| format!("?as_of={}", api::encode(&a.query_value())))
            .unwrap_or_default();
        let path = format!("/api/programs/{program_id}/governance{query}");
        let in_flight = StoredValue::new(false);
        let again = StoredValue::new(false);
        // Only governance events change the view: the latest of them (the list is newest first),
        // so a milestone dragged on the timeline does not cost every viewer a read.
        let seen = StoredValue::new((None, u64::MAX));
        Effect::new(move |_| {
            let now = (
                events.with(|e| {
                    e.iter()
                        .find(|e| GOVERNANCE_STREAMS.contains(&e.stream_type.as_str()))
                        .map(|e| e.position)
                }),
                refresh.get(),
            );
            if seen.get_value() == now {
                return;
            }
            seen.set_value(now);
            if in_flight.get_value() {
                again.set_value(true);
                return;
            }
            in_flight.set_value(true);
            let path = path.clone();
            spawn_local(async move {
                match api::get_value(&path).await {
                    Ok(v) => {
                        data.set(Some(v));
                        failed.set(None);
                    }
                    Err(e) => failed.set(Some(e)),
                }
                in_flight.set_value(false);
                if again.get_value() {
                    again.set_value(false);
                    refresh.update(|n| *n += 1);
                }
            });
        });
        read
    }

    /// How many decisions wait past their SLA.
    pub fn bottlenecks(self) -> usize {
        self.data.with(|g| {
            g.as_ref()
                .map_or(0, |g| list(get(g, "attention"), "bottlenecks").len())
        })
    }
}

#[component]
pub fn GovernanceTab(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    governance: GovernanceRead,
    history: bool,
) -> impl IntoView {
    let auth = use_auth();
    let action_error = RwSignal::new(None::<ApiError>);
    let notice = RwSignal::new(String::new());
    let raising = RwSignal::new(false);
    let escalating = RwSignal::new(false);
    let chartering = RwSignal::new(false);
    let members = RwSignal::new(Vec::<ProgramMember>::new());
    let GovernanceRead {
        data,
        failed,
        refresh,
    } = governance;

    let reader = move || Reader {
        user_id: auth
            .me()
            .map(|m| m.user.user_id.to_string())
            .unwrap_or_default(),
        governs: auth.can(program_id, ProgramAction::Govern),
        raises: auth.can(program_id, ProgramAction::RaiseDecision),
        takes_part: auth.can(program_id, ProgramAction::TakePart),
        history,
    };
    let content = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let reader = reader();
        let mut html = String::from(
            "<div class=\"section-header\"><h2>Governance</h2><div class=\"page-actions\">",
        );
        if !history && reader.raises {
            html.push_str(&format!(
                "<button type=\"button\" class=\"btn btn-primary\" data-act=\"raise\" data-testid=\"raise-decision\" aria-expanded=\"{}\">Raise a decision</button>",
                raising.get()
            ));
        }
        if !history && reader.takes_part {
            html.push_str(&format!(
                "<button type=\"button\" class=\"btn btn-secondary\" data-act=\"escalate\" data-testid=\"escalate\" aria-expanded=\"{}\">Escalate</button>",
                escalating.get()
            ));
        }
        if !history && reader.governs {
            html.push_str(&format!(
                "<button type=\"button\" class=\"btn btn-ghost\" data-act=\"charter\" data-testid=\"charter\" aria-expanded=\"{}\">Set up governance</button>",
                chartering.get()
            ));
        }
        html.push_str("</div></div>");
        if let Some(e) = action_error.get() {
            html.push_str(&markup::error_html(&e));
        }
        view.with(|v| {
            let Some(v) = v else { return };
            if raising.get() {
                html.push_str(&raise_form_html(v));
            }
            if escalating.get() {
                html.push_str(&escalate_form_html(v));
            }
            let charter = chartering.get();
            // Borrowed, not cloned: the view is re-rendered on every governance event.
            data.with(|g| match (g, failed.get()) {
                (_, Some(e)) => html.push_str(&markup::error_html(&e)),
                (Some(g), None) => {
                    if charter {
                        html.push_str(&members.with(|m| charter_forms_html(g, m)));
                    }
                    html.push_str(&governance_html(g, v, &reader));
                }
                (None, None) => html.push_str("<p class=\"loading\">Loading governance…</p>"),
            });
        });
        if let Some(el) = content.get() {
            markup::set_preserving_inputs(&el, &html);
        }
    });

    let act = move |path: String, body: String, done: &'static str, reset: Option<String>| {
        spawn_local(async move {
            match api::post_json(&path, body).await {
                Ok(()) => {
                    action_error.set(None);
                    notice.set(done.to_string());
                    // By its key: a live re-render may have replaced the submitted form already.
                    if let Some(form) = reset.and_then(|key| {
                        content
                            .get_untracked()?
                            .query_selector(&format!("form[data-key=\"{key}\"]"))
                            .ok()
                            .flatten()?
                            .dyn_into::<web_sys::HtmlFormElement>()
                            .ok()
                    }) {
                        form.reset();
                    }
                    raising.set(false);
                    escalating.set(false);
                    refresh.update(|n| *n += 1);
                }
                Err(e) => action_error.set(Some(e)),
            }
        });
    };
    let base = format!("/api/programs/{program_id}");
    let on_click = {
        let base = base.clone();
        move |ev: web_sys::MouseEvent| {
            let Some(el) = markup::closest(&ev, "[data-act]") else {
                return;
            };
            let id = attr(&el, "data-id");
            match attr(&el, "data-act").as_str() {
                "raise" => raising.update(|r| *r = !*r),
                "charter" => {
                    chartering.update(|c| *c = !*c);
                    spawn_local(async move {
                        if let Ok(list) = api::list_members(program_id).await {
                            members.set(list);
                        }
                    });
                }
                "session" => act(
                    format!("{base}/forums/{id}/sessions"),
                    "{}".into(),
                    "Session opened.",
                    None,
                ),
                "done" => act(
                    format!("{base}/sessions/{}/actions/{id}", attr(&el, "data-session")),
                    JsonObject::new().str("status", "done").end(),
                    "Action done.",
                    None,
                ),
                "escalate" => escalating.update(|r| *r = !*r),
                "table" => act(
                    format!("{base}/decisions/{id}/table"),
                    "{}".into(),
                    "Tabled.",
                    None,
                ),
                "vote" => act(
                    format!("{base}/decisions/{id}/votes"),
                    JsonObject::new().str("vote", &attr(&el, "data-vote")).end(),
                    "Vote recorded.",
                    None,
                ),
                _ => {}
            }
        }
    };
    let on_submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(f) = Submitted::from(&ev) else {
            return;
        };
        let id = f.data("data-id");
        match f.data("data-form").as_str() {
            "outcome" => {
                let mut body = JsonObject::new()
                    .str("outcome", &f.button)
                    .str("rationale", &f.get("rationale"));
                if !f.get("until").is_empty() {
                    body = body.str("until", &f.get("until"));
                }
                let body = with_version(body, &f).end();
                act(
                    format!("{base}/decisions/{id}/outcome"),
                    body,
                    "Outcome recorded.",
                    Some(f.data("data-key")),
                )
            }
            "escalation" => act(
                format!("{base}/escalations/{id}/{}", f.button),
                with_version(JsonObject::new().str("text", &f.get("text")), &f).end(),
                "Escalation updated.",
                Some(f.data("data-key")),
            ),
            "session" => {
                let body = match f.button.as_str() {
                    "attendance" => JsonObject::new()
                        .raw(
                            "present",
                            &format!(
                                "[{}]",
                                f.all("present")
                                    .iter()
                                    .map(|p| markup::json_string(p))
                                    .collect::<Vec<_>>()
                                    .join(",")
                            ),
                        )
                        .end(),
                    "minutes" => JsonObject::new().str("minutes", &f.get("minutes")).end(),
                    "actions" => JsonObject::new()
                        .str("title", &f.get("title"))
                        .str("owner", &f.get("owner"))
                        .str("due", &f.get("due"))
                        .end(),
                    _ => "{}".into(),
                };
                let path = format!("{base}/sessions/{id}/{}", f.button);
                act(
                    path,
                    body,
                    "Session record saved.",
                    Some(f.data("data-key")),
                )
            }
            "forum" => {
                let body = JsonObject::new()
                    .str("name", &f.get("name"))
                    .str("purpose", &f.get("purpose"))
                    .str("chair", &f.get("chair"))
                    .raw("members", &json_strings(&f.all("members")))
                    .raw(
                        "quorum",
                        &f.get("quorum").parse::<u32>().unwrap_or(0).to_string(),
                    )
                    .str("cadence", &f.get("cadence"))
                    .str("first_session", &f.get("first"))
                    .raw(
                        "decision_sla_days",
                        &f.get("sla").parse::<u32>().unwrap_or(0).to_string(),
                    )
                    .end();
                act(
                    format!("{base}/forums"),
                    body,
                    "Forum established.",
                    Some(f.data("data-key")),
                )
            }
            "rights" => {
                let (kinds, thresholds, forums) =
                    (f.all("kind"), f.all("threshold"), f.all("forum"));
                let rules: Vec<String> = kinds
                    .iter()
                    .zip(&thresholds)
                    .zip(&forums)
                    .filter(|(_, forum)| !forum.is_empty())
                    .map(|((kind, threshold), forum)| {
                        let mut rule = JsonObject::new().str("kind", kind).str("forum_id", forum);
                        if let Ok(t) = threshold.trim().parse::<i64>() {
                            let t = if kind == "budget_change" { t * 100 } else { t };
                            rule = rule.raw("threshold", &t.to_string());
                        }
                        rule.end()
                    })
                    .collect();
                let body = JsonObject::new()
                    .raw("rights", &format!("[{}]", rules.join(",")))
                    .end();
                act(
                    format!("{base}/decision-rights"),
                    body,
                    "Decision rights saved.",
                    None,
                )
            }
            "path" => {
                let (titles, contacts, hours) = (f.all("title"), f.all("contact"), f.all("hours"));
                let levels: Vec<String> = titles
                    .iter()
                    .zip(&contacts)
                    .zip(&hours)
                    .filter(|((title, _), _)| !title.trim().is_empty())
                    .map(|((title, contact), hours)| {
                        JsonObject::new()
                            .str("title", title)
                            .str("contact", contact)
                            .raw(
                                "response_sla_hours",
                                &hours.trim().parse::<u32>().unwrap_or(0).to_string(),
                            )
                            .end()
                    })
                    .collect();
                let body = JsonObject::new()
                    .raw("levels", &format!("[{}]", levels.join(",")))
                    .end();
                act(
                    format!("{base}/escalation-path"),
                    body,
                    "Escalation path saved.",
                    None,
                )
            }
            "raise" => act(
                format!("{base}/decisions"),
                raise_body(&f),
                "Decision raised.",
                Some(f.data("data-key")),
            ),
            "escalate" => match item_ref(&f.get("target")) {
                Some(subject) => act(
                    format!("{base}/escalations"),
                    JsonObject::new()
                        .raw("subject", &subject)
                        .str("reason", &f.get("reason"))
                        .end(),
                    "Escalated.",
                    Some(f.data("data-key")),
                ),
                None => action_error.set(Some(ApiError::field_error(
                    "subject",
                    "choose the item to escalate",
                ))),
            },
            _ => {}
        }
    };
    view! {
        <section class="governance" aria-label="Governance" on:click=on_click on:submit=on_submit>
            <p class="visually-hidden" role="status" aria-live="polite">{move || notice.get()}</p>
            <div node_ref=content data-testid="governance"></div>
        </section>
    }
}
