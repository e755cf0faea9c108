//! Tenants.

use async_trait::async_trait;

use crate::{StoreError, Tenant, TenantId};

/// Tenants.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Creates a tenant.
    async fn create_tenant(&self, name: &str) -> Result<Tenant, StoreError>;

    /// A tenant by id.
    async fn tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError>;

    /// Creates a tenant with a chosen id; [`StoreError::Duplicate`] if the id is taken.
    async fn create_tenant_with_id(&self, id: &TenantId, name: &str) -> Result<Tenant, StoreError>;
}
