//! The staff's live inbox: `GET /v1/admin/inbox/ws`, a WebSocket that
//! pushes every change to the tenant's conversations as it is stored.
//!
//! Browsers cannot set headers on a WebSocket, and a credential in the URL
//! would land in logs, so the client's first frame authenticates:
//! `{"type": "auth", "token": "<access token or API key>"}` (agent role or
//! above), within 10 seconds. The server answers `{"type": "ready"}`, then
//! sends `{"type": "update", "conversation_id", "status", "items": [...]}`
//! for each stored change of any of the tenant's conversations (a new
//! customer message, a handoff, an agent's reply, a release, a close), and
//! `{"type": "resync"}` when the socket fell behind, after which the client
//! reads the list again. Pings and the idle limit are the chat socket's.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::limits::ClientIp;
use crate::server::state::AppState;
use crate::server::websocket::{close, send_error, send_json, Beat, Heartbeat};

/// How long a new socket has to authenticate.
const AUTH_TIMEOUT: Duration = Duration::from_secs(10);

/// The inbox route.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(connect))
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientMessage {
    Auth { token: String },
}

/// Opens the live inbox; the first frame must authenticate.
#[utoipa::path(
    get,
    path = "/v1/admin/inbox/ws",
    tag = "admin",
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket request", body = ErrorBody),
    )
)]
async fn connect(
    State(state): State<AppState>,
    ip: ClientIp,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let upgrade = upgrade.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let limit = state.config.limits.body_bytes;
    Ok(upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| session(state, socket, ip)))
}

/// Reads the first frame as credentials.
async fn authenticate(
    state: &AppState,
    socket: &mut WebSocket,
    ip: &ClientIp,
) -> Result<Principal, ApiError> {
    let first = tokio::time::timeout(AUTH_TIMEOUT, socket.recv())
        .await
        .map_err(|_| ApiError::Unauthorized("authenticate within 10 seconds".into()))?;
    let Some(Ok(Message::Text(text))) = first else {
        return Err(ApiError::Unauthorized("the first frame must be {\"type\": \"auth\", \"token\"}".into()));
    };
    let ClientMessage::Auth { token } = serde_json::from_str(text.as_str()).map_err(|_| {
        ApiError::Unauthorized("the first frame must be {\"type\": \"auth\", \"token\"}".into())
    })?;
    let principal = Principal::authenticate(state, token.trim(), Some(ip.0)).await?;
    principal.require(Role::Agent)?;
    Ok(principal)
}

async fn session(state: AppState, mut socket: WebSocket, ip: ClientIp) {
    let principal = match authenticate(&state, &mut socket, &ip).await {
        Ok(principal) => principal,
        Err(error) => {
            send_error(&mut socket, &error).await;
            close(&mut socket, 1008, "not authenticated").await;
            return;
        }
    };
    state.metrics.websockets().inc();
    let mut inbox = state.conversations.hub().subscribe_inbox(&principal.tenant);
    let mut shutdown = state.shutdown_signal();
    let mut heartbeat = Heartbeat::start(&state.config.http);
    let mut open = send_json(&mut socket, &json!({ "type": "ready" })).await;
    while open {
        tokio::select! {
            _ = shutdown.changed() => {
                close(&mut socket, 1001, "server shutting down").await;
                break;
            }
            beat = heartbeat.next() => match beat {
                Beat::Idle => {
                    close(&mut socket, 1008, "idle timeout").await;
                    break;
                }
                Beat::Ping => open = socket.send(Message::Ping(Default::default())).await.is_ok(),
            },
            update = inbox.receiver.recv() => match update {
                Ok(update) => {
                    open = send_json(&mut socket, &json!({
                        "type": "update",
                        "conversation_id": update.conversation_id,
                        "status": update.status.as_str(),
                        "items": update.items.as_ref(),
                    })).await;
                }
                Err(RecvError::Lagged(_)) => open = send_json(&mut socket, &json!({ "type": "resync" })).await,
                Err(RecvError::Closed) => break,
            },
            incoming = socket.recv() => {
                heartbeat.heard();
                match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    // The inbox takes no commands: actions go through the REST routes.
                    Some(Ok(_)) => {}
                }
            }
        }
    }
    state.metrics.websockets().dec();
}
