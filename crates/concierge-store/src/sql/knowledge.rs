//! The knowledge base: entries, their revision counter, and cached sentence
//! embeddings.

use async_trait::async_trait;
use sqlx::types::Json;

use super::{query, Backend, Col, Columns, Conn, Param, RowsAffected, Run};
use crate::knowledge::{vector_dimensions, vector_from_bytes, vector_to_bytes};
use crate::{KnowledgeEntry, KnowledgeStore, KnowledgeVector, NewKnowledgeEntry, StoreError, TenantId};

const KNOWLEDGE_COLUMNS: &str = "id, title, alternatives, body, source, tags, updated_at";

fn knowledge_from_row(row: &impl Columns) -> Result<KnowledgeEntry, StoreError> {
    let tags: Json<Vec<String>> = row.col("tags")?;
    let alternatives: Json<Vec<String>> = row.col("alternatives")?;
    Ok(KnowledgeEntry {
        id: row.col("id")?,
        title: row.col("title")?,
        alternatives: alternatives.0,
        body: row.col("body")?,
        source: row.col("source")?,
        tags: tags.0,
        updated_at: row.col("updated_at")?,
    })
}

/// Counts one more change to the tenant's knowledge entries.
async fn bump_knowledge_revision<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
) -> Result<(), StoreError> {
    query::<B>(
        "INSERT INTO knowledge_revisions (tenant_id, revision) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET revision = knowledge_revisions.revision + 1",
    )
    .param(tenant.as_str())
    .execute_in(&mut *conn)
    .await?;
    Ok(())
}

#[async_trait]
impl<B: Backend> KnowledgeStore for B {
    async fn put_knowledge_entry(
        &self,
        tenant: &TenantId,
        entry: &NewKnowledgeEntry,
    ) -> Result<(), StoreError> {
        if entry.id.is_empty() {
            return Err(StoreError::Invalid("a knowledge entry needs an id".into()));
        }
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO knowledge_entries (tenant_id, id, title, alternatives, body, source, tags, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (tenant_id, id) DO UPDATE SET \
             title = excluded.title, alternatives = excluded.alternatives, body = excluded.body, \
             source = excluded.source, tags = excluded.tags, updated_at = excluded.updated_at",
        )
        .param(tenant.as_str())
        .param(entry.id.as_str())
        .param(entry.title.as_str())
        .param(Json(entry.alternatives.as_slice()))
        .param(entry.body.as_str())
        .param(entry.source.as_str())
        .param(Json(entry.tags.as_slice()))
        .param(crate::time::now())
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "knowledge entry"))?;
        bump_knowledge_revision::<B>(&mut tx, tenant).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn knowledge_entry(&self, tenant: &TenantId, entry_id: &str) -> Result<KnowledgeEntry, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(&format!(
            "SELECT {KNOWLEDGE_COLUMNS} FROM knowledge_entries WHERE tenant_id = $1 AND id = $2"
        ))
        .param(tenant.as_str())
        .param(entry_id)
        .fetch_optional_in(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("knowledge entry", entry_id))?;
        knowledge_from_row(&row)
    }

    async fn knowledge_entries(&self, tenant: &TenantId) -> Result<Vec<KnowledgeEntry>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(&format!(
            "SELECT {KNOWLEDGE_COLUMNS} FROM knowledge_entries WHERE tenant_id = $1 ORDER BY id"
        ))
        .param(tenant.as_str())
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(knowledge_from_row).collect()
    }

    async fn delete_knowledge_entry(&self, tenant: &TenantId, entry_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        let done = query::<B>("DELETE FROM knowledge_entries WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(entry_id)
            .execute_in(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("knowledge entry", entry_id));
        }
        bump_knowledge_revision::<B>(&mut tx, tenant).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn knowledge_revision(&self, tenant: &TenantId) -> Result<i64, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>("SELECT revision FROM knowledge_revisions WHERE tenant_id = $1")
            .param(tenant.as_str())
            .fetch_optional_in(&mut *conn)
            .await?;
        Ok(row.map(|row| row.col("revision")).transpose()?.unwrap_or(0))
    }

    async fn knowledge_vectors(
        &self,
        tenant: &TenantId,
        model: &str,
    ) -> Result<Vec<KnowledgeVector>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(
            "SELECT text_hash, dimensions, vector FROM knowledge_vectors \
             WHERE tenant_id = $1 AND model = $2 ORDER BY text_hash",
        )
        .param(tenant.as_str())
        .param(model)
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
                let bytes: Vec<u8> = row.col("vector")?;
                Ok(KnowledgeVector {
                    text_hash: row.col("text_hash")?,
                    vector: vector_from_bytes(&bytes, row.col("dimensions")?)?,
                })
            })
            .collect()
    }

    async fn update_knowledge_vectors(
        &self,
        tenant: &TenantId,
        model: &str,
        put: &[KnowledgeVector],
        remove: &[String],
    ) -> Result<(), StoreError> {
        if model.is_empty() {
            return Err(StoreError::Invalid("knowledge vectors need a model name".into()));
        }
        let mut tx = self.write(tenant).await?;
        query::<B>("DELETE FROM knowledge_vectors WHERE tenant_id = $1 AND model <> $2")
            .param(tenant.as_str())
            .param(model)
            .execute_in(&mut *tx)
            .await?;
        for hash in remove {
            query::<B>(
                "DELETE FROM knowledge_vectors WHERE tenant_id = $1 AND model = $2 AND text_hash = $3",
            )
            .param(tenant.as_str())
            .param(model)
            .param(hash.as_str())
            .execute_in(&mut *tx)
            .await?;
        }
        for v in put {
            let dimensions = vector_dimensions(v)?;
            query::<B>(
                "INSERT INTO knowledge_vectors (tenant_id, model, text_hash, dimensions, vector) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, model, text_hash) DO UPDATE SET \
                 dimensions = excluded.dimensions, vector = excluded.vector",
            )
            .param(tenant.as_str())
            .param(model)
            .param(v.text_hash.as_str())
            .param(dimensions)
            .param(vector_to_bytes(&v.vector))
            .execute_in(&mut *tx)
            .await
            .map_err(|e| super::write_error(e, "tenant"))?;
        }
        tx.commit().await?;
        Ok(())
    }
}
