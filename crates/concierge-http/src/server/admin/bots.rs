//! Bots and their specs (admins and up): create a bot, upload a spec
//! version (YAML or JSON, validated as `concierge chat` would load it),
//! list the versions, activate one. Activation takes effect at once: the
//! server's engine cache is told to reload the tenant's bots.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_core::dialog::check_spec;
use concierge_core::spec::SpecError;
use concierge_store::Bot;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The bot routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_bots, create_bot))
        .routes(routes!(list_versions, upload_version))
        .routes(routes!(activate_version))
}

/// A bot to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BotRequest {
    /// Display name.
    pub name: String,
}

/// A bot.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct BotView {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The spec version in use, if one was activated.
    pub active_version: Option<i32>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<Bot> for BotView {
    fn from(b: Bot) -> Self {
        BotView { id: b.id, name: b.name, active_version: b.active_version, created_at: b.created_at }
    }
}

/// The tenant's bots.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct BotList {
    /// Oldest first.
    pub bots: Vec<BotView>,
}

/// A saved spec version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct VersionView {
    /// Its number (1, 2, ...).
    pub version: i32,
    /// Whether it is the active one.
    pub active: bool,
    /// The business's name in the spec.
    pub business: Option<String>,
    /// When it was saved.
    pub created_at: DateTime<Utc>,
}

/// A bot's versions.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct VersionList {
    /// Oldest first.
    pub versions: Vec<VersionView>,
}

/// A stored version.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct SavedVersion {
    /// Its number.
    pub version: i32,
    /// Whether it is active (only after activation).
    pub active: bool,
}

fn spec_problems(error: SpecError) -> ApiError {
    ApiError::InvalidSpec(error.problems.iter().map(ToString::to_string).collect())
}

/// Lists the tenant's bots.
#[utoipa::path(
    get,
    path = "/v1/admin/bots",
    tag = "admin",
    responses(
        (status = 200, description = "The bots", body = BotList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_bots(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<BotList>, ApiError> {
    principal.require(Role::Admin)?;
    let bots = state.store.bots(&principal.tenant).await?;
    Ok(Json(BotList { bots: bots.into_iter().map(BotView::from).collect() }))
}

/// Creates a bot (without a spec yet).
#[utoipa::path(
    post,
    path = "/v1/admin/bots",
    tag = "admin",
    request_body = BotRequest,
    responses(
        (status = 201, description = "Created", body = BotView),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn create_bot(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<BotRequest>,
) -> Result<(StatusCode, Json<BotView>), ApiError> {
    principal.require(Role::Admin)?;
    if request.name.trim().is_empty() {
        return Err(ApiError::InvalidRequest("a bot needs a name".into()));
    }
    let bot = state.store.create_bot(&principal.tenant, request.name.trim()).await?;
    audit(&state, &principal, "bot.create", Some(&bot.id), json!({})).await?;
    Ok((StatusCode::CREATED, Json(bot.into())))
}

/// Lists a bot's spec versions.
#[utoipa::path(
    get,
    path = "/v1/admin/bots/{bot}/versions",
    tag = "admin",
    params(("bot" = String, Path, description = "The bot's id")),
    responses(
        (status = 200, description = "The versions", body = VersionList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such bot for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_versions(
    State(state): State<AppState>,
    principal: Principal,
    Path(bot_id): Path<String>,
) -> Result<Json<VersionList>, ApiError> {
    principal.require(Role::Admin)?;
    let bot = state.store.bot(&principal.tenant, &bot_id).await?;
    let versions = state.store.bot_versions(&principal.tenant, &bot_id).await?;
    Ok(Json(VersionList {
        versions: versions
            .into_iter()
            .map(|v| VersionView {
                version: v.version,
                active: bot.active_version == Some(v.version),
                business: v.spec.pointer("/business/name").and_then(|n| n.as_str()).map(str::to_owned),
                created_at: v.created_at,
            })
            .collect(),
    }))
}

/// Uploads a spec version (the body is the spec, YAML or JSON); it is
/// validated, stored, and activated only by the activate route.
#[utoipa::path(
    post,
    path = "/v1/admin/bots/{bot}/versions",
    tag = "admin",
    params(("bot" = String, Path, description = "The bot's id")),
    request_body(content = String, description = "The bot spec, YAML or JSON",
                 content_type = "application/yaml"),
    responses(
        (status = 201, description = "Stored", body = SavedVersion),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such bot for this tenant", body = ErrorBody),
        (status = 413, description = "Spec larger than the body limit", body = ErrorBody),
        (status = 422, description = "Invalid spec: the message lists every problem with its path",
         body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn upload_version(
    State(state): State<AppState>,
    principal: Principal,
    Path(bot_id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Result<(StatusCode, Json<SavedVersion>), ApiError> {
    principal.require(Role::Admin)?;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let known = ["application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/plain"];
    if !known.iter().any(|k| content_type.starts_with(k)) {
        return Err(ApiError::UnsupportedMediaType);
    }
    state.store.bot(&principal.tenant, &bot_id).await?;
    let text = body.clone();
    let checked = tokio::task::spawn_blocking(move || check_spec(&text))
        .await
        .map_err(ApiError::internal)?
        .map_err(spec_problems)?;
    let version = state.store.add_bot_version(&principal.tenant, &bot_id, &checked.value).await?;
    audit(&state, &principal, "bot.upload", Some(&bot_id), json!({ "version": version })).await?;
    Ok((StatusCode::CREATED, Json(SavedVersion { version, active: false })))
}

/// Makes a saved version the one that answers; takes effect at once.
#[utoipa::path(
    post,
    path = "/v1/admin/bots/{bot}/versions/{version}/activate",
    tag = "admin",
    params(
        ("bot" = String, Path, description = "The bot's id"),
        ("version" = i32, Path, description = "The version number"),
    ),
    responses(
        (status = 200, description = "Active", body = SavedVersion),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such bot or version for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn activate_version(
    State(state): State<AppState>,
    principal: Principal,
    Path((bot_id, version)): Path<(String, i32)>,
) -> Result<Json<SavedVersion>, ApiError> {
    principal.require(Role::Admin)?;
    state.store.activate_bot_version(&principal.tenant, &bot_id, version).await?;
    state.engines.invalidate(&principal.tenant);
    audit(&state, &principal, "bot.activate", Some(&bot_id), json!({ "version": version })).await?;
    Ok(Json(SavedVersion { version, active: true }))
}
