//! Measuring an intent classifier, and choosing its out-of-scope threshold.
//!
//! Metrics follow Larson et al. (2019): an in-scope example counts as right
//! only when the predicted intent equals the gold one (predicting
//! out-of-scope is wrong), and out-of-scope recall is the share of
//! out-of-scope examples predicted out-of-scope. A prediction is
//! out-of-scope when the classifier says the out-of-scope label or its
//! confidence is below the threshold.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One classified example: what it is, what the classifier said, how sure it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPrediction {
    /// The gold intent (the out-of-scope label for out-of-scope examples).
    pub gold: String,
    /// The classifier's most likely intent.
    pub predicted: String,
    /// Its confidence in that intent, between 0 and 1.
    pub confidence: f32,
}

impl ScoredPrediction {
    /// The label the prediction amounts to at `threshold`: the out-of-scope
    /// label when the confidence is below it.
    pub fn label_at<'a>(&'a self, threshold: f32, oos_label: &'a str) -> &'a str {
        if self.confidence < threshold {
            oos_label
        } else {
            &self.predicted
        }
    }
}

/// Scores of a classifier on a set of examples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IntentMetrics {
    /// Examples whose gold label is an intent.
    pub in_scope_examples: usize,
    /// Examples whose gold label is the out-of-scope label.
    pub oos_examples: usize,
    /// Share of in-scope examples predicted exactly (0 when there are none).
    pub in_scope_accuracy: f64,
    /// Share of out-of-scope examples predicted out-of-scope; `None` when there are none.
    pub oos_recall: Option<f64>,
    /// Share of out-of-scope predictions that were out-of-scope; `None` when none were made.
    pub oos_precision: Option<f64>,
    /// Unweighted mean F1 over the gold labels present (the out-of-scope label included).
    pub macro_f1: f64,
}

/// Computes [`IntentMetrics`] for `predictions` at `threshold`.
pub fn intent_metrics(predictions: &[ScoredPrediction], threshold: f32, oos_label: &str) -> IntentMetrics {
    let mut in_scope = 0usize;
    let mut in_scope_right = 0usize;
    let mut oos = 0usize;
    let mut oos_right = 0usize;
    let mut oos_predicted = 0usize;
    // label -> (true positives, predicted, gold)
    let mut counts: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    for p in predictions {
        let said = p.label_at(threshold, oos_label);
        let gold = p.gold.as_str();
        let right = said == gold;
        if gold == oos_label {
            oos += 1;
            oos_right += usize::from(right);
        } else {
            in_scope += 1;
            in_scope_right += usize::from(right);
        }
        oos_predicted += usize::from(said == oos_label);
        counts.entry(gold).or_default().2 += 1;
        counts.entry(said).or_default().1 += 1;
        if right {
            counts.entry(gold).or_default().0 += 1;
        }
    }
    let ratio = |a: usize, b: usize| if b == 0 { None } else { Some(a as f64 / b as f64) };
    let f1s: Vec<f64> = counts
        .values()
        .filter(|(_, _, gold)| *gold > 0)
        .map(|&(tp, predicted, gold)| 2.0 * tp as f64 / (predicted + gold) as f64)
        .collect();
    IntentMetrics {
        in_scope_examples: in_scope,
        oos_examples: oos,
        in_scope_accuracy: ratio(in_scope_right, in_scope).unwrap_or(0.0),
        oos_recall: ratio(oos_right, oos),
        oos_precision: ratio(oos_right, oos_predicted),
        macro_f1: if f1s.is_empty() { 0.0 } else { f1s.iter().sum::<f64>() / f1s.len() as f64 },
    }
}

/// What a chosen out-of-scope threshold should achieve: among the
/// thresholds that cost at most `max_accuracy_loss` in-scope accuracy
/// against no threshold, the one maximising
/// `in-scope accuracy + oos_weight * oos recall` (when the examples include
/// out-of-scope ones) or the highest (when they do not).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThresholdObjective {
    /// How much out-of-scope recall counts against in-scope accuracy.
    pub oos_weight: f64,
    /// The most in-scope accuracy (as a share, e.g. 0.02) the threshold may cost.
    pub max_accuracy_loss: f64,
}

impl Default for ThresholdObjective {
    fn default() -> Self {
        ThresholdObjective { oos_weight: 1.0, max_accuracy_loss: 0.005 }
    }
}

/// Chooses the confidence threshold below which a message is out of scope,
/// from predictions on data the classifier did not train on (out-of-fold
/// predictions on the training set, or a validation set).
///
/// Candidates are 0 and the midpoints between consecutive distinct
/// confidences; ties go to the lower threshold. Returns 0 for no predictions.
pub fn choose_threshold(
    predictions: &[ScoredPrediction],
    oos_label: &str,
    objective: &ThresholdObjective,
) -> f32 {
    if predictions.is_empty() {
        return 0.0;
    }
    // Sweep the thresholds upwards over the examples sorted by confidence:
    // raising the threshold past an example turns its prediction into oos.
    let mut sorted: Vec<&ScoredPrediction> = predictions.iter().collect();
    sorted.sort_by(|a, b| a.confidence.total_cmp(&b.confidence));
    let in_scope = sorted.iter().filter(|p| p.gold != oos_label).count();
    let oos = sorted.len() - in_scope;
    let mut in_scope_right =
        sorted.iter().filter(|p| p.gold != oos_label && p.predicted == p.gold).count() as f64;
    let mut oos_right =
        sorted.iter().filter(|p| p.gold == oos_label && p.predicted == oos_label).count() as f64;
    let score = |in_right: f64, oos_right: f64| {
        let accuracy = if in_scope == 0 { 0.0 } else { in_right / in_scope as f64 };
        let recall = if oos == 0 { 0.0 } else { oos_right / oos as f64 };
        (accuracy, accuracy + objective.oos_weight * recall)
    };
    let (base_accuracy, mut best_score) = score(in_scope_right, oos_right);
    let mut best = 0.0f32;
    let mut k = 0;
    while k < sorted.len() {
        // Move every example with this confidence below the threshold.
        let confidence = sorted[k].confidence;
        while k < sorted.len() && sorted[k].confidence == confidence {
            let p = sorted[k];
            if p.gold == oos_label {
                oos_right += f64::from(u8::from(p.predicted != oos_label));
            } else {
                in_scope_right -= f64::from(u8::from(p.predicted == p.gold));
            }
            k += 1;
        }
        let threshold = match sorted.get(k) {
            Some(next) => (confidence + next.confidence) / 2.0,
            None => confidence + (1.0 - confidence) / 2.0,
        };
        let (accuracy, value) = score(in_scope_right, oos_right);
        if base_accuracy - accuracy > objective.max_accuracy_loss + 1e-12 {
            // Accuracy only falls as the threshold rises.
            break;
        }
        if oos == 0 || value > best_score + 1e-12 {
            best_score = value;
            best = threshold;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(gold: &str, predicted: &str, confidence: f32) -> ScoredPrediction {
        ScoredPrediction { gold: gold.into(), predicted: predicted.into(), confidence }
    }

    #[test]
    fn metrics_follow_larson_et_al() {
        let predictions = [
            p("book", "book", 0.9),
            p("book", "cancel", 0.8),
            p("cancel", "cancel", 0.3), // below the threshold: counted as oos, wrong
            p("oos", "book", 0.2),      // below: oos, right
            p("oos", "oos", 0.9),       // explicit oos class, right
            p("oos", "cancel", 0.7),    // wrong
        ];
        let m = intent_metrics(&predictions, 0.5, "oos");
        assert_eq!((m.in_scope_examples, m.oos_examples), (3, 3));
        assert!((m.in_scope_accuracy - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.oos_recall, Some(2.0 / 3.0));
        assert_eq!(m.oos_precision, Some(2.0 / 3.0));
        // F1: book 2*1/(1+2)=0.667, cancel 0 (tp 0), oos 2*2/(3+3)=0.667.
        assert!((m.macro_f1 - (2.0 / 3.0 + 0.0 + 2.0 / 3.0) / 3.0).abs() < 1e-9);
        let none = intent_metrics(&predictions[..2], 0.0, "oos");
        assert_eq!(none.oos_recall, None);
        assert_eq!(none.oos_precision, None);
    }

    #[test]
    fn threshold_separates_confident_in_scope_from_unsure_oos() {
        let mut predictions = Vec::new();
        for i in 0..20 {
            predictions.push(p("a", "a", 0.6 + i as f32 * 0.01));
            predictions.push(p("oos", "a", 0.1 + i as f32 * 0.01));
        }
        let t = choose_threshold(&predictions, "oos", &ThresholdObjective::default());
        assert!(t > 0.29 && t < 0.6, "threshold {t}");
        let m = intent_metrics(&predictions, t, "oos");
        assert_eq!(m.in_scope_accuracy, 1.0);
        assert_eq!(m.oos_recall, Some(1.0));
    }

    #[test]
    fn without_oos_examples_the_threshold_keeps_accuracy() {
        let predictions: Vec<_> =
            (0..100).map(|i| p("a", if i < 10 { "b" } else { "a" }, i as f32 / 100.0)).collect();
        let objective = ThresholdObjective { oos_weight: 1.0, max_accuracy_loss: 0.05 };
        let t = choose_threshold(&predictions, "oos", &objective);
        let base = intent_metrics(&predictions, 0.0, "oos").in_scope_accuracy;
        let at = intent_metrics(&predictions, t, "oos").in_scope_accuracy;
        assert!(base - at <= 0.05 + 1e-9 && t > 0.1, "threshold {t}: {base} -> {at}");
        assert_eq!(choose_threshold(&[], "oos", &objective), 0.0);
    }
}
