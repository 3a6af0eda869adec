//! Executive briefing generation for the demo program (issue 16), against reads of the same
//! program measured in the same run: the current view (what every page loads) and what changed
//! since the last briefing (which a draft computes too). Run:
//! `cargo bench -p throughline-backend --bench briefing`.
//!
//! All end to end over HTTP (gzip) on one machine: `GET …/briefings/draft` (the views as of now
//! and as of the last briefing, their changes, the events behind each item, the sentences),
//! `GET …/briefings/1/briefing.pdf` and `…/briefing.md`.
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

mod support;

use std::time::{Duration, Instant};
use support::{drop_database, quantile, scale};
use throughline_backend::demo;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn timed(client: &reqwest::Client, url: &str, times: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(times);
    for _ in 0..times {
        let started = Instant::now();
        let res = client
            .get(url)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{url}: {}", res.status());
        let _ = res.bytes().await.unwrap();
        out.push(started.elapsed());
    }
    out.sort();
    out
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (url, pool) = support::database("briefing").await;
        let server = support::server(&url, 16).await;
        let today = chrono::Utc::now().date_naive();
        let seeded = demo::seed(&server.store, today).await.unwrap();
        let program = seeded.program_id;
        let base = format!("{}/api/programs/{program}", server.base);
        // A first briefing, so the draft counts what changed since it.
        let first: throughline_shared::briefing::requests::BriefingDraft = server
            .client
            .get(format!("{base}/briefings/draft"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let res = server
            .client
            .post(format!("{base}/briefings"))
            .json(&serde_json::json!({
                "as_of": first.document.as_of,
                "day": first.document.as_of_day,
                "expected_version": first.expected_version,
                "narrative": "Weekly briefing to the steering committee.",
                "highlights": ["PCI re-audit decides the go-live"],
            }))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events WHERE program_id = $1")
            .bind(program.0)
            .fetch_one(&pool)
            .await
            .unwrap();
        let n = scale(100).max(10);
        // Warm the view cache and the connection pool alike for every measured read.
        let _ = timed(&server.client, &base, 5).await;
        let view = timed(&server.client, &base, n).await;
        let changes = timed(
            &server.client,
            &format!("{base}/changes?from={}", first.document.as_of),
            n,
        )
        .await;
        let draft = timed(&server.client, &format!("{base}/briefings/draft"), n).await;
        let pdf = timed(
            &server.client,
            &format!("{base}/briefings/1/briefing.pdf"),
            n,
        )
        .await;
        let md = timed(
            &server.client,
            &format!("{base}/briefings/1/briefing.md"),
            n,
        )
        .await;
        println!(
            "demo program: {events} events, {} milestones, {} dependencies; {n} reads each",
            seeded.milestones, seeded.dependencies
        );
        println!("| read | p50 | p99 | p50 ratio to the program view |");
        println!("|---|---|---|---|");
        let v50 = ms(quantile(&view, 0.5));
        for (name, times) in [
            ("program view (baseline)", &view),
            ("what changed since the briefing", &changes),
            ("briefing draft (generated)", &draft),
            ("published briefing as PDF", &pdf),
            ("published briefing as Markdown", &md),
        ] {
            let (p50, p99) = (ms(quantile(times, 0.5)), ms(quantile(times, 0.99)));
            println!("| {name} | {p50:.1} ms | {p99:.1} ms | {:.1}× |", p50 / v50);
        }
        drop_database(&url, pool).await;
    });
}
