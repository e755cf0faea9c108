//! Bots and their versioned specs.

use async_trait::async_trait;

use crate::{Bot, BotVersion, StoreError, TenantId};

/// Bots and their versioned specs.
#[async_trait]
pub trait BotStore: Send + Sync {
    /// Creates a bot.
    async fn create_bot(&self, tenant: &TenantId, name: &str) -> Result<Bot, StoreError>;

    /// A bot.
    async fn bot(&self, tenant: &TenantId, bot_id: &str) -> Result<Bot, StoreError>;

    /// The tenant's bots, oldest first.
    async fn bots(&self, tenant: &TenantId) -> Result<Vec<Bot>, StoreError>;

    /// Saves a new spec version; returns its number.
    async fn add_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
        spec: &serde_json::Value,
    ) -> Result<i32, StoreError>;

    /// Makes a saved version the active one.
    async fn activate_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
        version: i32,
    ) -> Result<(), StoreError>;

    /// The active spec version, if one was activated.
    async fn active_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
    ) -> Result<Option<BotVersion>, StoreError>;

    /// Every saved spec version of a bot, oldest first.
    async fn bot_versions(&self, tenant: &TenantId, bot_id: &str) -> Result<Vec<BotVersion>, StoreError>;
}
