//! Where bookings are kept, and the rule that makes double booking
//! impossible.
//!
//! The rule lives in the repository, not in the engine, because only the
//! storage can check and write in one step: [`BookingRepository::insert`]
//! and [`BookingRepository::reschedule`] refuse a record that conflicts
//! with an *active* one (confirmed, or held and not yet expired). Two
//! records conflict when they have the same staff member and their blocked
//! spans (buffers included) overlap, unless they are seats of one sitting:
//! the same service at exactly the same time, up to its capacity.
//!
//! [`InMemoryBookingRepository`] does this under one mutex. A database
//! implementation must give the same guarantee under concurrent writers
//! (a transaction with a lock on the staff member's row, or an exclusion
//! constraint).

use std::sync::Mutex;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::{Booking, BookingStatus};

/// A booking with what the engine and the storage need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRecord {
    /// The booking as the dialog sees it.
    pub booking: Booking,
    /// The idempotency key it was made under; unique.
    pub request_key: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// For a held booking, when the hold lapses.
    pub held_until: Option<DateTime<Utc>>,
    /// Start of the time it keeps others out of (start minus buffer before).
    pub blocked_from: DateTime<Utc>,
    /// End of the time it keeps others out of (end plus buffer after).
    pub blocked_until: DateTime<Utc>,
    /// Seats of its service: how many bookings may share its exact time.
    pub capacity: u32,
    /// The booking it replaced, if it was made by a reschedule.
    pub rescheduled_from: Option<String>,
    /// The booking that replaced it, if it was rescheduled.
    pub rescheduled_to: Option<String>,
}

impl BookingRecord {
    /// Whether it takes up time at `now`: confirmed, or held and not expired.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        match self.booking.status {
            BookingStatus::Confirmed => true,
            BookingStatus::Held => self.held_until.is_some_and(|t| now < t),
            BookingStatus::Cancelled | BookingStatus::Rescheduled | BookingStatus::NoShow => false,
        }
    }

    /// Whether it is a seat of the same sitting as `other`.
    pub fn shares_seats_with(&self, other: &BookingRecord) -> bool {
        self.booking.staff == other.booking.staff
            && self.booking.service == other.booking.service
            && self.booking.start == other.booking.start
            && self.booking.end == other.booking.end
    }

    /// Whether both cannot be active together, ignoring seat counts: the
    /// same staff member with overlapping blocked spans, not seats of one
    /// sitting.
    pub fn overlaps(&self, other: &BookingRecord) -> bool {
        self.booking.staff == other.booking.staff
            && self.blocked_from < other.blocked_until
            && other.blocked_from < self.blocked_until
            && !self.shares_seats_with(other)
    }
}

/// The result of an insert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Inserted {
    /// The record was stored.
    New(BookingRecord),
    /// A record with the same request key exists; nothing was stored.
    Existing(BookingRecord),
}

impl Inserted {
    /// The stored record, new or existing.
    pub fn record(self) -> BookingRecord {
        match self {
            Inserted::New(r) | Inserted::Existing(r) => r,
        }
    }
}

/// Why a repository operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RepositoryError {
    /// An active booking takes that time (or every seat of it).
    #[error("the time conflicts with booking {0:?}")]
    Conflict(String),
    /// The id or reference code is taken by another booking.
    #[error("booking id or reference {0:?} is taken")]
    DuplicateReference(String),
    /// No booking with that id.
    #[error("no booking {0:?}")]
    NotFound(String),
    /// The booking is not in a state that allows the change.
    #[error("booking {id:?} is {status:?}")]
    WrongState {
        /// The booking's id.
        id: String,
        /// Its current status.
        status: BookingStatus,
    },
    /// The hold lapsed before it was confirmed.
    #[error("the hold on booking {0:?} expired")]
    HoldExpired(String),
    /// The storage itself failed.
    #[error("storage failed: {0}")]
    Storage(String),
}

/// Storage of bookings. Every method is atomic.
#[async_trait]
pub trait BookingRepository: Send + Sync {
    /// Stores `record` unless its request key was used (then returns that
    /// record), its id or reference is taken, or it conflicts with an
    /// active record at `now` (see the module docs).
    async fn insert(&self, record: BookingRecord, now: DateTime<Utc>) -> Result<Inserted, RepositoryError>;

    /// Replaces active booking `old_id` with `new` in one step: `new` is
    /// checked as by [`insert`](Self::insert) but ignoring the old booking,
    /// stored with `rescheduled_from = old_id`, and the old booking becomes
    /// [`BookingStatus::Rescheduled`] with `rescheduled_to` set. A used
    /// request key returns the record stored under it.
    async fn reschedule(
        &self,
        old_id: &str,
        new: BookingRecord,
        now: DateTime<Utc>,
    ) -> Result<Inserted, RepositoryError>;

    /// Moves booking `id` to status `to` if its status is one of `from`
    /// (and, when confirming a hold, the hold has not expired at `now`).
    async fn transition(
        &self,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<BookingRecord, RepositoryError>;

    /// A booking by id.
    async fn get(&self, id: &str) -> Result<Option<BookingRecord>, RepositoryError>;

    /// The booking made under an idempotency key.
    async fn by_request_key(&self, key: &str) -> Result<Option<BookingRecord>, RepositoryError>;

    /// A booking by public reference code.
    async fn by_reference(&self, reference: &str) -> Result<Option<BookingRecord>, RepositoryError>;

    /// Records active at `now` whose blocked span overlaps `[from, to)`.
    async fn active_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<BookingRecord>, RepositoryError>;

    /// Every record of a customer's phone number, in any status.
    async fn for_phone(&self, phone: &str) -> Result<Vec<BookingRecord>, RepositoryError>;
}

/// A repository in memory: every check-and-write runs under one mutex, so
/// it is race-free however many tasks share it.
#[derive(Debug, Default)]
pub struct InMemoryBookingRepository {
    records: Mutex<Vec<BookingRecord>>,
}

impl InMemoryBookingRepository {
    /// An empty repository.
    pub fn new() -> Self {
        Self::default()
    }

    /// Every record, in insertion order (for tests and inspection).
    pub fn all(&self) -> Vec<BookingRecord> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<BookingRecord>> {
        // A panic while holding the lock cannot leave a half-written record
        // (every write is a single push or field assignment), so a poisoned
        // lock is still consistent.
        self.records.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Checks `record` against `records` (skipping `ignore`) under the caller's lock.
fn admit(
    records: &[BookingRecord],
    record: &BookingRecord,
    ignore: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), RepositoryError> {
    if let Some(other) = records
        .iter()
        .find(|r| r.booking.id == record.booking.id || r.booking.reference == record.booking.reference)
    {
        return Err(RepositoryError::DuplicateReference(other.booking.reference.clone()));
    }
    let mut seats = 1;
    for other in records.iter().filter(|r| Some(r.booking.id.as_str()) != ignore && r.is_active(now)) {
        if other.overlaps(record) {
            return Err(RepositoryError::Conflict(other.booking.id.clone()));
        }
        if other.shares_seats_with(record) {
            seats += 1;
            if seats > record.capacity.min(other.capacity) {
                return Err(RepositoryError::Conflict(other.booking.id.clone()));
            }
        }
    }
    Ok(())
}

#[async_trait]
impl BookingRepository for InMemoryBookingRepository {
    async fn insert(&self, record: BookingRecord, now: DateTime<Utc>) -> Result<Inserted, RepositoryError> {
        let mut records = self.lock();
        if let Some(existing) = records.iter().find(|r| r.request_key == record.request_key) {
            return Ok(Inserted::Existing(existing.clone()));
        }
        admit(&records, &record, None, now)?;
        records.push(record.clone());
        Ok(Inserted::New(record))
    }

    async fn reschedule(
        &self,
        old_id: &str,
        mut new: BookingRecord,
        now: DateTime<Utc>,
    ) -> Result<Inserted, RepositoryError> {
        let mut records = self.lock();
        if let Some(existing) = records.iter().find(|r| r.request_key == new.request_key) {
            return Ok(Inserted::Existing(existing.clone()));
        }
        let old_index = records
            .iter()
            .position(|r| r.booking.id == old_id)
            .ok_or_else(|| RepositoryError::NotFound(old_id.to_string()))?;
        if !records[old_index].is_active(now) {
            return Err(RepositoryError::WrongState {
                id: old_id.to_string(),
                status: records[old_index].booking.status,
            });
        }
        admit(&records, &new, Some(old_id), now)?;
        new.rescheduled_from = Some(old_id.to_string());
        let old = &mut records[old_index];
        old.booking.status = BookingStatus::Rescheduled;
        old.rescheduled_to = Some(new.booking.id.clone());
        records.push(new.clone());
        Ok(Inserted::New(new))
    }

    async fn transition(
        &self,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<BookingRecord, RepositoryError> {
        let mut records = self.lock();
        let record = records
            .iter_mut()
            .find(|r| r.booking.id == id)
            .ok_or_else(|| RepositoryError::NotFound(id.to_string()))?;
        if !from.contains(&record.booking.status) {
            return Err(RepositoryError::WrongState { id: id.to_string(), status: record.booking.status });
        }
        if record.booking.status == BookingStatus::Held
            && to == BookingStatus::Confirmed
            && !record.is_active(now)
        {
            return Err(RepositoryError::HoldExpired(id.to_string()));
        }
        record.booking.status = to;
        if to != BookingStatus::Held {
            record.held_until = None;
        }
        Ok(record.clone())
    }

    async fn get(&self, id: &str) -> Result<Option<BookingRecord>, RepositoryError> {
        Ok(self.lock().iter().find(|r| r.booking.id == id).cloned())
    }

    async fn by_request_key(&self, key: &str) -> Result<Option<BookingRecord>, RepositoryError> {
        Ok(self.lock().iter().find(|r| r.request_key == key).cloned())
    }

    async fn by_reference(&self, reference: &str) -> Result<Option<BookingRecord>, RepositoryError> {
        let wanted = reference.trim().to_ascii_uppercase();
        Ok(self.lock().iter().find(|r| r.booking.reference == wanted).cloned())
    }

    async fn active_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<BookingRecord>, RepositoryError> {
        Ok(self
            .lock()
            .iter()
            .filter(|r| r.is_active(now) && r.blocked_from < to && from < r.blocked_until)
            .cloned()
            .collect())
    }

    async fn for_phone(&self, phone: &str) -> Result<Vec<BookingRecord>, RepositoryError> {
        Ok(self
            .lock()
            .iter()
            .filter(|r| r.booking.customer.phone.as_deref() == Some(phone))
            .cloned()
            .collect())
    }
}
