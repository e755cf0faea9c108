//! Handoff: a person takes a conversation over (the bot stays silent),
//! answers the customer (pushed to their WebSocket), and hands it back.
//!
//! Taking over puts the engine's state in [`Mode::HandedOff`], in which the
//! dialog engine only logs the customer's messages; releasing goes through
//! [`concierge_core::dialog::Engine::release`], after which the bot answers
//! again. Each step is stored as an event of the conversation and pushed
//! through the server's hub like any other, and counted in the metrics
//! (`concierge_handoffs_total{kind="takeover"}`,
//! `concierge_handoff_releases_total`).

use axum::extract::{Path, State};
use axum::Json;
use concierge_core::dialog::{ConversationState, Mode};
use concierge_store::{run_turn, ConversationStatus, TenantId, TurnError, TurnWrite, DEFAULT_TURN_ATTEMPTS};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::conversation::{append_agent_message, items_for};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::hub::Item;
use crate::server::state::AppState;

/// The stored event type of a takeover.
pub const AGENT_JOINED: &str = "agent_joined";

/// The handoff routes.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(take_over))
        .routes(routes!(release))
        .routes(routes!(send_agent_message))
}

/// What a handoff step stored and pushed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HandoffOutcome {
    /// The conversation's status now.
    #[schema(value_type = String)]
    pub status: ConversationStatus,
    /// The items stored and pushed to the customer.
    pub items: Vec<Item>,
}

/// An agent's message to the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentMessageRequest {
    /// What to tell the customer.
    pub text: String,
}

fn engine_state(value: Value) -> Result<ConversationState, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::Internal(format!("stored conversation state: {e}")))
}

/// Changes the engine state and logs `events` in one turn; pushes them.
async fn step<F>(state: &AppState, tenant: &TenantId, id: &str, change: F) -> Result<Vec<Item>, ApiError>
where
    F: Fn(ConversationState) -> Result<(ConversationState, Vec<Value>), ApiError> + Sync,
{
    let change = &change;
    let result = run_turn(state.store.as_ref(), tenant, id, DEFAULT_TURN_ATTEMPTS, |current| async move {
        if current.status == ConversationStatus::Closed {
            return Err(ApiError::Conflict("the conversation is closed".into()));
        }
        let (next, events) = change(engine_state(current.state)?)?;
        let write = TurnWrite {
            events: events.clone(),
            state: serde_json::to_value(&next).map_err(ApiError::internal)?,
            status: None,
        };
        Ok((write, events))
    })
    .await;
    let (appended, events) = result.map_err(|e| match e {
        TurnError::Turn(e) => e,
        TurnError::Store(e) => e.into(),
        TurnError::TooManyConflicts(n) => {
            ApiError::Unavailable(format!("the conversation is busy ({n} conflicting writes); retry"))
        }
    })?;
    let items = items_for(&appended, &events);
    state.hub.publish(tenant, id, items.clone());
    Ok(items)
}

/// Takes a conversation over: the bot stops answering it.
#[utoipa::path(
    post,
    path = "/v1/admin/conversations/{id}/takeover",
    tag = "admin",
    params(("id" = String, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "Taken over", body = HandoffOutcome),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 404, description = "No such conversation for this tenant", body = ErrorBody),
        (status = 409, description = "Already with a person, or closed", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn take_over(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<HandoffOutcome>, ApiError> {
    principal.require(Role::Agent)?;
    let current = state.store.load_conversation(&principal.tenant, &id).await?;
    if current.status == ConversationStatus::WithHuman {
        return Err(ApiError::Conflict("a person already has this conversation".into()));
    }
    let agent = principal.name();
    let items = step(&state, &principal.tenant, &id, |mut engine| {
        engine.mode = Mode::HandedOff;
        engine.handoff_offered = false;
        Ok((engine, vec![json!({ "type": AGENT_JOINED, "agent": agent })]))
    })
    .await?;
    state.store.set_conversation_status(&principal.tenant, &id, ConversationStatus::WithHuman).await?;
    state.metrics.handoff_taken_over(principal.tenant.as_str());
    Ok(Json(HandoffOutcome { status: ConversationStatus::WithHuman, items }))
}

/// Hands a conversation back to the bot.
#[utoipa::path(
    post,
    path = "/v1/admin/conversations/{id}/release",
    tag = "admin",
    params(("id" = String, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "The bot answers again", body = HandoffOutcome),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 404, description = "No such conversation for this tenant", body = ErrorBody),
        (status = 409, description = "Not handed off, closed, or without a bot", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn release(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<HandoffOutcome>, ApiError> {
    principal.require(Role::Agent)?;
    let current = state.store.load_conversation(&principal.tenant, &id).await?;
    let bot_id = current.bot_id.ok_or_else(|| ApiError::Conflict("the conversation has no bot".into()))?;
    let engine = state.engines.engine(&principal.tenant, &bot_id).await?;
    let items = step(&state, &principal.tenant, &id, |engine_state| {
        if engine_state.mode != Mode::HandedOff {
            return Err(ApiError::Conflict("the conversation is not handed off".into()));
        }
        let (next, events) = engine.release(engine_state);
        let events = events
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(ApiError::internal)?;
        Ok((next, events))
    })
    .await?;
    state.store.set_conversation_status(&principal.tenant, &id, ConversationStatus::Bot).await?;
    state.metrics.handoff_released(principal.tenant.as_str());
    Ok(Json(HandoffOutcome { status: ConversationStatus::Bot, items }))
}

/// Sends a message from the agent to the customer (stored, and pushed to
/// the customer's WebSocket). The conversation must be taken over first.
#[utoipa::path(
    post,
    path = "/v1/admin/conversations/{id}/messages",
    tag = "admin",
    params(("id" = String, Path, description = "The conversation's id")),
    request_body = AgentMessageRequest,
    responses(
        (status = 200, description = "Stored and pushed", body = HandoffOutcome),
        (status = 400, description = "Bad JSON or an empty message", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 404, description = "No such conversation for this tenant", body = ErrorBody),
        (status = 409, description = "Not taken over by a person", body = ErrorBody),
        (status = 413, description = "Message too long", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn send_agent_message(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<AgentMessageRequest>,
) -> Result<Json<HandoffOutcome>, ApiError> {
    principal.require(Role::Agent)?;
    let current = state.store.load_conversation(&principal.tenant, &id).await?;
    if current.status != ConversationStatus::WithHuman {
        return Err(ApiError::Conflict("take the conversation over before answering".into()));
    }
    let item = append_agent_message(&state, &principal.tenant, &id, &principal.name(), &request.text).await?;
    Ok(Json(HandoffOutcome { status: current.status, items: vec![item] }))
}
