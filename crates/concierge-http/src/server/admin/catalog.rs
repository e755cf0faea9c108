//! Services, staff and their weekly hours (admins and up).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use concierge_store::{Schedule, Service, StaffMember};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The catalog routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_services))
        .routes(routes!(put_service, delete_service))
        .routes(routes!(list_staff))
        .routes(routes!(put_staff, delete_staff))
        .routes(routes!(read_hours, put_hours))
}

/// A service to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ServiceRequest {
    /// Display name.
    pub name: String,
    /// How long it takes, in minutes (1 to 1440).
    pub duration_minutes: i32,
    /// Anything else (price, buffers, who does it).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// A service.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ServiceView {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Minutes.
    pub duration_minutes: i32,
    /// Anything else.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// A staff member to create or replace.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct StaffRequest {
    /// Display name.
    pub name: String,
    /// Anything else.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// A staff member.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct StaffView {
    /// Its id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Anything else.
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

/// Weekly working hours, in the spec's shape (`{"monday": ["09:00-17:00"]}`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HoursBody {
    /// Day name to time ranges.
    #[schema(value_type = Object)]
    pub weekly_hours: serde_json::Value,
}

/// The tenant's services.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct ServiceList {
    /// By id.
    pub services: Vec<ServiceView>,
}

/// The tenant's staff.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct StaffList {
    /// By id.
    pub staff: Vec<StaffView>,
}

const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

/// Checks `{"monday": ["09:00-17:00", ...], ...}`.
fn check_hours(hours: &serde_json::Value) -> Result<(), ApiError> {
    let bad = |message: String| Err(ApiError::InvalidRequest(message));
    let Some(days) = hours.as_object() else {
        return bad("weekly_hours must be an object of day names".into());
    };
    for (day, ranges) in days {
        if !DAYS.contains(&day.as_str()) {
            return bad(format!("weekly_hours.{day}: not a day name (monday ... sunday)"));
        }
        let Some(ranges) = ranges.as_array() else {
            return bad(format!("weekly_hours.{day}: must be a list of \"HH:MM-HH:MM\" ranges"));
        };
        for (i, range) in ranges.iter().enumerate() {
            let parsed = range.as_str().and_then(|r| r.split_once('-')).and_then(|(from, to)| {
                let from = chrono::NaiveTime::parse_from_str(from.trim(), "%H:%M").ok()?;
                let to = chrono::NaiveTime::parse_from_str(to.trim(), "%H:%M").ok()?;
                (from < to).then_some(())
            });
            if parsed.is_none() {
                return bad(format!(
                    "weekly_hours.{day}[{i}]: expected \"HH:MM-HH:MM\" with start before end"
                ));
            }
        }
    }
    Ok(())
}

/// Lists the tenant's services.
#[utoipa::path(
    get,
    path = "/v1/admin/services",
    tag = "admin",
    responses(
        (status = 200, description = "Every service, by id", body = ServiceList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_services(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<ServiceList>, ApiError> {
    principal.require(Role::Admin)?;
    let services = state.store.services(&principal.tenant).await?;
    Ok(Json(ServiceList {
        services: services
            .into_iter()
            .map(|s| ServiceView {
                id: s.id,
                name: s.name,
                duration_minutes: s.duration_minutes,
                details: s.details,
            })
            .collect(),
    }))
}

/// Creates or replaces a service.
#[utoipa::path(
    put,
    path = "/v1/admin/services/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The service's id")),
    request_body = ServiceRequest,
    responses(
        (status = 200, description = "Stored", body = ServiceView),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn put_service(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ServiceRequest>,
) -> Result<Json<ServiceView>, ApiError> {
    principal.require(Role::Admin)?;
    if request.name.trim().is_empty() || !(1..=1440).contains(&request.duration_minutes) {
        return Err(ApiError::InvalidRequest(
            "a service needs a name and a duration of 1 to 1440 minutes".into(),
        ));
    }
    let details = if request.details.is_null() { serde_json::json!({}) } else { request.details };
    let service = Service { id, name: request.name, duration_minutes: request.duration_minutes, details };
    state.store.put_service(&principal.tenant, &service).await?;
    Ok(Json(ServiceView {
        id: service.id,
        name: service.name,
        duration_minutes: service.duration_minutes,
        details: service.details,
    }))
}

/// Deletes a service.
#[utoipa::path(
    delete,
    path = "/v1/admin/services/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The service's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such service for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn delete_service(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require(Role::Admin)?;
    state.store.delete_service(&principal.tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lists the tenant's staff.
#[utoipa::path(
    get,
    path = "/v1/admin/staff",
    tag = "admin",
    responses(
        (status = 200, description = "Every staff member, by id", body = StaffList),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_staff(
    State(state): State<AppState>,
    principal: Principal,
) -> Result<Json<StaffList>, ApiError> {
    principal.require(Role::Admin)?;
    let staff = state.store.staff(&principal.tenant).await?;
    Ok(Json(StaffList {
        staff: staff.into_iter().map(|s| StaffView { id: s.id, name: s.name, details: s.details }).collect(),
    }))
}

/// Creates or replaces a staff member.
#[utoipa::path(
    put,
    path = "/v1/admin/staff/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The staff member's id")),
    request_body = StaffRequest,
    responses(
        (status = 200, description = "Stored", body = StaffView),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn put_staff(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<StaffRequest>,
) -> Result<Json<StaffView>, ApiError> {
    principal.require(Role::Admin)?;
    if request.name.trim().is_empty() {
        return Err(ApiError::InvalidRequest("a staff member needs a name".into()));
    }
    let details = if request.details.is_null() { serde_json::json!({}) } else { request.details };
    let staff = StaffMember { id, name: request.name, details };
    state.store.put_staff(&principal.tenant, &staff).await?;
    Ok(Json(StaffView { id: staff.id, name: staff.name, details: staff.details }))
}

/// Deletes a staff member and their hours.
#[utoipa::path(
    delete,
    path = "/v1/admin/staff/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The staff member's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such staff member for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn delete_staff(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    principal.require(Role::Admin)?;
    state.store.delete_staff(&principal.tenant, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A staff member's weekly hours.
#[utoipa::path(
    get,
    path = "/v1/admin/staff/{id}/hours",
    tag = "admin",
    params(("id" = String, Path, description = "The staff member's id")),
    responses(
        (status = 200, description = "The hours", body = HoursBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No hours set for this staff member", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn read_hours(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<HoursBody>, ApiError> {
    principal.require(Role::Admin)?;
    let schedule = state
        .store
        .schedule(&principal.tenant, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound("hours".into()))?;
    Ok(Json(HoursBody { weekly_hours: schedule.weekly_hours }))
}

/// Sets a staff member's weekly hours.
#[utoipa::path(
    put,
    path = "/v1/admin/staff/{id}/hours",
    tag = "admin",
    params(("id" = String, Path, description = "The staff member's id")),
    request_body = HoursBody,
    responses(
        (status = 200, description = "Stored", body = HoursBody),
        (status = 400, description = "Bad JSON or hours", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such staff member for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn put_hours(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<HoursBody>,
) -> Result<Json<HoursBody>, ApiError> {
    principal.require(Role::Admin)?;
    check_hours(&request.weekly_hours)?;
    let schedule = Schedule { staff_id: id, weekly_hours: request.weekly_hours };
    state.store.put_schedule(&principal.tenant, &schedule).await?;
    Ok(Json(HoursBody { weekly_hours: schedule.weekly_hours }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::check_hours;

    #[test]
    fn hours_must_name_days_and_ordered_ranges() {
        assert!(check_hours(&json!({"monday": ["09:00-12:00", "13:00-17:30"], "sunday": []})).is_ok());
        for bad in [
            json!(["09:00-17:00"]),
            json!({"mon": ["09:00-17:00"]}),
            json!({"monday": "09:00-17:00"}),
            json!({"monday": ["17:00-09:00"]}),
            json!({"monday": ["9-5"]}),
        ] {
            assert!(check_hours(&bad).is_err(), "{bad}");
        }
    }
}
