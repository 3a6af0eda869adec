//! Event-store benchmarks against the local PostgreSQL, each reported as a ratio to a baseline
//! measured in the same run. Run: `cargo bench -p throughline-backend --bench event_store`.
//! `BENCH_SCALE=0.1` shrinks every workload (for a quick look); figures in docs/benchmarks.md.
// A benchmark's figures are its output.
#![allow(clippy::print_stdout)]

mod support;

use futures_util::{SinkExt, StreamExt};
use sqlx::PgPool;
use std::time::{Duration, Instant};
use support::{drop_database, enabled, median, scale};
use throughline_backend::event_store::{
    AppendRequest, EventRow, EventStore, ExpectedVersion, NewEvent, StreamAppend,
};
use throughline_backend::projection::{ProgramViews, rebuild};
use throughline_shared::api::ServerMessage;
use throughline_shared::event::AggregateEvent;
use throughline_shared::program::ProgramEvent;
use throughline_shared::project::ProjectEvent;
use throughline_shared::{EventMetadata, ProgramId, ProjectId, Rag};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use uuid::Uuid;

async fn fresh_database(tag: &str) -> (String, PgPool) {
    let (url, pool) = support::database(tag).await;
    // The baseline table: the same columns with an ordinary BIGSERIAL and no chain, no checks.
    sqlx::raw_sql(
        "CREATE TABLE raw_events (position bigserial PRIMARY KEY, event_id uuid NOT NULL UNIQUE, \
         stream_id uuid NOT NULL, stream_type text NOT NULL, version bigint NOT NULL, \
         event_type text NOT NULL, schema_version int NOT NULL, program_id uuid, payload jsonb NOT NULL, \
         metadata jsonb NOT NULL, recorded_at timestamptz NOT NULL, prev_hash bytea NOT NULL, \
         hash bytea NOT NULL, UNIQUE (stream_id, version))",
    )
    .execute(&pool)
    .await
    .unwrap();
    (url, pool)
}

fn metadata() -> EventMetadata {
    EventMetadata {
        actor: "bench".into(),
        actor_id: None,
        token_id: None,
        correlation_id: Uuid::new_v4(),
        causation_id: Some(Uuid::new_v4()),
        request_id: Some("bench-request".into()),
        reason: None,
    }
}

/// A realistic event: a project's status report.
fn status_event(program: ProgramId, project: ProjectId, n: usize) -> NewEvent {
    let rag = Rag::ALL[n % 3];
    NewEvent::new(
        ProjectEvent::ProjectStatusReported {
            project_id: project,
            program_id: program,
            rag,
            narrative: format!("Week {n}: vendor integration {rag} — see RAID log"),
        }
        .encode(),
        metadata(),
    )
}

fn single(stream: Uuid, event: NewEvent) -> AppendRequest {
    AppendRequest::single(StreamAppend {
        stream_id: stream,
        stream_type: "project".into(),
        expected: ExpectedVersion::Any,
        events: vec![event],
    })
}

/// (a) our append path with `writers` concurrent single-event writers, each to its own stream.
async fn append_throughput(pool: &PgPool, writers: usize, total: usize) -> f64 {
    let store = EventStore::start(pool.clone());
    let per = total / writers;
    let program = ProgramId::from_uuid(Uuid::new_v4());
    let started = Instant::now();
    let tasks: Vec<_> = (0..writers)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                let project = ProjectId::from_uuid(Uuid::new_v4());
                for n in 0..per {
                    store
                        .append(single(project.0, status_event(program, project, n)))
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    (per * writers) as f64 / started.elapsed().as_secs_f64()
}

/// (a) baseline: raw single-row INSERT ... autocommit, `connections` at a time.
async fn raw_insert_throughput(pool: &PgPool, connections: usize, total: usize) -> f64 {
    let per = total / connections;
    let program = ProgramId::from_uuid(Uuid::new_v4());
    let started = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let project = ProjectId::from_uuid(Uuid::new_v4());
                for n in 0..per {
                    let e = status_event(program, project, n);
                    sqlx::query(
                        "INSERT INTO raw_events (event_id, stream_id, stream_type, version, event_type, \
                         schema_version, program_id, payload, metadata, recorded_at, prev_hash, hash) \
                         VALUES ($1, $2, 'project', $3, $4, $5, $6, $7, $8, now(), '\\x00', '\\x00')",
                    )
                    .bind(e.event_id.0)
                    .bind(project.0)
                    .bind(n as i64 + 1)
                    .bind(&e.event_type)
                    .bind(e.schema_version)
                    .bind(program.0)
                    .bind(&e.payload)
                    .bind(serde_json::to_value(&e.metadata).unwrap())
                    .execute(&pool)
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    (per * connections) as f64 / started.elapsed().as_secs_f64()
}

/// `count` status events spread over `programs` programs of 5 projects each, plus their creation.
fn history(programs: usize, count: usize) -> Vec<AppendRequest> {
    let mut requests = Vec::new();
    let mut ids = Vec::new();
    for p in 0..programs {
        let program = ProgramId::from_uuid(Uuid::new_v4());
        let mut streams = vec![StreamAppend {
            stream_id: program.0,
            stream_type: "program".into(),
            expected: ExpectedVersion::NoStream,
            events: vec![NewEvent::new(
                ProgramEvent::ProgramCreated {
                    program_id: program,
                    name: format!("Program {p}"),
                    description: "Benchmark program".into(),
                    sponsor: "Sponsor".into(),
                    objectives: vec![],
                }
                .encode(),
                metadata(),
            )],
        }];
        for j in 0..5 {
            let project = ProjectId::from_uuid(Uuid::new_v4());
            streams.push(StreamAppend {
                stream_id: project.0,
                stream_type: "project".into(),
                expected: ExpectedVersion::NoStream,
                events: vec![NewEvent::new(
                    ProjectEvent::ProjectAdded {
                        project_id: project,
                        program_id: program,
                        name: format!("Project {j}"),
                        manager: "PM".into(),
                        objectives: vec![],
                    }
                    .encode(),
                    metadata(),
                )],
            });
            ids.push((program, project));
        }
        requests.push(AppendRequest { streams });
    }
    let mut chunk = Vec::new();
    for n in 0..count {
        let (program, project) = ids[n % ids.len()];
        chunk.push((project, status_event(program, project, n)));
        if chunk.len() == 10_000 || n + 1 == count {
            // One request per chunk, each project's events grouped into its stream's part.
            let mut by_stream: std::collections::BTreeMap<Uuid, Vec<NewEvent>> = Default::default();
            for (project, e) in chunk.drain(..) {
                by_stream.entry(project.0).or_default().push(e);
            }
            requests.push(AppendRequest {
                streams: by_stream
                    .into_iter()
                    .map(|(stream_id, events)| StreamAppend {
                        stream_id,
                        stream_type: "project".into(),
                        expected: ExpectedVersion::Any,
                        events,
                    })
                    .collect(),
            });
        }
    }
    requests
}

/// (b) bulk append of `count` events vs COPY of the same rows.
async fn bulk(pool: &PgPool, count: usize) -> (f64, f64) {
    let store = EventStore::start(pool.clone());
    let requests = history(20, count);
    let events: usize = requests
        .iter()
        .map(|r| r.streams.iter().map(|s| s.events.len()).sum::<usize>())
        .sum();
    let mut versions: std::collections::HashMap<Uuid, usize> = Default::default();
    let copy_rows: String = requests
        .iter()
        .flat_map(|r| r.streams.iter())
        .flat_map(|s| s.events.iter().map(move |e| (s, e)))
        .map(|(s, e)| {
            let version = versions.entry(s.stream_id).or_default();
            *version += 1;
            let escape = |v: &serde_json::Value| v.to_string().replace('\\', "\\\\");
            format!(
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t2026-01-01T00:00:00Z\t\\\\x00\t\\\\x00\n",
                Uuid::new_v4(),
                s.stream_id,
                s.stream_type,
                version,
                e.event_type,
                e.schema_version,
                e.program_id
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "\\N".into()),
                escape(&e.payload),
                escape(&serde_json::to_value(&e.metadata).unwrap()),
            )
        })
        .collect();

    let started = Instant::now();
    for request in requests {
        store.append(request).await.unwrap();
    }
    let ours = events as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut conn = pool.acquire().await.unwrap();
    let mut copy = conn
        .copy_in_raw(
            "COPY raw_events (event_id, stream_id, stream_type, version, event_type, schema_version, \
             program_id, payload, metadata, recorded_at, prev_hash, hash) FROM STDIN",
        )
        .await
        .unwrap();
    copy.send(copy_rows.as_bytes()).await.unwrap();
    copy.finish().await.unwrap();
    let raw = events as f64 / started.elapsed().as_secs_f64();
    (ours, raw)
}

/// (c) rebuild of the program views from `count` events vs a raw paged SELECT of the same rows.
async fn rebuild_vs_select(pool: &PgPool, count: usize) -> (f64, f64, i64) {
    let store = EventStore::start(pool.clone());
    let mut requests = history(1_000, count);
    // Pipelining the chunks keeps the appender busy while the next chunk is prepared.
    let mut pending = Vec::new();
    for request in requests.drain(..) {
        let store = store.clone();
        pending.push(tokio::spawn(async move {
            store.append(request).await.unwrap().len()
        }));
        if pending.len() >= 4 {
            pending.remove(0).await.unwrap();
        }
    }
    for p in pending {
        p.await.unwrap();
    }
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::raw_sql("VACUUM ANALYZE events")
        .execute(pool)
        .await
        .unwrap();

    let started = Instant::now();
    let mut after = 0i64;
    let mut rows = 0usize;
    loop {
        let page: Vec<EventRow> =
            sqlx::query_as(
                "SELECT position, event_id, stream_id, stream_type, version, event_type, schema_version, \
                 program_id, payload, metadata, recorded_at, prev_hash, hash FROM events \
                 WHERE position > $1 ORDER BY position LIMIT 5000",
            )
            .bind(after)
            .fetch_all(pool)
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        after = last.position;
        rows += page.len();
    }
    let select = rows as f64 / started.elapsed().as_secs_f64();

    let started = Instant::now();
    let through = rebuild(pool, &mut ProgramViews::new(), |_, _| {})
        .await
        .unwrap();
    let ours = through as f64 / started.elapsed().as_secs_f64();
    assert_eq!(through, head);
    (ours, select, head)
}

/// (d) append → WebSocket receipt latency through a real server instance.
async fn live_latency(url: &str, samples: usize) -> (Duration, Duration, Duration) {
    let support::Server {
        port,
        pool,
        store,
        token,
        ..
    } = support::server(url, 8).await;
    let program = ProgramId::from_uuid(Uuid::new_v4());
    let project = ProjectId::from_uuid(Uuid::new_v4());
    let head: i64 = sqlx::query_scalar("SELECT position FROM log_head")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut request = format!("ws://127.0.0.1:{port}/api/live")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws.send(Message::text(format!(
        r#"{{"type":"subscribe","program_id":"{program}","after":{head}}}"#
    )))
    .await
    .unwrap();
    let mut latencies = Vec::with_capacity(samples);
    for n in 0..samples {
        let sent = Instant::now();
        store
            .append(single(project.0, status_event(program, project, n)))
            .await
            .unwrap();
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            if let Message::Text(text) = frame
                && let ServerMessage::Events { events, .. } = serde_json::from_str(&text).unwrap()
                && !events.is_empty()
            {
                break;
            }
        }
        latencies.push(sent.elapsed());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99), *latencies.last().unwrap())
}

fn wasm_gzipped_size() -> Option<(u64, u64)> {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../frontend/dist");
    let wasm = std::fs::read_dir(dist)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "wasm"))?;
    let raw = std::fs::metadata(&wasm).ok()?.len();
    let out = std::process::Command::new("gzip")
        .args(["-9", "-c"])
        .arg(&wasm)
        .output()
        .ok()?;
    Some((raw, out.stdout.len() as u64))
}

/// "1.93× (1.70–2.20×)": the median ratio of the rounds, then their range.
fn spread(ratios: &[f64]) -> String {
    let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = ratios.iter().copied().fold(0.0, f64::max);
    format!("{:.2}× ({lo:.2}–{hi:.2}×)", median(ratios))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        println!("| benchmark | ours | baseline | ratio | target |");
        println!("|---|---|---|---|---|");
        if enabled("a") {
        let (url, pool) = fresh_database("append").await;
        // Interleaved rounds, reported as medians (with the range): single runs on a 2-core
        // machine move by ±20%.
        let rounds = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3usize);
        let (mut r32, mut r64, mut o32, mut o256) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            r32.push(raw_insert_throughput(&pool, 32, scale(40_000)).await);
            r64.push(raw_insert_throughput(&pool, 64, scale(40_000)).await);
            o32.push(append_throughput(&pool, 32, scale(40_000)).await);
            o256.push(append_throughput(&pool, 256, scale(80_000)).await);
        }
        let ratio32: Vec<f64> = o32.iter().zip(&r32).map(|(o, r)| o / r).collect();
        let ratio256: Vec<f64> = (0..rounds).map(|i| o256[i] / r32[i].max(r64[i])).collect();
        let ours1 = append_throughput(&pool, 1, scale(3_000)).await;
        let raw1 = raw_insert_throughput(&pool, 1, scale(3_000)).await;
        println!("| (a) append, 1 writer (events/s) | {ours1:.0} | raw INSERT, 1 conn: {raw1:.0} | {:.2}× | — |", ours1 / raw1);
        println!(
            "| (a) append, 32 writers (events/s, median of {rounds}) | {:.0} | raw INSERT, 32 conns: {:.0} | {} | ≥ 1× |",
            median(&o32), median(&r32), spread(&ratio32)
        );
        println!(
            "| (a) append, 256 writers (events/s, median of {rounds}) | {:.0} | raw INSERT best (32: {:.0}, 64: {:.0}) | {} | ≥ 2.5× |",
            median(&o256), median(&r32), median(&r64), spread(&ratio256)
        );
        drop_database(&url, pool).await;
        }

        if enabled("b") {
        let (url, pool) = fresh_database("bulk").await;
        let n = scale(100_000);
        let (ours, copy) = bulk(&pool, n).await;
        println!("| (b) bulk append of {n} events (events/s) | {ours:.0} | COPY: {copy:.0} | {:.2}× | ≥ 0.5× |", ours / copy);
        drop_database(&url, pool).await;
        }

        if enabled("c") {
        let (url, pool) = fresh_database("rebuild").await;
        let n = scale(1_000_000);
        let (ours, select, head) = rebuild_vs_select(&pool, n).await;
        println!("| (c) projection rebuild of {head} events (events/s) | {ours:.0} | paged SELECT: {select:.0} | {:.2}× | ≥ 0.5× |", ours / select);
        drop_database(&url, pool).await;
        }

        if enabled("d") {
        let (url, pool) = fresh_database("live").await;
        let (p50, p99, max) = live_latency(&url, scale(1_000)).await;
        println!("| (d) live latency append → WebSocket | p50 {:.2} ms, p99 {:.2} ms (max {:.2} ms) | — | — | p99 < 50 ms |",
            p50.as_secs_f64() * 1e3, p99.as_secs_f64() * 1e3, max.as_secs_f64() * 1e3);
        drop_database(&url, pool).await;
        }

        match wasm_gzipped_size() {
            Some((raw, gz)) => println!("| (e) wasm bundle | {} KB gzipped ({} KB raw) | — | — | ≤ 500 KB |", gz / 1024, raw / 1024),
            None => println!("| (e) wasm bundle | not built (run `trunk build --release`) | — | — | ≤ 500 KB |"),
        }
    });
}
