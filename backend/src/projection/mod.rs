//! Projections: read models folded from the log, each with a checkpoint written in the same
//! transaction as the read model, so a view is never ahead of or behind its checkpoint.

mod program_views;
mod runner;

pub use program_views::{PROGRAM_VIEWS, ProgramViews};
pub use runner::{Projection, catch_up_once, checkpoint, rebuild, run_projection};
