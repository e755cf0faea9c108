//! Knowledge search: finding the entry of the business's knowledge base that
//! answers a question.
//!
//! Every search implements [`KnowledgeSearch`]: [`Bm25Index`] (lexical, own,
//! small), [`DenseSearch`] (sentence embeddings over a [`VectorIndex`]: the
//! exact [`FlatIndex`], or `HnswIndex` for large bases on native builds with
//! the `ann` cargo feature) and
//! [`HybridSearch`] (reciprocal rank fusion of the others). `ingest` (cargo
//! feature `ingest`, on by default) turns Markdown, HTML, text and FAQ
//! lists into entries with stable ids, and
//! [`KnowledgeBase`] applies re-imports incrementally.

mod base;
mod bm25;
mod dense;
// The approximate index needs hnsw_rs: the `ann` feature, native builds.
#[cfg(all(feature = "ann", not(target_arch = "wasm32")))]
mod hnsw;
mod hybrid;
#[cfg(feature = "ingest")]
pub mod ingest;
mod learn;
mod vector_index;

pub use base::{ImportReport, KnowledgeBase};
pub(crate) use bm25::{misspelling_edits, terms, Term};
pub use bm25::{Bm25Index, Bm25Params};
pub use dense::{
    build_index, content_hash, entry_texts, DenseError, DenseSearch, EmbeddingCache, IndexChoice,
    HNSW_THRESHOLD,
};
#[cfg(all(feature = "ann", not(target_arch = "wasm32")))]
pub use hnsw::{HnswIndex, HnswParams};
pub use hybrid::{FusionPart, HybridSearch, DEFAULT_RRF_K};
pub use learn::{add_query_phrasings, TrainingQuery};
pub use vector_index::{FlatIndex, Neighbour, VectorIndex, VectorIndexError};

use serde::{Deserialize, Serialize};

use crate::spec::KnowledgeEntrySpec;

/// A searchable entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeEntry {
    /// Stable identifier.
    pub id: String,
    /// Title (the FAQ question, or a section's heading).
    pub title: String,
    /// Other phrasings of the question.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternatives: Vec<String>,
    /// The answer text.
    pub text: String,
    /// Where it comes from (a file path and heading anchor, or "bot spec").
    pub source: String,
}

impl KnowledgeEntry {
    /// An entry from the spec's knowledge section.
    pub fn from_spec(spec: &KnowledgeEntrySpec) -> KnowledgeEntry {
        KnowledgeEntry {
            id: spec.id.clone(),
            title: spec.question.clone(),
            alternatives: spec.alternatives.clone(),
            text: spec.answer.clone(),
            source: spec.source.clone().unwrap_or_else(|| "bot spec".to_string()),
        }
    }

    /// A hash of everything that is indexed, to notice changed entries.
    pub fn content_hash(&self) -> String {
        content_hash(&format!("{}\u{1}{}\u{1}{}", self.title, self.alternatives.join("\u{2}"), self.text))
    }
}

/// A search result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the entry in the searched collection.
    pub entry: usize,
    /// The ranking score (higher is better; not comparable across queries).
    pub score: f32,
    /// A confidence, 0 to 1, comparable across queries: for BM25 the share of
    /// the query's informative words the entry contains, for dense search
    /// the cosine similarity.
    pub coverage: f32,
}

/// Ranks knowledge entries for a query.
pub trait KnowledgeSearch: Send + Sync {
    /// The best `k` entries for `query`, best first.
    fn search(&self, query: &str, k: usize) -> Vec<Hit>;
}
