//! The public chat API: what the widget and any custom frontend use.
//!
//! - `POST /v1/chat/{tenant}/conversations` with `X-Concierge-Key: <publishable key>`
//!   starts a conversation: 201 `{"conversation_id", "token"}`.
//! - `POST /v1/chat/{tenant}/conversations/{id}/messages` with
//!   `Authorization: Bearer <token>` and `{"text"}` handles one message:
//!   200 with the turn in the shape `concierge chat --jsonl` prints.
//! - `GET /v1/chat/{tenant}/conversations/{id}/items?after=SEQ` (same
//!   token) lists what is stored after a sequence number, to redraw a
//!   conversation.
//! - `POST /v1/chat/{tenant}/conversations/{id}/rating` (same token) with
//!   `{"score": 1-5, "comment"?}` records the customer's satisfaction
//!   (CSAT), once per conversation: 201, or 409 when already rated.
//! - The WebSocket (`.../ws`) is in [`super::ws`].
//!
//! A token opens one conversation of one tenant only; anything else is 401
//! (bad or missing credentials) or 404 (no such tenant or conversation),
//! never data.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use concierge_service::Item;
use concierge_store::NewConversation;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::access::{admit, authorize, bearer, tenant_from_path};
use super::conversation::{handle_message, TurnBody};
use super::token;
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::limits::ClientIp;
use crate::server::state::AppState;

/// The header carrying a publishable key.
pub(crate) const KEY_HEADER: &str = "x-concierge-key";

/// The public chat routes (documented in the OpenAPI description).
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_conversation))
        .routes(routes!(send_message))
        .routes(routes!(list_items))
        .routes(routes!(rate_conversation))
}

/// A customer's rating of their conversation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RatingRequest {
    /// 1 (very unsatisfied) to 5 (very satisfied).
    pub score: i32,
    /// What they add, if anything (at most 2000 bytes).
    #[serde(default)]
    pub comment: Option<String>,
}

/// A recorded rating.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct RatingBody {
    /// The score given.
    pub score: i32,
    /// The comment kept, trimmed.
    pub comment: Option<String>,
}

/// A started conversation.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct CreatedConversation {
    /// Its id.
    pub conversation_id: String,
    /// The bearer token that opens it (and only it).
    pub token: String,
}

/// A customer's message.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MessageRequest {
    /// What the customer wrote (or a quick reply's payload); at most 4096 bytes.
    pub text: String,
}

/// Which stored items to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ItemsQuery {
    /// Only items with a sequence number above this (0 for all).
    #[serde(default)]
    pub after: i64,
}

/// Stored items of a conversation.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ItemList {
    /// In sequence order.
    pub items: Vec<Item>,
}

/// Starts a conversation with the bot of a publishable key.
#[utoipa::path(
    post,
    path = "/v1/chat/{tenant}/conversations",
    tag = "chat",
    params(
        ("tenant" = String, Path, description = "The tenant's id"),
        ("X-Concierge-Key" = String, Header, description = "A publishable key of the tenant"),
    ),
    responses(
        (status = 201, description = "Conversation started", body = CreatedConversation),
        (status = 401, description = "Missing or unknown key", body = ErrorBody),
        (status = 403, description = "Origin not allowed, or the tenant is disabled", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    ),
    security(("publishable_key" = []))
)]
async fn create_conversation(
    State(state): State<AppState>,
    Path(tenant): Path<String>,
    ip: ClientIp,
    headers: HeaderMap,
) -> Result<(StatusCode, Json<CreatedConversation>), ApiError> {
    let tenant = tenant_from_path(&tenant)?;
    admit(&state, &ip, &tenant)?;
    let key = headers
        .get(KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::Unauthorized("missing publishable key (X-Concierge-Key)".into()))?;
    let key = state
        .store
        .publishable_key(&tenant, key)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("unknown publishable key for this tenant".into()))?;
    if state.store.tenant(&tenant).await?.disabled_at.is_some() {
        return Err(ApiError::Forbidden("this business's assistant is disabled".into()));
    }
    let conversation = state
        .store
        .create_conversation(
            &tenant,
            &NewConversation {
                bot_id: Some(key.bot_id),
                channel: "web".into(),
                external_ref: None,
                customer_id: None,
                state: json!({}),
            },
        )
        .await?;
    state.metrics.conversation_started(tenant.as_str());
    let token = token::issue(&state.keys, tenant.as_str(), &conversation.id);
    Ok((StatusCode::CREATED, Json(CreatedConversation { conversation_id: conversation.id, token })))
}

/// Handles one message; answers with the turn as `concierge chat --jsonl` prints it.
#[utoipa::path(
    post,
    path = "/v1/chat/{tenant}/conversations/{id}/messages",
    tag = "chat",
    params(
        ("tenant" = String, Path, description = "The tenant's id"),
        ("id" = String, Path, description = "The conversation's id"),
    ),
    request_body = MessageRequest,
    responses(
        (status = 200, description = "The turn: user, replies, intent, entities, events, seq",
         body = TurnBody),
        (status = 400, description = "Bad JSON, unknown fields or an empty message", body = ErrorBody),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 404, description = "No such tenant or conversation", body = ErrorBody),
        (status = 413, description = "Body or message too large", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    ),
    security(("conversation_token" = []))
)]
async fn send_message(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(message): ApiJson<MessageRequest>,
) -> Result<Json<TurnBody>, ApiError> {
    let tenant = tenant_from_path(&tenant)?;
    authorize(&state, &tenant, &id, bearer(&headers)?)?;
    admit(&state, &ip, &tenant)?;
    let sent = handle_message(&state, &tenant, &id, &message.text, "http").await?;
    let body = TurnBody { seq: Some(sent.appended.last_seq), ..TurnBody::new(&message.text, &sent.turn) };
    Ok(Json(body))
}

/// Lists the items stored after a sequence number (messages, replies, events).
#[utoipa::path(
    get,
    path = "/v1/chat/{tenant}/conversations/{id}/items",
    tag = "chat",
    params(
        ("tenant" = String, Path, description = "The tenant's id"),
        ("id" = String, Path, description = "The conversation's id"),
        ItemsQuery,
    ),
    responses(
        (status = 200, description = "Items in order", body = ItemList),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 404, description = "No such tenant or conversation", body = ErrorBody),
    ),
    security(("conversation_token" = []))
)]
async fn list_items(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    query: Result<Query<ItemsQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<ItemList>, ApiError> {
    let tenant = tenant_from_path(&tenant)?;
    authorize(&state, &tenant, &id, bearer(&headers)?)?;
    let Query(query) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    Ok(Json(ItemList { items: state.conversations.items(&tenant, &id, query.after).await? }))
}

/// Records the customer's satisfaction with the conversation (CSAT), once.
#[utoipa::path(
    post,
    path = "/v1/chat/{tenant}/conversations/{id}/rating",
    tag = "chat",
    params(
        ("tenant" = String, Path, description = "The tenant's id"),
        ("id" = String, Path, description = "The conversation's id"),
    ),
    request_body = RatingRequest,
    responses(
        (status = 201, description = "Recorded", body = RatingBody),
        (status = 400, description = "A score outside 1-5, or a comment over 2000 bytes", body = ErrorBody),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 404, description = "No such tenant or conversation", body = ErrorBody),
        (status = 409, description = "Already rated", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    ),
    security(("conversation_token" = []))
)]
async fn rate_conversation(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(rating): ApiJson<RatingRequest>,
) -> Result<(StatusCode, Json<RatingBody>), ApiError> {
    let tenant = tenant_from_path(&tenant)?;
    authorize(&state, &tenant, &id, bearer(&headers)?)?;
    admit(&state, &ip, &tenant)?;
    let stored = concierge_service::analytics::rate(
        state.store.as_ref(),
        &tenant,
        &id,
        rating.score,
        rating.comment.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(RatingBody { score: stored.score, comment: stored.comment })))
}
