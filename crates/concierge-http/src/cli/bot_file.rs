//! Loading a bot spec file and building an engine for it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use concierge_core::booking::BookingEngine;
use concierge_core::dialog::Engine;
use concierge_core::knowledge::{DenseSearch, IndexChoice, KnowledgeEntry, KnowledgeSearch};
use concierge_core::nlu::Nlu;
use concierge_core::spec::{BotSpec, SpecError};

use super::encoder::load_encoder;

/// Why a spec file could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BotFileError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    /// The spec is invalid.
    #[error("{path}: {source}")]
    Invalid { path: String, source: SpecError },
}

/// Reads and validates a spec (JSON when the file name ends in `.json`, else YAML).
pub(crate) fn load_spec(path: &Path) -> Result<BotSpec, BotFileError> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|source| BotFileError::Read { path: shown.clone(), source })?;
    let parsed = if path.extension().is_some_and(|e| e == "json") {
        BotSpec::from_json(&text)
    } else {
        BotSpec::from_yaml(&text)
    };
    parsed.map_err(|source| BotFileError::Invalid { path: shown, source })
}

/// Trains the classifier the spec names (`nlu.classifier`). The embedding
/// one loads the sentence encoder from `model` (a `--model` argument), else
/// from the spec's `nlu.model_path` (relative to the spec file), else from
/// `$CONCIERGE_MODEL_DIR` or the cache `scripts/fetch-model.sh` fills.
pub(crate) fn nlu_for(spec: &BotSpec, spec_path: &Path, model: Option<&Path>) -> anyhow::Result<Nlu> {
    if spec.nlu.classifier != "embedding" {
        return Ok(Nlu::from_spec(spec)?);
    }
    let from_spec: Option<PathBuf> = spec.nlu.model_path.as_ref().map(|dir| {
        let base = spec_path.parent().unwrap_or(Path::new("."));
        base.join(dir)
    });
    let encoder = load_encoder(model.or(from_spec.as_deref()))?;
    Nlu::from_spec_with_encoder(spec, Arc::new(encoder)).context("training the embedding classifier")
}

/// A search for paraphrases of the spec's knowledge questions, the
/// engine's second opinion when its lexical search is unsure, when a
/// sentence encoder can be loaded from where [`nlu_for`] looks (the bot's
/// saved embeddings, `<bot>.embeddings.json`, are reused). Without one the
/// engine answers from the lexical search alone, and a note says why.
pub(crate) fn paraphrase_search_for(
    spec: &BotSpec,
    spec_path: &Path,
    model: Option<&Path>,
) -> Option<Arc<dyn KnowledgeSearch>> {
    if spec.knowledge.is_empty() {
        return None;
    }
    let from_spec: Option<PathBuf> = spec.nlu.model_path.as_ref().map(|dir| {
        let base = spec_path.parent().unwrap_or(Path::new("."));
        base.join(dir)
    });
    let built = (|| -> anyhow::Result<DenseSearch> {
        let encoder = load_encoder(model.or(from_spec.as_deref()))?;
        let mut cache = super::kb::read_embeddings(spec_path)?;
        let entries: Vec<KnowledgeEntry> = spec.knowledge.iter().map(KnowledgeEntry::from_spec).collect();
        Ok(DenseSearch::new(Arc::new(encoder), &entries, &mut cache, IndexChoice::Auto)?)
    })();
    match built {
        Ok(search) => Some(Arc::new(search)),
        Err(e) => {
            eprintln!("knowledge questions are matched by their words only: {e:#}");
            None
        }
    }
}

/// The engine of a bot file as `chat` runs it: the spec with its knowledge
/// file merged, its classifier, and the encoder's paraphrase search unless
/// `lexical` (or no encoder is found); the search is returned too. An
/// invalid spec is a [`BotFileError`] inside the error.
pub(crate) fn engine_from_file(
    bot: &Path,
    model: Option<&Path>,
    lexical: bool,
) -> anyhow::Result<(Engine, Option<Arc<dyn KnowledgeSearch>>)> {
    let mut spec = load_spec(bot)?;
    super::kb::merge_knowledge_file(bot, &mut spec)?;
    let nlu = nlu_for(&spec, bot, model)?;
    let paraphrases = if lexical { None } else { paraphrase_search_for(&spec, bot, model) };
    Ok((engine_for(spec, nlu, paraphrases.clone())?, paraphrases))
}

/// Builds an engine with the in-memory booking backend, the given NLU and
/// the knowledge paraphrase search, if any.
pub(crate) fn engine_for(
    spec: BotSpec,
    nlu: Nlu,
    paraphrases: Option<Arc<dyn KnowledgeSearch>>,
) -> anyhow::Result<Engine> {
    let booker = BookingEngine::in_memory(&spec.business).context("setting up bookings")?;
    let builder = Engine::builder(spec, Arc::new(booker)).nlu(nlu);
    Ok(match paraphrases {
        Some(search) => builder.paraphrase_search(search),
        None => builder,
    }
    .build()?)
}
