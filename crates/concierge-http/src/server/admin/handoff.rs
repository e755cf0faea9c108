//! Handoff: a person takes a conversation over (the bot stays silent),
//! answers the customer (pushed to their WebSocket), and hands it back.
//!
//! Each step is one write of the conversation service
//! ([`concierge_service::Conversations`]): taking over puts the engine's
//! state in `Mode::HandedOff`, in which the dialog engine only logs the
//! customer's messages, and releasing goes through the engine's `release`,
//! after which the bot answers again; the status changes with the step's
//! records. The stored items are pushed through the service's hub like any
//! others, and the steps are counted in the metrics
//! (`concierge_handoffs_total{kind="takeover"}`,
//! `concierge_handoff_releases_total`).

use axum::extract::{Path, State};
use axum::Json;
use concierge_service::{Item, Step};
use concierge_store::ConversationStatus;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The handoff routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(take_over))
        .routes(routes!(release))
        .routes(routes!(send_agent_message))
        .routes(routes!(close))
}

/// What a handoff step stored and pushed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct HandoffOutcome {
    /// The conversation's status now.
    #[schema(value_type = String)]
    pub status: ConversationStatus,
    /// The items stored and pushed to the customer.
    pub items: Vec<Item>,
}

/// An agent's message to the customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct AgentMessageRequest {
    /// What to tell the customer.
    pub text: String,
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
    let step = state.conversations.take_over(&principal.tenant, &id, &principal.name()).await?;
    state.metrics.handoff_taken_over(principal.tenant.as_str());
    Ok(Json(step.into()))
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
    let agent = principal.name();
    let step = state.conversations.release(&principal.tenant, &id, Some(&agent), &state.engines).await?;
    state.metrics.handoff_released(principal.tenant.as_str());
    Ok(Json(step.into()))
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
    let step =
        state.conversations.agent_message(&principal.tenant, &id, &principal.name(), &request.text).await?;
    Ok(Json(step.into()))
}

impl From<Step> for HandoffOutcome {
    fn from(step: Step) -> Self {
        HandoffOutcome { status: step.status, items: step.items }
    }
}

/// Closes a conversation: it takes no more messages (the customer's next
/// message starts a new one).
#[utoipa::path(
    post,
    path = "/v1/admin/conversations/{id}/close",
    tag = "admin",
    params(("id" = String, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "Closed", body = HandoffOutcome),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 404, description = "No such conversation for this tenant", body = ErrorBody),
        (status = 409, description = "Already closed", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn close(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<HandoffOutcome>, ApiError> {
    principal.require(Role::Agent)?;
    let step = state.conversations.close(&principal.tenant, &id).await?;
    Ok(Json(step.into()))
}
