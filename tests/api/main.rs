//! API, event-store, projection and live-update tests against the real PostgreSQL.

mod append;
mod concurrency;
mod live;
mod programs;
mod projection;
mod tamper;
