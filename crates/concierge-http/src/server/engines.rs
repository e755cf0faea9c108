//! Dialog engines per tenant bot, built once per active spec version.
//!
//! Building an engine (validating the spec, training the lexical classifier,
//! compiling flows) costs milliseconds, a turn microseconds, so engines are
//! cached by (tenant, bot, version) behind an `Arc` and shared by every
//! conversation. Which version is active is looked up again after a short
//! time-to-live, or at once after [`EngineCache::invalidate`] (the admin API
//! calls it when it activates a version). Concurrent first requests build
//! an engine once. Each engine books through the store
//! ([`concierge_store::StoreBookingRepository`]), so bookings are in the
//! database and the database settles races between conversations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concierge_core::booking::{BookingEngine, Catalog};
use concierge_core::dialog::Engine;
use concierge_core::spec::BotSpec;
use concierge_store::{Store, StoreBookingRepository, StoreError, TenantId};
use tokio::sync::OnceCell;

use super::error::ApiError;

/// How long the active version of a bot is trusted before it is read again.
pub const ACTIVE_VERSION_TTL: Duration = Duration::from_secs(2);

/// Why no engine could be had.
#[derive(Debug, thiserror::Error)]
pub enum EngineLoadError {
    /// The store failed (or the bot does not exist).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The bot has no active spec version.
    #[error("bot {0:?} has no active version")]
    NoActiveVersion(String),
    /// The stored spec cannot run.
    #[error("the active spec of bot {bot:?} cannot run: {message}")]
    Unusable {
        /// The bot.
        bot: String,
        /// Why.
        message: String,
    },
}

impl From<EngineLoadError> for ApiError {
    fn from(error: EngineLoadError) -> Self {
        match error {
            EngineLoadError::Store(e) => e.into(),
            EngineLoadError::NoActiveVersion(_) => ApiError::Unavailable(error.to_string()),
            EngineLoadError::Unusable { .. } => ApiError::Internal(error.to_string()),
        }
    }
}

type BotKey = (TenantId, String);
type Slot = Arc<OnceCell<Arc<Engine>>>;

/// The cache.
pub struct EngineCache {
    store: Arc<dyn Store>,
    active: Mutex<HashMap<BotKey, (i32, Instant)>>,
    engines: Mutex<HashMap<(BotKey, i32), Slot>>,
}

impl std::fmt::Debug for EngineCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let engines = self.engines.lock().map(|e| e.len()).unwrap_or_default();
        f.debug_struct("EngineCache").field("engines", &engines).finish()
    }
}

impl EngineCache {
    /// An empty cache over `store`.
    pub fn new(store: Arc<dyn Store>) -> Self {
        EngineCache { store, active: Mutex::default(), engines: Mutex::default() }
    }

    /// The engine of the active version of a tenant's bot.
    pub async fn engine(&self, tenant: &TenantId, bot_id: &str) -> Result<Arc<Engine>, EngineLoadError> {
        let bot_key = (tenant.clone(), bot_id.to_owned());
        let version = self.active_version(&bot_key).await?;
        let slot = {
            let mut engines = self.engines.lock().unwrap_or_else(|p| p.into_inner());
            if !engines.contains_key(&(bot_key.clone(), version)) {
                // A new version replaces the bot's older engines.
                engines.retain(|(key, _), _| key != &bot_key);
            }
            engines.entry((bot_key.clone(), version)).or_default().clone()
        };
        slot.get_or_try_init(|| self.build(tenant, bot_id, version)).await.cloned()
    }

    /// Forgets which versions of the tenant's bots are active, so the next
    /// turn reads them again (call after activating a version).
    pub fn invalidate(&self, tenant: &TenantId) {
        self.active.lock().unwrap_or_else(|p| p.into_inner()).retain(|(t, _), _| t != tenant);
    }

    async fn active_version(&self, bot_key: &BotKey) -> Result<i32, EngineLoadError> {
        let cached = self.active.lock().unwrap_or_else(|p| p.into_inner()).get(bot_key).copied();
        if let Some((version, at)) = cached {
            if at.elapsed() < ACTIVE_VERSION_TTL {
                return Ok(version);
            }
        }
        let bot = self.store.bot(&bot_key.0, &bot_key.1).await?;
        let version =
            bot.active_version.ok_or_else(|| EngineLoadError::NoActiveVersion(bot_key.1.clone()))?;
        self.active
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(bot_key.clone(), (version, Instant::now()));
        Ok(version)
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
        let spec = BotSpec::from_json(&stored.spec.to_string()).map_err(|e| unusable(e.to_string()))?;
        let catalog = Catalog::from_spec(&spec.business).map_err(|e| unusable(e.to_string()))?;
        let repository = StoreBookingRepository::new(self.store.clone(), tenant.clone());
        let booker = BookingEngine::new(catalog, Arc::new(repository));
        let started = Instant::now();
        let engine = tokio::task::spawn_blocking(move || Engine::builder(spec, Arc::new(booker)).build())
            .await
            .map_err(|e| unusable(e.to_string()))?
            .map_err(|e| unusable(e.to_string()))?;
        tracing::info!(
            tenant = %tenant,
            bot = bot_id,
            version = stored.version,
            build_ms = started.elapsed().as_millis() as u64,
            "engine built"
        );
        Ok(Arc::new(engine))
    }
}
