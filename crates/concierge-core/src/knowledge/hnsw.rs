//! An approximate [`VectorIndex`]: a hierarchical navigable small-world graph
//! (`hnsw_rs`). Behind the `ann` cargo feature, which only the hosts that
//! index large knowledge bases turn on (the server), and native builds only:
//! it uses threads and memory maps that `wasm32-unknown-unknown` lacks.

use hnsw_rs::prelude::{DistDot, Hnsw};

use super::vector_index::{check_dimensions, Neighbour, VectorIndex, VectorIndexError};

/// How an HNSW graph is built and searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswParams {
    /// Links per node and layer (`M`); more is more accurate and slower.
    pub max_connections: usize,
    /// Candidates explored while inserting (`ef_construction`).
    pub ef_construction: usize,
    /// Candidates explored while searching (`ef`); at least `k` is used.
    pub ef_search: usize,
}

impl Default for HnswParams {
    fn default() -> HnswParams {
        HnswParams { max_connections: 24, ef_construction: 200, ef_search: 96 }
    }
}

/// An HNSW graph over L2-normalised vectors, searched by dot product.
pub struct HnswIndex {
    graph: Hnsw<'static, f32, DistDot>,
    dimension: usize,
    len: usize,
    params: HnswParams,
}

impl std::fmt::Debug for HnswIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HnswIndex").field("len", &self.len).field("params", &self.params).finish()
    }
}

impl HnswIndex {
    /// Builds the graph over `vectors` (unit length, `dimension` floats each),
    /// inserting in parallel on all cores.
    pub fn new(
        dimension: usize,
        vectors: &[Vec<f32>],
        params: HnswParams,
    ) -> Result<HnswIndex, VectorIndexError> {
        check_dimensions(vectors, dimension)?;
        let layers = 16;
        let graph =
            Hnsw::new(params.max_connections, vectors.len().max(1), layers, params.ef_construction, DistDot);
        let items: Vec<(&Vec<f32>, usize)> = vectors.iter().zip(0..).collect();
        graph.parallel_insert(&items);
        Ok(HnswIndex { graph, dimension, len: vectors.len(), params })
    }

    /// Changes how many candidates a search explores.
    pub fn set_ef_search(&mut self, ef_search: usize) {
        self.params.ef_search = ef_search;
    }
}

impl VectorIndex for HnswIndex {
    fn nearest(&self, query: &[f32], k: usize) -> Vec<Neighbour> {
        if query.len() != self.dimension || self.len == 0 || k == 0 {
            return Vec::new();
        }
        let mut found: Vec<Neighbour> = self
            .graph
            .search(query, k, self.params.ef_search.max(k))
            .into_iter()
            .map(|n| Neighbour { row: n.d_id, similarity: 1.0 - n.distance })
            .collect();
        found.sort_by(|a, b| b.similarity.total_cmp(&a.similarity).then(a.row.cmp(&b.row)));
        found
    }

    fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::super::vector_index::FlatIndex;
    use super::*;

    /// Deterministic pseudo-random unit vectors around a few centres.
    pub(crate) fn clustered(n: usize, dimension: usize, seed: u64) -> Vec<Vec<f32>> {
        let mut state = seed;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) as f32 / (1u64 << 31) as f32) - 0.5
        };
        let centres: Vec<Vec<f32>> = (0..8).map(|_| (0..dimension).map(|_| next()).collect()).collect();
        (0..n)
            .map(|i| {
                let v: Vec<f32> = centres[i % 8].iter().map(|c| c + 0.6 * next()).collect();
                let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
                v.into_iter().map(|x| x / norm).collect()
            })
            .collect()
    }

    #[test]
    fn hnsw_finds_nearly_all_of_the_exact_nearest_neighbours() {
        let vectors = clustered(1000, 16, 7);
        let queries = clustered(40, 16, 99);
        let flat = FlatIndex::new(16, &vectors).unwrap();
        let hnsw = HnswIndex::new(16, &vectors, HnswParams::default()).unwrap();
        let mut found = 0;
        for q in &queries {
            let exact: Vec<usize> = flat.nearest(q, 10).iter().map(|n| n.row).collect();
            found += hnsw.nearest(q, 10).iter().filter(|n| exact.contains(&n.row)).count();
        }
        let recall = found as f32 / (10 * queries.len()) as f32;
        assert!(recall >= 0.95, "recall@10 {recall}");
        let first = hnsw.nearest(&queries[0], 3);
        assert!(first[0].similarity >= first[2].similarity);
    }
}
