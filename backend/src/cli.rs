//! The `throughline` command: serve (default), migrate, verify the hash chain, rebuild projections.

use crate::configuration::Settings;
use crate::event_store::verify_chain;
use crate::projection::{ProgramViews, rebuild};
use crate::startup::Application;
use crate::{db, telemetry};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

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
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    telemetry::init("info,sqlx=warn");
    let settings = Settings::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
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
            let bar = progress_bar("verifying");
            let report = verify_chain(&pool, |done| bar.set_position(done as u64)).await?;
            bar.finish_and_clear();
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.ok {
                std::process::exit(1);
            }
        }
        Command::Rebuild => {
            let pool = connect(&settings).await?;
            let bar = progress_bar("rebuilding program_views");
            let started = std::time::Instant::now();
            let through = rebuild(&pool, &mut ProgramViews::new(), |done, total| {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            })
            .await?;
            bar.finish_and_clear();
            println!(
                "program_views rebuilt through position {through} in {:.1?}",
                started.elapsed()
            );
        }
    }
    Ok(())
}

async fn connect(settings: &Settings) -> anyhow::Result<sqlx::PgPool> {
    db::ensure_database(&settings.database_url).await?;
    let pool = db::connect(&settings.database_url, 4).await?;
    db::migrate(&pool).await?;
    Ok(pool)
}

fn progress_bar(message: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}
