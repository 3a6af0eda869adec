//! Builds the application: database, appender, projection runner, live tail and HTTP server.

use crate::configuration::Settings;
use crate::error::extractors;
use crate::event_store::{self, EventStore};
use crate::projection::{Access, ProgramViews, run_projection};
use crate::{auth, db, edge, live, panic_guard, routes};
use actix_web::dev::Server;
use actix_web::middleware::Compress;
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use sqlx::PgPool;
use std::net::TcpListener;
use tracing_actix_web::TracingLogger;

pub struct Application {
    port: u16,
    server: Server,
    pool: PgPool,
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
        let hub = web::Data::new(hub);
        let server = HttpServer::new(move || {
            App::new()
                .wrap(from_fn(edge::refuse_nul_in_url))
                .wrap(from_fn(panic_guard::catch_panics))
                // After the panic guard, so its 500 answers carry the headers too.
                .wrap(security_headers.clone())
                .wrap(from_fn(edge::uncompressed_upgrades))
                .wrap(Compress::default())
                .wrap(TracingLogger::default())
                .app_data(extractors::json_config())
                .app_data(extractors::path_config())
                .app_data(extractors::query_config())
                .app_data(pool_data.clone())
                .app_data(store.clone())
                .app_data(hub.clone())
                .app_data(auth_settings.clone())
                .service(
                    web::scope("/api")
                        .wrap(from_fn(auth::authenticate))
                        .configure(routes::configure_api),
                )
                .configure(|cfg| routes::ui::configure(cfg, ui_dir.clone()))
        })
        // Live WebSockets never finish on their own: give in-flight requests a moment on shutdown,
        // then close them so browsers start reconnecting (to another instance) right away.
        .shutdown_timeout(3)
        .listen(listener)?
        .run();
        Ok(Self { port, server, pool })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// The escalation SLA check, on every instance: the check itself makes sure each step is taken
/// once (see `commands::governance::check_escalations`), and its state is the log, so it picks up
/// after a restart where the last run left off.
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
    }
}
