//! Settings from the environment, with defaults that work on a developer machine.

use crate::auth::{AuthSettings, ProgramCreators};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Settings {
    /// `DATABASE_URL`; the database is created if it does not exist.
    pub database_url: String,
    /// `THROUGHLINE_ADDR`: where the API and UI are served. Port 0 picks a free port.
    pub addr: SocketAddr,
    /// `THROUGHLINE_UI_DIR`: the Trunk-built frontend.
    pub ui_dir: PathBuf,
    /// Sessions and login throttling: `THROUGHLINE_SESSION_HOURS` (12),
    /// `THROUGHLINE_SESSION_IDLE_MINUTES` (120), `THROUGHLINE_LOGIN_MAX_FAILURES` (5),
    /// `THROUGHLINE_LOGIN_LOCKOUT_MINUTES` (15), `THROUGHLINE_TRUSTED_DEVICE_DAYS` (180);
    /// `THROUGHLINE_TRUSTED_PROXY` (none: comma-separated IP addresses whose forwarded headers are
    /// believed), `THROUGHLINE_PROGRAM_CREATORS` (`everyone` or `admins`).
    pub auth: AuthSettings,
    /// `THROUGHLINE_DB_POOL`: connections for request handling.
    pub pool_size: u32,
    /// `THROUGHLINE_ESCALATION_CHECK_SECONDS` (60): how often overdue escalations are moved up.
    pub escalation_check: Duration,
    /// `THROUGHLINE_METRICS_ADDR` (none): also serve `GET /metrics` here, without sign-in, for a
    /// scraper on the operator's network. On the main address `/metrics` needs an administrator.
    pub metrics_addr: Option<SocketAddr>,
    /// `THROUGHLINE_VIEW_CACHE_MB` (256): memory for each instance's folded, encoded current
    /// program views (least recently read evicted first).
    pub view_cache_bytes: usize,
    /// `THROUGHLINE_SNAPSHOT_EVERY` (1000): a program's view is kept as a snapshot every this many
    /// of its events, for as-of reads (`queries::snapshots`).
    pub snapshot_every: u64,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/throughline";

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr = var("THROUGHLINE_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let number = |name: &str, default: u64| -> anyhow::Result<u64> {
            match var(name) {
                Some(v) => v
                    .parse()
                    .map_err(|_| anyhow::anyhow!("{name} must be a whole number, got {v:?}")),
                None => Ok(default),
            }
        };
        let pool_size = number("THROUGHLINE_DB_POOL", 16)? as u32;
        let auth = AuthSettings {
            session_lifetime: Duration::from_secs(
                number("THROUGHLINE_SESSION_HOURS", 12)?.saturating_mul(3600),
            ),
            session_idle: Duration::from_secs(
                number("THROUGHLINE_SESSION_IDLE_MINUTES", 120)?.saturating_mul(60),
            ),
            max_failures: number("THROUGHLINE_LOGIN_MAX_FAILURES", 5)?.clamp(1, 1000) as i32,
            lockout: Duration::from_secs(
                number("THROUGHLINE_LOGIN_LOCKOUT_MINUTES", 15)?.saturating_mul(60),
            ),
            device_lifetime: Duration::from_secs(
                number("THROUGHLINE_TRUSTED_DEVICE_DAYS", 180)?
                    .clamp(1, 3650)
                    .saturating_mul(24 * 3600),
            ),
            trusted_proxies: match var("THROUGHLINE_TRUSTED_PROXY") {
                Some(list) => list
                    .split(',')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(|a| {
                        a.parse::<std::net::IpAddr>().map_err(|e| {
                            anyhow::anyhow!(
                                "THROUGHLINE_TRUSTED_PROXY: {a:?} is not an IP address: {e}"
                            )
                        })
                    })
                    .collect::<anyhow::Result<Vec<_>>>()?,
                None => Vec::new(),
            },
            program_creators: match var("THROUGHLINE_PROGRAM_CREATORS") {
                Some(v) => v
                    .parse()
                    .map_err(|e| anyhow::anyhow!("THROUGHLINE_PROGRAM_CREATORS: {e}"))?,
                None => ProgramCreators::Everyone,
            },
            ..AuthSettings::default()
        };
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            addr: addr
                .parse()
                .map_err(|e| anyhow::anyhow!("THROUGHLINE_ADDR {addr:?} is not host:port: {e}"))?,
            ui_dir: var("THROUGHLINE_UI_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("frontend/dist")),
            auth,
            pool_size,
            escalation_check: Duration::from_secs(
                number("THROUGHLINE_ESCALATION_CHECK_SECONDS", 60)?.max(1),
            ),
            metrics_addr: match var("THROUGHLINE_METRICS_ADDR") {
                Some(a) => Some(a.parse().map_err(|e| {
                    anyhow::anyhow!("THROUGHLINE_METRICS_ADDR {a:?} is not host:port: {e}")
                })?),
                None => None,
            },
            view_cache_bytes: usize::try_from(
                number("THROUGHLINE_VIEW_CACHE_MB", 256)?.saturating_mul(1 << 20),
            )
            .unwrap_or(usize::MAX),
            snapshot_every: number(
                "THROUGHLINE_SNAPSHOT_EVERY",
                crate::queries::snapshots::DEFAULT_EVERY,
            )?
            .max(1),
        })
    }
}
