//! Throughline's server: the event log, projections, live updates and the HTTP API.

pub mod accounts;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod configuration;
pub mod db;
pub mod demo;
pub mod edge;
pub mod error;
pub mod event_store;
pub mod idempotency;
pub mod interop;
pub mod live;
pub mod metrics;
pub mod panic_guard;
pub mod projection;
pub mod queries;
pub mod request_context;
pub mod routes;
pub mod security_headers;
pub mod startup;
pub mod static_assets;
pub mod telemetry;
pub mod view_cache;
