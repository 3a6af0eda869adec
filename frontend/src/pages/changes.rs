//! What changed in a program between two moments (a page of the administration app): since
//! yesterday, since last week, since the forum's last review session, or between any two dates;
//! every milestone, dependency, project report, objective, the critical path, decision,
//! escalation and risk that changed, from `GET …/changes`, read as the diff of the two folded
//! views; and the plan at the second moment on the program timeline, with a ghost where each
//! moved milestone stood at the first.

use std::collections::HashMap;

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use throughline_shared::analysis::DependencyStatus;
use throughline_shared::changes::{Change, MilestoneDiff, Presence, ProgramChanges};
use throughline_shared::governance::decision::DecisionState;
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::ProgramView;
use throughline_shared::{ProgramId, Rag};

use crate::api::{self, ApiError, AsOf};
use crate::components::feedback::ReadFailed;
use crate::components::rag_chip::RagChip;
use crate::components::timeline::Timeline;
use crate::dates::day_month_year as day;
use crate::pages::not_found::NotFound;
use crate::schedule::Schedule;

#[component]
pub fn ChangesPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let q = query.read();
        (
            params
                .read()
                .get("id")
                .and_then(|id| id.parse::<ProgramId>().ok()),
            q.get("from"),
            q.get("to"),
        )
    });
    move || {
        let (id, from, to) = key.get();
        match id {
            Some(id) => view! { <Changes id from to/> }.into_any(),
            None => view! { <NotFound/> }.into_any(),
        }
    }
}

/// The presets, as the page's `from`: the last 24 hours and the last 7 days, from the moment the
/// page is read (ISO 8601 durations, turned into an instant here).
const DAY: &str = "P1D";
const WEEK: &str = "P7D";

/// `from` as the API takes it: a preset becomes the instant it stands for.
fn since(from: &str) -> String {
    let days = match from {
        DAY => 1,
        WEEK => 7,
        other => return other.to_string(),
    };
    let now = crate::time::now_ms() as i64;
    chrono::DateTime::from_timestamp_millis(now - days * 86_400_000)
        .map_or_else(|| from.to_string(), |t| t.to_rfc3339())
}

/// Everything the page shows, read together: one loading state, one error.
#[derive(Clone)]
struct Loaded {
    changes: ProgramChanges,
    /// The program as it stood at the second moment.
    program: ProgramView,
    /// The position of the latest review session, for its preset.
    last_session: Option<(i64, NaiveDate)>,
    /// The latest published briefing: its number, the moment it reported on and that day.
    last_briefing: Option<(u32, i64, NaiveDate)>,
}

#[component]
fn Changes(id: ProgramId, from: Option<String>, to: Option<String>) -> impl IntoView {
    let from = from.unwrap_or_else(|| WEEK.to_string());
    let read = {
        let (from, to) = (from.clone(), to.clone());
        LocalResource::new(move || {
            let (from, to) = (from.clone(), to.clone());
            async move {
                let changes = api::program_changes(id, &since(&from), to.as_deref()).await?;
                // The plan at the second moment, which the timeline draws.
                let program = api::get_program(id, Some(&AsOf::Position(changes.to))).await?;
                if let Some(document) = web_sys::window().and_then(|w| w.document()) {
                    document.set_title(&format!("What changed in {} · Throughline", program.name));
                }
                let last_session = api::governance(id, None)
                    .await
                    .ok()
                    .and_then(|g| g.view.sessions.last().map(|s| (s.position, s.date)));
                let last_briefing = api::briefings(id)
                    .await
                    .ok()
                    .and_then(|l| l.latest().map(|b| (b.number, b.as_of, b.as_of_day)));
                Ok::<_, ApiError>(Loaded {
                    changes,
                    program,
                    last_session,
                    last_briefing,
                })
            }
        })
    };
    let name = move || {
        read.with(|r| {
            r.as_ref()
                .and_then(|r| r.as_ref().ok())
                .map(|l| l.program.name.clone())
                .unwrap_or_default()
        })
    };
    let base = format!("/programs/{id}/changes");

    let preset = {
        let (from, to) = (from.clone(), to.clone());
        move |value: &str| (to.is_none() && from == value).then_some("page")
    };
    let session_link = {
        let (base, preset) = (base.clone(), preset.clone());
        move || {
            read.with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|l| l.last_session)
                    .map(|(position, date)| {
                        let value = position.to_string();
                        view! {
                            <a class="btn btn-secondary btn-small" data-preset="session"
                                aria-current=preset(&value) href=format!("{base}?from={value}")>
                                {format!("Since the review session of {}", day(date))}
                            </a>
                        }
                    })
            })
        }
    };
    let briefing_link = {
        let (base, preset) = (base.clone(), preset.clone());
        move || {
            read.with(|r| {
                r.as_ref()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|l| l.last_briefing)
                    .map(|(number, position, date)| {
                        let value = position.to_string();
                        view! {
                            <a class="btn btn-secondary btn-small" data-preset="briefing"
                                aria-current=preset(&value) href=format!("{base}?from={value}")>
                                {format!("Since briefing {number} ({})", day(date))}
                            </a>
                        }
                    })
            })
        }
    };
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <a href="/" rel="external">"Programs"</a>
            <span aria-hidden="true">" / "</span>
            <a href=format!("/programs/{id}") rel="external">{name}</a>
            <span aria-hidden="true">" / "</span>
            <span aria-current="page">"What changed"</span>
        </nav>
        <div class="page-header">
            <div>
                <h1 data-testid="program-name">{name}</h1>
                <p class="lede">"What changed between two moments, read from the log: each view as it stood then, compared with how it stands now (or at the second moment)."</p>
            </div>
        </div>
        <nav class="tabs" aria-label="Program views">
            <a href=format!("/programs/{id}") rel="external">"Overview and schedule"</a>
            <a href=format!("/programs/{id}/objectives") rel="external">"Objectives and scope"</a>
            <a href=format!("/programs/{id}/governance") rel="external">"Governance"</a>
            <a href=format!("/programs/{id}/raid") rel="external">"Risks and issues"</a>
            <a href=base.clone() aria-current="page" class="active">"What changed"</a>
            <a href=format!("/programs/{id}/briefings")>"Briefings"</a>
            <a href=format!("/programs/{id}/audit") rel="external">"Audit trail"</a>
        </nav>
        <div class="changes-presets" role="group" aria-label="Compare">
            <a class="btn btn-secondary btn-small" data-preset="yesterday"
                aria-current=preset(DAY) href=format!("{base}?from={DAY}")>"Since yesterday"</a>
            <a class="btn btn-secondary btn-small" data-preset="week"
                aria-current=preset(WEEK) href=format!("{base}?from={WEEK}")>"Since last week"</a>
            {session_link}
            {briefing_link}
            <Custom base=base.clone() from=from.clone() to=to.clone()/>
        </div>
        <Transition fallback=|| view! { <p class="loading" role="status">"Comparing…"</p> }>
            <ErrorBoundary fallback=|errors| view! {
                <ReadFailed errors=errors title="Could not compare these moments"/>
            }>
                {move || read.get().map(|r| r.map(|loaded| view! { <ChangeList loaded/> }))}
            </ErrorBoundary>
        </Transition>
    }
}

/// Two dates of the reader's choosing.
#[component]
fn Custom(base: String, from: String, to: Option<String>) -> impl IntoView {
    let navigate = use_navigate();
    let is_date = |s: &str| crate::dates::parse_input(s).is_some();
    let from = RwSignal::new(if is_date(&from) { from } else { String::new() });
    let to = RwSignal::new(to.filter(|t| is_date(t)).unwrap_or_default());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (f, t) = (from.get_untracked(), to.get_untracked());
        if f.is_empty() {
            return;
        }
        let to = if t.is_empty() {
            String::new()
        } else {
            format!("&to={t}")
        };
        navigate(&format!("{base}?from={f}{to}"), Default::default());
    };
    view! {
        <form class="changes-custom" data-testid="changes-custom" on:submit=submit>
            <label class="field">
                <span>"From"</span>
                <input type="date" name="from" required prop:value=move || from.get()
                    on:input=move |ev| from.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>"To"</span>
                <input type="date" name="to" prop:value=move || to.get()
                    on:input=move |ev| to.set(event_target_value(&ev))/>
            </label>
            <button class="btn btn-primary btn-small">"Compare"</button>
        </form>
    }
}

fn dated(change: &Change<Option<NaiveDate>>) -> (String, String) {
    let words = |d: Option<NaiveDate>| d.map_or_else(|| "none".to_string(), day);
    (words(change.from), words(change.to))
}

fn signed(days: i64) -> String {
    match days {
        0 => "on plan".into(),
        d if d > 0 => format!("+{d} d"),
        d => format!("{d} d"),
    }
}

/// A milestone's changes in words, one phrase each.
fn milestone_words(m: &MilestoneDiff) -> Vec<String> {
    let mut out = Vec::new();
    match m.presence {
        Presence::Added => out.push("Added".to_string()),
        Presence::Removed => out.push("Left the plan (cancelled or removed)".to_string()),
        Presence::Changed => {}
    }
    if let Some(c) = &m.renamed {
        out.push(format!("Renamed from “{}”", c.from));
    }
    if let (Some(c), Some(d)) = (&m.forecast, m.moved_days) {
        let way = if d >= 0 { "later" } else { "earlier" };
        out.push(format!(
            "Forecast {} → {} ({} days {way})",
            day(c.from),
            day(c.to),
            d.abs()
        ));
    }
    if let Some(c) = &m.baseline {
        let (from, to) = dated(c);
        out.push(format!("Baseline {from} → {to}"));
    }
    if let Some(c) = &m.variance_days {
        let words = |v: Option<i64>| v.map_or_else(|| "—".to_string(), signed);
        out.push(format!("Variance {} → {}", words(c.from), words(c.to)));
    }
    if let Some(c) = &m.met {
        out.push(c.to.map_or_else(
            || "No longer recorded as met".to_string(),
            |met| format!("Met on {}", day(met)),
        ));
    }
    if let Some(c) = &m.percent_complete {
        out.push(format!("Progress {}% → {}%", c.from, c.to));
    }
    if m.project.is_some() {
        out.push("Moved to another project".to_string());
    }
    if let Some(c) = &m.float_days {
        let words = |f: Option<i64>| f.map_or_else(|| "—".to_string(), |f| format!("{f} d"));
        out.push(format!("Float {} → {}", words(c.from), words(c.to)));
    }
    out
}

fn status_word(s: Option<DependencyStatus>) -> &'static str {
    s.map_or("not there", DependencyStatus::label)
}

fn decision_word(s: Option<DecisionState>) -> &'static str {
    match s {
        None => "not raised",
        Some(DecisionState::Proposed) => "proposed",
        Some(DecisionState::InReview) => "in review",
        Some(DecisionState::Approved) => "approved",
        Some(DecisionState::Rejected) => "rejected",
        Some(DecisionState::Deferred) => "deferred",
        Some(DecisionState::Superseded) => "superseded",
    }
}

fn presence_word(p: Presence, added: &'static str, removed: &'static str) -> Option<String> {
    match p {
        Presence::Added => Some(added.to_string()),
        Presence::Removed => Some(removed.to_string()),
        Presence::Changed => None,
    }
}

/// One changed item: what it is, and what changed about it.
#[derive(Clone)]
struct Row {
    key: String,
    what: String,
    rag: Option<Change<Option<Rag>>>,
    narrative: Option<String>,
    words: Vec<String>,
}

fn row(key: impl ToString, what: String, words: Vec<String>) -> Row {
    Row {
        key: key.to_string(),
        what,
        rag: None,
        narrative: None,
        words,
    }
}

/// One table of changed items, keyed by item.
#[component]
fn Section(title: &'static str, testid: &'static str, rows: Vec<Row>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        let count = rows.len();
        view! {
            <section class="card changes-section" data-testid=testid>
                <h2 class="card-title">{title}" "<span class="count">{count}</span></h2>
                <table class="data-table">
                    <tbody>
                        <For each=move || rows.clone() key=|r| r.key.clone()
                            children=|r| view! {
                                <tr data-testid="change-row" data-key=r.key>
                                    <th scope="row">{r.what}</th>
                                    <td>
                                        {r.rag.map(|c| view! {
                                            <p class="rag-change"><RagChip rag=c.from/>" → "<RagChip rag=c.to/></p>
                                        })}
                                        {r.narrative.map(|n| view! { <p class="narrative">"“"{n}"”"</p> })}
                                        <ul class="change-phrases">
                                            {r.words.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                                        </ul>
                                    </td>
                                </tr>
                            }/>
                    </tbody>
                </table>
            </section>
        }
    })
}

#[component]
fn ChangeList(loaded: Loaded) -> impl IntoView {
    let Loaded {
        changes: c,
        program,
        ..
    } = loaded;
    let milestone_name = |id: MilestoneId| {
        program
            .milestones
            .iter()
            .find(|m| m.milestone_id == id)
            .map(|m| m.name.clone())
            .or_else(|| {
                c.milestones
                    .iter()
                    .find(|m| m.milestone_id == id)
                    .map(|m| m.name.clone())
            })
            .unwrap_or_else(|| "a milestone".to_string())
    };
    let project_name = |id| {
        program
            .project(id)
            .map_or_else(|| "a project".to_string(), |p| p.name.clone())
    };
    let range = format!(
        "From position {} ({}) to position {} ({}).",
        c.from,
        day(c.from_day),
        c.to,
        day(c.to_day)
    );
    if c.is_empty() {
        return view! {
            <p class="muted" data-testid="changes-range">{range}</p>
            <p class="empty-state" data-testid="no-changes">"Nothing changed between these moments."</p>
        }
        .into_any();
    }
    let milestones = c
        .milestones
        .iter()
        .map(|m| {
            row(
                m.milestone_id,
                format!("{} · {}", m.name, project_name(m.project_id)),
                milestone_words(m),
            )
        })
        .collect();
    let dependencies = c
        .dependencies
        .iter()
        .map(|d| {
            let mut words: Vec<String> = presence_word(d.presence, "Added", "Gone")
                .into_iter()
                .collect();
            if let Some(s) = &d.status {
                words.push(format!("{} → {}", status_word(s.from), status_word(s.to)));
            }
            if let Some(g) = &d.gap_days {
                words.push(format!("Short by {} → {} days", g.from, g.to));
            }
            row(
                d.dependency_id,
                format!(
                    "{} → {}",
                    milestone_name(d.provider),
                    milestone_name(d.consumer)
                ),
                words,
            )
        })
        .collect();
    let projects = c
        .projects
        .iter()
        .map(|p| {
            let mut words: Vec<String> = presence_word(p.presence, "Added", "Gone")
                .into_iter()
                .collect();
            if let Some(r) = &p.renamed {
                words.push(format!("Renamed from “{}”", r.from));
            }
            if let Some(s) = &p.stage {
                words.push(format!("{:?} → {:?}", s.from, s.to).to_lowercase());
            }
            Row {
                rag: p.rag.clone(),
                narrative: p.narrative.clone(),
                ..row(p.project_id, p.name.clone(), words)
            }
        })
        .collect();
    let objectives = c
        .objectives
        .iter()
        .map(|o| {
            let mut words: Vec<String> = presence_word(o.presence, "Added", "Retired")
                .into_iter()
                .collect();
            match (&o.threatened, &o.days_over) {
                (Some(t), _) if t.to => words.push("Now threatened".into()),
                (Some(_), _) => words.push("No longer threatened".into()),
                _ => {}
            }
            if let Some(d) = &o.days_over {
                words.push(format!("Over its target by {} → {} days", d.from, d.to));
            }
            if let Some(f) = &o.latest_finish {
                let (from, to) = dated(f);
                words.push(format!("Latest finish {from} → {to}"));
            }
            if let Some(t) = &o.target_date {
                let (from, to) = dated(t);
                words.push(format!("Target {from} → {to}"));
            }
            row(o.objective_id, o.title.clone(), words)
        })
        .collect();
    let critical: Vec<_> = c
        .critical_path
        .iter()
        .map(|p| {
            let names = |ids: &[MilestoneId]| {
                ids.iter()
                    .map(|m| milestone_name(*m))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let mut words = Vec::new();
            if !p.joined.is_empty() {
                words.push(format!("Joined: {}", names(&p.joined)));
            }
            if !p.left.is_empty() {
                words.push(format!("Left: {}", names(&p.left)));
            }
            words.push(format!("Now: {}", names(&p.to)));
            row("critical", "Critical path".to_string(), words)
        })
        .collect();
    let decisions = c
        .decisions
        .iter()
        .map(|d| {
            let words = d
                .state
                .iter()
                .map(|s| format!("{} → {}", decision_word(s.from), decision_word(s.to)))
                .collect();
            row(d.decision_id, d.question.clone(), words)
        })
        .collect();
    let escalations = c
        .escalations
        .iter()
        .map(|e| {
            let mut words: Vec<String> = presence_word(e.presence, "Raised", "Gone")
                .into_iter()
                .collect();
            if let Some(l) = &e.level {
                words.push(format!("Up the path: level {} → {}", l.from + 1, l.to + 1));
            }
            if e.resolved.as_ref().is_some_and(|r| r.to) {
                words.push("Resolved".into());
            }
            row(e.escalation_id, e.subject.clone(), words)
        })
        .collect();
    let risks = c
        .risks
        .iter()
        .map(|r| {
            let mut words: Vec<String> = presence_word(r.presence, "Identified", "Gone")
                .into_iter()
                .collect();
            if let Some(s) = &r.score {
                let score = |s: Option<u8>| s.map_or_else(|| "—".to_string(), |s| s.to_string());
                words.push(format!("Score {} → {}", score(s.from), score(s.to)));
            }
            if let Some(s) = &r.state {
                words.push(format!("{} → {}", s.from.label(), s.to.label()));
            }
            row(r.risk_id, r.title.clone(), words)
        })
        .collect();
    // Where each milestone that moved on the timeline stood at the first moment: met then, at
    // its actual; else at its forecast then.
    let was: HashMap<MilestoneId, NaiveDate> = c
        .milestones
        .iter()
        .filter_map(|m| {
            let now = program.milestone(m.milestone_id)?;
            let then = match (&m.met, &m.forecast) {
                (
                    Some(Change {
                        from: Some(met), ..
                    }),
                    _,
                ) => *met,
                (_, Some(forecast)) => forecast.from,
                // Met since, its forecast unchanged.
                (Some(_), None) => now.forecast,
                (None, None) => return None,
            };
            (then != now.actual.unwrap_or(now.forecast)).then_some((m.milestone_id, then))
        })
        .collect();
    let timeline = (!was.is_empty()).then(|| {
        view! { <MovesOnTimeline program=program.clone() was day=c.to_day/> }
    });
    view! {
        <p class="muted" data-testid="changes-range">{range}</p>
        {timeline}
        <div class="changes-grid">
            <Section title="Milestones" testid="changed-milestones" rows=milestones/>
            <Section title="Dependencies" testid="changed-dependencies" rows=dependencies/>
            <Section title="Critical path" testid="changed-critical-path" rows=critical/>
            <Section title="Project reports" testid="changed-projects" rows=projects/>
            <Section title="Objectives" testid="changed-objectives" rows=objectives/>
            <Section title="Decisions" testid="changed-decisions" rows=decisions/>
            <Section title="Escalations" testid="changed-escalations" rows=escalations/>
            <Section title="Risks" testid="changed-risks" rows=risks/>
        </div>
    }
    .into_any()
}

/// The plan at the second moment on the program's timeline, with a ghost where each moved
/// milestone stood at the first and an arrow to where it went: the moves of a slip's chain seen
/// together.
#[component]
fn MovesOnTimeline(
    program: ProgramView,
    was: HashMap<MilestoneId, NaiveDate>,
    day: NaiveDate,
) -> impl IntoView {
    let moved = was.len();
    let view = RwSignal::new(Some(program));
    let schedule = Schedule::new(view, Memo::new(move |_| day));
    view! {
        <section class="card changes-timeline" data-testid="changes-timeline">
            <h2 class="card-title">"On the timeline "<span class="count">{moved}</span></h2>
            <p class="muted">
                "The plan at the second moment. A milestone that moved (its forecast, or met on \
                 another day) has a ghost where it stood at the first moment, and an arrow to where \
                 it went."
            </p>
            <Timeline schedule flashed=Signal::stored(Vec::new()) selected=RwSignal::new(None)
                risk_marks=Signal::stored(Vec::new()) was=Signal::stored(was)/>
        </section>
    }
}
