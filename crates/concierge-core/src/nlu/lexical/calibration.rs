//! Making confidences mean what they say: a softmax temperature fitted on
//! out-of-fold predictions, so that "0.8" is right about 80% of the time even
//! when each intent has only a handful of examples.

use super::rng::SplitMix64;
use super::softmax::softmax_in_place;

/// Assigns each example to one of `folds` folds, spreading every class
/// evenly over them (stratified) in a seeded random order.
pub(crate) fn stratified_folds(labels: &[usize], classes: usize, folds: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64::new(seed);
    let mut by_class: Vec<Vec<usize>> = vec![Vec::new(); classes];
    for (i, &label) in labels.iter().enumerate() {
        by_class[label].push(i);
    }
    let mut assignment = vec![0; labels.len()];
    let mut next_fold = 0;
    for members in &mut by_class {
        rng.shuffle(members);
        for &i in members.iter() {
            assignment[i] = next_fold % folds;
            next_fold += 1;
        }
    }
    assignment
}

/// Mean negative log-likelihood of `labels` under `softmax(logits / temperature)`.
fn negative_log_likelihood(logits: &[Vec<f32>], labels: &[usize], temperature: f32) -> f64 {
    let mut total = 0.0f64;
    let mut buffer = Vec::new();
    for (row, &label) in logits.iter().zip(labels) {
        buffer.clear();
        buffer.extend(row.iter().map(|z| z / temperature));
        softmax_in_place(&mut buffer);
        total -= f64::from(buffer[label].max(1e-12)).ln();
    }
    total / logits.len().max(1) as f64
}

/// The temperature in `[0.05, 100]` that minimises the negative
/// log-likelihood of the held-out `labels` (golden-section search on its
/// logarithm; the likelihood is unimodal in the temperature).
pub(crate) fn fit_temperature(logits: &[Vec<f32>], labels: &[usize]) -> f32 {
    if logits.is_empty() {
        return 1.0;
    }
    let nll = |log_t: f64| negative_log_likelihood(logits, labels, log_t.exp() as f32);
    let (mut low, mut high) = (0.05f64.ln(), 100f64.ln());
    let ratio = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = high - ratio * (high - low);
    let mut b = low + ratio * (high - low);
    let (mut fa, mut fb) = (nll(a), nll(b));
    for _ in 0..40 {
        if fa < fb {
            high = b;
            b = a;
            fb = fa;
            a = high - ratio * (high - low);
            fa = nll(a);
        } else {
            low = a;
            a = b;
            fa = fb;
            b = low + ratio * (high - low);
            fb = nll(b);
        }
    }
    (((low + high) / 2.0).exp()) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_are_stratified() {
        let labels = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1];
        let folds = stratified_folds(&labels, 2, 2, 3);
        for class in 0..2 {
            let in_first = labels.iter().zip(&folds).filter(|(l, f)| **l == class && **f == 0).count();
            let total = labels.iter().filter(|l| **l == class).count();
            assert!(in_first * 2 >= total - 1 && in_first * 2 <= total + 1);
        }
    }

    #[test]
    fn overconfident_logits_get_a_high_temperature() {
        // Always very sure, right only 60% of the time: the fitted temperature
        // must soften the logits a lot.
        let logits: Vec<Vec<f32>> = (0..10).map(|_| vec![4.0, 0.0]).collect();
        let labels: Vec<usize> = (0..10).map(|i| usize::from(i >= 6)).collect();
        let t = fit_temperature(&logits, &labels);
        let mut p = vec![4.0 / t, 0.0];
        softmax_in_place(&mut p);
        assert!((p[0] - 0.6).abs() < 0.02, "p {p:?} at temperature {t}");
    }
}
