//! The `throughline` command: serve (default), migrate, verify the hash chain, rebuild projections,
//! precompress the built UI.
// A command-line tool answers on standard output.
#![allow(clippy::print_stdout)]

use crate::accounts;
use crate::auth::secret;
use crate::configuration::Settings;
use crate::event_store::EventStore;
use crate::event_store::verify_chain;
use crate::live;
use crate::projection::{Access, ProgramViews, Projection, rebuild, run_projection};
use crate::request_context::RequestContext;
use crate::startup::Application;
use crate::{db, demo, static_assets, telemetry};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use throughline_shared::api::CreateUserRequest;

#[derive(Debug, Parser)]
#[command(
    name = "throughline",
    version,
    about = "Event-sourced program management"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database and serve the API and UI (the default).
    Serve,
    /// Create and migrate the database, then exit.
    Migrate,
    /// Walk the event log's hash chain; exit 1 at the first broken link.
    Verify,
    /// Rebuild every projection from position 0.
    Rebuild,
    /// Create an organisation administrator, e.g. the first one on a fresh install. The password
    /// is taken from THROUGHLINE_ADMIN_PASSWORD, or generated and printed once.
    CreateAdmin {
        #[arg(long, default_value = "admin")]
        username: String,
        #[arg(long, default_value = "Administrator")]
        display_name: String,
        /// Do nothing if an administrator exists already (for scripts that run on every start;
        /// the demo's people are not administrators).
        #[arg(long, alias = "if-no-users")]
        if_no_admin: bool,
    },
    /// Seed a realistic demo program (six projects, forty milestones, thirty dependencies and
    /// a history of slips, reports and dependency changes) through the ordinary commands.
    SeedDemo {
        /// Do nothing if any program exists already (for scripts that run on every start).
        #[arg(long)]
        if_empty: bool,
    },
    /// Write Brotli and gzip copies (best ratio) of the built UI's wasm, JS and CSS next to them,
    /// which the server sends to browsers that accept them. Run after every `trunk build`.
    Precompress {
        /// The built UI (default: THROUGHLINE_UI_DIR, else frontend/dist).
        dir: Option<std::path::PathBuf>,
    },
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let command = cli.command.unwrap_or(Command::Serve);
    // The one-shot commands print their result; their progress logs would only bury it.
    telemetry::init(match command {
        Command::Serve => "info,sqlx=warn",
        _ => "warn",
    });
    if matches!(command, Command::Serve) {
        telemetry::log_panics();
    }
    let settings = Settings::from_env()?;
    match command {
        Command::Precompress { dir } => {
            let dir = dir.unwrap_or(settings.ui_dir);
            let started = std::time::Instant::now();
            let done =
                tokio::task::spawn_blocking(move || static_assets::precompress(&dir)).await??;
            let kib = |bytes: u64| format!("{:.0} KiB", bytes as f64 / 1024.0);
            let copy = |size: Option<u64>| size.map_or_else(|| "none (no smaller)".into(), kib);
            for file in &done {
                println!(
                    "{}: {} → brotli {}, gzip {}",
                    file.file.display(),
                    kib(file.size),
                    copy(file.brotli),
                    copy(file.gzip)
                );
            }
            println!(
                "{} files precompressed in {:.1?}",
                done.len(),
                started.elapsed()
            );
        }
        Command::Serve => {
            let app = Application::build(settings.clone()).await?;
            let url = format!("http://{}:{}", settings.addr.ip(), app.port());
            tracing::info!(%url, "Throughline is serving");
            println!("Throughline is running at {url}");
            app.run_until_stopped().await?;
        }
        Command::Migrate => {
            let pool = connect(&settings).await?;
            pool.close().await;
            println!("database migrated");
        }
        Command::Verify => {
            let pool = connect(&settings).await?;
            let bar = progress_bar("verifying".into());
            let report = verify_chain(&pool, |done| bar.set_position(done as u64)).await?;
            bar.finish_and_clear();
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.ok {
                std::process::exit(1);
            }
        }
        Command::Rebuild => {
            let pool = connect(&settings).await?;
            let started = std::time::Instant::now();
            let through = rebuild_with_progress(&pool, &mut ProgramViews::new()).await?;
            rebuild_with_progress(&pool, &mut Access).await?;
            // Snapshots are taken again from the log, as the views were (an upcaster or a fix
            // to a fold changes what they hold).
            crate::queries::snapshots::drop_all(&pool).await?;
            let snapshots =
                crate::queries::snapshots::sweep(&pool, settings.snapshot_every).await?;
            println!(
                "projections rebuilt through position {through}, {snapshots} view snapshots \
                 taken, in {:.1?}",
                started.elapsed()
            );
        }
        Command::CreateAdmin {
            username,
            display_name,
            if_no_admin,
        } => {
            let pool = connect(&settings).await?;
            if if_no_admin {
                // Administrators are made only by `UserCreated` with `admin` set.
                let any: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM events WHERE stream_type = 'user' \
                     AND event_type = 'UserCreated' AND payload->>'admin' = 'true')",
                )
                .fetch_one(&pool)
                .await?;
                if any {
                    println!("an administrator exists already; none created");
                    return Ok(());
                }
            }
            let (password, generated) = match std::env::var("THROUGHLINE_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => (p, false),
                _ => (secret::random_hex()[..24].to_string(), true),
            };
            let store = store_with_access_projection(&pool).await?;
            let request = CreateUserRequest {
                username,
                display_name,
                password: password.clone(),
                admin: true,
            };
            let user =
                accounts::create_user(&store, &RequestContext::system("cli:create-admin"), request)
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
            if generated {
                println!(
                    "Created administrator '{}' with password: {password}\n(shown only now; change it after logging in)",
                    user.username
                );
            } else {
                println!(
                    "Created administrator '{}' (password from THROUGHLINE_ADMIN_PASSWORD)",
                    user.username
                );
            }
        }
        Command::SeedDemo { if_empty } => {
            let pool = connect(&settings).await?;
            if if_empty {
                let any: bool = sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM streams WHERE stream_type = 'program')",
                )
                .fetch_one(&pool)
                .await?;
                if any {
                    println!("programs exist already; no demo program seeded");
                    return Ok(());
                }
            }
            // On an empty log the demo's story is played over the past weeks, so its history
            // has something to replay; after other events it happens now (times only grow).
            let empty: bool = sqlx::query_scalar("SELECT position = 0 FROM log_head WHERE id = 1")
                .fetch_optional(&pool)
                .await?
                .unwrap_or(true);
            let store = store_with_access_projection(&pool).await?;
            let story = empty.then(crate::event_store::clock::Story::begin);
            let seeded = demo::seed_story(&store, chrono::Utc::now().date_naive(), story.as_ref())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            drop(story);
            println!(
                "Seeded the demo program “{}” ({} milestones, {} dependencies): /programs/{}",
                demo::PROGRAM_NAME,
                seeded.milestones,
                seeded.dependencies,
                seeded.program_id
            );
        }
    }
    Ok(())
}

/// An event store for one-shot commands. Commands that change access wait for the access
/// projection to fold their events; run it here too, in case no server is running (with one
/// running, they take turns).
async fn store_with_access_projection(pool: &sqlx::PgPool) -> anyhow::Result<EventStore> {
    let hub = live::start(pool.clone()).await?;
    let wake = hub.published.subscribe();
    let projection_pool = pool.clone();
    tokio::spawn(async move {
        // The hub lives as long as the projection it wakes.
        let _hub = hub;
        run_projection(projection_pool, Access, wake).await
    });
    Ok(EventStore::start(pool.clone()))
}

async fn rebuild_with_progress<P: Projection>(
    pool: &sqlx::PgPool,
    projection: &mut P,
) -> anyhow::Result<i64> {
    let bar = progress_bar(format!("rebuilding {}", projection.name()));
    let through = rebuild(pool, projection, |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .await?;
    bar.finish_and_clear();
    Ok(through)
}

async fn connect(settings: &Settings) -> anyhow::Result<sqlx::PgPool> {
    db::ensure_database(&settings.database_url).await?;
    let pool = db::connect(&settings.database_url, 4).await?;
    db::migrate(&pool).await?;
    Ok(pool)
}

fn progress_bar(message: String) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}
