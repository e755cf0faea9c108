//! Knowledge search: finding the entry of the business's knowledge base that
//! answers a question.

mod bm25;

pub use bm25::Bm25Index;

use crate::spec::KnowledgeEntrySpec;

/// A searchable entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeEntry {
    /// Stable identifier.
    pub id: String,
    /// Title (the FAQ question).
    pub title: String,
    /// Other phrasings of the question.
    pub alternatives: Vec<String>,
    /// The answer text.
    pub text: String,
    /// Where it comes from.
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
}

/// A search result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    /// Index of the entry in the searched collection.
    pub entry: usize,
    /// The ranking score (higher is better; not comparable across queries).
    pub score: f32,
    /// The share of the query's informative words the entry contains, 0 to 1:
    /// comparable across queries, so usable as a confidence.
    pub coverage: f32,
}

/// Ranks knowledge entries for a query.
pub trait KnowledgeSearch: Send + Sync {
    /// The best `k` entries for `query`, best first.
    fn search(&self, query: &str, k: usize) -> Vec<Hit>;
}
