//! Bookings (admins and up): list a period, book directly, move, cancel.
//!
//! Direct bookings go through the store's atomic check, so they can never
//! overlap another active booking of the same staff member (409 instead).

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use chrono::{DateTime, Utc};
use concierge_core::booking::{BookingStatus, Customer};
use concierge_store::{NewBooking, StoreError, StoredBooking};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::server::auth::{Principal, Role};
use crate::server::error::{ApiError, ApiJson, ErrorBody};
use crate::server::state::AppState;

/// The longest period one listing covers.
const MAX_LIST_DAYS: i64 = 93;

/// The booking routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_bookings, create_booking))
        .routes(routes!(read_booking))
        .routes(routes!(cancel_booking))
        .routes(routes!(move_booking))
}

/// Where a booking moves to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct MoveRequest {
    /// The new start (RFC 3339); the booking keeps its length.
    pub start: DateTime<Utc>,
    /// The staff member it moves to; the same one when left out.
    #[serde(default)]
    pub staff: Option<String>,
}

/// Who a booking is for.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CustomerBody {
    /// Full name.
    pub name: String,
    /// Phone number (E.164).
    #[serde(default)]
    pub phone: Option<String>,
    /// Email address.
    #[serde(default)]
    pub email: Option<String>,
}

/// A booking to make.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct BookingRequest {
    /// The service's id.
    pub service: String,
    /// The staff member's id.
    pub staff: String,
    /// When it starts (RFC 3339).
    pub start: DateTime<Utc>,
    /// When it ends (RFC 3339).
    pub end: DateTime<Utc>,
    /// Who it is for.
    pub customer: CustomerBody,
    /// Idempotency key: repeating a request with the same key returns the first booking.
    #[serde(default)]
    pub request_key: Option<String>,
}

/// A booking.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct BookingView {
    /// Its id.
    pub id: String,
    /// The short code the customer quotes.
    pub reference: String,
    /// The service's id.
    pub service: String,
    /// The staff member's id.
    pub staff: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// Who it is for.
    pub customer: CustomerBody,
    /// `held`, `confirmed`, `cancelled`, `rescheduled` or `no_show`.
    #[schema(value_type = String)]
    pub status: BookingStatus,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

impl From<StoredBooking> for BookingView {
    fn from(stored: StoredBooking) -> Self {
        let b = stored.booking;
        BookingView {
            id: b.id,
            reference: b.reference,
            service: b.service,
            staff: b.staff,
            start: b.start,
            end: b.end,
            customer: CustomerBody {
                name: b.customer.name,
                phone: b.customer.phone,
                email: b.customer.email,
            },
            status: b.status,
            created_at: stored.created_at,
        }
    }
}

/// Bookings of a period.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct BookingList {
    /// By start.
    pub bookings: Vec<BookingView>,
}

/// Which bookings to list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct BookingQuery {
    /// Period start (RFC 3339).
    pub from: DateTime<Utc>,
    /// Period end (RFC 3339), at most 93 days after `from`.
    pub to: DateTime<Utc>,
    /// Only this staff member's.
    pub staff: Option<String>,
}

fn booking_error(error: StoreError) -> ApiError {
    match error {
        StoreError::SlotTaken { staff } => {
            ApiError::Conflict(format!("staff member {staff:?} is already booked at that time"))
        }
        StoreError::WrongState { status, .. } => {
            ApiError::Conflict(format!("the booking is {}", serde_json::to_value(status).unwrap_or_default()))
        }
        other => other.into(),
    }
}

/// A short code a customer can quote, like `K7QX2M`.
fn new_reference() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    uuid::Uuid::new_v4().as_bytes()[..6]
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Lists bookings (any status) overlapping a period, by start.
#[utoipa::path(
    get,
    path = "/v1/admin/bookings",
    tag = "admin",
    params(BookingQuery),
    responses(
        (status = 200, description = "The bookings", body = BookingList),
        (status = 400, description = "Bad period", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn list_bookings(
    State(state): State<AppState>,
    principal: Principal,
    Query(query): Query<BookingQuery>,
) -> Result<Json<BookingList>, ApiError> {
    principal.require(Role::Admin)?;
    if query.to <= query.from || (query.to - query.from).num_days() > MAX_LIST_DAYS {
        return Err(ApiError::InvalidRequest(format!(
            "`to` must be after `from`, at most {MAX_LIST_DAYS} days later"
        )));
    }
    let bookings =
        state.store.bookings_between(&principal.tenant, query.staff.as_deref(), query.from, query.to).await?;
    Ok(Json(BookingList { bookings: bookings.into_iter().map(BookingView::from).collect() }))
}

/// Books directly (confirmed at once).
#[utoipa::path(
    post,
    path = "/v1/admin/bookings",
    tag = "admin",
    request_body = BookingRequest,
    responses(
        (status = 201, description = "Booked", body = BookingView),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 409, description = "The staff member is already booked then", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn create_booking(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<BookingRequest>,
) -> Result<(StatusCode, Json<BookingView>), ApiError> {
    principal.require(Role::Admin)?;
    if request.customer.name.trim().is_empty() || request.service.is_empty() || request.staff.is_empty() {
        return Err(ApiError::InvalidRequest(
            "a booking needs a service, a staff member and a customer name".into(),
        ));
    }
    let services = state.store.services(&principal.tenant).await?;
    let staff = state.store.staff(&principal.tenant).await?;
    if !services.iter().any(|s| s.id == request.service) {
        return Err(ApiError::NotFound("service".into()));
    }
    if !staff.iter().any(|s| s.id == request.staff) {
        return Err(ApiError::NotFound("staff member".into()));
    }
    let customer = Customer {
        name: request.customer.name,
        phone: request.customer.phone,
        email: request.customer.email,
    };
    let mut booking = NewBooking::confirmed(
        uuid::Uuid::new_v4().to_string(),
        new_reference(),
        request.service,
        request.staff,
        request.start,
        request.end,
        customer,
    );
    booking.request_key = request.request_key;
    let stored = state
        .store
        .create_booking(&principal.tenant, &booking, state.clock.now())
        .await
        .map_err(booking_error)?;
    Ok((StatusCode::CREATED, Json(stored.into())))
}

/// One booking.
#[utoipa::path(
    get,
    path = "/v1/admin/bookings/{id}",
    tag = "admin",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "The booking", body = BookingView),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such booking for this tenant", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn read_booking(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    principal.require(Role::Admin)?;
    Ok(Json(state.store.booking(&principal.tenant, &id).await?.into()))
}

/// Cancels a held or confirmed booking.
#[utoipa::path(
    post,
    path = "/v1/admin/bookings/{id}/cancel",
    tag = "admin",
    params(("id" = String, Path, description = "The booking's id")),
    responses(
        (status = 200, description = "Cancelled", body = BookingView),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such booking for this tenant", body = ErrorBody),
        (status = 409, description = "Already cancelled, moved or past", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn cancel_booking(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<BookingView>, ApiError> {
    principal.require(Role::Admin)?;
    let cancelled = state
        .store
        .transition_booking(
            &principal.tenant,
            &id,
            &[BookingStatus::Held, BookingStatus::Confirmed],
            BookingStatus::Cancelled,
            state.clock.now(),
        )
        .await
        .map_err(booking_error)?;
    Ok(Json(cancelled.into()))
}

/// Moves a held or confirmed booking to a new start (and staff member):
/// the new booking is checked and stored and the old one marked
/// `rescheduled` in one step, so a taken slot leaves the old one as it was.
#[utoipa::path(
    post,
    path = "/v1/admin/bookings/{id}/move",
    tag = "admin",
    params(("id" = String, Path, description = "The booking's id")),
    request_body = MoveRequest,
    responses(
        (status = 200, description = "Moved: the new booking", body = BookingView),
        (status = 400, description = "Bad JSON or fields", body = ErrorBody),
        (status = 401, description = "Missing or invalid credentials", body = ErrorBody),
        (status = 403, description = "Needs the admin role", body = ErrorBody),
        (status = 404, description = "No such booking or staff member for this tenant", body = ErrorBody),
        (status = 409, description = "The slot is taken, or the booking is cancelled, moved or past", body = ErrorBody),
    ),
    security(("access_token" = []), ("api_key" = []))
)]
pub(crate) async fn move_booking(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<MoveRequest>,
) -> Result<Json<BookingView>, ApiError> {
    principal.require(Role::Admin)?;
    let old = state.store.booking(&principal.tenant, &id).await?.booking;
    let staff = match request.staff {
        Some(staff) if staff != old.staff => {
            if !state.store.staff(&principal.tenant).await?.iter().any(|s| s.id == staff) {
                return Err(ApiError::NotFound("staff member".into()));
            }
            staff
        }
        _ => old.staff.clone(),
    };
    let moved = NewBooking::confirmed(
        uuid::Uuid::new_v4().to_string(),
        new_reference(),
        old.service.clone(),
        staff,
        request.start,
        request.start + (old.end - old.start),
        old.customer.clone(),
    );
    let stored = state
        .store
        .reschedule_booking(&principal.tenant, &id, &moved, state.clock.now())
        .await
        .map_err(booking_error)?;
    Ok(Json(stored.into()))
}
