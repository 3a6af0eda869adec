//! The 5×5 heatmap: probability rows 5 (top) to 1, impact columns 1 to 5, each cell coloured by
//! its band and showing how many open risks sit there. A cell is a button: choosing it narrows
//! the register to its risks, choosing it again clears that.

use super::{Raid, band_class, impact_words, probability_words};
use leptos::prelude::*;
use throughline_shared::raid::Band;

/// A row's probability or a column's impact, with its words.
fn axis(scope: &'static str, n: u8, words: &'static str) -> impl IntoView + use<> {
    view! {
        <th scope=scope class="heat-axis">
            <span class="heat-num">{n}</span>" "<span class=format!("heat-word {scope}-word")>{words}</span>
        </th>
    }
}

/// "Probability 4, impact 4: 1 risk".
fn cell_name(p: u8, i: u8, n: usize) -> String {
    let count = match n {
        0 => "no risks".to_string(),
        1 => "1 risk".to_string(),
        n => format!("{n} risks"),
    };
    format!("Probability {p}, impact {i}: {count}")
}

#[component]
pub(super) fn Heatmap(
    raid: Raid,
    cell: RwSignal<Option<(u8, u8)>>,
    residual: RwSignal<bool>,
) -> impl IntoView {
    // How many open risks sit at (probability, impact) in the grid chosen.
    let count = move |p: u8, i: u8| {
        let residual = residual.get();
        raid.data.with(|r| {
            r.as_ref().map_or(0, |r| {
                let cells = if residual {
                    &r.heatmap.residual
                } else {
                    &r.heatmap.inherent
                };
                cells
                    .iter()
                    .find(|c| c.probability.get() == p && c.impact.get() == i)
                    .map_or(0, |c| c.count)
            })
        })
    };
    let choose = move |p: u8, i: u8| {
        cell.update(|c| {
            *c = if *c == Some((p, i)) {
                None
            } else {
                Some((p, i))
            }
        });
    };
    let mode = move |to_residual: bool, label: &'static str| {
        view! {
            <button type="button" class="segment" data-testid=if to_residual { "heat-residual" } else { "heat-inherent" }
                aria-pressed=move || (residual.get() == to_residual).to_string()
                on:click=move |_| {
                    residual.set(to_residual);
                    cell.set(None);
                }>
                {label}
            </button>
        }
    };
    let rows = (1..=5u8).rev().map(move |p| {
        let cells = (1..=5u8).map(move |i| {
            let band = Band::of(p * i);
            // One closure for the whole cell: it is redrawn in place when its count or choice
            // changes, and compiles once rather than once per attribute.
            move || {
                let n = count(p, i);
                let chosen = cell.get() == Some((p, i));
                let name = cell_name(p, i, n);
                view! {
                    <td>
                        <button type="button" class=format!("heat-cell {}", band_class(band))
                            class:chosen=chosen
                            data-testid="heat-cell" data-p=p.to_string() data-i=i.to_string()
                            data-count=n.to_string()
                            aria-pressed=if chosen { "true" } else { "false" }
                            title=format!("{name} · {} band", band.label())
                            aria-label=name
                            on:click=move |_| choose(p, i)>
                            {if n == 0 { String::new() } else { n.to_string() }}
                        </button>
                    </td>
                }
            }
        });
        view! {
            <tr>
                {axis("row", p, probability_words(p))}
                {cells.collect_view()}
            </tr>
        }
    });
    let columns = (1..=5u8).map(|i| axis("col", i, impact_words(i)));
    view! {
        <div class="card heatmap-card" data-testid="heatmap">
            <div class="heatmap-head">
                <h3 class="subsection-title">"Heatmap"</h3>
                <div class="segmented" role="group" aria-label="Scores shown">
                    {mode(false, "Current")}
                    {mode(true, "Residual")}
                </div>
            </div>
            <table class="heatmap">
                <caption class="visually-hidden">
                    "Open risks by probability (rows) and impact (columns)"
                </caption>
                <thead>
                    <tr>
                        <th scope="col" class="heat-corner">
                            <span class="heat-word">"Probability ↓ · Impact →"</span>
                        </th>
                        {columns.collect_view()}
                    </tr>
                </thead>
                <tbody>{rows.collect_view()}</tbody>
            </table>
            <p class="hint heat-hint">
                {move || match cell.get() {
                    Some((p, i)) => format!("Register narrowed to probability {p}, impact {i}. Choose the cell again to clear."),
                    None => "Choose a cell to narrow the register to its risks.".to_string(),
                }}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::cell_name;

    #[test]
    fn cells_are_named_for_screen_readers() {
        assert_eq!(cell_name(4, 4, 1), "Probability 4, impact 4: 1 risk");
        assert_eq!(cell_name(1, 5, 0), "Probability 1, impact 5: no risks");
        assert_eq!(cell_name(3, 2, 7), "Probability 3, impact 2: 7 risks");
    }
}
