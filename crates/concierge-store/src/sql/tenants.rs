//! Tenants.

use async_trait::async_trait;

use super::{query, Backend, Col, Param, ReadsStr, RowsAffected, Run};
use crate::{StoreError, Tenant, TenantErasure, TenantId, TenantStore};

const TENANT_COLUMNS: &str = "id, name, timezone, created_at, disabled_at";

/// Every table holding a tenant's rows, children before the tables they
/// reference, `tenants` last: the order [`TenantStore::delete_tenant`]
/// empties them in.
const TENANT_TABLES: &[&str] = &[
    "conversation_ratings",
    "conversation_events",
    "bookings",
    "conversations",
    "customers",
    "publishable_keys",
    "bot_versions",
    "bots",
    "knowledge_vectors",
    "knowledge_revisions",
    "knowledge_entries",
    "schedules",
    "staff",
    "services",
    "integrations",
    "audit_log",
    "daily_rollups",
    "refresh_tokens",
    "user_invites",
    "api_keys",
    "users",
];

fn tenant_from_row<R: Col + ReadsStr + super::Columns>(row: &R) -> Result<Tenant, StoreError> {
    Ok(Tenant {
        id: TenantId::parse(row.col_str("id")?)?,
        name: row.col("name")?,
        timezone: row.col("timezone")?,
        created_at: row.col("created_at")?,
        disabled_at: row.col("disabled_at")?,
    })
}

#[async_trait]
impl<B: Backend> TenantStore for B {
    async fn create_tenant(&self, name: &str) -> Result<Tenant, StoreError> {
        self.create_tenant_with_id(&TenantId::random(), name).await
    }

    async fn tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(&format!("SELECT {TENANT_COLUMNS} FROM tenants WHERE id = $1"))
            .param(tenant.as_str())
            .fetch_optional_in(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found("tenant", tenant.as_str()))?;
        tenant_from_row(&row)
    }

    async fn create_tenant_with_id(&self, id: &TenantId, name: &str) -> Result<Tenant, StoreError> {
        if name.trim().is_empty() {
            return Err(StoreError::Invalid("a tenant needs a name".into()));
        }
        let tenant = Tenant {
            id: id.clone(),
            name: name.trim().to_owned(),
            timezone: None,
            created_at: crate::time::now(),
            disabled_at: None,
        };
        let mut tx = self.write(id).await?;
        query::<B>("INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)")
            .param(tenant.id.as_str())
            .param(tenant.name.as_str())
            .param(tenant.created_at)
            .execute_in(&mut *tx)
            .await
            .map_err(|e| super::write_error(e, "tenant"))?;
        tx.commit().await?;
        Ok(tenant)
    }

    async fn set_tenant_timezone(
        &self,
        tenant: &TenantId,
        timezone: Option<&str>,
    ) -> Result<Tenant, StoreError> {
        if let Some(zone) = timezone {
            zone.parse::<chrono_tz::Tz>().map_err(|_| {
                StoreError::Invalid(format!(
                    "unknown time zone {zone:?} (an IANA name such as Europe/London)"
                ))
            })?;
        }
        let mut tx = self.write(tenant).await?;
        let updated = query::<B>("UPDATE tenants SET timezone = $2 WHERE id = $1")
            .param(tenant.as_str())
            .param(timezone)
            .execute_in(&mut *tx)
            .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::not_found("tenant", tenant.as_str()));
        }
        tx.commit().await?;
        self.tenant(tenant).await
    }

    async fn set_tenant_disabled(&self, tenant: &TenantId, disabled: bool) -> Result<Tenant, StoreError> {
        let mut tx = self.write(tenant).await?;
        // Disabling twice keeps the first time.
        let updated = query::<B>(
            "UPDATE tenants SET disabled_at = CASE WHEN $2 THEN COALESCE(disabled_at, $3) END WHERE id = $1",
        )
        .param(tenant.as_str())
        .param(disabled)
        .param(crate::time::now())
        .execute_in(&mut *tx)
        .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::not_found("tenant", tenant.as_str()));
        }
        tx.commit().await?;
        self.tenant(tenant).await
    }

    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError> {
        let mut conn = self.read_tenant_list().await?;
        let rows = query::<B>(&format!("SELECT {TENANT_COLUMNS} FROM tenants ORDER BY id"))
            .fetch_all_in(&mut *conn)
            .await?;
        rows.iter().map(tenant_from_row).collect()
    }

    async fn delete_tenant(&self, tenant: &TenantId) -> Result<TenantErasure, StoreError> {
        let mut tx = self.write(tenant).await?;
        let mut erasure = TenantErasure::default();
        for table in TENANT_TABLES {
            let deleted = query::<B>(&format!("DELETE FROM {table} WHERE tenant_id = $1"))
                .param(tenant.as_str())
                .execute_in(&mut *tx)
                .await?;
            erasure.rows.push(((*table).to_owned(), deleted.rows_affected()));
        }
        let deleted = query::<B>("DELETE FROM tenants WHERE id = $1")
            .param(tenant.as_str())
            .execute_in(&mut *tx)
            .await?;
        if deleted.rows_affected() == 0 {
            return Err(StoreError::not_found("tenant", tenant.as_str()));
        }
        erasure.rows.push(("tenants".to_owned(), deleted.rows_affected()));
        tx.commit().await?;
        Ok(erasure)
    }
}
