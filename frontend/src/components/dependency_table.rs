//! Every dependency of the program, the ones in trouble first: late, broken, at risk, then the
//! rest; with the gap in days between what the provider delivers and when it is needed.
//!
//! A page of rows at a time (a big program has thousands), keyed by dependency, each row reading
//! its own dependency: a live change re-sorts the list and patches the rows it touched.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::analysis::DependencyStatus;
use throughline_shared::api::{CommandAccepted, DependencyChangeRequest};
use throughline_shared::dependency::DependencyState;
use throughline_shared::ids::{DependencyId, MilestoneId};

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::dependency_terms::TermsForm;
use crate::components::feedback::FormError;
use crate::dates;
use crate::schedule::Schedule;

/// Rows on a page.
const PAGE: usize = 50;

/// Agree or cancel (with a reason) one dependency.
type Change = Callback<(DependencyId, &'static str, Option<String>)>;

#[component]
pub fn DependencyTable(
    program_id: ProgramId,
    schedule: Schedule,
    selected: RwSignal<Option<MilestoneId>>,
    history: bool,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    // The dependency whose cancellation reason, or whose new terms, are being typed.
    let cancelling = RwSignal::new(None::<DependencyId>);
    let editing = RwSignal::new(None::<DependencyId>);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let change: Change = Callback::new(
        move |(dependency, what, reason): (DependencyId, &'static str, Option<String>)| {
            error.set(None);
            let request = DependencyChangeRequest {
                reason,
                ..Default::default()
            };
            spawn_local(async move {
                match api::change_dependency(program_id, dependency, what, &request).await {
                    Ok(accepted) => {
                        cancelling.set(None);
                        on_accepted.run(accepted);
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        },
    );
    let analysis = schedule.analysis;
    // Trouble first, then the widest gap, then the oldest. The analysis lists the dependencies in
    // the view's order, so the two are read side by side.
    let order = Memo::new(move |_| {
        analysis
            .with(|a| {
                let a = a.as_ref()?;
                schedule.with(|v| {
                    let mut deps: Vec<_> = v
                        .dependencies
                        .iter()
                        .zip(&a.dependencies)
                        .map(|(d, h)| {
                            (
                                (
                                    h.status.urgency(),
                                    std::cmp::Reverse(h.gap_days),
                                    d.proposed_at,
                                ),
                                d.dependency_id,
                            )
                        })
                        .collect();
                    deps.sort_unstable();
                    deps.into_iter().map(|(_, id)| id).collect::<Vec<_>>()
                })
            })
            .unwrap_or_default()
    });
    let page = RwSignal::new(0_usize);
    let total = Memo::new(move |_| order.with(Vec::len));
    let pages = Memo::new(move |_| total.get().div_ceil(PAGE).max(1));
    let shown = Memo::new(move |_| {
        let first = page.get().min(pages.get() - 1) * PAGE;
        order.with(|o| o.iter().skip(first).take(PAGE).copied().collect::<Vec<_>>())
    });

    view! {
        <FormError error/>
        <Show when=move || { total.get() > 0 }
            fallback=|| view! {
                <div class="empty-state small" data-testid="no-dependencies">
                    <p>"No dependencies between milestones yet."</p>
                </div>
            }>
            <div class="table-wrap card">
                <table class="data-table dependency-table" data-testid="dependency-table">
                    <thead>
                        <tr>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Provider"</th>
                            <th scope="col">"Consumer"</th>
                            <th scope="col">"Type"</th>
                            <th scope="col">"Delivers"</th>
                            <th scope="col">"Needed by"</th>
                            <th scope="col" class="num">"Gap"</th>
                            <th scope="col">"Owners"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || shown.get() key=|id| *id
                            children=move |id| view! {
                                <DependencyRow id schedule selected history program_id cancelling editing reason change
                                    on_accepted/>
                            }/>
                    </tbody>
                </table>
                <Show when=move || { pages.get() > 1 }>
                    <Pager page pages total/>
                </Show>
            </div>
        </Show>
    }
}

#[component]
fn Pager(page: RwSignal<usize>, pages: Memo<usize>, total: Memo<usize>) -> impl IntoView {
    let current = move || page.get().min(pages.get() - 1);
    view! {
        <nav class="table-pager" aria-label="Dependency pages" data-testid="dependency-pager">
            <button type="button" class="btn btn-small btn-secondary" data-testid="dependency-page-previous"
                disabled=move || current() == 0
                on:click=move |_| page.set(current().saturating_sub(1))>
                "Previous"
            </button>
            <span role="status" data-testid="dependency-page">
                {move || {
                    let first = current() * PAGE;
                    let total = total.get();
                    format!(
                        "{}–{} of {}, trouble first",
                        grouped(first + 1),
                        grouped((first + PAGE).min(total)),
                        grouped(total)
                    )
                }}
            </span>
            <button type="button" class="btn btn-small btn-secondary" data-testid="dependency-page-next"
                disabled=move || { current() + 1 >= pages.get() }
                on:click=move |_| page.set((current() + 1).min(pages.get() - 1))>
                "Next"
            </button>
        </nav>
    }
}

/// A count with thousands separated: 10,000.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What one row shows, worked out from the view and its analysis.
#[derive(Clone, Debug, PartialEq)]
struct Row {
    status: DependencyStatus,
    provider: (MilestoneId, String, String),
    consumer: (MilestoneId, String, String),
    kind: String,
    delivers: Option<NaiveDate>,
    need_by: Option<NaiveDate>,
    gap_days: i64,
    owners: String,
    may_agree: bool,
    may_cancel: bool,
}

#[component]
#[allow(clippy::too_many_arguments)]
fn DependencyRow(
    id: DependencyId,
    schedule: Schedule,
    selected: RwSignal<Option<MilestoneId>>,
    history: bool,
    program_id: ProgramId,
    cancelling: RwSignal<Option<DependencyId>>,
    editing: RwSignal<Option<DependencyId>>,
    reason: RwSignal<String>,
    change: Change,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    let auth = use_auth();
    let analysis = schedule.analysis;
    let row = Memo::new(move |_| {
        analysis.with(|a| {
            let a = a.as_ref()?;
            schedule
                .with(|v| {
                    schedule.lookup(v, |by_id| {
                        let d = by_id.dependency(id)?;
                        let h = by_id.health(a, id)?;
                        let named = |m: MilestoneId| {
                            by_id.milestone(m).map_or_else(
                                // Retired since: still named, no longer in a project's plan.
                                || {
                                    let name = v.milestone_name(m).map(str::to_string);
                                    (m, name.unwrap_or_else(|| m.to_string()), String::new())
                                },
                                |m| {
                                    let project = by_id.project(m.project_id);
                                    (
                                        m.milestone_id,
                                        m.name.clone(),
                                        project.map(|p| p.name.clone()).unwrap_or_default(),
                                    )
                                },
                            )
                        };
                        let lag = match d.lag_days {
                            0 => String::new(),
                            n if n > 0 => format!(" +{n}d"),
                            n => format!(" {n}d"),
                        };
                        Some(Row {
                            status: h.status,
                            provider: named(d.provider),
                            consumer: named(d.consumer),
                            kind: format!("{}{lag}", d.kind.code()),
                            delivers: h.delivers,
                            need_by: h.need_by,
                            gap_days: h.gap_days,
                            owners: format!("{} → {}", d.provider_owner, d.consumer_owner),
                            may_agree: !history
                                && d.state == DependencyState::Proposed
                                && auth.can(
                                    program_id,
                                    ProgramAction::ChangeSchedule(d.provider_project),
                                ),
                            may_cancel: !history
                                && d.state.is_active()
                                && auth.can(
                                    program_id,
                                    ProgramAction::ManageDependency {
                                        provider: d.provider_project,
                                        consumer: d.consumer_project,
                                    },
                                ),
                        })
                    })
                })
                .flatten()
        })
    });
    let status = move || row.with(|r| r.as_ref().map_or("", |r| r.status.wire_name()));
    let text = move |f: fn(&Row) -> String| row.with(|r| r.as_ref().map(f).unwrap_or_default());
    let milestone_link = move |which: fn(&Row) -> &(MilestoneId, String, String)| {
        view! {
            <td>
                <button type="button" class="link-button"
                    on:click=move |_| {
                        if let Some(m) = row.with_untracked(|r| r.as_ref().map(|r| which(r).0)) {
                            selected.set(Some(m));
                        }
                    }>
                    {move || row.with(|r| r.as_ref().map(|r| which(r).1.clone()))}
                </button>
                <span class="muted block">{move || row.with(|r| r.as_ref().map(|r| which(r).2.clone()))}</span>
            </td>
        }
    };
    let may = move |f: fn(&Row) -> bool| move || row.with(|r| r.as_ref().is_some_and(f));

    view! {
        <tr data-testid="dependency-row" data-status=status data-dependency=id.to_string()>
            <td>
                <span class=move || format!("dep-chip {}", status())>
                    {move || row.with(|r| r.as_ref().map(|r| r.status.label()))}
                </span>
            </td>
            {milestone_link(|r| &r.provider)}
            {milestone_link(|r| &r.consumer)}
            <td class="mono">{move || text(|r| r.kind.clone())}</td>
            <td>{move || text(|r| r.delivers.map(dates::day_month_year).unwrap_or_default())}</td>
            <td>{move || text(|r| r.need_by.map(dates::day_month_year).unwrap_or_default())}</td>
            <td class="num" data-testid="dependency-gap">
                {move || text(|r| if r.gap_days > 0 { format!("{} d", r.gap_days) } else { "—".into() })}
            </td>
            <td class="muted">{move || text(|r| r.owners.clone())}</td>
            <td class="actions">
                <Show when=may(|r| r.may_agree)>
                    <button type="button" class="btn btn-small" data-testid="agree-dependency"
                        on:click=move |_| change.run((id, "agree", None))>"Agree"</button>
                </Show>
                <Show when=may(|r| r.may_cancel)>
                    <button type="button" class="btn btn-small btn-ghost" data-testid="edit-dependency-terms"
                        on:click=move |_| { cancelling.set(None); editing.set(Some(id)); }>"Terms…"</button>
                    <button type="button" class="btn btn-small btn-ghost" data-testid="cancel-dependency"
                        on:click=move |_| { editing.set(None); reason.set(String::new()); cancelling.set(Some(id)); }>"Cancel…"</button>
                </Show>
                // Opened with the terms as they were: a live change meanwhile makes saving a
                // conflict rather than rebuilding the form under the typist.
                {move || (editing.get() == Some(id)).then(|| untrack(|| {
                    schedule.with(|v| v.dependency(id).cloned()).flatten().map(|dependency| view! {
                        <TermsForm program_id dependency on_accepted
                            on_done=Callback::new(move |()| { editing.try_set(None); })/>
                    })
                }))}
                <Show when=move || cancelling.get() == Some(id)>
                    <form class="row-form" on:submit=move |ev| {
                        ev.prevent_default();
                        change.run((id, "cancel", Some(reason.get_untracked())));
                    }>
                        <input type="text" data-testid="cancel-reason" placeholder="Why is it no longer needed?"
                            bind:value=reason autofocus/>
                        <button type="submit" class="btn btn-small" data-testid="confirm-cancel">"Cancel dependency"</button>
                    </form>
                </Show>
            </td>
        </tr>
    }
}
