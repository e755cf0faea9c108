//! `concierge eval intents`: trains a classifier on JSON-lines files and
//! reports accuracy, out-of-scope detection and speed on a test file.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use concierge_core::nlu::embedding_classifier::{EmbeddingClassifier, EmbeddingClassifierConfig};
use concierge_core::nlu::evaluation::{
    choose_threshold, intent_metrics, ScoredPrediction, ThresholdObjective,
};
use concierge_core::nlu::{IntentClassifier, IntentScore, LexicalClassifier, LexicalConfig, TrainingExample};
use serde::Serialize;

use super::encoder::load_encoder;
use super::Format;

/// Arguments of `concierge eval intents`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalIntentsArgs {
    /// Training data, JSON lines `{"text","intent"}`; repeatable.
    #[arg(long, required = true)]
    train: Vec<PathBuf>,
    /// Validation data used to choose the out-of-scope threshold (default:
    /// cross-validation on the training data; no threshold when the training
    /// data has no out-of-scope examples).
    #[arg(long)]
    val: Option<PathBuf>,
    /// Test data.
    #[arg(long)]
    test: PathBuf,
    /// The label of out-of-scope examples.
    #[arg(long, default_value = "oos")]
    oos_label: String,
    /// Which classifier to train: `lexical` or `embedding`.
    #[arg(long, default_value = "lexical")]
    classifier: String,
    /// Directory of the sentence encoder for `--classifier embedding`
    /// (default: $CONCIERGE_MODEL_DIR, else the cache scripts/fetch-model.sh
    /// fills).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Threshold and classifier settings, for tuning.
    #[command(flatten)]
    tuning: Box<Tuning>,
}

/// Settings of `concierge eval intents` that override the defaults.
#[derive(Debug, clap::Args)]
struct Tuning {
    /// Use this out-of-scope threshold instead of choosing one.
    #[arg(long)]
    threshold: Option<f32>,
    /// Weight of out-of-scope recall against in-scope accuracy when choosing
    /// the threshold (default: the classifier's own).
    #[arg(long)]
    oos_weight: Option<f64>,
    /// The most in-scope accuracy the chosen threshold may cost, a share
    /// (default: the classifier's own).
    #[arg(long)]
    max_accuracy_loss: Option<f64>,
    /// Embedding classifier: leave out the word and character n-gram head.
    #[arg(long)]
    no_ngrams: bool,
    /// Lexical classifier: SGD epochs.
    #[arg(long)]
    epochs: Option<usize>,
    /// Lexical classifier: initial SGD step size.
    #[arg(long)]
    learning_rate: Option<f32>,
    /// Lexical classifier: L2 regularisation.
    #[arg(long)]
    l2: Option<f32>,
    /// Lexical classifier: weight of character n-grams against words.
    #[arg(long)]
    char_weight: Option<f32>,
    /// Lexical classifier: smallest and largest character n-gram, as `MIN,MAX`.
    #[arg(long, value_parser = parse_range)]
    char_ngrams: Option<(usize, usize)>,
    /// Lexical classifier: features must occur in this many training messages.
    #[arg(long)]
    min_count: Option<u32>,
    /// Lexical classifier: calibration folds (below 2: none).
    #[arg(long)]
    calibration_folds: Option<usize>,
}

impl Tuning {
    fn lexical_config(&self) -> LexicalConfig {
        let mut config = LexicalConfig::default();
        if let Some(v) = self.epochs {
            config.epochs = v;
        }
        if let Some(v) = self.learning_rate {
            config.learning_rate = v;
        }
        if let Some(v) = self.l2 {
            config.l2 = v;
        }
        if let Some(v) = self.char_weight {
            config.char_weight = v;
        }
        if let Some(v) = self.char_ngrams {
            config.char_ngrams = v;
        }
        if let Some(v) = self.min_count {
            config.min_count = Some(v);
        }
        if let Some(v) = self.calibration_folds {
            config.calibration_folds = v;
        }
        config
    }

    fn embedding_config(&self, oos_label: &str) -> EmbeddingClassifierConfig {
        let mut config =
            EmbeddingClassifierConfig { oos_label: Some(oos_label.to_owned()), ..Default::default() };
        if let Some(v) = self.oos_weight {
            config.oos_weight = v;
        }
        if let Some(v) = self.max_accuracy_loss {
            config.max_accuracy_loss = v;
        }
        if let Some(v) = self.epochs {
            config.epochs = v;
        }
        if let Some(v) = self.learning_rate {
            config.learning_rate = f64::from(v);
        }
        config.ngrams = !self.no_ngrams;
        config
    }

    /// The objective of thresholds chosen here (lexical cross-validation,
    /// `--val`): the flags, else the lexical defaults.
    fn objective(&self) -> ThresholdObjective {
        let default = ThresholdObjective::default();
        ThresholdObjective {
            oos_weight: self.oos_weight.unwrap_or(default.oos_weight),
            max_accuracy_loss: self.max_accuracy_loss.unwrap_or(default.max_accuracy_loss),
        }
    }
}

/// A trained classifier of either kind.
enum Trained {
    Lexical(LexicalClassifier),
    Embedding(EmbeddingClassifier),
}

impl Trained {
    fn train(args: &EvalIntentsArgs, examples: &[TrainingExample]) -> anyhow::Result<Trained> {
        match args.classifier.as_str() {
            "lexical" => Ok(Trained::Lexical(
                LexicalClassifier::train(examples, &args.tuning.lexical_config())
                    .context("training the lexical classifier")?,
            )),
            "embedding" => {
                let encoder = load_encoder(args.model.as_deref())?;
                let config = args.tuning.embedding_config(&args.oos_label);
                Ok(Trained::Embedding(
                    EmbeddingClassifier::train(Arc::new(encoder), examples, &config)
                        .context("training the embedding classifier")?,
                ))
            }
            other => anyhow::bail!("unknown classifier {other:?} (expected lexical or embedding)"),
        }
    }

    fn classifier(&self) -> &dyn IntentClassifier {
        match self {
            Trained::Lexical(c) => c,
            Trained::Embedding(c) => c,
        }
    }

    /// The threshold chosen by cross-validation on the training data.
    fn cross_validated_threshold(&self, oos_label: &str, objective: &ThresholdObjective) -> f32 {
        match self {
            Trained::Lexical(c) => choose_threshold(c.out_of_fold(), oos_label, objective),
            // Chosen while training, with the same objective's settings.
            Trained::Embedding(c) => c.threshold(),
        }
    }

    /// Predictions on `examples` (batched where the classifier can).
    fn predict(&self, examples: &[TrainingExample]) -> anyhow::Result<Vec<ScoredPrediction>> {
        match self {
            Trained::Lexical(c) => Ok(examples.iter().map(|e| scored(c, e)).collect()),
            Trained::Embedding(c) => {
                let texts: Vec<&str> = examples.iter().map(|e| e.text.as_str()).collect();
                let rankings = c.classify_many(&texts)?;
                Ok(examples.iter().zip(rankings).map(|(e, ranking)| top(e, &ranking)).collect())
            }
        }
    }
}

/// The report printed with `--format json`.
#[derive(Debug, Serialize)]
struct Report {
    classifier: String,
    train_examples: usize,
    test_examples: usize,
    in_scope_accuracy: f64,
    oos_recall: Option<f64>,
    oos_precision: Option<f64>,
    macro_f1: f64,
    train_seconds: f64,
    p50_micros: f64,
    p99_micros: f64,
    threshold: f32,
    threshold_from: &'static str,
}

fn parse_range(text: &str) -> Result<(usize, usize), String> {
    let (a, b) = text.split_once(',').ok_or_else(|| format!("expected MIN,MAX such as 2,5, got {text:?}"))?;
    let number = |s: &str| s.trim().parse::<usize>().map_err(|e| format!("{s:?}: {e}"));
    Ok((number(a)?, number(b)?))
}

fn read_examples(path: &Path) -> anyhow::Result<Vec<TrainingExample>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str::<TrainingExample>(line)
                .with_context(|| format!("{}:{}: expected {{\"text\",\"intent\"}}", path.display(), i + 1))
        })
        .collect()
}

fn percentile(sorted: &[f64], share: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((sorted.len() - 1) as f64 * share).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn scored(classifier: &dyn IntentClassifier, example: &TrainingExample) -> ScoredPrediction {
    top(example, &classifier.classify(&example.text))
}

fn top(example: &TrainingExample, ranking: &[IntentScore]) -> ScoredPrediction {
    let (predicted, confidence) =
        ranking.first().map(|s| (s.intent.clone(), s.confidence)).unwrap_or_default();
    ScoredPrediction { gold: example.intent.clone(), predicted, confidence }
}

pub(crate) fn run(args: EvalIntentsArgs) -> anyhow::Result<ExitCode> {
    let mut train = Vec::new();
    for path in &args.train {
        train.extend(read_examples(path)?);
    }
    let test = read_examples(&args.test)?;

    let started = Instant::now();
    let trained = Trained::train(&args, &train)?;
    let train_seconds = started.elapsed().as_secs_f64();
    let classifier = trained.classifier();

    let objective = args.tuning.objective();
    let (threshold, threshold_from) = match (args.tuning.threshold, &args.val) {
        (Some(given), _) => (given, "argument"),
        (None, Some(path)) => {
            let predictions = trained.predict(&read_examples(path)?)?;
            (choose_threshold(&predictions, &args.oos_label, &objective), "val")
        }
        // Without out-of-scope examples to learn from, a threshold can only
        // turn right answers into out-of-scope ones: rank plainly.
        (None, None) if !train.iter().any(|e| e.intent == args.oos_label) => {
            (0.0, "no_oos_training_examples")
        }
        (None, None) => {
            (trained.cross_validated_threshold(&args.oos_label, &objective), "train_cross_validation")
        }
    };

    let mut latencies = Vec::with_capacity(test.len());
    let mut predictions = Vec::with_capacity(test.len());
    for example in &test {
        let started = Instant::now();
        let prediction = scored(classifier, example);
        latencies.push(started.elapsed().as_secs_f64() * 1e6);
        predictions.push(prediction);
    }
    latencies.sort_by(f64::total_cmp);
    let metrics = intent_metrics(&predictions, threshold, &args.oos_label);

    let report = Report {
        classifier: classifier.kind().to_string(),
        train_examples: train.len(),
        test_examples: test.len(),
        in_scope_accuracy: metrics.in_scope_accuracy,
        oos_recall: metrics.oos_recall,
        oos_precision: metrics.oos_precision,
        macro_f1: metrics.macro_f1,
        train_seconds,
        p50_micros: percentile(&latencies, 0.5),
        p99_micros: percentile(&latencies, 0.99),
        threshold,
        threshold_from,
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string(&report)?),
        Format::Text => {
            outln!("classifier         {}", report.classifier);
            outln!("train / test       {} / {}", report.train_examples, report.test_examples);
            outln!("in-scope accuracy  {:.4}", report.in_scope_accuracy);
            let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
            outln!("oos recall         {}", show(report.oos_recall));
            outln!("oos precision      {}", show(report.oos_precision));
            outln!("macro F1           {:.4}", report.macro_f1);
            outln!("threshold          {:.4} (from {})", report.threshold, report.threshold_from);
            outln!("train seconds      {:.2}", report.train_seconds);
            outln!("parse p50 / p99    {:.1} / {:.1} µs", report.p50_micros, report.p99_micros);
        }
    }
    Ok(ExitCode::SUCCESS)
}
