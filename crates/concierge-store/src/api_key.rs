//! API keys: `ck_<prefix>_<secret>`. The store keeps the public prefix (to find
//! the key) and the SHA-256 of the whole key, never the key itself.

use aes_gcm::aead::rand_core::RngCore;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::TenantId;

/// A stored API key (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// Its id.
    pub id: String,
    /// The tenant it acts for.
    pub tenant_id: TenantId,
    /// What it is for, as its creator described it.
    pub label: String,
    /// The public part, shown in listings to recognise the key.
    pub prefix: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly created key: the only time its secret is available.
#[derive(Clone)]
pub struct IssuedApiKey {
    /// The stored record.
    pub key: ApiKey,
    /// The full key to hand to the client; not stored, cannot be shown again.
    pub secret: String,
}

impl std::fmt::Debug for IssuedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedApiKey").field("key", &self.key).field("secret", &"<redacted>").finish()
    }
}

/// A fresh key: (prefix, full key).
pub(crate) fn generate() -> (String, String) {
    let mut prefix = [0u8; 6];
    let mut secret = [0u8; 24];
    aes_gcm::aead::OsRng.fill_bytes(&mut prefix);
    aes_gcm::aead::OsRng.fill_bytes(&mut secret);
    let prefix = hex::encode(prefix);
    let full = format!("ck_{prefix}_{}", hex::encode(secret));
    (prefix, full)
}

/// The prefix of a well-formed key.
pub(crate) fn prefix_of(key: &str) -> Option<&str> {
    let rest = key.strip_prefix("ck_")?;
    let (prefix, secret) = rest.split_once('_')?;
    (prefix.len() == 12 && !secret.is_empty()).then_some(prefix)
}

/// The stored hash of a full key.
pub(crate) fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Compares two hex hashes without an early exit.
pub(crate) fn hashes_match(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}
