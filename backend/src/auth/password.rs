//! Password hashing with argon2id (RustCrypto's `argon2`: the OWASP-recommended algorithm, PHC
//! strings that carry their own parameters, so they can be raised later without a migration).
//!
//! Hashing is deliberately slow and memory-hard: with the default parameters (m = 19 MiB, t = 2,
//! p = 1, OWASP's minimum for argon2id) every hash or check allocates 19 MiB and keeps a core busy
//! for tens of milliseconds. So it runs on the blocking pool, and at most one per core at a time
//! (`permit`): a burst of sign-ins queues here (for at most `MAX_WAIT`, then 503 with
//! `Retry-After`) instead of allocating 19 MiB per attempt at once.

use crate::error::ApiError;
use actix_web::http::StatusCode;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;
use tokio::sync::{Semaphore, SemaphorePermit};

/// How long an attempt waits for a free core before it is answered 503.
const MAX_WAIT: Duration = Duration::from_secs(5);
/// What such a 503 tells the client to wait.
const BUSY_RETRY_AFTER_SECONDS: u64 = 2;

/// One permit per core: more hashes at once would only share the cores and multiply the memory.
static HASHING: LazyLock<Semaphore> = LazyLock::new(|| {
    Semaphore::new(std::thread::available_parallelism().map_or(1, std::num::NonZero::get))
});

/// The right to run one hash or check now.
pub struct HashPermit {
    _held: SemaphorePermit<'static>,
}

#[derive(Debug)]
pub enum PasswordError {
    /// Every core was busy hashing for `MAX_WAIT`.
    Busy,
    Failed(anyhow::Error),
}

impl From<PasswordError> for ApiError {
    fn from(error: PasswordError) -> Self {
        match error {
            PasswordError::Busy => {
                tracing::warn!("password hashing busy: request answered 503");
                super::retry_later(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "the server is busy checking passwords; try again in a moment",
                    BUSY_RETRY_AFTER_SECONDS,
                )
            }
            PasswordError::Failed(e) => ApiError::internal(e),
        }
    }
}

impl From<PasswordError> for crate::commands::CommandError {
    fn from(error: PasswordError) -> Self {
        Self::Password(error)
    }
}

/// Waits (at most `MAX_WAIT`) for a core to hash on.
pub async fn permit() -> Result<HashPermit, PasswordError> {
    match tokio::time::timeout(MAX_WAIT, HASHING.acquire()).await {
        Ok(Ok(permit)) => Ok(HashPermit { _held: permit }),
        Ok(Err(closed)) => Err(PasswordError::Failed(anyhow::anyhow!("{closed}"))),
        Err(_) => Err(PasswordError::Busy),
    }
}

/// Hashes a new password (waits for a permit first).
pub async fn hash(password: String) -> Result<String, PasswordError> {
    let permit = permit().await?;
    tokio::task::spawn_blocking(move || {
        // Held until the hash is done, even if the request is dropped meanwhile.
        let _permit = permit;
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
        Ok(hash.to_string())
    })
    .await
    .map_err(|e| PasswordError::Failed(e.into()))?
    .map_err(PasswordError::Failed)
}

/// Checks `password` against a stored PHC hash. With no stored hash (unknown user), a dummy hash
/// is checked instead, so the answer takes as long whether or not the user exists.
pub async fn verify(
    permit: HashPermit,
    password: String,
    stored: Option<String>,
) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let known = stored.is_some();
        let stored = match stored {
            Some(stored) => stored,
            None => dummy_hash()?.to_string(),
        };
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("a stored password hash is unreadable: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
}

fn dummy_hash() -> anyhow::Result<&'static str> {
    static DUMMY: OnceLock<String> = OnceLock::new();
    if let Some(dummy) = DUMMY.get() {
        return Ok(dummy);
    }
    let salt = SaltString::encode_b64(b"throughline-none").map_err(|e| anyhow::anyhow!("{e}"))?;
    let dummy = Argon2::default()
        .hash_password(b"no user has this password", &salt)
        .map_err(|e| anyhow::anyhow!("cannot hash the dummy password: {e}"))?
        .to_string();
    Ok(DUMMY.get_or_init(|| dummy))
}
