//! Learning from a business's own example questions.
//!
//! When the business supplies real user questions with the entries that
//! answer them, each question becomes another phrasing of those entries:
//! lexical search then matches its words and dense search its meaning.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::KnowledgeEntry;

/// A user question and the ids of the entries that answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingQuery {
    /// The question as a user asked it.
    pub query: String,
    /// Ids of the entries that answer it.
    pub relevant: Vec<String>,
}

/// Adds each query as an alternative phrasing of its relevant entries;
/// returns how many phrasings were added (ids not found are skipped).
pub fn add_query_phrasings(entries: &mut [KnowledgeEntry], queries: &[TrainingQuery]) -> usize {
    let by_id: HashMap<String, usize> = entries.iter().enumerate().map(|(i, e)| (e.id.clone(), i)).collect();
    let mut added = 0;
    for q in queries {
        for id in &q.relevant {
            if let Some(&i) = by_id.get(id) {
                if !entries[i].alternatives.contains(&q.query) {
                    entries[i].alternatives.push(q.query.clone());
                    added += 1;
                }
            }
        }
    }
    added
}
