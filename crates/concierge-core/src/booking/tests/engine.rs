use std::sync::Arc;

use chrono::Duration;
use futures::executor::block_on;

use super::{at, salon};
use crate::booking::{
    Availability, Booker, BookingEngine, BookingError, BookingRepository, BookingRequest, BookingStatus,
    Customer, InMemoryBookingRepository, StaffPreference, Unavailable,
};

fn engine() -> (BookingEngine, Arc<InMemoryBookingRepository>) {
    let repo = Arc::new(InMemoryBookingRepository::new());
    (BookingEngine::new(salon(), repo.clone()), repo)
}

fn customer(name: &str) -> Customer {
    Customer { name: name.into(), phone: Some(format!("+1555000{}", name.len())), email: None }
}

fn request(service: &str, start: &str, staff: Option<&str>) -> BookingRequest {
    BookingRequest { service: service.into(), start: at(start), staff: staff.map(String::from) }
}

#[test]
fn a_booked_time_is_not_offered_again_and_check_gives_alternatives() {
    let (engine, _) = engine();
    let now = at("2026-03-02T09:00:00-05:00");
    let req = request("womens_haircut", "2026-03-10T10:00:00-04:00", Some("maria"));
    assert!(matches!(block_on(engine.check(&req, now)).unwrap(), Availability::Available(_)));
    let booking = block_on(engine.book(&req, &customer("Ann"), "k1", now)).unwrap();
    assert_eq!(booking.status, BookingStatus::Confirmed);
    assert_eq!(booking.staff, "maria");
    assert_eq!(booking.end - booking.start, Duration::hours(1));
    let Availability::Unavailable { reason, alternatives } = block_on(engine.check(&req, now)).unwrap()
    else {
        panic!("the booked time is still offered")
    };
    assert_eq!(reason, Unavailable::Taken);
    assert_eq!(alternatives.len(), 3);
    assert!(alternatives.iter().all(|s| s.staff == "maria" && s.start != req.start));
    assert_eq!(
        block_on(engine.book(&req, &customer("Bob"), "k2", now)),
        Err(BookingError::NotAvailable(Unavailable::Taken))
    );
    // Without a staff preference the other stylist takes it.
    let any = request("womens_haircut", "2026-03-10T10:00:00-04:00", None);
    let second = block_on(engine.book(&any, &customer("Bob"), "k2", now)).unwrap();
    assert_eq!(second.staff, "ana");
}

#[test]
fn the_same_request_key_books_once() {
    let (engine, repo) = engine();
    let now = at("2026-03-02T09:00:00-05:00");
    let req = request("mens haircut", "2026-03-11T15:00:00-04:00", None);
    let a = block_on(engine.book(&req, &customer("Ann"), "same", now)).unwrap();
    let b = block_on(engine.book(&req, &customer("Ann"), "same", now + Duration::minutes(1))).unwrap();
    assert_eq!(a, b);
    assert_eq!(repo.all().len(), 1);
    assert_eq!(block_on(engine.find_by_reference(&a.reference.to_lowercase())).unwrap(), a);
}

#[test]
fn holds_block_until_they_expire_and_cannot_be_confirmed_after() {
    let (engine, _) = engine();
    let now = at("2026-03-02T09:00:00-05:00");
    let req = request("colour", "2026-03-12T13:00:00-04:00", None);
    let held = block_on(engine.hold(&req, &customer("Ann"), "h1", now)).unwrap();
    assert_eq!(held.status, BookingStatus::Held);
    assert_eq!(
        block_on(engine.book(&req, &customer("Bob"), "b1", now + Duration::minutes(9))),
        Err(BookingError::NotAvailable(Unavailable::Taken))
    );
    let later = now + Duration::minutes(10);
    assert!(matches!(block_on(engine.confirm(&held.id, later)), Err(BookingError::NotAllowed(_))));
    let bob = block_on(engine.book(&req, &customer("Bob"), "b1", later)).unwrap();
    assert_eq!(bob.status, BookingStatus::Confirmed);
    // A hold confirmed in time becomes a booking.
    let req2 = request("colour", "2026-03-13T13:00:00-04:00", None);
    let held = block_on(engine.hold(&req2, &customer("Cy"), "h2", now)).unwrap();
    let confirmed = block_on(engine.confirm(&held.id, now + Duration::minutes(5))).unwrap();
    assert_eq!(confirmed.status, BookingStatus::Confirmed);
    assert_eq!(confirmed.id, held.id);
}

#[test]
fn cancelling_respects_the_cut_off_and_frees_the_time() {
    let (engine, _) = engine();
    let now = at("2026-03-02T09:00:00-05:00");
    let req = request("womens_haircut", "2026-03-10T10:00:00-04:00", Some("maria"));
    let booking = block_on(engine.book(&req, &customer("Ann"), "k", now)).unwrap();
    // The cut-off is 24 hours before the start.
    let too_late = at("2026-03-09T10:30:00-04:00");
    assert!(matches!(block_on(engine.cancel(&booking.id, too_late)), Err(BookingError::NotAllowed(_))));
    let cancelled = block_on(engine.cancel(&booking.id, at("2026-03-09T09:30:00-04:00"))).unwrap();
    assert_eq!(cancelled.status, BookingStatus::Cancelled);
    assert!(matches!(block_on(engine.check(&req, now)).unwrap(), Availability::Available(_)));
    assert_eq!(block_on(engine.cancel("bk_nope", now)), Err(BookingError::NotFound("bk_nope".into())));
}

#[test]
fn rescheduling_links_the_old_and_new_bookings() {
    let (engine, _) = engine();
    let now = at("2026-03-02T09:00:00-05:00");
    let req = request("womens_haircut", "2026-03-10T10:00:00-04:00", Some("maria"));
    let old = block_on(engine.book(&req, &customer("Ann"), "k", now)).unwrap();
    // Moving half an hour later overlaps the old time, which is being freed.
    let new_start = at("2026-03-10T10:30:00-04:00");
    let new = block_on(engine.reschedule(&old.id, new_start, "move-1", now)).unwrap();
    assert_eq!((new.start, new.staff.as_str()), (new_start, "maria"));
    assert_eq!(new.status, BookingStatus::Confirmed);
    let old_record = block_on(engine.record(&old.id)).unwrap();
    assert_eq!(old_record.booking.status, BookingStatus::Rescheduled);
    assert_eq!(old_record.rescheduled_to.as_deref(), Some(new.id.as_str()));
    assert_eq!(block_on(engine.record(&new.id)).unwrap().rescheduled_from.as_deref(), Some(old.id.as_str()));
    // Retrying the same move returns the same booking; moving the old one again is refused.
    assert_eq!(block_on(engine.reschedule(&old.id, new_start, "move-1", now)).unwrap(), new);
    assert!(matches!(
        block_on(engine.reschedule(&old.id, new_start, "move-2", now)),
        Err(BookingError::NotAllowed(_))
    ));
    let upcoming = block_on(engine.upcoming_for_phone("+15550003", now)).unwrap();
    assert_eq!(upcoming, std::slice::from_ref(&new));
    // A no-show can only be recorded once the booking has started.
    assert!(matches!(block_on(engine.mark_no_show(&new.id, now)), Err(BookingError::NotAllowed(_))));
    let missed = block_on(engine.mark_no_show(&new.id, new_start + Duration::minutes(20))).unwrap();
    assert_eq!(missed.status, BookingStatus::NoShow);
    assert!(matches!(
        block_on(engine.mark_no_show(&old.id, new_start + Duration::minutes(20))),
        Err(BookingError::NotAllowed(_))
    ));
}

#[test]
fn rescheduling_keeps_the_stylist_when_free_and_falls_back_to_anyone() {
    let (engine, _) = engine();
    let now = at("2026-03-02T09:00:00-05:00");
    let book = |start: &str, staff: &str, key: &str| {
        let req = request("womens_haircut", start, Some(staff));
        block_on(engine.book(&req, &customer("Ann"), key, now)).unwrap()
    };
    let mine = book("2026-03-10T10:00:00-04:00", "ana", "mine");
    book("2026-03-11T14:00:00-04:00", "ana", "other");
    let kept = block_on(engine.reschedule(&mine.id, at("2026-03-11T09:00:00-04:00"), "m1", now)).unwrap();
    assert_eq!(kept.staff, "ana");
    let moved = block_on(engine.reschedule(&kept.id, at("2026-03-11T14:00:00-04:00"), "m2", now)).unwrap();
    assert_eq!(moved.staff, "maria");
    // A closed day is refused with the reason.
    assert_eq!(
        block_on(engine.reschedule(&moved.id, at("2026-03-09T14:00:00-04:00"), "m3", now)),
        Err(BookingError::NotAvailable(Unavailable::Closed))
    );
}

#[test]
fn concurrent_bookings_of_one_slot_produce_exactly_one_booking() {
    let (engine, repo) = engine();
    let engine = Arc::new(engine);
    let now = at("2026-03-02T09:00:00-05:00");
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                let req = request("colour", "2026-03-10T13:00:00-04:00", Some("ana"));
                block_on(engine.book(&req, &customer("Racer"), &format!("race-{i}"), now))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| *e == BookingError::NotAvailable(Unavailable::Taken)));
    let active =
        block_on(repo.active_between(at("2026-03-10T00:00:00Z"), at("2026-03-11T00:00:00Z"), now)).unwrap();
    assert_eq!(active.len(), 1);
}

#[test]
fn round_robin_assignment_spreads_bookings() {
    let (engine, _) = engine();
    let engine = engine.with_assignment(StaffPreference::RoundRobin);
    let now = at("2026-03-02T09:00:00-05:00");
    let staff: Vec<String> = ["09:00", "10:00", "11:00", "12:00"]
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let req = request("mens_haircut", &format!("2026-03-10T{t}:00-04:00"), None);
            block_on(engine.book(&req, &customer("C"), &format!("rr{i}"), now)).unwrap().staff
        })
        .collect();
    assert_eq!(staff, ["maria", "ana", "maria", "ana"]);
}
