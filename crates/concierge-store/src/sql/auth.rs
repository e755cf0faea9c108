//! Who may act for a tenant: staff users and their sessions (refresh
//! tokens), API keys, and publishable (widget) keys.

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use sqlx::types::Json;

use super::{query, Backend, Col, Columns, Conn, Param, RowsAffected, Run};
use crate::tenant::new_id;
use crate::{
    api_key, invite, password, refresh_token, ApiKey, AuthStore, InviteRejection, IssuedApiKey, IssuedInvite,
    IssuedRefreshToken, NewPublishableKey, PublishableKey, RefreshRejection, RefreshToken, StoreError,
    TenantId, User,
};

const USER_COLUMNS: &str = "id, tenant_id, email, role, created_at";

fn user_from_row(row: &impl Columns) -> Result<User, StoreError> {
    Ok(User {
        id: row.col("id")?,
        tenant_id: TenantId::parse(row.col_str("tenant_id")?)?,
        email: row.col("email")?,
        role: row.col("role")?,
        created_at: row.col("created_at")?,
    })
}

fn api_key_from_row(row: &impl Columns) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: row.col("id")?,
        tenant_id: TenantId::parse(row.col_str("tenant_id")?)?,
        label: row.col("label")?,
        prefix: row.col("prefix")?,
        created_at: row.col("created_at")?,
        revoked_at: row.col("revoked_at")?,
    })
}

const REFRESH_COLUMNS: &str =
    "id, tenant_id, user_id, family_id, created_at, expires_at, used_at, revoked_at";

fn refresh_from_row(row: &impl Columns) -> Result<RefreshToken, StoreError> {
    Ok(RefreshToken {
        id: row.col("id")?,
        tenant_id: TenantId::parse(row.col_str("tenant_id")?)?,
        user_id: row.col("user_id")?,
        family_id: row.col("family_id")?,
        created_at: row.col("created_at")?,
        expires_at: row.col("expires_at")?,
        used_at: row.col("used_at")?,
        revoked_at: row.col("revoked_at")?,
    })
}

fn publishable_key_from_row(row: &impl Columns) -> Result<PublishableKey, StoreError> {
    let origins: Json<Vec<String>> = row.col("allowed_origins")?;
    Ok(PublishableKey {
        key: row.col("key")?,
        tenant_id: TenantId::parse(row.col_str("tenant_id")?)?,
        bot_id: row.col("bot_id")?,
        allowed_origins: origins.0,
        created_at: row.col("created_at")?,
    })
}

/// Stores a new refresh token of `user_id` (in `family`, or a new one).
async fn insert_refresh_token<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    user_id: &str,
    family: Option<&str>,
    now: DateTime<Utc>,
    ttl: TimeDelta,
) -> Result<IssuedRefreshToken, StoreError> {
    let now = crate::time::truncate(now);
    let expires_at = now
        .checked_add_signed(ttl)
        .filter(|at| *at > now)
        .ok_or_else(|| StoreError::Invalid(format!("refresh token lifetime {ttl} out of range")))?;
    let secret = refresh_token::generate(tenant);
    let token = RefreshToken {
        id: new_id(),
        tenant_id: tenant.clone(),
        user_id: user_id.to_owned(),
        family_id: family.map_or_else(new_id, str::to_owned),
        created_at: now,
        expires_at,
        used_at: None,
        revoked_at: None,
    };
    query::<B>(
        "INSERT INTO refresh_tokens (id, tenant_id, user_id, family_id, token_hash, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .param(token.id.as_str())
    .param(tenant.as_str())
    .param(user_id)
    .param(token.family_id.as_str())
    .param(refresh_token::hash(&secret))
    .param(token.created_at)
    .param(token.expires_at)
    .execute_in(&mut *conn)
    .await
    .map_err(|e| super::write_error(e, "user"))?;
    Ok(IssuedRefreshToken { token, secret })
}

/// Marks every live token of a family revoked.
async fn revoke_family<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    family_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    query::<B>(
        "UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND family_id = $2 \
         AND revoked_at IS NULL",
    )
    .param(tenant.as_str())
    .param(family_id)
    .param(now)
    .execute_in(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl<B: Backend> AuthStore for B {
    async fn create_user(
        &self,
        tenant: &TenantId,
        email: &str,
        password: &str,
        role: &str,
    ) -> Result<User, StoreError> {
        let email = password::normalized_email(email);
        let hash = password::hash_password(password).await?;
        let user = User {
            id: new_id(),
            tenant_id: tenant.clone(),
            email: email.clone(),
            role: role.to_owned(),
            created_at: crate::time::now(),
        };
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO users (id, tenant_id, email, password_hash, role, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .param(user.id.as_str())
        .param(tenant.as_str())
        .param(email.as_str())
        .param(hash.as_str())
        .param(role)
        .param(user.created_at)
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "user"))?;
        tx.commit().await?;
        Ok(user)
    }

    async fn verify_user(
        &self,
        tenant: &TenantId,
        email: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        let email = password::normalized_email(email);
        let mut conn = self.read(tenant).await?;
        let Some(row) = query::<B>(
            "SELECT id, email, password_hash, role, created_at FROM users \
             WHERE tenant_id = $1 AND email = $2",
        )
        .param(tenant.as_str())
        .param(email.as_str())
        .fetch_optional_in(&mut *conn)
        .await?
        else {
            // No such account: the same argon2 work as a wrong password.
            password::verify_login(None, password).await?;
            return Ok(None);
        };
        let hash: String = row.col("password_hash")?;
        if !password::verify_login(Some(&hash), password).await? {
            return Ok(None);
        }
        Ok(Some(User {
            id: row.col("id")?,
            tenant_id: tenant.clone(),
            email: row.col("email")?,
            role: row.col("role")?,
            created_at: row.col("created_at")?,
        }))
    }

    async fn user(&self, tenant: &TenantId, user_id: &str) -> Result<User, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(&format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2"))
            .param(tenant.as_str())
            .param(user_id)
            .fetch_optional_in(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found("user", user_id))?;
        user_from_row(&row)
    }

    async fn create_invite(
        &self,
        tenant: &TenantId,
        user_id: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedInvite, StoreError> {
        let secret = invite::generate(tenant);
        let now = crate::time::truncate(now);
        let expires_at = now + ttl;
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO user_invites (tenant_id, token_hash, user_id, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .param(tenant.as_str())
        .param(invite::hash(&secret))
        .param(user_id)
        .param(now)
        .param(expires_at)
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "user"))?;
        tx.commit().await?;
        Ok(IssuedInvite { user_id: user_id.to_owned(), expires_at, secret })
    }

    async fn accept_invite(
        &self,
        secret: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let Some(tenant) = invite::tenant_of(secret) else {
            return Err(StoreError::InviteRejected(InviteRejection::Unknown));
        };
        // Hashed before the transaction: argon2 is slow and the write lock is shared.
        let hash = password::hash_password(password).await?;
        let mut tx = self.write(&tenant).await?;
        let row = query::<B>(&format!(
            "SELECT user_id, expires_at, used_at FROM user_invites WHERE tenant_id = $1 AND token_hash = $2 {}",
            B::LOCK_ROWS
        ))
        .param(tenant.as_str())
        .param(invite::hash(secret))
        .fetch_optional_in(&mut *tx)
        .await?
        .ok_or(StoreError::InviteRejected(InviteRejection::Unknown))?;
        let user_id: String = row.col("user_id")?;
        let expires_at: DateTime<Utc> = row.col("expires_at")?;
        let used_at: Option<DateTime<Utc>> = row.col("used_at")?;
        if used_at.is_some() {
            return Err(StoreError::InviteRejected(InviteRejection::Used));
        }
        if expires_at <= now {
            return Err(StoreError::InviteRejected(InviteRejection::Expired));
        }
        query::<B>("UPDATE user_invites SET used_at = $3 WHERE tenant_id = $1 AND token_hash = $2")
            .param(tenant.as_str())
            .param(invite::hash(secret))
            .param(crate::time::truncate(now))
            .execute_in(&mut *tx)
            .await?;
        query::<B>("UPDATE users SET password_hash = $3 WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(user_id.as_str())
            .param(hash.as_str())
            .execute_in(&mut *tx)
            .await?;
        let row = query::<B>(&format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 AND id = $2"))
            .param(tenant.as_str())
            .param(user_id.as_str())
            .fetch_optional_in(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("user", &user_id))?;
        let user = user_from_row(&row)?;
        tx.commit().await?;
        Ok(user)
    }

    async fn remove_user(&self, tenant: &TenantId, user_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        for table in ["refresh_tokens", "user_invites"] {
            query::<B>(&format!("DELETE FROM {table} WHERE tenant_id = $1 AND user_id = $2"))
                .param(tenant.as_str())
                .param(user_id)
                .execute_in(&mut *tx)
                .await?;
        }
        let done = query::<B>("DELETE FROM users WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(user_id)
            .execute_in(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("user", user_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn users(&self, tenant: &TenantId) -> Result<Vec<User>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows =
            query::<B>(&format!("SELECT {USER_COLUMNS} FROM users WHERE tenant_id = $1 ORDER BY email"))
                .param(tenant.as_str())
                .fetch_all_in(&mut *conn)
                .await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn create_api_key(&self, tenant: &TenantId, label: &str) -> Result<IssuedApiKey, StoreError> {
        let (prefix, secret) = api_key::generate();
        let key = ApiKey {
            id: new_id(),
            tenant_id: tenant.clone(),
            label: label.to_owned(),
            prefix,
            created_at: crate::time::now(),
            revoked_at: None,
        };
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO api_keys (id, tenant_id, label, prefix, key_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .param(key.id.as_str())
        .param(tenant.as_str())
        .param(label)
        .param(key.prefix.as_str())
        .param(api_key::hash(&secret))
        .param(key.created_at)
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "api key"))?;
        tx.commit().await?;
        Ok(IssuedApiKey { key, secret })
    }

    async fn authenticate_api_key(&self, secret: &str) -> Result<Option<ApiKey>, StoreError> {
        let Some(prefix) = api_key::prefix_of(secret) else {
            return Ok(None);
        };
        let mut conn = self.read_api_key(prefix).await?;
        let Some(row) = query::<B>(
            "SELECT id, tenant_id, label, prefix, key_hash, created_at, revoked_at \
             FROM api_keys WHERE prefix = $1",
        )
        .param(prefix)
        .fetch_optional_in(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let stored: String = row.col("key_hash")?;
        let key = api_key_from_row(&row)?;
        Ok((api_key::hashes_match(&stored, &api_key::hash(secret)) && key.revoked_at.is_none())
            .then_some(key))
    }

    async fn revoke_api_key(&self, tenant: &TenantId, key_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        let done = query::<B>(
            "UPDATE api_keys SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 \
             AND revoked_at IS NULL",
        )
        .param(tenant.as_str())
        .param(key_id)
        .param(crate::time::now())
        .execute_in(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("api key", key_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn api_keys(&self, tenant: &TenantId) -> Result<Vec<ApiKey>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(
            "SELECT id, tenant_id, label, prefix, created_at, revoked_at FROM api_keys \
             WHERE tenant_id = $1 ORDER BY created_at, id",
        )
        .param(tenant.as_str())
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(api_key_from_row).collect()
    }

    async fn issue_refresh_token(
        &self,
        tenant: &TenantId,
        user_id: &str,
        family: Option<&str>,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedRefreshToken, StoreError> {
        let mut tx = self.write(tenant).await?;
        let issued = insert_refresh_token::<B>(&mut tx, tenant, user_id, family, now, ttl).await?;
        tx.commit().await?;
        Ok(issued)
    }

    async fn rotate_refresh_token(
        &self,
        secret: &str,
        now: DateTime<Utc>,
        ttl: TimeDelta,
    ) -> Result<IssuedRefreshToken, StoreError> {
        let Some(tenant) = refresh_token::tenant_of(secret) else {
            return Err(StoreError::RefreshRejected(RefreshRejection::Unknown));
        };
        let mut tx = self.write(&tenant).await?;
        // On PostgreSQL the row lock makes concurrent presentations of one
        // token queue: the second sees it used. (SQLite's write lock is held.)
        let row = query::<B>(&format!(
            "SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE tenant_id = $1 AND token_hash = $2 {}",
            B::LOCK_ROWS
        ))
        .param(tenant.as_str())
        .param(refresh_token::hash(secret))
        .fetch_optional_in(&mut *tx)
        .await?
        .ok_or(StoreError::RefreshRejected(RefreshRejection::Unknown))?;
        let presented = refresh_from_row(&row)?;
        let now = crate::time::truncate(now);
        match refresh_token::judge(&presented, now) {
            Ok(()) => {}
            Err(RefreshRejection::Reused) => {
                revoke_family::<B>(&mut tx, &tenant, &presented.family_id, now).await?;
                tx.commit().await?;
                return Err(StoreError::RefreshRejected(RefreshRejection::Reused));
            }
            Err(rejection) => return Err(StoreError::RefreshRejected(rejection)),
        }
        query::<B>("UPDATE refresh_tokens SET used_at = $3 WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(presented.id.as_str())
            .param(now)
            .execute_in(&mut *tx)
            .await?;
        let next = insert_refresh_token::<B>(
            &mut tx,
            &tenant,
            &presented.user_id,
            Some(&presented.family_id),
            now,
            ttl,
        )
        .await?;
        tx.commit().await?;
        Ok(next)
    }

    async fn find_refresh_token(&self, secret: &str) -> Result<Option<RefreshToken>, StoreError> {
        let Some(tenant) = refresh_token::tenant_of(secret) else {
            return Ok(None);
        };
        let mut conn = self.read(&tenant).await?;
        let row = query::<B>(&format!(
            "SELECT {REFRESH_COLUMNS} FROM refresh_tokens WHERE tenant_id = $1 AND token_hash = $2"
        ))
        .param(tenant.as_str())
        .param(refresh_token::hash(secret))
        .fetch_optional_in(&mut *conn)
        .await?;
        row.as_ref().map(refresh_from_row).transpose()
    }

    async fn revoke_refresh_family(&self, tenant: &TenantId, family_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        revoke_family::<B>(&mut tx, tenant, family_id, crate::time::now()).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn put_publishable_key(
        &self,
        tenant: &TenantId,
        key: &NewPublishableKey,
    ) -> Result<PublishableKey, StoreError> {
        key.validate()?;
        let stored = PublishableKey {
            key: key.key.clone(),
            tenant_id: tenant.clone(),
            bot_id: key.bot_id.clone(),
            allowed_origins: key.allowed_origins.clone(),
            created_at: crate::time::now(),
        };
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO publishable_keys (tenant_id, key, bot_id, allowed_origins, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, key) DO UPDATE SET \
             bot_id = excluded.bot_id, allowed_origins = excluded.allowed_origins, \
             created_at = excluded.created_at",
        )
        .param(tenant.as_str())
        .param(stored.key.as_str())
        .param(stored.bot_id.as_str())
        .param(Json(stored.allowed_origins.as_slice()))
        .param(stored.created_at)
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "bot"))?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn publishable_key(
        &self,
        tenant: &TenantId,
        key: &str,
    ) -> Result<Option<PublishableKey>, StoreError> {
        // A presented key is compared with each of the tenant's keys by their
        // hashes without an early exit, so response times tell a guesser
        // nothing about how much of a key was right.
        let presented = api_key::hash(key);
        let mut found = None;
        for stored in self.publishable_keys(tenant).await? {
            if api_key::hashes_match(&api_key::hash(&stored.key), &presented) {
                found = Some(stored);
            }
        }
        Ok(found)
    }

    async fn publishable_keys(&self, tenant: &TenantId) -> Result<Vec<PublishableKey>, StoreError> {
        let mut conn = self.read(tenant).await?;
        query::<B>(
            "SELECT tenant_id, key, bot_id, allowed_origins, created_at FROM publishable_keys \
             WHERE tenant_id = $1 ORDER BY key",
        )
        .param(tenant.as_str())
        .fetch_all_in(&mut *conn)
        .await?
        .iter()
        .map(publishable_key_from_row)
        .collect()
    }

    async fn delete_publishable_key(&self, tenant: &TenantId, key: &str) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        let done = query::<B>("DELETE FROM publishable_keys WHERE tenant_id = $1 AND key = $2")
            .param(tenant.as_str())
            .param(key)
            .execute_in(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("publishable key", key));
        }
        tx.commit().await?;
        Ok(())
    }
}
