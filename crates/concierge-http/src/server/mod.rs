//! The reference server: multi-tenant chat over REST and WebSocket, with
//! rate limits, metrics and an OpenAPI description (axum, tokio).
//!
//! - [`start`] opens the store and the keys from a [`config::ServerConfig`]
//!   (and seeds the demo with `--demo`), giving an [`AppState`];
//! - [`router`] builds the axum router over that state;
//! - [`serve`] runs it on a listener until a shutdown future resolves, then
//!   lets in-flight requests finish and closes WebSockets.
//!
//! Rooms, one concept each:
//! - `chat/`: the public chat API (REST, WebSocket, the widget), the
//!   conversation token, CORS, and the server's side of the conversation
//!   service ([`TurnBody`] is a turn as the API returns it);
//! - `admin/`: the staff API, one module per resource;
//! - [`auth`]: staff sessions (JWT access tokens, refresh-token families,
//!   API keys, roles);
//! - `ops/`: health, readiness, metrics, the OpenAPI description and logs
//!   ([`telemetry`]);
//! - what they share: [`config`] (file + environment + flags), `keys`
//!   (server secret, derived keys), `state` ([`AppState`]), `error` (the one
//!   error table, [`ApiError`]), `limits` (rate limits, the client address,
//!   early 413, the body timeout's 408), `listen` (the accept loop: header
//!   and keep-alive timeouts, connections per address), `metrics`, `clock`,
//!   `security` (headers, request ids) and [`demo`].
//!
//! Conversations, engines and knowledge are the host layer's
//! (`concierge-service`); this crate maps them onto the wire.

use std::future::Future;

use axum::extract::{DefaultBodyLimit, Request};
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::get;
use axum::{Json, Router};
use concierge_store::{open, StoreConfig, StoreError};
use tokio::net::TcpListener;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

mod admin;
pub mod auth;
mod chat;
mod clock;
pub mod config;
pub mod demo;
mod error;
mod keys;
mod limits;
mod listen;
mod metrics;
mod operator;
mod ops;
mod pages;
mod security;
mod state;
mod websocket;

pub use chat::conversation::TurnBody;
pub use clock::Clock;
pub use config::ServerConfig;
pub use error::{ApiError, ApiJson, ErrorBody};
pub use limits::ClientIp;
pub use ops::telemetry;
pub use state::AppState;

/// The largest body outside the public chat API (admin uploads of bot specs).
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory could not be created.
    #[error("cannot create data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The secret could not be loaded.
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
    /// The database could not be opened.
    #[error("opening the database: {0}")]
    Store(#[from] StoreError),
    /// The demo could not be seeded.
    #[error(transparent)]
    Demo(#[from] demo::DemoError),
    /// The configured sentence encoder could not be loaded.
    #[error("loading the sentence encoder (model_path): {0}")]
    Encoder(#[from] concierge_core::embedding::EmbedError),
}

/// Opens the store and the keys, seeds the demo if asked. Returns the state
/// and, with `--demo`, what seeding did.
pub async fn start(config: ServerConfig) -> Result<(AppState, Option<demo::DemoSeed>), StartError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|source| StartError::DataDir { path: config.data_dir.display().to_string(), source })?;
    let keys = keys::ServerKeys::load_or_create(config.secret_key.as_ref(), &config.data_dir)?;
    let store = open(&StoreConfig {
        url: config.effective_database_url(),
        encryption_key: Some(keys.store_encryption_key()),
    })
    .await?;
    let seed = if config.demo {
        Some(demo::seed(store.as_ref(), config.admin_password.as_ref()).await?)
    } else {
        None
    };
    let encoder = match &config.model_path {
        Some(dir) => {
            let encoder = concierge_service::knowledge::SentenceEncoder::load(dir)?;
            tracing::info!(model = %encoder.model, "knowledge search: BM25, with sentence embeddings for paraphrases");
            Some(encoder)
        }
        None => {
            tracing::info!("knowledge search: BM25 only (no model_path configured)");
            None
        }
    };
    Ok((AppState::new(store, keys, config, encoder), seed))
}

/// Builds the engines of a tenant's active bots now, so its first customer
/// does not wait for training (a failure is logged; the first turn retries).
/// `concierge serve --demo` does this for the demo tenant before it listens.
pub async fn warm_engines(state: &AppState, tenant: &concierge_store::TenantId) {
    let bots = match state.store.bots(tenant).await {
        Ok(bots) => bots,
        Err(error) => return tracing::warn!(tenant = %tenant, %error, "could not list bots to warm"),
    };
    for bot in bots.iter().filter(|bot| bot.active_version.is_some()) {
        if let Err(error) = state.engines.engine(tenant, &bot.id).await {
            tracing::warn!(tenant = %tenant, bot = %bot.id, %error, "could not build the engine ahead");
        }
    }
}

/// The documented routes: public chat API, WebSocket, operations, staff
/// authentication and the admin API.
fn api(state: &AppState) -> OpenApiRouter<AppState> {
    let chat = chat::routes().layer(DefaultBodyLimit::max(state.config.limits.body_bytes));
    OpenApiRouter::with_openapi(ops::openapi::ApiDoc::openapi())
        .merge(chat)
        .merge(ops::routes())
        .merge(auth::routes(state.config.auth.clone()))
        .merge(admin::routes())
        .merge(operator::routes())
}

/// The whole application over `state`.
pub fn router(state: AppState) -> Router {
    let (routes, description) = api(&state).split_for_parts();
    let description = std::sync::Arc::new(description);
    let routes = routes
        .route("/openapi.json", get(move || async move { Json(description.as_ref().clone()) }))
        .merge(pages::routes())
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .layer(DefaultBodyLimit::max(DEFAULT_BODY_LIMIT));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|request: &Request| {
            let id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or_default();
            let client =
                request.extensions().get::<ClientIp>().map(|ip| ip.0.to_string()).unwrap_or_default();
            tracing::info_span!("request", method = %request.method(), uri = %request.uri().path(),
                request_id = %id, client = %client)
        })
        .on_response(DefaultOnResponse::new().level(tracing::Level::INFO));
    let http = &state.config.http;
    routes
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, http.request_timeout))
        .layer(middleware::from_fn_with_state(state.clone(), limits::time_out_bodies))
        .layer(middleware::from_fn_with_state(state.clone(), limits::refuse_large_bodies))
        // Every error that is not JSON yet (extractor rejections, timeouts) becomes JSON here.
        .layer(middleware::from_fn(error::json_errors))
        // Outside the routes, so preflight requests are answered before routing.
        .layer(middleware::from_fn_with_state(state.clone(), chat::cors::cors))
        .layer(middleware::from_fn_with_state(state.clone(), ops::requests::track_requests))
        .layer(middleware::from_fn(security::security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(trace)
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(security::check_request_id))
        .layer(middleware::from_fn_with_state(state.clone(), limits::client_address))
        .with_state(state)
}

/// Serves `state` on `listener` until `shutdown` resolves; then stops
/// accepting, closes WebSockets and waits for in-flight requests (turns) to
/// finish. Connections are bounded by the `[server]` settings (header and
/// keep-alive timeouts, connections per address: see `listen`).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state.clone());
    let config = state.config.http.clone();
    let refusals = state.metrics.connections_refused().clone();
    listen::run(listener, app, config, refusals, shutdown, move || state.begin_shutdown()).await
}
