//! Authentication of the admin API.
//!
//! - Staff log in with a password (`POST /v1/auth/login`) and get a
//!   short-lived access token (an HS256 JWT, [`access_token`]) and a refresh
//!   token; `POST /v1/auth/refresh` rotates the refresh token (reusing a
//!   spent one revokes the whole session), `POST /v1/auth/logout` ends the
//!   session ([`session`]).
//! - The staff console logs in through [`console_session`]: the same
//!   session, its refresh token in an `HttpOnly` cookie.
//! - Servers call with a tenant's API key (`Authorization: Bearer ck_...`).
//! - Handlers take a [`Principal`] (either credential) or an [`AdminUser`]
//!   (staff only) and check the [`Role`] they need; roles are ordered
//!   owner > admin > agent ([`role`]).

use std::sync::Arc;

use axum::Extension;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::state::AppState;

pub mod access_token;
pub mod console_session;
pub mod principal;
pub mod role;
pub(crate) mod server_token;
pub mod session;

pub use principal::{Actor, AdminUser, Principal, API_KEY_ROLE};
pub use role::Role;

/// The auth routes (documented in the OpenAPI description), with the login
/// rate limiter they share.
pub fn routes(config: crate::server::config::AuthConfig) -> OpenApiRouter<AppState> {
    let context = Arc::new(session::AuthContext::new(config));
    OpenApiRouter::new()
        .routes(routes!(session::login))
        .routes(routes!(session::refresh))
        .routes(routes!(session::logout))
        .routes(routes!(session::accept_invite))
        .routes(routes!(console_session::console_login))
        .routes(routes!(console_session::console_accept_invite))
        .routes(routes!(console_session::console_refresh))
        .routes(routes!(console_session::console_logout))
        .layer(Extension(context))
}
