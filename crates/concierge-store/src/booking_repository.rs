//! Core's [`BookingRepository`] over a [`Store`], for one tenant: what the
//! booking engine needs to keep bookings in SQLite or PostgreSQL with the
//! database enforcing the no-double-booking rule.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use concierge_core::booking::repository::Inserted;
use concierge_core::booking::{BookingRecord, BookingRepository, BookingStatus, RepositoryError};

use crate::{NewBooking, Store, StoreError, StoredBooking, TenantId};

/// One tenant's bookings in a [`Store`], as core's [`BookingRepository`].
#[derive(Clone)]
pub struct StoreBookingRepository {
    store: Arc<dyn Store>,
    tenant: TenantId,
}

impl std::fmt::Debug for StoreBookingRepository {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreBookingRepository")
            .field("backend", &self.store.backend())
            .field("tenant", &self.tenant)
            .finish()
    }
}

impl StoreBookingRepository {
    /// The bookings of `tenant` in `store`.
    pub fn new(store: Arc<dyn Store>, tenant: TenantId) -> Self {
        StoreBookingRepository { store, tenant }
    }

    /// On a refused time, the id of an active booking in the way (for the
    /// error message), or the staff member's id when none can be named.
    async fn conflict(&self, record: &BookingRecord, now: DateTime<Utc>) -> RepositoryError {
        let blocking = self
            .store
            .active_bookings_between(&self.tenant, record.blocked_from, record.blocked_until, now)
            .await
            .ok()
            .and_then(|active| {
                active
                    .into_iter()
                    .find(|b| b.booking.staff == record.booking.staff && b.booking.id != record.booking.id)
            });
        RepositoryError::Conflict(blocking.map_or_else(|| record.booking.staff.clone(), |b| b.booking.id))
    }

    async fn map_write_error(
        &self,
        error: StoreError,
        record: &BookingRecord,
        now: DateTime<Utc>,
    ) -> RepositoryError {
        match error {
            StoreError::SlotTaken { .. } => self.conflict(record, now).await,
            other => repository_error(other, &record.booking.reference),
        }
    }
}

fn new_booking(record: &BookingRecord) -> NewBooking {
    NewBooking {
        id: record.booking.id.clone(),
        reference: record.booking.reference.clone(),
        service: record.booking.service.clone(),
        staff: record.booking.staff.clone(),
        start: record.booking.start,
        end: record.booking.end,
        blocked_from: Some(record.blocked_from),
        blocked_until: Some(record.blocked_until),
        customer: record.booking.customer.clone(),
        customer_id: None,
        status: record.booking.status,
        held_until: record.held_until,
        capacity: record.capacity,
        request_key: Some(record.request_key.clone()),
        created_at: Some(record.created_at),
    }
}

fn record(stored: StoredBooking) -> BookingRecord {
    BookingRecord {
        booking: stored.booking,
        request_key: stored.request_key.unwrap_or_default(),
        created_at: stored.created_at,
        held_until: stored.held_until,
        blocked_from: stored.blocked_from,
        blocked_until: stored.blocked_until,
        capacity: stored.capacity,
        rescheduled_from: stored.rescheduled_from,
        rescheduled_to: stored.rescheduled_to,
    }
}

fn repository_error(error: StoreError, reference: &str) -> RepositoryError {
    match error {
        StoreError::NotFound { id, .. } => RepositoryError::NotFound(id),
        StoreError::Duplicate(_) => RepositoryError::DuplicateReference(reference.to_owned()),
        StoreError::WrongState { id, status } => RepositoryError::WrongState { id, status },
        StoreError::HoldExpired(id) => RepositoryError::HoldExpired(id),
        StoreError::SlotTaken { staff } => RepositoryError::Conflict(staff),
        other => RepositoryError::Storage(other.to_string()),
    }
}

fn storage(error: StoreError) -> RepositoryError {
    RepositoryError::Storage(error.to_string())
}

#[async_trait]
impl BookingRepository for StoreBookingRepository {
    async fn insert(&self, new: BookingRecord, now: DateTime<Utc>) -> Result<Inserted, RepositoryError> {
        if let Some(existing) = self.by_request_key(&new.request_key).await? {
            return Ok(Inserted::Existing(existing));
        }
        match self.store.create_booking(&self.tenant, &new_booking(&new), now).await {
            // A concurrent insert under the same key got there first.
            Ok(stored) if stored.booking.id != new.booking.id => Ok(Inserted::Existing(record(stored))),
            Ok(stored) => Ok(Inserted::New(record(stored))),
            Err(error) => Err(self.map_write_error(error, &new, now).await),
        }
    }

    async fn reschedule(
        &self,
        old_id: &str,
        new: BookingRecord,
        now: DateTime<Utc>,
    ) -> Result<Inserted, RepositoryError> {
        if let Some(existing) = self.by_request_key(&new.request_key).await? {
            return Ok(Inserted::Existing(existing));
        }
        match self.store.reschedule_booking(&self.tenant, old_id, &new_booking(&new), now).await {
            Ok(stored) if stored.booking.id != new.booking.id => Ok(Inserted::Existing(record(stored))),
            Ok(stored) => Ok(Inserted::New(record(stored))),
            Err(error) => Err(self.map_write_error(error, &new, now).await),
        }
    }

    async fn transition(
        &self,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<BookingRecord, RepositoryError> {
        if from.is_empty() {
            // The store reads an empty `from` as "any"; the trait as "none".
            let current = self.get(id).await?.ok_or_else(|| RepositoryError::NotFound(id.to_owned()))?;
            return Err(RepositoryError::WrongState { id: id.to_owned(), status: current.booking.status });
        }
        self.store
            .transition_booking(&self.tenant, id, from, to, now)
            .await
            .map(record)
            .map_err(|e| repository_error(e, ""))
    }

    async fn get(&self, id: &str) -> Result<Option<BookingRecord>, RepositoryError> {
        match self.store.booking(&self.tenant, id).await {
            Ok(stored) => Ok(Some(record(stored))),
            Err(StoreError::NotFound { .. }) => Ok(None),
            Err(other) => Err(storage(other)),
        }
    }

    async fn by_request_key(&self, key: &str) -> Result<Option<BookingRecord>, RepositoryError> {
        self.store.booking_by_request_key(&self.tenant, key).await.map(|b| b.map(record)).map_err(storage)
    }

    async fn by_reference(&self, reference: &str) -> Result<Option<BookingRecord>, RepositoryError> {
        self.store.booking_by_reference(&self.tenant, reference).await.map(|b| b.map(record)).map_err(storage)
    }

    async fn active_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<BookingRecord>, RepositoryError> {
        self.store
            .active_bookings_between(&self.tenant, from, to, now)
            .await
            .map(|all| all.into_iter().map(record).collect())
            .map_err(storage)
    }

    async fn for_phone(&self, phone: &str) -> Result<Vec<BookingRecord>, RepositoryError> {
        self.store
            .bookings_for_phone(&self.tenant, phone)
            .await
            .map(|all| all.into_iter().map(record).collect())
            .map_err(storage)
    }
}
