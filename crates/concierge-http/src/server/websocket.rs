//! What the server's WebSockets share (the customer's chat socket and the
//! staff's live inbox): JSON frames, close frames that arrive, errors in
//! the API's error shape.

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use serde_json::json;

use crate::server::error::ApiError;

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
