//! RAG chips: colour plus a text label, never colour alone.

use leptos::prelude::*;
use throughline_shared::Rag;
use throughline_shared::view::RagCounts;

fn class_for(rag: Option<Rag>) -> &'static str {
    match rag {
        Some(Rag::Green) => "rag rag-green",
        Some(Rag::Amber) => "rag rag-amber",
        Some(Rag::Red) => "rag rag-red",
        None => "rag rag-none",
    }
}

/// One status as a coloured chip with its name ("Red"), or "Not reported".
#[component]
pub fn RagChip(rag: Option<Rag>, #[prop(optional)] large: bool) -> impl IntoView {
    let class = if large {
        format!("{} rag-large", class_for(rag))
    } else {
        class_for(rag).to_string()
    };
    view! {
        <span class=class data-testid="rag-chip" data-rag=rag.map(Rag::as_str).unwrap_or("none")>
            <span class="rag-dot" aria-hidden="true"></span>
            {rag.map(Rag::label).unwrap_or("Not reported")}
        </span>
    }
}

/// The move from the previous report to the current one, e.g. "Amber → Red (worse)".
#[component]
pub fn RagTrend(previous: Option<Rag>, current: Option<Rag>) -> impl IntoView {
    let (Some(previous), Some(current)) = (previous, current) else {
        return None;
    };
    let (class, word) = match current.cmp(&previous) {
        std::cmp::Ordering::Greater => ("trend trend-worse", "worse"),
        std::cmp::Ordering::Less => ("trend trend-better", "better"),
        std::cmp::Ordering::Equal => ("trend trend-same", "unchanged"),
    };
    let text = format!("{} → {}", previous.as_str(), current.as_str());
    Some(view! {
        <span class=class data-testid="rag-trend"
            title=format!("Previously {previous}, now {current} ({word})")>
            {text}
            <span class="visually-hidden">{format!(" ({word})")}</span>
        </span>
    })
}

/// Counts of projects per status, as small chips (zero counts are left out).
#[component]
pub fn RagCountChips(counts: RagCounts) -> impl IntoView {
    let items = [
        (counts.red, "rag rag-red rag-count", "Red"),
        (counts.amber, "rag rag-amber rag-count", "Amber"),
        (counts.green, "rag rag-green rag-count", "Green"),
        (counts.unreported, "rag rag-none rag-count", "Not reported"),
    ];
    let chips = items
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, class, label)| {
            view! {
                <span class=class data-testid="rag-count" title=format!("{n} {label}")>
                    <span class="rag-dot" aria-hidden="true"></span>
                    <strong>{n}</strong>
                    " "
                    {label}
                </span>
            }
        })
        .collect_view();
    view! { <span class="rag-counts">{chips}</span> }
}
