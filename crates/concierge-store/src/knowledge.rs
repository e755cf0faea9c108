//! Knowledge entries, the embedding cache of their texts, and the revision
//! counter that tells a server its engines are out of date.
//!
//! Entries are the tenant's own knowledge (typed into the admin API or
//! imported from documents); each remembers its `source`. Sentence
//! embeddings are not stored per entry but per embedded text, keyed by the
//! model and a hash of the text ([`KnowledgeVector`]): an entry is embedded
//! as several texts (title, phrasings, title with answer), and a text that
//! did not change keeps its vector across edits, restarts and re-imports.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// The source of entries created through the admin API without one.
pub const ADMIN_SOURCE: &str = "admin";

/// A knowledge entry to create or replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKnowledgeEntry {
    /// Its id, unique (chosen by the caller).
    pub id: String,
    /// Title or question.
    pub title: String,
    /// Other phrasings of the question.
    pub alternatives: Vec<String>,
    /// Answer text.
    pub body: String,
    /// Where it comes from: a document and heading anchor, or [`ADMIN_SOURCE`].
    pub source: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// A stored knowledge entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeEntry {
    /// Its id.
    pub id: String,
    /// Title or question.
    pub title: String,
    /// Other phrasings of the question.
    pub alternatives: Vec<String>,
    /// Answer text.
    pub body: String,
    /// Where it comes from: a document and heading anchor, or [`ADMIN_SOURCE`].
    pub source: String,
    /// Tags.
    pub tags: Vec<String>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A cached sentence embedding of one text of a tenant's knowledge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeVector {
    /// A hash of the embedded text (the caller's choice of hash; the server
    /// uses `concierge_core::knowledge::content_hash`).
    pub text_hash: String,
    /// The vector.
    pub vector: Vec<f32>,
}

/// Little-endian bytes of a vector.
pub(crate) fn vector_to_bytes(vector: &[f32]) -> Vec<u8> {
    vector.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A vector from its little-endian bytes.
pub(crate) fn vector_from_bytes(bytes: &[u8], dimensions: i32) -> Result<Vec<f32>, StoreError> {
    if bytes.len() % 4 != 0 || bytes.len() / 4 != dimensions as usize {
        return Err(StoreError::Corrupt(format!(
            "embedding of {} bytes, expected {dimensions} floats",
            bytes.len()
        )));
    }
    Ok(bytes.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect())
}

/// Checks a vector before it is stored; returns its dimension.
pub(crate) fn vector_dimensions(v: &KnowledgeVector) -> Result<i32, StoreError> {
    if v.text_hash.is_empty() || v.vector.is_empty() {
        return Err(StoreError::Invalid("a knowledge vector needs a text hash and a vector".into()));
    }
    i32::try_from(v.vector.len()).map_err(|_| StoreError::Invalid("embedding too long".into()))
}
