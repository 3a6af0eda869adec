//! Slip-impact analysis on a big program: 50 projects, 5,000 milestones, 10,000 dependencies.
//! Run: `cargo bench -p throughline-shared --bench schedule`. Target: the impact of one slip in
//! < 20 ms. The baseline, measured in the same run, is one full forward pass that recomputes every
//! date of the program (what a tool without incremental propagation does per change).
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

use chrono::{Duration, NaiveDate};
use std::collections::HashMap;
use std::time::Instant;
use throughline_shared::ProgramId;
use throughline_shared::dependency::DependencyState;
use throughline_shared::ids::{DependencyId, MilestoneId, ObjectiveId, ProjectId};
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::program::StrategicObjective;
use throughline_shared::schedule::{DependencyType, Item, Link, Schedule, Shift};
use throughline_shared::view::{DependencyView, MilestoneView, ProgramView, ProjectView};
use uuid::Uuid;

const PROJECTS: usize = 50;
const MILESTONES: usize = 5_000;
const DEPENDENCIES: usize = 10_000;

/// A small deterministic generator, so every run measures the same program.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn program() -> (Vec<Item>, Vec<Link>) {
    let mut rng = Lcg(42);
    let base = NaiveDate::from_ymd_opt(2027, 1, 4).unwrap();
    let mut items: Vec<Item> = (0..MILESTONES)
        .map(|i| {
            let finish = base + Duration::days((i * 540 / MILESTONES) as i64 + rng.below(5) as i64);
            let deliverable = i % 3 == 0;
            Item {
                id: MilestoneId::from_uuid(Uuid::from_u128(i as u128 + 1)),
                project: ProjectId::from_uuid(Uuid::from_u128((i % PROJECTS) as u128 + 1)),
                start: deliverable.then(|| finish - Duration::days(10 + rng.below(20) as i64)),
                finish,
                done: false,
            }
        })
        .collect();
    let kinds = [
        DependencyType::FinishToStart,
        DependencyType::StartToStart,
        DependencyType::FinishToFinish,
        DependencyType::StartToFinish,
    ];
    let mut links = Vec::with_capacity(DEPENDENCIES);
    while links.len() < DEPENDENCIES {
        // Mostly to something a little later (realistic hand-offs), always forward: acyclic.
        let p = rng.below(MILESTONES - 1);
        let c = (p + 1 + rng.below(200)).min(MILESTONES - 1);
        links.push(Link {
            id: DependencyId::from_uuid(Uuid::from_u128(links.len() as u128 + 1)),
            provider: items[p].id,
            consumer: items[c].id,
            kind: kinds[rng.below(4)],
            lag_days: rng.below(4) as i32,
            need_by: None,
        });
    }
    // Make the forecasts respect the dependencies, as a planned program would: many are tight.
    full_pass(&mut items, &links);
    (items, links)
}

/// The baseline: recompute every date by one pass in index order (links only go forward).
fn full_pass(items: &mut [Item], links: &[Link]) {
    let index: HashMap<MilestoneId, usize> =
        items.iter().enumerate().map(|(i, it)| (it.id, i)).collect();
    let mut incoming: Vec<Vec<&Link>> = vec![Vec::new(); items.len()];
    for link in links {
        incoming[index[&link.consumer]].push(link);
    }
    for c in 0..items.len() {
        for link in &incoming[c] {
            let p = &items[index[&link.provider]];
            let provider_date = match link.kind {
                DependencyType::FinishToStart | DependencyType::FinishToFinish => p.finish,
                _ => p.start.unwrap_or(p.finish),
            } + Duration::days(link.lag_days.into());
            let consumer = &items[c];
            let current = match link.kind {
                DependencyType::FinishToStart | DependencyType::StartToStart => {
                    consumer.start.unwrap_or(consumer.finish)
                }
                _ => consumer.finish,
            };
            let push = (provider_date - current).num_days();
            if push > 0 {
                let consumer = &mut items[c];
                consumer.finish += Duration::days(push);
                consumer.start = consumer.start.map(|s| s + Duration::days(push));
            }
        }
    }
}

/// The same program as a view: what the projection folds slips into and the browser analyses.
fn program_view(items: &[Item], links: &[Link]) -> ProgramView {
    let epoch = chrono::DateTime::from_timestamp(0, 0).unwrap();
    let mut view = ProgramView::new(ProgramId::from_uuid(Uuid::from_u128(7)));
    view.objectives = (0..5)
        .map(|o| StrategicObjective {
            objective_id: ObjectiveId::from_uuid(Uuid::from_u128(o + 1)),
            title: format!("Objective {o}"),
            kpi: None,
            target_value: None,
            target_date: Some(NaiveDate::from_ymd_opt(2028, 6, 30).unwrap()),
        })
        .collect();
    view.projects = (0..PROJECTS)
        .map(|p| ProjectView {
            project_id: ProjectId::from_uuid(Uuid::from_u128(p as u128 + 1)),
            name: format!("Project {p}"),
            manager: "PM".into(),
            version: 1,
            status: None,
            previous_rag: None,
            added_at: epoch,
            objectives: vec![view.objectives[p % 5].objective_id],
        })
        .collect();
    view.milestones = items
        .iter()
        .map(|it| MilestoneView {
            milestone_id: it.id,
            project_id: it.project,
            name: format!("M {}", it.id),
            kind: if it.start.is_some() {
                MilestoneKind::Deliverable
            } else {
                MilestoneKind::Milestone
            },
            owner: "Owner".into(),
            planned: it.finish,
            planned_start: it.start,
            forecast: it.finish,
            forecast_start: it.start,
            baseline: Some(it.finish),
            actual: None,
            version: 2,
            external_ref: None,
        })
        .collect();
    view.dependencies = links
        .iter()
        .map(|l| DependencyView {
            dependency_id: l.id,
            provider: l.provider,
            provider_project: items.iter().find(|i| i.id == l.provider).unwrap().project,
            consumer: l.consumer,
            consumer_project: items.iter().find(|i| i.id == l.consumer).unwrap().project,
            kind: l.kind,
            lag_days: l.lag_days,
            need_by: l.need_by,
            provider_owner: "A".into(),
            consumer_owner: "B".into(),
            description: String::new(),
            state: DependencyState::Agreed,
            proposed_at: epoch,
            closed_reason: None,
        })
        .collect();
    view
}

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

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
