//! Booking: availability, slots and bookings over a business's services,
//! staff and hours.
//!
//! The dialog engine books through the [`Booker`] trait; the booking issue
//! fills in the slot computation, the repository seam and the in-memory
//! implementation behind it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

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
    /// A booking by id.
    async fn get(&self, booking_id: &str) -> Result<Booking, BookingError>;
    /// A customer's confirmed bookings that have not started yet, soonest first.
    async fn upcoming_for_phone(&self, phone: &str, now: DateTime<Utc>)
        -> Result<Vec<Booking>, BookingError>;
}
