//! The tenant's analytics report: `GET /v1/admin/analytics?from=&to=`.

use axum::extract::{Query, State};
use axum::Json;
use chrono::NaiveDate;
use concierge_store::Report;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ErrorBody};
use crate::server::state::AppState;

/// The analytics routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(report))
}

/// Which days to report.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReportQuery {
    /// The first business day (YYYY-MM-DD; default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// The last business day, included (YYYY-MM-DD; default: today in the
    /// business's time zone).
    pub to: Option<NaiveDate>,
}

/// The analytics report over business days: totals, each day, top intents
/// and unanswered questions (formulas: `DayFigures` in `concierge-store`).
#[utoipa::path(
    get,
    path = "/v1/admin/analytics",
    tag = "admin",
    params(ReportQuery),
    responses(
        (status = 200, description = "The report", body = serde_json::Value),
        (status = 400, description = "Bad dates, or more than 366 days", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn report(
    State(state): State<AppState>,
    principal: Principal,
    query: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Report>, ApiError> {
    principal.require(Role::Agent)?;
    let Query(query) = query.map_err(|e| ApiError::InvalidRequest(e.body_text()))?;
    let report = concierge_service::analytics::report(
        state.store.as_ref(),
        &principal.tenant,
        query.from,
        query.to,
        // The store stamps conversations with the real time, whatever clock
        // the engine is given (`serve --now`): the report reads in that time.
        chrono::Utc::now(),
    )
    .await?;
    Ok(Json(report))
}
