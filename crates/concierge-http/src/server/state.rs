//! What every handler shares: the store, the keys, the clock, the engines,
//! the live hub, the limits and the metrics. Cheap to clone (one `Arc`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concierge_service::knowledge::SentenceEncoder;
use concierge_service::{Conversations, EngineCache, Hub};
use concierge_store::{Store, TenantId};
use tokio::sync::watch;

use super::clock::Clock;
use super::config::ServerConfig;
use super::error::ApiError;
use super::keys::ServerKeys;
use super::limits::Limits;
use super::metrics::Metrics;

/// How long a tenant's allowed origins are trusted before they are read again.
const ORIGINS_TTL: Duration = Duration::from_secs(5);

/// A tenant's allowed origins and when they were read.
type CachedOrigins = (Arc<[String]>, Instant);

/// The shared state of the server (axum `State`).
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

/// The parts of [`AppState`], reachable through `Deref`.
pub struct Inner {
    /// Persistence.
    pub store: Arc<dyn Store>,
    /// Secret material: conversation tokens, JWT signing (`keys.jwt_signing_key()`).
    pub keys: ServerKeys,
    /// The time source.
    pub clock: Clock,
    /// Dialog engines per tenant bot.
    pub engines: EngineCache,
    /// Every step of a stored conversation; its hub carries new items to
    /// live listeners.
    pub conversations: Conversations,
    /// Rate limits of the public API.
    pub limits: Limits,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// The configuration the server started with.
    pub config: ServerConfig,
    /// Origins allowed per tenant, cached.
    origins: Mutex<HashMap<TenantId, CachedOrigins>>,
    /// Turns true when the server starts shutting down.
    shutdown: watch::Sender<bool>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.store.backend())
            .field("clock", &self.clock)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl AppState {
    /// State over an opened store; engines search knowledge with `encoder`
    /// too when there is one.
    pub fn new(
        store: Arc<dyn Store>,
        keys: ServerKeys,
        config: ServerConfig,
        encoder: Option<SentenceEncoder>,
    ) -> Self {
        let clock = config.now.map_or(Clock::System, Clock::Fixed);
        AppState {
            inner: Arc::new(Inner {
                engines: EngineCache::new(store.clone(), encoder),
                conversations: Conversations::new(store.clone(), Hub::new()),
                store,
                keys,
                clock,
                limits: Limits::new(config.limits.per_ip, config.limits.per_tenant),
                metrics: Metrics::new(),
                config,
                origins: Mutex::default(),
                shutdown: watch::channel(false).0,
            }),
        }
    }

    /// The web origins allowed to use any of the tenant's publishable keys
    /// (cached for a few seconds; `*` allows any).
    pub async fn allowed_origins(&self, tenant: &TenantId) -> Result<Arc<[String]>, ApiError> {
        if let Some((origins, at)) = self.origins.lock().unwrap_or_else(|p| p.into_inner()).get(tenant) {
            if at.elapsed() < ORIGINS_TTL {
                return Ok(origins.clone());
            }
        }
        let mut origins: Vec<String> =
            self.store.publishable_keys(tenant).await?.into_iter().flat_map(|k| k.allowed_origins).collect();
        origins.sort();
        origins.dedup();
        let origins: Arc<[String]> = origins.into();
        self.origins
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.clone(), (origins.clone(), Instant::now()));
        Ok(origins)
    }

    /// Forgets cached origins (call after changing a tenant's publishable keys).
    pub fn invalidate_origins(&self, tenant: &TenantId) {
        self.origins.lock().unwrap_or_else(|p| p.into_inner()).remove(tenant);
    }

    /// Tells long-lived connections (WebSockets) that the server is stopping.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// A receiver that changes to `true` when the server starts stopping.
    pub fn shutdown_signal(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}
