//! The program timeline: projects as swimlanes, milestones as markers (forecast, with the
//! baseline as a ghost), deliverables as bars, dependency arrows coloured by health, and a today
//! line. Markers and arrows are keyed, so a live change moves them (CSS transitions) instead of
//! redrawing.
//!
//! It scrolls in a box of its own, and only what the box shows (plus a margin: the layout's
//! [`Window`]) is in the page: the SVG keeps the whole timeline's size, so the scroll bars are
//! those of the whole program, while a program of thousands of milestones costs the page only
//! the few hundred in view. A drawn marker or arrow is built once from its value and then patched
//! in place ([`Drawn`]) when a change moves or recolours it, so an event costs the page what it
//! changed, not what is drawn.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::NaiveDate;
use leptos::prelude::*;
use throughline_shared::ProjectId;
use throughline_shared::ids::{DependencyId, MilestoneId};
use throughline_shared::milestone::MilestoneKind;

use crate::schedule::Schedule;
use crate::timeline_layout::{
    self, AXIS_HEIGHT, Arrow, Filters, Lane, Layout, Marker, Tick, Window, Zoom, px,
};

/// Width of the lane names' column.
const LABELS_WIDTH: f64 = 170.0;

/// A milestone open risks would push (their exposure through the schedule), marked beside its
/// diamond.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct RiskMark {
    pub milestone_id: MilestoneId,
    pub risks: usize,
    pub worst_days: i64,
    /// Linked to a risk itself, not only reached through dependencies.
    pub direct: bool,
    /// One line per risk: what it would add here.
    pub title: String,
}

#[component]
pub fn Timeline(
    schedule: Schedule,
    /// Milestones changed by a live event a moment ago.
    #[prop(into)]
    flashed: Signal<Vec<MilestoneId>>,
    selected: RwSignal<Option<MilestoneId>>,
    risk_marks: Signal<Vec<RiskMark>>,
    /// Comparing with an earlier moment: each milestone's finish then. A moved milestone gets a
    /// ghost there and an arrow to where it stands.
    #[prop(optional)]
    was: Option<Signal<HashMap<MilestoneId, NaiveDate>>>,
) -> impl IntoView {
    let zoom = RwSignal::new(Zoom::Months);
    let project_filter = RwSignal::new(None::<ProjectId>);
    let trouble_only = RwSignal::new(false);
    let analysis = schedule.analysis;
    let layout = Memo::new(move |_| {
        let filters = Filters {
            project: project_filter.get(),
            trouble_only: trouble_only.get(),
        };
        let zoom = zoom.get();
        let was = was.map(|w| w.get()).unwrap_or_default();
        analysis.with(|a| {
            let a = a.as_ref()?;
            schedule.with(|v| timeline_layout::layout(v, a, zoom, &filters, &was))
        })
    });
    let projects = Memo::new(move |_| {
        schedule
            .with(|v| {
                v.projects
                    .iter()
                    .map(|p| (p.project_id, p.name.clone()))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    });
    let has_milestones =
        Memo::new(move |_| schedule.with(|v| !v.milestones.is_empty()).unwrap_or(false));

    // What the scroll box shows, measured on every scroll and resize. Nothing is drawn before
    // the first measure (right after the box is in the page, before it is first painted): drawing
    // a guess first would build hundreds of markers only to drop many of them again.
    let scroller = NodeRef::<leptos::html::Div>::new();
    let measured = RwSignal::new(None::<Window>);
    let measure = move || {
        if let Some(el) = scroller.get_untracked() {
            let now = Window::around(
                f64::from(el.scroll_left()),
                f64::from(el.scroll_top()),
                (f64::from(el.client_width()) - LABELS_WIDTH).max(0.0),
                f64::from(el.client_height()),
            );
            if measured.get_untracked() != Some(now) {
                measured.set(Some(now));
            }
        }
    };
    let resize = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resize.remove());
    // The timeline's size and where today is, in whole pixels (formatting floats would cost wasm
    // size for nothing visible): what most moves of a milestone leave as they are.
    let extent = Memo::new(move |_| {
        layout.with(|l| {
            l.as_ref().map_or((0, 0, None), |l| {
                (px(l.width), px(l.height), l.today_x.map(px))
            })
        })
    });
    let width = move || extent.get().0;
    let height = move || extent.get().1;
    // Open on the present: today a little in from the left edge, the past a scroll away. A new
    // size (zoom, filters, lanes) may change what the box shows.
    let scrolled = StoredValue::new(false);
    Effect::new(move |_| {
        let today_x = extent.get().2;
        if let Some(el) = scroller.get() {
            if let (Some(x), false) = (today_x, scrolled.get_value()) {
                el.set_scroll_left(opening_scroll(x as f64) as i32);
                scrolled.set_value(true);
            }
            measure();
        }
    });

    let lanes = Memo::new(move |_| {
        let Some(w) = measured.get() else {
            return Vec::new();
        };
        layout.with(|l| {
            l.as_ref().map_or_else(Vec::new, |l| {
                l.lanes
                    .iter()
                    .enumerate()
                    .filter(|(_, lane)| w.overlaps(0.0, l.width, lane.top, lane.top + lane.height))
                    .map(|(i, lane)| (i, lane.clone()))
                    .collect::<Vec<(usize, Lane)>>()
            })
        })
    });
    let ticks = Memo::new(move |_| {
        let Some(w) = measured.get() else {
            return Vec::new();
        };
        layout.with(|l| {
            l.as_ref().map_or_else(Vec::new, |l| {
                l.ticks
                    .iter()
                    .filter(|t| w.overlaps(t.x, t.x + 80.0, 0.0, l.height))
                    .cloned()
                    .collect::<Vec<Tick>>()
            })
        })
    });
    // The selected marker stays drawn wherever it is, so its selection and focus survive a scroll.
    let markers = Memo::new(move |_| {
        let Some(w) = measured.get() else {
            return Vec::new();
        };
        let chosen = selected.get();
        layout.with(|l| {
            l.as_ref().map_or_else(Vec::new, |l| {
                l.marker_order
                    .iter()
                    .filter(|id| {
                        Some(**id) == chosen || l.markers.get(id).is_some_and(|m| m.in_window(&w))
                    })
                    .copied()
                    .collect::<Vec<MilestoneId>>()
            })
        })
    });
    let arrows = Memo::new(move |_| {
        let Some(w) = measured.get() else {
            return Vec::new();
        };
        layout.with(|l| {
            l.as_ref().map_or_else(Vec::new, |l| {
                l.arrow_order
                    .iter()
                    .filter(|id| l.arrows.get(id).is_some_and(|a| a.in_window(&w)))
                    .copied()
                    .collect::<Vec<DependencyId>>()
            })
        })
    });

    let drawn_markers = Drawn::<MilestoneId, MarkerState, DrawnMarker>::new();
    let drawn_arrows = Drawn::<DependencyId, Arrow, NodeRef<leptos::svg::Path>>::new();
    let marker_state = move |m: &Marker| MarkerState {
        marker: m.clone(),
        selected: selected.with_untracked(|s| *s == Some(m.id)),
        flashing: flashed.with_untracked(|f| f.contains(&m.id)),
    };
    // Hands every drawn marker and arrow what changed for it.
    Effect::new(move |_| {
        selected.track();
        flashed.with(|_| ());
        layout.with(|l| {
            let Some(l) = l else { return };
            drawn_markers.refresh(
                |id, old| {
                    let new = marker_state(l.markers.get(&id)?);
                    (new != *old).then_some(new)
                },
                DrawnMarker::patch,
            );
            drawn_arrows.refresh(
                |id, old| l.arrows.get(&id).filter(|a| *a != old).cloned(),
                |path, arrow| {
                    if let Some(path) = path.get_untracked() {
                        patch_arrow(&path, arrow);
                    }
                },
            );
        });
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
                {was.is_some().then(|| view! { <li><span class="legend-was"></span>"Where it stood"</li> })}
            </ul>
        </div>
        <Show when=move || has_milestones.get()
            fallback=|| view! {
                <div class="empty-state small" data-testid="no-milestones">
                    <p>"No milestones yet. Milestones and their dependencies appear here as swimlanes per project."</p>
                </div>
            }>
            <div class="timeline card" data-testid="timeline">
                <div class="timeline-scroll" tabindex="0" node_ref=scroller
                    aria-label="Timeline, scroll for more" on:scroll=move |_| measure()>
                    <div class="timeline-canvas"
                        style:width=move || format!("{}px", px(LABELS_WIDTH) + width())>
                        <div class="timeline-lanes" aria-hidden="true"
                            style:height=move || format!("{}px", height())>
                            <div class="timeline-corner" style:height=format!("{}px", px(AXIS_HEIGHT))></div>
                            {move || lanes.with(|lanes| lanes.iter().map(|(_, lane)| view! {
                                <div class="timeline-lane-label" style:top=format!("{}px", px(lane.top))
                                    style:height=format!("{}px", px(lane.height)) data-testid="lane-label">
                                    {lane.name.clone()}
                                </div>
                            }).collect_view())}
                        </div>
                        <svg class="timeline-svg" role="group" aria-label="Program timeline"
                            width=width height=height>
                            <defs>
                                {["on_track", "at_risk", "late", "met", "proposed", "agreed", "broken", "was"].into_iter().map(|s| view! {
                                    <marker id=format!("arrow-{s}") class=format!("arrowhead {s}") viewBox="0 0 10 10"
                                        refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                        <path d="M0,0 L10,5 L0,10 z"></path>
                                    </marker>
                                }).collect_view()}
                            </defs>
                            <g class="lanes">
                                {move || {
                                    let width = width();
                                    lanes.with(|lanes| lanes.iter().map(|(i, lane)| view! {
                                        <rect class=lane_class(*i) x="0" y=px(lane.top)
                                            width=width height=px(lane.height)></rect>
                                    }).collect_view())
                                }}
                            </g>
                            <g class="axis">
                                {move || {
                                    let height = height();
                                    ticks.with(|ticks| ticks.iter().map(|t| view! {
                                        <line class="tick" x1=px(t.x) x2=px(t.x) y1=px(AXIS_HEIGHT - 6.0) y2=height></line>
                                        <text class="tick-label" x=px(t.x + 4.0) y=px(AXIS_HEIGHT - 12.0)>{t.label.clone()}</text>
                                    }).collect_view())
                                }}
                            </g>
                            {move || {
                                let (_, height, today_x) = extent.get();
                                today_x.map(|x| view! {
                                    <g class="today" data-testid="today-line">
                                        <line x1=x x2=x y1=px(AXIS_HEIGHT - 4.0) y2=height></line>
                                        <text x=x + 4 y=px(AXIS_HEIGHT - 2.0)>"Today"</text>
                                    </g>
                                })
                            }}
                            <g class="arrows">
                                <For each=move || drawn(layout, arrows, |l, id| l.arrows.get(id).cloned())
                                    key=|arrow| arrow.id
                                    children=move |arrow| {
                                        let path = NodeRef::new();
                                        drawn_arrows.register(arrow.id, path, arrow.clone());
                                        view! { <ArrowView arrow path/> }
                                    }/>
                            </g>
                            <g class="markers">
                                <For each=move || drawn(layout, markers, |l, id| l.markers.get(id).map(marker_state))
                                    key=|state| state.marker.id
                                    children=move |state| {
                                        let drawn = DrawnMarker { group: NodeRef::new(), extras: RwSignal::new(Extras::of(&state.marker)) };
                                        drawn_markers.register(state.marker.id, drawn, state.clone());
                                        view! { <MarkerView state drawn selected/> }
                                    }/>
                            </g>
                            <g class="risk-marks">
                                <For each=move || risk_marks.with(|marks| markers.with(|drawn| layout.with(|l| {
                                        let Some(l) = l else { return Vec::new() };
                                        marks.iter()
                                            .filter(|m| drawn.contains(&m.milestone_id))
                                            .filter_map(|m| l.markers.get(&m.milestone_id)
                                                .map(|at| (m.clone(), px(at.x), px(at.y))))
                                            .collect::<Vec<_>>()
                                    })))
                                    key=|mark| mark.clone()
                                    children=|(mark, x, y)| {
                                        let label = format!("{} risk{} could push {} by up to {} days:{}",
                                            mark.risks, if mark.risks == 1 { "" } else { "s" },
                                            "this milestone", mark.worst_days, mark.title);
                                        let aria = label.clone();
                                        view! {
                                            <g class=if mark.direct { "risk-mark direct" } else { "risk-mark" }
                                                data-testid="risk-mark" data-milestone=mark.milestone_id.to_string()
                                                transform=format!("translate({} {})", x - 18, y)
                                                role="img" aria-label=aria>
                                                <title>{label}</title>
                                                <path d="M0,-6 L6,5 L-6,5 z"></path>
                                                <text x="0" y="4">"!"</text>
                                            </g>
                                        }
                                    }/>
                            </g>
                        </svg>
                    </div>
                </div>
            </div>
        </Show>
    }
}

/// Where the box is scrolled to when it opens: today a little in from the left edge.
fn opening_scroll(today_x: f64) -> f64 {
    (today_x - 160.0).max(0.0)
}

/// Arrowheads exist for the statuses that draw an arrow; met arrows reuse the green one.
fn arrow_head(status: &str) -> &str {
    match status {
        "met" => "met",
        "late" | "at_risk" | "proposed" | "agreed" | "broken" => status,
        _ => "agreed",
    }
}

/// The values of the items to draw now (for a keyed list that builds each one from its value).
fn drawn<K: Send + Sync + 'static, V>(
    layout: Memo<Option<Layout>>,
    ids: Memo<Vec<K>>,
    value: impl Fn(&Layout, &K) -> Option<V>,
) -> Vec<V> {
    ids.with(|ids| {
        layout.with_untracked(|l| {
            l.as_ref().map_or_else(Vec::new, |l| {
                ids.iter().filter_map(|id| value(l, id)).collect()
            })
        })
    })
}

/// The markers and arrows in the page, each with what it shows and a handle to patch it with.
/// One effect hands each its new value when the layout (or the selection, or the flashing)
/// changes, and only those that changed are patched: an event costs the page what it moved, not
/// what is drawn. (Reactive attributes per item would cost a few effects each, and a memo per
/// item over the whole layout gives that memo thousands of subscribers, which makes each of its
/// updates cost time in proportion to them, for each of them.)
struct Drawn<K: Send + Sync + 'static, V: Send + Sync + 'static, H: Send + Sync + 'static> {
    items: StoredValue<HashMap<K, (H, V, u64)>>,
    next: StoredValue<u64>,
}

impl<K: Send + Sync, V: Send + Sync, H: Send + Sync> Clone for Drawn<K, V, H> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K: Send + Sync, V: Send + Sync, H: Send + Sync> Copy for Drawn<K, V, H> {}

impl<K, V, H> Drawn<K, V, H>
where
    K: Copy + Eq + Hash + Send + Sync + 'static,
    V: Send + Sync + 'static,
    H: Send + Sync + 'static,
{
    fn new() -> Self {
        Self {
            items: StoredValue::new(HashMap::new()),
            next: StoredValue::new(0),
        }
    }

    /// Keeps the item `key`, drawn with `value`, until the current owner (its view) is cleaned up.
    fn register(self, key: K, handle: H, value: V) {
        let token = self.next.get_value();
        self.next.set_value(token + 1);
        self.items.update_value(|m| {
            m.insert(key, (handle, value, token));
        });
        on_cleanup(move || {
            self.items.try_update_value(|m| {
                if m.get(&key).is_some_and(|(_, _, t)| *t == token) {
                    m.remove(&key);
                }
            });
        });
    }

    /// Patches each item for which `next` gives a new value.
    fn refresh(self, next: impl Fn(K, &V) -> Option<V>, patch: impl Fn(&H, &V)) {
        self.items.update_value(|m| {
            for (key, (handle, value, _)) in m.iter_mut() {
                if let Some(new) = next(*key, value) {
                    patch(handle, &new);
                    *value = new;
                }
            }
        });
    }
}

fn arrow_class(a: &Arrow) -> String {
    format!("dep-arrow {}", a.status.wire_name())
}

fn arrow_style(a: &Arrow) -> String {
    format!("d: path('{}')", a.path())
}

fn arrow_marker(a: &Arrow) -> String {
    format!("url(#arrow-{})", arrow_head(a.status.wire_name()))
}

fn arrow_title(a: &Arrow) -> String {
    format!("Dependency: {}", a.status.label())
}

fn patch_arrow(path: &web_sys::Element, a: &Arrow) {
    let _ = path.set_attribute("class", &arrow_class(a));
    let _ = path.set_attribute("data-status", a.status.wire_name());
    let _ = path.set_attribute("style", &arrow_style(a));
    let _ = path.set_attribute("marker-end", &arrow_marker(a));
    if let Some(title) = path.first_element_child() {
        title.set_text_content(Some(&arrow_title(a)));
    }
}

/// One element per dependency whose path and colour change in place, so a live change animates.
#[component]
fn ArrowView(arrow: Arrow, path: NodeRef<leptos::svg::Path>) -> impl IntoView {
    view! {
        <path node_ref=path class=arrow_class(&arrow) data-testid="dependency-arrow"
            data-dependency=arrow.id.to_string() data-status=arrow.status.wire_name()
            style=arrow_style(&arrow) marker-end=arrow_marker(&arrow)>
            <title>{arrow_title(&arrow)}</title>
        </path>
    }
}

/// What a drawn marker shows.
#[derive(Clone, Debug, PartialEq)]
struct MarkerState {
    marker: Marker,
    selected: bool,
    /// Changed by a live event a moment ago.
    flashing: bool,
}

impl MarkerState {
    fn class(&self) -> String {
        format!(
            "ms {}{}{}",
            self.marker.status.wire_name(),
            if self.selected { " selected" } else { "" },
            if self.flashing { " flash" } else { "" }
        )
    }

    fn transform(&self) -> String {
        format!(
            "transform: translate({}px, {}px)",
            px(self.marker.x),
            px(self.marker.y)
        )
    }

    fn label(&self) -> String {
        format!("{}, {}", self.marker.name, self.marker.status.label())
    }
}

/// The baseline ghost and the deliverable's bar, relative to the marker: what changes rarely, and
/// changes the marker's children.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Extras {
    ghost: Option<i64>,
    bar: Option<(i64, i64)>,
    pending: Option<i64>,
    was: Option<i64>,
}

impl Extras {
    fn of(m: &Marker) -> Self {
        Self {
            ghost: m.x_baseline.map(|bx| px(bx - m.x)),
            pending: m.x_pending.map(|x| px(x - m.x)),
            was: m.x_was.map(|x| px(x - m.x)),
            bar: match (m.kind, m.x_start) {
                (MilestoneKind::Deliverable, Some(xs)) => {
                    Some((px(xs - m.x), px((m.x - xs).max(2.0))))
                }
                _ => None,
            },
        }
    }
}

/// A drawn marker's handles: its group, patched in place (so moves and recolouring animate),
/// and its extras, redrawn when they change.
#[derive(Clone, Copy)]
struct DrawnMarker {
    group: NodeRef<leptos::svg::G>,
    extras: RwSignal<Extras>,
}

impl DrawnMarker {
    fn patch(&self, s: &MarkerState) {
        if let Some(g) = self.group.get_untracked() {
            let _ = g.set_attribute("class", &s.class());
            let _ = g.set_attribute("data-status", s.marker.status.wire_name());
            let _ = g.set_attribute("aria-label", &s.label());
            let _ = g.set_attribute("aria-pressed", if s.selected { "true" } else { "false" });
            let _ = g.set_attribute("style", &s.transform());
            // The name is the group's last child: a rename shows where the marker stands.
            if let Some(label) = g.last_element_child()
                && label.text_content().as_deref() != Some(s.marker.name.as_str())
            {
                label.set_text_content(Some(&s.marker.name));
            }
        }
        let extras = Extras::of(&s.marker);
        if self.extras.get_untracked() != extras {
            self.extras.set(extras);
        }
    }
}

#[component]
fn MarkerView(
    state: MarkerState,
    drawn: DrawnMarker,
    selected: RwSignal<Option<MilestoneId>>,
) -> impl IntoView {
    let id = state.marker.id;
    let select = move || selected.update(|s| *s = if *s == Some(id) { None } else { Some(id) });
    let extras = drawn.extras;
    let shapes = move || {
        let Extras {
            ghost,
            bar,
            pending,
            was,
        } = extras.get();
        (ghost.is_some() || bar.is_some() || pending.is_some() || was.is_some()).then(|| {
            let ghost = ghost.map(|dx| {
                view! {
                    <line class="variance" x1=dx.min(0) x2=dx.max(0) y1="0" y2="0"></line>
                    <rect class="ghost" data-testid="baseline-ghost" x=dx - 5 y="-5" width="10" height="10"
                        transform=format!("rotate(45 {dx} 0)")></rect>
                }
            });
            let bar = bar.map(|(x, width)| {
                view! { <rect class="bar" x=x y="-6" width=width height="12" rx="3"></rect> }
            });
            // Where a proposed move would take it: dashed, until its owner answers.
            let pending = pending.map(|dx| {
                view! {
                    <line class="pending-move-line" x1=dx.min(0) x2=dx.max(0) y1="0" y2="0"></line>
                    <rect class="pending-move-ghost" data-testid="pending-move-marker" x=dx - 5 y="-5"
                        width="10" height="10" transform=format!("rotate(45 {dx} 0)")></rect>
                }
            });
            // Where it stood at the earlier moment compared, with an arrow to where it stands
            // (none when the two are too close for one).
            let was = was.map(|dx| {
                let arrow = (dx.abs() > 20).then(|| {
                    let way = dx.signum();
                    view! {
                        <line class="was-line" x1=dx - 7 * way x2=9 * way y1="0" y2="0"
                            marker-end="url(#arrow-was)"></line>
                    }
                });
                view! {
                    {arrow}
                    <rect class="was-ghost" data-testid="was-ghost" x=dx - 5 y="-5" width="10" height="10"
                        transform=format!("rotate(45 {dx} 0)")></rect>
                }
            });
            (ghost, bar, pending, was)
        })
    };
    // The group stays while its position and colour change, so live moves animate.
    view! {
        <g node_ref=drawn.group class=state.class() data-testid="milestone-marker" data-milestone=id.to_string()
            data-status=state.marker.status.wire_name() role="button" tabindex="0" aria-label=state.label()
            aria-pressed=if state.selected { "true" } else { "false" }
            style=state.transform()
            on:click=move |_| select()
            on:keydown=move |ev| {
                if ev.key() == "Enter" || ev.key() == " " {
                    ev.prevent_default();
                    select();
                }
            }>
            {shapes}
            <rect class="diamond" x="-6" y="-6" width="12" height="12" transform="rotate(45)"></rect>
            <text class="ms-label" x="11" y="4">{state.marker.name.clone()}</text>
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
