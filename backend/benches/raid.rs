//! RAID reads over HTTP (issue 14) on the big program: 5,000 milestones, about 10,000 dependencies
//! (built through the CSV imports) and 500 RAID items (400 risks with one to four assessments,
//! 60 issues, 40 assumptions) made through the API. Run:
//! `cargo bench -p throughline-backend --bench raid` (`BENCH_SCALE=0.1` for a quick look).
//! Targets: register, heatmap and exposure < 50 ms server side. The baseline, in the same run, is
//! reading the register's events from PostgreSQL alone, in-process (the floor of any read that
//! folds them).
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

mod support;

use serde_json::json;
use std::time::{Duration, Instant};
use support::{drop_database, quantile, scale};
use throughline_backend::event_store::read_program_streams;
use throughline_backend::queries::raid::RAID_STREAMS;
use uuid::Uuid;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A small deterministic generator, so every run makes the same register.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n.max(1) as u64) as usize
    }
}

/// p50 and p99 of `runs` sequential GETs of `path`.
async fn timed_gets(client: &reqwest::Client, url: &str, runs: usize) -> (Duration, Duration) {
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let res = client.get(url).send().await.unwrap();
        assert!(res.status().is_success(), "{url}: {}", res.status());
        res.bytes().await.unwrap();
        times.push(started.elapsed());
    }
    times.sort();
    (quantile(&times, 0.5), quantile(&times, 0.99))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (url, pool) = support::database("raid").await;
        let support::Server { base, client, .. } = support::server(&url, 16).await;
        let milestones = scale(5_000).max(20);
        let big = support::big_program(&client, &base, milestones).await;
        let program = big.program.clone();
        let (risks, issues, assumptions) = (scale(400).max(4), scale(60).max(1), scale(40).max(1));
        let mut rng = Lcg(11);
        let started = Instant::now();
        let mut risk_ids = Vec::new();
        for r in 0..risks {
            let links: Vec<_> = (0..1 + rng.below(3))
                .map(|_| json!({"kind": "milestone", "id": big.milestone_ids[rng.below(big.milestone_ids.len())]}))
                .collect();
            let category = ["Vendor", "Technical", "Schedule", "Resource"][rng.below(4)];
            let body = json!({
                "details": {"title": format!("Risk {r}"), "cause": format!("Cause {}", rng.below(40)),
                            "category": category,
                            "owner": format!("Owner {}", rng.below(30)),
                            "projects": [big.project_ids[rng.below(big.project_ids.len())]],
                            "links": links},
                "assessment": {"probability": 1 + rng.below(5), "impact": 1 + rng.below(5),
                               "schedule_days": rng.below(30)},
                "review_by": format!("2027-0{}-1{}", 1 + rng.below(9), rng.below(10)),
            });
            let res = client
                .post(format!("{base}/api/programs/{program}/raid/risks"))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(res.status().is_success(), "{}", res.text().await.unwrap());
            let id: serde_json::Value = res.json().await.unwrap();
            let id = id["stream_id"].as_str().unwrap().to_string();
            for _ in 0..rng.below(4) {
                let res = client
                    .post(format!("{base}/api/programs/{program}/raid/risks/{id}/assess"))
                    .json(&json!({"assessment": {"probability": 1 + rng.below(5), "impact": 1 + rng.below(5),
                                                 "schedule_days": rng.below(30)},
                                  "reason": "Reviewed at the risk board"}))
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success());
            }
            risk_ids.push(id);
        }
        for (kind, n) in [("issues", issues), ("assumptions", assumptions)] {
            for i in 0..n {
                let project = &big.project_ids[rng.below(big.project_ids.len())];
                let details = if kind == "issues" {
                    json!({"title": format!("Issue {i}"), "severity": "high", "owner": "Owner",
                           "projects": [project]})
                } else {
                    json!({"statement": format!("Assumption {i}"), "owner": "Owner",
                           "projects": [project]})
                };
                let res = client
                    .post(format!("{base}/api/programs/{program}/raid/{kind}"))
                    .json(&json!({ "details": details }))
                    .send()
                    .await
                    .unwrap();
                assert!(res.status().is_success());
            }
        }
        let seeded_s = started.elapsed().as_secs_f64();
        let program_id = Uuid::parse_str(&program).unwrap();
        let events = read_program_streams(&pool, program_id, &RAID_STREAMS, i64::MAX)
            .await
            .unwrap()
            .len();
        let runs = 30;
        let mut floor = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            read_program_streams(&pool, program_id, &RAID_STREAMS, i64::MAX)
                .await
                .unwrap();
            floor.push(started.elapsed());
        }
        floor.sort();
        let floor_p50 = quantile(&floor, 0.5);
        let register = timed_gets(&client, &format!("{base}/api/programs/{program}/raid"), runs).await;
        let filtered = timed_gets(
            &client,
            &format!("{base}/api/programs/{program}/raid?band=high&state=open"),
            runs,
        )
        .await;
        let exposure =
            timed_gets(&client, &format!("{base}/api/programs/{program}/raid/exposure"), runs).await;
        let one = timed_gets(
            &client,
            &format!("{base}/api/programs/{program}/raid/risks/{}", risk_ids[0]),
            runs,
        )
        .await;
        println!(
            "| RAID over HTTP: {risks} risks, {issues} issues, {assumptions} assumptions ({events} events) on {milestones} milestones and {} dependencies; seeded in {seeded_s:.0} s | p50 / p99 | ratio to reading the events alone ({:.1} ms) | target |",
            big.dependencies,
            ms(floor_p50)
        );
        println!("|---|---|---|---|");
        for (name, (p50, p99)) in [
            ("register (rows, heatmap, groups, counts)", register),
            ("register filtered (band high, open)", filtered),
            ("exposure of every open risk", exposure),
            ("one risk with its history and exposure", one),
        ] {
            println!(
                "| {name} | {:.1} / {:.1} ms | {:.1}× | < 50 ms |",
                ms(p50),
                ms(p99),
                ms(p50) / ms(floor_p50)
            );
        }
        drop_database(&url, pool).await;
    });
}
