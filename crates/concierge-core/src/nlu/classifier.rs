//! The seam every intent classifier sits behind.

use serde::{Deserialize, Serialize};

/// One labelled training utterance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingExample {
    /// The utterance, as a user would type it (annotations removed).
    pub text: String,
    /// The intent it expresses.
    pub intent: String,
}

/// An intent with the classifier's confidence in it, between 0 and 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentScore {
    /// The intent's name.
    #[serde(rename = "name")]
    pub intent: String,
    /// Calibrated probability that the message expresses this intent.
    pub confidence: f32,
}

/// Why training failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrainError {
    /// There was nothing to learn from.
    #[error("no training examples")]
    NoExamples,
    /// A classifier needs at least two intents to choose between.
    #[error("need at least two intents to train a classifier, got {0}")]
    TooFewIntents(usize),
    /// The model could not be loaded or run.
    #[error("model error: {0}")]
    Model(String),
}

/// Ranks the intents a message may express.
///
/// Implementations are trained once (at spec load time) and then shared
/// between threads, so `classify` takes `&self`.
pub trait IntentClassifier: Send + Sync {
    /// Every known intent with its confidence, most likely first.
    /// Confidences are probabilities and sum to at most 1.
    fn classify(&self, text: &str) -> Vec<IntentScore>;

    /// A short name for reports, such as `lexical`.
    fn kind(&self) -> &'static str;
}
