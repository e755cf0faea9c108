//! The embedding intent classifier: a sentence encoder turns each message
//! into a vector, and a multinomial logistic regression trained on the
//! bot's examples turns the vector into intent probabilities.
//!
//! Over 600 lines: some 190 of them are its tests; the classifier itself
//! (training, calibration, prediction) is one piece.
//!
//! The encoder is any [`Embedder`] (all-MiniLM-L6-v2 in practice). Training
//! embeds every example once, standardises the features, fits the head with
//! AdamW on mini-batches, and calibrates its probabilities with one
//! temperature fitted on out-of-fold predictions (k-fold cross-validation
//! on the training examples). The same out-of-fold predictions choose the
//! out-of-scope threshold, so no test data is needed to set it.
//!
//! Out-of-scope examples (those labelled [`EmbeddingClassifierConfig::oos_label`])
//! either train an explicit out-of-scope class or, with
//! `explicit_oos_class: false`, only help choose the threshold.

use std::collections::BTreeMap;
use std::sync::Arc;

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};

use super::classifier::{IntentClassifier, IntentScore, TrainError, TrainingExample};
use crate::embedding::Embedder;

mod ngrams;

use ngrams::{NgramFeatures, NgramHead, NgramTraining, SparseVector};

/// How to train an [`EmbeddingClassifier`].
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingClassifierConfig {
    /// The label of out-of-scope examples, if the data has any.
    pub oos_label: Option<String>,
    /// Whether out-of-scope examples train a class of their own (otherwise
    /// they are only used to choose the threshold).
    pub explicit_oos_class: bool,
    /// Folds of the cross-validation that calibrates the probabilities and
    /// chooses the threshold; below 2 skips it (temperature 1, threshold 0).
    pub folds: usize,
    /// Passes over the training examples.
    pub epochs: usize,
    /// Examples per gradient step.
    pub batch_size: usize,
    /// AdamW learning rate.
    pub learning_rate: f64,
    /// AdamW weight decay (L2 regularisation).
    pub weight_decay: f64,
    /// When choosing the threshold with out-of-scope examples at hand: the
    /// weight of out-of-scope recall against in-scope accuracy.
    pub oos_weight: f64,
    /// The in-scope accuracy (a share, against no threshold) the threshold
    /// may cost.
    pub max_accuracy_loss: f64,
    /// Whether to add a word and character n-gram head to the embedding
    /// head (its weight is chosen by cross-validation, and may be 0).
    pub ngrams: bool,
    /// Passes of the n-gram head's stochastic gradient descent.
    pub ngram_epochs: usize,
    /// Seed of the shuffles and fold assignment, for reproducible training.
    pub seed: u64,
}

impl Default for EmbeddingClassifierConfig {
    fn default() -> Self {
        EmbeddingClassifierConfig {
            oos_label: Some("oos".to_owned()),
            explicit_oos_class: true,
            folds: 5,
            epochs: 30,
            batch_size: 128,
            learning_rate: 3e-3,
            weight_decay: 1e-2,
            oos_weight: 1.0,
            max_accuracy_loss: 0.01,
            ngrams: true,
            ngram_epochs: 10,
            seed: 0x5eed,
        }
    }
}

/// A prediction made on a training example by a head that did not see it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfFoldPrediction {
    /// The example's label.
    pub gold: String,
    /// The most likely intent.
    pub predicted: String,
    /// Its calibrated probability.
    pub confidence: f32,
}

/// Intent classifier over sentence embeddings; see the module docs.
pub struct EmbeddingClassifier {
    embedder: Arc<dyn Embedder>,
    head: Head,
    /// The n-gram features and head, with the weight of its logits.
    ngrams: Option<(NgramFeatures, NgramHead, f32)>,
    labels: Vec<String>,
    temperature: f32,
    threshold: f32,
    out_of_fold: Vec<OutOfFoldPrediction>,
}

impl std::fmt::Debug for EmbeddingClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddingClassifier")
            .field("labels", &self.labels.len())
            .field("temperature", &self.temperature)
            .field("threshold", &self.threshold)
            .finish_non_exhaustive()
    }
}

impl EmbeddingClassifier {
    /// Embeds `examples` with `embedder` and trains the head on them.
    pub fn train(
        embedder: Arc<dyn Embedder>,
        examples: &[TrainingExample],
        config: &EmbeddingClassifierConfig,
    ) -> Result<Self, TrainError> {
        if examples.is_empty() {
            return Err(TrainError::NoExamples);
        }
        let is_oos = |intent: &str| config.oos_label.as_deref() == Some(intent);
        let labels: Vec<String> = examples
            .iter()
            .filter(|e| config.explicit_oos_class || !is_oos(&e.intent))
            .map(|e| e.intent.clone())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let in_scope_intents = labels.iter().filter(|l| !is_oos(l)).count();
        if labels.len() < 2 || in_scope_intents == 0 {
            return Err(TrainError::TooFewIntents(labels.len()));
        }
        let index_of: BTreeMap<&str, u32> =
            labels.iter().enumerate().map(|(i, l)| (l.as_str(), i as u32)).collect();
        let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
        let features = embedder.embed(&texts).map_err(|err| TrainError::Model(err.to_string()))?;
        // Every example, with its class (None: out-of-scope, not a class).
        let targets: Vec<Option<u32>> =
            examples.iter().map(|e| index_of.get(e.intent.as_str()).copied()).collect();
        let trainable: Vec<usize> = (0..examples.len()).filter(|&i| targets[i].is_some()).collect();

        let model_err = |err: candle_core::Error| TrainError::Model(err.to_string());
        let ngram_features = config.ngrams.then(|| NgramFeatures::fit(&texts));
        let ngram_vectors: Vec<SparseVector> =
            ngram_features.as_ref().map(|f| texts.iter().map(|t| f.vector(t)).collect()).unwrap_or_default();
        let ngram_training =
            NgramTraining { epochs: config.ngram_epochs, learning_rate: 0.5, l2: 1e-5, seed: config.seed };
        let class_of: Vec<u32> = targets.iter().map(|t| t.unwrap_or(0)).collect();
        let fit_ngrams = |rows: &[usize]| {
            ngram_features.as_ref().map(|f| {
                NgramHead::fit(&ngram_vectors, &class_of, rows, f.len(), labels.len(), &ngram_training)
            })
        };

        // Out-of-fold logits of both heads, to weigh them, calibrate and
        // choose the threshold on examples the heads did not see.
        let mut held_out_rows = Vec::new();
        let mut fold_logits: Vec<(Vec<f32>, Option<Vec<f32>>)> = Vec::new();
        if config.folds >= 2 {
            use rayon::prelude::*;
            let fold_of = fold_assignment(examples.len(), config.folds, config.seed);
            // The folds train in parallel, and within a fold the two heads.
            let folds = (0..config.folds)
                .into_par_iter()
                .map(|fold| {
                    let train_rows: Vec<usize> =
                        trainable.iter().copied().filter(|&i| fold_of[i] != fold).collect();
                    let held_out: Vec<usize> = (0..examples.len()).filter(|&i| fold_of[i] == fold).collect();
                    if held_out.is_empty() || train_rows.is_empty() {
                        return Ok(Vec::new());
                    }
                    let (head, ngram_head) = rayon::join(
                        || Head::fit(&features, &targets, &train_rows, labels.len(), config),
                        || fit_ngrams(&train_rows),
                    );
                    let head = head.map_err(model_err)?;
                    Ok(held_out
                        .into_iter()
                        .map(|i| {
                            let lexical = ngram_head.as_ref().map(|h| h.logits(&ngram_vectors[i]));
                            (i, head.logits(&features[i]), lexical)
                        })
                        .collect())
                })
                .collect::<Result<Vec<Vec<_>>, TrainError>>()?;
            for (i, dense, lexical) in folds.into_iter().flatten() {
                held_out_rows.push(i);
                fold_logits.push((dense, lexical));
            }
        }
        let held_out_targets: Vec<Option<u32>> = held_out_rows.iter().map(|&i| targets[i]).collect();
        let ngram_weight =
            if ngram_features.is_some() { choose_ngram_weight(&fold_logits, &held_out_targets) } else { 0.0 };
        let combined: Vec<(Vec<f32>, Option<u32>)> = fold_logits
            .iter()
            .zip(&held_out_targets)
            .map(|((dense, lexical), &target)| (combine(dense, lexical.as_deref(), ngram_weight), target))
            .collect();
        let temperature = fit_temperature(&combined);
        let out_of_fold: Vec<OutOfFoldPrediction> = held_out_rows
            .iter()
            .zip(&combined)
            .map(|(&i, (logits, _))| {
                let probabilities = softmax(logits, temperature);
                let best = argmax(&probabilities);
                OutOfFoldPrediction {
                    gold: examples[i].intent.clone(),
                    predicted: labels[best].clone(),
                    confidence: probabilities[best],
                }
            })
            .collect();
        let threshold = match &config.oos_label {
            Some(oos) => choose_threshold(&out_of_fold, oos, config),
            None => choose_threshold(&out_of_fold, "", config),
        };
        let (head, ngram_head) = rayon::join(
            || Head::fit(&features, &targets, &trainable, labels.len(), config),
            || {
                if ngram_weight > 0.0 {
                    fit_ngrams(&trainable)
                } else {
                    None
                }
            },
        );
        let head = head.map_err(model_err)?;
        let ngrams = match (ngram_features, ngram_head) {
            (Some(features), Some(ngram_head)) => Some((features, ngram_head, ngram_weight)),
            _ => None,
        };
        Ok(EmbeddingClassifier { embedder, head, ngrams, labels, temperature, threshold, out_of_fold })
    }

    /// The weight of the n-gram head's logits against the embedding head's
    /// (0 when the n-gram head is off or did not help in cross-validation).
    pub fn ngram_weight(&self) -> f32 {
        self.ngrams.as_ref().map_or(0.0, |(_, _, weight)| *weight)
    }

    /// The confidence below which a message should count as out of scope,
    /// chosen by cross-validation on the training examples (0 without it).
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// The temperature that calibrates the head's probabilities.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Predictions on every training example by heads that did not train on
    /// it (empty when `folds` < 2): the data to choose a threshold from.
    pub fn out_of_fold(&self) -> &[OutOfFoldPrediction] {
        &self.out_of_fold
    }

    /// Ranks the intents for many messages at once (faster than one
    /// [`IntentClassifier::classify`] call each, as the encoder batches).
    pub fn classify_many(&self, texts: &[&str]) -> Result<Vec<Vec<IntentScore>>, TrainError> {
        let vectors = self.embedder.embed(texts).map_err(|err| TrainError::Model(err.to_string()))?;
        Ok(texts.iter().zip(&vectors).map(|(t, v)| self.rank(t, v)).collect())
    }

    fn rank(&self, text: &str, vector: &[f32]) -> Vec<IntentScore> {
        let dense = self.head.logits(vector);
        let logits = match &self.ngrams {
            Some((features, head, weight)) => {
                combine(&dense, Some(&head.logits(&features.vector(text))), *weight)
            }
            None => dense,
        };
        let probabilities = softmax(&logits, self.temperature);
        let mut ranking: Vec<IntentScore> = self
            .labels
            .iter()
            .zip(probabilities)
            .map(|(intent, confidence)| IntentScore { intent: intent.clone(), confidence })
            .collect();
        ranking.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        ranking
    }
}

impl IntentClassifier for EmbeddingClassifier {
    /// An encoder failure (which a loaded encoder does not produce on text)
    /// gives an empty ranking: nothing understood.
    fn classify(&self, text: &str) -> Vec<IntentScore> {
        match self.embedder.embed(&[text]) {
            Ok(vectors) if vectors.len() == 1 => self.rank(text, &vectors[0]),
            _ => Vec::new(),
        }
    }

    fn kind(&self) -> &'static str {
        "embedding"
    }
}

/// The trained linear layer, with the feature standardisation folded in:
/// `logits = weights · x + bias`, row-major `[class][feature]`.
struct Head {
    weights: Vec<f32>,
    bias: Vec<f32>,
    dimension: usize,
}

impl Head {
    fn fit(
        features: &[Vec<f32>],
        targets: &[Option<u32>],
        rows: &[usize],
        classes: usize,
        config: &EmbeddingClassifierConfig,
    ) -> candle_core::Result<Head> {
        let device = Device::Cpu;
        let dimension = features.first().map_or(0, Vec::len);
        // Standardise: zero mean, unit variance per feature.
        let mut mean = vec![0f32; dimension];
        let mut var = vec![0f32; dimension];
        for &r in rows {
            for (m, x) in mean.iter_mut().zip(&features[r]) {
                *m += x;
            }
        }
        let n = rows.len().max(1) as f32;
        mean.iter_mut().for_each(|m| *m /= n);
        for &r in rows {
            for ((v, m), x) in var.iter_mut().zip(&mean).zip(&features[r]) {
                *v += (x - m) * (x - m);
            }
        }
        let scale: Vec<f32> = var.iter().map(|v| 1.0 / (v / n).sqrt().max(1e-6)).collect();
        let mut data = Vec::with_capacity(rows.len() * dimension);
        let mut labels = Vec::with_capacity(rows.len());
        for &r in rows {
            data.extend(features[r].iter().zip(&mean).zip(&scale).map(|((x, m), s)| (x - m) * s));
            labels.push(targets[r].unwrap_or(0));
        }
        let xs = Tensor::from_vec(data, (rows.len(), dimension), &device)?;
        let ys = Tensor::from_vec(labels, rows.len(), &device)?;
        let w = Var::zeros((dimension, classes), DType::F32, &device)?;
        let b = Var::zeros(classes, DType::F32, &device)?;
        let mut optimizer = AdamW::new(
            vec![w.clone(), b.clone()],
            ParamsAdamW {
                lr: config.learning_rate,
                weight_decay: config.weight_decay,
                ..ParamsAdamW::default()
            },
        )?;
        let mut order: Vec<u32> = (0..rows.len() as u32).collect();
        let mut rng = SplitMix64(config.seed);
        let batch = config.batch_size.max(1);
        for _ in 0..config.epochs {
            shuffle(&mut order, &mut rng);
            for chunk in order.chunks(batch) {
                let index = Tensor::from_slice(chunk, chunk.len(), &device)?;
                let x = xs.index_select(&index, 0)?;
                let y = ys.index_select(&index, 0)?;
                let logits = x.matmul(w.as_tensor())?.broadcast_add(b.as_tensor())?;
                let loss = candle_nn::loss::cross_entropy(&logits, &y)?;
                optimizer.backward_step(&loss)?;
            }
        }
        // Fold the standardisation into the weights.
        let w: Vec<Vec<f32>> = w.as_tensor().t()?.to_vec2()?;
        let mut bias: Vec<f32> = b.as_tensor().to_vec1()?;
        let mut weights = Vec::with_capacity(classes * dimension);
        for (class_weights, class_bias) in w.iter().zip(bias.iter_mut()) {
            for ((wk, m), s) in class_weights.iter().zip(&mean).zip(&scale) {
                weights.push(wk * s);
                *class_bias -= wk * s * m;
            }
        }
        Ok(Head { weights, bias, dimension })
    }

    fn logits(&self, vector: &[f32]) -> Vec<f32> {
        self.weights
            .chunks_exact(self.dimension.max(1))
            .zip(&self.bias)
            .map(|(row, bias)| bias + dot(row, vector))
            .collect()
    }
}

/// The embedding head's logits plus `weight` times the n-gram head's.
fn combine(dense: &[f32], lexical: Option<&[f32]>, weight: f32) -> Vec<f32> {
    match lexical {
        Some(lexical) if weight > 0.0 => dense.iter().zip(lexical).map(|(d, l)| d + weight * l).collect(),
        _ => dense.to_vec(),
    }
}

/// The n-gram weight with the best out-of-fold accuracy (ties go to the
/// lower weight).
fn choose_ngram_weight(fold_logits: &[(Vec<f32>, Option<Vec<f32>>)], targets: &[Option<u32>]) -> f32 {
    let accuracy = |weight: f32| {
        fold_logits
            .iter()
            .zip(targets)
            .filter_map(|((dense, lexical), target)| target.map(|t| (dense, lexical, t)))
            .filter(|(dense, lexical, target)| {
                argmax(&combine(dense, lexical.as_deref(), weight)) == *target as usize
            })
            .count()
    };
    let mut best = (0.0, accuracy(0.0));
    for weight in [0.25f32, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0] {
        let right = accuracy(weight);
        if right > best.1 {
            best = (weight, right);
        }
    }
    best.0
}

fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let chunks = a.len().min(b.len()) / 8;
    for c in 0..chunks {
        for l in 0..8 {
            lanes[l] += a[c * 8 + l] * b[c * 8 + l];
        }
    }
    let mut sum: f32 = lanes.iter().sum();
    for k in chunks * 8..a.len().min(b.len()) {
        sum += a[k] * b[k];
    }
    sum
}

fn softmax(logits: &[f32], temperature: f32) -> Vec<f32> {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exps: Vec<f32> = logits.iter().map(|l| ((l - max) / temperature).exp()).collect();
    let sum: f32 = exps.iter().sum();
    exps.into_iter().map(|e| e / sum).collect()
}

fn argmax(values: &[f32]) -> usize {
    values.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map_or(0, |(i, _)| i)
}

/// The temperature minimising the negative log-likelihood of the
/// out-of-fold logits of the examples that have a class (golden-section
/// search on the logarithm of the temperature).
fn fit_temperature(fold_logits: &[(Vec<f32>, Option<u32>)]) -> f32 {
    let labelled: Vec<(&[f32], usize)> = fold_logits
        .iter()
        .filter_map(|(logits, target)| target.map(|t| (logits.as_slice(), t as usize)))
        .collect();
    if labelled.is_empty() {
        return 1.0;
    }
    let nll = |log_t: f64| -> f64 {
        let t = log_t.exp() as f32;
        labelled.iter().map(|(logits, target)| -f64::from(softmax(logits, t)[*target].max(1e-30)).ln()).sum()
    };
    let (mut lo, mut hi) = ((0.05f64).ln(), (20.0f64).ln());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..40 {
        let a = hi - ratio * (hi - lo);
        let b = lo + ratio * (hi - lo);
        if nll(a) < nll(b) {
            hi = b;
        } else {
            lo = a;
        }
    }
    ((lo + hi) / 2.0).exp() as f32
}

/// The confidence threshold below which a prediction becomes out-of-scope,
/// among those costing at most `max_accuracy_loss` of in-scope accuracy:
/// with out-of-scope examples, the one maximising in-scope accuracy plus
/// `oos_weight` times out-of-scope recall; without, the highest.
fn choose_threshold(
    predictions: &[OutOfFoldPrediction],
    oos_label: &str,
    config: &EmbeddingClassifierConfig,
) -> f32 {
    let mut sorted: Vec<&OutOfFoldPrediction> = predictions.iter().collect();
    sorted.sort_by(|a, b| a.confidence.total_cmp(&b.confidence));
    let is_oos = |label: &str| !oos_label.is_empty() && label == oos_label;
    let in_scope = sorted.iter().filter(|p| !is_oos(&p.gold)).count().max(1) as f64;
    let oos = sorted.iter().filter(|p| is_oos(&p.gold)).count();
    let mut in_right = sorted.iter().filter(|p| !is_oos(&p.gold) && p.predicted == p.gold).count() as f64;
    let mut oos_right = sorted.iter().filter(|p| is_oos(&p.gold) && is_oos(&p.predicted)).count() as f64;
    let base_accuracy = in_right / in_scope;
    let score = |in_right: f64, oos_right: f64| {
        in_right / in_scope + config.oos_weight * oos_right / oos.max(1) as f64
    };
    let mut best_score = score(in_right, oos_right);
    let mut best = 0.0f32;
    let mut k = 0;
    while k < sorted.len() {
        let confidence = sorted[k].confidence;
        while k < sorted.len() && sorted[k].confidence == confidence {
            let p = sorted[k];
            if is_oos(&p.gold) {
                oos_right += f64::from(u8::from(!is_oos(&p.predicted)));
            } else if p.predicted == p.gold {
                in_right -= 1.0;
            }
            k += 1;
        }
        let threshold = match sorted.get(k) {
            Some(next) => (confidence + next.confidence) / 2.0,
            None => (confidence + 1.0) / 2.0,
        };
        if base_accuracy - in_right / in_scope > config.max_accuracy_loss + 1e-12 {
            break;
        }
        let value = score(in_right, oos_right);
        if oos == 0 || value > best_score + 1e-12 {
            best_score = value;
            best = threshold;
        }
    }
    best
}

/// Assigns each of `n` examples to one of `folds` folds, at random but
/// reproducibly, with fold sizes differing by at most one.
fn fold_assignment(n: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut order: Vec<u32> = (0..n as u32).collect();
    shuffle(&mut order, &mut SplitMix64(seed ^ 0xf01d));
    let mut fold_of = vec![0; n];
    for (position, &i) in order.iter().enumerate() {
        fold_of[i as usize] = position % folds;
    }
    fold_of
}

/// A small deterministic random number generator (SplitMix64).
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn shuffle(values: &mut [u32], rng: &mut SplitMix64) {
    for i in (1..values.len()).rev() {
        let j = (rng.next() % (i as u64 + 1)) as usize;
        values.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embedding::fixture::tiny_bert;
    use crate::embedding::MiniLm;

    fn encoder() -> Arc<dyn Embedder> {
        let files = tiny_bert(3);
        Arc::new(
            MiniLm::from_bytes(&files.config_json, &files.tokenizer_json, &files.safetensors)
                .expect("the fixture loads"),
        )
    }

    fn examples(pairs: &[(&str, &str)]) -> Vec<TrainingExample> {
        pairs
            .iter()
            .map(|(text, intent)| TrainingExample { text: (*text).to_owned(), intent: (*intent).to_owned() })
            .collect()
    }

    const SALON: &[(&str, &str)] = &[
        ("book a haircut", "book"),
        ("book a haircut tomorrow", "book"),
        ("book a colour please", "book"),
        ("book a haircut for tomorrow please", "book"),
        ("book my colour", "book"),
        ("cancel my appointment", "cancel"),
        ("cancel my appointment please", "cancel"),
        ("cancel the appointment", "cancel"),
        ("cancel my haircut appointment", "cancel"),
        ("cancel the appointment for tomorrow", "cancel"),
        ("what are your opening hours", "hours"),
        ("what are the opening hours", "hours"),
        ("opening hours please", "hours"),
        ("what are your hours", "hours"),
        ("your opening hours", "hours"),
    ];

    #[test]
    fn ranks_every_intent_with_probabilities() {
        let classifier =
            EmbeddingClassifier::train(encoder(), &examples(SALON), &EmbeddingClassifierConfig::default())
                .unwrap();
        for (text, intent) in [
            ("book a haircut tomorrow please", "book"),
            ("cancel my appointment tomorrow", "cancel"),
            ("what are the hours", "hours"),
        ] {
            let ranking = classifier.classify(text);
            assert_eq!(ranking.len(), 3);
            assert_eq!(ranking[0].intent, intent, "{text}: {ranking:?}");
            let total: f32 = ranking.iter().map(|s| s.confidence).sum();
            assert!((total - 1.0).abs() < 1e-4, "{total}");
            assert!(ranking.windows(2).all(|w| w[0].confidence >= w[1].confidence));
        }
        assert_eq!(classifier.kind(), "embedding");
        // Every training example got an out-of-fold prediction.
        assert_eq!(classifier.out_of_fold().len(), SALON.len());
        assert!(classifier.temperature() > 0.0);
        assert!((0.0..=1.0).contains(&classifier.threshold()));
    }

    #[test]
    fn out_of_scope_examples_can_train_their_own_class() {
        let mut data = examples(SALON);
        data.extend(examples(&[
            ("hello", "oos"),
            ("thanks", "oos"),
            ("hello thanks", "oos"),
            ("thanks hello", "oos"),
            ("hello hello", "oos"),
        ]));
        let explicit =
            EmbeddingClassifier::train(encoder(), &data, &EmbeddingClassifierConfig::default()).unwrap();
        assert_eq!(explicit.classify("hello thanks thanks")[0].intent, "oos");
        assert_eq!(explicit.classify("book a haircut")[0].intent, "book");

        let config =
            EmbeddingClassifierConfig { explicit_oos_class: false, ..EmbeddingClassifierConfig::default() };
        let implicit = EmbeddingClassifier::train(encoder(), &data, &config).unwrap();
        let ranking = implicit.classify("hello thanks");
        assert_eq!(ranking.len(), 3);
        assert!(ranking.iter().all(|s| s.intent != "oos"));
        // The out-of-scope examples still get out-of-fold predictions, to
        // choose the threshold with.
        assert_eq!(implicit.out_of_fold().iter().filter(|p| p.gold == "oos").count(), 5);
    }

    #[test]
    fn training_is_reproducible() {
        let config = EmbeddingClassifierConfig::default();
        let a = EmbeddingClassifier::train(encoder(), &examples(SALON), &config).unwrap();
        let b = EmbeddingClassifier::train(encoder(), &examples(SALON), &config).unwrap();
        assert_eq!(a.out_of_fold(), b.out_of_fold());
        assert_eq!(a.classify("book my appointment"), b.classify("book my appointment"));
    }

    #[test]
    fn threshold_trades_accuracy_for_out_of_scope_recall() {
        let p = |gold: &str, predicted: &str, confidence: f32| OutOfFoldPrediction {
            gold: gold.into(),
            predicted: predicted.into(),
            confidence,
        };
        let predictions = [
            p("book", "book", 0.9),
            p("book", "book", 0.8),
            p("cancel", "cancel", 0.7),
            p("oos", "book", 0.3),
            p("oos", "cancel", 0.4),
            p("cancel", "book", 0.35),
        ];
        let config = EmbeddingClassifierConfig::default();
        let threshold = choose_threshold(&predictions, "oos", &config);
        // Between 0.4 and 0.7: both oos examples fall below, no right answer does.
        assert!(threshold > 0.4 && threshold < 0.7, "{threshold}");
        // Without out-of-scope examples: the highest threshold losing at most
        // 2% of in-scope accuracy loses nothing here.
        let in_scope: Vec<_> = predictions.iter().filter(|p| p.gold != "oos").cloned().collect();
        let threshold = choose_threshold(&in_scope, "oos", &config);
        assert!(threshold > 0.35 && threshold < 0.7, "{threshold}");
    }

    #[test]
    fn bad_training_data_is_refused() {
        let config = EmbeddingClassifierConfig::default();
        assert_eq!(EmbeddingClassifier::train(encoder(), &[], &config).unwrap_err(), TrainError::NoExamples);
        let one = examples(&[("book a haircut", "book"), ("book a colour", "book")]);
        assert_eq!(
            EmbeddingClassifier::train(encoder(), &one, &config).unwrap_err(),
            TrainError::TooFewIntents(1)
        );
        let only_oos = examples(&[("hello", "oos"), ("thanks", "oos")]);
        assert_eq!(
            EmbeddingClassifier::train(encoder(), &only_oos, &config).unwrap_err(),
            TrainError::TooFewIntents(1)
        );
    }

    /// The salon demo, with `nlu.classifier` set to `classifier`.
    fn salon_spec(classifier: &str) -> crate::spec::BotSpec {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/salon/bot.yaml");
        let mut spec = crate::spec::BotSpec::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
        spec.nlu.classifier = classifier.to_owned();
        spec
    }

    #[test]
    fn the_salon_demo_runs_on_the_embedding_classifier() {
        use crate::booking::BookingEngine;
        use crate::dialog::{ConversationState, Engine, Event, TurnContext};
        use crate::nlu::{Nlu, NluError};

        let spec = salon_spec("embedding");
        // Without an encoder the spec cannot be served, and the error says why.
        let err = Nlu::from_spec(&spec).unwrap_err();
        assert!(matches!(err, NluError::EncoderRequired), "{err}");
        assert!(err.to_string().contains("scripts/fetch-model.sh"), "{err}");

        let nlu = Nlu::from_spec_with_encoder(&spec, encoder()).unwrap();
        assert_eq!(nlu.classifier_kind(), "embedding");
        let booker = BookingEngine::in_memory(&spec.business).unwrap();
        let engine = Engine::builder(spec, Arc::new(booker)).nlu(nlu).build().unwrap();
        let ctx = TurnContext {
            now: "2026-03-02T14:00:00Z".parse().unwrap(),
            seed: 0,
            conversation_id: "embedding".into(),
        };
        let turn = futures::executor::block_on(engine.handle(
            ConversationState::default(),
            "I'd like to book a women's haircut tomorrow at 3pm",
            &ctx,
        ))
        .unwrap();
        let intents: Vec<&str> = turn
            .events
            .iter()
            .filter_map(|e| match e {
                Event::IntentDetected { name, .. } => Some(name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(intents, ["book_appointment"], "{:?}", turn.events);
        assert!(
            turn.events.iter().any(|e| matches!(e, Event::FlowStarted { flow } if flow == "book")),
            "{:?}",
            turn.events
        );
    }
}
