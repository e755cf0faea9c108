//! Who may use a conversation: the tenant in the path, the conversation
//! token, and the rate limits of the public chat API (REST and WebSocket).

use axum::http::{header, HeaderMap};
use concierge_store::TenantId;

use super::token;
use crate::server::error::ApiError;
use crate::server::limits::ClientIp;
use crate::server::state::AppState;

/// The tenant named in a path; an impossible id is reported like an unknown one.
pub(crate) fn tenant_from_path(tenant: &str) -> Result<TenantId, ApiError> {
    TenantId::parse(tenant).map_err(|_| ApiError::NotFound("tenant".into()))
}

/// The bearer token of a request.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::Unauthorized("missing conversation token (Authorization: Bearer ...)".into())
        })
}

/// Checks that `token` opens conversation `id` of `tenant`.
pub(crate) fn authorize(state: &AppState, tenant: &TenantId, id: &str, token: &str) -> Result<(), ApiError> {
    if token::verify(&state.keys, tenant.as_str(), id, token) {
        Ok(())
    } else {
        Err(ApiError::Unauthorized("the token does not open this conversation".into()))
    }
}

/// Takes a rate-limit token for this client and tenant.
pub(crate) fn admit(state: &AppState, ip: &ClientIp, tenant: &TenantId) -> Result<(), ApiError> {
    state.limits.admit(ip.0, tenant.as_str()).inspect_err(|_| state.metrics.rate_limited(tenant.as_str()))
}
