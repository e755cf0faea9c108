//! Bookings as the store keeps them.
//!
//! A booking takes up its staff member's time over its *blocked span* (its
//! start and end widened by the service's buffers) while it is *active*:
//! confirmed, or held and the hold has not lapsed. Active bookings of one
//! staff member never overlap, except seats of one sitting (the same
//! service at exactly the same time), up to the service's capacity. The
//! database enforces this: on PostgreSQL with exclusion constraints (plus a
//! per-staff transaction lock to count seats), on SQLite with a
//! `BEGIN IMMEDIATE` check-and-insert.

use chrono::{DateTime, Utc};
use concierge_core::booking::{Booking, BookingStatus, Customer};
use serde::{Deserialize, Serialize};

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
    /// Start of the time it keeps others out of, when earlier than `start`
    /// (a buffer before); `None` means `start`.
    pub blocked_from: Option<DateTime<Utc>>,
    /// End of the time it keeps others out of, when later than `end`
    /// (a buffer after); `None` means `end`.
    pub blocked_until: Option<DateTime<Utc>>,
    /// Who it is for.
    pub customer: Customer,
    /// The stored customer, when there is one.
    pub customer_id: Option<String>,
    /// Its initial state (normally held or confirmed).
    pub status: BookingStatus,
    /// For a held booking, when the hold lapses (a hold without one takes no time).
    pub held_until: Option<DateTime<Utc>>,
    /// Seats of its service: how many bookings may share its exact time (at least 1).
    pub capacity: u32,
    /// Idempotency key: creating again with the same key returns the first booking.
    pub request_key: Option<String>,
    /// When it was made (`None`: the store's clock).
    pub created_at: Option<DateTime<Utc>>,
}

impl NewBooking {
    /// A confirmed single-seat booking without buffers, hold or request key.
    #[allow(clippy::too_many_arguments)]
    pub fn confirmed(
        id: impl Into<String>,
        reference: impl Into<String>,
        service: impl Into<String>,
        staff: impl Into<String>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        customer: Customer,
    ) -> Self {
        NewBooking {
            id: id.into(),
            reference: reference.into(),
            service: service.into(),
            staff: staff.into(),
            start,
            end,
            blocked_from: None,
            blocked_until: None,
            customer,
            customer_id: None,
            status: BookingStatus::Confirmed,
            held_until: None,
            capacity: 1,
            request_key: None,
            created_at: None,
        }
    }

    /// The blocked span `[from, until)`.
    pub fn blocked_span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.blocked_from.unwrap_or(self.start), self.blocked_until.unwrap_or(self.end))
    }

    /// The key shared by seats of one sitting.
    pub(crate) fn sitting(&self) -> String {
        sitting_key(&self.service, self.start, self.end)
    }

    /// Whether it takes up time at `now`.
    pub(crate) fn blocks_at(&self, now: DateTime<Utc>) -> bool {
        blocks(self.status, self.held_until, now)
    }

    pub(crate) fn validate(&self) -> Result<(), StoreError> {
        if self.id.is_empty() || self.reference.is_empty() || self.staff.is_empty() {
            return Err(StoreError::Invalid("a booking needs an id, a reference and a staff member".into()));
        }
        if self.start >= self.end {
            return Err(StoreError::Invalid(format!(
                "booking ends ({}) before it starts ({})",
                self.end, self.start
            )));
        }
        let (from, until) = self.blocked_span();
        if from > self.start || until < self.end {
            return Err(StoreError::Invalid("the blocked span must contain the booking".into()));
        }
        if self.capacity == 0 || i32::try_from(self.capacity).is_err() {
            return Err(StoreError::Invalid(format!("capacity {} out of range", self.capacity)));
        }
        Ok(())
    }
}

/// A stored booking with what the storage knows beyond core's [`Booking`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredBooking {
    /// The booking as the dialog sees it.
    pub booking: Booking,
    /// The idempotency key it was made under.
    pub request_key: Option<String>,
    /// For a held booking, when the hold lapses.
    pub held_until: Option<DateTime<Utc>>,
    /// Start of the time it keeps others out of.
    pub blocked_from: DateTime<Utc>,
    /// End of the time it keeps others out of.
    pub blocked_until: DateTime<Utc>,
    /// Seats of its sitting.
    pub capacity: u32,
    /// The customer record it belongs to, if any.
    pub customer_id: Option<String>,
    /// The booking it replaced, if it was made by a reschedule.
    pub rescheduled_from: Option<String>,
    /// The booking that replaced it, if it was rescheduled.
    pub rescheduled_to: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

pub(crate) fn sitting_key(service: &str, start: DateTime<Utc>, end: DateTime<Utc>) -> String {
    format!("{service}|{}|{}", start.timestamp_micros(), end.timestamp_micros())
}

/// Whether a booking in `status` takes up time at `now`.
pub(crate) fn blocks(status: BookingStatus, held_until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match status {
        BookingStatus::Confirmed => true,
        BookingStatus::Held => held_until.is_some_and(|t| now < t),
        BookingStatus::Cancelled | BookingStatus::Rescheduled | BookingStatus::NoShow => false,
    }
}

/// Checks a transition of `current` to `to` at `now`: its status must be
/// one of `from` (any when empty), and a hold must not have lapsed to be
/// confirmed.
pub(crate) fn check_transition(
    current: &StoredBooking,
    from: &[BookingStatus],
    to: BookingStatus,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let status = current.booking.status;
    if !from.is_empty() && !from.contains(&status) {
        return Err(StoreError::WrongState { id: current.booking.id.clone(), status });
    }
    if to == BookingStatus::Confirmed
        && status == BookingStatus::Held
        && !blocks(status, current.held_until, now)
    {
        return Err(StoreError::HoldExpired(current.booking.id.clone()));
    }
    Ok(())
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
