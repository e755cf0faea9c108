//! Knowledge entries (admins and up): the FAQ answers a tenant keeps, typed
//! in one by one or imported from documents. Every change reaches the
//! tenant's bots on their next message (see [`crate::server::knowledge`]).
//! A question can be tried on the bot as a customer would ask it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_core::knowledge::ingest::{ChunkLimits, Format};
use concierge_store::{KnowledgeEntry, NewKnowledgeEntry, ADMIN_SOURCE};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;
use concierge_service::knowledge::{import_document, try_question, ImportError};

/// The knowledge routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_entries))
        .routes(routes!(import_entries))
        .routes(routes!(try_entry))
        .routes(routes!(read_entry, put_entry, delete_entry))
}

/// A knowledge entry to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct EntryRequest {
    /// Title or question.
    pub title: String,
    /// Other ways customers ask it.
    #[serde(default)]
    pub alternatives: Vec<String>,
    /// The answer.
    pub body: String,
    /// Where the answer comes from (shown with it); default `admin`.
    #[serde(default)]
    pub source: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// A stored knowledge entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct EntryView {
    /// Its id.
    pub id: String,
    /// Title or question.
    pub title: String,
    /// Other ways customers ask it.
    pub alternatives: Vec<String>,
    /// The answer.
    pub body: String,
    /// Where the answer comes from: a document and heading anchor, or `admin`.
    pub source: String,
    /// Tags.
    pub tags: Vec<String>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<KnowledgeEntry> for EntryView {
    fn from(e: KnowledgeEntry) -> Self {
        EntryView {
            id: e.id,
            title: e.title,
            alternatives: e.alternatives,
            body: e.body,
            source: e.source,
            tags: e.tags,
            updated_at: e.updated_at,
        }
    }
}

/// The tenant's entries.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct EntryList {
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
    let source = request.source.filter(|s| !s.trim().is_empty()).unwrap_or_else(|| ADMIN_SOURCE.into());
    let entry = NewKnowledgeEntry {
        id: id.clone(),
        title: request.title,
        alternatives: request.alternatives,
        body: request.body,
        source,
        tags: request.tags,
    };
    state.store.put_knowledge_entry(&principal.tenant, &entry).await?;
    state.engines.invalidate(&principal.tenant);
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
    state.engines.invalidate(&principal.tenant);
    Ok(StatusCode::NO_CONTENT)
}

/// A document to import.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ImportRequest {
    /// The document's name (a path such as `docs/policies.md`): entry ids
    /// and sources come from it, and re-importing the same name updates its
    /// entries in place.
    pub name: String,
    /// The document's text.
    pub content: String,
    /// `markdown`, `html`, `text`, `csv`, `json` or `jsonl`; default: from
    /// the name's extension.
    #[serde(default)]
    pub format: Option<String>,
}

/// What an import changed, by entry id.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ImportResult {
    /// New entries.
    pub added: Vec<String>,
    /// Entries whose content changed.
    pub updated: Vec<String>,
    /// Entries of this document that are gone (deleted).
    pub removed: Vec<String>,
    /// How many entries did not change.
    pub unchanged: usize,
}

/// The format named by `format`, or implied by `name`.
fn document_format(name: &str, format: Option<&str>) -> Result<Format, ApiError> {
    let named = match format {
        None => {
            return Format::from_path(name).ok_or_else(|| {
                ApiError::InvalidRequest(format!(
                    "cannot tell the format of {name:?} from its extension: give a format \
             (markdown, html, text, csv, json or jsonl)"
                ))
            })
        }
        Some(f) => f,
    };
    Ok(match named {
        "markdown" | "md" => Format::Markdown,
        "html" => Format::Html,
        "text" | "txt" => Format::Text,
        "csv" => Format::Csv,
        "json" => Format::Json,
        "jsonl" => Format::JsonLines,
        other => {
            return Err(ApiError::InvalidRequest(format!(
                "unknown format {other:?} (markdown, html, text, csv, json or jsonl)"
            )))
        }
    })
}

/// Imports a document (Markdown, HTML, text, or a CSV/JSON FAQ list):
/// entries of a name imported before are updated in place, and those no
/// longer in it deleted.
#[utoipa::path(
    post,
    path = "/v1/admin/knowledge/import",
    tag = "admin",
    request_body = ImportRequest,
    responses(
        (status = 200, description = "Imported", body = ImportResult),
        (status = 400, description = "Bad JSON, unknown format or unreadable document", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn import_entries(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<ImportRequest>,
) -> Result<Json<ImportResult>, ApiError> {
    principal.require(Role::Admin)?;
    if request.name.trim().is_empty() {
        return Err(ApiError::InvalidRequest("a document needs a name".into()));
    }
    let format = document_format(&request.name, request.format.as_deref())?;
    let report = import_document(
        state.store.as_ref(),
        &principal.tenant,
        &request.name,
        format,
        &request.content,
        ChunkLimits::default(),
    )
    .await;
    state.engines.invalidate(&principal.tenant);
    let report = match report {
        Ok(report) => report,
        Err(ImportError::Ingest(e)) => return Err(ApiError::InvalidRequest(e.to_string())),
        Err(ImportError::Store(e)) => return Err(e.into()),
    };
    Ok(Json(ImportResult {
        added: report.added,
        updated: report.updated,
        removed: report.removed,
        unchanged: report.unchanged,
    }))
}

/// A question to try on the bot.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TryRequest {
    /// The question, as a customer would write it.
    pub text: String,
    /// The bot to ask; default: the tenant's first bot with an active version.
    #[serde(default)]
    pub bot_id: Option<String>,
}

/// The entry a tried question is answered from.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct TriedAnswer {
    /// The entry's id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// How well it matched, 0 to 1.
    pub score: f32,
}

/// What the bot does with a tried question.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct TryResult {
    /// The bot asked.
    pub bot_id: String,
    /// The entry it answers from, if it answers from one.
    pub answer: Option<TriedAnswer>,
    /// What it replies, in order.
    pub replies: Vec<String>,
}

/// Asks the bot a question in a conversation of its own that is stored
/// nowhere: which entry answers it, how surely, and what the bot says.
#[utoipa::path(
    post,
    path = "/v1/admin/knowledge/try",
    tag = "admin",
    request_body = TryRequest,
    responses(
        (status = 200, description = "What the bot does with it", body = TryResult),
        (status = 400, description = "Bad JSON, an empty or too long question, or no active bot", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such bot for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn try_entry(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<TryRequest>,
) -> Result<Json<TryResult>, ApiError> {
    principal.require(Role::Admin)?;
    let tried = try_question(
        &state.engines,
        state.store.as_ref(),
        &principal.tenant,
        request.bot_id.as_deref(),
        &request.text,
        state.clock.now(),
    )
    .await?;
    Ok(Json(TryResult {
        bot_id: tried.bot,
        answer: tried.answer.map(|(id, title, score)| TriedAnswer { id, title, score }),
        replies: tried.replies,
    }))
}
