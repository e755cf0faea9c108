//! Who may act for a tenant: staff users and their sessions (refresh tokens), API keys, and publishable (widget) keys.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};

use crate::{
    ApiKey, IssuedApiKey, IssuedInvite, IssuedRefreshToken, NewPublishableKey, PublishableKey, RefreshToken,
    StoreError, TenantId, User,
};

/// Who may act for a tenant: staff users and their sessions (refresh tokens), API keys, and publishable (widget) keys.
#[async_trait]
pub trait AuthStore: Send + Sync {
    /// Creates a user with an argon2-hashed password. Emails are kept trimmed
    /// and lower-case, here and in [`Self::verify_user`].
    async fn create_user(
        &self,
        tenant: &TenantId,
        email: &str,
        password: &str,
        role: &str,
    ) -> Result<User, StoreError>;

    /// The user if `email` and `password` match, `None` otherwise. An unknown
    /// email costs the same argon2 work as a wrong password.
    async fn verify_user(
        &self,
        tenant: &TenantId,
        email: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError>;

    /// A user by id.
    async fn user(&self, tenant: &TenantId, user_id: &str) -> Result<User, StoreError>;

    /// Issues a one-time invitation for `user_id` to set a password, valid
    /// until `now + ttl`; its secret is returned once and stored only hashed.
    async fn create_invite(
        &self,
        tenant: &TenantId,
        user_id: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedInvite, StoreError>;

    /// Sets the invited user's password and uses the invitation up, at
    /// `now`, atomically; a used, expired or unknown invitation fails with
    /// the matching [`StoreError::InviteRejected`].
    async fn accept_invite(
        &self,
        secret: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError>;

    /// The tenant's users, by email.
    async fn users(&self, tenant: &TenantId) -> Result<Vec<User>, StoreError>;

    /// Removes a user with their sessions and invitations, at once (a
    /// colleague who left, or an invitation sent to a wrong address).
    async fn remove_user(&self, tenant: &TenantId, user_id: &str) -> Result<(), StoreError>;

    /// Issues a new API key; its secret is returned once and stored only hashed.
    async fn create_api_key(&self, tenant: &TenantId, label: &str) -> Result<IssuedApiKey, StoreError>;

    /// The key (and so its tenant) for a presented secret, if valid and not revoked.
    async fn authenticate_api_key(&self, secret: &str) -> Result<Option<ApiKey>, StoreError>;

    /// Revokes a key.
    async fn revoke_api_key(&self, tenant: &TenantId, key_id: &str) -> Result<(), StoreError>;

    /// The tenant's API keys (revoked ones too), oldest first.
    async fn api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError>;

    /// Issues a refresh token for `user_id`, valid until `now + ttl`: in
    /// `family` when given (it continues that session), else in a new family.
    /// The secret is returned once and stored only as its SHA-256.
    async fn issue_refresh_token(
        &self,
        tenant: &TenantId,
        user_id: &str,
        family: Option<&str>,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedRefreshToken, StoreError>;

    /// Exchanges a presented refresh token for the next one of its family,
    /// atomically: the presented token is marked used and its successor
    /// (valid until `now + ttl`) is issued. A token already used revokes its
    /// whole family and fails with [`crate::RefreshRejection::Reused`]; an expired,
    /// revoked or unknown one fails with the matching
    /// [`StoreError::RefreshRejected`].
    async fn rotate_refresh_token(
        &self,
        secret: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedRefreshToken, StoreError>;

    /// The stored record of a presented refresh token (whatever its state),
    /// if the token exists.
    async fn find_refresh_token(&self, secret: &str) -> Result<Option<RefreshToken>, StoreError>;

    /// Revokes every token of a family (logout); revoking twice is not an error.
    async fn revoke_refresh_family(&self, tenant: &TenantId, family_id: &str) -> Result<(), StoreError>;

    /// Creates or replaces one of the tenant's publishable (widget) keys;
    /// the bot must be the tenant's ([`StoreError::NotFound`] otherwise).
    async fn put_publishable_key(
        &self,
        tenant: &TenantId,
        key: &NewPublishableKey,
    ) -> Result<PublishableKey, StoreError>;

    /// The tenant's publishable key with this value, if it has one; the
    /// presented value is compared in constant time.
    async fn publishable_key(
        &self,
        tenant: &TenantId,
        key: &str,
    ) -> Result<Option<PublishableKey>, StoreError>;

    /// The tenant's publishable keys, by key.
    async fn publishable_keys(&self, tenant: &TenantId) -> Result<Vec<PublishableKey>, StoreError>;

    /// Deletes a publishable key ([`StoreError::NotFound`] if the tenant has no such key).
    async fn delete_publishable_key(&self, tenant: &TenantId, key: &str) -> Result<(), StoreError>;
}
