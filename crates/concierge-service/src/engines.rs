//! Dialog engines per tenant bot, built once per active spec version and
//! knowledge revision.
//!
//! Building an engine (validating the spec, training the lexical classifier,
//! compiling flows, indexing knowledge) costs milliseconds, a turn
//! microseconds, so engines are cached by (tenant, bot, version, knowledge
//! revision) behind an `Arc` and shared by every conversation. Which version
//! is active and the tenant's knowledge revision (see
//! [`Store::knowledge_revision`]) are looked up again after a short
//! time-to-live, or at once after [`EngineCache::invalidate`] (the admin API
//! calls it when it activates a version or changes knowledge), so a change
//! made by another process (`concierge kb import --database`, `concierge
//! tenants disable`) reaches the bot within [`ACTIVE_VERSION_TTL`]. Concurrent first requests build an
//! engine once. Each engine answers from the spec's and the store's
//! knowledge (see [`crate::knowledge`]) and books through the store
//! ([`concierge_store::StoreBookingRepository`]), so bookings are in the
//! database and the database settles races between conversations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concierge_core::booking::{BookingEngine, Catalog};
use concierge_core::dialog::Engine;
use concierge_core::knowledge::KnowledgeEntry;
use concierge_core::spec::BotSpec;
use concierge_store::{Conversation, Store, StoreBookingRepository, StoreError, TenantId};
use tokio::sync::OnceCell;

use crate::knowledge::{merge_stored_knowledge, other_bots_texts, tenant_paraphrases, SentenceEncoder};

/// How long the active version of a bot (and the tenant's knowledge
/// revision) is trusted before it is read again.
pub const ACTIVE_VERSION_TTL: Duration = Duration::from_secs(2);

/// Why no engine could be had.
#[derive(Debug, thiserror::Error)]
pub enum EngineLoadError {
    /// The store failed (or the bot does not exist).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The conversation has no bot to answer it.
    #[error("the conversation has no bot")]
    NoBot,
    /// The bot has no active spec version.
    #[error("bot {0:?} has no active version")]
    NoActiveVersion(String),
    /// The operator disabled the tenant (`concierge tenants disable`).
    #[error("this business's assistant is disabled")]
    TenantDisabled,
    /// The stored spec cannot run.
    #[error("the active spec of bot {bot:?} cannot run: {message}")]
    Unusable {
        /// The bot.
        bot: String,
        /// Why.
        message: String,
    },
}

type BotKey = (TenantId, String);
type Slot = Arc<OnceCell<Arc<Engine>>>;

/// What an engine was built from: the active spec version and the tenant's
/// knowledge revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Generation {
    version: i32,
    knowledge: i64,
}

/// Where the engine of a conversation comes from: the server's cache of
/// tenant bots ([`EngineCache`]), or one engine a host built itself (an
/// `Arc<Engine>`, as the Python package does).
#[async_trait::async_trait]
pub trait EngineSource: Send + Sync {
    /// The engine that answers `conversation`.
    async fn engine_for(&self, conversation: &Conversation) -> Result<Arc<Engine>, EngineLoadError>;
}

#[async_trait::async_trait]
impl EngineSource for Arc<Engine> {
    async fn engine_for(&self, _conversation: &Conversation) -> Result<Arc<Engine>, EngineLoadError> {
        Ok(self.clone())
    }
}

#[async_trait::async_trait]
impl EngineSource for EngineCache {
    async fn engine_for(&self, conversation: &Conversation) -> Result<Arc<Engine>, EngineLoadError> {
        let bot = conversation.bot_id.as_deref().ok_or(EngineLoadError::NoBot)?;
        self.engine(&conversation.tenant_id, bot).await
    }
}

/// The cache.
pub struct EngineCache {
    store: Arc<dyn Store>,
    encoder: Option<SentenceEncoder>,
    active: Mutex<HashMap<BotKey, (Generation, Instant)>>,
    engines: Mutex<HashMap<(BotKey, Generation), Slot>>,
    embedded_texts: AtomicU64,
}

impl std::fmt::Debug for EngineCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let engines = self.engines.lock().map(|e| e.len()).unwrap_or_default();
        f.debug_struct("EngineCache").field("engines", &engines).finish()
    }
}

impl EngineCache {
    /// An empty cache over `store`; engines search knowledge with BM25, and
    /// ask dense search about paraphrases when there is an `encoder`.
    pub fn new(store: Arc<dyn Store>, encoder: Option<SentenceEncoder>) -> Self {
        EngineCache {
            store,
            encoder,
            active: Mutex::default(),
            engines: Mutex::default(),
            embedded_texts: AtomicU64::new(0),
        }
    }

    /// The engine of the active version of a tenant's bot, over the
    /// tenant's current knowledge.
    pub async fn engine(&self, tenant: &TenantId, bot_id: &str) -> Result<Arc<Engine>, EngineLoadError> {
        let bot_key = (tenant.clone(), bot_id.to_owned());
        let generation = self.generation(&bot_key).await?;
        let slot = {
            let mut engines = self.engines.lock().unwrap_or_else(|p| p.into_inner());
            if !engines.contains_key(&(bot_key.clone(), generation)) {
                // A new version or knowledge revision replaces the bot's older engines.
                engines.retain(|(key, _), _| key != &bot_key);
            }
            engines.entry((bot_key.clone(), generation)).or_default().clone()
        };
        slot.get_or_try_init(|| self.build(tenant, bot_id, generation.version)).await.cloned()
    }

    /// Forgets which versions of the tenant's bots are active and which
    /// knowledge revision they answer from, so the next turn reads both
    /// again (call after activating a version or changing knowledge).
    pub fn invalidate(&self, tenant: &TenantId) {
        self.active.lock().unwrap_or_else(|p| p.into_inner()).retain(|(t, _), _| t != tenant);
    }

    /// How many engines are built and cached.
    pub fn built(&self) -> usize {
        let engines = self.engines.lock().unwrap_or_else(|p| p.into_inner());
        engines.values().filter(|slot| slot.initialized()).count()
    }

    /// How many knowledge texts this cache has embedded since it was made
    /// (vectors found in the store are not counted).
    pub fn embedded_texts(&self) -> u64 {
        self.embedded_texts.load(Ordering::Relaxed)
    }

    async fn generation(&self, bot_key: &BotKey) -> Result<Generation, EngineLoadError> {
        let cached = self.active.lock().unwrap_or_else(|p| p.into_inner()).get(bot_key).copied();
        if let Some((generation, at)) = cached {
            if at.elapsed() < ACTIVE_VERSION_TTL {
                return Ok(generation);
            }
        }
        // A disabled tenant is noticed within the same time-to-live.
        if self.store.tenant(&bot_key.0).await?.disabled_at.is_some() {
            return Err(EngineLoadError::TenantDisabled);
        }
        let bot = self.store.bot(&bot_key.0, &bot_key.1).await?;
        let version =
            bot.active_version.ok_or_else(|| EngineLoadError::NoActiveVersion(bot_key.1.clone()))?;
        let knowledge = self.store.knowledge_revision(&bot_key.0).await?;
        let generation = Generation { version, knowledge };
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(bot_key.clone(), (generation, Instant::now()));
        Ok(generation)
    }

    async fn build(
        &self,
        tenant: &TenantId,
        bot_id: &str,
        version: i32,
    ) -> Result<Arc<Engine>, EngineLoadError> {
        let unusable = |message: String| EngineLoadError::Unusable { bot: bot_id.to_owned(), message };
        let stored = self
            .store
            .active_bot_version(tenant, bot_id)
            .await?
            .ok_or_else(|| EngineLoadError::NoActiveVersion(bot_id.to_owned()))?;
        if stored.version != version {
            // Activated again meanwhile: the next turn picks the new version up.
            tracing::info!(bot = bot_id, version = stored.version, "active version changed while loading");
        }
        let mut spec = BotSpec::from_json(&stored.spec.to_string()).map_err(|e| unusable(e.to_string()))?;
        merge_stored_knowledge(&mut spec, self.store.knowledge_entries(tenant).await?);
        let entries: Vec<KnowledgeEntry> = spec.knowledge.iter().map(KnowledgeEntry::from_spec).collect();
        let started = Instant::now();
        let keep = match &self.encoder {
            Some(_) => other_bots_texts(self.store.as_ref(), tenant, bot_id).await?,
            None => Default::default(),
        };
        let knowledge = tenant_paraphrases(&self.store, tenant, entries, self.encoder.as_ref(), keep).await?;
        if knowledge.embedded > 0 {
            self.embedded_texts.fetch_add(knowledge.embedded as u64, Ordering::Relaxed);
            tracing::info!(
                tenant = %tenant,
                bot = bot_id,
                texts = knowledge.embedded,
                embed_ms = started.elapsed().as_millis() as u64,
                "knowledge embedded"
            );
        }
        let catalog = Catalog::from_spec(&spec.business).map_err(|e| unusable(e.to_string()))?;
        let repository = StoreBookingRepository::new(self.store.clone(), tenant.clone());
        let booker = BookingEngine::new(catalog, Arc::new(repository));
        let entries = spec.knowledge.len();
        let paraphrases = knowledge.search;
        let engine = tokio::task::spawn_blocking(move || {
            let builder = Engine::builder(spec, Arc::new(booker));
            match paraphrases {
                Some(search) => builder.paraphrase_search(search),
                None => builder,
            }
            .build()
        })
        .await
        .map_err(|e| unusable(e.to_string()))?
        .map_err(|e| unusable(e.to_string()))?;
        tracing::info!(
            tenant = %tenant,
            bot = bot_id,
            version = stored.version,
            knowledge_entries = entries,
            paraphrases = self.encoder.is_some(),
            build_ms = started.elapsed().as_millis() as u64,
            "engine built"
        );
        Ok(Arc::new(engine))
    }
}
