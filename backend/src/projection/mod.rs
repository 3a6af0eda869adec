//! Projections: read models folded from the log, each with a checkpoint written in the same
//! transaction as the read model, so a stored view is never ahead of or behind its checkpoint
//! (a runner may fold ahead in memory and write later; readers fold what the checkpoint has
//! not reached).

mod access;
mod program_views;
mod runner;

pub use access::{ACCESS, Access, concerns_access};
pub use program_views::{
    PROGRAM_VIEWS, ProgramViews, fold_one, load_heads, load_view_at_checkpoint, load_views,
};
pub use runner::{Projection, RunnerState, catch_up_once, checkpoint, rebuild, run_projection};

use sqlx::PgPool;
use std::time::{Duration, Instant};

/// Why a change read through a projection is not in force yet.
#[derive(Debug, thiserror::Error)]
pub enum NotInForce {
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("the change was recorded at position {0} but is not in force yet; retry shortly")]
    Lagging(i64),
}

/// Waits until projection `name` has folded the log up to `position`, so that a command whose
/// effect is read through the projection (a role grant, a revoked token) is in force for every
/// instance before its response goes out.
pub async fn wait_for_projection(
    pool: &PgPool,
    name: &str,
    position: i64,
) -> Result<(), NotInForce> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut pause = Duration::from_millis(1);
    loop {
        let reached: Option<i64> =
            sqlx::query_scalar("SELECT position FROM projection_checkpoints WHERE name = $1")
                .bind(name)
                .fetch_optional(pool)
                .await?;
        if reached.is_some_and(|r| r >= position) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(NotInForce::Lagging(position));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(20));
    }
}
