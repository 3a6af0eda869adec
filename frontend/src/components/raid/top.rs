//! The overview's top risks: the highest-scored open risks of the register the page already
//! reads, kept live by the same re-read as the RAID tab.

use super::register::{roam_word, sparkline};
use super::{RaidRead, band_class, tag};
use crate::api;
use leptos::prelude::*;
use throughline_shared::ProgramId;

/// How many risks the overview lists.
const TOP: usize = 5;

#[component]
pub fn TopRisks(program_id: ProgramId, raid: RaidRead) -> impl IntoView {
    let top = raid.top(TOP);
    // Keyed by what a row shows: its risk's version, and what the appetite and the day make of
    // it (neither changes the risk's stream).
    // At the moment shown, which the history scrubber moves.
    let href = move || {
        let query = raid
            .as_of
            .try_with(|a| {
                a.as_ref()
                    .map(|a| format!("?as_of={}", api::encode(&a.query_value())))
            })
            .flatten()
            .unwrap_or_default();
        format!("/programs/{program_id}/raid{query}")
    };
    view! {
        <section class="card top-risks" aria-labelledby="top-risks-title" data-testid="top-risks">
            <div class="section-header">
                <h2 id="top-risks-title" class="panel-title">"Top risks"</h2>
                <a href=href>"Open the register"</a>
            </div>
            <Show when=move || !top.with(Vec::is_empty)
                fallback=|| view! { <p class="empty-state small">"No open risk has been assessed."</p> }>
                <ol class="top-risk-list">
                    <For each=move || top.get() key=|r| (r.risk_id, r.stamp.version, r.above_appetite.clone(), r.stale)
                        children=|r| {
                            let score = r.score.zip(r.band).map(|(s, b)| view! {
                                <span class=band_class(b)>{format!("{s} · {}", b.label())}</span>
                            });
                            let above = r.above_appetite.as_deref()
                                .map(|why| tag("flag flag-late", &format!("Above appetite: {why}"), None));
                            let stale = r.stale.then(|| tag("pill pill-stale", "stale", None));
                            view! {
                                <li data-testid="top-risk">
                                    <span class="top-risk-score">{score}</span>
                                    <span class="top-risk-title">
                                        {r.details.title.clone()}
                                        {tag("muted small-note line", &format!("{} · {}", r.details.owner, roam_word(r.roam)), None)}
                                    </span>
                                    {sparkline(&r.trend)}
                                    <span class="top-risk-flags">{above}{stale}</span>
                                </li>
                            }
                        }/>
                </ol>
            </Show>
        </section>
    }
}
