//! Integrations with other systems, their credentials sealed at rest.

use async_trait::async_trait;

use crate::{Integration, StoreError, TenantId};

/// Integrations with other systems, their credentials sealed at rest.
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    /// Creates or replaces an integration; `credentials` are sealed with the
    /// store's encryption key before they are written.
    async fn put_integration(&self, tenant: &TenantId, integration: &Integration) -> Result<(), StoreError>;

    /// An integration with its credentials decrypted.
    async fn integration(&self, tenant: &TenantId, kind: &str) -> Result<Integration, StoreError>;
}
