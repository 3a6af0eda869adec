//! Prometheus metrics (`GET /metrics`, OpenMetrics text): appends, batches, projection lag, live
//! sockets, HTTP latency by route and status, database pools. For administrators on the main
//! address; also without sign-in on `THROUGHLINE_METRICS_ADDR` if set (an operator's network).
//!
//! `prometheus-client` (the Prometheus project's own Rust client: no global registry, no
//! protobuf by default, a handful of small dependencies) rather than hand-written exposition.
//! Counters and histograms are process-wide (`METRICS`), updated where things happen; gauges that
//! describe a state (lag, pool use, sockets) are read when scraped.

use crate::auth::Principal;
use crate::error::ApiError;
use crate::event_store::head_position;
use crate::live::LiveHub;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use sqlx::PgPool;
use std::sync::LazyLock;
use std::time::Instant;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    method: String,
    /// The route pattern (`/api/programs/{program_id}`), never the raw path: bounded cardinality.
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NameLabel {
    name: String,
}

pub struct Metrics {
    pub appends: Counter,
    pub appended_events: Counter,
    pub append_failures: Counter,
    pub append_seconds: Histogram,
    pub batch_events: Histogram,
    pub batch_requests: Histogram,
    pub live_delivery_seconds: Histogram,
    /// JSON bytes the program views projection wrote (heads and parts).
    pub view_bytes_written: Counter,
    http: Family<HttpLabels, Histogram>,
    projection_lag: Family<NameLabel, Gauge>,
    pool_connections: Family<NameLabel, Gauge>,
    pool_idle: Family<NameLabel, Gauge>,
    pool_max: Family<NameLabel, Gauge>,
    live_sockets: Gauge,
    head: Gauge,
    registry: Registry,
}

fn seconds() -> Histogram {
    // 0.25 ms … 8 s
    Histogram::new(exponential_buckets(0.000_25, 2.0, 16))
}

pub static METRICS: LazyLock<Metrics> = LazyLock::new(Metrics::new);

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::with_prefix("throughline");
        let appends = Counter::default();
        let appended_events = Counter::default();
        let append_failures = Counter::default();
        let append_seconds = seconds();
        let batch_events = Histogram::new(exponential_buckets(1.0, 2.0, 16));
        let batch_requests = Histogram::new(exponential_buckets(1.0, 2.0, 12));
        let live_delivery_seconds = seconds();
        let view_bytes_written = Counter::default();
        let http = Family::<HttpLabels, Histogram>::new_with_constructor(seconds as fn() -> _);
        let projection_lag = Family::<NameLabel, Gauge>::default();
        let pool_connections = Family::<NameLabel, Gauge>::default();
        let pool_idle = Family::<NameLabel, Gauge>::default();
        let pool_max = Family::<NameLabel, Gauge>::default();
        let live_sockets = Gauge::default();
        let head = Gauge::default();
        registry.register(
            "appends",
            "Appends acknowledged (one per command)",
            appends.clone(),
        );
        registry.register(
            "appended_events",
            "Events appended to the log",
            appended_events.clone(),
        );
        registry.register(
            "append_failures",
            "Appends refused or failed",
            append_failures.clone(),
        );
        registry.register(
            "append_seconds",
            "Time from queueing an append to its answer",
            append_seconds.clone(),
        );
        registry.register(
            "append_batch_events",
            "Events per append batch (one transaction)",
            batch_events.clone(),
        );
        registry.register(
            "append_batch_requests",
            "Appends per batch",
            batch_requests.clone(),
        );
        registry.register(
            "live_delivery_seconds",
            "Time from an event's commit to its sending on a live socket",
            live_delivery_seconds.clone(),
        );
        registry.register(
            "program_view_bytes_written",
            "JSON bytes written to the program views read model",
            view_bytes_written.clone(),
        );
        registry.register(
            "http_request_seconds",
            "HTTP answers by route pattern and status",
            http.clone(),
        );
        registry.register(
            "projection_lag_events",
            "Events appended but not yet folded, per projection",
            projection_lag.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open connections per pool",
            pool_connections.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle connections per pool",
            pool_idle.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "Size limit per pool",
            pool_max.clone(),
        );
        registry.register(
            "live_sockets",
            "Live WebSockets open on this instance",
            live_sockets.clone(),
        );
        registry.register(
            "log_head_position",
            "The last position committed to the log",
            head.clone(),
        );
        Self {
            appends,
            appended_events,
            append_failures,
            append_seconds,
            batch_events,
            batch_requests,
            live_delivery_seconds,
            view_bytes_written,
            http,
            projection_lag,
            pool_connections,
            pool_idle,
            pool_max,
            live_sockets,
            head,
            registry,
        }
    }

    fn observe_pool(&self, name: &str, pool: &PgPool) {
        let label = NameLabel { name: name.into() };
        self.pool_connections
            .get_or_create(&label)
            .set(i64::from(pool.size()));
        self.pool_idle
            .get_or_create(&label)
            .set(pool.num_idle() as i64);
        self.pool_max
            .get_or_create(&label)
            .set(i64::from(pool.options().get_max_connections()));
    }
}

/// Times every answer by route pattern and status.
pub async fn track<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_string();
    let response = next.call(req).await;
    let (route, status) = match &response {
        Ok(res) => (
            res.request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into()),
            res.status().as_u16(),
        ),
        Err(e) => (
            "unmatched".into(),
            e.as_response_error().status_code().as_u16(),
        ),
    };
    METRICS
        .http
        .get_or_create(&HttpLabels {
            method,
            route,
            status,
        })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The pools the scrape reports on.
#[derive(Clone)]
pub struct Pools {
    pub requests: PgPool,
    pub appender: PgPool,
}

/// `GET /metrics`: for administrators on the main address; on `THROUGHLINE_METRICS_ADDR` (an
/// operator's network) without sign-in.
pub async fn metrics(
    req: actix_web::HttpRequest,
    pools: web::Data<Pools>,
    hub: web::Data<LiveHub>,
    open: Option<web::Data<OpenMetrics>>,
) -> Result<HttpResponse, ApiError> {
    if open.is_none() {
        let principal = req.extensions().get::<Principal>().cloned();
        match principal {
            Some(p) => p.require_admin()?,
            None => {
                return Err(ApiError::new(
                    actix_web::http::StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "metrics are for administrators: send an administrator's API token as `Authorization: Bearer <token>`",
                ));
            }
        }
    }
    let m = &*METRICS;
    let head = head_position(&pools.requests)
        .await
        .map_err(ApiError::internal)?;
    let checkpoints: Vec<(String, i64)> =
        sqlx::query_as("SELECT name, position FROM projection_checkpoints")
            .fetch_all(&pools.requests)
            .await
            .map_err(ApiError::internal)?;
    m.head.set(head);
    for (name, position) in checkpoints {
        m.projection_lag
            .get_or_create(&NameLabel { name })
            .set(head.saturating_sub(position).max(0));
    }
    m.observe_pool("requests", &pools.requests);
    m.observe_pool("appender", &pools.appender);
    m.live_sockets.set(hub.sockets() as i64);
    let mut body = String::new();
    prometheus_client::encoding::text::encode(&mut body, &m.registry)
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/openmetrics-text; version=1.0.0; charset=utf-8")
        .body(body))
}

/// Marks the separate metrics listener, where no sign-in is asked for.
#[derive(Clone, Copy)]
pub struct OpenMetrics;
