//! Opening a store from a database URL.

use std::sync::Arc;

use crate::{EncryptionKey, PostgresStore, SqliteDurability, SqliteStore, Store, StoreError};

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite://path/to/file.db` (created if missing) or `postgres://...`.
    pub url: String,
    /// Seals integration credentials; without it integrations cannot be stored.
    pub encryption_key: Option<EncryptionKey>,
}

/// The file path and durability of a SQLite URL's rest: `path[?synchronous=full|normal]`.
fn sqlite_options(rest: &str) -> Result<(&str, SqliteDurability), StoreError> {
    let Some((path, query)) = rest.split_once('?') else {
        return Ok((rest, SqliteDurability::Full));
    };
    let durability = match query {
        "synchronous=full" => SqliteDurability::Full,
        "synchronous=normal" => SqliteDurability::Normal,
        other => {
            return Err(StoreError::Invalid(format!(
                "unknown SQLite URL option {other:?} (known: synchronous=full, synchronous=normal)"
            )))
        }
    };
    Ok((path, durability))
}

/// Opens the store `config.url` names and runs its migrations. A SQLite URL
/// may end in `?synchronous=normal` to trade power-loss durability of the
/// last commits for write speed (see [`SqliteDurability`]); the default is
/// `full`.
pub async fn open(config: &StoreConfig) -> Result<Arc<dyn Store>, StoreError> {
    let key = config.encryption_key.clone();
    if config.url.starts_with("postgres://") || config.url.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::connect(&config.url, key).await?))
    } else if let Some(path) =
        config.url.strip_prefix("sqlite://").or_else(|| config.url.strip_prefix("sqlite:"))
    {
        let (path, durability) = sqlite_options(path)?;
        if path.is_empty() || path.starts_with(":memory:") {
            return Err(StoreError::Invalid(
                "SQLite needs a file path (an in-memory database is not shared by the pool)".into(),
            ));
        }
        Ok(Arc::new(SqliteStore::open_with(path, key, durability).await?))
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
        let fast = format!("{url}?synchronous=normal");
        assert_eq!(open(&config(&fast)).await.unwrap().backend(), "sqlite");
        assert_eq!(sqlite_options("a.db?synchronous=normal").unwrap(), ("a.db", SqliteDurability::Normal));
        assert_eq!(sqlite_options("a.db").unwrap(), ("a.db", SqliteDurability::Full));
        let normal =
            SqliteStore::open_with(dir.path().join("b.db"), None, SqliteDurability::Normal).await.unwrap();
        let level: i64 = sqlx::query_scalar("PRAGMA synchronous").fetch_one(normal.pool()).await.unwrap();
        assert_eq!(level, 1, "NORMAL");
        let odd = format!("{url}?synchronous=off");
        for bad in ["mysql://localhost/db", "sqlite::memory:", "sqlite://", "concierge.db", odd.as_str()] {
            assert!(matches!(open(&config(bad)).await, Err(StoreError::Invalid(_))), "{bad}");
        }
    }
}
