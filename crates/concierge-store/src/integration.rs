//! Integrations with outside services (calendars, messaging, ...).

use serde::{Deserialize, Serialize};

/// An integration with its credentials decrypted.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Integration {
    /// What it connects to (`google_calendar`, `twilio`, ...), unique per tenant.
    pub kind: String,
    /// Settings that are not secret.
    pub config: serde_json::Value,
    /// The secret part (tokens, passwords), stored encrypted.
    pub credentials: serde_json::Value,
}

impl std::fmt::Debug for Integration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integration")
            .field("kind", &self.kind)
            .field("config", &self.config)
            .field("credentials", &"<redacted>")
            .finish()
    }
}

/// The associated data bound into a sealed credential.
pub(crate) fn seal_context(tenant: &crate::TenantId, kind: &str) -> Vec<u8> {
    format!("concierge/integration/{tenant}/{kind}").into_bytes()
}
