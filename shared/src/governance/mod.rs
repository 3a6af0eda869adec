//! Governance: decision forums with their cadence, the decision-rights rules that route a
//! decision to a forum, and decisions from question to outcome. Pure, like the rest of `shared`:
//! the clock ("today") and looked-up facts come in as arguments.

pub mod decision;
pub mod forum;
pub mod rights;
