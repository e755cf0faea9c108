//! The lexical intent classifier: word and character n-grams with a linear
//! model trained in-process. No weights to download; the WASM default.
//!
//! A message becomes a tf-idf vector (sublinear term frequency) of word
//! unigrams and bigrams plus character 2-5-grams taken inside word
//! boundaries, the two blocks normalised separately and then together. A
//! multinomial logistic regression trained by SGD scores the intents, and a
//! softmax temperature fitted on k-fold out-of-fold predictions calibrates
//! the probabilities. Everything is seeded: the same examples and config give
//! the same model on every platform.

mod calibration;
mod features;
mod parallel;
mod rng;
mod softmax;

use std::collections::HashMap;

use super::evaluation::ScoredPrediction;
use super::{IntentClassifier, IntentScore, TrainError, TrainingExample};
use features::{Featurizer, SparseVector};
use softmax::{softmax_in_place, SgdSettings, SoftmaxModel};

/// Settings of [`LexicalClassifier::train`]; the defaults suit data sets
/// from a dozen examples per intent to CLINC150's 15,000.
#[derive(Debug, Clone, PartialEq)]
pub struct LexicalConfig {
    /// Add word bigrams to the word unigrams.
    pub word_bigrams: bool,
    /// The smallest and largest character n-gram length (within words,
    /// padded with a space at each end); `(0, 0)` turns them off.
    pub char_ngrams: (usize, usize),
    /// Add the words' concepts from the built-in lexicon (car, garage and
    /// parking share one) to the word features.
    pub concepts: bool,
    /// Weight of the character block relative to the word block (each is
    /// normalised to this length before the whole vector is).
    pub char_weight: f32,
    /// Features seen in fewer training messages than this are dropped;
    /// `None` keeps every feature of small training sets (below 2,000
    /// messages), and needs 2 messages below 10,000 and 3 from there: the
    /// rare features of large sets cost memory and time, not accuracy.
    pub min_count: Option<u32>,
    /// Passes of SGD over the training set (more on small sets: at least
    /// `min_steps` examples are visited).
    pub epochs: usize,
    /// The fewest SGD steps, so tiny training sets still converge.
    pub min_steps: usize,
    /// The initial SGD step size.
    pub learning_rate: f32,
    /// L2 regularisation strength.
    pub l2: f32,
    /// Folds used to fit the confidence temperature (and to produce the
    /// out-of-fold predictions that choose an out-of-scope threshold);
    /// below 2 turns calibration off.
    pub calibration_folds: usize,
    /// Seed of every random choice (shuffling, fold assignment).
    pub seed: u64,
}

impl Default for LexicalConfig {
    fn default() -> Self {
        LexicalConfig {
            word_bigrams: true,
            char_ngrams: (2, 5),
            concepts: true,
            char_weight: 1.0,
            min_count: None,
            epochs: 10,
            min_steps: 30_000,
            learning_rate: 1.0,
            l2: 3e-6,
            calibration_folds: 3,
            seed: 0x5eed,
        }
    }
}

/// A trained lexical intent classifier.
#[derive(Debug, Clone)]
pub struct LexicalClassifier {
    intents: Vec<String>,
    featurizer: Featurizer,
    model: SoftmaxModel,
    temperature: f32,
    out_of_fold: Vec<ScoredPrediction>,
}

/// What a training job produced.
enum Trained {
    /// The model on all examples.
    Final(Fit),
    /// A fold model's logits for the examples it did not see, by index.
    HeldOut(Vec<(usize, Vec<f32>)>),
}

/// One uncalibrated fit: features and model.
struct Fit {
    featurizer: Featurizer,
    model: SoftmaxModel,
}

fn fit(texts: &[&str], labels: &[usize], classes: usize, config: &LexicalConfig) -> Fit {
    let min_count = config.min_count.unwrap_or(match texts.len() {
        0..2_000 => 1,
        2_000..10_000 => 2,
        _ => 3,
    });
    let featurizer = Featurizer::fit(texts.iter().copied(), config, min_count);
    let inputs: Vec<SparseVector> = texts.iter().map(|t| featurizer.transform(t)).collect();
    let epochs = config.epochs.max(config.min_steps.div_ceil(texts.len().max(1))).max(1);
    let settings =
        SgdSettings { epochs, learning_rate: config.learning_rate, l2: config.l2, seed: config.seed };
    let model = SoftmaxModel::train(&inputs, labels, featurizer.len(), classes, &settings);
    Fit { featurizer, model }
}

impl Fit {
    fn logits(&self, text: &str) -> Vec<f32> {
        let mut out = vec![0.0; self.model.classes()];
        self.model.logits(&self.featurizer.transform(text), &mut out);
        out
    }
}

impl LexicalClassifier {
    /// Trains a classifier on `examples`.
    ///
    /// With `config.calibration_folds >= 2` this also trains that many
    /// models on the other folds to fit the confidence temperature, and keeps
    /// their out-of-fold predictions (see [`LexicalClassifier::out_of_fold`]).
    pub fn train(examples: &[TrainingExample], config: &LexicalConfig) -> Result<Self, TrainError> {
        if examples.is_empty() {
            return Err(TrainError::NoExamples);
        }
        let mut intents: Vec<String> = Vec::new();
        let mut index: HashMap<&str, usize> = HashMap::new();
        let mut labels = Vec::with_capacity(examples.len());
        for example in examples {
            let next = intents.len();
            let label = *index.entry(example.intent.as_str()).or_insert(next);
            if label == next {
                intents.push(example.intent.clone());
            }
            labels.push(label);
        }
        if intents.len() < 2 {
            return Err(TrainError::TooFewIntents(intents.len()));
        }
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let classes = intents.len();

        // Jobs: one model per calibration fold (`Some(fold)`) and the final
        // model on everything (`None`), trained side by side.
        let folds = config.calibration_folds;
        let calibrate = folds >= 2 && examples.len() >= 2 * folds;
        let assignment = if calibrate {
            calibration::stratified_folds(&labels, classes, folds, config.seed)
        } else {
            Vec::new()
        };
        let mut jobs: Vec<Option<usize>> = Vec::new();
        if calibrate {
            jobs.extend((0..folds).map(Some));
        }
        jobs.push(None);
        let results = parallel::map(&jobs, |job| match *job {
            None => Trained::Final(fit(&texts, &labels, classes, config)),
            Some(fold) => {
                let (mut train_texts, mut train_labels) = (Vec::new(), Vec::new());
                for (i, &f) in assignment.iter().enumerate() {
                    if f != fold {
                        train_texts.push(texts[i]);
                        train_labels.push(labels[i]);
                    }
                }
                let fold_fit = fit(&train_texts, &train_labels, classes, config);
                Trained::HeldOut(
                    (0..texts.len())
                        .filter(|&i| assignment[i] == fold)
                        .map(|i| (i, fold_fit.logits(texts[i])))
                        .collect(),
                )
            }
        });

        let mut final_fit = None;
        let mut held_out_logits: Vec<Vec<f32>> = vec![Vec::new(); examples.len()];
        for result in results {
            match result {
                Trained::Final(f) => final_fit = Some(f),
                Trained::HeldOut(rows) => {
                    for (i, logits) in rows {
                        held_out_logits[i] = logits;
                    }
                }
            }
        }
        let Some(Fit { featurizer, model }) = final_fit else {
            return Err(TrainError::Model("the final model was not trained".into()));
        };
        let mut temperature = 1.0;
        let mut out_of_fold = Vec::new();
        if calibrate {
            temperature = calibration::fit_temperature(&held_out_logits, &labels);
            out_of_fold = held_out_logits
                .iter()
                .zip(&labels)
                .map(|(logits, &gold)| {
                    let (best, confidence) = top_probability(logits, temperature);
                    ScoredPrediction {
                        gold: intents[gold].clone(),
                        predicted: intents[best].clone(),
                        confidence,
                    }
                })
                .collect();
        }
        Ok(LexicalClassifier { intents, featurizer, model, temperature, out_of_fold })
    }

    /// Predictions for every training example by a model that did not see
    /// it (from the calibration folds), with calibrated confidences; empty
    /// when calibration was off. Use them to choose an out-of-scope threshold
    /// from training data alone.
    pub fn out_of_fold(&self) -> &[ScoredPrediction] {
        &self.out_of_fold
    }

    /// The fitted softmax temperature (1 when calibration was off).
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// The intents the classifier knows, in training order.
    pub fn intents(&self) -> &[String] {
        &self.intents
    }

    /// The most likely intent and its calibrated confidence.
    pub fn top(&self, text: &str) -> (&str, f32) {
        let mut logits = vec![0.0; self.model.classes()];
        self.model.logits(&self.featurizer.transform(text), &mut logits);
        let (best, confidence) = top_probability(&logits, self.temperature);
        (&self.intents[best], confidence)
    }
}

/// The index and probability of the most likely class under `softmax(logits / t)`.
fn top_probability(logits: &[f32], temperature: f32) -> (usize, f32) {
    let mut probabilities: Vec<f32> = logits.iter().map(|z| z / temperature).collect();
    softmax_in_place(&mut probabilities);
    let mut best = 0;
    for (i, p) in probabilities.iter().enumerate() {
        if *p > probabilities[best] {
            best = i;
        }
    }
    (best, probabilities.get(best).copied().unwrap_or(0.0))
}

impl IntentClassifier for LexicalClassifier {
    fn classify(&self, text: &str) -> Vec<IntentScore> {
        let mut scores = vec![0.0; self.model.classes()];
        self.model.logits(&self.featurizer.transform(text), &mut scores);
        for s in scores.iter_mut() {
            *s /= self.temperature;
        }
        softmax_in_place(&mut scores);
        let mut ranked: Vec<(usize, f32)> = scores.into_iter().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
            .into_iter()
            .map(|(i, confidence)| IntentScore { intent: self.intents[i].clone(), confidence })
            .collect()
    }

    fn kind(&self) -> &'static str {
        "lexical"
    }
}

#[cfg(test)]
mod tests;
