//! Nearest-neighbour search over L2-normalised vectors.
//!
//! [`VectorIndex`] is the seam: [`FlatIndex`] scans every vector (exact, and
//! fastest below some tens of thousands of vectors); the HNSW index
//! (`HnswIndex`, `ann` feature, native builds only) answers approximately in
//! sub-linear time for large knowledge bases.

/// A neighbour found by a [`VectorIndex`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Neighbour {
    /// The row of the vector, in insertion order.
    pub row: usize,
    /// Its cosine similarity with the query (the dot product of unit vectors).
    pub similarity: f32,
}

/// Finds the vectors most similar to a query.
pub trait VectorIndex: Send + Sync {
    /// The `k` rows most similar to `query`, most similar first.
    fn nearest(&self, query: &[f32], k: usize) -> Vec<Neighbour>;

    /// How many vectors the index holds.
    fn len(&self) -> usize;

    /// Whether the index holds no vector.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Why vectors could not be indexed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VectorIndexError {
    /// A vector's length differs from the index's dimension.
    #[error("vector {row} has {found} dimensions, the index has {expected}")]
    Dimension {
        /// The row of the offending vector.
        row: usize,
        /// The index's dimension.
        expected: usize,
        /// The vector's length.
        found: usize,
    },
}

/// Checks that every vector has `dimension` floats.
pub(crate) fn check_dimensions(vectors: &[Vec<f32>], dimension: usize) -> Result<(), VectorIndexError> {
    match vectors.iter().position(|v| v.len() != dimension) {
        Some(row) => Err(VectorIndexError::Dimension { row, expected: dimension, found: vectors[row].len() }),
        None => Ok(()),
    }
}

/// Exact search: a scan of every vector, stored contiguously.
#[derive(Debug, Clone, Default)]
pub struct FlatIndex {
    dimension: usize,
    data: Vec<f32>,
}

impl FlatIndex {
    /// Indexes `vectors`, which must all have `dimension` floats.
    pub fn new(dimension: usize, vectors: &[Vec<f32>]) -> Result<FlatIndex, VectorIndexError> {
        check_dimensions(vectors, dimension)?;
        Ok(FlatIndex { dimension, data: vectors.concat() })
    }
}

/// The dot product of two equally long slices.
pub(crate) fn dot(a: &[f32], b: &[f32]) -> f32 {
    // Four accumulators let the compiler vectorise the loop.
    let mut acc = [0.0f32; 4];
    let chunks = a.len() / 4 * 4;
    for (x, y) in a[..chunks].chunks_exact(4).zip(b[..chunks].chunks_exact(4)) {
        for ((sum, x), y) in acc.iter_mut().zip(x).zip(y) {
            *sum += x * y;
        }
    }
    let tail: f32 = a[chunks..].iter().zip(&b[chunks..]).map(|(x, y)| x * y).sum();
    acc.iter().sum::<f32>() + tail
}

/// Keeps the `k` best neighbours of a stream, best first.
pub(crate) fn top_k(scored: impl Iterator<Item = Neighbour>, k: usize) -> Vec<Neighbour> {
    if k == 0 {
        return Vec::new();
    }
    let mut best: Vec<Neighbour> = Vec::with_capacity(k + 1);
    for n in scored {
        if best.len() == k && n.similarity <= best[k - 1].similarity {
            continue;
        }
        let at = best.partition_point(|b| b.similarity >= n.similarity);
        best.insert(at, n);
        best.truncate(k);
    }
    best
}

impl VectorIndex for FlatIndex {
    fn nearest(&self, query: &[f32], k: usize) -> Vec<Neighbour> {
        if query.len() != self.dimension || self.dimension == 0 {
            return Vec::new();
        }
        let scored = self
            .data
            .chunks_exact(self.dimension)
            .enumerate()
            .map(|(row, v)| Neighbour { row, similarity: dot(query, v) });
        top_k(scored, k)
    }

    fn len(&self) -> usize {
        self.data.len().checked_div(self.dimension).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_index_returns_the_most_similar_rows_first() {
        let s = std::f32::consts::FRAC_1_SQRT_2;
        let index = FlatIndex::new(2, &[vec![1.0, 0.0], vec![0.0, 1.0], vec![s, s]]).unwrap();
        let found = index.nearest(&[1.0, 0.0], 2);
        assert_eq!(found.iter().map(|n| n.row).collect::<Vec<_>>(), vec![0, 2]);
        assert!((found[1].similarity - s).abs() < 1e-6);
        assert_eq!(index.len(), 3);
        assert!(
            index.nearest(&[1.0, 0.0, 0.0], 2).is_empty(),
            "a query of the wrong dimension finds nothing"
        );
    }

    #[test]
    fn rejects_vectors_of_the_wrong_dimension() {
        assert_eq!(
            FlatIndex::new(2, &[vec![1.0, 0.0], vec![1.0]]).unwrap_err(),
            VectorIndexError::Dimension { row: 1, expected: 2, found: 1 }
        );
    }
}
