//! Random secrets (session ids, CSRF tokens, API tokens) and the hashes they are stored under.

use sha2::{Digest, Sha256};

/// 256 random bits from the operating system, hex-encoded.
pub fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source is available");
    hex::encode(bytes)
}

/// What a secret is stored and looked up by: it is high-entropy, so a fast hash is enough (a
/// stolen table still gives nobody a usable secret).
pub fn lookup_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}

/// API tokens carry a prefix so that secret scanners and people can recognise them.
pub const TOKEN_PREFIX: &str = "tl_";

pub fn new_api_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_hex())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
