//! The operations room: `GET /healthz` (the process answers), `GET /readyz`
//! (the database answers too), `GET /metrics` (Prometheus text, from
//! [`crate::server::metrics`]), request metrics ([`requests`]), the OpenAPI
//! description ([`openapi`]; `GET /openapi.json` is added by
//! [`crate::server::router`] from the assembled description) and logs
//! ([`telemetry`]).

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::IntoResponse;
use axum::Json;
use concierge_store::{StoreError, TenantId};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::server_token;
use crate::server::error::{ApiError, ErrorBody};
use crate::server::state::AppState;

pub(super) mod openapi;
pub(crate) mod requests;
pub mod telemetry;

/// The operations routes.
pub(super) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz)).routes(routes!(readyz)).routes(routes!(metrics))
}

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub(super) struct Health {
    /// `ok`.
    pub status: &'static str,
    /// The store backend (`sqlite` or `postgres`), on `/readyz`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<&'static str>,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Up", body = Health)))]
async fn healthz() -> Json<Health> {
    Json(Health { status: "ok", database: None })
}

/// The process is up and its database answers.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer", body = ErrorBody),
    ))]
async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    // Any query that reaches the database will do; a missing tenant is an answer.
    let probe = TenantId::parse("readiness-probe").map_err(ApiError::from)?;
    match state.store.tenant(&probe).await {
        Ok(_) | Err(StoreError::NotFound { .. }) => {
            Ok(Json(Health { status: "ok", database: Some(state.store.backend()) }))
        }
        Err(error) => {
            tracing::warn!(%error, "readiness probe failed");
            Err(ApiError::Unavailable("the database does not answer".into()))
        }
    }
}

/// Prometheus metrics in the text exposition format, for a scraper holding
/// `server.metrics_token` (`Authorization: Bearer <token>`). Without a
/// configured token the route does not exist (404): the metrics name every
/// tenant and its volumes.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    security(("metrics_token" = [])),
    responses(
        (status = 200, description = "Metrics", content_type = "text/plain", body = String),
        (status = 401, description = "Missing or wrong metrics token", body = ErrorBody),
        (status = 404, description = "No metrics token configured", body = ErrorBody),
    ))]
async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Result<impl IntoResponse, ApiError> {
    let Some(expected) = &state.config.http.metrics_token else {
        return Err(ApiError::NotFound("route".into()));
    };
    if !server_token::presented(&headers, expected.expose()) {
        return Err(ApiError::Unauthorized("the metrics token is missing or wrong".into()));
    }
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render()))
}
