//! Listing and reading a tenant's conversations (agents and up).

use axum::extract::{Path, Query, State};
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_store::{
    Conversation, ConversationFilter, ConversationStatus, StoredEvent, MAX_CONVERSATION_PAGE,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::chat::rest::{ItemList, ItemsQuery};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::state::AppState;

/// The conversation routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_conversations))
        .routes(routes!(search_conversations))
        .routes(routes!(read_conversation))
        .routes(routes!(list_items))
}

/// A conversation without its events.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ConversationSummary {
    /// Its id.
    pub id: String,
    /// The bot answering it.
    pub bot_id: Option<String>,
    /// Where it happens (`web`, `sms`, ...).
    pub channel: String,
    /// Who handles it: `bot`, `waiting_for_human`, `with_human` or `closed`.
    #[schema(value_type = String)]
    pub status: ConversationStatus,
    /// Sequence number of its last event.
    pub last_seq: i64,
    /// Turns so far.
    pub turns: i64,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<&Conversation> for ConversationSummary {
    fn from(c: &Conversation) -> Self {
        ConversationSummary {
            id: c.id.clone(),
            bot_id: c.bot_id.clone(),
            channel: c.channel.clone(),
            status: c.status,
            last_seq: c.last_seq,
            turns: c.turns,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

/// One stored event of a conversation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct EventView {
    /// Its sequence number.
    pub seq: i64,
    /// The turn that produced it.
    pub turn: i64,
    /// The event (`{"type": ..., ...}`).
    #[schema(value_type = Object)]
    pub event: serde_json::Value,
    /// When it was stored.
    pub recorded_at: DateTime<Utc>,
}

impl From<StoredEvent> for EventView {
    fn from(e: StoredEvent) -> Self {
        EventView { seq: e.seq, turn: e.turn, event: e.event, recorded_at: e.recorded_at }
    }
}

/// A conversation with its events.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ConversationDetail {
    /// The conversation.
    pub conversation: ConversationSummary,
    /// The engine's state (slots, flows, mode).
    #[schema(value_type = Object)]
    pub state: serde_json::Value,
    /// Every event, in order.
    pub events: Vec<EventView>,
}

/// A page of conversations.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ConversationPage {
    /// Most recently updated first.
    pub conversations: Vec<ConversationSummary>,
}

/// Which conversations to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// Only this status (`bot`, `waiting_for_human`, `with_human`, `closed`).
    pub status: Option<String>,
    /// Only conversations updated at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// At most this many (default 50, at most 500).
    pub limit: Option<u32>,
    /// Skip this many first.
    pub offset: Option<u32>,
}

/// Lists the tenant's conversations, most recently updated first.
#[utoipa::path(
    get,
    path = "/v1/admin/conversations",
    tag = "admin",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of conversations", body = ConversationPage),
        (status = 400, description = "Bad filter", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_conversations(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<ListQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    principal.require(Role::Agent)?;
    let status = query.status.as_deref().map(ConversationStatus::parse).transpose().map_err(|_| {
        ApiError::InvalidRequest("status must be bot, waiting_for_human, with_human or closed".into())
    })?;
    let limit = page_limit(query.limit)?;
    let filter = ConversationFilter {
        status,
        updated_since: query.updated_since,
        limit,
        offset: query.offset.unwrap_or(0),
    };
    let conversations = state.store.list_conversations(&principal.tenant, &filter).await?;
    Ok(Json(ConversationPage {
        conversations: conversations.iter().map(ConversationSummary::from).collect(),
    }))
}

/// What to search for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct SearchQuery {
    /// Words that must all appear in one message (the customer's, the bot's or staff's).
    pub q: String,
    /// At most this many conversations (default 50, at most 500).
    pub limit: Option<u32>,
}

/// A conversation found by a search, with its best matching message.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct SearchHit {
    /// The conversation.
    pub conversation: ConversationSummary,
    /// The sequence number of the message that matched best.
    pub seq: i64,
    /// That message.
    pub text: String,
}

/// Conversations found by a search, best match first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct SearchResults {
    /// Best first.
    pub hits: Vec<SearchHit>,
}

/// Searches the tenant's conversations for words said in them (full text:
/// SQLite FTS5, PostgreSQL `tsvector`).
#[utoipa::path(
    get,
    path = "/v1/admin/conversations/search",
    tag = "admin",
    params(SearchQuery),
    responses(
        (status = 200, description = "Conversations, best match first", body = SearchResults),
        (status = 400, description = "No word to search for, or a bad limit", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn search_conversations(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<SearchQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<SearchResults>, ApiError> {
    principal.require(Role::Agent)?;
    let Query(query) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let limit = page_limit(query.limit)?;
    let hits = state.store.search_conversations(&principal.tenant, &query.q, limit).await?;
    Ok(Json(SearchResults {
        hits: hits
            .into_iter()
            .map(|h| SearchHit {
                conversation: ConversationSummary::from(&h.conversation),
                seq: h.seq,
                text: h.text,
            })
            .collect(),
    }))
}

/// A page size asked for: 50 by default, 1 to [`MAX_CONVERSATION_PAGE`].
fn page_limit(limit: Option<u32>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(50);
    if limit == 0 || limit > MAX_CONVERSATION_PAGE {
        return Err(ApiError::InvalidRequest(format!("limit must be between 1 and {MAX_CONVERSATION_PAGE}")));
    }
    Ok(limit)
}

/// A conversation with every event.
#[utoipa::path(
    get,
    path = "/v1/admin/conversations/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "The conversation and its events", body = ConversationDetail),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 404, description = "No such conversation for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn read_conversation(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<ConversationDetail>, ApiError> {
    principal.require(Role::Agent)?;
    let conversation = state.store.load_conversation(&principal.tenant, &id).await?;
    let events = state.store.events(&principal.tenant, &id, 0).await?;
    Ok(Json(ConversationDetail {
        conversation: ConversationSummary::from(&conversation),
        state: conversation.state,
        events: events.into_iter().map(EventView::from).collect(),
    }))
}

/// A conversation's stored items after a sequence number, as the
/// customer's widget sees them (for a person following the conversation).
#[utoipa::path(
    get,
    path = "/v1/admin/conversations/{id}/items",
    tag = "admin",
    params(("id" = String, Path, description = "The conversation's id"), ItemsQuery),
    responses(
        (status = 200, description = "Items in order", body = ItemList),
        (status = 400, description = "Bad query", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 404, description = "No such conversation for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_items(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    query: Result<Query<ItemsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ItemList>, ApiError> {
    principal.require(Role::Agent)?;
    let Query(query) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    Ok(Json(ItemList { items: state.conversations.items(&principal.tenant, &id, query.after).await? }))
}
