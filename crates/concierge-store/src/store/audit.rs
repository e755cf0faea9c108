//! The audit log of administrative actions.

use async_trait::async_trait;

use crate::{AuditEntry, NewAuditEntry, StoreError, TenantId};

/// The audit log of administrative actions.
#[async_trait]
pub trait AuditStore: Send + Sync {
    /// Records an administrative action.
    async fn record_audit(&self, tenant: &TenantId, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError>;

    /// The tenant's audit log, oldest first.
    async fn audit_log(&self, tenant: &TenantId) -> Result<Vec<AuditEntry>, StoreError>;
}
