//! What the server's WebSockets share (the customer's chat socket and the
//! staff's live inbox): JSON frames, close frames that arrive, errors in
//! the API's error shape.

use std::pin::Pin;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use serde_json::json;
use tokio::time::{Instant, Interval, MissedTickBehavior, Sleep};

use crate::server::config::HttpConfig;
use crate::server::error::ApiError;

/// What a socket's [`Heartbeat`] says is due.
pub(crate) enum Beat {
    /// Time to ping the client.
    Ping,
    /// Nothing heard (not even a pong) for the idle limit: close with 1008.
    Idle,
}

/// A socket's keep-alive: a ping every `server.websocket_ping_seconds`, and
/// the end of a socket silent for `server.websocket_idle_timeout_seconds`.
pub(crate) struct Heartbeat {
    ping: Interval,
    idle: Pin<Box<Sleep>>,
    limit: Duration,
}

impl Heartbeat {
    /// Starts counting now; the first ping is one interval away.
    pub(crate) fn start(config: &HttpConfig) -> Heartbeat {
        let period = config.websocket_ping_interval;
        let mut ping = tokio::time::interval_at(Instant::now() + period, period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let limit = config.websocket_idle_timeout;
        Heartbeat { ping, idle: Box::pin(tokio::time::sleep(limit)), limit }
    }

    /// Waits for what is due next (cancel-safe, for `select!`).
    pub(crate) async fn next(&mut self) -> Beat {
        tokio::select! {
            _ = self.ping.tick() => Beat::Ping,
            () = &mut self.idle => Beat::Idle,
        }
    }

    /// Something came from the client: the idle limit counts from now.
    pub(crate) fn heard(&mut self) {
        self.idle.as_mut().reset(Instant::now() + self.limit);
    }
}

pub(crate) async fn send_json(socket: &mut WebSocket, value: &impl serde::Serialize) -> bool {
    match serde_json::to_string(value) {
        Ok(text) => socket.send(Message::Text(Utf8Bytes::from(text))).await.is_ok(),
        Err(_) => false,
    }
}

/// Sends a close frame with `code` and `reason`, then waits briefly for
/// the client's answer so the frame is not lost to a reset connection.
pub(crate) async fn close(socket: &mut WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: Utf8Bytes::from_static(reason) };
    if socket.send(Message::Close(Some(frame))).await.is_err() {
        return;
    }
    let drain = async { while let Some(Ok(_)) = socket.recv().await {} };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(2), drain).await;
}

/// Whether a receive error is the WebSocket library refusing a message or
/// frame over `max_message_size` / `max_frame_size` (axum passes it on boxed).
/// The library must be the version axum uses, or this is never true: the
/// 1009 probe test would catch that.
pub(crate) fn is_too_big(error: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::error::{CapacityError, Error};
    std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<Error>())
        .is_some_and(|error| matches!(error, Error::Capacity(CapacityError::MessageTooLong { .. })))
}

pub(crate) async fn send_error(socket: &mut WebSocket, error: &ApiError) -> bool {
    let mut body = json!({ "type": "error", "error": error.body().error });
    if let ApiError::RateLimited { retry_after_secs } = error {
        body["retry_after"] = json!(retry_after_secs);
    }
    send_json(socket, &body).await
}
