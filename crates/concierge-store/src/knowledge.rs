//! Knowledge entries and their embeddings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::StoreError;

/// A knowledge entry to create or replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewKnowledgeEntry {
    /// Its id, unique (chosen by the caller).
    pub id: String,
    /// Title or question.
    pub title: String,
    /// Answer text.
    pub body: String,
    /// Tags.
    pub tags: Vec<String>,
}

/// A sentence embedding of an entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Embedding {
    /// The model that made it.
    pub model: String,
    /// The vector.
    pub vector: Vec<f32>,
}

/// A stored knowledge entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnowledgeEntry {
    /// Its id.
    pub id: String,
    /// Title or question.
    pub title: String,
    /// Answer text.
    pub body: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Its embedding, if one was stored.
    pub embedding: Option<Embedding>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
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
