//! What the fuzz targets share: the salon bot, a fixed clock, and a booker
//! whose calendar is emptied before every input (so an input's outcome does
//! not depend on the inputs run before it, and a crash file replays alone).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use concierge_core::booking::{
    Availability, Booker, Booking, BookingEngine, BookingError, BookingRequest, Customer, Slot,
};
use concierge_core::spec::BotSpec;

/// The salon demo bot (examples/salon/bot.yaml), built into the targets.
pub const SALON_YAML: &str = include_str!("../../examples/salon/bot.yaml");

/// The salon spec, parsed.
pub fn salon_spec() -> BotSpec {
    BotSpec::from_yaml(SALON_YAML).expect("examples/salon/bot.yaml loads")
}

/// Monday, March 2 2026, 9:00 in New York (the salon's zone): a fixed clock.
pub fn now() -> DateTime<Utc> {
    "2026-03-02T14:00:00Z".parse().expect("a valid time")
}

/// An in-memory booker over the salon's catalog, emptied by [`FreshBooker::reset`].
pub struct FreshBooker {
    spec: BotSpec,
    current: Mutex<Arc<BookingEngine>>,
}

impl FreshBooker {
    /// A booker with an empty calendar.
    pub fn new(spec: &BotSpec) -> FreshBooker {
        let engine = BookingEngine::in_memory(&spec.business).expect("the salon's catalog");
        FreshBooker { spec: spec.clone(), current: Mutex::new(Arc::new(engine)) }
    }

    /// Forgets every booking.
    pub fn reset(&self) {
        *self.current.lock().unwrap() = Arc::new(BookingEngine::in_memory(&self.spec.business).unwrap());
    }

    fn current(&self) -> Arc<BookingEngine> {
        self.current.lock().unwrap().clone()
    }
}

#[async_trait]
impl Booker for FreshBooker {
    async fn check(
        &self,
        request: &BookingRequest,
        now: DateTime<Utc>,
    ) -> Result<Availability, BookingError> {
        self.current().check(request, now).await
    }
    async fn book(
        &self,
        request: &BookingRequest,
        customer: &Customer,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        self.current().book(request, customer, request_key, now).await
    }
    async fn cancel(&self, booking_id: &str, now: DateTime<Utc>) -> Result<Booking, BookingError> {
        self.current().cancel(booking_id, now).await
    }
    async fn reschedule(
        &self,
        booking_id: &str,
        new_start: DateTime<Utc>,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        self.current().reschedule(booking_id, new_start, request_key, now).await
    }
    async fn free_slots(
        &self,
        request: &BookingRequest,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, BookingError> {
        self.current().free_slots(request, until, now).await
    }
    async fn get(&self, booking_id: &str) -> Result<Booking, BookingError> {
        self.current().get(booking_id).await
    }
    async fn upcoming_for_phone(
        &self,
        phone: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Booking>, BookingError> {
        self.current().upcoming_for_phone(phone, now).await
    }
}
