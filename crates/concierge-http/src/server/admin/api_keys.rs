//! API keys for server-to-server use (owners only). A key acts for its
//! tenant with the [`crate::server::auth::API_KEY_ROLE`] role; its secret
//! is shown once, at creation.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_store::ApiKey;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The API key routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_keys, create_key)).routes(routes!(revoke_key))
}

/// A key to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct KeyRequest {
    /// What it is for (shown in listings).
    pub label: String,
}

/// A key, without its secret.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct KeyView {
    /// Its id.
    pub id: String,
    /// What it is for.
    pub label: String,
    /// The public part of the key, to recognise it.
    pub prefix: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiKey> for KeyView {
    fn from(k: ApiKey) -> Self {
        KeyView {
            id: k.id,
            label: k.label,
            prefix: k.prefix,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// A new key with its secret (shown only this once).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct CreatedKey {
    /// The stored key.
    pub key: KeyView,
    /// The key to send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// The tenant's keys.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct KeyList {
    /// Oldest first, revoked ones too.
    pub keys: Vec<KeyView>,
}

/// Lists the tenant's API keys.
#[utoipa::path(
    get,
    path = "/v1/admin/api-keys",
    tag = "admin",
    responses(
        (status = 200, description = "The keys", body = KeyList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn list_keys(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<KeyList>, ApiError> {
    principal.require(Role::Owner)?;
    let keys = state.store.api_keys(&principal.tenant).await?;
    Ok(Json(KeyList { keys: keys.into_iter().map(KeyView::from).collect() }))
}

/// Creates an API key.
#[utoipa::path(
    post,
    path = "/v1/admin/api-keys",
    tag = "admin",
    request_body = KeyRequest,
    responses(
        (status = 201, description = "Created; the secret is shown only now", body = CreatedKey),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn create_key(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<KeyRequest>,
) -> Result<(StatusCode, Json<CreatedKey>), ApiError> {
    principal.require(Role::Owner)?;
    if request.label.trim().is_empty() {
        return Err(ApiError::InvalidRequest("a key needs a label".into()));
    }
    let issued = state.store.create_api_key(&principal.tenant, request.label.trim()).await?;
    audit(&state, &principal, "api_key.create", Some(&issued.key.id), json!({})).await?;
    Ok((StatusCode::CREATED, Json(CreatedKey { key: issued.key.into(), secret: issued.secret })))
}

/// Revokes an API key.
#[utoipa::path(
    delete,
    path = "/v1/admin/api-keys/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
        (status = 404, description = "No such live key for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn revoke_key(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require(Role::Owner)?;
    state.store.revoke_api_key(&principal.tenant, &id).await?;
    audit(&state, &principal, "api_key.revoke", Some(&id), json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}
