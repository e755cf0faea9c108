//! A BERT encoder forward pass that works on packed tokens: the texts of a
//! batch are laid end to end, so the dense layers (nearly all the work)
//! never compute on padding. Only self-attention, which mixes tokens within
//! a text, runs on a padded view, and its cost is small for short texts.
//!
//! The weights and the arithmetic are those of BERT (as in Hugging Face
//! `BertModel` and candle-transformers' `bert`, which the tests compare
//! against); the output is the masked mean of each text's last-layer token
//! vectors, L2-normalised.

use candle_core::{CpuStorage, DType, Device, InplaceOp1, Layout, Module, Tensor, D};
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
    hidden: usize,
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
            hidden,
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
        // Row of the packed tokens for each padded slot (padding reads row 0
        // and is masked out), and padded slot of each packed token.
        let mut to_padded = Vec::with_capacity(batch * longest);
        let mut to_packed = Vec::with_capacity(total);
        let mut mask = Vec::with_capacity(batch * longest);
        let mut pooling = vec![0f32; batch * total];
        let mut start = 0;
        for (b, sequence) in sequences.iter().enumerate() {
            let len = sequence.len();
            ids.extend_from_slice(sequence);
            positions.extend(0..len as u32);
            for s in 0..longest {
                to_padded.push(if s < len { (start + s) as u32 } else { 0 });
                mask.push(if s < len { 0f32 } else { f32::MIN });
            }
            to_packed.extend((0..len).map(|s| (b * longest + s) as u32));
            pooling[b * total + start..b * total + start + len].fill(1.0 / len as f32);
            start += len;
        }
        let device = &self.device;
        let ids = Tensor::from_vec(ids, total, device)?;
        let positions = Tensor::from_vec(positions, total, device)?;
        let to_padded = Tensor::from_vec(to_padded, batch * longest, device)?;
        let to_packed = Tensor::from_vec(to_packed, total, device)?;
        let mask = Tensor::from_vec(mask, (batch, 1, 1, longest), device)?;
        let pooling = Tensor::from_vec(pooling, (batch, total), device)?;

        let embeddings = self
            .word_embeddings
            .index_select(&ids, 0)?
            .add(&self.position_embeddings.index_select(&positions, 0)?)?
            .broadcast_add(&self.token_type_embedding)?;
        let mut hidden = self.embedding_norm.forward(&embeddings)?;
        let scale = 1.0 / (self.head_size as f64).sqrt();
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&hidden)?;
            let padded = qkv.index_select(&to_padded, 0)?;
            let heads = |part: usize| -> candle_core::Result<Tensor> {
                padded
                    .narrow(1, part * self.hidden, self.hidden)?
                    .reshape((batch, longest, self.heads, self.head_size))?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let (query, key, value) = (heads(0)?, heads(1)?, heads(2)?);
            let scores = (query.matmul(&key.t()?)? * scale)?.broadcast_add(&mask)?;
            let probabilities = candle_nn::ops::softmax_last_dim(&scores)?;
            let context = probabilities
                .matmul(&value)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((batch * longest, self.hidden))?
                .index_select(&to_packed, 0)?;
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
