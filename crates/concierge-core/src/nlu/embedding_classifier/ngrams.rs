//! Word and character n-gram features with their own linear head, which
//! the embedding classifier combines with its embedding head: the encoder
//! knows what words mean, the n-grams know which exact words and spellings
//! each bot's intents use.
//!
//! Features are words, word pairs and character 3- to 5-grams of each word
//! (with boundary marks), weighted by sublinear term frequency times inverse
//! document frequency and scaled to unit length. The head is a multinomial
//! logistic regression trained by stochastic gradient descent over the
//! features seen in training.

use std::collections::HashMap;

/// A sparse feature vector: (feature index, weight) pairs.
pub(super) type SparseVector = Vec<(u32, f32)>;

/// Maps texts to sparse n-gram vectors; built from the training texts.
pub(super) struct NgramFeatures {
    index: HashMap<u64, u32>,
    idf: Vec<f32>,
}

/// Hashes of the n-grams of `text`, with repeats.
fn ngram_hashes(text: &str) -> Vec<u64> {
    let lower = text.to_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !(c.is_alphanumeric() || c == '\'')).filter(|w| !w.is_empty()).collect();
    let mut hashes = Vec::new();
    for (i, word) in words.iter().enumerate() {
        hashes.push(fnv(1, word.as_bytes()));
        if let Some(next) = words.get(i + 1) {
            hashes.push(fnv(2, format!("{word} {next}").as_bytes()));
        }
        let marked: Vec<char> =
            std::iter::once('<').chain(word.chars()).chain(std::iter::once('>')).collect();
        for n in 3..=5 {
            for gram in marked.windows(n) {
                let gram: String = gram.iter().collect();
                hashes.push(fnv(3, gram.as_bytes()));
            }
        }
    }
    hashes
}

/// FNV-1a over a kind byte and the bytes.
fn fnv(kind: u8, bytes: &[u8]) -> u64 {
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    for &byte in std::iter::once(&kind).chain(bytes) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

impl NgramFeatures {
    /// Learns the vocabulary and document frequencies of `texts`.
    pub(super) fn fit(texts: &[&str]) -> NgramFeatures {
        let mut index = HashMap::new();
        let mut document_frequency: Vec<u32> = Vec::new();
        for text in texts {
            let mut hashes = ngram_hashes(text);
            hashes.sort_unstable();
            hashes.dedup();
            for hash in hashes {
                let next = index.len() as u32;
                let feature = *index.entry(hash).or_insert(next);
                if feature as usize == document_frequency.len() {
                    document_frequency.push(0);
                }
                document_frequency[feature as usize] += 1;
            }
        }
        let documents = texts.len() as f32;
        let idf =
            document_frequency.iter().map(|&df| ((1.0 + documents) / (1.0 + df as f32)).ln() + 1.0).collect();
        NgramFeatures { index, idf }
    }

    /// The number of distinct features.
    pub(super) fn len(&self) -> usize {
        self.idf.len()
    }

    /// The unit-length TF-IDF vector of `text` (n-grams unseen in training
    /// are dropped).
    pub(super) fn vector(&self, text: &str) -> SparseVector {
        let mut counts: HashMap<u32, f32> = HashMap::new();
        for hash in ngram_hashes(text) {
            if let Some(&feature) = self.index.get(&hash) {
                *counts.entry(feature).or_default() += 1.0;
            }
        }
        let mut vector: SparseVector = counts
            .into_iter()
            .map(|(feature, count)| (feature, (1.0 + count.ln()) * self.idf[feature as usize]))
            .collect();
        vector.sort_unstable_by_key(|&(feature, _)| feature);
        let norm = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        if norm > 0.0 {
            vector.iter_mut().for_each(|(_, w)| *w /= norm);
        }
        vector
    }
}

/// A linear layer over sparse n-gram vectors, `[feature][class]` row-major.
pub(super) struct NgramHead {
    weights: Vec<f32>,
    bias: Vec<f32>,
    classes: usize,
}

/// How to train an [`NgramHead`].
pub(super) struct NgramTraining {
    pub(super) epochs: usize,
    pub(super) learning_rate: f32,
    pub(super) l2: f32,
    pub(super) seed: u64,
}

impl NgramHead {
    /// Fits the head on `rows` of `vectors` with classes `targets`.
    pub(super) fn fit(
        vectors: &[SparseVector],
        targets: &[u32],
        rows: &[usize],
        features: usize,
        classes: usize,
        training: &NgramTraining,
    ) -> NgramHead {
        let mut weights = vec![0f32; features * classes];
        let mut bias = vec![0f32; classes];
        let mut order: Vec<u32> = rows.iter().map(|&r| r as u32).collect();
        let mut rng = super::SplitMix64(training.seed ^ 0x9a11);
        let mut probabilities = vec![0f32; classes];
        let mut step = 0f32;
        for _ in 0..training.epochs {
            super::shuffle(&mut order, &mut rng);
            for &row in &order {
                let row = row as usize;
                let rate = training.learning_rate / (1.0 + training.learning_rate * training.l2 * step);
                step += 1.0;
                probabilities.copy_from_slice(&bias);
                for &(feature, value) in &vectors[row] {
                    let w = &weights[feature as usize * classes..][..classes];
                    for (p, w) in probabilities.iter_mut().zip(w) {
                        *p += value * w;
                    }
                }
                softmax_in_place(&mut probabilities);
                probabilities[targets[row] as usize] -= 1.0;
                for &(feature, value) in &vectors[row] {
                    let w = &mut weights[feature as usize * classes..][..classes];
                    for (w, g) in w.iter_mut().zip(&probabilities) {
                        *w -= rate * (value * g + training.l2 * *w);
                    }
                }
                for (b, g) in bias.iter_mut().zip(&probabilities) {
                    *b -= rate * g;
                }
            }
        }
        NgramHead { weights, bias, classes }
    }

    /// The head's logits for one vector.
    pub(super) fn logits(&self, vector: &SparseVector) -> Vec<f32> {
        let mut logits = self.bias.clone();
        for &(feature, value) in vector {
            let w = &self.weights[feature as usize * self.classes..][..self.classes];
            for (l, w) in logits.iter_mut().zip(w) {
                *l += value * w;
            }
        }
        logits
    }
}

fn softmax_in_place(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    values.iter_mut().for_each(|v| *v /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: &[&str] = &["book a haircut", "book a colour", "cancel my booking", "cancel my haircut"];

    #[test]
    fn vectors_have_unit_length_and_drop_unseen_ngrams() {
        let features = NgramFeatures::fit(TEXTS);
        let vector = features.vector("Book a HAIRCUT");
        let norm: f32 = vector.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5);
        // Case does not matter: the same features as the training text.
        assert_eq!(vector, features.vector("book a haircut"));
        assert!(features.vector("zzz qqq").is_empty());
        // A misspelling still shares character n-grams.
        assert!(!features.vector("haircutt").is_empty());
    }

    #[test]
    fn the_head_learns_which_words_mark_which_class() {
        let features = NgramFeatures::fit(TEXTS);
        let vectors: Vec<SparseVector> = TEXTS.iter().map(|t| features.vector(t)).collect();
        let targets = [0, 0, 1, 1];
        let training = NgramTraining { epochs: 20, learning_rate: 0.5, l2: 1e-5, seed: 1 };
        let head = NgramHead::fit(&vectors, &targets, &[0, 1, 2, 3], features.len(), 2, &training);
        let book = head.logits(&features.vector("book a cut"));
        let cancel = head.logits(&features.vector("cancel it"));
        assert!(book[0] > book[1], "{book:?}");
        assert!(cancel[1] > cancel[0], "{cancel:?}");
    }
}
