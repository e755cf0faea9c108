//! A tenant's knowledge: what its bot answers from, how it is
//! searched, and how documents are imported into the store.
//!
//! A bot answers from its spec's `knowledge:` entries and the tenant's
//! entries in the store (typed into the admin API or imported from
//! documents). The store is the source of truth for the tenant's own
//! knowledge: when a stored entry has the id of a spec entry, the stored one
//! wins, so a business can correct a spec answer without a new spec version.
//!
//! The engine searches those entries with BM25; when the server has a
//! sentence encoder ([`SentenceEncoder`], configured by `model_path`), dense
//! search over them is the engine's second opinion on paraphrased questions
//! (see `EngineBuilder::paraphrase_search`). Embeddings are cached in the store per tenant, keyed
//! by the model and a hash of each embedded text, so only new or changed
//! texts are embedded, and vectors of texts no entry has any more are
//! dropped.

use std::collections::{HashMap, HashSet};
#[cfg(feature = "embedding")]
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use concierge_core::dialog::{check_message, ConversationState, Event, TurnContext};
use concierge_core::embedding::Embedder;
#[cfg(feature = "embedding")]
use concierge_core::embedding::{EmbedError, MiniLm};
use concierge_core::knowledge::ingest::{ingest, ChunkLimits, Format, IngestError};
use concierge_core::knowledge::{
    content_hash, entry_texts, DenseSearch, EmbeddingCache, ImportReport, IndexChoice, KnowledgeBase,
    KnowledgeEntry, KnowledgeSearch,
};
use concierge_core::spec::{BotSpec, KnowledgeEntrySpec};
use concierge_store::{KnowledgeVector, NewKnowledgeEntry, Store, StoreError, TenantId};

use crate::{EngineCache, ServiceError};

/// A sentence encoder and the name its vectors are stored under.
#[derive(Clone)]
pub struct SentenceEncoder {
    /// The encoder.
    pub embedder: Arc<dyn Embedder>,
    /// Identifies the model in the store: vectors of another model are
    /// never reused.
    pub model: String,
}

impl std::fmt::Debug for SentenceEncoder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceEncoder").field("model", &self.model).finish_non_exhaustive()
    }
}

#[cfg(feature = "embedding")]
impl SentenceEncoder {
    /// Loads the MiniLM encoder from `dir` (see `scripts/fetch-model.sh`).
    pub fn load(dir: &Path) -> Result<SentenceEncoder, EmbedError> {
        let embedder = MiniLm::from_dir(dir)?;
        Ok(SentenceEncoder { model: model_id(dir), embedder: Arc::new(embedder) })
    }
}

#[cfg(feature = "embedding")]
/// A name for the model in `dir`: the directory's name and a hash of its
/// configuration and a sample of its weights, so a different model (or
/// different weights under the same name) gets a different name.
fn model_id(dir: &Path) -> String {
    let name = dir.file_name().map_or_else(|| "model".into(), |n| n.to_string_lossy().into_owned());
    let config = std::fs::read_to_string(dir.join("config.json")).unwrap_or_default();
    let weights = weights_sample(&dir.join("model.safetensors")).unwrap_or_default();
    format!("{name}@{}", content_hash(&format!("{config}\u{1}{weights}")))
}

#[cfg(feature = "embedding")]
/// The length and the first and last 64 KiB of a file, as hex.
fn weights_sample(path: &PathBuf) -> std::io::Result<String> {
    use std::io::{Read, Seek, SeekFrom};
    const SAMPLE: u64 = 64 * 1024;
    let mut file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    let mut head = Vec::new();
    (&mut file).take(SAMPLE).read_to_end(&mut head)?;
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(len.saturating_sub(SAMPLE)))?;
    file.take(SAMPLE).read_to_end(&mut tail)?;
    Ok(format!("{len}:{}:{}", hex::encode(&head), hex::encode(&tail)))
}

/// Adds the tenant's stored entries to the spec's knowledge; a stored entry
/// replaces a spec entry with the same id.
pub fn merge_stored_knowledge(spec: &mut BotSpec, stored: Vec<concierge_store::KnowledgeEntry>) {
    for e in stored {
        let entry = KnowledgeEntrySpec {
            id: e.id,
            question: e.title,
            alternatives: e.alternatives,
            answer: e.body,
            source: Some(e.source),
        };
        match spec.knowledge.iter_mut().find(|k| k.id == entry.id) {
            Some(existing) => *existing = entry,
            None => spec.knowledge.push(entry),
        }
    }
}

/// A tenant's paraphrase search and how many texts had to be embedded to make it.
pub struct TenantParaphrases {
    /// Dense search over the entries, in the order given (none without an
    /// encoder, or when embedding failed).
    pub search: Option<Arc<dyn KnowledgeSearch>>,
    /// Texts embedded now (0 when every vector came from the store, or
    /// without an encoder).
    pub embedded: usize,
}

/// The hashes of the texts the spec knowledge of the tenant's bots other
/// than `bot_id` embeds (their active versions), so that building one bot's
/// search does not drop the vectors another bot needs.
pub async fn other_bots_texts(
    store: &dyn Store,
    tenant: &TenantId,
    bot_id: &str,
) -> Result<HashSet<String>, StoreError> {
    let mut hashes = HashSet::new();
    for bot in store.bots(tenant).await? {
        if bot.id == bot_id {
            continue;
        }
        let Some(version) = store.active_bot_version(tenant, &bot.id).await? else {
            continue;
        };
        let knowledge: Vec<KnowledgeEntrySpec> =
            serde_json::from_value(version.spec.get("knowledge").cloned().unwrap_or_default())
                .unwrap_or_default();
        for k in &knowledge {
            hashes.extend(entry_texts(&KnowledgeEntry::from_spec(k)).iter().map(|t| content_hash(t)));
        }
    }
    Ok(hashes)
}

/// The paraphrase search a tenant's engine asks about `entries`, with an
/// encoder. Vectors come from the store; missing ones are embedded (on a
/// blocking thread) and written back, and vectors neither `entries` nor
/// `keep` (other bots' texts, see [`other_bots_texts`]) use are removed. If
/// the encoder fails, there is none (logged); if writing vectors back
/// fails, it is logged and they are embedded again next time.
pub async fn tenant_paraphrases(
    store: &Arc<dyn Store>,
    tenant: &TenantId,
    entries: Vec<KnowledgeEntry>,
    encoder: Option<&SentenceEncoder>,
    keep: HashSet<String>,
) -> Result<TenantParaphrases, StoreError> {
    let Some(encoder) = encoder.filter(|_| !entries.is_empty()) else {
        return Ok(TenantParaphrases { search: None, embedded: 0 });
    };
    let stored = store.knowledge_vectors(tenant, &encoder.model).await?;
    let stored_hashes: HashSet<String> = stored.iter().map(|v| v.text_hash.clone()).collect();
    let mut cache = EmbeddingCache {
        dimension: stored.first().map_or(0, |v| v.vector.len()),
        vectors: stored.into_iter().map(|v| (v.text_hash, v.vector)).collect(),
    };
    let embedder = encoder.embedder.clone();
    let built = tokio::task::spawn_blocking(move || {
        let dense = DenseSearch::new(embedder, &entries, &mut cache, IndexChoice::Auto);
        let used: HashSet<String> = entries.iter().flat_map(entry_texts).map(|t| content_hash(&t)).collect();
        (dense, cache, used)
    })
    .await
    .map_err(|e| StoreError::Invalid(format!("building the knowledge index: {e}")))?;
    let (dense, cache, used) = built;
    let dense = match dense {
        Ok(dense) => dense,
        Err(error) => {
            tracing::error!(tenant = %tenant, %error, "embedding knowledge failed: BM25 only");
            return Ok(TenantParaphrases { search: None, embedded: 0 });
        }
    };
    let embedded = dense.embedded;
    let put: Vec<KnowledgeVector> = cache
        .vectors
        .into_iter()
        .filter(|(hash, _)| used.contains(hash) && !stored_hashes.contains(hash))
        .map(|(text_hash, vector)| KnowledgeVector { text_hash, vector })
        .collect();
    let remove: Vec<String> =
        stored_hashes.into_iter().filter(|h| !used.contains(h) && !keep.contains(h)).collect();
    if !put.is_empty() || !remove.is_empty() {
        if let Err(error) = store.update_knowledge_vectors(tenant, &encoder.model, &put, &remove).await {
            tracing::warn!(tenant = %tenant, %error, "could not store knowledge embeddings");
        }
    }
    Ok(TenantParaphrases { search: Some(Arc::new(dense)), embedded })
}

/// Why a document could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The document could not be read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Imports one document into the tenant's stored knowledge: its sections
/// (or FAQ rows) become entries whose ids come from `name` and their
/// headings, so a re-import updates changed entries in place, adds new
/// ones and deletes the entries of `name` that are gone. Unchanged entries
/// are not written (and keep their embeddings). Tags of updated entries are
/// kept.
pub async fn import_document(
    store: &dyn Store,
    tenant: &TenantId,
    name: &str,
    format: Format,
    content: &str,
    limits: ChunkLimits,
) -> Result<ImportReport, ImportError> {
    let incoming = ingest(name, format, content, limits)?;
    let stored = store.knowledge_entries(tenant).await?;
    let tags: HashMap<String, Vec<String>> = stored.iter().map(|e| (e.id.clone(), e.tags.clone())).collect();
    let mut base = KnowledgeBase {
        entries: stored
            .into_iter()
            .map(|e| KnowledgeEntry {
                id: e.id,
                title: e.title,
                alternatives: e.alternatives,
                text: e.body,
                source: e.source,
            })
            .collect(),
    };
    let report = base.import(name, incoming);
    let by_id: HashMap<&str, &KnowledgeEntry> = base.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    for id in report.added.iter().chain(&report.updated) {
        let e = by_id[id.as_str()];
        let entry = NewKnowledgeEntry {
            id: e.id.clone(),
            title: e.title.clone(),
            alternatives: e.alternatives.clone(),
            body: e.text.clone(),
            source: e.source.clone(),
            tags: tags.get(id).cloned().unwrap_or_default(),
        };
        store.put_knowledge_entry(tenant, &entry).await?;
    }
    for id in &report.removed {
        match store.delete_knowledge_entry(tenant, id).await {
            Ok(()) | Err(StoreError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(report)
}

/// What the bot does with a question asked as a customer would, in a new
/// conversation: the entry it answers from (if any) and what it says.
#[derive(Debug, Clone)]
pub struct TriedQuestion {
    /// The bot that was asked.
    pub bot: String,
    /// The entry answered from: its id, title and how well it matched (0 to 1).
    pub answer: Option<(String, String, f32)>,
    /// What the bot replies, in order.
    pub replies: Vec<String>,
}

/// Asks the tenant's bot (`bot`, or its first bot with an active version)
/// `text` in a conversation of its own, stored nowhere: what the staff
/// console's "try a question" shows.
pub async fn try_question(
    engines: &EngineCache,
    store: &dyn Store,
    tenant: &TenantId,
    bot: Option<&str>,
    text: &str,
    now: DateTime<Utc>,
) -> Result<TriedQuestion, ServiceError> {
    let text = check_message(text)?;
    let bot = match bot {
        Some(bot) => bot.to_owned(),
        None => store
            .bots(tenant)
            .await?
            .into_iter()
            .find(|b| b.active_version.is_some())
            .map(|b| b.id)
            .ok_or_else(|| {
                ServiceError::Invalid("this business has no bot with an active version yet".into())
            })?,
    };
    let engine = engines.engine(tenant, &bot).await?;
    let ctx = TurnContext { now, seed: 0, conversation_id: "knowledge-try".into() };
    let turn = engine.handle(ConversationState::default(), text, &ctx).await?;
    let answer = turn.events.iter().find_map(|e| match e {
        Event::KbAnswer { id, title, score, .. } => Some((id.clone(), title.clone(), *score)),
        _ => None,
    });
    Ok(TriedQuestion { bot, answer, replies: turn.replies.into_iter().map(|r| r.text).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_entries_join_the_spec_and_win_on_an_id_clash() {
        let yaml =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/salon/bot.yaml"))
                .unwrap();
        let mut spec = BotSpec::from_yaml(&yaml).unwrap();
        let before = spec.knowledge.len();
        assert!(spec.knowledge.iter().any(|k| k.id == "parking"));
        let stored = |id: &str, body: &str| concierge_store::KnowledgeEntry {
            id: id.into(),
            title: "Title".into(),
            alternatives: vec!["other words".into()],
            body: body.into(),
            source: "admin".into(),
            tags: Vec::new(),
            updated_at: chrono::Utc::now(),
        };
        merge_stored_knowledge(
            &mut spec,
            vec![stored("parking", "Valet only."), stored("terrace", "Open in summer.")],
        );
        assert_eq!(spec.knowledge.len(), before + 1);
        let parking = spec.knowledge.iter().find(|k| k.id == "parking").unwrap();
        assert_eq!((parking.answer.as_str(), parking.source.as_deref()), ("Valet only.", Some("admin")));
        assert_eq!(parking.alternatives, ["other words"]);
        assert_eq!(spec.knowledge.last().unwrap().id, "terrace");
    }
}
