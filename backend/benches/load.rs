//! Load benchmarks (issue 12), each against a baseline measured in the same run. Run:
//! `cargo bench -p throughline-backend --bench load`; `BENCH_ONLY=f,g,h` picks parts,
//! `BENCH_SCALE=0.1` shrinks them (the scale run then lasts 60 s instead of 10 minutes;
//! `BENCH_H_SECONDS` shortens it and keeps the program's size).
//!
//! - (f) a command on a stream of 10,000 events against one of 10;
//! - (g) reads of the demo program by 50 keep-alive clients, gzip against uncompressed;
//! - (h) a program of 5,000 milestones and 10,000 dependencies under writers at saturation:
//!   throughput at the start against the end, projection lag, view reads, and the bytes written
//!   to the read model per event against a program of 20 milestones under the same load.
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

mod support;

use serde_json::{Value, json};
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use support::{drop_database, enabled, quantile, scale};
use throughline_backend::commands;
use throughline_backend::event_store::{
    AppendRequest, EventFilter, EventStore, ExpectedVersion, NewEvent, StreamAppend, read_events,
};
use throughline_backend::metrics::METRICS;
use throughline_backend::projection::{fold_one, load_view_at_checkpoint};
use throughline_backend::request_context::RequestContext;
use throughline_shared::api::{AddProjectRequest, CreateProgramRequest, ReportStatusRequest};
use throughline_shared::event::AggregateEvent;
use throughline_shared::project::ProjectEvent;
use throughline_shared::{ProgramId, ProjectId, Rag};
use uuid::Uuid;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// A program view read as it was before the per-instance view cache: the projection's stored
/// view, the events after its checkpoint folded in, serialised and gzipped whole (as the
/// compression middleware did). Returns the gzipped size.
async fn uncached_read(pool: &PgPool, program: ProgramId) -> usize {
    use std::io::Write;
    let (checkpoint, stored) = load_view_at_checkpoint(pool, program).await.unwrap();
    let mut view = stored.unwrap();
    let filter = EventFilter {
        after: checkpoint,
        up_to: None,
        program_id: Some(program),
        limit: 100_000,
    };
    for mut event in read_events(pool, filter).await.unwrap() {
        fold_one(&mut view, &mut event);
    }
    let json = serde_json::to_vec(&view).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&json).unwrap();
    gz.finish().unwrap().len()
}

/// (f) p50 latency of status reports on a project whose stream holds `long` events and on one
/// holding 10: with folded states kept between commands (ours) and with every command folding
/// its whole stream (a new store each time: how it was).
async fn command_cost(url: &str, long: usize, samples: usize) -> [Duration; 4] {
    // A server runs the projections (creating a program waits for the access projection).
    let support::Server { store, pool, .. } = support::server(url, 8).await;
    let pool = &pool;
    let ctx = RequestContext::system("bench");
    let program = commands::create_program(
        &store,
        &ctx,
        CreateProgramRequest {
            name: "Command cost".into(),
            description: String::new(),
            sponsor: "Bench".into(),
            objectives: Vec::new(),
        },
    )
    .await
    .unwrap()
    .program_id;
    let add = |name: &str| AddProjectRequest {
        name: name.into(),
        manager: "Bench".into(),
        objectives: Vec::new(),
    };
    let mut projects = Vec::new();
    for (name, events) in [("Short", 10), ("Long", long)] {
        let project = commands::add_project(&store, &ctx, program, add(name))
            .await
            .unwrap()
            .project_id
            .unwrap();
        let mut n = 1;
        while n < events {
            let chunk = (events - n).min(1_000);
            let events = (n..n + chunk)
                .map(|i| status_event(program, project, i))
                .collect();
            store
                .append(AppendRequest::single(StreamAppend {
                    stream_id: project.0,
                    stream_type: ProjectEvent::STREAM_TYPE.into(),
                    expected: ExpectedVersion::Any,
                    events,
                }))
                .await
                .unwrap();
            n += chunk;
        }
        projects.push(project);
    }
    // The projections fold the bulk-appended stream before anything is timed, so their catch-up
    // does not land on one case's samples.
    loop {
        let caught_up: bool = sqlx::query_scalar(
            "SELECT coalesce(bool_and(c.position = h.position), false) \
             FROM projection_checkpoints c, log_head h",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if caught_up {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let report = |n: usize| ReportStatusRequest {
        rag: Rag::ALL[n % 3],
        narrative: format!("report {n}"),
        expected_version: None,
        reason: None,
    };
    let mut out = [Duration::ZERO; 4];
    let cases = [(0, true), (1, true), (0, false), (1, false)];
    for (slot, (project, kept)) in cases.into_iter().enumerate() {
        let mut times = Vec::with_capacity(samples);
        for n in 0..samples {
            let fresh;
            let store = if kept {
                &store
            } else {
                fresh = EventStore::start(pool.clone());
                &fresh
            };
            let started = Instant::now();
            commands::report_status(store, &ctx, program, projects[project], report(n))
                .await
                .unwrap();
            times.push(started.elapsed());
        }
        times.sort();
        out[slot] = quantile(&times, 0.5);
    }
    out
}

fn status_event(program: ProgramId, project: ProjectId, n: usize) -> NewEvent {
    NewEvent::new(
        ProjectEvent::ProjectStatusReported {
            project_id: project,
            program_id: program,
            rag: Rag::ALL[n % 3],
            narrative: format!("Week {n}: vendor integration on track"),
        }
        .encode(),
        support::metadata(),
    )
}

/// (g) reads on the demo program by `clients` keep-alive clients for `seconds`, each sending one
/// read every `every` (an open loop: the latency of a served rate, not of a queue the clients
/// keep full), asking for gzip or not: p50 and p99 per endpoint.
async fn read_latency(
    url: &str,
    clients: usize,
    seconds: u64,
    gzip: bool,
) -> Vec<(&'static str, Duration, Duration)> {
    let support::Server {
        base,
        client,
        store,
        ..
    } = support::server(url, 16).await;
    let seeded = throughline_backend::demo::seed(&store, chrono::Utc::now().date_naive())
        .await
        .unwrap();
    let program = seeded.program_id;
    let names = ["program view", "schedule", "audit page", "governance"];
    let paths: Vec<String> = ["", "/schedule", "/audit", "/governance"]
        .iter()
        .map(|p| format!("{base}/api/programs/{program}{p}"))
        .collect();
    // Let the projection fold the demo before measuring.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let until = Instant::now() + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            let (paths, client) = (paths.clone(), client.clone());
            tokio::spawn(async move {
                let mut times: Vec<(usize, Duration)> = Vec::new();
                let mut n = c;
                // Clients start spread over one period.
                let mut next = Instant::now() + EVERY.mul_f64(c as f64 / clients as f64);
                while Instant::now() < until {
                    tokio::time::sleep_until(next.into()).await;
                    next += EVERY;
                    let i = n % paths.len();
                    n += 1;
                    let started = Instant::now();
                    let res = client
                        .get(&paths[i])
                        .header("accept-encoding", if gzip { "gzip" } else { "identity" })
                        .send()
                        .await
                        .unwrap();
                    assert!(res.status().is_success());
                    let _ = res.bytes().await.unwrap();
                    times.push((i, started.elapsed()));
                }
                times
            })
        })
        .collect();
    let mut by_path: Vec<Vec<Duration>> = vec![Vec::new(); paths.len()];
    for t in tasks {
        for (i, d) in t.await.unwrap() {
            by_path[i].push(d);
        }
    }
    names
        .into_iter()
        .zip(by_path)
        .map(|(name, mut times)| {
            times.sort();
            (name, quantile(&times, 0.5), quantile(&times, 0.99))
        })
        .collect()
}

/// (i) live fan-out across two instances on one database: `sockets` sockets split over them, each
/// watching one of `programs` programs, while `rate` events/s are appended through the first
/// instance for `seconds`. Latency from an event's commit (`recorded_at`) to its frame's arrival:
/// p50, p99 and events received, per instance.
async fn fan_out(
    url: &str,
    sockets: usize,
    programs: usize,
    rate: usize,
    seconds: u64,
) -> Vec<(Duration, Duration, usize)> {
    use futures_util::{SinkExt, StreamExt};
    use throughline_shared::api::ServerMessage;
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let first = support::server_as(url, 8, "bench-a").await;
    let second = support::server_as(url, 8, "bench-b").await;
    let mut program_ids = Vec::new();
    for p in 0..programs {
        let program: Value = first
            .client
            .post(format!("{}/api/programs", first.base))
            .json(&json!({"name": format!("Fan-out {p}"), "sponsor": "Bench"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        program_ids.push(ProgramId::from_uuid(
            Uuid::parse_str(program["program_id"].as_str().unwrap()).unwrap(),
        ));
    }
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&first.pool)
        .await
        .unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for s in 0..sockets {
        let instance = s % 2;
        let server = if instance == 0 { &first } else { &second };
        let mut request = format!("ws://127.0.0.1:{}/api/live", server.port)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "authorization",
            format!("Bearer {}", server.token).parse().unwrap(),
        );
        let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let program = program_ids[s % programs];
        ws.send(Message::text(format!(
            r#"{{"type":"subscribe","program_id":"{program}","after":{head}}}"#
        )))
        .await
        .unwrap();
        let stop = stop.clone();
        readers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let Ok(Some(Ok(frame))) =
                    tokio::time::timeout(Duration::from_millis(200), ws.next()).await
                else {
                    continue;
                };
                let now = chrono::Utc::now();
                if let Message::Text(text) = frame
                    && let Ok(ServerMessage::Events { events, .. }) = serde_json::from_str(&text)
                {
                    for e in events {
                        latencies.push((now - e.recorded_at).to_std().unwrap_or_default());
                    }
                }
            }
            (instance, latencies)
        }));
    }
    // The writer: `rate` events a second through the first instance, in ticks of 10 ms.
    let projects: Vec<ProjectId> = (0..programs)
        .map(|_| ProjectId::from_uuid(Uuid::new_v4()))
        .collect();
    let per_tick = (rate / 100).max(1);
    let mut tick = tokio::time::interval(Duration::from_millis(10));
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut n = 0;
    while Instant::now() < until {
        tick.tick().await;
        let appends: Vec<_> = (0..per_tick)
            .map(|_| {
                n += 1;
                let p = n % programs;
                let store = first.store.clone();
                let event = status_event(program_ids[p], projects[p], n);
                let stream = projects[p].0;
                tokio::spawn(async move {
                    store
                        .append(AppendRequest::single(StreamAppend {
                            stream_id: stream,
                            stream_type: ProjectEvent::STREAM_TYPE.into(),
                            expected: ExpectedVersion::Any,
                            events: vec![event],
                        }))
                        .await
                        .unwrap();
                })
            })
            .collect();
        for a in appends {
            a.await.unwrap();
        }
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    let mut by_instance: Vec<Vec<Duration>> = vec![Vec::new(), Vec::new()];
    for r in readers {
        let (instance, latencies) = r.await.unwrap();
        by_instance[instance].extend(latencies);
    }
    by_instance
        .into_iter()
        .map(|mut l| {
            l.sort();
            (quantile(&l, 0.5), quantile(&l, 0.99), l.len())
        })
        .collect()
}

/// How often each read client of (g) sends.
const EVERY: Duration = Duration::from_millis(250);

/// What one scale run measured.
struct ScaleRun {
    events_per_s_first: f64,
    events_per_s_last: f64,
    /// Events per second in each tenth of the run.
    tenths: Vec<f64>,
    dependencies: usize,
    lag_p50: Duration,
    lag_p99: Duration,
    read_p50: Duration,
    read_p99: Duration,
    uncached_p50: Duration,
    uncached_p99: Duration,
    events: i64,
    view_bytes_per_event: f64,
    view_rows_per_event: f64,
    view_bytes_on_disk: i64,
    event_bytes_on_disk: i64,
}

/// (h) A program of `milestones` milestones and about twice as many dependencies, built through
/// the CSV imports, then `writers` writers at saturation for `seconds` (nine status reports to
/// one forecast change), one reader of the program view every 100 ms, and the projection's lag
/// sampled every 200 ms.
async fn scale_run(
    url: &str,
    pool: &PgPool,
    milestones: usize,
    writers: usize,
    seconds: u64,
) -> ScaleRun {
    let support::Server {
        base,
        client,
        token,
        ..
    } = support::server(url, 16).await;
    let support::BigProgram {
        program,
        milestone_ids,
        project_ids,
        dependencies,
    } = support::big_program(&client, &base, milestones).await;
    let (milestone_ids, project_ids) = (Arc::new(milestone_ids), Arc::new(project_ids));
    assert_eq!(milestone_ids.len(), milestones);

    let head = || async {
        sqlx::query_scalar::<_, i64>("SELECT position FROM log_head")
            .fetch_one(pool)
            .await
            .unwrap()
    };
    // Caught up before measuring.
    loop {
        let h = head().await;
        let at: i64 = sqlx::query_scalar(
            "SELECT position FROM projection_checkpoints WHERE name = 'program_views'",
        )
        .fetch_one(pool)
        .await
        .unwrap();
        if at == h {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let stats = || async {
        sqlx::query_as::<_, (i64, i64)>(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint, \
                    coalesce(sum(pg_total_relation_size(relid)), 0)::bigint \
             FROM pg_stat_user_tables WHERE relname IN ('program_views', 'program_view_parts')",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    };
    let (rows_before, _) = stats().await;
    let bytes_before = METRICS.view_bytes_written.get();
    let head_before = head().await;

    let stop = Arc::new(AtomicBool::new(false));
    // Reads and lag samples are taken for `seconds`; the writers go on through the baseline.
    let reading = Arc::new(AtomicBool::new(true));
    let per_second: Arc<Vec<AtomicU64>> =
        Arc::new((0..=seconds).map(|_| AtomicU64::new(0)).collect());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let (client, stop, per_second) = (client.clone(), stop.clone(), per_second.clone());
        let (base, program) = (base.clone(), program.clone());
        let (milestone_ids, project_ids) = (milestone_ids.clone(), project_ids.clone());
        tasks.push(tokio::spawn(async move {
            let mut n = w;
            while !stop.load(Ordering::Relaxed) {
                n += writers;
                let res = if n % 10 == 0 {
                    let m = &milestone_ids[(n * 7919) % milestone_ids.len()];
                    let day = chrono::NaiveDate::from_ymd_opt(2027, 6, 1).unwrap()
                        + chrono::Duration::days((n % 60) as i64);
                    client
                        .post(format!(
                            "{base}/api/programs/{program}/milestones/{m}/forecast"
                        ))
                        .json(&json!({"forecast": day}))
                        .send()
                        .await
                } else {
                    let p = &project_ids[n % project_ids.len()];
                    client
                        .post(format!("{base}/api/programs/{program}/projects/{p}/status"))
                        .json(&json!({"rag": "amber", "narrative": format!("report {n}")}))
                        .send()
                        .await
                };
                if let Ok(res) = res
                    && res.status().is_success()
                {
                    let second = started.elapsed().as_secs() as usize;
                    if let Some(slot) = per_second.get(second) {
                        slot.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    // The reader is a user of its own: its own client on its own thread, so what it measures is
    // the server's answer, not a turn in the writers' runtime.
    let reader = {
        let reading = reading.clone();
        let url = format!("{base}/api/programs/{program}");
        let token = token.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let client = reqwest::Client::new();
                let mut times = Vec::new();
                while reading.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    let res = client
                        .get(&url)
                        .bearer_auth(&token)
                        .header("accept-encoding", "gzip")
                        .send()
                        .await
                        .unwrap();
                    assert!(res.status().is_success());
                    let _ = res.bytes().await.unwrap();
                    times.push(t.elapsed());
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                times
            })
        })
    };
    let sampler = {
        let (reading, pool) = (reading.clone(), pool.clone());
        tokio::spawn(async move {
            let mut lags = Vec::new();
            while reading.load(Ordering::Relaxed) {
                // How long the oldest event the projection has not written has waited.
                let lag: Option<f64> = sqlx::query_scalar(
                    "SELECT extract(epoch FROM now() - e.recorded_at)::float8 FROM events e \
                     WHERE e.position = (SELECT position FROM projection_checkpoints WHERE name = 'program_views') + 1",
                )
                .fetch_optional(&pool)
                .await
                .unwrap()
                .flatten();
                lags.push(Duration::from_secs_f64(lag.unwrap_or(0.0).max(0.0)));
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            lags
        })
    };
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    reading.store(false, Ordering::Relaxed);
    let mut reads = reader.join().unwrap();
    let mut lags = sampler.await.unwrap();
    // The baseline, in the same run and under the same writers, but after the measured reads: it
    // serialises and gzips megabytes on this process's cores, which would otherwise slow the
    // reads it is compared with.
    let mut uncached = Vec::new();
    let id: ProgramId = program.parse().unwrap();
    let baseline_until = Instant::now() + Duration::from_secs((seconds / 5).clamp(5, 60));
    while Instant::now() < baseline_until {
        let t = Instant::now();
        let _ = uncached_read(pool, id).await;
        uncached.push(t.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        t.await.unwrap();
    }
    reads.sort();
    uncached.sort();
    lags.sort();
    // Let the projection write what it holds, then count.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rows_after, view_bytes_on_disk) = stats().await;
    let events = head().await - head_before;
    let event_bytes_on_disk: i64 = sqlx::query_scalar("SELECT pg_total_relation_size('events')")
        .fetch_one(pool)
        .await
        .unwrap();
    let window = (seconds / 10).max(1) as usize;
    let rate = |range: std::ops::Range<usize>| {
        let n: u64 = range
            .clone()
            .filter_map(|s| per_second.get(s))
            .map(|c| c.load(Ordering::Relaxed))
            .sum();
        n as f64 / range.len() as f64
    };
    let secs = seconds as usize;
    let tenths = (0..10)
        .map(|t| rate(t * secs / 10..((t + 1) * secs / 10).max(t * secs / 10 + 1)))
        .collect();
    ScaleRun {
        tenths,
        dependencies,
        // Skipping the first second (connections warming up).
        events_per_s_first: rate(1..1 + window),
        events_per_s_last: rate(secs - window..secs),
        lag_p50: quantile(&lags, 0.5),
        lag_p99: quantile(&lags, 0.99),
        read_p50: quantile(&reads, 0.5),
        read_p99: quantile(&reads, 0.99),
        uncached_p50: quantile(&uncached, 0.5),
        uncached_p99: quantile(&uncached, 0.99),
        events,
        view_bytes_per_event: (METRICS.view_bytes_written.get() - bytes_before) as f64
            / events.max(1) as f64,
        view_rows_per_event: (rows_after - rows_before) as f64 / events.max(1) as f64,
        view_bytes_on_disk,
        event_bytes_on_disk,
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("| benchmark | ours | baseline | ratio | target |");
        println!("|---|---|---|---|---|");
        if enabled("f") {
            let (url, pool) = support::database("command").await;
            let long = scale(10_000).max(10);
            let [short, long_kept, short_cold, long_cold] = command_cost(&url, long, 50).await;
            println!(
                "| (f) status report on a {long}-event stream vs a 10-event one (p50) | {:.2} vs {:.2} ms: {:.2}× | folding the whole stream each time: {:.2} vs {:.2} ms ({:.1}×) | long stream {:.1}× faster | long ≤ 1.5× short |",
                ms(long_kept), ms(short), ms(long_kept) / ms(short), ms(long_cold), ms(short_cold),
                ms(long_cold) / ms(short_cold), ms(long_cold) / ms(long_kept)
            );
            drop_database(&url, pool).await;
        }
        if enabled("g") {
            let seconds = (scale(10) as u64).max(2);
            let (url, pool) = support::database("reads").await;
            let gz = read_latency(&url, 50, seconds, true).await;
            drop_database(&url, pool).await;
            let (url, pool) = support::database("reads").await;
            let plain = read_latency(&url, 50, seconds, false).await;
            drop_database(&url, pool).await;
            for ((name, p50, p99), (_, b50, b99)) in gz.iter().zip(&plain) {
                println!(
                    "| (g) {name}, 50 keep-alive clients at 4 reads/s each, gzip (p50 / p99) | {:.1} / {:.1} ms | uncompressed: {:.1} / {:.1} ms | {:.2}× / {:.2}× | p50 < 5 ms, p99 < 25 ms |",
                    ms(*p50), ms(*p99), ms(*b50), ms(*b99), ms(*p50) / ms(*b50), ms(*p99) / ms(*b99)
                );
            }
        }
        if enabled("i") {
            let seconds = (scale(60) as u64).max(10);
            let (url, pool) = support::database("fanout").await;
            let result = fan_out(&url, 200, 10, 500, seconds).await;
            drop_database(&url, pool).await;
            for (instance, (p50, p99, n)) in ["the writer's instance", "the other instance"].iter().zip(result) {
                println!(
                    "| (i) live delivery on {instance}: 100 of 200 sockets, 500 events/s for {seconds} s, commit → frame (p50 / p99) | {:.1} / {:.1} ms ({n} events received) | — | — | p99 < 50 ms |",
                    ms(p50), ms(p99)
                );
            }
        }
        if enabled("h") {
            // `BENCH_H_SECONDS` runs the full-size program for less than the ten minutes.
            let seconds = std::env::var("BENCH_H_SECONDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or((scale(600) as u64).max(20));
            let milestones = scale(5_000).max(20);
            let (url, pool) = support::database("scale").await;
            let big = scale_run(&url, &pool, milestones, 32, seconds).await;
            drop_database(&url, pool).await;
            let (url, pool) = support::database("scale").await;
            let small = scale_run(&url, &pool, 20, 32, (seconds / 5).max(20)).await;
            drop_database(&url, pool).await;
            let deps = big.dependencies;
            println!(
                "events/s by tenth of the run: {}",
                big.tenths.iter().map(|r| format!("{r:.0}")).collect::<Vec<_>>().join(", ")
            );
            println!(
                "| (h) {milestones} milestones, {deps} dependencies, 32 writers for {seconds} s: events/s, last vs first tenth | {:.0} vs {:.0} | — | {:.2}× | ≥ 0.9× |",
                big.events_per_s_last, big.events_per_s_first, big.events_per_s_last / big.events_per_s_first
            );
            println!("| (h) projection lag (p50 / p99) | {:.0} / {:.0} ms | — | — | p99 < 1 s |", ms(big.lag_p50), ms(big.lag_p99));
            println!(
                "| (h) program view read over HTTP with gzip, once every 100 ms during the load (p50 / p99) | {:.1} / {:.1} ms | the read before the view cache, in-process (stored view + tail, serialised and gzipped): {:.1} / {:.1} ms | {:.3}× / {:.3}× | p50 < 20 ms |",
                ms(big.read_p50), ms(big.read_p99), ms(big.uncached_p50), ms(big.uncached_p99),
                ms(big.read_p50) / ms(big.uncached_p50), ms(big.read_p99) / ms(big.uncached_p99)
            );
            println!(
                "| (h) the same read, against a program of 20 milestones under the same load (p50 / p99) | {:.1} / {:.1} ms | {:.1} / {:.1} ms | {:.2}× / {:.2}× | independent of size |",
                ms(big.read_p50), ms(big.read_p99), ms(small.read_p50), ms(small.read_p99),
                ms(big.read_p50) / ms(small.read_p50), ms(big.read_p99) / ms(small.read_p99)
            );
            println!(
                "| (h) read model written per event: JSON bytes (rows) | {:.0} B ({:.2}) | program of 20 milestones, same load: {:.0} B ({:.2}) | {:.2}× | independent of size |",
                big.view_bytes_per_event, big.view_rows_per_event, small.view_bytes_per_event, small.view_rows_per_event,
                big.view_bytes_per_event / small.view_bytes_per_event
            );
            println!(
                "| (h) on disk after {} events: read model vs log | {:.1} MB | {:.1} MB | {:.2}× | — |",
                big.events, big.view_bytes_on_disk as f64 / 1e6, big.event_bytes_on_disk as f64 / 1e6,
                big.view_bytes_on_disk as f64 / big.event_bytes_on_disk as f64
            );
        }
    });
}
