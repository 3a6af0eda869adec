//! Forums, decision rights, the escalation path, decisions, escalations and sessions of a
//! program, and its governance view.

mod charter;
mod decisions;
mod escalations;
mod sessions;
mod view;

// Globs: each handler comes with the item its `#[utoipa::path]` generates, which the OpenAPI
// document names by this module's path.
pub use charter::*;
pub use decisions::*;
pub use escalations::*;
pub use sessions::*;
pub use view::*;

use crate::auth::Principal;
use crate::commands::governance::Caller;
use throughline_shared::access::{ProgramAccess, ProgramAction};

fn caller(principal: &Principal, access: &ProgramAccess) -> Caller {
    Caller {
        user_id: Some(principal.user_id),
        governs: access.can(ProgramAction::Govern),
    }
}
