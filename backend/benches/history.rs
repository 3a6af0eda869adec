//! As-of reads of a long history (issue 16), against the same reads without snapshots, measured
//! in the same run. Run: `cargo bench -p throughline-backend --bench history`; `BENCH_SCALE=0.1`
//! shrinks the history (10,000 events).
//!
//! The program: 2,000 milestones with about 4,000 dependencies (`support::big_program`), then
//! status reports and forecast changes (one in ten) appended until the program has 100,000
//! events. Reads are `GET /api/programs/{id}?as_of=<position>` at pseudo-random positions, end
//! to end over HTTP (gzip), as the UI asks them.
//!
//! `BENCH_KEEP=1` keeps the database (snapshots swept again) and prints its URL, the program's
//! id and its administrator's sign-in, for the browser's jump benchmark on the same history
//! (`BENCH_PROGRAM_ID=… node tests/browser/replay.bench.mjs`, docs/benchmarks.md).
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

mod support;

use std::time::{Duration, Instant};
use support::{drop_database, metadata, quantile, scale};
use throughline_backend::event_store::{AppendRequest, ExpectedVersion, NewEvent, StreamAppend};
use throughline_backend::queries::snapshots;
use throughline_shared::event::AggregateEvent;
use throughline_shared::ids::MilestoneId;
use throughline_shared::milestone::MilestoneEvent;
use throughline_shared::project::ProjectEvent;
use throughline_shared::{ProgramId, ProjectId, Rag};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `count` pseudo-random positions in 1..=head.
fn positions(count: usize, head: i64, seed: u64) -> Vec<i64> {
    let mut state = seed;
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            1 + (state >> 33) as i64 % head
        })
        .collect()
}

async fn timed_reads(
    client: &reqwest::Client,
    base: &str,
    program: &str,
    at: &[i64],
) -> Vec<Duration> {
    let mut times = Vec::with_capacity(at.len());
    for position in at {
        let started = Instant::now();
        let res = client
            .get(format!("{base}/api/programs/{program}?as_of={position}"))
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        let status = res.status();
        let _ = res.bytes().await.unwrap();
        assert!(status.is_success() || status.as_u16() == 404, "{status}");
        times.push(started.elapsed());
    }
    times.sort();
    times
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (url, pool) = support::database("history").await;
        let server = support::server(&url, 16).await;
        let big = support::big_program(&server.client, &server.base, 2_000).await;
        let program = ProgramId(big.program.parse().unwrap());
        let projects: Vec<ProjectId> = big
            .project_ids
            .iter()
            .map(|p| ProjectId(p.parse().unwrap()))
            .collect();
        let milestones: Vec<(MilestoneId, ProjectId)> = {
            let view = server
                .client
                .get(format!("{}/api/programs/{program}", server.base))
                .send()
                .await
                .unwrap()
                .json::<throughline_shared::view::ProgramView>()
                .await
                .unwrap();
            view.milestones
                .iter()
                .map(|m| (m.milestone_id, m.project_id))
                .collect()
        };
        let mut forecasts: Vec<chrono::NaiveDate> =
            vec![chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(); milestones.len()];

        // The rest of the history, appended in chunks as a busy program would have it.
        let target = scale(100_000) as i64;
        let count = || async {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM events WHERE program_id = $1")
                .bind(program.0)
                .fetch_one(&pool)
                .await
                .unwrap()
        };
        let mut n = count().await as usize;
        let seeding = Instant::now();
        while (n as i64) < target {
            let mut appends = Vec::new();
            for _ in 0..500 {
                n += 1;
                if n.is_multiple_of(10) {
                    let i = (n * 7919) % milestones.len();
                    let (milestone_id, project_id) = milestones[i];
                    let to = chrono::NaiveDate::from_ymd_opt(2027, 6, 1).unwrap()
                        + chrono::Duration::days((n % 60) as i64);
                    let event = MilestoneEvent::MilestoneForecastChanged {
                        milestone_id,
                        program_id: program,
                        project_id,
                        from: forecasts[i],
                        to,
                        start: None,
                    };
                    forecasts[i] = to;
                    appends.push(StreamAppend {
                        stream_id: milestone_id.0,
                        stream_type: MilestoneEvent::STREAM_TYPE.into(),
                        expected: ExpectedVersion::Any,
                        events: vec![NewEvent::new(event.encode(), metadata())],
                    });
                } else {
                    let project = projects[n % projects.len()];
                    let event = ProjectEvent::ProjectStatusReported {
                        project_id: project,
                        program_id: program,
                        rag: Rag::ALL[n % 3],
                        narrative: format!("Week {n}: vendor integration on track"),
                    };
                    appends.push(StreamAppend {
                        stream_id: project.0,
                        stream_type: ProjectEvent::STREAM_TYPE.into(),
                        expected: ExpectedVersion::Any,
                        events: vec![NewEvent::new(event.encode(), metadata())],
                    });
                }
            }
            // One stream appears once per append: each event goes on its own.
            for append in appends {
                server
                    .store
                    .append(AppendRequest::single(append))
                    .await
                    .unwrap();
            }
        }
        let events = count().await;
        let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
            .fetch_one(&pool)
            .await
            .unwrap();
        println!(
            "history: {events} events of the program (head {head}), seeded in {:.0?}",
            seeding.elapsed()
        );

        // Snapshots: whatever the live tail took while seeding, then the rest by a sweep.
        let swept = Instant::now();
        snapshots::sweep(&pool, snapshots::DEFAULT_EVERY)
            .await
            .unwrap();
        let (taken, bytes): (i64, i64) = sqlx::query_as(
            "SELECT count(*), coalesce(sum(pg_column_size(view)), 0)::bigint \
             FROM program_view_snapshots WHERE program_id = $1",
        )
        .bind(program.0)
        .fetch_one(&pool)
        .await
        .unwrap();
        println!(
            "snapshots: {taken} (every {}), {:.1} MB stored ({:.0} KB each), sweep {:.1?}",
            snapshots::DEFAULT_EVERY,
            bytes as f64 / 1e6,
            bytes as f64 / 1e3 / taken.max(1) as f64,
            swept.elapsed()
        );

        let program_id = program.to_string();
        let with = timed_reads(
            &server.client,
            &server.base,
            &program_id,
            &positions(scale(200).max(20), head, 7),
        )
        .await;
        snapshots::drop_all(&pool).await.unwrap();
        let without = timed_reads(
            &server.client,
            &server.base,
            &program_id,
            &positions(scale(30).max(10), head, 11),
        )
        .await;
        let (w50, w99) = (quantile(&with, 0.5), quantile(&with, 0.99));
        let (b50, b99) = (quantile(&without, 0.5), quantile(&without, 0.99));
        println!("| benchmark | with snapshots | without (same run) | ratio | target |");
        println!("|---|---|---|---|---|");
        println!(
            "| as-of read, {events}-event program, p50 | {:.1} ms | {:.1} ms | {:.3}× | ≤ 100 ms |",
            ms(w50),
            ms(b50),
            ms(w50) / ms(b50)
        );
        println!(
            "| as-of read, {events}-event program, p99 | {:.1} ms | {:.1} ms | {:.3}× | ≤ 100 ms |",
            ms(w99),
            ms(b99),
            ms(w99) / ms(b99)
        );
        if std::env::var_os("BENCH_KEEP").is_some() {
            snapshots::sweep(&pool, snapshots::DEFAULT_EVERY)
                .await
                .unwrap();
            println!(
                "kept: DATABASE_URL={url} BENCH_PROGRAM_ID={program_id} \
                 THROUGHLINE_ADMIN_USER=bench THROUGHLINE_ADMIN_PASSWORD='bench password 1234'"
            );
            pool.close().await;
        } else {
            drop_database(&url, pool).await;
        }
    });
}
