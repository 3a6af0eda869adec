//! Governance: decision forums with their cadence, the decision-rights rules that route a
//! decision to a forum, decisions from question to outcome, and escalations up the program's
//! path. Pure, like the rest of `shared`: the clock ("now") and looked-up facts come in as
//! arguments. Commands are in the server's `commands::governance`, routes in
//! `routes::governance`. Four kinds of stream:
//!
//! - **The charter** (`governance`, one per program, id `UUIDv5(program, "governance-charter")`;
//!   [`charter`]): `ForumEstablished` / `ForumRevised` (the whole forum: chair and members named as
//!   appointed — only people with a role in the program —, a reachable quorum, a cadence counted
//!   from the first session so month-end forums stay on month ends, a decision SLA in days),
//!   `DecisionRightsSet` (the whole rule set: kind + optional threshold → forum; [`rights::route`]
//!   picks the most specific rule reached and words the reason; no rule: the program manager
//!   decides), `EscalationPathSet` (levels, each with a response SLA in hours). Program manager
//!   only (`ProgramAction::Govern`).
//! - **Decisions** (`decision`, one each; [`decision`]): raised with options, recommendation,
//!   links and proposed effects (re-baseline a milestone, cancel a dependency, supersede an
//!   earlier decision), each carrying its target's version at raising; tabled for a session (the
//!   forum's next by default); voted on by forum members (a re-vote replaces); approved or
//!   rejected (quorum and the votes that carry it, recorded in `decided_by`; a rejection needs a
//!   vote against), deferred (a new round of votes), superseded. An effect whose target moved on
//!   since raising is refused (422, "raised against version 3, it is now at 4"). The decision
//!   rights confer authority (a forum member can approve a re-baseline that forum holds) **and
//!   bind**: a direct command they route to a forum is refused with `422 decision_required` and a
//!   suggested request to raise instead ([`rights::check_direct`], the same `route`).
//! - **Escalations** (`escalation`, one each; [`escalation`]): raised against a milestone,
//!   dependency, project or decision (named as it was, with the path as it stood and the first
//!   level's deadline), moved up by a person with a reason or automatically past the deadline,
//!   resolved. Anyone with a role escalates and moves up (`TakePart`); resolving needs
//!   `RaiseDecision`.
//! - **Review sessions** (`review_session`, one per meeting; [`session`]): `SessionOpened` carries
//!   the agenda assembled from the log at opening, including [`session::program_changes`] since
//!   the forum's previous session; then attendance (forum members only), minutes, actions (owner,
//!   due date; open / done / dropped, also after closing) and `SessionClosed`. The program manager
//!   or the chair keeps the record; anyone who may raise decisions can close an action.
//!
//! [`view::GovernanceView`] is folded by the server from those streams (now or as of any position
//! or instant), never into `ProgramView`; `attention(now)` lists decisions past their forum's SLA
//! (10 days for the program manager's own, except deferrals to a day still ahead), escalations
//! past their deadline and each forum's next three sessions. The browser does not decode these
//! events (feature `governance-events`, on in the server only): it re-reads the view when a live
//! governance event arrives.

pub mod charter;
pub mod decision;
pub mod escalation;
pub mod forum;
pub mod requests;
pub mod rights;
pub mod session;
pub mod view;
