//! The program timeline: projects as swimlanes, milestones as markers (forecast, with the
//! baseline as a ghost), deliverables as bars, dependency arrows coloured by health, and a today
//! line. Markers and arrows are keyed, so a live change moves them (CSS transitions) instead of
//! redrawing.

use chrono::NaiveDate;
use leptos::prelude::*;
use throughline_shared::ProjectId;
use throughline_shared::analysis::ScheduleAnalysis;
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::view::ProgramView;

use crate::timeline_layout::{self, AXIS_HEIGHT, Filters, Layout, Zoom, px};

#[component]
pub fn Timeline(
    view: RwSignal<Option<ProgramView>>,
    analysis: Memo<Option<ScheduleAnalysis>>,
    /// Milestones changed by a live event a moment ago.
    #[prop(into)]
    flashed: Signal<Vec<MilestoneId>>,
    selected: RwSignal<Option<MilestoneId>>,
) -> impl IntoView {
    let zoom = RwSignal::new(Zoom::Months);
    let project_filter = RwSignal::new(None::<ProjectId>);
    let trouble_only = RwSignal::new(false);
    let layout = Memo::new(move |_| {
        let filters = Filters {
            project: project_filter.get(),
            trouble_only: trouble_only.get(),
        };
        let zoom = zoom.get();
        view.with(|v| {
            analysis.with(|a| match (v, a) {
                (Some(v), Some(a)) => Some(timeline_layout::layout(v, a, zoom, &filters)),
                _ => None,
            })
        })
    });
    let projects = Memo::new(move |_| {
        view.with(|v| {
            v.as_ref()
                .map(|v| {
                    v.projects
                        .iter()
                        .map(|p| (p.project_id, p.name.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let has_milestones =
        Memo::new(move |_| view.with(|v| v.as_ref().is_some_and(|v| !v.milestones.is_empty())));
    // Whole pixels everywhere: formatting floats would cost wasm size for nothing visible.
    let with_layout =
        move |f: &dyn Fn(&Layout) -> f64| layout.with(|l| px(l.as_ref().map_or(0.0, f)));
    // Open on the present: today a little in from the left edge, the past a scroll away.
    let scroller = NodeRef::<leptos::html::Div>::new();
    let scrolled = StoredValue::new(false);
    Effect::new(move |_| {
        let today_x = layout.with(|l| l.as_ref().and_then(|l| l.today_x));
        if let (Some(x), Some(el), false) = (today_x, scroller.get(), scrolled.get_value()) {
            el.set_scroll_left((x - 160.0).max(0.0) as i32);
            scrolled.set_value(true);
        }
    });

    view! {
        <div class="timeline-toolbar" role="toolbar" aria-label="Timeline options">
            <div class="segmented" role="group" aria-label="Zoom">
                {Zoom::ALL.into_iter().map(|z| view! {
                    <button type="button" class="segment" data-testid=format!("zoom-{}", z.label().to_lowercase())
                        aria-pressed=move || (zoom.get() == z).to_string()
                        on:click=move |_| zoom.set(z)>
                        {z.label()}
                    </button>
                }).collect_view()}
            </div>
            <label class="inline-field">
                <span>"Project"</span>
                <select data-testid="timeline-project-filter"
                    on:change=move |ev| {
                        let value = event_target_value(&ev);
                        project_filter.set(value.parse::<ProjectId>().ok());
                    }>
                    <option value="">"All projects"</option>
                    <For each=move || projects.get() key=|(id, _)| *id
                        children=move |(id, name)| view! { <option value=id.to_string()>{name}</option> }/>
                </select>
            </label>
            <label class="inline-check">
                <input type="checkbox" data-testid="timeline-trouble-filter"
                    prop:checked=move || trouble_only.get()
                    on:change=move |ev| trouble_only.set(event_target_checked(&ev))/>
                <span>"Only at risk or late"</span>
            </label>
            <ul class="legend" aria-label="Legend">
                <li><span class="legend-diamond on_track"></span>"On track"</li>
                <li><span class="legend-diamond at_risk"></span>"At risk"</li>
                <li><span class="legend-diamond late"></span>"Late"</li>
                <li><span class="legend-diamond met"></span>"Met"</li>
                <li><span class="legend-ghost"></span>"Baseline"</li>
            </ul>
        </div>
        <Show when=move || has_milestones.get()
            fallback=|| view! {
                <div class="empty-state small" data-testid="no-milestones">
                    <p>"No milestones yet. Milestones and their dependencies appear here as swimlanes per project."</p>
                </div>
            }>
            <div class="timeline card" data-testid="timeline">
                <div class="timeline-lanes" aria-hidden="true"
                    style:height=move || format!("{}px", with_layout(&|l| l.height))>
                    <div class="timeline-corner" style:height=format!("{}px", px(AXIS_HEIGHT))></div>
                    {move || layout.with(|l| l.as_ref().map(|l| l.lanes.iter().map(|lane| view! {
                        <div class="timeline-lane-label" style:top=format!("{}px", px(lane.top))
                            style:height=format!("{}px", px(lane.height)) data-testid="lane-label">
                            {lane.name.clone()}
                        </div>
                    }).collect_view()))}
                </div>
                <div class="timeline-scroll" tabindex="0" node_ref=scroller aria-label="Timeline, scroll sideways for more">
                    <svg class="timeline-svg" role="group" aria-label="Program timeline"
                        width=move || with_layout(&|l| l.width)
                        height=move || with_layout(&|l| l.height)>
                        <defs>
                            {["on_track", "at_risk", "late", "met", "proposed", "agreed", "broken"].into_iter().map(|s| view! {
                                <marker id=format!("arrow-{s}") class=format!("arrowhead {s}") viewBox="0 0 10 10"
                                    refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                    <path d="M0,0 L10,5 L0,10 z"></path>
                                </marker>
                            }).collect_view()}
                        </defs>
                        <g class="lanes">
                            {move || layout.with(|l| l.as_ref().map(|l| l.lanes.iter().enumerate().map(|(i, lane)| view! {
                                <rect class=lane_class(i) x="0" y=px(lane.top)
                                    width=px(l.width) height=px(lane.height)></rect>
                            }).collect_view()))}
                        </g>
                        <g class="axis">
                            {move || layout.with(|l| l.as_ref().map(|l| l.ticks.iter().map(|t| view! {
                                <line class="tick" x1=px(t.x) x2=px(t.x) y1=px(AXIS_HEIGHT - 6.0) y2=px(l.height)></line>
                                <text class="tick-label" x=px(t.x + 4.0) y=px(AXIS_HEIGHT - 12.0)>{t.label.clone()}</text>
                            }).collect_view()))}
                        </g>
                        {move || layout.with(|l| l.as_ref().and_then(|l| l.today_x.map(|x| view! {
                            <g class="today" data-testid="today-line">
                                <line x1=px(x) x2=px(x) y1=px(AXIS_HEIGHT - 4.0) y2=px(l.height)></line>
                                <text x=px(x + 4.0) y=px(AXIS_HEIGHT - 2.0)>"Today"</text>
                            </g>
                        })))}
                        <g class="arrows">
                            <For each=move || layout.with(|l| l.as_ref().map(|l| l.arrow_order.clone()).unwrap_or_default())
                                key=|id| *id
                                children=move |id| {
                                    let arrow = Memo::new(move |_| layout.with(|l| l.as_ref().and_then(|l| l.arrows.get(&id).cloned())));
                                    let status = move || arrow.with(|a| a.as_ref().map_or("agreed", |a| a.status.wire_name()));
                                    // One element per dependency whose path and colour change in
                                    // place, so a live change animates.
                                    view! {
                                        <path class=move || format!("dep-arrow {}", status()) data-testid="dependency-arrow"
                                            data-dependency=id.to_string() data-status=status
                                            style=move || arrow.with(|a| a.as_ref().map(|a| format!("d: path('{}')", a.path)).unwrap_or_default())
                                            marker-end=move || format!("url(#arrow-{})", arrow_head(status()))>
                                            <title>{move || arrow.with(|a| a.as_ref().map(|a| format!("Dependency: {}", a.status.label())).unwrap_or_default())}</title>
                                        </path>
                                    }
                                }/>
                        </g>
                        <g class="markers">
                            <For each=move || layout.with(|l| l.as_ref().map(|l| l.marker_order.clone()).unwrap_or_default())
                                key=|id| *id
                                children=move |id| view! { <MarkerView id layout selected flashed/> }/>
                        </g>
                    </svg>
                </div>
            </div>
        </Show>
    }
}

/// Arrowheads exist for the statuses that draw an arrow; met arrows reuse the green one.
fn arrow_head(status: &str) -> &str {
    match status {
        "met" => "met",
        "late" | "at_risk" | "proposed" | "agreed" | "broken" => status,
        _ => "agreed",
    }
}

#[component]
fn MarkerView(
    id: MilestoneId,
    layout: Memo<Option<Layout>>,
    selected: RwSignal<Option<MilestoneId>>,
    flashed: Signal<Vec<MilestoneId>>,
) -> impl IntoView {
    let marker =
        Memo::new(move |_| layout.with(|l| l.as_ref().and_then(|l| l.markers.get(&id).cloned())));
    let is_selected = Memo::new(move |_| selected.get() == Some(id));
    let flashing = Memo::new(move |_| flashed.with(|f| f.contains(&id)));
    let select = move || selected.update(|s| *s = if *s == Some(id) { None } else { Some(id) });
    let status = move || marker.with(|m| m.as_ref().map_or("on_track", |m| m.status.wire_name()));
    let class = move || {
        format!(
            "ms {}{}{}",
            status(),
            if is_selected.get() { " selected" } else { "" },
            if flashing.get() { " flash" } else { "" }
        )
    };
    let transform = move || {
        marker.with(|m| {
            m.as_ref()
                .map(|m| format!("transform: translate({}px, {}px)", px(m.x), px(m.y)))
                .unwrap_or_default()
        })
    };
    let label = move || {
        marker.with(|m| {
            m.as_ref()
                .map(|m| format!("{}, {}", m.name, m.status.label()))
                .unwrap_or_default()
        })
    };
    let shapes = move || {
        marker.get().map(|m| {
            let ghost = m.x_baseline.map(|bx| {
                let dx = px(bx - m.x);
                view! {
                    <line class="variance" x1=dx.min(0) x2=dx.max(0) y1="0" y2="0"></line>
                    <rect class="ghost" data-testid="baseline-ghost" x=dx - 5 y="-5" width="10" height="10"
                        transform=format!("rotate(45 {dx} 0)")></rect>
                }
            });
            let bar = match (m.kind, m.x_start) {
                (MilestoneKind::Deliverable, Some(xs)) => Some(view! {
                    <rect class="bar" x=px(xs - m.x) y="-6" width=px((m.x - xs).max(2.0)) height="12" rx="3"></rect>
                }),
                _ => None,
            };
            (ghost, bar)
        })
    };
    // The group stays while its position and colour change, so live moves animate.
    view! {
        <g class=class data-testid="milestone-marker" data-milestone=id.to_string()
            data-status=status role="button" tabindex="0" aria-label=label
            aria-pressed=move || is_selected.get().to_string()
            style=transform
            on:click=move |_| select()
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    select();
                }
            }>
            {shapes}
            <rect class="diamond" x="-6" y="-6" width="12" height="12" transform="rotate(45)"></rect>
            <text class="ms-label" x="11" y="4">{move || marker.with(|m| m.as_ref().map(|m| m.name.clone()))}</text>
        </g>
    }
}

/// The day a timeline is judged on: today for the live view, the as-of day for history.
pub fn day_of_ms(ms: f64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms as i64)
        .map(|t| t.date_naive())
        .unwrap_or_default()
}

fn lane_class(i: usize) -> &'static str {
    if i.is_multiple_of(2) {
        "lane even"
    } else {
        "lane odd"
    }
}
