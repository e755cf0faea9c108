//! Publishable keys (owners only): the keys a website's chat widget
//! presents, each naming one bot and the web origins allowed to use it.
//! They are public (they sit in the page), so they are shown in listings.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_store::{NewPublishableKey, PublishableKey};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The publishable key routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_keys, create_key)).routes(routes!(revoke_key))
}

/// A key to create: a new random key is made for it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PublishableKeyRequest {
    /// The bot its conversations talk to.
    pub bot_id: String,
    /// Web origins allowed to use it (`https://www.example.com`), or `*` for any.
    pub allowed_origins: Vec<String>,
}

/// A publishable key.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct PublishableKeyView {
    /// The key, for the widget's `data-key`.
    pub key: String,
    /// The bot its conversations talk to.
    pub bot_id: String,
    /// Origins allowed to use it.
    pub allowed_origins: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<PublishableKey> for PublishableKeyView {
    fn from(k: PublishableKey) -> Self {
        PublishableKeyView {
            key: k.key,
            bot_id: k.bot_id,
            allowed_origins: k.allowed_origins,
            created_at: k.created_at,
        }
    }
}

/// The tenant's publishable keys.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct PublishableKeyList {
    /// By key.
    pub keys: Vec<PublishableKeyView>,
}

/// Lists the tenant's publishable keys.
#[utoipa::path(
    get,
    path = "/v1/admin/publishable-keys",
    tag = "admin",
    responses(
        (status = 200, description = "The keys", body = PublishableKeyList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn list_keys(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<PublishableKeyList>, ApiError> {
    principal.require(Role::Owner)?;
    let keys = state.store.publishable_keys(&principal.tenant).await?;
    Ok(Json(PublishableKeyList { keys: keys.into_iter().map(PublishableKeyView::from).collect() }))
}

/// Creates a publishable key for one of the tenant's bots.
#[utoipa::path(
    post,
    path = "/v1/admin/publishable-keys",
    tag = "admin",
    request_body = PublishableKeyRequest,
    responses(
        (status = 201, description = "Created", body = PublishableKeyView),
        (status = 400, description = "Bad JSON, fields or origins", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
        (status = 404, description = "No such bot for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<PublishableKeyRequest>,
) -> Result<(StatusCode, Json<PublishableKeyView>), ApiError> {
    principal.require(Role::Owner)?;
    if request.allowed_origins.is_empty() {
        return Err(ApiError::InvalidRequest("name at least one allowed origin (or \"*\" for any)".into()));
    }
    let key = NewPublishableKey {
        key: new_key()?,
        bot_id: request.bot_id,
        allowed_origins: request.allowed_origins,
    };
    let stored = state.store.put_publishable_key(&principal.tenant, &key).await?;
    audit(&state, &principal, "publishable_key.create", Some(&stored.key), json!({"bot_id": stored.bot_id}))
        .await?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// Revokes a publishable key: widgets presenting it can no longer start conversations.
#[utoipa::path(
    delete,
    path = "/v1/admin/publishable-keys/{key}",
    tag = "admin",
    params(("key" = String, Path, description = "The key")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
        (status = 404, description = "No such key for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    principal: Principal,
    Path(key): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require(Role::Owner)?;
    state.store.delete_publishable_key(&principal.tenant, &key).await?;
    audit(&state, &principal, "publishable_key.revoke", Some(&key), json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new random key: `pk_` and 24 hex digits.
fn new_key() -> Result<String, ApiError> {
    let mut bytes = [0u8; 12];
    getrandom::getrandom(&mut bytes).map_err(ApiError::internal)?;
    Ok(format!("pk_{}", hex::encode(bytes)))
}
