//! The staff console's session: the same login, rotation and reuse
//! detection as [`super::session`], with the refresh token kept in a
//! cookie the console's script cannot read (`HttpOnly; Secure;
//! SameSite=Strict`, scoped to these routes) and the access token only in
//! the page's memory.
//!
//! Cross-site request forgery: the cookie is never sent by another site
//! (`SameSite=Strict`), and every route also wants the header
//! `X-Concierge-CSRF: 1`, which a form on another site cannot set, and
//! refuses a request whose `Origin` is not this server.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::role::Role;
use super::session::{
    accept, end, log_in, rotate, AcceptInviteRequest, AuthContext, LoginRequest, TokenPair,
};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::limits::ClientIp;
use crate::server::state::AppState;

/// The cookie that holds the console's refresh token.
const COOKIE: &str = "concierge_console";
/// Where the browser sends it.
const COOKIE_PATH: &str = "/v1/auth/console";
/// The header every console session request carries.
const CSRF_HEADER: &str = "x-concierge-csrf";

/// What the console keeps in memory.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsoleSession {
    /// The access token: `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Seconds until it expires (refresh before then).
    pub expires_in: u64,
    /// The staff member's role.
    pub role: Role,
    /// The tenant the session belongs to.
    pub tenant: String,
    /// The staff member's user id.
    pub user_id: String,
}

/// Refuses a request another site could have made.
fn check_origin(headers: &HeaderMap) -> Result<(), ApiError> {
    if headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) != Some("1") {
        return Err(ApiError::Forbidden("console requests carry X-Concierge-CSRF: 1".into()));
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let own = origin.strip_prefix("https://").or_else(|| origin.strip_prefix("http://")) == Some(host);
    if own {
        Ok(())
    } else {
        Err(ApiError::Forbidden("this request comes from another site".into()))
    }
}

fn cookie_value(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('=').map(str::to_owned))
        .filter(|v| !v.is_empty())
}

fn set_cookie(value: &str, max_age: u64) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path={COOKIE_PATH}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"
    ))
    .map_err(ApiError::internal)
}

fn answer(context: &AuthContext, pair: TokenPair) -> Result<Response, ApiError> {
    let cookie = set_cookie(&pair.refresh_token, context.config.refresh_ttl.as_secs())?;
    let session = ConsoleSession {
        access_token: pair.access_token,
        expires_in: pair.expires_in,
        role: pair.role,
        tenant: pair.tenant,
        user_id: pair.user_id,
    };
    let mut response = Json(session).into_response();
    response.headers_mut().insert(header::SET_COOKIE, cookie);
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Logs a staff member into the console.
#[utoipa::path(post, path = "/v1/auth/console/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the refresh token is in an HttpOnly cookie", body = ConsoleSession),
        (status = 401, description = "Unknown tenant, email or password", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or another site's request", body = ErrorBody),
        (status = 429, description = "Too many attempts", body = ErrorBody),
    ))]
pub(crate) async fn console_login(
    State(state): State<AppState>,
    Extension(context): Extension<Arc<AuthContext>>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Response, ApiError> {
    check_origin(&headers)?;
    let pair = log_in(&state, &context, &ip, &request).await?;
    answer(&context, pair)
}

/// Accepts an invitation from the invitation page and opens a console
/// session: the new staff member lands in the console already logged in.
#[utoipa::path(post, path = "/v1/auth/console/invites/accept", tag = "auth",
    request_body = AcceptInviteRequest,
    responses(
        (status = 200, description = "Password set; logged in, the refresh token in an HttpOnly cookie", body = ConsoleSession),
        (status = 400, description = "Bad JSON, or a password too short or too long", body = ErrorBody),
        (status = 401, description = "Unknown, expired or already used invitation", body = ErrorBody),
        (status = 403, description = "Missing CSRF header, another site's request, or a disabled tenant", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody),
    ))]
pub(crate) async fn console_accept_invite(
    State(state): State<AppState>,
    Extension(context): Extension<Arc<AuthContext>>,
    ip: ClientIp,
    headers: HeaderMap,
    ApiJson(request): ApiJson<AcceptInviteRequest>,
) -> Result<Response, ApiError> {
    check_origin(&headers)?;
    let pair = accept(&state, &context, &ip, &request).await?;
    answer(&context, pair)
}

/// A new access token for the console's session (its cookie is rotated;
/// a reused one revokes the session).
#[utoipa::path(post, path = "/v1/auth/console/refresh", tag = "auth",
    responses(
        (status = 200, description = "A new access token; the cookie is rotated", body = ConsoleSession),
        (status = 401, description = "No session, or an expired, revoked or reused one", body = ErrorBody),
        (status = 403, description = "Missing CSRF header or another site's request", body = ErrorBody),
    ))]
pub(crate) async fn console_refresh(
    State(state): State<AppState>,
    Extension(context): Extension<Arc<AuthContext>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_origin(&headers)?;
    let token = cookie_value(&headers).ok_or_else(|| ApiError::Unauthorized("no console session".into()))?;
    let pair = rotate(&state, &context, &token).await?;
    answer(&context, pair)
}

/// Ends the console's session and clears its cookie.
#[utoipa::path(post, path = "/v1/auth/console/logout", tag = "auth",
    responses(
        (status = 204, description = "Logged out"),
        (status = 403, description = "Missing CSRF header or another site's request", body = ErrorBody),
    ))]
pub(crate) async fn console_logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    check_origin(&headers)?;
    if let Some(token) = cookie_value(&headers) {
        // An unknown or spent token still clears the cookie.
        if let Err(error) = end(&state, &token).await {
            tracing::debug!(%error, "console logout with an unknown session");
        }
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, set_cookie("", 0)?);
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_sites_requests_with_the_header_pass() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(check_origin(&headers).is_err(), "no CSRF header");
        headers.insert(CSRF_HEADER, HeaderValue::from_static("1"));
        assert!(check_origin(&headers).is_ok());
        headers.insert(header::ORIGIN, HeaderValue::from_static("http://127.0.0.1:8080"));
        assert!(check_origin(&headers).is_ok());
        headers.insert(header::ORIGIN, HeaderValue::from_static("https://evil.example"));
        assert!(check_origin(&headers).is_err());
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("a=1; concierge_console=rt_x.ab; b=2"));
        assert_eq!(cookie_value(&headers).as_deref(), Some("rt_x.ab"));
        headers.insert(header::COOKIE, HeaderValue::from_static("concierge_console_other=1"));
        assert_eq!(cookie_value(&headers), None);
    }
}
