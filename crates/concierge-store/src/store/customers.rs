//! Customers, and what privacy law lets them ask for: an export of their data and its erasure.

use async_trait::async_trait;

use crate::{CustomerRecord, ErasureReport, NewCustomer, StoreError, TenantId};

/// Customers, and what privacy law lets them ask for: an export of their data and its erasure.
#[async_trait]
pub trait CustomerStore: Send + Sync {
    /// Creates a customer.
    async fn create_customer(
        &self,
        tenant: &TenantId,
        customer: &NewCustomer,
    ) -> Result<CustomerRecord, StoreError>;

    /// A customer.
    async fn customer(&self, tenant: &TenantId, id: &str) -> Result<CustomerRecord, StoreError>;

    /// The customer with this phone number, if any.
    async fn customer_by_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Option<CustomerRecord>, StoreError>;

    /// Everything stored about one customer, as JSON: the customer, their
    /// conversations with every event, and their bookings.
    async fn export_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
    ) -> Result<serde_json::Value, StoreError>;

    /// Erases a customer: personal fields cleared, their conversations'
    /// events redacted and states emptied, their bookings anonymised, and a
    /// `customer.erase` audit entry by `actor` recorded, all in one transaction.
    async fn erase_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        actor: &str,
    ) -> Result<ErasureReport, StoreError>;
}
