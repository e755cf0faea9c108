//! Bookings as the store takes them; stored bookings come back as core's
//! [`concierge_core::booking::Booking`].

use chrono::{DateTime, Utc};
use concierge_core::booking::{BookingStatus, Customer};

use crate::StoreError;

/// A booking to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBooking {
    /// Its id (chosen by the caller, unique).
    pub id: String,
    /// Short code the customer can quote, unique within the tenant.
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
    pub customer: Customer,
    /// The stored customer, when there is one.
    pub customer_id: Option<String>,
    /// Its initial state (normally held or confirmed).
    pub status: BookingStatus,
    /// Idempotency key: creating again with the same key returns the first booking.
    pub request_key: Option<String>,
}

impl NewBooking {
    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        if self.id.is_empty() || self.reference.is_empty() || self.staff.is_empty() {
            return Err(StoreError::Invalid(
                "a booking needs an id, a reference and a staff member".into(),
            ));
        }
        if self.start >= self.end {
            return Err(StoreError::Invalid(format!(
                "booking ends ({}) before it starts ({})",
                self.end, self.start
            )));
        }
        Ok(())
    }
}

pub(crate) fn status_name(status: BookingStatus) -> &'static str {
    match status {
        BookingStatus::Held => "held",
        BookingStatus::Confirmed => "confirmed",
        BookingStatus::Cancelled => "cancelled",
        BookingStatus::Rescheduled => "rescheduled",
        BookingStatus::NoShow => "no_show",
    }
}

pub(crate) fn parse_status(text: &str) -> Result<BookingStatus, StoreError> {
    Ok(match text {
        "held" => BookingStatus::Held,
        "confirmed" => BookingStatus::Confirmed,
        "cancelled" => BookingStatus::Cancelled,
        "rescheduled" => BookingStatus::Rescheduled,
        "no_show" => BookingStatus::NoShow,
        other => return Err(StoreError::Corrupt(format!("booking status {other:?}"))),
    })
}

pub(crate) fn is_active(status: BookingStatus) -> bool {
    matches!(status, BookingStatus::Held | BookingStatus::Confirmed)
}
