//! Slip-impact analysis on a big program: 50 projects, 5,000 milestones, 10,000 dependencies.
//! Run: `cargo bench -p throughline-shared --bench schedule`. Target: the impact of one slip in
//! < 20 ms. The baseline, measured in the same run, is one full forward pass that recomputes every
//! date of the program (what a tool without incremental propagation does per change).
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

mod common;

use chrono::{Duration, NaiveDate};
use common::{DEPENDENCIES, MILESTONES, PROJECTS, full_pass, median, program, program_view};
use std::time::Instant;
use throughline_shared::schedule::{Schedule, Shift};

fn main() {
    let (items, links) = program();
    let started = Instant::now();
    let schedule = Schedule::new(items.clone(), links.clone()).unwrap();
    let build_ms = started.elapsed().as_secs_f64() * 1e3;

    // Slips of early milestones move the most; take 100 of the first 500 and 30 days each.
    let mut impact_ms = Vec::new();
    let mut moved_counts = Vec::new();
    for k in 0..100 {
        let id = items[k * 5].id;
        let started = Instant::now();
        let moved = schedule.impact(id, 30);
        impact_ms.push(started.elapsed().as_secs_f64() * 1e3);
        moved_counts.push(moved.len() as f64);
    }
    let mut full_ms = Vec::new();
    for k in 0..20 {
        let mut copy = items.clone();
        copy[k * 5].finish += Duration::days(30);
        let started = Instant::now();
        full_pass(&mut copy, &links);
        full_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let started = Instant::now();
    let critical = schedule.critical_path();
    let critical_ms = started.elapsed().as_secs_f64() * 1e3;
    let started = Instant::now();
    let health = schedule.health(NaiveDate::from_ymd_opt(2027, 3, 1).unwrap());
    let health_ms = started.elapsed().as_secs_f64() * 1e3;

    // The worst case: the very first milestone slips a year and drags most of the program.
    let started = Instant::now();
    let dragged = schedule.impact(items[0].id, 365).len();
    let drag_ms = started.elapsed().as_secs_f64() * 1e3;

    let view = program_view(&items, &links);
    let today = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();
    let timed = |f: &dyn Fn(usize)| {
        median(
            (0..15)
                .map(|k| {
                    let started = Instant::now();
                    f(k);
                    started.elapsed().as_secs_f64() * 1e3
                })
                .collect(),
        )
    };
    let recorded_ms = timed(&|k| {
        std::hint::black_box(view.slip_impact(items[k * 7].id, Shift::both(30)));
    });
    let analyse_ms = timed(&|_| {
        std::hint::black_box(view.analyse(today));
    });
    let preview_ms = timed(&|k| {
        std::hint::black_box(view.preview_slip(items[k * 7].id, 30, today));
    });

    let impact = median(impact_ms.clone());
    let worst = impact_ms.iter().cloned().fold(0.0, f64::max);
    let full = median(full_ms);
    println!(
        "| schedule analysis ({PROJECTS} projects, {MILESTONES} milestones, {DEPENDENCIES} dependencies) | time | note |"
    );
    println!("|---|---|---|");
    println!(
        "| impact of one 30-day slip (median of 100) | {:.1} µs (worst {worst:.2} ms) | moves a median of {:.0} milestones; {:.3}× one full recompute ({full:.2} ms); target < 20 ms |",
        impact * 1e3,
        median(moved_counts),
        impact / full
    );
    println!(
        "| impact of a 365-day slip of the first milestone | {drag_ms:.2} ms | moves {dragged} milestones |"
    );
    println!(
        "| build the graph, check acyclic, order | {build_ms:.2} ms | once per change of structure |"
    );
    println!(
        "| critical path (float of every item) | {critical_ms:.2} ms | {} items without float |",
        critical.len()
    );
    println!(
        "| health of every dependency | {health_ms:.2} ms | {} dependencies |",
        health.len()
    );
    println!(
        "| a slip as the projection records it (graph + impact + objectives) | {recorded_ms:.2} ms | median of 15; per forecast that moves later |"
    );
    println!(
        "| the whole analysis of the view (status, overdue, critical path, objectives) | {analyse_ms:.2} ms | median of 15; the browser reruns it per change |"
    );
    println!(
        "| a slip preview (impact + dependencies turning late + objectives) | {preview_ms:.2} ms | median of 15; `GET …/impact` and the forecast form |"
    );
}
