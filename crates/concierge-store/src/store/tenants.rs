//! Tenants.

use async_trait::async_trait;

use crate::{StoreError, Tenant, TenantErasure, TenantId};

/// Tenants.
#[async_trait]
pub trait TenantStore: Send + Sync {
    /// Creates a tenant.
    async fn create_tenant(&self, name: &str) -> Result<Tenant, StoreError>;

    /// A tenant by id.
    async fn tenant(&self, tenant: &TenantId) -> Result<Tenant, StoreError>;

    /// Creates a tenant with a chosen id; [`StoreError::Duplicate`] if the id is taken.
    async fn create_tenant_with_id(&self, id: &TenantId, name: &str) -> Result<Tenant, StoreError>;

    /// Sets (or clears) the tenant's IANA time zone; an unknown zone is
    /// [`StoreError::Invalid`].
    async fn set_tenant_timezone(
        &self,
        tenant: &TenantId,
        timezone: Option<&str>,
    ) -> Result<Tenant, StoreError>;

    /// Disables the tenant (its widget, chat API and logins are refused
    /// from then on) or enables it again. Nothing is deleted.
    async fn set_tenant_disabled(&self, tenant: &TenantId, disabled: bool) -> Result<Tenant, StoreError>;

    /// Every tenant, by id: the operator's view (names and states, no data).
    async fn tenants(&self) -> Result<Vec<Tenant>, StoreError>;

    /// Erases the tenant and everything it holds (bots, knowledge,
    /// conversations, customers, bookings, users, keys, audit log), in one
    /// transaction: the GDPR erasure of a whole business.
    async fn delete_tenant(&self, tenant: &TenantId) -> Result<TenantErasure, StoreError>;
}
