//! Tenants (businesses) and their users.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A tenant's id: 1 to 64 ASCII letters, digits, `-` or `_`.
///
/// Every method on tenant data takes one, so no query can forget its scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    /// A new random id.
    pub fn random() -> Self {
        TenantId(uuid::Uuid::new_v4().to_string())
    }

    /// Checks and wraps an id.
    pub fn parse(id: &str) -> Result<Self, StoreError> {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(TenantId(id.to_owned()))
        } else {
            Err(StoreError::Invalid(format!("bad tenant id {id:?}")))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = StoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TenantId::parse(&value)
    }
}

impl From<TenantId> for String {
    fn from(id: TenantId) -> Self {
        id.0
    }
}

impl std::fmt::Display for TenantId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A business using Concierge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tenant {
    /// Its id.
    pub id: TenantId,
    /// Display name.
    pub name: String,
    /// Its IANA time zone (days of its analytics, times in its console), if set.
    pub timezone: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When the operator disabled it: its widget, chat API and logins are refused.
    pub disabled_at: Option<DateTime<Utc>>,
}

/// What erasing a tenant removed: rows per table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantErasure {
    /// Rows deleted, by table, in the order they were deleted.
    pub rows: Vec<(String, u64)>,
}

/// A person who administers a tenant's bots (the password hash stays in the store).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Its id.
    pub id: String,
    /// The tenant it belongs to.
    pub tenant_id: TenantId,
    /// Login email, unique within the tenant.
    pub email: String,
    /// Role name (for example `owner`, `agent`).
    pub role: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
