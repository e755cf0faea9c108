//! The knowledge base: entries, their revision counter, and cached sentence embeddings.

use async_trait::async_trait;

use crate::{KnowledgeEntry, KnowledgeVector, NewKnowledgeEntry, StoreError, TenantId};

/// The knowledge base: entries, their revision counter, and cached sentence embeddings.
#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    /// Creates or replaces an entry (and counts a knowledge revision).
    async fn put_knowledge_entry(
        &self,
        tenant: &TenantId,
        entry: &NewKnowledgeEntry,
    ) -> Result<(), StoreError>;

    /// An entry.
    async fn knowledge_entry(&self, tenant: &TenantId, entry_id: &str) -> Result<KnowledgeEntry, StoreError>;

    /// All of the tenant's entries, by id.
    async fn knowledge_entries(&self, tenant: &TenantId) -> Result<Vec<KnowledgeEntry>, StoreError>;

    /// Deletes an entry (and counts a knowledge revision).
    async fn delete_knowledge_entry(&self, tenant: &TenantId, entry_id: &str) -> Result<(), StoreError>;

    /// A number that grows whenever the tenant's entries change (0 before
    /// the first change), so caches built from them can tell they are stale.
    async fn knowledge_revision(&self, tenant: &TenantId) -> Result<i64, StoreError>;

    /// The tenant's cached embeddings made by `model`.
    async fn knowledge_vectors(
        &self,
        tenant: &TenantId,
        model: &str,
    ) -> Result<Vec<KnowledgeVector>, StoreError>;

    /// In one transaction: stores `put` (made by `model`), deletes the
    /// vectors of `model` whose hash is in `remove`, and deletes the tenant's
    /// vectors of every other model.
    async fn update_knowledge_vectors(
        &self,
        tenant: &TenantId,
        model: &str,
        put: &[KnowledgeVector],
        remove: &[String],
    ) -> Result<(), StoreError>;
}
