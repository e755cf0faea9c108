//! The storage contract both backends implement, split by area: one trait
//! per area ([`TenantStore`], [`AuthStore`], [`BotStore`],
//! [`ConversationStore`], [`KnowledgeStore`], [`BookingStore`],
//! [`IntegrationStore`], [`AuditStore`], [`CustomerStore`],
//! [`AnalyticsStore`]), and [`Store`], the umbrella trait every backend
//! implements, so hosts hold one `Arc<dyn Store>`.
//!
//! Calling an area's methods on a `dyn Store` needs the area trait in scope:
//! `use concierge_store::prelude::*;` brings them all.

mod analytics;
mod audit;
mod auth;
mod bookings;
mod bots;
mod conversations;
mod customers;
mod integrations;
mod knowledge;
mod tenants;

pub use analytics::AnalyticsStore;
pub use audit::AuditStore;
pub use auth::AuthStore;
pub use bookings::BookingStore;
pub use bots::BotStore;
pub use conversations::ConversationStore;
pub use customers::CustomerStore;
pub use integrations::IntegrationStore;
pub use knowledge::KnowledgeStore;
pub use tenants::TenantStore;

/// Everything Concierge persists, scoped by tenant: every area's trait.
///
/// A record of another tenant is reported as [`crate::StoreError::NotFound`],
/// exactly like a record that does not exist, so ids cannot be probed.
pub trait Store:
    TenantStore
    + AuthStore
    + BotStore
    + ConversationStore
    + KnowledgeStore
    + BookingStore
    + IntegrationStore
    + AuditStore
    + CustomerStore
    + AnalyticsStore
{
    /// Which backend this is (`sqlite` or `postgres`).
    fn backend(&self) -> &'static str;
}
