//! Bots and their spec versions.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A bot of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bot {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The spec version in use, if one was activated.
    pub active_version: Option<i32>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// One saved version of a bot's spec.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotVersion {
    /// Version number (1, 2, ...).
    pub version: i32,
    /// The spec as JSON.
    pub spec: serde_json::Value,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}
