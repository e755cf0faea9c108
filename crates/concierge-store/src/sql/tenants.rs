//! Tenants.

use async_trait::async_trait;

use super::{query, Backend, Col, Param, ReadsStr, Run};
use crate::{StoreError, Tenant, TenantId, TenantStore};

#[async_trait]
impl<B: Backend> TenantStore for B {
    async fn create_tenant(&self, name: &str) -> Result<Tenant, StoreError> {
        self.create_tenant_with_id(&TenantId::random(), name).await
    }

    async fn tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>("SELECT id, name, created_at FROM tenants WHERE id = $1")
            .param(tenant.as_str())
            .fetch_optional_in(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found("tenant", tenant.as_str()))?;
        Ok(Tenant {
            id: TenantId::parse(row.col_str("id")?)?,
            name: row.col("name")?,
            created_at: row.col("created_at")?,
        })
    }

    async fn create_tenant_with_id(&self, id: &TenantId, name: &str) -> Result<Tenant, StoreError> {
        let tenant = Tenant { id: id.clone(), name: name.to_owned(), created_at: crate::time::now() };
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
}
