//! Sentence embeddings: text in, a fixed-size vector out, such that texts
//! with similar meanings get vectors with a high cosine similarity.
//!
//! [`Embedder`] is the seam: the intent classifier trains a head over its
//! vectors and knowledge retrieval ranks passages with them, without knowing
//! which encoder produced them. Vectors are L2-normalised, so the dot product
//! of two of them is their cosine similarity.
//!
//! With the `embedding` cargo feature, [`MiniLm`] runs the
//! all-MiniLM-L6-v2 encoder with candle (`scripts/fetch-model.sh` fetches
//! its files). Without it, the trait is still here for hosts that compute
//! embeddings elsewhere, such as a web page calling a JavaScript runtime.

#[cfg(feature = "embedding")]
mod bert;
#[cfg(all(feature = "embedding", feature = "test-fixtures"))]
pub mod fixture;
#[cfg(feature = "embedding")]
mod minilm;

#[cfg(feature = "embedding")]
pub use minilm::MiniLm;

use std::path::PathBuf;

/// Turns texts into L2-normalised vectors of [`Embedder::dimension`] floats.
///
/// Implementations are loaded once and shared between threads.
pub trait Embedder: Send + Sync {
    /// One vector per text, in the order of `texts`. An empty slice gives an
    /// empty result.
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError>;

    /// The length of every vector this embedder returns.
    fn dimension(&self) -> usize;
}

/// Why an encoder could not be loaded or run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedError {
    /// The model directory lacks files the encoder needs.
    #[error(
        "model files missing in {}: {}; run scripts/fetch-model.sh to download all-MiniLM-L6-v2 \
         (or pass the directory that holds config.json, tokenizer.json and model.safetensors)",
        dir.display(),
        missing.join(", ")
    )]
    MissingFiles {
        /// The directory that was searched.
        dir: PathBuf,
        /// The names of the missing files.
        missing: Vec<String>,
    },
    /// A model file exists but could not be read.
    #[error("could not read {}: {message}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        message: String,
    },
    /// `config.json` is not a BERT configuration this encoder supports.
    #[error("invalid model config: {0}")]
    Config(String),
    /// `tokenizer.json` could not be loaded or failed on an input.
    #[error("tokenizer error: {0}")]
    Tokenizer(String),
    /// The weights do not match the configuration.
    #[error("invalid model weights: {0}")]
    Weights(String),
    /// Running the encoder failed.
    #[error("inference failed: {0}")]
    Inference(String),
}
