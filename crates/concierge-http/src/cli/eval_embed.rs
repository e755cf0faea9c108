//! `concierge eval embed`: throughput and latency of the sentence encoder.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use concierge_core::embedding::Embedder;
use serde::Serialize;

use super::encoder::load_encoder;
use super::Format;

/// Arguments of `concierge eval embed`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalEmbedArgs {
    /// Sentences to embed, one a line (JSON lines with a `text` field work too).
    #[arg(long)]
    sentences: PathBuf,
    /// Sentences per call to the encoder, as a caller would batch them.
    #[arg(long, default_value_t = 32)]
    batch: usize,
    /// Directory of the model files (default: $CONCIERGE_MODEL_DIR, else
    /// ~/.cache/concierge/models/all-MiniLM-L6-v2, where
    /// scripts/fetch-model.sh puts them).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// The report printed with `--format json`.
#[derive(Debug, Serialize)]
struct Report {
    sentences: usize,
    batch: usize,
    sentences_per_second: f64,
    p50_ms_batch1: f64,
}

fn read_sentences(path: &Path) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            if line.starts_with('{') {
                let value: serde_json::Value = serde_json::from_str(line)
                    .with_context(|| format!("{}:{}: invalid JSON", path.display(), i + 1))?;
                value["text"]
                    .as_str()
                    .map(str::to_owned)
                    .with_context(|| format!("{}:{}: no \"text\" field", path.display(), i + 1))
            } else {
                Ok(line.to_owned())
            }
        })
        .collect()
}

/// How many single sentences to time for the batch-1 latency.
const LATENCY_SAMPLES: usize = 300;

pub(crate) fn run(args: EvalEmbedArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.batch > 0, "--batch must be at least 1");
    let sentences = read_sentences(&args.sentences)?;
    anyhow::ensure!(!sentences.is_empty(), "{} holds no sentences", args.sentences.display());
    let encoder = load_encoder(args.model.as_deref())?;
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();

    // Warm up (allocations, thread pool), then time batches in file order.
    encoder.embed(&texts[..args.batch.min(texts.len())])?;
    let started = Instant::now();
    for chunk in texts.chunks(args.batch) {
        encoder.embed(chunk)?;
    }
    let sentences_per_second = texts.len() as f64 / started.elapsed().as_secs_f64();

    let mut latencies: Vec<f64> = texts
        .iter()
        .take(LATENCY_SAMPLES)
        .map(|text| {
            let started = Instant::now();
            encoder.embed(&[text]).map(|_| started.elapsed().as_secs_f64() * 1000.0)
        })
        .collect::<Result<_, _>>()?;
    latencies.sort_by(f64::total_cmp);
    let report = Report {
        sentences: texts.len(),
        batch: args.batch,
        sentences_per_second,
        p50_ms_batch1: latencies[latencies.len() / 2],
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string(&report)?),
        Format::Text => {
            outln!("sentences            {}", report.sentences);
            outln!("batch                {}", report.batch);
            outln!("sentences per second {:.1}", report.sentences_per_second);
            outln!("p50 batch 1          {:.2} ms", report.p50_ms_batch1);
        }
    }
    Ok(ExitCode::SUCCESS)
}
