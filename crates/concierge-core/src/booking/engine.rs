//! The booking engine: the [`Booker`] the dialog talks to, over a catalog,
//! a repository and optional calendars.
//!
//! Just over 600 lines: the `Booker`'s operations share its availability and
//! calendar helpers.
//!
//! Availability is computed from the repository's active bookings plus the
//! calendars' busy time; the repository then re-checks atomically on write,
//! so two customers racing for one slot cannot both get it. Confirmed
//! bookings are written to the calendars as events whose UID is the
//! booking's id. Calendar busy time that an active booking covers is taken
//! to be that booking's own event and is not counted twice (free/busy
//! answers carry no UIDs and servers merge adjacent periods, so the
//! bookings' spans are cut out of the calendar's periods).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};

use super::availability::{
    check_start, find_slots, nearest_alternatives, BusyTime, SlotQuery, StaffPreference,
};
use super::calendar::{Calendar, CalendarEvent};
use super::catalog::Catalog;
use super::reference::{DerivedReferenceCodes, ReferenceCodes};
use super::repository::{
    BookingRecord, BookingRepository, InMemoryBookingRepository, Inserted, RepositoryError,
};
use super::{
    Availability, Booker, Booking, BookingError, BookingRequest, BookingStatus, Customer, Slot, Unavailable,
};
use crate::spec::BusinessSpec;

/// How many alternatives [`Booker::check`] offers.
pub const ALTERNATIVES: usize = 3;

/// How many reference codes to try before giving up.
const REFERENCE_ATTEMPTS: u32 = 8;

/// A calendar and whose it is.
#[derive(Clone)]
struct LinkedCalendar {
    /// A staff member's id, or `None` for the business's own calendar.
    staff: Option<String>,
    calendar: Arc<dyn Calendar>,
}

/// Books, holds, cancels and reschedules over a [`Catalog`].
#[derive(Clone)]
pub struct BookingEngine {
    catalog: Arc<Catalog>,
    repository: Arc<dyn BookingRepository>,
    calendars: Vec<LinkedCalendar>,
    references: Arc<dyn ReferenceCodes>,
    assignment: StaffPreference,
}

impl std::fmt::Debug for BookingEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BookingEngine")
            .field("business", &self.catalog.name())
            .field("calendars", &self.calendars.len())
            .field("assignment", &self.assignment)
            .finish()
    }
}

impl BookingEngine {
    /// An engine over `catalog` storing in `repository`, with derived
    /// reference codes (salt 0), no calendars and "any" staff assignment.
    pub fn new(catalog: Catalog, repository: Arc<dyn BookingRepository>) -> Self {
        BookingEngine {
            catalog: Arc::new(catalog),
            repository,
            calendars: Vec::new(),
            references: Arc::new(DerivedReferenceCodes::default()),
            assignment: StaffPreference::Any,
        }
    }

    /// An engine for a spec's business, keeping bookings in memory.
    pub fn in_memory(spec: &BusinessSpec) -> Result<Self, BookingError> {
        Ok(Self::new(Catalog::from_spec(spec)?, Arc::new(InMemoryBookingRepository::new())))
    }

    /// Adds a calendar: a staff member's (`Some(id)`), or the business's
    /// (`None`), whose busy time blocks everyone and which receives every booking.
    pub fn with_calendar(
        mut self,
        staff: Option<String>,
        calendar: Arc<dyn Calendar>,
    ) -> Result<Self, BookingError> {
        if let Some(id) = &staff {
            self.catalog.staff_member(id)?;
        }
        self.calendars.push(LinkedCalendar { staff, calendar });
        Ok(self)
    }

    /// Uses `references` for public reference codes.
    pub fn with_reference_codes(mut self, references: Arc<dyn ReferenceCodes>) -> Self {
        self.references = references;
        self
    }

    /// How staff are assigned when a request names nobody:
    /// [`StaffPreference::Any`] (the default) or [`StaffPreference::RoundRobin`].
    pub fn with_assignment(mut self, assignment: StaffPreference) -> Self {
        self.assignment = assignment;
        self
    }

    /// The catalog it books over.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Everything busy in `[from, to)`: active bookings and calendar busy time.
    pub async fn busy_times(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<BusyTime>, BookingError> {
        let records = self.repository.active_between(from, to, now).await.map_err(backend)?;
        let mut busy: Vec<BusyTime> = records
            .iter()
            .map(|r| BusyTime::Booked {
                staff: r.booking.staff.clone(),
                service: r.booking.service.clone(),
                start: r.booking.start,
                end: r.booking.end,
            })
            .collect();
        for linked in &self.calendars {
            let periods = linked
                .calendar
                .free_busy(from, to)
                .await
                .map_err(|e| BookingError::Backend(e.to_string()))?;
            for p in periods {
                // The calendar shows our own bookings' events too (perhaps
                // merged with neighbours): cut those out, keep the rest.
                let own: Vec<(DateTime<Utc>, DateTime<Utc>)> = records
                    .iter()
                    .filter(|r| linked.staff.as_ref().is_none_or(|s| *s == r.booking.staff))
                    .map(|r| (r.booking.start, r.booking.end))
                    .collect();
                for (start, end) in subtract_spans((p.start, p.end), &own) {
                    busy.push(BusyTime::Blocked { staff: linked.staff.clone(), start, end });
                }
            }
        }
        Ok(busy)
    }

    /// Bookable slots for `query` (see [`find_slots`]).
    pub async fn slots(&self, query: &SlotQuery, now: DateTime<Utc>) -> Result<Vec<Slot>, BookingError> {
        let (from, to) = self.busy_span(query.from, query.to);
        let busy = self.busy_times(from, to, now).await?;
        find_slots(&self.catalog, query, &busy, now)
    }

    /// Holds `request` for `customer` until `policies.hold_minutes` after
    /// `now`; the same `request_key` returns the same booking.
    pub async fn hold(
        &self,
        request: &BookingRequest,
        customer: &Customer,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        let held_until = now + Duration::minutes(self.catalog.policies().hold_minutes.into());
        let record =
            self.place(request, customer, request_key, BookingStatus::Held, Some(held_until), now).await?;
        Ok(record.record().booking)
    }

    /// Confirms a held booking before its hold lapses, and writes it to the
    /// calendars. Confirming a confirmed booking returns it unchanged.
    pub async fn confirm(&self, booking_id: &str, now: DateTime<Utc>) -> Result<Booking, BookingError> {
        let current = self.record(booking_id).await?;
        if current.booking.status == BookingStatus::Confirmed {
            return Ok(current.booking);
        }
        let record = self
            .repository
            .transition(booking_id, &[BookingStatus::Held], BookingStatus::Confirmed, now)
            .await
            .map_err(repository_error)?;
        self.publish(&record.booking).await?;
        Ok(record.booking)
    }

    /// Records that the customer did not come: only for a confirmed booking
    /// that has started by `now`.
    pub async fn mark_no_show(&self, booking_id: &str, now: DateTime<Utc>) -> Result<Booking, BookingError> {
        let current = self.record(booking_id).await?;
        if now < current.booking.start {
            return Err(BookingError::NotAllowed(format!(
                "booking {} has not started yet",
                current.booking.reference
            )));
        }
        let record = self
            .repository
            .transition(booking_id, &[BookingStatus::Confirmed], BookingStatus::NoShow, now)
            .await
            .map_err(repository_error)?;
        Ok(record.booking)
    }

    /// A booking by its public reference code (case-insensitive).
    pub async fn find_by_reference(&self, reference: &str) -> Result<Booking, BookingError> {
        self.repository
            .by_reference(reference)
            .await
            .map_err(backend)?
            .map(|r| r.booking)
            .ok_or_else(|| BookingError::NotFound(reference.to_string()))
    }

    /// The full record of a booking (links, hold expiry, key).
    pub async fn record(&self, booking_id: &str) -> Result<BookingRecord, BookingError> {
        self.repository
            .get(booking_id)
            .await
            .map_err(backend)?
            .ok_or_else(|| BookingError::NotFound(booking_id.to_string()))
    }

    /// Busy times must cover the service's buffers and the longest service
    /// around a range.
    fn busy_span(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let margin = Duration::days(1);
        (from - margin, to + margin)
    }

    fn preference(&self, staff: &Option<String>) -> StaffPreference {
        match staff {
            Some(id) => StaffPreference::Specific(id.clone()),
            None => self.assignment.clone(),
        }
    }

    /// Checks and stores a new booking in `status`.
    async fn place(
        &self,
        request: &BookingRequest,
        customer: &Customer,
        request_key: &str,
        status: BookingStatus,
        held_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<Inserted, BookingError> {
        if let Some(existing) = self.existing(request_key).await? {
            return Ok(Inserted::Existing(existing));
        }
        let slot = self
            .available_slot(&request.service, request.start, &self.preference(&request.staff), None, now)
            .await?;
        for attempt in 0..REFERENCE_ATTEMPTS {
            let record = self.new_record(
                &request.service,
                &slot,
                customer,
                request_key,
                status,
                held_until,
                attempt,
                now,
            )?;
            match self.repository.insert(record, now).await {
                Ok(inserted) => return Ok(inserted),
                Err(RepositoryError::DuplicateReference(_)) => continue,
                Err(e) => return Err(repository_error(e)),
            }
        }
        Err(BookingError::Backend("no free reference code".into()))
    }

    /// The booking already made under `request_key`, if any.
    async fn existing(&self, request_key: &str) -> Result<Option<BookingRecord>, BookingError> {
        self.repository.by_request_key(request_key).await.map_err(backend)
    }

    /// The slot for `start`, or why there is none. `moving` is a booking
    /// whose own time does not count as busy (it is being moved).
    async fn available_slot(
        &self,
        service: &str,
        start: DateTime<Utc>,
        preference: &StaffPreference,
        moving: Option<&BookingRecord>,
        now: DateTime<Utc>,
    ) -> Result<Slot, BookingError> {
        let (from, to) = self.busy_span(start, start);
        let mut busy = self.busy_times(from, to, now).await?;
        if let Some(old) = moving {
            let own = BusyTime::Booked {
                staff: old.booking.staff.clone(),
                service: old.booking.service.clone(),
                start: old.booking.start,
                end: old.booking.end,
            };
            if let Some(i) = busy.iter().position(|b| *b == own) {
                busy.remove(i);
            }
        }
        check_start(&self.catalog, service, start, preference, &busy, now)?
            .map_err(BookingError::NotAvailable)
    }

    #[allow(clippy::too_many_arguments)]
    fn new_record(
        &self,
        service: &str,
        slot: &Slot,
        customer: &Customer,
        request_key: &str,
        status: BookingStatus,
        held_until: Option<DateTime<Utc>>,
        attempt: u32,
        now: DateTime<Utc>,
    ) -> Result<BookingRecord, BookingError> {
        let service = self.catalog.service(service)?;
        let reference = self.references.code(request_key, attempt);
        Ok(BookingRecord {
            booking: Booking {
                id: format!("bk_{}", reference.to_ascii_lowercase()),
                reference,
                service: service.id.clone(),
                staff: slot.staff.clone(),
                start: slot.start,
                end: slot.end,
                customer: customer.clone(),
                status,
            },
            request_key: request_key.to_string(),
            created_at: now,
            held_until,
            blocked_from: slot.start - service.buffer_before,
            blocked_until: slot.end + service.buffer_after,
            capacity: service.capacity,
            rescheduled_from: None,
            rescheduled_to: None,
        })
    }

    fn calendars_of<'a>(&'a self, booking: &'a Booking) -> impl Iterator<Item = &'a Arc<dyn Calendar>> {
        self.calendars
            .iter()
            .filter(move |c| c.staff.as_ref().is_none_or(|s| *s == booking.staff))
            .map(|c| &c.calendar)
    }

    /// Writes a confirmed booking to its calendars.
    async fn publish(&self, booking: &Booking) -> Result<(), BookingError> {
        let service_name = self
            .catalog
            .service(&booking.service)
            .map(|s| s.name.clone())
            .unwrap_or_else(|_| booking.service.clone());
        let staff_name = self
            .catalog
            .staff_member(&booking.staff)
            .map(|s| s.name.clone())
            .unwrap_or_else(|_| booking.staff.clone());
        let event = CalendarEvent {
            uid: booking.id.clone(),
            summary: format!("{service_name}: {}", booking.customer.name),
            description: format!(
                "Reference {} with {staff_name}{}",
                booking.reference,
                booking.customer.phone.as_deref().map(|p| format!(", phone {p}")).unwrap_or_default()
            ),
            start: booking.start,
            end: booking.end,
        };
        for calendar in self.calendars_of(booking) {
            match calendar.create_event(&event).await {
                Ok(()) | Err(super::CalendarError::AlreadyExists(_)) => {}
                Err(e) => {
                    return Err(BookingError::Backend(format!(
                        "booking {} is confirmed but its calendar event failed: {e}",
                        booking.reference
                    )))
                }
            }
        }
        Ok(())
    }

    /// Removes a booking's events from its calendars.
    async fn unpublish(&self, booking: &Booking) -> Result<(), BookingError> {
        for calendar in self.calendars_of(booking) {
            match calendar.delete_event(&booking.id).await {
                Ok(()) | Err(super::CalendarError::NotFound(_)) => {}
                Err(e) => {
                    return Err(BookingError::Backend(format!(
                        "booking {} changed but its calendar event could not be removed: {e}",
                        booking.reference
                    )))
                }
            }
        }
        Ok(())
    }

    fn check_cutoff(&self, booking: &Booking, now: DateTime<Utc>, what: &str) -> Result<(), BookingError> {
        let cutoff = Duration::hours(self.catalog.policies().cancellation_cutoff_hours.into());
        if booking.status == BookingStatus::Confirmed && now > booking.start - cutoff {
            return Err(BookingError::NotAllowed(format!(
                "booking {} can no longer be {what}: the cut-off is {} hours before it starts",
                booking.reference,
                cutoff.num_hours()
            )));
        }
        Ok(())
    }
}

#[async_trait]
impl Booker for BookingEngine {
    async fn check(
        &self,
        request: &BookingRequest,
        now: DateTime<Utc>,
    ) -> Result<Availability, BookingError> {
        let preference = self.preference(&request.staff);
        match self.available_slot(&request.service, request.start, &preference, None, now).await {
            Ok(slot) => Ok(Availability::Available(slot)),
            Err(BookingError::NotAvailable(reason)) => {
                let from = request.start.max(now) - Duration::days(4);
                let to = request.start.max(now) + Duration::days(16);
                let busy = self.busy_times(from, to, now).await?;
                let alternatives = nearest_alternatives(
                    &self.catalog,
                    &request.service,
                    request.start,
                    &preference,
                    &busy,
                    now,
                    ALTERNATIVES,
                )?;
                Ok(Availability::Unavailable { reason, alternatives })
            }
            Err(e) => Err(e),
        }
    }

    async fn book(
        &self,
        request: &BookingRequest,
        customer: &Customer,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        match self.place(request, customer, request_key, BookingStatus::Confirmed, None, now).await? {
            Inserted::New(record) => {
                self.publish(&record.booking).await?;
                Ok(record.booking)
            }
            // A retried key that was only held: confirm it now.
            Inserted::Existing(record) if record.booking.status == BookingStatus::Held => {
                self.confirm(&record.booking.id, now).await
            }
            Inserted::Existing(record) => Ok(record.booking),
        }
    }

    async fn free_slots(
        &self,
        request: &BookingRequest,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, BookingError> {
        let query = SlotQuery {
            service: request.service.clone(),
            from: request.start,
            to: until,
            staff: self.preference(&request.staff),
        };
        let mut slots = self.slots(&query, now).await?;
        slots.sort_by_key(|s| s.start);
        Ok(slots)
    }

    async fn cancel(&self, booking_id: &str, now: DateTime<Utc>) -> Result<Booking, BookingError> {
        let current = self.record(booking_id).await?;
        if current.booking.status == BookingStatus::Cancelled {
            return Ok(current.booking);
        }
        self.check_cutoff(&current.booking, now, "cancelled")?;
        let record = self
            .repository
            .transition(
                booking_id,
                &[BookingStatus::Held, BookingStatus::Confirmed],
                BookingStatus::Cancelled,
                now,
            )
            .await
            .map_err(repository_error)?;
        if current.booking.status == BookingStatus::Confirmed {
            self.unpublish(&record.booking).await?;
        }
        Ok(record.booking)
    }

    async fn reschedule(
        &self,
        booking_id: &str,
        new_start: DateTime<Utc>,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        let old = self.record(booking_id).await?;
        if let Some(done) = self.existing(request_key).await? {
            return Ok(done.booking);
        }
        if old.booking.status != BookingStatus::Confirmed {
            return Err(BookingError::NotAllowed(format!(
                "booking {} is {:?} and cannot be moved",
                old.booking.reference, old.booking.status
            )));
        }
        self.check_cutoff(&old.booking, now, "moved")?;
        // Keep the same person when they are free; otherwise anyone.
        let same = StaffPreference::Specific(old.booking.staff.clone());
        let slot = match self.available_slot(&old.booking.service, new_start, &same, Some(&old), now).await {
            Ok(slot) => slot,
            Err(BookingError::NotAvailable(Unavailable::Taken | Unavailable::Closed)) => {
                self.available_slot(&old.booking.service, new_start, &self.assignment, Some(&old), now)
                    .await?
            }
            Err(e) => return Err(e),
        };
        for attempt in 0..REFERENCE_ATTEMPTS {
            let record = self.new_record(
                &old.booking.service,
                &slot,
                &old.booking.customer,
                request_key,
                BookingStatus::Confirmed,
                None,
                attempt,
                now,
            )?;
            match self.repository.reschedule(booking_id, record, now).await {
                Ok(Inserted::New(new)) => {
                    self.unpublish(&old.booking).await?;
                    self.publish(&new.booking).await?;
                    return Ok(new.booking);
                }
                Ok(Inserted::Existing(existing)) => return Ok(existing.booking),
                Err(RepositoryError::DuplicateReference(_)) => continue,
                Err(e) => return Err(repository_error(e)),
            }
        }
        Err(BookingError::Backend("no free reference code".into()))
    }

    async fn get(&self, booking_id: &str) -> Result<Booking, BookingError> {
        Ok(self.record(booking_id).await?.booking)
    }

    async fn upcoming_for_phone(
        &self,
        phone: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Booking>, BookingError> {
        let mut bookings: Vec<Booking> = self
            .repository
            .for_phone(phone)
            .await
            .map_err(backend)?
            .into_iter()
            .map(|r| r.booking)
            .filter(|b| b.status == BookingStatus::Confirmed && b.start > now)
            .collect();
        bookings.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        Ok(bookings)
    }
}

/// `span` minus every span in `holes`.
fn subtract_spans(
    span: (DateTime<Utc>, DateTime<Utc>),
    holes: &[(DateTime<Utc>, DateTime<Utc>)],
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut parts = vec![span];
    for &(h_start, h_end) in holes {
        parts = parts
            .into_iter()
            .flat_map(|(s, e)| {
                if h_end <= s || e <= h_start {
                    vec![(s, e)]
                } else {
                    [(s, h_start), (h_end, e)].into_iter().filter(|(a, b)| a < b).collect()
                }
            })
            .collect();
    }
    parts
}

fn backend(e: RepositoryError) -> BookingError {
    BookingError::Backend(e.to_string())
}

fn repository_error(e: RepositoryError) -> BookingError {
    match e {
        RepositoryError::Conflict(_) => BookingError::NotAvailable(Unavailable::Taken),
        RepositoryError::NotFound(id) => BookingError::NotFound(id),
        RepositoryError::WrongState { id, status } => {
            BookingError::NotAllowed(format!("booking {id} is {status:?}"))
        }
        RepositoryError::HoldExpired(id) => {
            BookingError::NotAllowed(format!("the hold on booking {id} expired"))
        }
        e @ (RepositoryError::DuplicateReference(_) | RepositoryError::Storage(_)) => backend(e),
    }
}
