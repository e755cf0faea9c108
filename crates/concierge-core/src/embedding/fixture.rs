//! A tiny, randomly initialised BERT with a tiny WordPiece vocabulary, in
//! the file formats of all-MiniLM-L6-v2, so tests and benches (here and in
//! the crates around the core) can load and run a real encoder without
//! downloading the model. Its vectors carry no meaning.
//!
//! Behind the `test-fixtures` cargo feature (with `embedding`), which crates
//! turn on only as a dev-dependency: [`TinyBert::write_to`] writes files.

use std::fmt::Write as _;

/// Words of the fixture's vocabulary (after the special tokens).
pub const WORDS: &[&str] = &[
    "book",
    "a",
    "haircut",
    "tomorrow",
    "cancel",
    "my",
    "appointment",
    "what",
    "are",
    "your",
    "opening",
    "hours",
    "price",
    "of",
    "colour",
    "please",
    "thanks",
    "hello",
    "the",
    "for",
    "##s",
    "##ing",
];

/// Hidden size of the fixture model.
pub const HIDDEN: usize = 16;

/// The three files of a tiny BERT encoder, as [`super::MiniLm::from_bytes`]
/// takes them (and `from_dir` reads them, under their usual names).
#[derive(Debug, Clone)]
pub struct TinyBert {
    /// `config.json`.
    pub config_json: Vec<u8>,
    /// `tokenizer.json`.
    pub tokenizer_json: Vec<u8>,
    /// `model.safetensors`.
    pub safetensors: Vec<u8>,
}

impl TinyBert {
    /// Writes the files into `dir` (created if needed) as
    /// `scripts/fetch-model.sh` would leave the real model's.
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join("config.json"), &self.config_json)?;
        std::fs::write(dir.join("tokenizer.json"), &self.tokenizer_json)?;
        std::fs::write(dir.join("model.safetensors"), &self.safetensors)
    }
}

/// Builds the fixture; `seed` chooses the random weights.
pub fn tiny_bert(seed: u64) -> TinyBert {
    let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"];
    let vocab_size = specials.len() + WORDS.len();
    let (layers, intermediate, max_positions) = (2, 32, 64);
    let config = serde_json::json!({
        "architectures": ["BertModel"],
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "hidden_size": HIDDEN,
        "initializer_range": 0.02,
        "intermediate_size": intermediate,
        "layer_norm_eps": 1e-12,
        "max_position_embeddings": max_positions,
        "model_type": "bert",
        "num_attention_heads": 4,
        "num_hidden_layers": layers,
        "pad_token_id": 0,
        "position_embedding_type": "absolute",
        "type_vocab_size": 2,
        "vocab_size": vocab_size,
    });
    let vocab: serde_json::Map<String, serde_json::Value> = specials
        .iter()
        .chain(WORDS)
        .enumerate()
        .map(|(id, token)| ((*token).to_owned(), id.into()))
        .collect();
    let added: Vec<serde_json::Value> = specials
        .iter()
        .enumerate()
        .map(|(id, token)| {
            serde_json::json!({"id": id, "content": token, "single_word": false, "lstrip": false,
                "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    // Like the shipped tokenizer, this one pads every text to a fixed
    // length, which the encoder must override.
    let tokenizer = serde_json::json!({
        "version": "1.0",
        "truncation": {"max_length": 16, "strategy": "LongestFirst", "stride": 0},
        "padding": {"strategy": {"Fixed": 16}, "direction": "Right", "pad_to_multiple_of": null,
            "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
        "added_tokens": added,
        "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
            "strip_accents": null, "lowercase": true},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
        "decoder": null,
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab},
    });

    let mut rng = seed ^ 0x7e57;
    let mut tensors: Vec<(String, Vec<usize>, Vec<f32>)> = Vec::new();
    let mut random = |name: String, shape: Vec<usize>, scale: f32| {
        let values = (0..shape.iter().product::<usize>()).map(|_| scale * uniform(&mut rng)).collect();
        tensors.push((name, shape, values));
    };
    random("embeddings.word_embeddings.weight".into(), vec![vocab_size, HIDDEN], 1.0);
    random("embeddings.position_embeddings.weight".into(), vec![max_positions, HIDDEN], 0.3);
    random("embeddings.token_type_embeddings.weight".into(), vec![2, HIDDEN], 0.1);
    let linear = |random: &mut dyn FnMut(String, Vec<usize>, f32), name: &str, out: usize, inp: usize| {
        random(format!("{name}.weight"), vec![out, inp], 1.0 / (inp as f32).sqrt());
        random(format!("{name}.bias"), vec![out], 0.1);
    };
    for layer in 0..layers {
        let p = format!("encoder.layer.{layer}");
        for part in ["query", "key", "value"] {
            linear(&mut random, &format!("{p}.attention.self.{part}"), HIDDEN, HIDDEN);
        }
        linear(&mut random, &format!("{p}.attention.output.dense"), HIDDEN, HIDDEN);
        linear(&mut random, &format!("{p}.intermediate.dense"), intermediate, HIDDEN);
        linear(&mut random, &format!("{p}.output.dense"), HIDDEN, intermediate);
    }
    let mut norms = vec!["embeddings.LayerNorm".to_owned()];
    for layer in 0..layers {
        norms.push(format!("encoder.layer.{layer}.attention.output.LayerNorm"));
        norms.push(format!("encoder.layer.{layer}.output.LayerNorm"));
    }
    for norm in norms {
        tensors.push((format!("{norm}.weight"), vec![HIDDEN], vec![1.0; HIDDEN]));
        tensors.push((format!("{norm}.bias"), vec![HIDDEN], vec![0.0; HIDDEN]));
    }
    TinyBert {
        config_json: serde_json::to_vec(&config).expect("a JSON value serialises"),
        tokenizer_json: serde_json::to_vec(&tokenizer).expect("a JSON value serialises"),
        safetensors: safetensors_bytes(&tensors),
    }
}

/// A value in [-1, 1) from a SplitMix64 state.
fn uniform(state: &mut u64) -> f32 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    (z >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

/// The safetensors format: an 8-byte little-endian header length, a JSON
/// header of names, dtypes, shapes and byte offsets, then the raw data.
fn safetensors_bytes(tensors: &[(String, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
    let mut header = String::from("{");
    let mut offset = 0;
    for (i, (name, shape, values)) in tensors.iter().enumerate() {
        let end = offset + values.len() * 4;
        let shape: Vec<String> = shape.iter().map(usize::to_string).collect();
        let comma = if i == 0 { "" } else { "," };
        write!(
            header,
            "{comma}\"{name}\":{{\"dtype\":\"F32\",\"shape\":[{}],\"data_offsets\":[{offset},{end}]}}",
            shape.join(",")
        )
        .expect("writing to a String cannot fail");
        offset = end;
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    for (_, _, values) in tensors {
        for value in values {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
    }
    bytes
}
