//! Measures the MiniLM encoder and the embedding intent classifier with the
//! real model (fetch it first with `scripts/fetch-model.sh`).
//!
//! ```text
//! cargo run --release -p concierge-core --features embedding --example eval_embedding -- \
//!     speed --sentences FILE [--batch 32] [--model DIR]
//! cargo run ... -- vectors [--model DIR] < lines.txt      # JSON lines of embeddings
//! cargo run ... -- intents --train FILE[,FILE] (--test FILE | --holdout 0.2) \
//!     [--oos-label oos] [--explicit-oos true] [--seed 7] [--epochs 30] ...
//! ```
//!
//! `intents` trains the embedding classifier and reports in-scope accuracy
//! and out-of-scope recall at the threshold chosen by cross-validation on
//! the training examples. `--holdout SHARE` cuts a random (seeded) share of
//! the training file off as the test set, for data sets without a test file.
//!
//! `--model` defaults to `$CONCIERGE_MODEL_DIR`, else
//! `$HOME/.cache/concierge/models/all-MiniLM-L6-v2`. Sentence files are one
//! sentence a line, or JSON lines with a `text` field.

use std::collections::HashMap;
use std::error::Error;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::time::Instant;

use std::sync::Arc;

use concierge_core::embedding::{Embedder, MiniLm};
use concierge_core::nlu::embedding_classifier::{EmbeddingClassifier, EmbeddingClassifierConfig};
use concierge_core::nlu::TrainingExample;

type Outcome = Result<(), Box<dyn Error>>;

fn main() -> Outcome {
    let mut args = std::env::args().skip(1);
    let mode = args.next().ok_or("usage: eval_embedding speed|vectors [--flag value]...")?;
    let mut flags: HashMap<String, String> = HashMap::new();
    while let Some(flag) = args.next() {
        let name = flag.strip_prefix("--").ok_or(format!("unexpected argument {flag}"))?;
        let value = args.next().ok_or(format!("--{name} needs a value"))?;
        flags.insert(name.to_owned(), value);
    }
    let model_dir = flags
        .get("model")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("CONCIERGE_MODEL_DIR").map(PathBuf::from))
        .or_else(|| {
            std::env::var_os("HOME")
                .map(|home| PathBuf::from(home).join(".cache/concierge/models/all-MiniLM-L6-v2"))
        })
        .ok_or("no model directory: pass --model")?;
    let started = Instant::now();
    let encoder = MiniLm::from_dir(&model_dir)?;
    eprintln!("loaded {} in {:.2}s", model_dir.display(), started.elapsed().as_secs_f64());
    match mode.as_str() {
        "speed" => speed(&encoder, &flags),
        "vectors" => vectors(&encoder),
        "intents" => intents(encoder, &flags),
        other => Err(format!("unknown mode {other}").into()),
    }
}

fn read_sentences(path: &str) -> Result<Vec<String>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut sentences = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        if line.starts_with('{') {
            let value: serde_json::Value = serde_json::from_str(line)?;
            let text = value["text"].as_str().ok_or("JSON line without a text field")?;
            sentences.push(text.to_owned());
        } else {
            sentences.push(line.to_owned());
        }
    }
    Ok(sentences)
}

fn speed(encoder: &MiniLm, flags: &HashMap<String, String>) -> Outcome {
    let path = flags.get("sentences").ok_or("--sentences FILE is required")?;
    let batch: usize = flags.get("batch").map_or(Ok(32), |b| b.parse())?;
    let sentences = read_sentences(path)?;
    let texts: Vec<&str> = sentences.iter().map(String::as_str).collect();
    // Warm up.
    encoder.embed(&texts[..batch.min(texts.len())])?;
    let started = Instant::now();
    for chunk in texts.chunks(batch) {
        encoder.embed(chunk)?;
    }
    let seconds = started.elapsed().as_secs_f64();
    let singles = texts.len().min(300);
    let mut latencies = Vec::with_capacity(singles);
    for text in &texts[..singles] {
        let started = Instant::now();
        encoder.embed(&[text])?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    let report = serde_json::json!({
        "sentences": texts.len(),
        "batch": batch,
        "sentences_per_second": texts.len() as f64 / seconds,
        "p50_ms_batch1": latencies[latencies.len() / 2],
    });
    println!("{report}");
    Ok(())
}

fn vectors(encoder: &MiniLm) -> Outcome {
    let lines: Vec<String> = std::io::stdin().lock().lines().collect::<Result<_, _>>()?;
    let texts: Vec<&str> = lines.iter().map(String::as_str).collect();
    let vectors = encoder.embed(&texts)?;
    let mut out = std::io::stdout().lock();
    for (text, vector) in texts.iter().zip(vectors) {
        writeln!(out, "{}", serde_json::json!({ "text": text, "embedding": vector }))?;
    }
    Ok(())
}

fn read_examples(path: &str) -> Result<Vec<TrainingExample>, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)?;
    let mut examples = Vec::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        examples.push(serde_json::from_str(line)?);
    }
    Ok(examples)
}

/// Splits `examples` into (train, held out) with a seeded shuffle.
fn holdout(
    mut examples: Vec<TrainingExample>,
    share: f64,
    seed: u64,
) -> (Vec<TrainingExample>, Vec<TrainingExample>) {
    let mut state = seed;
    for i in (1..examples.len()).rev() {
        // SplitMix64.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        examples.swap(i, (z % (i as u64 + 1)) as usize);
    }
    let cut = examples.len() - (examples.len() as f64 * share).round() as usize;
    let test = examples.split_off(cut);
    (examples, test)
}

/// An embedder that remembers vectors in a file between runs, so that
/// trying head settings does not re-run the encoder (`--cache FILE`).
struct CachedEmbedder {
    inner: MiniLm,
    path: Option<PathBuf>,
    vectors: std::sync::Mutex<HashMap<String, Vec<f32>>>,
}

impl CachedEmbedder {
    fn open(inner: MiniLm, path: Option<PathBuf>) -> Result<Self, Box<dyn Error>> {
        let mut vectors = HashMap::new();
        if let Some(bytes) = path.as_ref().and_then(|p| std::fs::read(p).ok()) {
            let mut rest = bytes.as_slice();
            let take = |rest: &mut &[u8], n: usize| -> Result<Vec<u8>, Box<dyn Error>> {
                if rest.len() < n {
                    return Err("truncated cache".into());
                }
                let (head, tail) = rest.split_at(n);
                *rest = tail;
                Ok(head.to_vec())
            };
            while !rest.is_empty() {
                let len =
                    u32::from_le_bytes(take(&mut rest, 4)?.try_into().map_err(|_| "bad cache")?) as usize;
                let text = String::from_utf8(take(&mut rest, len)?)?;
                let dim =
                    u32::from_le_bytes(take(&mut rest, 4)?.try_into().map_err(|_| "bad cache")?) as usize;
                let raw = take(&mut rest, dim * 4)?;
                let vector =
                    raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
                vectors.insert(text, vector);
            }
        }
        Ok(CachedEmbedder { inner, path, vectors: std::sync::Mutex::new(vectors) })
    }

    fn save(&self) -> Outcome {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let vectors = self.vectors.lock().map_err(|_| "poisoned")?;
        let mut bytes = Vec::new();
        for (text, vector) in vectors.iter() {
            bytes.extend_from_slice(&(text.len() as u32).to_le_bytes());
            bytes.extend_from_slice(text.as_bytes());
            bytes.extend_from_slice(&(vector.len() as u32).to_le_bytes());
            for v in vector {
                bytes.extend_from_slice(&v.to_le_bytes());
            }
        }
        std::fs::write(path, bytes)?;
        Ok(())
    }
}

impl Embedder for CachedEmbedder {
    fn embed(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, concierge_core::embedding::EmbedError> {
        let missing: Vec<&str> = {
            let vectors = self.vectors.lock().expect("cache lock");
            let mut seen = std::collections::HashSet::new();
            texts.iter().copied().filter(|t| !vectors.contains_key(*t) && seen.insert(*t)).collect()
        };
        let fresh = self.inner.embed(&missing)?;
        let mut vectors = self.vectors.lock().expect("cache lock");
        for (text, vector) in missing.iter().zip(fresh) {
            vectors.insert((*text).to_owned(), vector);
        }
        Ok(texts.iter().map(|t| vectors[*t].clone()).collect())
    }

    fn dimension(&self) -> usize {
        self.inner.dimension()
    }
}

fn intents(encoder: MiniLm, flags: &HashMap<String, String>) -> Outcome {
    let encoder = Arc::new(CachedEmbedder::open(encoder, flags.get("cache").map(PathBuf::from))?);
    let mut train = Vec::new();
    for path in flags.get("train").ok_or("--train FILE is required")?.split(',') {
        train.extend(read_examples(path)?);
    }
    let seed: u64 = flags.get("seed").map_or(Ok(7), |s| s.parse())?;
    let (train, test) = match (flags.get("test"), flags.get("holdout")) {
        (Some(path), _) => (train, read_examples(path)?),
        (None, Some(share)) => holdout(train, share.parse()?, seed),
        (None, None) => return Err("pass --test FILE or --holdout SHARE".into()),
    };
    let mut config = EmbeddingClassifierConfig::default();
    if let Some(label) = flags.get("oos-label") {
        config.oos_label = Some(label.clone());
    }
    if let Some(v) = flags.get("explicit-oos") {
        config.explicit_oos_class = v.parse()?;
    }
    if let Some(v) = flags.get("epochs") {
        config.epochs = v.parse()?;
    }
    if let Some(v) = flags.get("lr") {
        config.learning_rate = v.parse()?;
    }
    if let Some(v) = flags.get("weight-decay") {
        config.weight_decay = v.parse()?;
    }
    if let Some(v) = flags.get("folds") {
        config.folds = v.parse()?;
    }
    if let Some(v) = flags.get("ngrams") {
        config.ngrams = v.parse()?;
    }
    if let Some(v) = flags.get("oos-weight") {
        config.oos_weight = v.parse()?;
    }
    if let Some(v) = flags.get("batch-size") {
        config.batch_size = v.parse()?;
    }
    let oos_label = config.oos_label.clone().unwrap_or_default();
    let started = Instant::now();
    let classifier = EmbeddingClassifier::train(encoder.clone(), &train, &config)?;
    let train_seconds = started.elapsed().as_secs_f64();
    let texts: Vec<&str> = test.iter().map(|e| e.text.as_str()).collect();
    let rankings = classifier.classify_many(&texts)?;
    encoder.save()?;
    let threshold = classifier.threshold();
    let (mut in_scope, mut in_right, mut in_right_no_threshold, mut oos, mut oos_right) =
        (0usize, 0usize, 0usize, 0usize, 0usize);
    for (example, ranking) in test.iter().zip(&rankings) {
        let top = &ranking[0];
        let said = if top.confidence < threshold { oos_label.as_str() } else { top.intent.as_str() };
        if example.intent == oos_label {
            oos += 1;
            oos_right += usize::from(said == oos_label);
        } else {
            in_scope += 1;
            in_right += usize::from(said == example.intent);
            in_right_no_threshold += usize::from(top.intent == example.intent);
        }
    }
    let at = |threshold: f32| {
        let (mut in_right, mut oos_right) = (0usize, 0usize);
        for (example, ranking) in test.iter().zip(&rankings) {
            let top = &ranking[0];
            let said = if top.confidence < threshold { oos_label.as_str() } else { top.intent.as_str() };
            if example.intent == oos_label {
                oos_right += usize::from(said == oos_label);
            } else {
                in_right += usize::from(said == example.intent);
            }
        }
        serde_json::json!([
            threshold,
            in_right as f64 / in_scope.max(1) as f64,
            oos_right as f64 / oos.max(1) as f64
        ])
    };
    let sweep: Vec<_> = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7].into_iter().map(at).collect();
    let report = serde_json::json!({
        "sweep_threshold_accuracy_recall": sweep,
        "ngram_weight": classifier.ngram_weight(),
        "train_examples": train.len(),
        "test_examples": test.len(),
        "in_scope_accuracy": in_right as f64 / in_scope.max(1) as f64,
        "in_scope_accuracy_without_threshold": in_right_no_threshold as f64 / in_scope.max(1) as f64,
        "oos_recall": if oos == 0 { None } else { Some(oos_right as f64 / oos as f64) },
        "threshold": threshold,
        "temperature": classifier.temperature(),
        "train_seconds": train_seconds,
    });
    println!("{report}");
    Ok(())
}
