//! A BERT encoder forward pass that works on packed tokens: the texts of a
//! batch are laid end to end, so no layer ever computes on padding. The
//! dense layers (nearly all the work) run over all tokens of the batch at
//! once; self-attention, which mixes tokens within a text, runs text by
//! text in one fused step (scores, softmax and weighted sum, with no
//! intermediate tensors), the texts spread over the cores.
//!
//! The weights and the arithmetic are those of BERT (as in Hugging Face
//! `BertModel` and candle-transformers' `bert`, which the tests compare
//! against); the output is the masked mean of each text's last-layer token
//! vectors, L2-normalised.

use candle_core::{CpuStorage, CustomOp1, DType, Device, InplaceOp1, Layout, Module, Shape, Tensor, D};
use candle_nn::{LayerNorm, Linear, VarBuilder};
use serde::Deserialize;

/// The fields of a Hugging Face BERT `config.json` the encoder uses.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub(crate) struct BertConfig {
    pub(crate) vocab_size: usize,
    pub(crate) hidden_size: usize,
    pub(crate) num_hidden_layers: usize,
    pub(crate) num_attention_heads: usize,
    pub(crate) intermediate_size: usize,
    pub(crate) hidden_act: String,
    pub(crate) max_position_embeddings: usize,
    pub(crate) type_vocab_size: usize,
    pub(crate) layer_norm_eps: f64,
    #[serde(default)]
    pub(crate) pad_token_id: usize,
    #[serde(default)]
    pub(crate) position_embedding_type: Option<String>,
}

impl BertConfig {
    /// Checks what the encoder supports, with a message for the user.
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.hidden_size == 0
            || self.num_attention_heads == 0
            || self.hidden_size % self.num_attention_heads != 0
        {
            return Err(format!(
                "hidden_size {} is not a positive multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if self.hidden_act != "gelu" {
            return Err(format!("hidden_act {:?} is not supported (only \"gelu\")", self.hidden_act));
        }
        match self.position_embedding_type.as_deref() {
            None | Some("absolute") => Ok(()),
            Some(other) => Err(format!("position_embedding_type {other:?} is not supported")),
        }
    }
}

struct Layer {
    /// Query, key and value projections in one matrix (3 x hidden rows).
    qkv: Linear,
    attention_output: Linear,
    attention_norm: LayerNorm,
    intermediate: Linear,
    output: Linear,
    output_norm: LayerNorm,
}

/// The BERT encoder with mean pooling.
pub(crate) struct BertEncoder {
    word_embeddings: Tensor,
    position_embeddings: Tensor,
    token_type_embedding: Tensor,
    embedding_norm: LayerNorm,
    layers: Vec<Layer>,
    heads: usize,
    head_size: usize,
    device: Device,
}

fn linear(vb: &VarBuilder<'_>, out: usize, inp: usize) -> candle_core::Result<Linear> {
    Ok(Linear::new(vb.get((out, inp), "weight")?, Some(vb.get(out, "bias")?)))
}

fn layer_norm(vb: &VarBuilder<'_>, size: usize, eps: f64) -> candle_core::Result<LayerNorm> {
    Ok(LayerNorm::new(vb.get(size, "weight")?, vb.get(size, "bias")?, eps))
}

impl BertEncoder {
    /// Loads the weights, named as in Hugging Face checkpoints (with or
    /// without a `bert.` prefix).
    pub(crate) fn load(vb: VarBuilder<'_>, config: &BertConfig) -> candle_core::Result<Self> {
        let vb = if vb.contains_tensor("embeddings.word_embeddings.weight") { vb } else { vb.pp("bert") };
        let (hidden, eps) = (config.hidden_size, config.layer_norm_eps);
        let embeddings = vb.pp("embeddings");
        let word_embeddings = embeddings.get((config.vocab_size, hidden), "word_embeddings.weight")?;
        let position_embeddings =
            embeddings.get((config.max_position_embeddings, hidden), "position_embeddings.weight")?;
        let token_type_embedding =
            embeddings.get((config.type_vocab_size, hidden), "token_type_embeddings.weight")?.get(0)?;
        let embedding_norm = layer_norm(&embeddings.pp("LayerNorm"), hidden, eps)?;
        let mut layers = Vec::with_capacity(config.num_hidden_layers);
        for index in 0..config.num_hidden_layers {
            let vb = vb.pp(format!("encoder.layer.{index}"));
            let attention = vb.pp("attention.self");
            let parts = ["query", "key", "value"].map(|part| linear(&attention.pp(part), hidden, hidden));
            let [query, key, value] = parts;
            let (query, key, value) = (query?, key?, value?);
            let qkv_weight = Tensor::cat(&[query.weight(), key.weight(), value.weight()], 0)?;
            let qkv_bias = match (query.bias(), key.bias(), value.bias()) {
                (Some(q), Some(k), Some(v)) => Tensor::cat(&[q, k, v], 0)?,
                _ => candle_core::bail!("attention projections without bias"),
            };
            layers.push(Layer {
                qkv: Linear::new(qkv_weight, Some(qkv_bias)),
                attention_output: linear(&vb.pp("attention.output.dense"), hidden, hidden)?,
                attention_norm: layer_norm(&vb.pp("attention.output.LayerNorm"), hidden, eps)?,
                intermediate: linear(&vb.pp("intermediate.dense"), config.intermediate_size, hidden)?,
                output: linear(&vb.pp("output.dense"), hidden, config.intermediate_size)?,
                output_norm: layer_norm(&vb.pp("output.LayerNorm"), hidden, eps)?,
            });
        }
        Ok(BertEncoder {
            word_embeddings,
            position_embeddings,
            token_type_embedding,
            embedding_norm,
            layers,
            heads: config.num_attention_heads,
            head_size: hidden / config.num_attention_heads,
            device: vb.device().clone(),
        })
    }

    /// Mean-pooled, L2-normalised vectors of token id sequences (each
    /// non-empty, special tokens included, no longer than the position
    /// table).
    pub(crate) fn embed(&self, sequences: &[&[u32]]) -> candle_core::Result<Vec<Vec<f32>>> {
        let batch = sequences.len();
        let longest = sequences.iter().map(|s| s.len()).max().unwrap_or(0);
        if batch == 0 || longest == 0 {
            candle_core::bail!("nothing to embed");
        }
        let total: usize = sequences.iter().map(|s| s.len()).sum();
        let mut ids = Vec::with_capacity(total);
        let mut positions = Vec::with_capacity(total);
        // Where each text's tokens start among the packed tokens, and its length.
        let mut spans = Vec::with_capacity(batch);
        let mut pooling = vec![0f32; batch * total];
        let mut start = 0;
        for (b, sequence) in sequences.iter().enumerate() {
            let len = sequence.len();
            ids.extend_from_slice(sequence);
            positions.extend(0..len as u32);
            spans.push((start, len));
            pooling[b * total + start..b * total + start + len].fill(1.0 / len as f32);
            start += len;
        }
        let device = &self.device;
        let ids = Tensor::from_vec(ids, total, device)?;
        let positions = Tensor::from_vec(positions, total, device)?;
        let pooling = Tensor::from_vec(pooling, (batch, total), device)?;

        let embeddings = self
            .word_embeddings
            .index_select(&ids, 0)?
            .add(&self.position_embeddings.index_select(&positions, 0)?)?
            .broadcast_add(&self.token_type_embedding)?;
        let mut hidden = self.embedding_norm.forward(&embeddings)?;
        let attention = PackedAttention {
            spans: &spans,
            heads: self.heads,
            head_size: self.head_size,
            scale: 1.0 / (self.head_size as f32).sqrt(),
        };
        for layer in &self.layers {
            let context = layer.qkv.forward(&hidden)?.apply_op1_no_bwd(&attention)?;
            let attended =
                layer.attention_norm.forward(&layer.attention_output.forward(&context)?.add(&hidden)?)?;
            let intermediate = layer.intermediate.forward(&attended)?;
            intermediate.inplace_op1(&GeluErf)?;
            hidden = layer.output_norm.forward(&layer.output.forward(&intermediate)?.add(&attended)?)?;
        }
        let mean = pooling.matmul(&hidden)?;
        let norms = mean.sqr()?.sum_keepdim(D::Minus1)?.sqrt()?.clamp(1e-12, f64::MAX)?;
        mean.broadcast_div(&norms)?.to_dtype(DType::F32)?.to_vec2()
    }
}

/// Multi-head self-attention over packed texts: takes the query, key and
/// value projections of every token side by side (`total x 3 hidden`) and
/// gives each token's attention output (`total x hidden`), each text
/// attending only to its own tokens.
struct PackedAttention<'a> {
    /// Start (among the packed tokens) and length of each text.
    spans: &'a [(usize, usize)],
    heads: usize,
    head_size: usize,
    /// `1 / sqrt(head_size)`.
    scale: f32,
}

impl PackedAttention<'_> {
    /// The attention output of one text: `qkv` holds its tokens' rows,
    /// `out` receives them.
    fn text(&self, qkv: &[f32], out: &mut [f32], len: usize) {
        let (heads, size) = (self.heads, self.head_size);
        let hidden = heads * size;
        let width = 3 * hidden;
        let mut weights = vec![0f32; len];
        for head in 0..heads {
            let query_at = head * size;
            let key_at = hidden + head * size;
            let value_at = 2 * hidden + head * size;
            for i in 0..len {
                let query = &qkv[i * width + query_at..][..size];
                let mut max = f32::NEG_INFINITY;
                for (j, weight) in weights.iter_mut().enumerate() {
                    let key = &qkv[j * width + key_at..][..size];
                    *weight = dot(query, key) * self.scale;
                    max = max.max(*weight);
                }
                let mut sum = 0.0;
                for weight in weights.iter_mut() {
                    *weight = (*weight - max).exp();
                    sum += *weight;
                }
                let output = &mut out[i * hidden + query_at..][..size];
                output.fill(0.0);
                for (j, weight) in weights.iter().enumerate() {
                    let value = &qkv[j * width + value_at..][..size];
                    let p = weight / sum;
                    output.iter_mut().zip(value).for_each(|(o, v)| *o += p * v);
                }
            }
        }
    }
}

/// The dot product of two equally long slices, in eight lanes (which the
/// compiler turns into vector instructions).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    let (a_chunks, b_chunks) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = a_chunks.remainder().iter().zip(b_chunks.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in a_chunks.zip(b_chunks) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    lanes.iter().sum::<f32>() + tail
}

impl CustomOp1 for PackedAttention<'_> {
    fn name(&self) -> &'static str {
        "packed-attention"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        use rayon::prelude::*;
        let CpuStorage::F32(values) = storage else {
            candle_core::bail!("{} supports f32 only", self.name());
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("{} needs a contiguous tensor", self.name());
        };
        let hidden = self.heads * self.head_size;
        let total: usize = self.spans.iter().map(|&(_, len)| len).sum();
        if layout.dims() != [total, 3 * hidden] {
            candle_core::bail!(
                "{}: expected {total} x {} values, got {:?}",
                self.name(),
                3 * hidden,
                layout.dims()
            );
        }
        let qkv = &values[start..end];
        let mut out = vec![0f32; total * hidden];
        // Each text's rows of the output, to fill in parallel.
        let mut texts = Vec::with_capacity(self.spans.len());
        let mut rest = out.as_mut_slice();
        for &(first, len) in self.spans {
            let (mine, others) = rest.split_at_mut(len * hidden);
            texts.push((&qkv[first * 3 * hidden..(first + len) * 3 * hidden], mine, len));
            rest = others;
        }
        texts.into_par_iter().for_each(|(qkv, out, len)| self.text(qkv, out, len));
        Ok((CpuStorage::F32(out), Shape::from((total, hidden))))
    }
}

/// GELU with the exact (erf) form, in place and on all cores. candle's own
/// `gelu_erf` runs on one core through a double-precision erf, which made
/// it the single most expensive step of the encoder.
struct GeluErf;

impl InplaceOp1 for GeluErf {
    fn name(&self) -> &'static str {
        "gelu-erf-inplace"
    }

    fn cpu_fwd(&self, storage: &mut CpuStorage, layout: &Layout) -> candle_core::Result<()> {
        use rayon::prelude::*;
        let CpuStorage::F32(values) = storage else {
            candle_core::bail!("{} supports f32 only", self.name());
        };
        let Some((start, end)) = layout.contiguous_offsets() else {
            candle_core::bail!("{} needs a contiguous tensor", self.name());
        };
        values[start..end]
            .par_chunks_mut(8192)
            .for_each(|chunk| chunk.iter_mut().for_each(|x| *x = gelu(*x)));
        Ok(())
    }
}

/// `x * (1 + erf(x / sqrt 2)) / 2`, with erf from Abramowitz and Stegun
/// 7.1.26 (absolute error below 1.5e-7).
#[inline]
fn gelu(x: f32) -> f32 {
    let z = (x * std::f32::consts::FRAC_1_SQRT_2).abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * z);
    let poly =
        t * (0.254_829_6 + t * (-0.284_496_74 + t * (1.421_413_7 + t * (-1.453_152_1 + t * 1.061_405_4))));
    let erf_abs = 1.0 - poly * (-z * z).exp();
    let erf = if x < 0.0 { -erf_abs } else { erf_abs };
    0.5 * x * (1.0 + erf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Attention of one text computed the textbook way with tensor ops.
    fn attention_by_matrices(qkv: &Tensor, heads: usize, size: usize) -> Tensor {
        let (len, _) = qkv.dims2().unwrap();
        let hidden = heads * size;
        let part = |i: usize| {
            qkv.narrow(1, i * hidden, hidden)
                .unwrap()
                .reshape((len, heads, size))
                .unwrap()
                .transpose(0, 1)
                .unwrap()
                .contiguous()
                .unwrap()
        };
        let (query, key, value) = (part(0), part(1), part(2));
        let scores = (query.matmul(&key.t().unwrap()).unwrap() / (size as f64).sqrt()).unwrap();
        let probabilities = candle_nn::ops::softmax_last_dim(&scores).unwrap();
        probabilities.matmul(&value).unwrap().transpose(0, 1).unwrap().reshape((len, hidden)).unwrap()
    }

    #[test]
    fn packed_attention_matches_attention_text_by_text() {
        let (heads, size) = (3, 10);
        let spans = [(0, 1), (1, 6), (7, 2), (9, 4)];
        let total = 13;
        let values: Vec<f32> =
            (0..total * 3 * heads * size).map(|i| ((i * 7919) % 1000) as f32 / 250.0 - 2.0).collect();
        let qkv = Tensor::from_vec(values, (total, 3 * heads * size), &Device::Cpu).unwrap();
        let attention =
            PackedAttention { spans: &spans, heads, head_size: size, scale: 1.0 / (size as f32).sqrt() };
        let packed = qkv.apply_op1_no_bwd(&attention).unwrap();
        assert_eq!(packed.dims(), [total, heads * size]);
        for (start, len) in spans {
            let expected = attention_by_matrices(&qkv.narrow(0, start, len).unwrap(), heads, size);
            let got = packed.narrow(0, start, len).unwrap();
            let difference: f32 =
                (got - expected).unwrap().abs().unwrap().max_all().unwrap().to_scalar().unwrap();
            assert!(difference < 1e-5, "text at {start}: {difference}");
        }
        // A tensor of another shape than the spans say is refused, not read out of bounds.
        let short = qkv.narrow(0, 0, 5).unwrap();
        assert!(short.apply_op1_no_bwd(&attention).is_err());
    }

    #[test]
    fn gelu_matches_the_erf_definition() {
        // Reference values of x * Phi(x), Phi the standard normal CDF.
        let cases = [
            (-3.0f32, -0.004_049_69),
            (-1.0, -0.158_655_25),
            (-0.1, -0.046_017_2),
            (0.0, 0.0),
            (0.5, 0.345_731_37),
            (1.0, 0.841_344_7),
            (2.5, 2.484_475_8),
        ];
        for (x, expected) in cases {
            assert!((gelu(x) - expected).abs() < 2e-6, "gelu({x}) = {} not {expected}", gelu(x));
        }
    }
}
