//! Booking: availability, slots and bookings over a business's services,
//! staff and hours.
//!
//! The dialog engine books through the [`Booker`] trait, which
//! [`BookingEngine`] implements:
//!
//! - [`catalog`]: the validated model of a business (services, staff, hours,
//!   policies) built from its spec, with local-time conversions.
//! - [`availability`]: the slot computation ([`find_slots`],
//!   [`nearest_alternatives`], [`check_start`]), pure over a catalog, busy
//!   times and a clock.
//! - [`repository`]: the storage seam ([`BookingRepository`]) that makes
//!   double booking impossible, and a race-free in-memory implementation.
//! - [`calendar`]: the seam to outside calendars ([`Calendar`]).
//! - [`mod@reference`]: short public reference codes.
//! - [`engine`]: holds, confirmations, cancellations and reschedules over
//!   all of the above.
//!
//! Every time is an instant (`DateTime<Utc>`); wall-clock times exist only
//! where hours are expanded in the business's (or a staff member's) zone.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

pub mod availability;
pub mod calendar;
pub mod catalog;
pub mod engine;
pub mod reference;
pub mod repository;

pub use availability::{check_start, find_slots, nearest_alternatives, BusyTime, SlotQuery, StaffPreference};
pub use calendar::{BusyPeriod, Calendar, CalendarError, CalendarEvent};
pub use catalog::{Catalog, Service, Staff};
pub use engine::BookingEngine;
pub use reference::{DerivedReferenceCodes, ReferenceCodes};
pub use repository::{BookingRecord, BookingRepository, InMemoryBookingRepository, RepositoryError};

/// What a customer asks to book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingRequest {
    /// The service's id.
    pub service: String,
    /// When it should start.
    pub start: DateTime<Utc>,
    /// A specific staff member's id, or any.
    pub staff: Option<String>,
}

/// Who a booking is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Full name.
    pub name: String,
    /// Phone number in E.164 form.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

/// Where a booking is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookingStatus {
    /// Reserved for a short while, awaiting confirmation.
    Held,
    /// Booked.
    Confirmed,
    /// Cancelled.
    Cancelled,
    /// Moved to another booking.
    Rescheduled,
    /// The customer did not come.
    NoShow,
}

/// A booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    /// Internal id.
    pub id: String,
    /// Short code the customer can quote.
    pub reference: String,
    /// The service's id.
    pub service: String,
    /// The staff member's id.
    pub staff: String,
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends (buffers not included).
    pub end: DateTime<Utc>,
    /// Who it is for.
    pub customer: Customer,
    /// Its state.
    pub status: BookingStatus,
}

/// A bookable time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Slot {
    /// When it starts.
    pub start: DateTime<Utc>,
    /// When it ends.
    pub end: DateTime<Utc>,
    /// Who would do it.
    pub staff: String,
}

/// Whether a requested time can be booked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// It can, with this slot.
    Available(Slot),
    /// It cannot; here is why, and the nearest times that can.
    Unavailable {
        /// Why not.
        reason: Unavailable,
        /// The nearest bookable slots, closest first.
        alternatives: Vec<Slot>,
    },
}

/// Why a time cannot be booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unavailable {
    /// It is in the past or inside the minimum notice.
    TooSoon,
    /// It is beyond the booking horizon.
    TooFarAhead,
    /// The business is closed then.
    Closed,
    /// Everyone who could do it is busy.
    Taken,
}

/// Why a booking operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookingError {
    /// No service with that id or name.
    #[error("unknown service {0:?}")]
    UnknownService(String),
    /// No staff member with that id.
    #[error("unknown staff member {0:?}")]
    UnknownStaff(String),
    /// No booking with that id.
    #[error("no booking {0:?}")]
    NotFound(String),
    /// The time cannot be booked.
    #[error("that time is not available ({0:?})")]
    NotAvailable(Unavailable),
    /// The booking cannot change any more (cancelled, past the cut-off, ...).
    #[error("{0}")]
    NotAllowed(String),
    /// A range or time that makes no sense.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The storage or calendar behind the booker failed.
    #[error("booking backend failed: {0}")]
    Backend(String),
    /// A range whose end comes before its start.
    #[error("the range ends ({end}) before it starts ({start})")]
    EndBeforeStart {
        /// The range's start.
        start: DateTime<Utc>,
        /// The range's end.
        end: DateTime<Utc>,
    },
    /// A range longer than [`availability::MAX_RANGE_DAYS`] days.
    #[error("the range spans {days} days; at most {max_days} are allowed")]
    RangeTooLong {
        /// How many days were asked for.
        days: i64,
        /// The most allowed.
        max_days: i64,
    },
    /// A wall-clock time that does not exist in the zone (skipped by a
    /// daylight-saving change).
    #[error("{local} does not exist in {timezone} (the clocks skip it)")]
    NonexistentLocalTime {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// The zone's IANA name.
        timezone: String,
    },
    /// The business section of the spec is not valid.
    #[error(transparent)]
    InvalidSpec(#[from] crate::spec::SpecError),
}

/// The booking operations the dialog engine needs.
///
/// `request_key` makes `book` and `reschedule` idempotent: the same key
/// returns the same booking instead of booking twice.
#[async_trait]
pub trait Booker: Send + Sync {
    /// Whether `request` can be booked, with alternatives when not.
    async fn check(&self, request: &BookingRequest, now: DateTime<Utc>)
        -> Result<Availability, BookingError>;
    /// Books `request` for `customer`.
    async fn book(
        &self,
        request: &BookingRequest,
        customer: &Customer,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError>;
    /// Cancels a booking.
    async fn cancel(&self, booking_id: &str, now: DateTime<Utc>) -> Result<Booking, BookingError>;
    /// Moves a booking to a new start; returns the new booking.
    async fn reschedule(
        &self,
        booking_id: &str,
        new_start: DateTime<Utc>,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError>;
    /// Bookable slots of `request.service` starting from `request.start`
    /// until `until`, soonest first, with `request.staff` if given (else the
    /// booker's usual assignment).
    async fn free_slots(
        &self,
        request: &BookingRequest,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, BookingError>;
    /// A booking by id.
    async fn get(&self, booking_id: &str) -> Result<Booking, BookingError>;
    /// A customer's confirmed bookings that have not started yet, soonest first.
    async fn upcoming_for_phone(&self, phone: &str, now: DateTime<Utc>)
        -> Result<Vec<Booking>, BookingError>;
}

#[cfg(test)]
mod tests;
