//! `POST /v1/auth/login`, `/v1/auth/refresh` and `/v1/auth/logout`.
//!
//! Login checks the password (argon2, in the store) and starts a refresh
//! token family; refresh rotates the presented token (reuse of an old one
//! revokes the family: see [`concierge_store::AuthStore::rotate_refresh_token`]);
//! logout revokes the family (access tokens already issued keep working
//! until they expire: logout takes effect within the access-token lifetime).
//! Unknown user, unknown tenant and wrong password get the same answer after
//! the same work: one argon2 verification each (against a dummy hash when
//! there is no account), so neither the body nor the time tells which
//! emails have accounts. Attempts are limited first (per address and email,
//! per address, per tenant: [`AuthContext::new`]), before any argon2 work.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use chrono::TimeDelta;
use concierge_store::{
    check_password_of_unknown_account, invite_tenant, InviteRejection, StoreError, TenantId, User,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::access_token;
use super::role::Role;
use crate::server::config::AuthConfig;
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::limits::{ClientIp, RateLimiter};
use crate::server::state::AppState;

/// What the auth routes share besides [`AppState`].
#[derive(Debug)]
pub struct AuthContext {
    /// Lifetimes and the login rate.
    pub config: AuthConfig,
    /// Login attempts per client address and email.
    pub login_attempts: RateLimiter,
    /// Login attempts per client address, whatever the email (password spraying).
    pub login_attempts_per_ip: RateLimiter,
    /// Login attempts per tenant, from every address.
    pub login_attempts_per_tenant: RateLimiter,
}

impl AuthContext {
    /// The context of these settings, with empty limiters.
    pub fn new(config: AuthConfig) -> Self {
        AuthContext {
            login_attempts: RateLimiter::new(config.login_rate),
            login_attempts_per_ip: RateLimiter::new(config.login_rate_per_ip),
            login_attempts_per_tenant: RateLimiter::new(config.login_rate_per_tenant),
            config,
        }
    }

    /// Takes a login attempt for this address, tenant and email from each
    /// limiter, before any password is checked (argon2 is the costly part).
    fn admit(&self, ip: &ClientIp, tenant: &str, email: &str) -> Result<(), ApiError> {
        let limited = |wait: std::time::Duration| ApiError::RateLimited {
            retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
        };
        self.login_attempts_per_ip.check(&ip.0.to_string()).map_err(limited)?;
        self.login_attempts_per_tenant.check(tenant).map_err(limited)?;
        // One bucket per account however the email is typed (the store matches it that way too).
        let account = format!("{}|{tenant}|{}", ip.0, email.trim().to_lowercase());
        self.login_attempts.check(&account).map_err(limited)
    }
}

/// The answer to every failed login.
const BAD_LOGIN: &str = "unknown tenant, email or password";

/// A login.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// The tenant's id.
    pub tenant: String,
    /// The staff member's email.
    pub email: String,
    /// Their password.
    pub password: String,
}

/// An invitation accepted: the password the invited user chose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInviteRequest {
    /// The invitation (`inv_...`, from the invitation link).
    pub token: String,
    /// The new password: at least [`MIN_PASSWORD_CHARS`] characters.
    pub password: String,
}

/// The fewest characters of a password chosen through an invitation.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The most (argon2 hashes any length; this bounds the work a request can ask for).
const MAX_PASSWORD_BYTES: usize = 1024;

/// A refresh token presented for rotation or logout.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The newest refresh token of the session.
    pub refresh_token: String,
}

/// A session's tokens.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenPair {
    /// The access token (a JWT): `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The refresh token: present it once to `/v1/auth/refresh` for a new pair.
    pub refresh_token: String,
    /// The user's role.
    pub role: Role,
    /// The tenant the session belongs to.
    pub tenant: String,
    /// The user's id.
    pub user_id: String,
}

fn ttl(duration: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(duration).unwrap_or(TimeDelta::MAX)
}

fn role_of(user: &User) -> Result<Role, ApiError> {
    Role::parse(&user.role)
        .ok_or_else(|| ApiError::Internal(format!("user {} has unknown role {:?}", user.id, user.role)))
}

async fn pair(
    state: &AppState,
    context: &AuthContext,
    user: &User,
    family: Option<&str>,
) -> Result<TokenPair, ApiError> {
    let now = state.clock.now();
    let role = role_of(user)?;
    let refresh = state
        .store
        .issue_refresh_token(&user.tenant_id, &user.id, family, now, ttl(context.config.refresh_ttl))
        .await?;
    access_pair(state, context, user, role, refresh.secret)
}

fn access_pair(
    state: &AppState,
    context: &AuthContext,
    user: &User,
    role: Role,
    refresh_token: String,
) -> Result<TokenPair, ApiError> {
    let access_token = access_token::issue(
        state.keys.jwt_signing_key(),
        &user.tenant_id,
        &user.id,
        role,
        state.clock.now(),
        context.config.access_ttl,
    )
    .map_err(ApiError::internal)?;
    Ok(TokenPair {
        access_token,
        token_type: "Bearer".into(),
        expires_in: context.config.access_ttl.as_secs(),
        refresh_token,
        role,
        tenant: user.tenant_id.as_str().to_owned(),
        user_id: user.id.clone(),
    })
}

/// Logs a staff member in.
#[utoipa::path(
    post,
    path = "/v1/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Unknown tenant, email or password", body = ErrorBody),
        (status = 429, description = "Too many attempts (per address and email, per address, per tenant)",
         body = ErrorBody),
    )
)]
pub(crate) async fn login(
    State(state): State<AppState>,
    Extension(context): Extension<Arc<AuthContext>>,
    ip: ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(log_in(&state, &context, &ip, &request).await?))
}

/// Checks a login and opens a session (shared by the JSON and the
/// console's cookie routes).
pub(crate) async fn log_in(
    state: &AppState,
    context: &AuthContext,
    ip: &ClientIp,
    request: &LoginRequest,
) -> Result<TokenPair, ApiError> {
    context.admit(ip, &request.tenant, &request.email)?;
    let Ok(tenant) = TenantId::parse(&request.tenant) else {
        // As slow as a wrong password, like an unknown email (in the store).
        check_password_of_unknown_account(&request.password).await?;
        return Err(ApiError::Unauthorized(BAD_LOGIN.into()));
    };
    let user = state
        .store
        .verify_user(&tenant, &request.email, &request.password)
        .await?
        .ok_or_else(|| ApiError::Unauthorized(BAD_LOGIN.into()))?;
    ensure_enabled(state, &tenant).await?;
    tracing::info!(tenant = %tenant, user = %user.id, "staff login");
    pair(state, context, &user, None).await
}

/// Sets an invited user's password and logs them in: the invitation is
/// spent, whatever happens next.
#[utoipa::path(
    post,
    path = "/v1/auth/invites/accept",
    tag = "auth",
    request_body = AcceptInviteRequest,
    responses(
        (status = 200, description = "Password set; logged in", body = TokenPair),
        (status = 400, description = "Bad JSON, or a password too short or too long", body = ErrorBody),
        (status = 401, description = "Unknown, expired or already used invitation", body = ErrorBody),
        (status = 403, description = "The tenant is disabled", body = ErrorBody),
        (status = 429, description = "Too many attempts from this address", body = ErrorBody),
    )
)]
pub(crate) async fn accept_invite(
    State(state): State<AppState>,
    Extension(context): Extension<Arc<AuthContext>>,
    ip: ClientIp,
    ApiJson(request): ApiJson<AcceptInviteRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(accept(&state, &context, &ip, &request).await?))
}

/// Spends an invitation, sets the password and opens a session (shared by
/// the JSON and the console's cookie routes).
pub(crate) async fn accept(
    state: &AppState,
    context: &AuthContext,
    ip: &ClientIp,
    request: &AcceptInviteRequest,
) -> Result<TokenPair, ApiError> {
    context.login_attempts_per_ip.check(&ip.0.to_string()).map_err(|wait| ApiError::RateLimited {
        retry_after_secs: wait.as_secs_f64().ceil().max(1.0) as u64,
    })?;
    if request.password.chars().count() < MIN_PASSWORD_CHARS || request.password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::InvalidRequest(format!(
            "a password has {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} characters"
        )));
    }
    let tenant = invite_tenant(&request.token)
        .ok_or_else(|| ApiError::Unauthorized(InviteRejection::Unknown.to_string()))?;
    ensure_enabled(state, &tenant).await?;
    let user =
        state.store.accept_invite(&request.token, &request.password, state.clock.now()).await.map_err(
            |error| match error {
                StoreError::InviteRejected(why) => ApiError::Unauthorized(why.to_string()),
                other => other.into(),
            },
        )?;
    tracing::info!(tenant = %user.tenant_id, user = %user.id, "invitation accepted");
    pair(state, context, &user, None).await
}

/// Refuses a disabled tenant's staff.
async fn ensure_enabled(state: &AppState, tenant: &TenantId) -> Result<(), ApiError> {
    match state.store.tenant(tenant).await {
        Ok(t) if t.disabled_at.is_some() => Err(ApiError::Forbidden("this tenant is disabled".into())),
        Ok(_) | Err(StoreError::NotFound { .. }) => Ok(()),
        Err(other) => Err(other.into()),
    }
}

fn refused(error: StoreError) -> ApiError {
    match error {
        StoreError::RefreshRejected(why) => ApiError::Unauthorized(why.to_string()),
        other => other.into(),
    }
}

/// Exchanges a refresh token for a new pair (the presented token is then spent).
#[utoipa::path(
    post,
    path = "/v1/auth/refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new pair; the presented refresh token is spent", body = TokenPair),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Unknown, expired, revoked or reused token (reuse revokes the session)",
         body = ErrorBody),
    )
)]
pub(crate) async fn refresh(
    State(state): State<AppState>,
    Extension(context): Extension<Arc<AuthContext>>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(rotate(&state, &context, &request.refresh_token).await?))
}

/// Spends a refresh token for a new pair (shared by the JSON and the
/// console's cookie routes).
pub(crate) async fn rotate(
    state: &AppState,
    context: &AuthContext,
    refresh_token: &str,
) -> Result<TokenPair, ApiError> {
    let next = state
        .store
        .rotate_refresh_token(refresh_token, state.clock.now(), ttl(context.config.refresh_ttl))
        .await
        .map_err(refused)?;
    let tenant = next.token.tenant_id.clone();
    ensure_enabled(state, &tenant).await?;
    let user = match state.store.user(&tenant, &next.token.user_id).await {
        Ok(user) => user,
        Err(StoreError::NotFound { .. }) => {
            state.store.revoke_refresh_family(&tenant, &next.token.family_id).await?;
            return Err(ApiError::Unauthorized("the user no longer exists".into()));
        }
        Err(other) => return Err(other.into()),
    };
    let role = role_of(&user)?;
    access_pair(state, context, &user, role, next.secret)
}

/// Ends a session: every refresh token of its family stops working.
#[utoipa::path(
    post,
    path = "/v1/auth/logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Logged out"),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Unknown refresh token", body = ErrorBody),
    )
)]
pub(crate) async fn logout(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    end(&state, &request.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Revokes the session a refresh token belongs to.
pub(crate) async fn end(state: &AppState, refresh_token: &str) -> Result<(), ApiError> {
    let token = state
        .store
        .find_refresh_token(refresh_token)
        .await?
        .ok_or_else(|| ApiError::Unauthorized("unknown refresh token".into()))?;
    state.store.revoke_refresh_family(&token.tenant_id, &token.family_id).await?;
    Ok(())
}
