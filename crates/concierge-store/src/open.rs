//! Opening a store from a database URL.

use std::sync::Arc;

use crate::{EncryptionKey, PostgresStore, SqliteStore, Store, StoreError};

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://path/to/file.db` (created if missing) or `postgres://...`.
    pub url: String,
    /// Seals integration credentials; without it integrations cannot be stored.
    pub encryption_key: Option<EncryptionKey>,
}

/// Opens the store `config.url` names and runs its migrations.
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    let key = config.encryption_key.clone();
    if config.url.starts_with("postgres://") || config.url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(&config.url, key).await?))
    } else if let Some(path) = config.url.strip_prefix("sqlite://") {
        Ok(Arc::new(SqliteStore::open(path, key).await?))
    } else {
        Err(StoreError::Invalid(format!(
            "database URL must start with sqlite:// or postgres:// (got {:?})",
            config.url.split(':').next().unwrap_or_default()
        )))
    }
}
