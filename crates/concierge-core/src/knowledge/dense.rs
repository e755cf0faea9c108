//! Dense retrieval: entries and queries as sentence embeddings, ranked by
//! cosine similarity.
//!
//! Each entry is represented by several vectors (its title, each alternative
//! phrasing, and its answer); an entry's score is the best similarity of any
//! of them, with the answer's similarity discounted because answers rarely
//! read like questions. Vectors come from an [`Embedder`] and are kept in an
//! [`EmbeddingCache`] keyed by a hash of the embedded text, so that a host
//! that persists the cache re-embeds only what changed.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::vector_index::{FlatIndex, VectorIndex, VectorIndexError};
use super::{Hit, KnowledgeEntry, KnowledgeSearch};
use crate::embedding::{EmbedError, Embedder};

/// Above this many vectors, [`IndexChoice::Auto`] builds an HNSW graph
/// (`ann` feature, native builds) instead of scanning every vector.
pub const HNSW_THRESHOLD: usize = 20_000;

/// A stable 64-bit FNV-1a hash of `text`, as 16 hex digits.
pub fn content_hash(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Embeddings of texts, keyed by [`content_hash`] of the text. Serialisable,
/// so hosts can persist it next to the knowledge base.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmbeddingCache {
    /// The dimension of every vector (0 while empty).
    pub dimension: usize,
    /// Vectors by content hash.
    pub vectors: HashMap<String, Vec<f32>>,
}

impl EmbeddingCache {
    /// The vectors of `texts`, embedding (in batches) only those not cached
    /// yet. Returns the vectors and how many texts had to be embedded.
    pub fn embed(
        &mut self,
        embedder: &dyn Embedder,
        texts: &[&str],
    ) -> Result<(Vec<Vec<f32>>, usize), EmbedError> {
        if self.dimension != embedder.dimension() {
            self.vectors.clear();
            self.dimension = embedder.dimension();
        }
        let hashes: Vec<String> = texts.iter().map(|t| content_hash(t)).collect();
        let mut missing: Vec<usize> =
            (0..texts.len()).filter(|&i| !self.vectors.contains_key(&hashes[i])).collect();
        let mut seen = std::collections::HashSet::new();
        missing.retain(|&i| seen.insert(hashes[i].clone()));
        for batch in missing.chunks(64) {
            let batch_texts: Vec<&str> = batch.iter().map(|&i| texts[i]).collect();
            let vectors = embedder.embed(&batch_texts)?;
            for (&i, v) in batch.iter().zip(vectors) {
                self.vectors.insert(hashes[i].clone(), v);
            }
        }
        let vectors = hashes.iter().map(|h| self.vectors[h].clone()).collect();
        Ok((vectors, missing.len()))
    }

    /// Drops vectors whose text is not among `texts` (after entries were
    /// removed or changed).
    pub fn retain_texts(&mut self, texts: &[&str]) {
        let keep: std::collections::HashSet<String> = texts.iter().map(|t| content_hash(t)).collect();
        self.vectors.retain(|h, _| keep.contains(h));
    }
}

/// Which vector index [`DenseSearch`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexChoice {
    /// Exact search below [`HNSW_THRESHOLD`] vectors, HNSW above (`ann`
    /// feature, native builds).
    #[default]
    Auto,
    /// Always the exact flat scan.
    Flat,
    /// Always HNSW (falls back to flat without the `ann` feature and on
    /// wasm32).
    Hnsw,
}

/// Why a dense index could not be built.
#[derive(Debug, thiserror::Error)]
pub enum DenseError {
    /// The encoder failed.
    #[error(transparent)]
    Embed(#[from] EmbedError),
    /// The vectors did not fit the index.
    #[error(transparent)]
    Index(#[from] VectorIndexError),
}

/// Which part of an entry a vector stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Question,
    Answer,
}

/// How much an answer's similarity counts against a question's.
const ANSWER_DISCOUNT: f32 = 0.9;

/// The texts of an entry that get a vector each.
pub fn entry_texts(entry: &KnowledgeEntry) -> Vec<String> {
    let mut texts = vec![entry.title.clone()];
    texts.extend(entry.alternatives.iter().cloned());
    if !entry.text.trim().is_empty() {
        texts.push(format!("{}\n{}", entry.title, entry.text));
    }
    texts
}

/// Knowledge search by embedding similarity.
pub struct DenseSearch {
    embedder: Arc<dyn Embedder>,
    index: Box<dyn VectorIndex>,
    owners: Vec<(usize, Field)>,
    /// How many texts had to be embedded to build this index.
    pub embedded: usize,
}

impl std::fmt::Debug for DenseSearch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DenseSearch").field("vectors", &self.owners.len()).finish_non_exhaustive()
    }
}

impl DenseSearch {
    /// Embeds `entries` (reusing `cache`, which gains the new vectors) and
    /// indexes them.
    pub fn new(
        embedder: Arc<dyn Embedder>,
        entries: &[KnowledgeEntry],
        cache: &mut EmbeddingCache,
        choice: IndexChoice,
    ) -> Result<DenseSearch, DenseError> {
        let mut texts = Vec::new();
        let mut owners = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            let all = entry_texts(e);
            let answers = usize::from(!e.text.trim().is_empty());
            let questions = all.len() - answers;
            for (j, t) in all.into_iter().enumerate() {
                owners.push((i, if j < questions { Field::Question } else { Field::Answer }));
                texts.push(t);
            }
        }
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let (vectors, embedded) = cache.embed(embedder.as_ref(), &refs)?;
        let index = build_index(embedder.dimension(), &vectors, choice)?;
        Ok(DenseSearch { embedder, index, owners, embedded })
    }

    /// The best `k` entries for an already embedded query.
    pub fn search_vector(&self, query: &[f32], k: usize) -> Vec<Hit> {
        // Several vectors per entry: fetch enough rows to fill k entries.
        let rows = self.index.nearest(query, (k * 4).max(k + 8));
        let mut best: Vec<Hit> = Vec::new();
        for n in rows {
            let (entry, field) = self.owners[n.row];
            let score = if field == Field::Answer { n.similarity * ANSWER_DISCOUNT } else { n.similarity };
            match best.iter_mut().find(|h| h.entry == entry) {
                Some(h) if h.score < score => {
                    h.score = score;
                    h.coverage = score.clamp(0.0, 1.0);
                }
                Some(_) => {}
                None => best.push(Hit { entry, score, coverage: score.clamp(0.0, 1.0) }),
            }
        }
        best.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        best.truncate(k);
        best
    }
}

/// A vector index of the chosen kind over `vectors`.
pub fn build_index(
    dimension: usize,
    vectors: &[Vec<f32>],
    choice: IndexChoice,
) -> Result<Box<dyn VectorIndex>, VectorIndexError> {
    let hnsw = match choice {
        IndexChoice::Auto => vectors.len() > HNSW_THRESHOLD,
        IndexChoice::Flat => false,
        IndexChoice::Hnsw => true,
    };
    #[cfg(all(feature = "ann", not(target_arch = "wasm32")))]
    if hnsw {
        let params = super::hnsw::HnswParams::default();
        return Ok(Box::new(super::hnsw::HnswIndex::new(dimension, vectors, params)?));
    }
    #[cfg(not(all(feature = "ann", not(target_arch = "wasm32"))))]
    let _ = hnsw;
    Ok(Box::new(FlatIndex::new(dimension, vectors)?))
}

impl KnowledgeSearch for DenseSearch {
    /// Ranks by similarity; an encoder failure finds nothing (hosts that need
    /// the error embed the query themselves and call [`DenseSearch::search_vector`]).
    fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        match self.embedder.embed(&[query]) {
            Ok(mut v) if !v.is_empty() => self.search_vector(&v.remove(0), k),
            _ => Vec::new(),
        }
    }
}
