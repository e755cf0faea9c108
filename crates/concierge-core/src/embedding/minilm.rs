//! all-MiniLM-L6-v2 (a 6-layer, 384-dimension BERT) as a sentence encoder,
//! run with candle on the CPU.
//!
//! A sentence's vector is the mean of its token vectors from the last layer,
//! with padding masked out, scaled to unit length: what sentence-transformers
//! computes for this model.
//!
//! Speed comes from not computing on padding: the texts of one call are
//! tokenised together, sorted by length, and run in batches of similar
//! lengths whose tokens are packed end to end (see [`super::bert`]). The
//! matrix products and the activation use every core.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use tokenizers::{Tokenizer, TruncationParams};

use super::bert::{BertConfig, BertEncoder};
use super::{EmbedError, Embedder};

/// Texts longer than this many tokens (special tokens included) are cut.
const MAX_TOKENS: usize = 256;

/// How many texts run through the encoder together, at most.
const BATCH_SIZE: usize = 32;

/// The files a model directory must hold.
const CONFIG_FILE: &str = "config.json";
const TOKENIZER_FILE: &str = "tokenizer.json";
const WEIGHTS_FILE: &str = "model.safetensors";

/// The all-MiniLM-L6-v2 sentence encoder (or any BERT encoder with the same
/// file layout), producing L2-normalised mean-pooled embeddings.
pub struct MiniLm {
    encoder: BertEncoder,
    tokenizer: Tokenizer,
    dimension: usize,
}

impl std::fmt::Debug for MiniLm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MiniLm").field("dimension", &self.dimension).finish_non_exhaustive()
    }
}

impl MiniLm {
    /// Loads the encoder from a directory holding `config.json`,
    /// `tokenizer.json` and `model.safetensors`, as `scripts/fetch-model.sh`
    /// leaves them.
    ///
    /// A missing file gives [`EmbedError::MissingFiles`], whose message names
    /// the script.
    ///
    /// This is the core's one I/O (see the crate's documentation): native
    /// hosts load the model from disk; others use [`MiniLm::from_bytes`].
    pub fn from_dir(dir: impl AsRef<Path>) -> Result<Self, EmbedError> {
        let dir = dir.as_ref();
        let missing: Vec<String> = [CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE]
            .into_iter()
            .filter(|name| !dir.join(name).is_file())
            .map(str::to_owned)
            .collect();
        if !missing.is_empty() {
            return Err(EmbedError::MissingFiles { dir: dir.to_path_buf(), missing });
        }
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path)
                .map_err(|err| EmbedError::Read { path: PathBuf::from(&path), message: err.to_string() })
        };
        Self::from_bytes(&read(CONFIG_FILE)?, &read(TOKENIZER_FILE)?, &read(WEIGHTS_FILE)?)
    }

    /// Loads the encoder from the contents of `config.json`, `tokenizer.json`
    /// and `model.safetensors`, for hosts without a file system (a web page
    /// passes the bytes it fetched).
    pub fn from_bytes(
        config_json: &[u8],
        tokenizer_json: &[u8],
        safetensors: &[u8],
    ) -> Result<Self, EmbedError> {
        let config: BertConfig =
            serde_json::from_slice(config_json).map_err(|err| EmbedError::Config(err.to_string()))?;
        config.check().map_err(EmbedError::Config)?;
        let mut tokenizer =
            Tokenizer::from_bytes(tokenizer_json).map_err(|err| EmbedError::Tokenizer(err.to_string()))?;
        // The shipped tokenizer pads every text to 128 tokens; padding is
        // done here instead, per batch, to the batch's longest text.
        tokenizer.with_padding(None);
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: MAX_TOKENS.min(config.max_position_embeddings),
                ..TruncationParams::default()
            }))
            .map_err(|err| EmbedError::Tokenizer(err.to_string()))?;
        let weights = VarBuilder::from_slice_safetensors(safetensors, DType::F32, &Device::Cpu)
            .map_err(|err| EmbedError::Weights(err.to_string()))?;
        let encoder =
            BertEncoder::load(weights, &config).map_err(|err| EmbedError::Weights(err.to_string()))?;
        Ok(Self { encoder, tokenizer, dimension: config.hidden_size })
    }

    /// Token ids of each text, special tokens included, truncated.
    fn tokenize(&self, texts: &[&str]) -> Result<Vec<Vec<u32>>, EmbedError> {
        let encodings = self
            .tokenizer
            .encode_batch_fast(texts.to_vec(), true)
            .map_err(|err| EmbedError::Tokenizer(err.to_string()))?;
        Ok(encodings.into_iter().map(|encoding| encoding.get_ids().to_vec()).collect())
    }
}

impl Embedder for MiniLm {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if texts.is_empty() {
            return Ok(Vec::new());
        }
        let ids = self.tokenize(texts)?;
        let mut order: Vec<usize> = (0..ids.len()).collect();
        order.sort_by_key(|&index| ids[index].len());
        let mut vectors = vec![Vec::new(); ids.len()];
        for chunk in order.chunks(BATCH_SIZE) {
            let batch: Vec<&[u32]> = chunk.iter().map(|&index| ids[index].as_slice()).collect();
            let embedded =
                self.encoder.embed(&batch).map_err(|err| EmbedError::Inference(err.to_string()))?;
            for (&index, vector) in chunk.iter().zip(embedded) {
                vectors[index] = vector;
            }
        }
        Ok(vectors)
    }

    fn dimension(&self) -> usize {
        self.dimension
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedding::fixture::{tiny_bert, TinyBert, HIDDEN, WORDS};

    fn encoder() -> MiniLm {
        let TinyBert { config_json, tokenizer_json, safetensors } = tiny_bert(1);
        MiniLm::from_bytes(&config_json, &tokenizer_json, &safetensors).expect("the fixture loads")
    }

    fn max_difference(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    /// A directory under the system's temporary directory, removed on drop.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> TempDir {
            let dir = std::env::temp_dir().join(format!("concierge-{name}-{}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temporary directory");
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn vectors_have_the_model_dimension_and_unit_length() {
        let encoder = encoder();
        assert_eq!(encoder.dimension(), HIDDEN);
        let vectors =
            encoder.embed(&["book a haircut tomorrow", "hello", "", "what are your opening hours"]).unwrap();
        assert_eq!(vectors.len(), 4);
        for vector in &vectors {
            assert_eq!(vector.len(), HIDDEN);
            let norm: f32 = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        }
        // Different texts get different vectors.
        let cosine: f32 = vectors[0].iter().zip(&vectors[3]).map(|(a, b)| a * b).sum();
        assert!(cosine < 0.99, "cosine {cosine}");
    }

    #[test]
    fn a_text_embeds_the_same_alone_and_in_a_padded_batch() {
        let encoder = encoder();
        let text = "book a haircut";
        let alone = encoder.embed(&[text]).unwrap().remove(0);
        let batch = encoder
            .embed(&[
                "what are the opening hours of the price for my appointment please thanks",
                text,
                "hello",
            ])
            .unwrap();
        assert!(max_difference(&alone, &batch[1]) < 1e-5, "{alone:?} vs {:?}", batch[1]);
    }

    #[test]
    fn many_texts_keep_their_order_across_batches() {
        let encoder = encoder();
        // More texts than one batch, of varied lengths, so sorting and
        // chunking both happen.
        let texts: Vec<String> = (0..70)
            .map(|i| {
                (0..=(i * 7) % 11)
                    .map(|k| WORDS[(i + k * 3) % (WORDS.len() - 2)])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let together = encoder.embed(&refs).unwrap();
        for (text, vector) in refs.iter().zip(&together) {
            let alone = encoder.embed(&[text]).unwrap().remove(0);
            assert!(max_difference(&alone, vector) < 1e-5, "{text}");
        }
    }

    #[test]
    fn long_texts_are_truncated_not_rejected() {
        let encoder = encoder();
        let long = vec!["haircut"; 400].join(" ");
        let vectors = encoder.embed(&[&long, "hello"]).unwrap();
        assert_eq!(vectors[0].len(), HIDDEN);
        assert!(vectors[0].iter().all(|x| x.is_finite()));
    }

    #[test]
    fn no_texts_give_no_vectors() {
        assert!(encoder().embed(&[]).unwrap().is_empty());
    }

    #[test]
    fn loads_from_a_directory_like_from_bytes() {
        let files = tiny_bert(1);
        let dir = TempDir::new("minilm-dir");
        std::fs::write(dir.0.join(CONFIG_FILE), &files.config_json).unwrap();
        std::fs::write(dir.0.join(TOKENIZER_FILE), &files.tokenizer_json).unwrap();
        std::fs::write(dir.0.join(WEIGHTS_FILE), &files.safetensors).unwrap();
        let from_dir = MiniLm::from_dir(&dir.0).unwrap();
        let text = ["cancel my appointment"];
        assert_eq!(from_dir.embed(&text).unwrap(), encoder().embed(&text).unwrap());
    }

    #[test]
    fn a_directory_without_the_model_names_the_fetch_script() {
        let dir = TempDir::new("minilm-empty");
        std::fs::write(dir.0.join(CONFIG_FILE), tiny_bert(1).config_json).unwrap();
        let err = MiniLm::from_dir(&dir.0).unwrap_err();
        assert_eq!(
            err,
            EmbedError::MissingFiles {
                dir: dir.0.clone(),
                missing: vec![TOKENIZER_FILE.to_owned(), WEIGHTS_FILE.to_owned()],
            }
        );
        assert!(err.to_string().contains("scripts/fetch-model.sh"), "{err}");
    }

    #[test]
    fn broken_files_give_typed_errors() {
        let files = tiny_bert(1);
        let config = MiniLm::from_bytes(b"{\"hidden_size\": 3}", &files.tokenizer_json, &files.safetensors);
        assert!(matches!(config, Err(EmbedError::Config(_))));
        let tokenizer = MiniLm::from_bytes(&files.config_json, b"not json", &files.safetensors);
        assert!(matches!(tokenizer, Err(EmbedError::Tokenizer(_))));
        let truncated = &files.safetensors[..files.safetensors.len() / 2];
        let weights = MiniLm::from_bytes(&files.config_json, &files.tokenizer_json, truncated);
        assert!(matches!(weights, Err(EmbedError::Weights(_))));
        // Weights of another shape than the config says.
        let mut config: serde_json::Value = serde_json::from_slice(&files.config_json).unwrap();
        config["intermediate_size"] = 48.into();
        let config = serde_json::to_vec(&config).unwrap();
        let shape = MiniLm::from_bytes(&config, &files.tokenizer_json, &files.safetensors);
        assert!(matches!(shape, Err(EmbedError::Weights(_))));
    }
}
