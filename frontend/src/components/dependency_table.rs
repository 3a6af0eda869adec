//! Every dependency of the program, the ones in trouble first: late, broken, at risk, then the
//! rest; with the gap in days between what the provider delivers and when it is needed.

use leptos::prelude::*;
use leptos::task::spawn_local;
use throughline_shared::ProgramId;
use throughline_shared::access::ProgramAction;
use throughline_shared::api::{CommandAccepted, DependencyChangeRequest};
use throughline_shared::ids::DependencyId;

use crate::api::{self, ApiError};
use crate::auth::use_auth;
use crate::components::feedback::FormError;
use crate::dates;
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::ProgramView;

#[component]
pub fn DependencyTable(
    program_id: ProgramId,
    view: RwSignal<Option<ProgramView>>,
    analysis: Memo<Option<ScheduleAnalysis>>,
    selected: RwSignal<Option<MilestoneId>>,
    history: bool,
    on_accepted: Callback<CommandAccepted>,
) -> impl IntoView {
    let auth = use_auth();
    // The dependency whose cancellation reason is being typed.
    let cancelling = RwSignal::new(None::<DependencyId>);
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<ApiError>);
    let change = move |dependency: DependencyId, what: &'static str, reason: Option<String>| {
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
    };
    let rows = move || {
        let v = view.get()?;
        let a = analysis.get()?;
        let milestones: std::collections::HashMap<_, _> =
            v.milestones.iter().map(|m| (m.milestone_id, m)).collect();
        let health = a.by_dependency();
        let name = |id: MilestoneId| {
            milestones.get(&id).map_or_else(
                || (id.to_string(), String::new()),
                |m| {
                    let project = v.project(m.project_id).map(|p| p.name.clone());
                    (m.name.clone(), project.unwrap_or_default())
                },
            )
        };
        let mut deps: Vec<_> = v
            .dependencies
            .iter()
            .filter_map(|d| health.get(&d.dependency_id).map(|h| (d, *h)))
            .collect();
        deps.sort_by_key(|(d, h)| {
            (
                h.status.urgency(),
                std::cmp::Reverse(h.gap_days),
                d.proposed_at,
            )
        });
        if deps.is_empty() {
            return Some(
                view! {
                    <div class="empty-state small" data-testid="no-dependencies">
                        <p>"No dependencies between milestones yet."</p>
                    </div>
                }
                .into_any(),
            );
        }
        let rows = deps
            .into_iter()
            .map(|(d, h)| {
                let (provider, provider_project) = name(d.provider);
                let (consumer, consumer_project) = name(d.consumer);
                let status = h.status;
                let kind = d.kind.code();
                let lag = match d.lag_days {
                    0 => String::new(),
                    n if n > 0 => format!(" +{n}d"),
                    n => format!(" {n}d"),
                };
                let (p_id, c_id) = (d.provider, d.consumer);
                let id = d.dependency_id;
                let may_agree = !history
                    && d.state == throughline_shared::dependency::DependencyState::Proposed
                    && auth.can(program_id, ProgramAction::ChangeSchedule(d.provider_project));
                let may_cancel = !history
                    && d.state.is_active()
                    && auth.can(
                        program_id,
                        ProgramAction::ManageDependency {
                            provider: d.provider_project,
                            consumer: d.consumer_project,
                        },
                    );
                let actions = view! {
                    {may_agree.then(|| view! {
                        <button type="button" class="btn btn-small" data-testid="agree-dependency"
                            on:click=move |_| change(id, "agree", None)>"Agree"</button>
                    })}
                    {may_cancel.then(|| view! {
                        <button type="button" class="btn btn-small btn-ghost" data-testid="cancel-dependency"
                            on:click=move |_| { reason.set(String::new()); cancelling.set(Some(id)); }>"Cancel…"</button>
                    })}
                    {move || (cancelling.get() == Some(id)).then(|| view! {
                        <form class="row-form" on:submit=move |ev| {
                            ev.prevent_default();
                            change(id, "cancel", Some(reason.get_untracked()));
                        }>
                            <input type="text" data-testid="cancel-reason" placeholder="Why is it no longer needed?"
                                bind:value=reason autofocus/>
                            <button type="submit" class="btn btn-small" data-testid="confirm-cancel">"Cancel dependency"</button>
                        </form>
                    })}
                };
                view! {
                    <tr data-testid="dependency-row" data-status=status.wire_name()
                        data-dependency=d.dependency_id.to_string()>
                        <td><span class=format!("dep-chip {}", status.wire_name())>{status.label()}</span></td>
                        <td>
                            <button type="button" class="link-button" on:click=move |_| selected.set(Some(p_id))>{provider}</button>
                            <span class="muted block">{provider_project}</span>
                        </td>
                        <td>
                            <button type="button" class="link-button" on:click=move |_| selected.set(Some(c_id))>{consumer}</button>
                            <span class="muted block">{consumer_project}</span>
                        </td>
                        <td class="mono">{format!("{kind}{lag}")}</td>
                        <td>{h.delivers.map(dates::day_month_year)}</td>
                        <td>{h.need_by.map(dates::day_month_year)}</td>
                        <td class="num" data-testid="dependency-gap">
                            {if h.gap_days > 0 { format!("{} d", h.gap_days) } else { "—".into() }}
                        </td>
                        <td class="muted">{format!("{} → {}", d.provider_owner, d.consumer_owner)}</td>
                        <td class="actions">{actions}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(
            view! {
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
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any(),
        )
    };
    view! {
        <FormError error/>
        {rows}
    }
}
