//! The audit log of administrative actions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An action to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// Who did it (user id, API key id, `system`).
    pub actor: String,
    /// What was done (`customer.erase`, `bot.activate`, ...).
    pub action: String,
    /// What it was done to, if anything.
    pub target: Option<String>,
    /// Anything else worth keeping (no personal data).
    pub details: serde_json::Value,
}

/// A recorded action.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Its position in the log.
    pub id: i64,
    /// Who did it.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// What it was done to.
    pub target: Option<String>,
    /// Details.
    pub details: serde_json::Value,
    /// When.
    pub recorded_at: DateTime<Utc>,
}
