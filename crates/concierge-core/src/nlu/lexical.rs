//! The lexical intent classifier: word and character n-grams with a linear
//! model trained in-process. No weights to download; the WASM default.
//!
//! (Placeholder: nearest centroid over word counts, replaced by the NLU work.)

use std::collections::HashMap;

use super::{IntentClassifier, IntentScore, TrainError, TrainingExample};

/// Training settings.
#[derive(Debug, Clone, Default)]
pub struct LexicalConfig {}

/// A classifier over word features.
#[derive(Debug, Clone)]
pub struct LexicalClassifier {
    centroids: Vec<(String, HashMap<String, f32>)>,
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl LexicalClassifier {
    /// Trains on labelled examples.
    pub fn train(examples: &[TrainingExample], _config: &LexicalConfig) -> Result<Self, TrainError> {
        if examples.is_empty() {
            return Err(TrainError::NoExamples);
        }
        let mut by: HashMap<&str, HashMap<String, f32>> = HashMap::new();
        for e in examples {
            let c = by.entry(&e.intent).or_default();
            for w in words(&e.text) {
                *c.entry(w).or_default() += 1.0;
            }
        }
        if by.len() < 2 {
            return Err(TrainError::TooFewIntents(by.len()));
        }
        let mut centroids: Vec<_> = by
            .into_iter()
            .map(|(k, mut v)| {
                let n = v.values().map(|x| x * x).sum::<f32>().sqrt();
                v.values_mut().for_each(|x| *x /= n);
                (k.to_string(), v)
            })
            .collect();
        centroids.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(LexicalClassifier { centroids })
    }
}

impl IntentClassifier for LexicalClassifier {
    fn classify(&self, text: &str) -> Vec<IntentScore> {
        let w = words(text);
        let n = (w.len() as f32).sqrt().max(1.0);
        let mut scores: Vec<IntentScore> = self
            .centroids
            .iter()
            .map(|(k, c)| IntentScore {
                intent: k.clone(),
                confidence: (w.iter().map(|x| c.get(x).copied().unwrap_or(0.0)).sum::<f32>() / n * 12.0)
                    .exp(),
            })
            .collect();
        let z: f32 = scores.iter().map(|s| s.confidence).sum();
        scores.iter_mut().for_each(|s| s.confidence /= z);
        scores.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        scores
    }

    fn kind(&self) -> &'static str {
        "lexical"
    }
}
