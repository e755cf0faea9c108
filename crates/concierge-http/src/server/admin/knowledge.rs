//! Knowledge entries (admins and up): the FAQ answers a tenant keeps.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_store::{KnowledgeEntry, NewKnowledgeEntry};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The knowledge routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_entries)).routes(routes!(read_entry, put_entry, delete_entry))
}

/// A knowledge entry to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryRequest {
    /// Title or question.
    pub title: String,
    /// The answer.
    pub body: String,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A stored knowledge entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EntryView {
    /// Its id.
    pub id: String,
    /// Title or question.
    pub title: String,
    /// The answer.
    pub body: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Whether an embedding is stored for it.
    pub embedded: bool,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<KnowledgeEntry> for EntryView {
    fn from(e: KnowledgeEntry) -> Self {
        EntryView {
            id: e.id,
            title: e.title,
            body: e.body,
            tags: e.tags,
            embedded: e.embedding.is_some(),
            updated_at: e.updated_at,
        }
    }
}

/// The tenant's entries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EntryList {
    /// By id.
    pub entries: Vec<EntryView>,
}

/// Lists the tenant's knowledge entries.
#[utoipa::path(
    get,
    path = "/v1/admin/knowledge",
    tag = "admin",
    responses(
        (status = 200, description = "Every entry, by id", body = EntryList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_entries(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<EntryList>, ApiError> {
    principal.require(Role::Admin)?;
    let entries = state.store.knowledge_entries(&principal.tenant).await?;
    Ok(Json(EntryList { entries: entries.into_iter().map(EntryView::from).collect() }))
}

/// One knowledge entry.
#[utoipa::path(
    get,
    path = "/v1/admin/knowledge/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The entry's id")),
    responses(
        (status = 200, description = "The entry", body = EntryView),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such entry for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn read_entry(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<EntryView>, ApiError> {
    principal.require(Role::Admin)?;
    Ok(Json(state.store.knowledge_entry(&principal.tenant, &id).await?.into()))
}

/// Creates or replaces a knowledge entry.
#[utoipa::path(
    put,
    path = "/v1/admin/knowledge/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The entry's id")),
    request_body = EntryRequest,
    responses(
        (status = 200, description = "Stored", body = EntryView),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn put_entry(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<EntryRequest>,
) -> Result<Json<EntryView>, ApiError> {
    principal.require(Role::Admin)?;
    if request.title.trim().is_empty() || request.body.trim().is_empty() {
        return Err(ApiError::InvalidRequest("a knowledge entry needs a title and a body".into()));
    }
    let entry =
        NewKnowledgeEntry { id: id.clone(), title: request.title, body: request.body, tags: request.tags };
    state.store.put_knowledge_entry(&principal.tenant, &entry).await?;
    Ok(Json(state.store.knowledge_entry(&principal.tenant, &id).await?.into()))
}

/// Deletes a knowledge entry.
#[utoipa::path(
    delete,
    path = "/v1/admin/knowledge/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The entry's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such entry for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn delete_entry(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require(Role::Admin)?;
    state.store.delete_knowledge_entry(&principal.tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
