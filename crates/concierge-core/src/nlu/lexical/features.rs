//! Turning a message into a sparse, tf-idf weighted feature vector: word
//! unigrams and bigrams plus character n-grams taken inside word boundaries,
//! and (optionally) the words' concepts from the built-in
//! [`lexicon`](crate::lexicon), so "amex" and "card" share a feature.
//!
//! Features are identified by a 64-bit FNV-1a hash of their text (with a
//! namespace byte so a word and a character n-gram never share an id); the
//! vocabulary maps the hashes seen in training to dense indices, so unseen
//! features simply drop out at inference.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::LexicalConfig;
use crate::lexicon::lexicon;

/// A sparse vector: `(feature index, value)` pairs sorted by index.
pub(crate) type SparseVector = Vec<(u32, f32)>;

const WORD: u8 = b'w';
const BIGRAM: u8 = b'b';
const CHARS: u8 = b'c';
const CONCEPT: u8 = b'k';

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default)]
pub(crate) struct PremixedHasher(u64);

impl Hasher for PremixedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

type FeatureMap = HashMap<u64, u32, BuildHasherDefault<PremixedHasher>>;

fn fnv1a(namespace: u8, parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    };
    eat(namespace);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            eat(b' ');
        }
        for &b in *part {
            eat(b);
        }
    }
    // A final avalanche so the low bits (used by the hash map) are well mixed.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Words as the lexicon splits them (one tokenizer for features and concepts).
pub(crate) use crate::lexicon::words;

/// The raw (hashed) features of a text, split by block.
#[derive(Default)]
struct RawFeatures {
    words: Vec<u64>,
    chars: Vec<u64>,
}

fn raw_features(text: &str, config: &LexicalConfig, out: &mut RawFeatures) {
    out.words.clear();
    out.chars.clear();
    let tokens = words(text);
    for (i, token) in tokens.iter().enumerate() {
        out.words.push(fnv1a(WORD, &[token.as_bytes()]));
        if config.word_bigrams {
            if let Some(next) = tokens.get(i + 1) {
                out.words.push(fnv1a(BIGRAM, &[token.as_bytes(), next.as_bytes()]));
            }
        }
    }
    if config.concepts {
        for token in lexicon().analyse_words(&tokens) {
            for c in token.concepts {
                out.words.push(fnv1a(CONCEPT, &[&c.to_le_bytes()]));
            }
        }
    }
    let (min_n, max_n) = config.char_ngrams;
    if max_n == 0 || min_n > max_n {
        return;
    }
    let mut padded = String::new();
    let mut bounds: Vec<usize> = Vec::new();
    for token in &tokens {
        padded.clear();
        padded.push(' ');
        padded.push_str(token);
        padded.push(' ');
        bounds.clear();
        bounds.extend(padded.char_indices().map(|(i, _)| i));
        bounds.push(padded.len());
        let chars = bounds.len() - 1;
        let bytes = padded.as_bytes();
        for n in min_n.max(1)..=max_n {
            if n > chars {
                break;
            }
            for start in 0..=chars - n {
                out.chars.push(fnv1a(CHARS, &[&bytes[bounds[start]..bounds[start + n]]]));
            }
        }
    }
}

/// Maps texts to tf-idf vectors with a vocabulary learnt from training texts.
#[derive(Debug, Clone)]
pub(crate) struct Featurizer {
    config: LexicalConfig,
    vocabulary: FeatureMap,
    idf: Vec<f32>,
    /// The weight a feature never seen in training would have had.
    unknown_idf: f32,
}

impl Featurizer {
    /// Learns the vocabulary and inverse document frequencies of `texts`.
    pub(crate) fn fit<'a>(
        texts: impl Iterator<Item = &'a str>,
        config: &LexicalConfig,
        min_count: u32,
    ) -> Self {
        let mut vocabulary = FeatureMap::default();
        let mut document_frequency: Vec<u32> = Vec::new();
        let mut raw = RawFeatures::default();
        let mut seen: Vec<u32> = Vec::new();
        let mut documents = 0usize;
        for text in texts {
            documents += 1;
            raw_features(text, config, &mut raw);
            seen.clear();
            for &h in raw.words.iter().chain(raw.chars.iter()) {
                let next = document_frequency.len() as u32;
                let index = *vocabulary.entry(h).or_insert(next);
                if index == next {
                    document_frequency.push(0);
                }
                seen.push(index);
            }
            seen.sort_unstable();
            seen.dedup();
            for &i in &seen {
                document_frequency[i as usize] += 1;
            }
        }
        // Drop rare features and renumber the rest in first-seen order.
        let min_count = min_count.max(1);
        let mut remap: Vec<u32> = vec![u32::MAX; document_frequency.len()];
        let mut idf = Vec::new();
        let n = documents as f32;
        for (old, &df) in document_frequency.iter().enumerate() {
            if df >= min_count {
                remap[old] = idf.len() as u32;
                idf.push(((1.0 + n) / (1.0 + df as f32)).ln() + 1.0);
            }
        }
        vocabulary.retain(|_, index| {
            let new = remap[*index as usize];
            *index = new;
            new != u32::MAX
        });
        Featurizer { config: config.clone(), vocabulary, idf, unknown_idf: (1.0 + n).ln() + 1.0 }
    }

    /// How many features the vocabulary holds.
    pub(crate) fn len(&self) -> usize {
        self.idf.len()
    }

    /// The tf-idf vector of `text`. Each block (words, character n-grams)
    /// is divided by its full length, unknown features included, so a
    /// message made mostly of words never seen in training gets a short
    /// vector and so a low confidence; a fully known message has length 1.
    pub(crate) fn transform(&self, text: &str) -> SparseVector {
        let mut raw = RawFeatures::default();
        raw_features(text, &self.config, &mut raw);
        let word_weight = 1.0;
        let char_weight = self.config.char_weight;
        let mut vector = self.weigh(&raw.words, word_weight);
        vector.extend(self.weigh(&raw.chars, char_weight));
        vector.sort_unstable_by_key(|&(i, _)| i);
        // Merge the (rare) hash collisions between blocks.
        let mut merged: SparseVector = Vec::with_capacity(vector.len());
        for (i, v) in vector {
            match merged.last_mut() {
                Some((j, w)) if *j == i => *w += v,
                _ => merged.push((i, v)),
            }
        }
        let total = (word_weight * word_weight + char_weight * char_weight).sqrt();
        if total > 0.0 {
            for (_, v) in merged.iter_mut() {
                *v /= total;
            }
        }
        merged
    }

    /// The known features of one block with sublinear tf-idf weights, scaled
    /// so the block (with its unknown features) has length `norm`.
    fn weigh(&self, hashes: &[u64], norm: f32) -> SparseVector {
        let mut known: Vec<u32> = Vec::with_capacity(hashes.len());
        let mut unknown: Vec<u64> = Vec::new();
        for h in hashes {
            match self.vocabulary.get(h) {
                Some(&i) => known.push(i),
                None => unknown.push(*h),
            }
        }
        known.sort_unstable();
        unknown.sort_unstable();
        let mut out = SparseVector::with_capacity(known.len());
        let mut length_squared = 0.0f32;
        for (index, count) in runs(&known) {
            let weight = (1.0 + (count as f32).ln()) * self.idf[index as usize];
            length_squared += weight * weight;
            out.push((index, weight));
        }
        for (_, count) in runs(&unknown) {
            let weight = (1.0 + (count as f32).ln()) * self.unknown_idf;
            length_squared += weight * weight;
        }
        if length_squared > 0.0 {
            let factor = norm / length_squared.sqrt();
            for (_, v) in out.iter_mut() {
                *v *= factor;
            }
        }
        out
    }
}

/// The distinct values of a sorted slice with how often each occurs.
fn runs<T: PartialEq + Copy>(sorted: &[T]) -> impl Iterator<Item = (T, usize)> + '_ {
    let mut k = 0;
    std::iter::from_fn(move || {
        let value = *sorted.get(k)?;
        let start = k;
        while k < sorted.len() && sorted[k] == value {
            k += 1;
        }
        Some((value, k - start))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_drop_apostrophes_and_lowercase() {
        assert_eq!(words("Women’s HAIRCUT, please!"), ["womens", "haircut", "please"]);
        assert_eq!(words("  "), Vec::<String>::new());
        assert_eq!(words("I'd like 2 cuts"), ["id", "like", "2", "cuts"]);
    }

    #[test]
    fn transform_is_unit_length_and_shrinks_with_unknown_features() {
        let config = LexicalConfig::default();
        let f = Featurizer::fit(["book a haircut", "cancel my booking"].into_iter(), &config, 1);
        let v = f.transform("book a haircut");
        let norm: f32 = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4, "norm {norm}");
        assert!(f.transform("zzz qqq").is_empty());
        let half_known = f.transform("book a xylophone");
        let length: f32 = half_known.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
        assert!(length > 0.1 && length < 0.9, "length {length}");
        assert!(f.transform("").is_empty());
        // Sorted, no duplicate indices.
        assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
