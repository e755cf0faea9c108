//! The public chat room: what the widget and any custom frontend use.
//!
//! - [`rest`]: start a conversation, send a message, list stored items;
//! - [`ws`]: the same conversation live over a WebSocket;
//! - [`widget`]: the embeddable widget script and the demo page;
//! - [`access`]: the tenant in the path, the conversation token ([`token`]),
//!   the rate limits; [`cors`]: which web origins may call;
//! - [`conversation`]: the server's side of the conversation service
//!   (clock, metrics, error mapping) and the turn's response body.

mod access;
pub(super) mod conversation;
pub(crate) mod cors;
pub(super) mod rest;
pub(crate) mod token;
pub(super) mod ws;

use utoipa_axum::router::OpenApiRouter;

use crate::server::state::AppState;

/// The documented chat routes: REST and WebSocket.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    rest::routes().merge(ws::routes())
}
