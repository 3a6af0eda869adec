//! Governance: decision forums with their cadence, the decision-rights rules that route a
//! decision to a forum, decisions from question to outcome, and escalations up the program's
//! path. Pure, like the rest of `shared`: the clock ("now") and looked-up facts come in as
//! arguments.

pub mod charter;
pub mod decision;
pub mod escalation;
pub mod forum;
pub mod requests;
pub mod rights;
pub mod session;
pub mod view;
