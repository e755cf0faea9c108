//! `concierge eval retrieval`: knowledge search quality and speed on a FAQ
//! corpus (StackFAQ's format: corpus `{"id","title","text"}` lines, queries
//! `{"query","relevant":[ids],"thread"}` lines; a hit is any relevant id).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use concierge_core::knowledge::ingest::{ingest, ChunkLimits, Format as DocFormat};
use concierge_core::knowledge::{
    add_query_phrasings, Bm25Index, Bm25Params, DenseSearch, EmbeddingCache, FusionPart, HybridSearch,
    IndexChoice, KnowledgeEntry, KnowledgeSearch, TrainingQuery, DEFAULT_RRF_K,
};
use serde::{Deserialize, Serialize};

use super::encoder::load_encoder;
use super::Format;

/// A retrieval method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Method {
    /// Lexical BM25 over titles, phrasings and answers.
    Bm25,
    /// MiniLM sentence embeddings, cosine similarity.
    Dense,
    /// Reciprocal rank fusion of BM25 and dense.
    Hybrid,
}

/// Which queries of a held-out split to evaluate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Holdout {
    /// The 75% used for tuning.
    Tune,
    /// The held-out 25%.
    Test,
}

/// What the held-out split keeps apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum SplitBy {
    /// Whole threads (topics): no paraphrase of a test topic is seen in tuning.
    Thread,
    /// Single queries: other paraphrases of a test query's topic may be seen.
    Query,
}

/// Arguments of `concierge eval retrieval`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalRetrievalArgs {
    /// The corpus: JSON lines `{"id","title","text"}`.
    #[arg(long)]
    corpus: PathBuf,
    /// Queries to evaluate: JSON lines `{"query","relevant":[ids]}`.
    #[arg(long)]
    queries: PathBuf,
    /// Example queries to learn from: added as phrasings of their relevant entries.
    #[arg(long)]
    train_queries: Option<PathBuf>,
    /// The search method.
    #[arg(long, value_enum, default_value_t = Method::Hybrid)]
    method: Method,
    /// Directory of the MiniLM model (dense and hybrid).
    #[arg(long)]
    model: Option<PathBuf>,
    /// A file to keep corpus embeddings in between runs (read, then updated).
    #[arg(long)]
    embedding_cache: Option<PathBuf>,
    /// Evaluate one part of a fixed 75/25 split of the queries (train
    /// queries are then restricted to the tuning part, so nothing leaks).
    #[arg(long, value_enum)]
    holdout: Option<Holdout>,
    /// What the split keeps apart.
    #[arg(long, value_enum, default_value_t = SplitBy::Thread)]
    split_by: SplitBy,
    /// Weight of the dense ranking in the hybrid fusion (BM25's is 1); 2
    /// was best on the tuning split of StackFAQ (1: P@1 0.915, 2: 0.924, 4: 0.924).
    #[arg(long, default_value_t = 2.0)]
    dense_weight: f32,
    /// RRF rank offset.
    #[arg(long, default_value_t = DEFAULT_RRF_K)]
    rrf_k: f32,
    /// BM25 k1.
    #[arg(long)]
    k1: Option<f32>,
    /// BM25 b.
    #[arg(long)]
    b: Option<f32>,
    /// BM25 weight of title words.
    #[arg(long)]
    title_weight: Option<f32>,
    /// BM25 weight of alternative phrasings' words.
    #[arg(long)]
    alternative_weight: Option<f32>,
    /// BM25 weight of answer words.
    #[arg(long)]
    text_weight: Option<f32>,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Deserialize)]
struct QueryLine {
    query: String,
    relevant: Vec<String>,
    #[serde(default)]
    thread: Option<String>,
}

/// The report printed with `--format json`.
#[derive(Debug, Serialize)]
struct Report {
    method: Method,
    queries: usize,
    p_at_1: f64,
    mrr: f64,
    recall_at_5: f64,
    p50_micros: u64,
}

fn read_queries(path: &Path) -> anyhow::Result<Vec<QueryLine>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l)
                .with_context(|| format!("{}:{}: invalid query line", path.display(), i + 1))
        })
        .collect()
}

/// Whether a query falls in the held-out 25%: a fixed hash of its thread
/// (or of its text when split by query).
fn held_out(q: &QueryLine, by: SplitBy) -> bool {
    let key = match (by, &q.thread) {
        (SplitBy::Thread, Some(t)) => t.as_str(),
        _ => q.query.as_str(),
    };
    let hash = concierge_core::knowledge::content_hash(&format!("stackfaq-split-1:{key}"));
    u64::from_str_radix(&hash, 16).unwrap_or(0) % 4 == 0
}

fn select(queries: Vec<QueryLine>, holdout: Option<Holdout>, by: SplitBy) -> Vec<QueryLine> {
    match holdout {
        None => queries,
        Some(h) => queries.into_iter().filter(|q| held_out(q, by) == (h == Holdout::Test)).collect(),
    }
}

pub(crate) fn run(args: EvalRetrievalArgs) -> anyhow::Result<ExitCode> {
    let corpus_text = std::fs::read_to_string(&args.corpus)
        .with_context(|| format!("reading {}", args.corpus.display()))?;
    let source = args.corpus.display().to_string();
    let mut entries: Vec<KnowledgeEntry> =
        ingest(&source, DocFormat::JsonLines, &corpus_text, ChunkLimits::default())
            .context("reading the corpus")?;
    let queries = select(read_queries(&args.queries)?, args.holdout, args.split_by);
    anyhow::ensure!(!queries.is_empty(), "no queries to evaluate");
    if let Some(path) = &args.train_queries {
        // Only the tuning part of a split may be learnt from.
        let train = select(read_queries(path)?, args.holdout.map(|_| Holdout::Tune), args.split_by);
        let train: Vec<TrainingQuery> =
            train.into_iter().map(|q| TrainingQuery { query: q.query, relevant: q.relevant }).collect();
        let added = add_query_phrasings(&mut entries, &train);
        eprintln!("learnt {added} phrasings from {} training queries", train.len());
    }
    let search = build_search(&args, &entries)?;

    let mut hits_at_1 = 0usize;
    let mut reciprocal = 0.0f64;
    let mut recall_5 = 0.0f64;
    let mut micros = Vec::with_capacity(queries.len());
    for q in &queries {
        let relevant: HashSet<&str> = q.relevant.iter().map(String::as_str).collect();
        let start = Instant::now();
        let hits = search.search(&q.query, 10);
        micros.push(start.elapsed().as_micros() as u64);
        let ids: Vec<&str> = hits.iter().map(|h| entries[h.entry].id.as_str()).collect();
        if let Some(rank) = ids.iter().position(|id| relevant.contains(id)) {
            reciprocal += 1.0 / (rank + 1) as f64;
            hits_at_1 += usize::from(rank == 0);
        }
        let found = ids.iter().take(5).filter(|id| relevant.contains(*id)).count();
        recall_5 += found as f64 / relevant.len().clamp(1, 5) as f64;
    }
    micros.sort_unstable();
    let n = queries.len() as f64;
    let report = Report {
        method: args.method,
        queries: queries.len(),
        p_at_1: hits_at_1 as f64 / n,
        mrr: reciprocal / n,
        recall_at_5: recall_5 / n,
        p50_micros: micros[micros.len() / 2],
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string(&report)?),
        Format::Text => outln!(
            "{:?} on {} queries: P@1 {:.3}, MRR {:.3}, recall@5 {:.3}, p50 {} us",
            report.method,
            report.queries,
            report.p_at_1,
            report.mrr,
            report.recall_at_5,
            report.p50_micros
        ),
    }
    Ok(ExitCode::SUCCESS)
}

fn bm25_params(args: &EvalRetrievalArgs) -> Bm25Params {
    let d = Bm25Params::default();
    Bm25Params {
        k1: args.k1.unwrap_or(d.k1),
        b: args.b.unwrap_or(d.b),
        title_weight: args.title_weight.unwrap_or(d.title_weight),
        alternative_weight: args.alternative_weight.unwrap_or(d.alternative_weight),
        text_weight: args.text_weight.unwrap_or(d.text_weight),
    }
}

fn build_search(
    args: &EvalRetrievalArgs,
    entries: &[KnowledgeEntry],
) -> anyhow::Result<Arc<dyn KnowledgeSearch>> {
    let bm25 = Arc::new(Bm25Index::with_params(entries, bm25_params(args)));
    if args.method == Method::Bm25 {
        return Ok(bm25);
    }
    let dense = Arc::new(dense_search(args, entries)?);
    if args.method == Method::Dense {
        return Ok(dense);
    }
    Ok(Arc::new(HybridSearch::new(
        vec![
            FusionPart { search: bm25, weight: 1.0 },
            FusionPart { search: dense, weight: args.dense_weight },
        ],
        args.rrf_k,
    )))
}

fn dense_search(args: &EvalRetrievalArgs, entries: &[KnowledgeEntry]) -> anyhow::Result<DenseSearch> {
    let encoder = Arc::new(load_encoder(args.model.as_deref())?);
    let mut cache = match &args.embedding_cache {
        Some(path) if path.exists() => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{}: not an embedding cache", path.display()))?
        }
        _ => EmbeddingCache::default(),
    };
    let started = Instant::now();
    let dense = DenseSearch::new(encoder, entries, &mut cache, IndexChoice::Auto)?;
    eprintln!("embedded {} texts in {:.1}s", dense.embedded, started.elapsed().as_secs_f64());
    if let (Some(path), true) = (&args.embedding_cache, dense.embedded > 0) {
        std::fs::write(path, serde_json::to_string(&cache)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(dense)
}
