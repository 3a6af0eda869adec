//! API, event-store, projection and live-update tests against the real PostgreSQL.

mod append;
mod auth;
mod authz;
mod concurrency;
mod governance;
mod interop;
mod live;
mod programs;
mod projection;
mod schedule;
mod tamper;
