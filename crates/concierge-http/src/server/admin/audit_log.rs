//! The tenant's audit log (owners only): who created or revoked keys,
//! invited or removed staff, activated bots, erased customers.

use axum::extract::{Query, State};
use axum::Json;
use concierge_store::AuditEntry;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::state::AppState;

/// The most entries one request returns.
const MAX_AUDIT_PAGE: usize = 500;

/// The audit log route.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(audit_log))
}

/// How much of the log to return.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct AuditQuery {
    /// The newest this many entries (1 to 500; 100 by default).
    pub limit: Option<usize>,
}

/// One recorded action.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct AuditEntryView {
    /// Its position in the log.
    pub id: i64,
    /// Who did it (`user:<id>`, `api_key:<id>`, `system`).
    pub actor: String,
    /// What was done (`publishable_key.create`, `bot.activate`, ...).
    pub action: String,
    /// What it was done to.
    pub target: Option<String>,
    /// Details (the client's address among them).
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    /// When (RFC 3339).
    pub recorded_at: String,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        AuditEntryView {
            id: e.id,
            actor: e.actor,
            action: e.action,
            target: e.target,
            details: e.details,
            recorded_at: e.recorded_at.to_rfc3339(),
        }
    }
}

/// The newest entries of the log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct AuditLog {
    /// Newest first.
    pub entries: Vec<AuditEntryView>,
}

/// The tenant's newest audit log entries.
#[utoipa::path(
    get,
    path = "/v1/admin/audit-log",
    tag = "admin",
    params(AuditQuery),
    responses(
        (status = 200, description = "The entries, newest first", body = AuditLog),
        (status = 400, description = "A limit out of range", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the owner role", body = ErrorBody),
    ),
    security(("access_token" = []))
)]
pub(crate) async fn audit_log(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<AuditQuery>,
) -> Result<Json<AuditLog>, ApiError> {
    principal.require(Role::Owner)?;
    let limit = query.limit.unwrap_or(100);
    if limit == 0 || limit > MAX_AUDIT_PAGE {
        return Err(ApiError::InvalidRequest(format!("limit must be between 1 and {MAX_AUDIT_PAGE}")));
    }
    let log = state.store.audit_log(&principal.tenant).await?;
    let entries = log.into_iter().rev().take(limit).map(AuditEntryView::from).collect();
    Ok(Json(AuditLog { entries }))
}
