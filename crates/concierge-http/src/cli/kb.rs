//! `concierge kb`: importing documents into a bot's knowledge and searching it.
//!
//! With `--database URL --tenant ID`, `kb import` writes into the tenant's
//! knowledge in the server's store instead (see
//! [`concierge_service::knowledge::import_document`]); a running server
//! picks the change up within seconds.
//!
//! Otherwise imported knowledge lives in a JSON file next to the bot spec,
//! `<bot>.knowledge.json` (`{"entries": [...]}`), unless `--out` names
//! another; the CLI loads it with the bot (see [`merge_knowledge_file`]).
//! Re-importing a file replaces that file's entries in place: ids come from
//! the file path and heading path, so unchanged sections keep theirs.
//! Dense and hybrid search keep the entries' embeddings in
//! `<bot>.embeddings.json`, keyed by a hash of the embedded text, so only
//! new or changed entries are embedded again.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use concierge_core::knowledge::ingest::{ingest, ChunkLimits, Format as DocFormat};
use concierge_core::knowledge::ImportReport;
use concierge_core::knowledge::{
    entry_texts, Bm25Index, DenseSearch, EmbeddingCache, FusionPart, HybridSearch, IndexChoice,
    KnowledgeBase, KnowledgeEntry, KnowledgeSearch, DEFAULT_RRF_K,
};
use concierge_core::spec::{BotSpec, KnowledgeEntrySpec};
use concierge_service::knowledge::import_document;
use concierge_store::{open, StoreConfig, TenantId};

use super::bot_file::load_spec;
use super::encoder::load_encoder;
use super::eval_retrieval::Method;

/// `concierge kb` subcommands.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum KbCommand {
    /// Import Markdown, HTML, text, CSV, JSON or JSON-lines files (or
    /// directories of them) into the bot's knowledge file.
    Import(ImportArgs),
    /// Search the bot's knowledge (spec entries and imported ones).
    Search(SearchArgs),
}

/// Arguments of `concierge kb import`.
#[derive(Debug, clap::Args)]
pub(crate) struct ImportArgs {
    /// The bot spec (imports into its knowledge file).
    #[arg(long, required_unless_present = "database", conflicts_with = "database")]
    bot: Option<PathBuf>,
    /// A server's database (sqlite://FILE or postgres://...): imports into a tenant's stored knowledge.
    #[arg(long, requires = "tenant")]
    database: Option<String>,
    /// The tenant whose knowledge `--database` imports into.
    #[arg(long, requires = "database")]
    tenant: Option<String>,
    /// Files or directories to import.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The knowledge file to update (default: `<bot>.knowledge.json` next to the bot).
    #[arg(long, conflicts_with = "database")]
    out: Option<PathBuf>,
    /// The longest chunk, in characters.
    #[arg(long, default_value_t = ChunkLimits::default().max_chars)]
    max_chars: usize,
}

/// Arguments of `concierge kb search`.
#[derive(Debug, clap::Args)]
pub(crate) struct SearchArgs {
    /// The bot spec.
    #[arg(long)]
    bot: PathBuf,
    /// The question.
    query: String,
    /// The search method.
    #[arg(long, value_enum, default_value_t = Method::Bm25)]
    method: Method,
    /// How many hits to show.
    #[arg(long, short, default_value_t = 5)]
    k: usize,
    /// Directory of the MiniLM model (dense and hybrid).
    #[arg(long)]
    model: Option<PathBuf>,
}

pub(crate) fn run(command: KbCommand) -> anyhow::Result<ExitCode> {
    match command {
        KbCommand::Import(args) => import(args),
        KbCommand::Search(args) => search(args),
    }
}

/// The knowledge file of a bot: `<dir>/<stem>.knowledge.json`.
pub(crate) fn knowledge_file(bot: &Path) -> PathBuf {
    let stem = bot.file_stem().map_or_else(|| "bot".into(), |s| s.to_string_lossy().into_owned());
    bot.with_file_name(format!("{stem}.knowledge.json"))
}

fn embeddings_file(bot: &Path) -> PathBuf {
    let stem = bot.file_stem().map_or_else(|| "bot".into(), |s| s.to_string_lossy().into_owned());
    bot.with_file_name(format!("{stem}.embeddings.json"))
}

/// The bot's saved knowledge embeddings (`<bot>.embeddings.json`), or an
/// empty cache when it has none.
pub(crate) fn read_embeddings(bot: &Path) -> anyhow::Result<EmbeddingCache> {
    let path = embeddings_file(bot);
    if !path.exists() {
        return Ok(EmbeddingCache::default());
    }
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not an embeddings file", path.display()))
}

fn read_base(path: &Path) -> anyhow::Result<KnowledgeBase> {
    if !path.exists() {
        return Ok(KnowledgeBase::default());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{}: not a knowledge file", path.display()))
}

/// Adds the entries of the bot's knowledge file, if it has one, to `spec`
/// (entries whose id the spec already has are skipped).
pub(crate) fn merge_knowledge_file(bot: &Path, spec: &mut BotSpec) -> anyhow::Result<()> {
    let base = read_base(&knowledge_file(bot))?;
    for e in base.entries {
        if spec.knowledge.iter().all(|k| k.id != e.id) {
            spec.knowledge.push(KnowledgeEntrySpec {
                id: e.id,
                question: e.title,
                alternatives: e.alternatives,
                answer: e.text,
                source: Some(e.source),
            });
        }
    }
    Ok(())
}

/// Files under `path` whose format is known, sorted.
fn documents(path: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut found = Vec::new();
    let listing = std::fs::read_dir(path).with_context(|| format!("reading {}", path.display()))?;
    for item in listing {
        let p = item?.path();
        if p.is_dir() {
            found.extend(documents(&p)?);
        } else if DocFormat::from_path(&p.to_string_lossy()).is_some() {
            found.push(p);
        }
    }
    found.sort();
    Ok(found)
}

/// Every document under `args.paths` with its name and format.
fn each_document(
    args: &ImportArgs,
    mut each: impl FnMut(&str, DocFormat, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for root in &args.paths {
        for file in documents(root)? {
            let name = file.display().to_string();
            let format = DocFormat::from_path(&name).with_context(|| {
                format!("{name}: unknown format (use .md, .html, .txt, .csv, .json or .jsonl)")
            })?;
            let content = std::fs::read_to_string(&file).with_context(|| format!("reading {name}"))?;
            each(&name, format, &content)?;
        }
    }
    Ok(())
}

/// Prints what importing `name` changed: a summary, then `+`/`~`/`-` lines.
fn print_report(name: &str, report: &ImportReport) -> std::io::Result<()> {
    outln!(
        "{name}: {} added, {} updated, {} removed, {} unchanged",
        report.added.len(),
        report.updated.len(),
        report.removed.len(),
        report.unchanged
    );
    for (mark, ids) in [("+", &report.added), ("~", &report.updated), ("-", &report.removed)] {
        for id in ids {
            outln!("  {mark} {id}");
        }
    }
    Ok(())
}

fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let limits = ChunkLimits { max_chars: args.max_chars };
    if let (Some(url), Some(tenant)) = (&args.database, &args.tenant) {
        return import_into_store(&args, url, tenant, limits);
    }
    let bot = args.bot.clone().context("--bot or --database is required")?;
    load_spec(&bot)?;
    let out = args.out.clone().unwrap_or_else(|| knowledge_file(&bot));
    let mut base = read_base(&out)?;
    each_document(&args, |name, format, content| {
        let entries = ingest(name, format, content, limits)?;
        print_report(name, &base.import(name, entries))?;
        Ok(())
    })?;
    std::fs::write(&out, serde_json::to_string_pretty(&base)? + "\n")
        .with_context(|| format!("writing {}", out.display()))?;
    outln!("{} entries in {}", base.entries.len(), out.display());
    Ok(ExitCode::SUCCESS)
}

/// `kb import --database URL --tenant ID`: into the tenant's stored knowledge.
fn import_into_store(
    args: &ImportArgs,
    url: &str,
    tenant: &str,
    limits: ChunkLimits,
) -> anyhow::Result<ExitCode> {
    let tenant = TenantId::parse(tenant)?;
    let mut documents = Vec::new();
    each_document(args, |name, format, content| {
        documents.push((name.to_owned(), format, content.to_owned()));
        Ok(())
    })?;
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting tokio")?;
    runtime.block_on(async {
        let store = open(&StoreConfig { url: url.to_owned(), encryption_key: None })
            .await
            .with_context(|| format!("opening {url}"))?;
        store.tenant(&tenant).await.with_context(|| format!("tenant {tenant}"))?;
        for (name, format, content) in &documents {
            let report = import_document(store.as_ref(), &tenant, name, *format, content, limits)
                .await
                .with_context(|| format!("importing {name}"))?;
            print_report(name, &report)?;
        }
        let total = store.knowledge_entries(&tenant).await?.len();
        outln!("{total} entries for tenant {tenant}");
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

fn search(args: SearchArgs) -> anyhow::Result<ExitCode> {
    let mut spec = load_spec(&args.bot)?;
    merge_knowledge_file(&args.bot, &mut spec)?;
    let entries: Vec<KnowledgeEntry> = spec.knowledge.iter().map(KnowledgeEntry::from_spec).collect();
    let bm25: Arc<dyn KnowledgeSearch> = Arc::new(Bm25Index::new(&entries));
    let search: Arc<dyn KnowledgeSearch> = match args.method {
        Method::Bm25 => bm25,
        Method::Dense | Method::Hybrid => {
            let dense: Arc<dyn KnowledgeSearch> = Arc::new(dense_search(&args, &entries)?);
            if args.method == Method::Dense {
                dense
            } else {
                Arc::new(HybridSearch::new(
                    vec![FusionPart { search: bm25, weight: 1.0 }, FusionPart { search: dense, weight: 2.0 }],
                    DEFAULT_RRF_K,
                ))
            }
        }
    };
    let hits = search.search(&args.query, args.k);
    if hits.is_empty() {
        outln!("no entry matches");
    }
    for (rank, h) in hits.iter().enumerate() {
        let e = &entries[h.entry];
        outln!(
            "{}. {:.4} (confidence {:.2}) {} \"{}\"\n   source: {}",
            rank + 1,
            h.score,
            h.coverage,
            e.id,
            e.title,
            e.source
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Dense search over `entries`, reusing and updating the bot's embeddings file.
fn dense_search(args: &SearchArgs, entries: &[KnowledgeEntry]) -> anyhow::Result<DenseSearch> {
    let path = embeddings_file(&args.bot);
    let mut cache = read_embeddings(&args.bot)?;
    let encoder = Arc::new(load_encoder(args.model.as_deref())?);
    let dense = DenseSearch::new(encoder, entries, &mut cache, IndexChoice::Auto)?;
    let before = cache.vectors.len();
    let texts: Vec<String> = entries.iter().flat_map(entry_texts).collect();
    cache.retain_texts(&texts.iter().map(String::as_str).collect::<Vec<_>>());
    if dense.embedded > 0 || cache.vectors.len() != before {
        eprintln!("embedded {} new or changed texts; saved {}", dense.embedded, path.display());
        std::fs::write(&path, serde_json::to_string(&cache)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(dense)
}
