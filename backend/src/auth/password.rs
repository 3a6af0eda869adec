//! Password hashing with argon2id (RustCrypto's `argon2`: the OWASP-recommended algorithm, PHC
//! strings that carry their own parameters, so they can be raised later without a migration).
//! Hashing is deliberately slow, so it runs on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use std::sync::OnceLock;

pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| anyhow::anyhow!("{e}"))?;
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
        Ok(hash.to_string())
    })
    .await?
}

/// Checks `password` against a stored PHC hash. With no stored hash (unknown user), a dummy hash
/// is checked instead, so the answer takes as long whether or not the user exists.
pub async fn verify(password: String, stored: Option<String>) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let stored = stored.unwrap_or_else(|| dummy_hash().to_string());
        let parsed = PasswordHash::new(&stored)
            .map_err(|e| anyhow::anyhow!("a stored password hash is unreadable: {e}"))?;
        let matches = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::encode_b64(b"throughline-none").expect("16 bytes encode");
        Argon2::default()
            .hash_password(b"no user has this password", &salt)
            .expect("hashing a constant cannot fail")
            .to_string()
    })
}
