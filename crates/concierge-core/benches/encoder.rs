//! Speed of the sentence encoder at batch 1 (one message, as a bot parses
//! it) and batch 32 (training and bulk embedding).
//!
//! Runs all-MiniLM-L6-v2 when `scripts/fetch-model.sh` has put it in
//! `$CONCIERGE_MODEL_DIR` or `~/.cache/concierge/models/all-MiniLM-L6-v2`;
//! otherwise it says so and runs the tiny test encoder, which only checks
//! that the path works (its numbers say nothing about the real model).
//! Sentences are CLINC150's validation texts when `../shared/data` is
//! there, else a built-in list.

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::path::{Path, PathBuf};

use concierge_core::embedding::fixture::tiny_bert;
use concierge_core::embedding::{Embedder, MiniLm};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn model_dir() -> Option<PathBuf> {
    std::env::var_os("CONCIERGE_MODEL_DIR").map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/concierge/models/all-MiniLM-L6-v2"))
    })
}

fn encoder() -> (MiniLm, &'static str) {
    if let Some(dir) = model_dir() {
        match MiniLm::from_dir(&dir) {
            Ok(encoder) => return (encoder, "minilm"),
            Err(err) => eprintln!("encoder bench: {err}\nencoder bench: using the tiny test encoder instead"),
        }
    }
    let files = tiny_bert(1);
    let encoder = MiniLm::from_bytes(&files.config_json, &files.tokenizer_json, &files.safetensors)
        .expect("the tiny encoder loads");
    (encoder, "tiny")
}

fn sentences() -> Vec<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/clinc150/val.jsonl");
    let from_file: Option<Vec<String>> = std::fs::read_to_string(path).ok().and_then(|text| {
        text.lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line).ok()?;
                value["text"].as_str().map(str::to_owned)
            })
            .collect()
    });
    from_file.unwrap_or_else(|| {
        [
            "book a haircut tomorrow at 3pm",
            "what are your opening hours on saturday",
            "can i move my appointment to next friday",
            "how much is a colour",
            "cancel it",
            "do you have parking near the salon or should i take the bus",
            "hello",
            "i want to talk to a person",
        ]
        .iter()
        .cycle()
        .take(320)
        .map(|s| (*s).to_owned())
        .collect()
    })
}

fn encode(c: &mut Criterion) {
    let (encoder, name) = encoder();
    let sentences = sentences();
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    let mut group = c.benchmark_group(format!("encoder_{name}"));
    group.sample_size(10);
    let mut next = 0;
    group.throughput(Throughput::Elements(1));
    group.bench_function("batch_1", |b| {
        b.iter(|| {
            next = (next + 1) % texts.len();
            encoder.embed(&texts[next..next + 1]).expect("embeds")
        })
    });
    let batches: Vec<&[&str]> = texts.chunks_exact(32).take(20).collect();
    group.throughput(Throughput::Elements(32));
    let mut next = 0;
    group.bench_function("batch_32", |b| {
        b.iter(|| {
            next = (next + 1) % batches.len();
            encoder.embed(batches[next]).expect("embeds")
        })
    });
    group.finish();
}

criterion_group!(benches, encode);
criterion_main!(benches);
