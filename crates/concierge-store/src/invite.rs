//! One-time invitations: a new user (a tenant's first owner, created by the
//! operator) sets a password by presenting `inv_<tenant>.<64 hex digits>`
//! (see [`crate::tenant_token`]) once, before it expires.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{tenant_token, TenantId};

/// The prefix of invitations.
const PREFIX: &str = "inv_";

/// A newly issued invitation: the only time its secret is available.
#[derive(Clone)]
pub struct IssuedInvite {
    /// The invited user.
    pub user_id: String,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// The secret to put in the invitation link; stored only hashed.
    pub secret: String,
}

impl std::fmt::Debug for IssuedInvite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedInvite")
            .field("user_id", &self.user_id)
            .field("expires_at", &self.expires_at)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Why a presented invitation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InviteRejection {
    /// Malformed, or no such invitation.
    Unknown,
    /// Past its expiry.
    Expired,
    /// Already used to set a password.
    Used,
}

impl std::fmt::Display for InviteRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            InviteRejection::Unknown => "unknown invitation",
            InviteRejection::Expired => "invitation expired",
            InviteRejection::Used => "invitation already used",
        })
    }
}

/// A fresh invitation secret for `tenant`.
pub(crate) fn generate(tenant: &TenantId) -> String {
    tenant_token::generate(PREFIX, tenant)
}

/// The tenant named by a well-formed invitation.
pub fn tenant_of(secret: &str) -> Option<TenantId> {
    tenant_token::tenant_of(PREFIX, secret)
}

/// The stored hash of an invitation.
pub(crate) fn hash(secret: &str) -> String {
    tenant_token::hash(secret)
}
