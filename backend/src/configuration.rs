//! Settings from the environment, with defaults that work on a developer machine.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, Debug)]
pub struct Settings {
    /// `DATABASE_URL`; the database is created if it does not exist.
    pub database_url: String,
    /// `THROUGHLINE_ADDR`: where the API and UI are served. Port 0 picks a free port.
    pub addr: SocketAddr,
    /// `THROUGHLINE_UI_DIR`: the Trunk-built frontend.
    pub ui_dir: PathBuf,
    /// `THROUGHLINE_OPERATOR`: until accounts exist, the identity recorded as every event's actor.
    pub operator: String,
    /// `THROUGHLINE_DB_POOL`: connections for request handling.
    pub pool_size: u32,
}

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/throughline";

impl Settings {
    pub fn from_env() -> anyhow::Result<Self> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let addr = var("THROUGHLINE_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let pool_size = match var("THROUGHLINE_DB_POOL") {
            Some(v) => v
                .parse()
                .map_err(|_| anyhow::anyhow!("THROUGHLINE_DB_POOL must be a number, got {v:?}"))?,
            None => 16,
        };
        Ok(Self {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into()),
            addr: addr
                .parse()
                .map_err(|e| anyhow::anyhow!("THROUGHLINE_ADDR {addr:?} is not host:port: {e}"))?,
            ui_dir: var("THROUGHLINE_UI_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("frontend/dist")),
            operator: var("THROUGHLINE_OPERATOR").unwrap_or_else(|| "local-operator".into()),
            pool_size,
        })
    }
}
