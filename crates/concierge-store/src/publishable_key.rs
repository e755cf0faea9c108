//! Publishable keys: the public identifiers a website's chat widget presents
//! to start conversations with one of a tenant's bots.
//!
//! They are not secrets (they sit in the page's HTML), so they are stored in
//! plain text, where owners can read them back for their pages; a presented
//! key is compared in constant time all the same. What protects a tenant is that each key names one bot and the
//! origins allowed to use it, and that every conversation it opens gets its
//! own token.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{StoreError, TenantId};

/// What is needed to create or replace a publishable key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPublishableKey {
    /// The key itself: 8 to 128 ASCII letters, digits, `-` or `_`.
    pub key: String,
    /// The bot the key's conversations talk to.
    pub bot_id: String,
    /// Web origins (`https://example.com`, `http://localhost:8080`) allowed to
    /// use the key from a browser; `*` allows any.
    pub allowed_origins: Vec<String>,
}

/// A stored publishable key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishableKey {
    /// The key.
    pub key: String,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// The bot its conversations talk to.
    pub bot_id: String,
    /// Origins allowed to use it from a browser (`*` for any).
    pub allowed_origins: Vec<String>,
    /// When it was created or last replaced.
    pub created_at: DateTime<Utc>,
}

impl NewPublishableKey {
    /// Checks the key's form and its origins.
    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        let key_ok = (8..=128).contains(&self.key.len())
            && self.key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !key_ok {
            return Err(StoreError::Invalid(
                "a publishable key is 8 to 128 ASCII letters, digits, '-' or '_'".into(),
            ));
        }
        if self.bot_id.is_empty() {
            return Err(StoreError::Invalid("a publishable key needs a bot".into()));
        }
        for origin in &self.allowed_origins {
            if !is_origin(origin) {
                return Err(StoreError::Invalid(format!(
                    "allowed origin {origin:?} is not '*' or scheme://host[:port]"
                )));
            }
        }
        Ok(())
    }
}

/// Whether `text` is `*` or a web origin: `http(s)://host[:port]`, no path.
fn is_origin(text: &str) -> bool {
    if text == "*" {
        return true;
    }
    let Some(rest) = text.strip_prefix("https://").or_else(|| text.strip_prefix("http://")) else {
        return false;
    };
    !rest.is_empty()
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(key: &str, origins: &[&str]) -> NewPublishableKey {
        NewPublishableKey {
            key: key.into(),
            bot_id: "bot".into(),
            allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
        }
    }

    #[test]
    fn keys_and_origins_are_checked() {
        assert!(key("pk_demo_salon", &["*", "https://salon.example", "http://localhost:8080"])
            .validate()
            .is_ok());
        for bad in ["short", "has space in it", "pk/with/slash", &"x".repeat(129)] {
            assert!(matches!(key(bad, &[]).validate(), Err(StoreError::Invalid(_))), "{bad}");
        }
        for bad in ["salon.example", "https://salon.example/path", "ftp://x", "https://"] {
            assert!(matches!(key("pk_demo_salon", &[bad]).validate(), Err(StoreError::Invalid(_))), "{bad}");
        }
    }
}
