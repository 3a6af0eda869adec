//! Builds the application: database, appender, projection runners, live tail, view cache and HTTP
//! server (tests spawn it on port 0).
//!
//! SIGTERM / Ctrl-C (`run_until_stopped`): stop accepting, close every live socket with 1012
//! "reconnect" (clients resume from their `covered` elsewhere), let in-flight requests and their
//! appends finish (`SHUTDOWN_GRACE_SECONDS` at most), exit. Accepted sockets get `TCP_NODELAY`: a
//! gzip answer is written as headers then body, and Nagle held the body for the client's delayed
//! ACK (~40 ms per kept-alive answer).

use crate::configuration::Settings;
use crate::error::extractors;
use crate::event_store::{self, EventStore};
use crate::projection::{Access, ProgramViews, run_projection};
use crate::{auth, db, edge, idempotency, live, metrics, panic_guard, routes};
use actix_web::dev::Server;
use actix_web::middleware::Compress;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use sqlx::PgPool;
use std::net::TcpListener;
use std::sync::Arc;
use tracing_actix_web::TracingLogger;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

pub struct Application {
    port: u16,
    server: Server,
    pool: PgPool,
    hub: live::LiveHub,
    metrics_server: Option<Server>,
}

impl Application {
    /// Creates and migrates the database if needed, starts the background tasks on the current
    /// runtime and binds the listener (port 0 picks a free port, as tests do).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        db::ensure_database(&settings.database_url).await?;
        let pool = db::connect(&settings.database_url, settings.pool_size).await?;
        db::migrate(&pool).await?;

        // The appender's own small pool (one connection per batch in flight) keeps request
        // traffic from starving it.
        let append_pool =
            db::connect(&settings.database_url, event_store::APPENDER_CONNECTIONS).await?;
        let pools = web::Data::new(metrics::Pools {
            requests: pool.clone(),
            appender: append_pool.clone(),
        });
        let store = EventStore::start_with(append_pool, pool.clone());
        let hub = live::start(pool.clone()).await?;
        // Sign-outs on other instances close this one's sockets of that session at once.
        tokio::spawn(auth::session::relay_sign_outs(pool.clone()));
        tokio::spawn(run_projection(
            pool.clone(),
            ProgramViews::new(),
            hub.published.subscribe(),
        ));
        tokio::spawn(run_projection(
            pool.clone(),
            Access,
            hub.published.subscribe(),
        ));

        tokio::spawn(idempotency::purge_every_hour(pool.clone()));
        tokio::spawn(check_escalations_every(
            store.clone(),
            settings.escalation_check,
        ));

        let listener = TcpListener::bind(settings.addr)?;
        let port = listener.local_addr()?.port();
        let ui_dir = settings.ui_dir.clone();
        let security_headers = crate::security_headers::SecurityHeaders::for_ui(&settings.ui_dir);
        let auth_settings = web::Data::new(settings.auth.clone());
        let pool_data = web::Data::new(pool.clone());
        let store = web::Data::new(store);
        let live_hub = hub.clone();
        let hub = web::Data::new(hub);
        let views = Arc::new(crate::view_cache::ViewCache::new(settings.view_cache_bytes));
        tokio::spawn(views.clone().follow(hub.follow()));
        tokio::spawn(
            crate::queries::snapshots::Snapshotter::new(pool.clone(), settings.snapshot_every)
                .follow(hub.follow()),
        );
        let views = web::Data::from(views);
        let metrics_server = match settings.metrics_addr {
            Some(addr) => Some(metrics_server(addr, pools.clone(), hub.clone())?),
            None => None,
        };
        let server = HttpServer::new(move || {
            let (app, api_doc) = App::new()
                .wrap(from_fn(edge::refuse_nul_in_url))
                .wrap(from_fn(panic_guard::catch_panics))
                // After the panic guard, so its 500 answers carry the headers too.
                .wrap(security_headers.clone())
                .wrap(from_fn(edge::uncompressed_upgrades))
                .wrap(Compress::default())
                .wrap(TracingLogger::default())
                .wrap(from_fn(metrics::track))
                .app_data(extractors::json_config())
                .app_data(extractors::path_config())
                .app_data(extractors::query_config())
                .app_data(pool_data.clone())
                .app_data(store.clone())
                .app_data(hub.clone())
                .app_data(auth_settings.clone())
                .app_data(pools.clone())
                .app_data(views.clone())
                .service(
                    web::resource("/metrics")
                        .wrap(from_fn(auth::authenticate))
                        .route(web::get().to(metrics::metrics)),
                )
                // The OpenAPI document is collected from the operations mounted under `/api`.
                .into_utoipa_app()
                .openapi(routes::openapi::ApiDoc::openapi())
                .service(
                    // Made from an actix scope, it adds no prefix to the documented paths (each
                    // `#[utoipa::path]` gives its path from `/api`).
                    utoipa_actix_web::scope(web::scope("/api"))
                        // Inside authentication: a key is the caller's own.
                        .wrap(from_fn(idempotency::idempotency))
                        .wrap(from_fn(auth::authenticate))
                        .configure(routes::configure_api),
                )
                .split_for_parts();
            routes::openapi::publish(api_doc);
            app.configure(|cfg| routes::ui::configure(cfg, ui_dir.clone()))
        })
        // Headers and a compressed body go out as separate writes: with Nagle's algorithm the
        // second waits for the client's delayed ACK (~40 ms per answer on a kept-alive connection).
        .on_connect(|connection, _| {
            if let Some(socket) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
                let _ = socket.set_nodelay(true);
            }
        })
        // SIGTERM and Ctrl-C are handled in `run_until_stopped`, which closes live sockets first.
        .disable_signals()
        // In-flight requests (and the appends they wait for) get this long to finish.
        .shutdown_timeout(SHUTDOWN_GRACE_SECONDS)
        .listen(listener)?
        .run();
        Ok(Self {
            port,
            server,
            pool,
            hub: live_hub,
            metrics_server,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Serves until SIGTERM or Ctrl-C, then shuts down gracefully: stops accepting, tells every
    /// live socket to reconnect (close 1012), lets in-flight requests and their appends finish
    /// (at most `SHUTDOWN_GRACE_SECONDS`) and returns.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let metrics_handle = self.metrics_server.as_ref().map(Server::handle);
        if let Some(server) = self.metrics_server {
            tokio::spawn(server);
        }
        let hub = self.hub;
        tokio::spawn(async move {
            shutdown_requested().await;
            tracing::info!("shutting down: closing live sockets, finishing in-flight requests");
            hub.shut_down();
            if let Some(metrics) = metrics_handle {
                metrics.stop(false).await;
            }
            handle.stop(true).await;
        });
        self.server.await
    }
}

/// `GET /metrics` alone, without sign-in, on the operator's address.
fn metrics_server(
    addr: std::net::SocketAddr,
    pools: web::Data<metrics::Pools>,
    hub: web::Data<live::LiveHub>,
) -> anyhow::Result<Server> {
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(pools.clone())
            .app_data(hub.clone())
            .app_data(web::Data::new(metrics::OpenMetrics))
            .route("/metrics", web::get().to(metrics::metrics))
    })
    .workers(1)
    .disable_signals()
    .bind(addr)?
    .run())
}

/// Within the 10 s an orchestrator usually waits between SIGTERM and SIGKILL.
const SHUTDOWN_GRACE_SECONDS: u64 = 8;

async fn shutdown_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM; only Ctrl-C stops the server");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// The escalation SLA check and the RAID registers' own escalations, on every instance: each
/// check makes sure each step is taken once (see `commands::governance::check_escalations` and
/// `escalate_from_registers`), and its state is the log, so it picks up after a restart where the
/// last run left off.
async fn check_escalations_every(store: EventStore, every: std::time::Duration) {
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        match crate::commands::governance::check_escalations(&store, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(moved) => tracing::info!(moved, "escalations moved up past their response time"),
            Err(e) => tracing::warn!(error = %e, "escalation check failed; retrying next tick"),
        }
        let now = chrono::Utc::now();
        match crate::commands::governance::escalate_from_registers(&store, now).await {
            Ok(0) => {}
            Ok(raised) => tracing::info!(raised, "risks escalated from the RAID registers"),
            Err(e) => {
                tracing::warn!(error = %e, "RAID escalation check failed; retrying next tick")
            }
        }
    }
}
