//! Hybrid search: several rankings fused into one.
//!
//! Lexical search is precise when the words match; dense search finds
//! paraphrases. Fusing them with weighted reciprocal rank fusion (RRF: an
//! entry scores `sum(weight / (k + rank))` over the rankings it appears in)
//! needs no score calibration, and the weights can be tuned on training
//! queries.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Hit, KnowledgeSearch};

/// RRF's rank offset: larger values flatten the difference between ranks.
pub const DEFAULT_RRF_K: f32 = 60.0;
/// How deep each ranking is read.
const DEPTH: usize = 50;

/// One ranking of a [`HybridSearch`] and its weight.
#[derive(Clone)]
pub struct FusionPart {
    /// The search.
    pub search: Arc<dyn KnowledgeSearch>,
    /// Its weight in the fusion.
    pub weight: f32,
}

impl std::fmt::Debug for FusionPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FusionPart").field("weight", &self.weight).finish_non_exhaustive()
    }
}

/// Weighted reciprocal rank fusion of several searches.
#[derive(Debug, Clone)]
pub struct HybridSearch {
    parts: Vec<FusionPart>,
    rrf_k: f32,
}

impl HybridSearch {
    /// Fuses `parts` with rank offset `rrf_k` ([`DEFAULT_RRF_K`] is usual).
    pub fn new(parts: Vec<FusionPart>, rrf_k: f32) -> HybridSearch {
        HybridSearch { parts, rrf_k }
    }
}

impl KnowledgeSearch for HybridSearch {
    /// Hits carry the fused score; their coverage is the best coverage any
    /// part gave the entry (each part's coverage is a 0-1 confidence).
    fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        let mut fused: HashMap<usize, Hit> = HashMap::new();
        for part in &self.parts {
            for (rank, hit) in part.search.search(query, DEPTH.max(k)).into_iter().enumerate() {
                let add = part.weight / (self.rrf_k + rank as f32 + 1.0);
                let e = fused.entry(hit.entry).or_insert(Hit { entry: hit.entry, score: 0.0, coverage: 0.0 });
                e.score += add;
                e.coverage = e.coverage.max(hit.coverage);
            }
        }
        let mut hits: Vec<Hit> = fused.into_values().collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(k);
        hits
    }
}
