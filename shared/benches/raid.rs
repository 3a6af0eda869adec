//! The RAID register of a big program: 500 items (400 risks with 1–4 assessments and some actions,
//! 60 issues, 40 assumptions) over the schedule bench's program of 5,000 milestones and 10,000
//! dependencies. Run: `cargo bench -p throughline-shared --bench raid`. Targets: register,
//! heatmap and exposure < 50 ms server side; exposure of one risk < 5 ms.
//!
//! What the server does per read is measured from the stored form on: decode each event's JSON,
//! fold, then read. Baselines, measured in the same run: for the register, decoding the events
//! alone (the floor any read of the log pays); for one risk's exposure, one full recompute of
//! every date of the program with that risk's slip applied (what a tool without incremental
//! propagation does per what-if).
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

mod common;

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use common::{Lcg, full_pass, median, program, program_view};
use std::time::Instant;
use throughline_shared::event::{AggregateEvent, EventMetadata};
use throughline_shared::governance::session::ActionStatus;
use throughline_shared::ids::{ActionId, AssumptionId, EventId, IssueId, ProjectId, RiskId};
use throughline_shared::money::{Currency, Money};
use throughline_shared::raid::assumption::{AssumptionDetails, AssumptionEvent};
use throughline_shared::raid::exposure::{ExposureContext, exposure};
use throughline_shared::raid::issue::{IssueDetails, IssueEvent, Severity};
use throughline_shared::raid::register::RaidFilter;
use throughline_shared::raid::risk::{RiskDetails, RiskEvent};
use throughline_shared::raid::settings::{Appetite, RaidSettingsEvent};
use throughline_shared::raid::view::RaidView;
use throughline_shared::raid::{Assessment, Band, RaidAction, RaidLink, Rating};
use throughline_shared::{DomainEvent, ProgramId, RecordedEvent};
use uuid::Uuid;

const RISKS: usize = 400;
const ISSUES: usize = 60;
const ASSUMPTIONS: usize = 40;

/// The log of the register, as the server reads it: stored events with JSON payloads.
struct Log {
    program: ProgramId,
    events: Vec<RecordedEvent>,
}

impl Log {
    fn push<E: AggregateEvent>(&mut self, stream: Uuid, version: i64, event: E) {
        let encoded = event.encode();
        let position = self.events.len() as i64 + 1;
        self.events.push(RecordedEvent {
            position,
            event_id: EventId::from_uuid(Uuid::from_u128(position as u128)),
            stream_id: stream,
            stream_type: encoded.stream_type.to_string(),
            version,
            event_type: encoded.event_type,
            schema_version: encoded.schema_version,
            program_id: Some(self.program),
            payload: encoded.payload,
            metadata: EventMetadata {
                actor: "bench".into(),
                actor_id: None,
                token_id: None,
                correlation_id: Uuid::nil(),
                causation_id: None,
                request_id: None,
                reason: None,
            },
            recorded_at: Utc.timestamp_opt(1_800_000_000 + position, 0).unwrap(),
            hash: String::new(),
            description: None,
        });
    }
}

fn rating(rng: &mut Lcg) -> Rating {
    Rating::new(1 + rng.below(5) as u8).unwrap()
}

fn assessment(rng: &mut Lcg) -> Assessment {
    Assessment {
        probability: rating(rng),
        impact: rating(rng),
        schedule_days: (rng.below(4) > 0).then(|| rng.below(30) as u16),
        cost: (rng.below(3) == 0)
            .then(|| {
                Money::new(
                    rng.below(50_000_000) as i64,
                    Currency::parse("EUR").unwrap(),
                )
            })
            .flatten(),
    }
}

fn register_log(view: &throughline_shared::view::ProgramView) -> Log {
    let mut rng = Lcg(7);
    let program = view.program_id;
    let mut log = Log {
        program,
        events: Vec::new(),
    };
    let day = |d: usize| NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + Duration::days(d as i64);
    log.push(
        Uuid::from_u128(9),
        1,
        RaidSettingsEvent::RiskAppetiteSet {
            program_id: program,
            appetite: Appetite {
                score: 12,
                schedule_days: Some(15),
                cost: None,
            },
            reason: "bench".into(),
        },
    );
    let categories = ["Vendor", "Technical", "Schedule", "Resource", "Regulatory"];
    let project = |rng: &mut Lcg| view.projects[rng.below(view.projects.len())].project_id;
    for r in 0..RISKS {
        let risk_id = RiskId::from_uuid(Uuid::from_u128(1_000_000 + r as u128));
        let mut links = Vec::new();
        for _ in 0..1 + rng.below(3) {
            // Early milestones reach far: the costliest exposures, as in the schedule bench.
            links.push(if rng.below(4) == 0 {
                RaidLink::Dependency(
                    view.dependencies[rng.below(view.dependencies.len())].dependency_id,
                )
            } else {
                RaidLink::Milestone(view.milestones[rng.below(view.milestones.len())].milestone_id)
            });
        }
        let projects: Vec<ProjectId> = (0..1 + rng.below(2)).map(|_| project(&mut rng)).collect();
        let mut version = 1;
        log.push(
            risk_id.0,
            version,
            RiskEvent::RiskIdentified {
                risk_id,
                program_id: program,
                details: RiskDetails {
                    title: format!("Risk {r}"),
                    description: "What could happen, and why it matters to the program.".into(),
                    cause: format!("Cause {}", rng.below(40)),
                    category: categories[rng.below(categories.len())].into(),
                    owner: format!("Owner {}", rng.below(30)),
                    projects,
                    links,
                    proximity: Some(day(rng.below(400))),
                },
            },
        );
        for _ in 0..1 + rng.below(4) {
            version += 1;
            log.push(
                risk_id.0,
                version,
                RiskEvent::RiskAssessed {
                    risk_id,
                    program_id: program,
                    assessment: assessment(&mut rng),
                    reason: "Reviewed at the risk board".into(),
                    review_by: Some(day(rng.below(120))),
                },
            );
        }
        if rng.below(3) == 0 {
            version += 1;
            log.push(
                risk_id.0,
                version,
                RiskEvent::RiskActionAdded {
                    risk_id,
                    program_id: program,
                    action: RaidAction {
                        action_id: ActionId::from_uuid(Uuid::from_u128(5_000_000 + r as u128)),
                        title: "Mitigate".into(),
                        owner: "Owner".into(),
                        due: day(rng.below(90)),
                        status: ActionStatus::Open,
                    },
                },
            );
        }
    }
    for i in 0..ISSUES {
        let issue_id = IssueId::from_uuid(Uuid::from_u128(2_000_000 + i as u128));
        log.push(
            issue_id.0,
            1,
            IssueEvent::IssueRaised {
                issue_id,
                program_id: program,
                details: IssueDetails {
                    title: format!("Issue {i}"),
                    description: String::new(),
                    severity: [Severity::Low, Severity::Medium, Severity::High][rng.below(3)],
                    owner: format!("Owner {}", rng.below(30)),
                    resolve_by: Some(day(rng.below(60))),
                    projects: vec![project(&mut rng)],
                    links: vec![],
                },
                from_risk: None,
            },
        );
    }
    for a in 0..ASSUMPTIONS {
        let assumption_id = AssumptionId::from_uuid(Uuid::from_u128(3_000_000 + a as u128));
        log.push(
            assumption_id.0,
            1,
            AssumptionEvent::AssumptionRecorded {
                assumption_id,
                program_id: program,
                details: AssumptionDetails {
                    statement: format!("Assumption {a}"),
                    owner: "Owner".into(),
                    validate_by: Some(day(rng.below(90))),
                    projects: vec![project(&mut rng)],
                    links: vec![],
                },
            },
        );
    }
    log
}

fn timed(runs: usize, mut f: impl FnMut(usize)) -> f64 {
    median(
        (0..runs)
            .map(|k| {
                let started = Instant::now();
                f(k);
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect(),
    )
}

fn fold(log: &Log) -> RaidView {
    let mut view = RaidView::new(log.program);
    for recorded in &log.events {
        if let Ok(event) = recorded.decode() {
            view.apply(recorded, &event);
        }
    }
    view
}

fn main() {
    let (items, links) = program();
    let program = program_view(&items, &links);
    let log = register_log(&program);
    let today = NaiveDate::from_ymd_opt(2027, 3, 1).unwrap();

    let decode_ms = timed(15, |_| {
        let decoded: Vec<DomainEvent> = log.events.iter().filter_map(|e| e.decode().ok()).collect();
        std::hint::black_box(decoded);
    });
    let fold_ms = timed(15, |_| {
        std::hint::black_box(fold(&log));
    });
    let raid = fold(&log);
    let register_ms = timed(15, |_| {
        std::hint::black_box(raid.register(today, &RaidFilter::default()));
    });
    let filtered_ms = timed(15, |_| {
        let filter = RaidFilter {
            band: Some(Band::High),
            stale: Some(true),
            ..Default::default()
        };
        std::hint::black_box(raid.register(today, &filter));
    });
    let register = raid.register(today, &RaidFilter::default());
    let json_ms = timed(15, |_| {
        std::hint::black_box(serde_json::to_vec(&register).unwrap());
    });
    let context_ms = timed(15, |_| {
        std::hint::black_box(ExposureContext::new(&program));
    });
    let context = ExposureContext::new(&program);
    let risks: Vec<_> = raid.open_risks().collect();
    let mut reached = Vec::new();
    let one_ms = timed(risks.len(), |k| {
        let (id, risk) = risks[k];
        let e = context.of(id, risk);
        reached.push(e.as_ref().map_or(0, |e| e.milestones.len()) as f64);
        std::hint::black_box(e);
    });
    let worst_one_ms = risks
        .iter()
        .map(|(id, risk)| {
            let started = Instant::now();
            std::hint::black_box(context.of(*id, risk));
            started.elapsed().as_secs_f64() * 1e3
        })
        .fold(0.0, f64::max);
    let all_ms = timed(5, |_| {
        std::hint::black_box(exposure(&raid, &program));
    });
    // The baseline for one risk: a full recompute with its slip applied.
    let full_ms = timed(15, |k| {
        let mut copy = items.clone();
        copy[(k * 37) % items.len()].finish += Duration::days(20);
        full_pass(&mut copy, &links);
    });
    let read_ms = fold_ms + register_ms + json_ms;
    let exposure_read_ms = fold_ms + all_ms;

    println!(
        "| RAID ({RISKS} risks, {ISSUES} issues, {ASSUMPTIONS} assumptions, {} events; 5,000 milestones, 10,000 dependencies) | time | note |",
        log.events.len()
    );
    println!("|---|---|---|");
    println!(
        "| register read: decode + fold + register + heatmap + groups + JSON | {read_ms:.2} ms | {:.2}× decoding the events alone ({decode_ms:.2} ms); target < 50 ms |",
        read_ms / decode_ms
    );
    println!("| of which: decode + fold | {fold_ms:.2} ms | median of 15 |");
    println!(
        "| of which: register, heatmap, groups, counts | {register_ms:.2} ms | filtered (band + stale): {filtered_ms:.2} ms |"
    );
    println!(
        "| of which: JSON of the answer | {json_ms:.2} ms | {} bytes |",
        serde_json::to_vec(&register).unwrap().len()
    );
    println!(
        "| exposure of one risk (median of {}) | {:.1} µs (worst {worst_one_ms:.2} ms) | reaches a median of {:.0} milestones; {:.4}× one full recompute ({full_ms:.2} ms); target < 5 ms |",
        risks.len(),
        one_ms * 1e3,
        median(reached),
        one_ms / full_ms
    );
    println!(
        "| exposure of every open risk | {all_ms:.2} ms | + decode and fold: {exposure_read_ms:.2} ms; graph built once ({context_ms:.2} ms); target < 50 ms |"
    );
}
