//! Multinomial logistic regression over sparse features, trained by
//! stochastic gradient descent with L2 regularisation.
//!
//! Weights are stored feature-major (one row of class weights per feature),
//! so scoring a message touches only the rows of the features it has.

use super::features::SparseVector;
use super::rng::SplitMix64;

/// How the model is fitted.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SgdSettings {
    pub(crate) epochs: usize,
    pub(crate) learning_rate: f32,
    pub(crate) l2: f32,
    pub(crate) seed: u64,
}

/// A trained linear model: `logits = W x + b`.
#[derive(Debug, Clone)]
pub(crate) struct SoftmaxModel {
    classes: usize,
    weights: Vec<f32>,
    bias: Vec<f32>,
}

impl SoftmaxModel {
    /// Fits a model to `inputs` labelled `labels` (class indices below `classes`).
    pub(crate) fn train(
        inputs: &[SparseVector],
        labels: &[usize],
        features: usize,
        classes: usize,
        settings: &SgdSettings,
    ) -> SoftmaxModel {
        let mut weights = vec![0.0f32; features * classes];
        let mut bias = vec![0.0f32; classes];
        // The true weights are `scale * weights`, so L2 decay costs O(1) a step.
        let mut scale: f64 = 1.0;
        let mut order: Vec<usize> = (0..inputs.len()).collect();
        let mut rng = SplitMix64::new(settings.seed);
        let mut logits = vec![0.0f32; classes];
        let mut active: Vec<(usize, f32)> = Vec::with_capacity(classes);
        let eta0 = f64::from(settings.learning_rate);
        let l2 = f64::from(settings.l2);
        let mut step: f64 = 0.0;
        for _ in 0..settings.epochs {
            rng.shuffle(&mut order);
            for &i in &order {
                let x = &inputs[i];
                let y = labels[i];
                let eta = eta0 / (1.0 + eta0 * l2 * step);
                step += 1.0;
                scores(&weights, &bias, classes, scale as f32, x, &mut logits);
                softmax_in_place(&mut logits);
                // Gradient of the loss with respect to the logits: p - onehot(y).
                logits[y] -= 1.0;
                active.clear();
                active
                    .extend(logits.iter().enumerate().filter(|(_, g)| g.abs() > 1e-4).map(|(c, &g)| (c, g)));
                scale *= 1.0 - eta * l2;
                if scale < 1e-4 {
                    for w in weights.iter_mut() {
                        *w *= scale as f32;
                    }
                    scale = 1.0;
                }
                let step_size = (eta / scale) as f32;
                for &(f, value) in x {
                    let row = &mut weights[f as usize * classes..(f as usize + 1) * classes];
                    let coefficient = step_size * value;
                    if active.len() * 4 > classes {
                        for (w, g) in row.iter_mut().zip(logits.iter()) {
                            *w -= coefficient * g;
                        }
                    } else {
                        for &(c, g) in &active {
                            row[c] -= coefficient * g;
                        }
                    }
                }
                for &(c, g) in &active {
                    bias[c] -= eta as f32 * g;
                }
            }
        }
        for w in weights.iter_mut() {
            *w *= scale as f32;
        }
        SoftmaxModel { classes, weights, bias }
    }

    /// The model's logits for `x`, written into `out` (one per class).
    pub(crate) fn logits(&self, x: &SparseVector, out: &mut [f32]) {
        scores(&self.weights, &self.bias, self.classes, 1.0, x, out);
    }

    /// How many classes the model scores.
    pub(crate) fn classes(&self) -> usize {
        self.classes
    }
}

fn scores(weights: &[f32], bias: &[f32], classes: usize, scale: f32, x: &SparseVector, out: &mut [f32]) {
    out.fill(0.0);
    for &(f, value) in x {
        let row = &weights[f as usize * classes..(f as usize + 1) * classes];
        for (o, w) in out.iter_mut().zip(row) {
            *o += value * w;
        }
    }
    for (o, b) in out.iter_mut().zip(bias) {
        *o = *o * scale + b;
    }
}

/// Replaces logits by their softmax probabilities.
pub(crate) fn softmax_in_place(values: &mut [f32]) {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        let uniform = 1.0 / values.len().max(1) as f32;
        values.fill(uniform);
        return;
    }
    let mut sum = 0.0;
    for v in values.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in values.iter_mut() {
        *v /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_sums_to_one_and_survives_infinities() {
        let mut v = [1.0, 2.0, 3.0];
        softmax_in_place(&mut v);
        assert!((v.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(v[2] > v[1] && v[1] > v[0]);
        let mut bad = [f32::NEG_INFINITY, f32::NEG_INFINITY];
        softmax_in_place(&mut bad);
        assert_eq!(bad, [0.5, 0.5]);
    }

    #[test]
    fn learns_a_separable_problem() {
        // Feature 0 means class 0, feature 1 means class 1, feature 2 is noise.
        let inputs = vec![vec![(0, 0.8), (2, 0.6)], vec![(1, 0.8), (2, 0.6)], vec![(0, 1.0)], vec![(1, 1.0)]];
        let labels = vec![0, 1, 0, 1];
        let settings = SgdSettings { epochs: 30, learning_rate: 0.5, l2: 1e-4, seed: 7 };
        let model = SoftmaxModel::train(&inputs, &labels, 3, 2, &settings);
        let mut out = [0.0; 2];
        model.logits(&vec![(0, 1.0)], &mut out);
        assert!(out[0] > out[1] + 1.0, "{out:?}");
        model.logits(&vec![(1, 0.7), (2, 0.7)], &mut out);
        assert!(out[1] > out[0] + 1.0, "{out:?}");
    }
}
