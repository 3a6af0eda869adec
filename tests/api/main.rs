//! API, event-store, projection and live-update tests against the real PostgreSQL.

mod append;
mod auth;
mod auth_hardening;
mod authz;
mod briefings;
mod cascades;
mod changes;
mod concurrency;
mod exports_safety;
mod governance;
mod hardening;
mod history;
mod interop;
mod live;
mod log_truth;
mod objectives;
mod plan_edits;
mod plans;
mod programs;
mod projection;
mod raid;
mod retries;
mod schedule;
mod snapshots;
mod tamper;
mod ui_assets;
