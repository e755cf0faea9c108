//! The operator API: what a hosting provider does to the businesses on its
//! server, behind the server-level operator token (`operator_token`,
//! `Authorization: Bearer ...`). It provisions a tenant (with its owner's
//! one-time invitation link and, optionally, its bot), lists tenants,
//! disables and enables one, invites one of its users again, and erases
//! a whole tenant. Without a configured token every route answers 404.
//! `concierge tenants` does the same on the database directly; both go
//! through [`concierge_service::tenants`].

use std::collections::BTreeMap;

use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_service::tenants::{self, NewTenant};
use concierge_store::{Tenant, TenantId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::server_token;
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The operator routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tenants, create_tenant))
        .routes(routes!(delete_tenant))
        .routes(routes!(disable_tenant))
        .routes(routes!(enable_tenant))
        .routes(routes!(invite_user))
}

/// A request made with the operator token.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Operator;

impl FromRequestParts<AppState> for Operator {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let Some(expected) = &state.config.operator_token else {
            return Err(ApiError::NotFound("route".into()));
        };
        if !server_token::presented(&parts.headers, expected.expose()) {
            return Err(ApiError::Unauthorized("the operator token is missing or wrong".into()));
        }
        Ok(Operator)
    }
}

/// A tenant as the operator sees it: names and state, none of its data.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct TenantView {
    /// The tenant's id (its slug).
    pub id: String,
    /// The business's name.
    pub name: String,
    /// Its IANA time zone.
    pub timezone: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was disabled, if it is.
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<Tenant> for TenantView {
    fn from(t: Tenant) -> Self {
        TenantView {
            id: t.id.as_str().to_owned(),
            name: t.name,
            timezone: t.timezone,
            created_at: t.created_at,
            disabled_at: t.disabled_at,
        }
    }
}

/// Every tenant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct TenantList {
    /// The tenants, by id.
    pub tenants: Vec<TenantView>,
}

/// A business to host.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTenantRequest {
    /// The tenant's id, used in URLs: 1 to 64 letters, digits, `-` or `_`.
    pub slug: String,
    /// The business's name.
    pub name: String,
    /// Its IANA time zone (`Europe/Dublin`).
    pub timezone: String,
    /// The owner's email; the owner sets a password through the invitation link.
    pub owner_email: String,
    /// A bot spec (YAML or JSON text) to install as the tenant's active bot.
    #[serde(default)]
    pub bot_spec: Option<String>,
}

/// An invitation link for one of a tenant's users.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct InvitationView {
    /// The invited user's email.
    pub email: String,
    /// The one-time link that sets the user's password.
    pub url: String,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// A provisioned tenant.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ProvisionedView {
    /// The tenant.
    pub tenant: TenantView,
    /// The owner's invitation, to pass on.
    pub owner_invitation: InvitationView,
    /// The installed bot's id, when a spec was given.
    pub bot_id: Option<String>,
    /// Its active version.
    pub bot_version: Option<i32>,
}

/// Whom to invite again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct InviteRequest {
    /// The user's email.
    pub email: String,
}

/// What deleting a tenant must repeat, so that no slip erases a business.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub(crate) struct DeleteConfirmation {
    /// The tenant's id, again.
    pub confirm: Option<String>,
}

/// What an erasure removed.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ErasureView {
    /// The erased tenant.
    pub tenant: String,
    /// Rows deleted, by table.
    pub rows: BTreeMap<String, u64>,
}

fn tenant_id(text: &str) -> Result<TenantId, ApiError> {
    Ok(tenants::tenant_slug(text)?)
}

/// Lists every tenant.
#[utoipa::path(get, path = "/v1/operator/tenants", tag = "operator",
    responses(
        (status = 200, description = "The tenants", body = TenantList),
        (status = 401, description = "Missing or wrong operator token", body = ErrorBody),
        (status = 404, description = "No operator token configured", body = ErrorBody),
    ),
    security(("operator_token" = [])))]
async fn list_tenants(State(state): State<AppState>, _: Operator) -> Result<Json<TenantList>, ApiError> {
    let tenants = state.store.tenants().await?;
    Ok(Json(TenantList { tenants: tenants.into_iter().map(TenantView::from).collect() }))
}

/// Provisions a tenant: its time zone, its owner (invited by a one-time
/// link, valid 7 days) and, with `bot_spec`, its active bot. Nothing is
/// left behind when a step fails.
#[utoipa::path(post, path = "/v1/operator/tenants", tag = "operator",
    request_body = NewTenantRequest,
    responses(
        (status = 201, description = "Provisioned", body = ProvisionedView),
        (status = 400, description = "Bad slug, time zone, email or name", body = ErrorBody),
        (status = 401, description = "Missing or wrong operator token", body = ErrorBody),
        (status = 404, description = "No operator token configured", body = ErrorBody),
        (status = 409, description = "The slug is taken", body = ErrorBody),
        (status = 422, description = "Invalid bot spec: every problem with its path", body = ErrorBody),
    ),
    security(("operator_token" = [])))]
async fn create_tenant(
    State(state): State<AppState>,
    _: Operator,
    ApiJson(request): ApiJson<NewTenantRequest>,
) -> Result<(StatusCode, Json<ProvisionedView>), ApiError> {
    let new = NewTenant {
        slug: request.slug,
        name: request.name,
        timezone: request.timezone,
        owner_email: request.owner_email,
        bot_spec: request.bot_spec,
    };
    // Checking a spec trains its classifier: off the async workers.
    let checked = tokio::task::spawn_blocking(move || new.check()).await.map_err(ApiError::internal)??;
    let made = tenants::provision(state.store.as_ref(), &checked, state.clock.now()).await?;
    let (bot_id, bot_version) = made.bot.map_or((None, None), |(bot, version)| (Some(bot), Some(version)));
    let public_url = state.config.effective_public_url();
    tracing::info!(tenant = %made.tenant.id, "operator provisioned a tenant");
    Ok((
        StatusCode::CREATED,
        Json(ProvisionedView {
            owner_invitation: InvitationView {
                email: made.owner.email,
                url: tenants::invite_link(&public_url, &made.invitation.secret),
                expires_at: made.invitation.expires_at,
            },
            tenant: made.tenant.into(),
            bot_id,
            bot_version,
        }),
    ))
}

/// Refuses a tenant's widget, chat API and logins; nothing is deleted.
#[utoipa::path(post, path = "/v1/operator/tenants/{tenant}/disable", tag = "operator",
    params(("tenant" = String, Path, description = "The tenant's id")),
    responses(
        (status = 200, description = "Disabled", body = TenantView),
        (status = 401, description = "Missing or wrong operator token", body = ErrorBody),
        (status = 404, description = "No such tenant, or no operator token configured", body = ErrorBody),
    ),
    security(("operator_token" = [])))]
async fn disable_tenant(
    State(state): State<AppState>,
    _: Operator,
    Path(tenant): Path<String>,
) -> Result<Json<TenantView>, ApiError> {
    set_disabled(&state, &tenant, true).await
}

/// Serves a disabled tenant again.
#[utoipa::path(post, path = "/v1/operator/tenants/{tenant}/enable", tag = "operator",
    params(("tenant" = String, Path, description = "The tenant's id")),
    responses(
        (status = 200, description = "Enabled", body = TenantView),
        (status = 401, description = "Missing or wrong operator token", body = ErrorBody),
        (status = 404, description = "No such tenant, or no operator token configured", body = ErrorBody),
    ),
    security(("operator_token" = [])))]
async fn enable_tenant(
    State(state): State<AppState>,
    _: Operator,
    Path(tenant): Path<String>,
) -> Result<Json<TenantView>, ApiError> {
    set_disabled(&state, &tenant, false).await
}

async fn set_disabled(state: &AppState, tenant: &str, disabled: bool) -> Result<Json<TenantView>, ApiError> {
    let id = tenant_id(tenant)?;
    let tenant = state.store.set_tenant_disabled(&id, disabled).await?;
    state.engines.invalidate(&id);
    tracing::info!(tenant = %id, disabled, "operator changed a tenant's state");
    Ok(Json(tenant.into()))
}

/// Issues a new one-time invitation link for one of a tenant's users.
#[utoipa::path(post, path = "/v1/operator/tenants/{tenant}/invites", tag = "operator",
    params(("tenant" = String, Path, description = "The tenant's id")),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Invited", body = InvitationView),
        (status = 401, description = "Missing or wrong operator token", body = ErrorBody),
        (status = 404, description = "No such tenant or user, or no operator token configured", body = ErrorBody),
    ),
    security(("operator_token" = [])))]
async fn invite_user(
    State(state): State<AppState>,
    _: Operator,
    Path(tenant): Path<String>,
    ApiJson(request): ApiJson<InviteRequest>,
) -> Result<(StatusCode, Json<InvitationView>), ApiError> {
    let id = tenant_id(&tenant)?;
    state.store.tenant(&id).await?;
    let (user, invitation) =
        tenants::invite_user(state.store.as_ref(), &id, &request.email, state.clock.now()).await?;
    let url = tenants::invite_link(&state.config.effective_public_url(), &invitation.secret);
    Ok((
        StatusCode::CREATED,
        Json(InvitationView { email: user.email, url, expires_at: invitation.expires_at }),
    ))
}

/// Erases a tenant and everything it holds (the GDPR erasure of a whole
/// business); `?confirm=<tenant id>` must repeat the id.
#[utoipa::path(delete, path = "/v1/operator/tenants/{tenant}", tag = "operator",
    params(("tenant" = String, Path, description = "The tenant's id"), DeleteConfirmation),
    responses(
        (status = 200, description = "Erased", body = ErasureView),
        (status = 400, description = "`confirm` does not repeat the tenant's id", body = ErrorBody),
        (status = 401, description = "Missing or wrong operator token", body = ErrorBody),
        (status = 404, description = "No such tenant, or no operator token configured", body = ErrorBody),
    ),
    security(("operator_token" = [])))]
async fn delete_tenant(
    State(state): State<AppState>,
    _: Operator,
    Path(tenant): Path<String>,
    Query(confirmation): Query<DeleteConfirmation>,
) -> Result<Json<ErasureView>, ApiError> {
    let id = tenant_id(&tenant)?;
    if confirmation.confirm.as_deref() != Some(id.as_str()) {
        return Err(ApiError::InvalidRequest(format!(
            "erasing a tenant cannot be undone: repeat its id as ?confirm={id}"
        )));
    }
    let erasure = state.store.delete_tenant(&id).await?;
    state.engines.invalidate(&id);
    tracing::warn!(tenant = %id, "operator erased a tenant");
    Ok(Json(ErasureView { tenant: id.as_str().to_owned(), rows: erasure.rows.into_iter().collect() }))
}
