//! Integrations, their credentials sealed with the store's encryption key.

use async_trait::async_trait;
use sqlx::types::Json;

use super::{query, Backend, Col, Param, Run};
use crate::integration::seal_context;
use crate::{Integration, IntegrationStore, StoreError, TenantId};

#[async_trait]
impl<B: Backend> IntegrationStore for B {
    async fn put_integration(&self, tenant: &TenantId, integration: &Integration) -> Result<(), StoreError> {
        let plaintext = serde_json::to_vec(&integration.credentials)
            .map_err(|e| StoreError::Invalid(format!("credentials: {e}")))?;
        let sealed =
            super::encryption_key(self)?.seal(&plaintext, &seal_context(tenant, &integration.kind))?;
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO integrations (tenant_id, kind, config, credentials_ciphertext, updated_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, kind) DO UPDATE SET \
             config = excluded.config, credentials_ciphertext = excluded.credentials_ciphertext, \
             updated_at = excluded.updated_at",
        )
        .param(tenant.as_str())
        .param(integration.kind.as_str())
        .param(Json(&integration.config))
        .param(sealed)
        .param(crate::time::now())
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "integration"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn integration(&self, tenant: &TenantId, kind: &str) -> Result<Integration, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(
            "SELECT config, credentials_ciphertext FROM integrations \
             WHERE tenant_id = $1 AND kind = $2",
        )
        .param(tenant.as_str())
        .param(kind)
        .fetch_optional_in(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("integration", kind))?;
        let config: Json<serde_json::Value> = row.col("config")?;
        let sealed: Vec<u8> = row.col("credentials_ciphertext")?;
        let plaintext = super::encryption_key(self)?.open(&sealed, &seal_context(tenant, kind))?;
        let credentials = serde_json::from_slice(&plaintext)
            .map_err(|e| StoreError::Corrupt(format!("credentials: {e}")))?;
        Ok(Integration { kind: kind.to_owned(), config: config.0, credentials })
    }
}
