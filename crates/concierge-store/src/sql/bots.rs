//! Bots and their versioned specs.

use async_trait::async_trait;
use sqlx::types::Json;

use super::{query, Backend, Col, Columns, Param, Run};
use crate::tenant::new_id;
use crate::{Bot, BotStore, BotVersion, StoreError, TenantId};

fn bot_from_row(row: &impl Columns) -> Result<Bot, StoreError> {
    Ok(Bot {
        id: row.col("id")?,
        name: row.col("name")?,
        active_version: row.col("active_version")?,
        created_at: row.col("created_at")?,
    })
}

fn version_from_row(row: &impl Columns) -> Result<BotVersion, StoreError> {
    let spec: Json<serde_json::Value> = row.col("spec")?;
    Ok(BotVersion { version: row.col("version")?, spec: spec.0, created_at: row.col("created_at")? })
}

#[async_trait]
impl<B: Backend> BotStore for B {
    async fn create_bot(&self, tenant: &TenantId, name: &str) -> Result<Bot, StoreError> {
        let bot =
            Bot { id: new_id(), name: name.to_owned(), active_version: None, created_at: crate::time::now() };
        let mut tx = self.write(tenant).await?;
        query::<B>("INSERT INTO bots (id, tenant_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .param(bot.id.as_str())
            .param(tenant.as_str())
            .param(name)
            .param(bot.created_at)
            .execute_in(&mut *tx)
            .await
            .map_err(|e| super::write_error(e, "bot"))?;
        tx.commit().await?;
        Ok(bot)
    }

    async fn bot(&self, tenant: &TenantId, bot_id: &str) -> Result<Bot, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(
            "SELECT id, name, active_version, created_at FROM bots WHERE tenant_id = $1 AND id = $2",
        )
        .param(tenant.as_str())
        .param(bot_id)
        .fetch_optional_in(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("bot", bot_id))?;
        bot_from_row(&row)
    }

    async fn bots(&self, tenant: &TenantId) -> Result<Vec<Bot>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(
            "SELECT id, name, active_version, created_at FROM bots WHERE tenant_id = $1 \
             ORDER BY created_at, id",
        )
        .param(tenant.as_str())
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(bot_from_row).collect()
    }

    async fn add_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
        spec: &serde_json::Value,
    ) -> Result<i32, StoreError> {
        let mut tx = self.write(tenant).await?;
        query::<B>("SELECT 1 FROM bots WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(bot_id)
            .fetch_optional_in(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("bot", bot_id))?;
        let version: i32 = query::<B>(
            "SELECT COALESCE(MAX(version), 0) + 1 AS version FROM bot_versions \
             WHERE tenant_id = $1 AND bot_id = $2",
        )
        .param(tenant.as_str())
        .param(bot_id)
        .fetch_one_in(&mut *tx)
        .await?
        .col("version")?;
        query::<B>(
            "INSERT INTO bot_versions (tenant_id, bot_id, version, spec, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .param(tenant.as_str())
        .param(bot_id)
        .param(version)
        .param(Json(spec))
        .param(crate::time::now())
        .execute_in(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(version)
    }

    async fn activate_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
        version: i32,
    ) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        query::<B>("SELECT 1 FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2 AND version = $3")
            .param(tenant.as_str())
            .param(bot_id)
            .param(version)
            .fetch_optional_in(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::not_found("bot version", format!("{bot_id}@{version}")))?;
        query::<B>("UPDATE bots SET active_version = $3 WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(bot_id)
            .param(version)
            .execute_in(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn active_bot_version(
        &self,
        tenant: &TenantId,
        bot_id: &str,
    ) -> Result<Option<BotVersion>, StoreError> {
        let bot = self.bot(tenant, bot_id).await?;
        let Some(version) = bot.active_version else {
            return Ok(None);
        };
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(
            "SELECT version, spec, created_at FROM bot_versions \
             WHERE tenant_id = $1 AND bot_id = $2 AND version = $3",
        )
        .param(tenant.as_str())
        .param(bot_id)
        .param(version)
        .fetch_one_in(&mut *conn)
        .await?;
        version_from_row(&row).map(Some)
    }

    async fn bot_versions(&self, tenant: &TenantId, bot_id: &str) -> Result<Vec<BotVersion>, StoreError> {
        self.bot(tenant, bot_id).await?;
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(
            "SELECT version, spec, created_at FROM bot_versions WHERE tenant_id = $1 AND bot_id = $2 \
             ORDER BY version",
        )
        .param(tenant.as_str())
        .param(bot_id)
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(version_from_row).collect()
    }
}
