//! The tenant's staff accounts (owners only): listed, created with a
//! password, invited by a one-time link (the colleague chooses the
//! password), removed.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_service::tenants;
use concierge_store::User;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::audit;
use crate::server::auth::{Actor, Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The shortest password accepted for a new account.
pub(crate) const MIN_PASSWORD_CHARS: usize = 12;

/// The user routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(invite_user))
        .routes(routes!(remove_user))
}

/// An account to create.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UserRequest {
    /// Login email.
    pub email: String,
    /// Initial password (at least 12 characters).
    pub password: String,
    /// Its role.
    pub role: Role,
}

/// An account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct UserView {
    /// Its id.
    pub id: String,
    /// Login email.
    pub email: String,
    /// Its role, as stored.
    pub role: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView { id: u.id, email: u.email, role: u.role, created_at: u.created_at }
    }
}

/// The tenant's accounts.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct UserList {
    /// By email.
    pub users: Vec<UserView>,
}

/// Lists the tenant's staff accounts.
#[utoipa::path(
    get,
    path = "/v1/admin/users",
    tag = "admin",
    responses(
        (status = 200, description = "The accounts", body = UserList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn list_users(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<UserList>, ApiError> {
    principal.require(Role::Owner)?;
    let users = state.store.users(&principal.tenant).await?;
    Ok(Json(UserList { users: users.into_iter().map(UserView::from).collect() }))
}

/// Creates a staff account.
#[utoipa::path(
    post,
    path = "/v1/admin/users",
    tag = "admin",
    request_body = UserRequest,
    responses(
        (status = 201, description = "Created", body = UserView),
        (status = 400, description = "Bad JSON, email or password", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
        (status = 409, description = "The email is taken in this tenant", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn create_user(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<UserRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    principal.require(Role::Owner)?;
    let email = request.email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 {
        return Err(ApiError::InvalidRequest("a valid email is needed".into()));
    }
    if request.password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ApiError::InvalidRequest(format!(
            "the password needs at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    let user =
        state.store.create_user(&principal.tenant, &email, &request.password, request.role.as_str()).await?;
    audit(&state, &principal, "user.create", Some(&user.id), json!({ "role": request.role })).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// A colleague to invite.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InviteRequest {
    /// Their login email.
    pub email: String,
    /// Their role.
    pub role: Role,
}

/// An invited colleague and the link to pass on to them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct InvitedUser {
    /// The new account (no usable password until the link is used).
    pub user: UserView,
    /// The one-time link that sets their password and opens the console.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// Invites a colleague: an account with this role and a one-time link
/// that sets its password (pass the link on; it is shown only here).
#[utoipa::path(
    post,
    path = "/v1/admin/users/invites",
    tag = "admin",
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Invited", body = InvitedUser),
        (status = 400, description = "Bad JSON or email", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
        (status = 409, description = "The email is taken in this tenant", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn invite_user(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<InvitedUser>), ApiError> {
    principal.require(Role::Owner)?;
    let (user, invitation) = tenants::invite_new_user(
        state.store.as_ref(),
        &principal.tenant,
        &request.email,
        request.role.as_str(),
        state.clock.now(),
    )
    .await?;
    audit(&state, &principal, "user.invite", Some(&user.id), json!({ "role": request.role })).await?;
    let url = tenants::invite_link(&state.config.effective_public_url(), &invitation.secret);
    Ok((StatusCode::CREATED, Json(InvitedUser { user: user.into(), url, expires_at: invitation.expires_at })))
}

/// Removes a staff account with its sessions and pending invitations. An
/// owner cannot remove their own account, so a tenant keeps an owner.
#[utoipa::path(
    delete,
    path = "/v1/admin/users/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The user's id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, description = "The caller's own account", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
        (status = 404, description = "No such user in this tenant", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn remove_user(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require(Role::Owner)?;
    if principal.actor == Actor::User(id.clone()) {
        return Err(ApiError::InvalidRequest("you cannot remove your own account".into()));
    }
    state.store.remove_user(&principal.tenant, &id).await?;
    audit(&state, &principal, "user.remove", Some(&id), json!({})).await?;
    Ok(StatusCode::NO_CONTENT)
}
