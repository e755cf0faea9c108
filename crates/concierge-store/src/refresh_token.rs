//! Refresh tokens for staff sessions, kept as *families*.
//!
//! Logging in starts a family with one token. Each refresh presents the
//! newest token, which is marked used and replaced by the next token of the
//! same family. Presenting a token that was already used means that someone
//! kept a copy of it (the legitimate client only ever holds the newest
//! token), so the whole family is revoked: the thief and the victim both
//! have to log in again.
//!
//! A token is `rt_<tenant>.<64 hex digits>` (see [`crate::tenant_token`]).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{tenant_token, TenantId};

/// A stored refresh token (without its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefreshToken {
    /// Its id.
    pub id: String,
    /// The tenant of its user.
    pub tenant_id: TenantId,
    /// The user it keeps logged in.
    pub user_id: String,
    /// The family: every token issued by rotation from one login.
    pub family_id: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
    /// When it was exchanged for its successor, if it was.
    pub used_at: Option<DateTime<Utc>>,
    /// When its family was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A newly issued refresh token: the only time its secret is available.
#[derive(Clone)]
pub struct IssuedRefreshToken {
    /// The stored record.
    pub token: RefreshToken,
    /// The full token to hand to the client; stored only hashed.
    pub secret: String,
}

impl std::fmt::Debug for IssuedRefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedRefreshToken")
            .field("token", &self.token)
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// Why a presented refresh token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshRejection {
    /// Malformed, or no such token.
    Unknown,
    /// Past its expiry.
    Expired,
    /// Its family was revoked (logout, or an earlier reuse).
    Revoked,
    /// It had already been used: its family is now revoked.
    Reused,
}

impl std::fmt::Display for RefreshRejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            RefreshRejection::Unknown => "unknown refresh token",
            RefreshRejection::Expired => "refresh token expired",
            RefreshRejection::Revoked => "refresh token revoked",
            RefreshRejection::Reused => "refresh token reused; its family is revoked",
        })
    }
}

/// The prefix of refresh tokens.
const PREFIX: &str = "rt_";

/// A fresh token secret for `tenant`.
pub(crate) fn generate(tenant: &TenantId) -> String {
    tenant_token::generate(PREFIX, tenant)
}

/// The tenant named by a well-formed token.
pub(crate) fn tenant_of(secret: &str) -> Option<TenantId> {
    tenant_token::tenant_of(PREFIX, secret)
}

/// The stored hash of a token.
pub(crate) fn hash(secret: &str) -> String {
    tenant_token::hash(secret)
}

/// What to do with a presented token found in the store, at `now`.
pub(crate) fn judge(token: &RefreshToken, now: DateTime<Utc>) -> Result<(), RefreshRejection> {
    if token.revoked_at.is_some() {
        return Err(RefreshRejection::Revoked);
    }
    if token.used_at.is_some() {
        return Err(RefreshRejection::Reused);
    }
    if token.expires_at <= now {
        return Err(RefreshRejection::Expired);
    }
    Ok(())
}
