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
    } else if let Some(path) =
        config.url.strip_prefix("sqlite://").or_else(|| config.url.strip_prefix("sqlite:"))
    {
        if path.is_empty() || path.starts_with(":memory:") {
            return Err(StoreError::Invalid(
                "SQLite needs a file path (an in-memory database is not shared by the pool)".into(),
            ));
        }
        Ok(Arc::new(SqliteStore::open(path, key).await?))
    } else {
        Err(StoreError::Invalid(format!(
            "database URL must start with sqlite:// or postgres:// (got {:?})",
            config.url.split(':').next().unwrap_or_default()
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(url: &str) -> StoreConfig {
        StoreConfig { url: url.to_owned(), encryption_key: None }
    }

    #[tokio::test]
    async fn urls_pick_the_backend_or_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("a.db").display());
        assert_eq!(open(&config(&url)).await.unwrap().backend(), "sqlite");
        for bad in ["mysql://localhost/db", "sqlite::memory:", "sqlite://", "concierge.db"] {
            assert!(matches!(open(&config(bad)).await, Err(StoreError::Invalid(_))), "{bad}");
        }
    }
}
