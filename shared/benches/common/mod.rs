//! The big program both benches measure: 50 projects, 5,000 milestones, 10,000 dependencies,
//! generated deterministically so every run measures the same program.
#![allow(dead_code)]

use chrono::{Duration, NaiveDate};
use std::collections::HashMap;
use throughline_shared::ProgramId;
use throughline_shared::dependency::DependencyState;
use throughline_shared::ids::{DependencyId, MilestoneId, ObjectiveId, ProjectId};
use throughline_shared::milestone::MilestoneKind;
use throughline_shared::program::StrategicObjective;
use throughline_shared::schedule::{DependencyType, Item, Link};
use throughline_shared::view::{DependencyView, MilestoneView, ProgramView, ProjectView};
use uuid::Uuid;

pub const PROJECTS: usize = 50;
pub const MILESTONES: usize = 5_000;
pub const DEPENDENCIES: usize = 10_000;

/// A small deterministic generator, so every run measures the same program.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

pub fn program() -> (Vec<Item>, Vec<Link>) {
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
pub fn full_pass(items: &mut [Item], links: &[Link]) {
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
pub fn program_view(items: &[Item], links: &[Link]) -> ProgramView {
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
            stage: Default::default(),
            stage_reason: None,
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
            percent_complete: 0,
            actual_start: None,
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
            version: 2,
        })
        .collect();
    view
}

pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}
