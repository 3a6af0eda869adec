//! Every dependency of the program, the ones in trouble first: late, broken, at risk, then the
//! rest; with the gap in days between what the provider delivers and when it is needed.

use leptos::prelude::*;

use crate::dates;
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::ids::MilestoneId;
use throughline_shared::view::ProgramView;

#[component]
pub fn DependencyTable(
    view: RwSignal<Option<ProgramView>>,
    analysis: Memo<Option<ScheduleAnalysis>>,
    selected: RwSignal<Option<MilestoneId>>,
) -> impl IntoView {
    let rows = move || {
        let v = view.get()?;
        let a = analysis.get()?;
        let name = |id: MilestoneId| {
            v.milestone(id).map_or_else(
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
            .filter_map(|d| a.dependency(d.dependency_id).map(|h| (d, h)))
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
    view! { {rows} }
}
