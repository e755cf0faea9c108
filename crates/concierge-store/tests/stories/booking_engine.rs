//! Core's booking engine keeping its bookings in the store, through
//! [`StoreBookingRepository`]: the engine's rules hold and the database
//! settles races between engines.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use concierge_core::booking::{
    Booker, BookingEngine, BookingError, BookingRequest, BookingStatus, Catalog, Customer, Unavailable,
};
use concierge_core::spec::BusinessSpec;
use concierge_store::{StoreBookingRepository, TenantId};

use crate::backend::{run_story, Backend};

/// A barber shop open every day 08:00-20:00 UTC: one barber, cuts with a
/// clean-up buffer, and a workshop with three seats.
const SHOP: &str = r#"
name: Corner Barbers
timezone: UTC
hours:
  monday: ["08:00-20:00"]
  tuesday: ["08:00-20:00"]
  wednesday: ["08:00-20:00"]
  thursday: ["08:00-20:00"]
  friday: ["08:00-20:00"]
  saturday: ["08:00-20:00"]
  sunday: ["08:00-20:00"]
policies:
  min_notice_minutes: 30
  max_days_ahead: 30
  slot_interval_minutes: 15
  cancellation_cutoff_hours: 2
  hold_minutes: 5
services:
  - { id: cut, name: Cut, duration_minutes: 30, buffer_after_minutes: 15 }
  - { id: workshop, name: Beard workshop, duration_minutes: 60, capacity: 3 }
staff:
  - { id: joe, name: Joe }
"#;

fn new_engine(backend: &Backend, tenant: &TenantId) -> BookingEngine {
    let spec: BusinessSpec = serde_yaml::from_str(SHOP).unwrap();
    let repository = StoreBookingRepository::new(backend.store.clone(), tenant.clone());
    BookingEngine::new(Catalog::from_spec(&spec).unwrap(), Arc::new(repository))
}

fn customer(i: usize) -> Customer {
    Customer { name: format!("Customer {i}"), phone: Some(format!("+1555100{i:04}")), email: None }
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_booking_engine_keeps_its_rules_on_the_store() {
    run_story("booking engine on the store", booking_engine_story).await;
}

async fn booking_engine_story(backend: Backend) {
    let tenant = backend.store.create_tenant("Corner Barbers").await.unwrap().id;
    // Several engines (as on several servers) over the same database.
    let engines: Vec<Arc<BookingEngine>> = (0..3).map(|_| Arc::new(new_engine(&backend, &tenant))).collect();
    let now = at("2030-06-03T07:00:00Z");
    let noon = BookingRequest { service: "cut".into(), start: at("2030-06-03T12:00:00Z"), staff: None };

    // 30 customers ask for 12:00 at once: one gets it.
    let attempts = (0..30).map(|i| {
        let engine = engines[i % engines.len()].clone();
        let request = noon.clone();
        tokio::spawn(async move { engine.book(&request, &customer(i), &format!("key-{i}"), now).await })
    });
    let mut booked = Vec::new();
    for result in futures::future::join_all(attempts).await {
        match result.unwrap() {
            Ok(booking) => booked.push(booking),
            Err(BookingError::NotAvailable(Unavailable::Taken)) => {}
            Err(other) => panic!("unexpected: {other:?}"),
        }
    }
    assert_eq!(booked.len(), 1, "exactly one booking for the slot");
    let first = booked.pop().unwrap();
    assert_eq!((first.staff.as_str(), first.status), ("joe", BookingStatus::Confirmed));

    // The buffer after the cut keeps 12:30 taken; 12:45 is free.
    let engine = &engines[0];
    let at_1230 = BookingRequest { start: at("2030-06-03T12:30:00Z"), ..noon.clone() };
    assert_eq!(
        engine.book(&at_1230, &customer(100), "k-1230", now).await,
        Err(BookingError::NotAvailable(Unavailable::Taken))
    );
    let at_1245 = BookingRequest { start: at("2030-06-03T12:45:00Z"), ..noon.clone() };
    let second = engine.book(&at_1245, &customer(101), "k-1245", now).await.unwrap();
    // The same request key books once, whichever engine sees it again.
    assert_eq!(engines[1].book(&at_1245, &customer(101), "k-1245", now).await.unwrap(), second);

    // Holds lapse: a hold blocks the slot until it expires, then it is free.
    let at_15 = BookingRequest { start: at("2030-06-03T15:00:00Z"), ..noon.clone() };
    let held = engine.hold(&at_15, &customer(102), "k-hold", now).await.unwrap();
    assert_eq!(held.status, BookingStatus::Held);
    assert_eq!(
        engines[2].book(&at_15, &customer(103), "k-15a", now + Duration::minutes(1)).await,
        Err(BookingError::NotAvailable(Unavailable::Taken))
    );
    let later = now + Duration::minutes(6);
    assert!(matches!(engine.confirm(&held.id, later).await, Err(BookingError::NotAllowed(_))));
    let taken_over = engines[2].book(&at_15, &customer(103), "k-15b", later).await.unwrap();
    assert_eq!(taken_over.start, at_15.start);

    // Seats: the workshop takes three people at 17:00, not four.
    let workshop =
        BookingRequest { service: "workshop".into(), start: at("2030-06-03T17:00:00Z"), staff: None };
    for i in 0..3 {
        engine.book(&workshop, &customer(200 + i), &format!("w-{i}"), now).await.unwrap();
    }
    assert_eq!(
        engine.book(&workshop, &customer(203), "w-3", now).await,
        Err(BookingError::NotAvailable(Unavailable::Taken))
    );

    // Reschedule and cancel go through the store too.
    let moved = engine.reschedule(&second.id, at("2030-06-03T14:00:00Z"), "k-move", now).await.unwrap();
    assert_eq!(engine.get(&second.id).await.unwrap().status, BookingStatus::Rescheduled);
    assert_eq!(engines[1].get(&moved.id).await.unwrap().start, at("2030-06-03T14:00:00Z"));
    let cancelled = engine.cancel(&first.id, now).await.unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    let freed = engines[1].book(&noon, &customer(300), "k-noon-again", now).await.unwrap();
    assert_eq!(freed.start, noon.start);
    let upcoming = engine.upcoming_for_phone(&customer(101).phone.unwrap(), now).await.unwrap();
    assert_eq!(upcoming.iter().map(|b| b.id.clone()).collect::<Vec<_>>(), vec![moved.id.clone()]);

    // Another tenant's engine sees none of it.
    let other = backend.store.create_tenant("Elsewhere").await.unwrap().id;
    let stranger = new_engine(&backend, &other);
    assert!(matches!(stranger.get(&moved.id).await, Err(BookingError::NotFound(_))));
    stranger.book(&noon, &customer(400), "k-other", now).await.unwrap();
}
