//! An executive briefing's body: the timeline picture and every section's sentences, each with
//! its health and links to the events it rests on (the program right after each). Used by the
//! draft on the briefings page and by a published briefing's printable page.

use chrono::{Datelike, NaiveDate};
use leptos::prelude::*;
use throughline_shared::briefing::{BriefingDocument, BriefingSection, Fact, TimelineLane};
use throughline_shared::{ProgramId, Rag};

use crate::components::rag_chip::RagChip;

#[component]
pub fn BriefingBody(document: BriefingDocument) -> impl IntoView {
    let program = document.program_id;
    let sections = document.sections.clone();
    view! {
        <BriefingTimeline document=document.clone()/>
        {sections
            .into_iter()
            .map(|section| view! { <Section program section/> })
            .collect_view()}
    }
}

#[component]
fn Section(program: ProgramId, section: BriefingSection) -> impl IntoView {
    let empty = section.facts.is_empty();
    view! {
        <section class="briefing-section" data-section=format!("{:?}", section.key).to_lowercase()>
            <h2>{section.title}</h2>
            <Show when=move || empty>
                <p class="muted">"Nothing to report."</p>
            </Show>
            <ul class="briefing-facts">
                {section
                    .facts
                    .into_iter()
                    .map(|fact| view! { <FactRow program fact/> })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn FactRow(program: ProgramId, fact: Fact) -> impl IntoView {
    let rag = fact.rag;
    view! {
        <li class="briefing-fact" data-testid="briefing-fact">
            {rag.map(|rag| view! { <RagChip rag=Some(rag)/> })}
            <span class="briefing-fact-text">{fact.text}</span>
            {(!fact.evidence.is_empty()).then(|| view! {
                <span class="briefing-evidence">
                    {fact
                        .evidence
                        .into_iter()
                        .map(|p| view! {
                            <a href=format!("/programs/{program}?as_of={p}") rel="external"
                                data-testid="evidence-link"
                                title=format!("The program right after event {p}")>
                                {format!("#{p}")}
                            </a>
                        })
                        .collect_view()}
                </span>
            })}
        </li>
    }
}

const W: f64 = 760.0;
const LABEL_W: f64 = 150.0;
const LANE_H: f64 = 26.0;

fn colour(met: bool, critical: bool) -> &'static str {
    match (met, critical) {
        (true, _) => "briefing-mark met",
        (false, true) => "briefing-mark critical",
        _ => "briefing-mark",
    }
}

fn diamond(x: f64, y: f64, r: f64) -> String {
    format!("{x},{} {},{y} {x},{} {},{y}", y - r, x + r, y + r, x - r)
}

/// One lane per project between the earliest and latest dates it shows; a milestone that moved
/// since the last briefing keeps a hollow ghost at its old date with an arrow to the new one.
#[component]
pub fn BriefingTimeline(document: BriefingDocument) -> impl IntoView {
    let Some((lo, hi)) = document.timeline_span() else {
        return ().into_any();
    };
    let today = document.as_of_day;
    let (lo, hi) = (lo.min(today), hi.max(today));
    let span = (hi - lo).num_days().max(1) as f64;
    let x_of =
        move |d: NaiveDate| LABEL_W + (W - LABEL_W - 10.0) * ((d - lo).num_days() as f64 / span);
    let lanes = document.timeline.clone();
    let height = lanes.len() as f64 * LANE_H + 24.0;
    let mut months = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(lo.year(), lo.month(), 1).unwrap_or(lo);
    while month <= hi && months.len() < 40 {
        if month >= lo {
            months.push(month);
        }
        let Some(next) = month.checked_add_months(chrono::Months::new(1)) else {
            break;
        };
        month = next;
    }
    let bottom = lanes.len() as f64 * LANE_H;
    view! {
        <figure class="briefing-timeline">
            <svg viewBox=format!("0 0 {W} {height}") role="img"
                aria-label="Timeline: each project's milestones by forecast date">
                {months
                    .into_iter()
                    .map(|m| {
                        let x = x_of(m);
                        view! {
                            <line class="briefing-grid" x1=x x2=x y1=0 y2=bottom/>
                            <text class="briefing-axis" x=x + 2.0 y=bottom + 14.0>
                                {format!("{} {}", crate::dates::month(m), m.year() % 100)}
                            </text>
                        }
                    })
                    .collect_view()}
                {lanes
                    .into_iter()
                    .enumerate()
                    .map(|(i, lane)| view! { <Lane i lane x_of/> })
                    .collect_view()}
                <line class="briefing-today" x1=x_of(today) x2=x_of(today) y1=0 y2=bottom/>
            </svg>
            <figcaption class="muted">
                "Diamonds: forecast (red on the critical path, green met). Ticks: baseline. Hollow: the date before it moved since the last briefing. Red line: the briefing's day."
            </figcaption>
        </figure>
    }
    .into_any()
}

#[component]
fn Lane(
    i: usize,
    lane: TimelineLane,
    x_of: impl Fn(NaiveDate) -> f64 + Copy + 'static,
) -> impl IntoView {
    let y = i as f64 * LANE_H + LANE_H / 2.0;
    view! {
        <g class="briefing-lane">
            <text class="briefing-label" x=0 y=y + 4.0>{lane.project}</text>
            <line class="briefing-grid" x1=LABEL_W x2=W - 10.0 y1=y y2=y/>
            {lane
                .milestones
                .into_iter()
                .map(|m| {
                    let x = x_of(m.forecast);
                    let baseline = m.baseline.filter(|b| *b != m.forecast).map(|b| {
                        let bx = x_of(b);
                        view! { <line class="briefing-baseline" x1=bx x2=bx y1=y - 6.0 y2=y + 6.0/> }
                    });
                    let ghost = m.was.filter(|w| *w != m.forecast).map(|w| {
                        let wx = x_of(w);
                        let dir = if x >= wx { 1.0 } else { -1.0 };
                        let tip = x - 6.0 * dir;
                        let head = format!(
                            "{tip},{} {},{} {},{}",
                            y - 8.0,
                            tip - 5.0 * dir,
                            y - 11.0,
                            tip - 5.0 * dir,
                            y - 5.0
                        );
                        view! {
                            <polygon class="briefing-ghost" points=diamond(wx, y, 5.5)/>
                            <line class="briefing-arrow" x1=wx x2=tip y1=y - 8.0 y2=y - 8.0/>
                            <polygon class="briefing-arrowhead" points=head/>
                        }
                    });
                    view! {
                        {baseline}
                        {ghost}
                        <polygon class=colour(m.met, m.critical) points=diamond(x, y, 5.5)>
                            <title>{format!("{}: {}", m.name, crate::dates::day_month_year(m.forecast))}</title>
                        </polygon>
                    }
                })
                .collect_view()}
        </g>
    }
}

/// The overall health, as a large chip.
#[component]
pub fn Overall(rag: Option<Rag>) -> impl IntoView {
    view! { <RagChip rag large=true/> }
}
