//! The chat WebSocket: `GET /v1/chat/{tenant}/conversations/{id}/ws?token=...[&after=SEQ]`.
//!
//! The client sends `{"type": "message", "text": "..."}`. The server pushes
//! JSON objects, each with a `type` and the `seq` it is at:
//! - `{"type": "typing", "seq"}` while a message sent on this socket is being handled,
//!   and `{"type": "done", "seq"}` after its items;
//! - the stored items of the conversation as they are stored ([`concierge_service::Item`]:
//!   `reply` with its buttons, `event` with an engine event, `agent_message`
//!   from a person during a handoff), whoever caused them (this socket,
//!   another tab, the HTTP API, an agent);
//! - `{"type": "error", "error": {"code", "message"}}` for a refused
//!   message (the socket stays open).
//!
//! The server pings every `server.websocket_ping_seconds` and closes a
//! socket it has heard nothing from (not even a pong) for
//! `server.websocket_idle_timeout_seconds`. Close codes follow RFC 6455:
//! 1009 for a message over the body limit, 1008 for an idle socket, 1011
//! when the conversation cannot be read, 1001 when the server stops.
//!
//! On connect, everything stored after `after` is sent first (`after=0`:
//! the whole conversation; without `after`, only what is stored from now
//! on), so a reconnecting client resumes from the last `seq` it saw, without
//! gaps or duplicates.

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use concierge_store::TenantId;
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::access::{admit, authorize, tenant_from_path};
use super::conversation::handle_message;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::limits::ClientIp;
use crate::server::state::AppState;
use crate::server::websocket::{close, is_too_big, send_error, send_json, Beat, Heartbeat};

/// The WebSocket route.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(connect))
}

/// How a client connects.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ConnectQuery {
    /// The conversation token (without it: 401).
    pub token: Option<String>,
    /// Send every stored item after this sequence number first (0: the whole
    /// conversation). Without it, only new items are sent.
    pub after: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
enum ClientMessage {
    Message { text: String },
}

/// Opens the conversation's WebSocket.
#[utoipa::path(
    get,
    path = "/v1/chat/{tenant}/conversations/{id}/ws",
    tag = "chat",
    params(
        ("tenant" = String, Path, description = "The tenant's id"),
        ("id" = String, Path, description = "The conversation's id"),
        ConnectQuery,
    ),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 400, description = "Not a WebSocket request or a bad query", body = ErrorBody),
        (status = 401, description = "Missing or wrong token", body = ErrorBody),
        (status = 404, description = "No such tenant or conversation", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
async fn connect(
    State(state): State<AppState>,
    Path((tenant, id)): Path<(String, String)>,
    ip: ClientIp,
    query: Result<Query<ConnectQuery>, axum::extract::rejection::QueryRejection>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let tenant = tenant_from_path(&tenant)?;
    let Query(query) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let token = query
        .token
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("missing conversation token (?token=...)".into()))?;
    authorize(&state, &tenant, &id, token)?;
    admit(&state, &ip, &tenant)?;
    let upgrade = upgrade.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let conversation = state.store.load_conversation(&tenant, &id).await?;
    let after = query.after.map_or(conversation.last_seq, |a| a.max(0));
    let limit = state.config.limits.body_bytes;
    Ok(upgrade
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| session(state, socket, tenant, id, ip, after)))
}

/// Sends stored items after `last` and returns the new last sequence number.
async fn catch_up(
    state: &AppState,
    socket: &mut WebSocket,
    tenant: &TenantId,
    id: &str,
    last: i64,
) -> Result<i64, ()> {
    let items = state.conversations.items(tenant, id, last).await.map_err(|_| ())?;
    let mut last = last;
    for item in &items {
        if !send_json(socket, item).await {
            return Err(());
        }
        last = item.seq;
    }
    Ok(last)
}

async fn session(
    state: AppState,
    mut socket: WebSocket,
    tenant: TenantId,
    id: String,
    ip: ClientIp,
    after: i64,
) {
    state.metrics.websockets().inc();
    let mut subscription = state.conversations.hub().subscribe(&tenant, &id);
    let mut shutdown = state.shutdown_signal();
    // Subscribed first, then caught up: nothing stored in between is missed,
    // and items already sent are skipped by sequence number.
    let mut last = match catch_up(&state, &mut socket, &tenant, &id, after).await {
        Ok(last) => last,
        Err(()) => {
            close(&mut socket, 1011, "the conversation cannot be read").await;
            state.metrics.websockets().dec();
            return;
        }
    };
    let mut heartbeat = Heartbeat::start(&state.config.http);
    loop {
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
                Beat::Ping => {
                    if socket.send(Message::Ping(Default::default())).await.is_err() {
                        break;
                    }
                }
            },
            batch = subscription.receiver.recv() => match batch {
                Ok(items) => {
                    let mut ok = true;
                    for item in items.iter() {
                        if item.seq <= last { continue; }
                        ok = send_json(&mut socket, item).await;
                        if !ok { break; }
                        last = item.seq;
                    }
                    if !ok { break; }
                }
                Err(RecvError::Lagged(_)) => match catch_up(&state, &mut socket, &tenant, &id, last).await {
                    Ok(new_last) => last = new_last,
                    Err(()) => {
                        close(&mut socket, 1011, "the conversation cannot be read").await;
                        break;
                    }
                },
                Err(RecvError::Closed) => break,
            },
            incoming = socket.recv() => {
                heartbeat.heard();
                let text = match incoming {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Binary(_))) => {
                        if !send_error(&mut socket, &ApiError::InvalidRequest("send JSON text frames".into())).await {
                            break;
                        }
                        continue;
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Err(error)) if is_too_big(&error) => {
                        close(&mut socket, 1009, "message too big").await;
                        break;
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                };
                let message = match serde_json::from_str::<ClientMessage>(text.as_str()) {
                    Ok(ClientMessage::Message { text }) => text,
                    Err(e) => {
                        let error = if e.is_syntax() || e.is_eof() {
                            ApiError::BadJson(e.to_string())
                        } else {
                            ApiError::InvalidRequest(e.to_string())
                        };
                        if !send_error(&mut socket, &error).await { break; }
                        continue;
                    }
                };
                if let Err(error) = admit(&state, &ip, &tenant) {
                    if !send_error(&mut socket, &error).await { break; }
                    continue;
                }
                if !send_json(&mut socket, &json!({ "type": "typing", "seq": last })).await {
                    break;
                }
                match handle_message(&state, &tenant, &id, &message, "ws").await {
                    Ok(outcome) => {
                        // Sent now rather than when the hub delivers them, so
                        // `done` follows them; the hub's copies are skipped by seq.
                        // Something else stored before this turn and is not sent yet: read it all.
                        let mut ok = true;
                        if outcome.appended.first_seq > last + 1 {
                            match catch_up(&state, &mut socket, &tenant, &id, last).await {
                                Ok(new_last) => last = new_last,
                                Err(()) => ok = false,
                            }
                        }
                        for item in &outcome.items {
                            if !ok || item.seq <= last { continue; }
                            ok = send_json(&mut socket, item).await;
                            last = item.seq;
                        }
                        if !ok || !send_json(&mut socket, &json!({ "type": "done", "seq": last })).await {
                            break;
                        }
                    }
                    Err(error) => {
                        if !send_error(&mut socket, &error).await { break; }
                    }
                }
            }
        }
    }
    drop(subscription);
    state.metrics.websockets().dec();
}

#[cfg(test)]
mod tests {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error, ProtocolError};

    use super::*;

    #[test]
    fn only_a_message_over_the_limit_is_too_big() {
        let too_long = Error::Capacity(CapacityError::MessageTooLong { size: 20_000, max_size: 16_384 });
        assert!(is_too_big(&axum::Error::new(too_long)));
        assert!(!is_too_big(&axum::Error::new(Error::Capacity(CapacityError::TooManyHeaders))));
        assert!(!is_too_big(&axum::Error::new(Error::Protocol(ProtocolError::ResetWithoutClosingHandshake))));
        // Text alone no longer decides.
        assert!(!is_too_big(&axum::Error::new(std::io::Error::other("message too long"))));
    }
}
