//! Who is calling the admin API: a staff member with an access token, or
//! a server with an API key. Both give a tenant and a role; handlers check
//! the role with [`Principal::require`] and act only on the principal's
//! tenant, so a credential of one tenant never reaches another's data.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use concierge_store::TenantId;

use super::access_token::{self, AccessTokenError};
use super::role::Role;
use crate::server::error::ApiError;
use crate::server::state::AppState;

/// The role an API key acts with: everything but managing access
/// (keys and users stay with owners, who log in).
pub const API_KEY_ROLE: Role = Role::Admin;

/// What kind of credential authenticated the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A staff member, by user id.
    User(String),
    /// A server, by API key id.
    ApiKey(String),
}

/// An authenticated caller of the admin API (JWT or API key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The tenant the credential belongs to: the only one it may act on.
    pub tenant: TenantId,
    /// What it may do.
    pub role: Role,
    /// Who it is.
    pub actor: Actor,
    /// The client address the request came from (behind trusted proxies,
    /// the one they name); recorded in the audit log.
    pub client: Option<std::net::IpAddr>,
}

impl Principal {
    /// Fails with 403 unless the caller's role is at least `role`.
    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role >= role {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("this needs the {role} role; the caller is {}", self.role)))
        }
    }

    /// How the caller is named in stored events and audit entries
    /// (`user:<id>` or `api_key:<id>`).
    pub fn name(&self) -> String {
        match &self.actor {
            Actor::User(id) => format!("user:{id}"),
            Actor::ApiKey(id) => format!("api_key:{id}"),
        }
    }
}

/// A staff member authenticated by an access token (API keys are refused).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminUser {
    /// The staff member's tenant.
    pub tenant: TenantId,
    /// Their role when the token was issued.
    pub role: Role,
    /// Their user id.
    pub user_id: String,
}

impl From<AdminUser> for Principal {
    fn from(user: AdminUser) -> Self {
        Principal { tenant: user.tenant, role: user.role, actor: Actor::User(user.user_id), client: None }
    }
}

/// The bearer credential of a request.
fn bearer(parts: &Parts) -> Result<&str, ApiError> {
    parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("missing credentials (Authorization: Bearer ...)".into()))
}

fn user_from_token(state: &AppState, token: &str) -> Result<AdminUser, ApiError> {
    let (claims, tenant) = access_token::verify(state.keys.jwt_signing_key(), token, state.clock.now())
        .map_err(|e| match e {
            AccessTokenError::Expired => {
                ApiError::Unauthorized("the access token expired; refresh it".into())
            }
            _ => ApiError::Unauthorized("invalid access token".into()),
        })?;
    Ok(AdminUser { tenant, role: claims.role, user_id: claims.sub })
}

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        if token.starts_with("ck_") {
            return Err(ApiError::Forbidden("this needs a staff login, not an API key".into()));
        }
        user_from_token(state, token)
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)?;
        let client = parts.extensions.get::<crate::server::limits::ClientIp>().map(|ip| ip.0);
        Principal::authenticate(state, token, client).await
    }
}

impl Principal {
    /// The caller a credential names: an API key (`ck_...`) or a staff
    /// access token, from `client`.
    pub(crate) async fn authenticate(
        state: &AppState,
        token: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<Principal, ApiError> {
        if token.starts_with("ck_") {
            let key = state
                .store
                .authenticate_api_key(token)
                .await?
                .ok_or_else(|| ApiError::Unauthorized("unknown or revoked API key".into()))?;
            return Ok(Principal {
                tenant: key.tenant_id,
                role: API_KEY_ROLE,
                actor: Actor::ApiKey(key.id),
                client,
            });
        }
        user_from_token(state, token).map(|user| Principal { client, ..Principal::from(user) })
    }
}
