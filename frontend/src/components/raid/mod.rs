//! The program's RAID tab: what needs attention (risks above appetite, stale reviews, overdue
//! actions), the 5×5 heatmap, the risk register with each risk's trend, controls and history,
//! issues, assumptions, risks grouped by cause and category, and where risks reach through the
//! schedule.
//!
//! Built like the governance tab: typed components over the server's `RaidRegister`; every list is
//! keyed by its item's id and every row reads its own item through a memo, so a live re-read only
//! touches the rows whose data changed; forms own their signals and are never re-created by a
//! re-read, so typing survives any number of live events. Filtering and sorting happen here, on
//! the whole register, so the heatmap and counts always describe the program, not the filter.

mod actions;
mod assumptions;
mod heatmap;
mod identify;
mod items;
mod panels;
mod read;
mod register;
mod risk_forms;
mod risk_panel;
mod suggestions;
mod top;

use crate::api::{self, ApiError, AsOf, RaidMethod};
use crate::auth::use_auth;
use crate::components::governance::ErrorList;
use assumptions::{Assumptions, RecordAssumptionForm};
use heatmap::Heatmap;
use identify::{AppetiteForm, IdentifyForm};
use items::{Issues, RaiseIssueForm};
use leptos::prelude::*;
use leptos::task::spawn_local;
use panels::{ExposurePanel, Groups};
pub use read::RaidRead;
use register::RiskRegister;
use suggestions::Suggestions;
use throughline_shared::ProgramId;
use throughline_shared::access::{ProgramAccess, ProgramAction};
use throughline_shared::ids::{MilestoneId, ProjectId};
use throughline_shared::raid::register::RaidRegister;
use throughline_shared::raid::requests::ExposureResponse;
use throughline_shared::raid::suggestions::RiskSuggestion;
use throughline_shared::raid::{Band, Rating};
use throughline_shared::view::ProgramView;
pub use top::TopRisks;

/// Who is reading, as far as the controls on offer go.
#[derive(Clone, Debug, PartialEq)]
struct Reader {
    access: ProgramAccess,
    /// Sets the appetite and categories.
    governs: bool,
    /// Reading the register as it stood at some point: nothing can be changed.
    history: bool,
}

impl Reader {
    /// Whether the reader may change an item scoped to `projects` (none: a program item).
    fn manages(&self, projects: &[ProjectId]) -> bool {
        !self.history && self.access.can_manage_raid(projects)
    }
}

/// What every part of the tab shares: the data it shows and the way it sends commands.
#[derive(Clone, Copy)]
struct Raid {
    program_id: ProgramId,
    data: RwSignal<Option<RaidRegister>>,
    exposure: RwSignal<Option<ExposureResponse>>,
    suggestions: RwSignal<Option<Vec<RiskSuggestion>>>,
    program: RwSignal<Option<ProgramView>>,
    reader: Memo<Reader>,
    /// The last failed command, shown at the top of the tab.
    error: RwSignal<Option<ApiError>>,
    notice: RwSignal<String>,
    refresh: RwSignal<u64>,
    as_of: RwSignal<Option<AsOf>>,
}

impl Raid {
    /// Sends a command (its body encoded by the caller with `api::json_body`, so the request
    /// below is compiled once for every kind of command) to `path` under the register; on
    /// success announces `done`, runs `then` (a form resetting or closing itself) and reads the
    /// register again. A refusal is shown at `errors` when given (a risk's panel, far below the
    /// tab's top, shows its own: a response refused for want of a decision names the forum
    /// right there), else at the top of the tab.
    fn send(
        self,
        errors: Option<RwSignal<Option<ApiError>>>,
        method: RaidMethod,
        path: String,
        body: Result<Option<String>, ApiError>,
        done: &'static str,
        then: Option<Callback<()>>,
    ) {
        let errors = errors.unwrap_or(self.error);
        spawn_local(async move {
            let answer = match body {
                Ok(body) => api::raid_command(self.program_id, method, &path, body).await,
                Err(e) => Err(e),
            };
            match answer {
                Ok(()) => {
                    errors.try_set(None);
                    self.error.set(None);
                    self.notice.set(done.to_string());
                    if let Some(then) = then {
                        then.run(());
                    }
                    self.refresh.update(|n| *n += 1);
                }
                Err(e) => {
                    // A panel closed meanwhile: show it at the top instead.
                    if errors.try_set(Some(e.clone())).is_some() {
                        self.error.set(Some(e));
                    }
                }
            }
        });
    }

    fn post(self, path: String, body: Result<Option<String>, ApiError>, done: &'static str) {
        self.send(None, RaidMethod::Post, path, body, done, None);
    }

    /// A problem found before asking the server, shown like the server's own.
    fn refuse(self, field: &str, message: &str) {
        self.error.set(Some(ApiError::field_error(field, message)));
    }

    fn project_name(self, id: ProjectId) -> String {
        self.program.with(|v| {
            v.as_ref()
                .and_then(|v| v.project(id))
                .map_or_else(|| "a project".to_string(), |p| p.name.clone())
        })
    }

    /// "Ledger, Cards", or "Program" for an item of the program itself.
    fn scope_names(self, projects: &[ProjectId]) -> String {
        if projects.is_empty() {
            return "Program".to_string();
        }
        projects
            .iter()
            .map(|p| self.project_name(*p))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn milestone_name(self, id: MilestoneId) -> String {
        self.program.with(|v| {
            v.as_ref()
                .and_then(|v| v.milestone(id))
                .map_or_else(|| "a milestone".to_string(), |m| m.name.clone())
        })
    }
}

/// A date as "5 Mar 2027".
fn day(date: chrono::NaiveDate) -> String {
    crate::dates::day_month_year(date)
}

/// A form field's text without the spaces around it.
fn trimmed(signal: RwSignal<String>) -> String {
    signal.with_untracked(|s| s.trim().to_string())
}

/// An optional date field: `None` when empty or unreadable.
fn date_of(signal: RwSignal<String>) -> Option<chrono::NaiveDate> {
    signal.with_untracked(|s| crate::dates::parse_input(s))
}

/// A band's class suffix (`band-very_low`): colours chosen for contrast with their text.
fn band_class(band: Band) -> String {
    format!("band band-{}", band.wire_name())
}

/// The words for a probability rating.
fn probability_words(r: u8) -> &'static str {
    match r {
        1 => "rare",
        2 => "unlikely",
        3 => "possible",
        4 => "likely",
        _ => "almost certain",
    }
}

/// The words for an impact rating.
fn impact_words(r: u8) -> &'static str {
    match r {
        1 => "negligible",
        2 => "minor",
        3 => "moderate",
        4 => "major",
        _ => "severe",
    }
}

/// A 1–5 rating from a select's value.
fn rating(signal: RwSignal<String>) -> Rating {
    let n = signal.with_untracked(|s| s.parse().unwrap_or(3));
    Rating::new(n).unwrap_or(Rating::ALL[2])
}

/// A select's options, value then text.
type Options = Vec<(String, String)>;

/// The 1–5 options of a rating, each with its words.
fn rating_options(words: fn(u8) -> &'static str) -> Signal<Options> {
    Signal::stored(
        (1..=5u8)
            .map(|n| (n.to_string(), format!("{n} — {}", words(n))))
            .collect(),
    )
}

/// Options whose value is their text.
fn plain_options(words: &[&'static str]) -> Signal<Options> {
    Signal::stored(
        words
            .iter()
            .map(|w| (w.to_string(), w.to_string()))
            .collect(),
    )
}

/// A labelled text, number or date input (or a textarea), bound to `value`. One component for
/// every field of the tab, so its view is compiled once.
#[component]
fn Field(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    /// The input's type ("" for text), or "textarea".
    #[prop(optional)]
    kind: &'static str,
    /// Said after the label, quieter ("(optional)").
    #[prop(optional)]
    note: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] grow: bool,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    let input = if kind == "textarea" {
        view! { <textarea name=name rows="2" bind:value=value></textarea> }.into_any()
    } else {
        view! {
            <input type=kind name=name required=required placeholder=placeholder
                min=(kind == "number").then_some("0") bind:value=value/>
        }
        .into_any()
    };
    view! {
        <label class=if grow { "field grow" } else { "field" }>
            <span>{label}" "<span class="optional">{note}</span></span>
            {input}
        </label>
    }
}

/// A labelled select setting `value` to the chosen option's value; the options may change (a
/// project added) without losing the choice.
#[component]
fn Choice(
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    options: Signal<Options>,
    /// A filter in a toolbar rather than a form's field.
    #[prop(optional)]
    inline: bool,
) -> impl IntoView {
    view! {
        <label class=if inline { "inline-field" } else { "field" }>
            <span>{label}</span>
            <select name=name on:change=move |ev| value.set(event_target_value(&ev))>
                {move || options.get().into_iter().map(|(v, text)| {
                    let selected = value.with_untracked(|c| *c == v);
                    view! { <option value=v selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// Every form of the tab: a header form (with a title) or one inside a row or panel, its fields,
/// and its button (whose value is the form's name), with an optional second button valued
/// "second". `submit` gets the event once its default is prevented.
#[component]
fn Shell(
    /// Its `data-form` (and, for a header form, `data-testid` "{form}-form").
    form: &'static str,
    #[prop(optional)] title: Option<&'static str>,
    button: &'static str,
    /// A second button ("" for none).
    #[prop(optional)]
    second: &'static str,
    submit: Callback<leptos::ev::SubmitEvent>,
    children: Children,
) -> impl IntoView {
    let header = title.is_some();
    view! {
        <form class=if header { "create-form gov-form raid-form" } else { "outcome-form raid-inline-form" }
            data-form=form data-testid=title.map(|_| format!("{form}-form"))
            on:submit=move |ev| {
                ev.prevent_default();
                submit.run(ev);
            }>
            {title.map(|t| view! { <h3 class="form-title">{t}</h3> })}
            <div class="field-row">{children()}</div>
            <div class="form-actions">
                <button class=if header { "btn btn-primary" } else { "btn btn-primary btn-small" } value=form>
                    {button}
                </button>
                {(!second.is_empty()).then(|| view! { " "<button class="btn btn-ghost btn-small" value="second">{second}</button> })}
            </div>
        </form>
    }
}

/// A form whose one field is the words why (closing a risk, resolving an issue, checking an
/// assumption), with more fields as `children` when there are any (realising a risk).
#[component]
fn TextForm(
    form: &'static str,
    label: &'static str,
    button: &'static str,
    #[prop(optional)] second: &'static str,
    /// Gets the words and whether the second button sent the form.
    submit: Callback<(String, bool)>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let submit = Callback::new(move |ev: leptos::ev::SubmitEvent| {
        let second = crate::components::governance::submitter(&ev) == "second";
        submit.run((trimmed(text), second));
    });
    view! {
        <Shell form button second submit>
            <Field label name="reason" value=text required=true grow=true/>
            {children.map(|c| c())}
        </Shell>
    }
}

/// A keyed list of rows (risks, issues, assumptions): one `For`, compiled once, for all three.
#[component]
fn Rows(
    raid: Raid,
    ids: Memo<Vec<uuid::Uuid>>,
    row: fn(Raid, uuid::Uuid) -> AnyView,
) -> impl IntoView {
    view! {
        <For each=move || ids.get() key=|id| *id let:id>
            {row(raid, id)}
        </For>
    }
}

/// A list's order: each item's id under its key (what it sorts by first, then its title, then
/// where it stood), sorted by the one routine every list of the tab shares (the keys are
/// unique, so the order is stable).
fn sorted(mut keyed: Vec<(i64, String, usize, uuid::Uuid)>) -> Vec<uuid::Uuid> {
    keyed.sort_unstable();
    keyed.into_iter().map(|k| k.3).collect()
}

/// A title as it sorts: ASCII letters case-folded, so the Unicode case tables stay out of the
/// wasm.
fn sort_title(title: &str) -> String {
    title.to_ascii_lowercase()
}

/// A flag, pill or note after a cell's main text; "line" in `class` puts it on a line of its
/// own. One view for every such mark of the tab, so it is compiled once.
fn tag(class: &'static str, text: &str, testid: Option<&'static str>) -> impl IntoView + use<> {
    let text = text.to_string();
    view! { " "<span class=class data-testid=testid>{text}</span> }
}

/// A note standing in for an empty list (`text` is `None` while the list has items).
#[component]
fn Empty(
    text: Signal<Option<&'static str>>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    move || {
        text.get()
            .map(|text| view! { <p class="empty-state small" data-testid=testid>{text}</p> })
    }
}

/// The refusal held by `errors`, if any: one closure for every place that shows one.
fn errors_view(errors: RwSignal<Option<ApiError>>) -> impl IntoView {
    move || errors.get().map(|error| view! { <ErrorList error/> })
}

/// `aria-expanded` of a button opening what `open` says is open.
fn expanded(open: RwSignal<bool>) -> impl Fn() -> &'static str + Copy {
    move || if open.get() { "true" } else { "false" }
}

/// Which form the tab's header has open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Opening {
    None,
    Risk,
    Issue,
    Assumption,
    Appetite,
}

#[component]
pub fn RaidTab(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    raid: RaidRead,
    history: bool,
) -> impl IntoView {
    let auth = use_auth();
    let RaidRead {
        data,
        exposure,
        suggestions,
        failed,
        refresh,
        as_of,
    } = raid;
    let reader = Memo::new(move |_| Reader {
        access: auth.access(program_id),
        governs: auth.can(program_id, ProgramAction::Govern),
        history,
    });
    let ctx = Raid {
        program_id,
        data,
        exposure,
        suggestions,
        program: view,
        reader,
        error: RwSignal::new(None),
        notice: RwSignal::new(String::new()),
        refresh,
        as_of,
    };
    let opening = RwSignal::new(Opening::None);
    // Anyone who may manage the RAID of the program or of one of its projects may raise items.
    let raises = Memo::new(move |_| {
        reader.with(|r| {
            !r.history
                && (r.manages(&[])
                    || view.with(|v| {
                        v.as_ref()
                            .is_some_and(|v| v.projects.iter().any(|p| r.manages(&[p.project_id])))
                    }))
        })
    });
    let governs = Memo::new(move |_| reader.with(|r| r.governs && !r.history));
    let loaded = Memo::new(move |_| data.with(Option::is_some) && view.with(Option::is_some));
    let header_button = move |what: Opening,
                              label: &'static str,
                              act: &'static str,
                              class: &'static str| {
        view! {
            <button type="button" class=class data-testid=act
                aria-expanded=move || (opening.get() == what).to_string()
                on:click=move |_| opening.update(|o| *o = if *o == what { Opening::None } else { what })>
                {label}
            </button>
        }
    };
    let done = Callback::new(move |()| {
        opening.try_set(Opening::None);
    });

    view! {
        <section class="raid" aria-label="Risks and issues">
            <p class="visually-hidden" role="status" aria-live="polite">{move || ctx.notice.get()}</p>
            <div data-testid="raid">
                <div class="section-header">
                    <h2>"Risks, issues and assumptions"</h2>
                    <div class="page-actions">
                        {move || raises.get().then(|| (
                            header_button(Opening::Risk, "Identify a risk", "identify-risk", "btn btn-primary"),
                            header_button(Opening::Issue, "Raise an issue", "raise-issue", "btn btn-secondary"),
                            header_button(Opening::Assumption, "Record an assumption", "record-assumption", "btn btn-secondary"),
                        ))}
                        {move || governs.get().then(|| header_button(Opening::Appetite, "Risk appetite", "set-appetite", "btn btn-ghost"))}
                    </div>
                </div>
                {errors_view(ctx.error)}
                {move || (loaded.get() && !history).then(|| match opening.get() {
                    Opening::Risk => view! { <IdentifyForm raid=ctx done/> }.into_any(),
                    Opening::Issue => view! { <RaiseIssueForm raid=ctx done/> }.into_any(),
                    Opening::Assumption => view! { <RecordAssumptionForm raid=ctx done/> }.into_any(),
                    Opening::Appetite => view! { <AppetiteForm raid=ctx done/> }.into_any(),
                    Opening::None => ().into_any(),
                })}
                {errors_view(failed)}
                {move || if loaded.get() {
                    view! { <Summary raid=ctx/><RaidBody raid=ctx/> }.into_any()
                } else {
                    failed.with(Option::is_none).then(|| view! {
                        <p class="loading">"Loading the register…"</p>
                    }).into_any()
                }}
            </div>
        </section>
    }
}

/// The heatmap beside the groups, then the register, issues, assumptions and exposure.
#[component]
fn RaidBody(raid: Raid) -> impl IntoView {
    // The heatmap cell the register is narrowed to, and whether it counts residual scores.
    let cell = RwSignal::new(None::<(u8, u8)>);
    let residual = RwSignal::new(false);
    view! {
        <div class="raid-top">
            <Heatmap raid cell residual/>
            <Groups raid/>
        </div>
        <Suggestions raid/>
        <RiskRegister raid cell residual/>
        <Issues raid/>
        <Assumptions raid/>
        <ExposurePanel raid/>
    }
}

/// The counts at the top, each flagged when it needs attention, and the appetite in force.
#[component]
fn Summary(raid: Raid) -> impl IntoView {
    let appetite = move || {
        raid.data.with(|r| {
            r.as_ref().and_then(|r| r.appetite).map_or_else(
                || "No risk appetite set yet.".to_string(),
                |a| {
                    let days = a
                        .schedule_days
                        .map(|d| format!(", {d} days expected slip"))
                        .unwrap_or_default();
                    let cost = a
                        .cost
                        .map(|c| format!(", {c} expected cost"))
                        .unwrap_or_default();
                    format!("Appetite: score {}{days}{cost}", a.score)
                },
            )
        })
    };
    let item = move |testid: &'static str,
                     label: &'static str,
                     pick: fn(&throughline_shared::raid::register::RaidCounts) -> usize,
                     alarming: bool| {
        move || {
            let n = raid
                .data
                .with(|r| r.as_ref().map_or(0, |r| pick(&r.counts)));
            let class = if alarming && n > 0 {
                "count late"
            } else {
                "count"
            };
            view! {
                <span class=class data-testid=testid>
                    <strong>{n}</strong>" "{label}
                </span>
            }
        }
    };
    view! {
        <div class="rag-counts gov-summary raid-summary">
            {item("count-open-risks", "open risks", |c| c.risks_open, false)}
            {item("count-above-appetite", "above appetite", |c| c.above_appetite, true)}
            {item("count-stale", "stale reviews", |c| c.stale, true)}
            {item("count-overdue-actions", "overdue actions", |c| c.overdue_actions, true)}
            {item("count-open-issues", "open issues", |c| c.issues_open, false)}
            {item("count-open-assumptions", "open assumptions", |c| c.assumptions_open, false)}
            {item("count-without-treatment", "closed without treatment", |c| c.closed_without_treatment, true)}
        </div>
        <p class="muted raid-appetite" data-testid="appetite">
            {appetite}
        </p>
    }
}
