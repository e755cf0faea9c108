//! The catalog (services, staff, schedules) and the bookings made from it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use concierge_core::booking::BookingStatus;

use crate::{NewBooking, Schedule, Service, StaffMember, StoreError, StoredBooking, TenantId};

/// The catalog (services, staff, schedules) and the bookings made from it.
#[async_trait]
pub trait BookingStore: Send + Sync {
    /// Creates or replaces a service.
    async fn put_service(&self, tenant: &TenantId, service: &Service) -> Result<(), StoreError>;

    /// The tenant's services, by id.
    async fn services(&self, tenant: &TenantId) -> Result<Vec<Service>, StoreError>;

    /// Deletes a service.
    async fn delete_service(&self, tenant: &TenantId, service_id: &str) -> Result<(), StoreError>;

    /// Creates or replaces a staff member.
    async fn put_staff(&self, tenant: &TenantId, staff: &StaffMember) -> Result<(), StoreError>;

    /// The tenant's staff, by id.
    async fn staff(&self, tenant: &TenantId) -> Result<Vec<StaffMember>, StoreError>;

    /// Deletes a staff member and their schedule.
    async fn delete_staff(&self, tenant: &TenantId, staff_id: &str) -> Result<(), StoreError>;

    /// Creates or replaces a staff member's schedule.
    async fn put_schedule(&self, tenant: &TenantId, schedule: &Schedule) -> Result<(), StoreError>;

    /// A staff member's schedule, if set.
    async fn schedule(&self, tenant: &TenantId, staff_id: &str) -> Result<Option<Schedule>, StoreError>;

    /// Creates a booking atomically (see [`crate::booking`] for the rule):
    /// [`StoreError::SlotTaken`] when it would take time that an active
    /// booking of the same staff member takes at `now`. With a `request_key`
    /// already used, returns the booking made with it instead.
    async fn create_booking(
        &self,
        tenant: &TenantId,
        booking: &NewBooking,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError>;

    /// A booking.
    async fn booking(&self, tenant: &TenantId, id: &str) -> Result<StoredBooking, StoreError>;

    /// Moves booking `id` to status `to` if its status is one of `from`
    /// (any when `from` is empty): [`StoreError::WrongState`] otherwise, and
    /// [`StoreError::HoldExpired`] when confirming a hold that lapsed by
    /// `now`. Making an inactive booking active again re-checks the rule
    /// ([`StoreError::SlotTaken`]).
    async fn transition_booking(
        &self,
        tenant: &TenantId,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError>;

    /// Replaces active booking `old_id` by `new` in one step: `new` is
    /// checked as by [`Self::create_booking`] but ignoring the old booking,
    /// stored with `rescheduled_from = old_id`, and the old booking becomes
    /// `rescheduled` with `rescheduled_to` set. A used request key returns
    /// the booking stored under it; an inactive old booking is
    /// [`StoreError::WrongState`].
    async fn reschedule_booking(
        &self,
        tenant: &TenantId,
        old_id: &str,
        new: &NewBooking,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError>;

    /// The booking with this public reference, if any.
    async fn booking_by_reference(
        &self,
        tenant: &TenantId,
        reference: &str,
    ) -> Result<Option<StoredBooking>, StoreError>;

    /// The booking made under this request key, if any.
    async fn booking_by_request_key(
        &self,
        tenant: &TenantId,
        request_key: &str,
    ) -> Result<Option<StoredBooking>, StoreError>;

    /// Bookings active at `now` (confirmed, or held and not lapsed) whose
    /// blocked span overlaps `[from, to)`, for every staff member, by start.
    async fn active_bookings_between(
        &self,
        tenant: &TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError>;

    /// Bookings (any status) whose blocked span overlaps `[from, to)`,
    /// optionally for one staff member, by start.
    async fn bookings_between(
        &self,
        tenant: &TenantId,
        staff: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError>;

    /// Bookings (any status) made under this phone number, by start.
    async fn bookings_for_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Vec<StoredBooking>, StoreError>;
}
