//! Property tests: invariants that hold for any sequence of operations and
//! any busy times, not just the examples above.

use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveTime, Utc, Weekday};
use futures::executor::block_on;
use proptest::prelude::*;

use super::{at, salon};
use crate::booking::{
    check_start, find_slots, Booker, BookingEngine, BookingRecord, BookingRequest, BusyTime, Customer,
    InMemoryBookingRepository, SlotQuery, StaffPreference,
};

const SERVICES: [&str; 5] = ["womens_haircut", "mens_haircut", "colour", "blow_dry", "colour_class"];
const STAFF: [&str; 2] = ["maria", "ana"];

/// Sunday 8 March 2026 (the day of the DST change) plus `day` days, at
/// 08:00 local plus `quarter` quarter hours.
fn local_time(day: u8, quarter: u8) -> DateTime<Utc> {
    let catalog = salon();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 8).unwrap() + Duration::days(day.into());
    let time = NaiveTime::from_hms_opt(8, 0, 0).unwrap() + Duration::minutes(15 * i64::from(quarter));
    catalog.local_to_utc(date.and_time(time)).unwrap()
}

#[derive(Debug, Clone)]
enum Op {
    Hold { service: usize, day: u8, quarter: u8, staff: Option<usize>, key: u8 },
    Book { service: usize, day: u8, quarter: u8, staff: Option<usize>, key: u8 },
    Confirm(usize),
    Cancel(usize),
    Reschedule { target: usize, day: u8, quarter: u8, key: u8 },
    Advance(u16),
}

fn op() -> impl Strategy<Value = Op> {
    let placement = (0..SERVICES.len(), 0u8..7, 0u8..48, proptest::option::of(0..STAFF.len()), 0u8..12);
    prop_oneof![
        placement.clone().prop_map(|(service, day, quarter, staff, key)| Op::Hold {
            service,
            day,
            quarter,
            staff,
            key
        }),
        placement.prop_map(|(service, day, quarter, staff, key)| Op::Book {
            service,
            day,
            quarter,
            staff,
            key
        }),
        any::<usize>().prop_map(Op::Confirm),
        any::<usize>().prop_map(Op::Cancel),
        (any::<usize>(), 0u8..7, 0u8..48, 0u8..12)
            .prop_map(|(target, day, quarter, key)| { Op::Reschedule { target, day, quarter, key } }),
        (0u16..2000).prop_map(Op::Advance),
    ]
}

/// No two records active at `now` of one staff member overlap, buffers
/// included, except seats of one sitting within its capacity.
fn assert_no_double_booking(records: &[BookingRecord], now: DateTime<Utc>) -> Result<(), TestCaseError> {
    let active: Vec<&BookingRecord> = records.iter().filter(|r| r.is_active(now)).collect();
    for (i, a) in active.iter().enumerate() {
        let mut seats = 1;
        for b in &active[i + 1..] {
            prop_assert!(!a.overlaps(b), "double booking:\n{a:?}\n{b:?}");
            if a.shares_seats_with(b) {
                seats += 1;
            }
        }
        prop_assert!(seats <= a.capacity, "{seats} seats of {}", a.capacity);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn no_sequence_of_operations_double_books(ops in proptest::collection::vec(op(), 1..40)) {
        let repo = Arc::new(InMemoryBookingRepository::new());
        let engine = BookingEngine::new(salon(), repo.clone());
        let mut now = at("2026-03-02T09:00:00-05:00");
        let mut ids: Vec<String> = Vec::new();
        let customer = Customer { name: "P".into(), phone: Some("+15550100".into()), email: None };
        for op in ops {
            match op {
                Op::Hold { service, day, quarter, staff, key }
                | Op::Book { service, day, quarter, staff, key } => {
                    let request = BookingRequest {
                        service: SERVICES[service].into(),
                        start: local_time(day, quarter),
                        staff: staff.map(|s| STAFF[s].to_string()),
                    };
                    let key = format!("k{key}");
                    let result = if matches!(op, Op::Hold { .. }) {
                        block_on(engine.hold(&request, &customer, &key, now))
                    } else {
                        block_on(engine.book(&request, &customer, &key, now))
                    };
                    if let Ok(b) = result {
                        ids.push(b.id);
                    }
                }
                Op::Confirm(i) if !ids.is_empty() => {
                    let _ = block_on(engine.confirm(&ids[i % ids.len()], now));
                }
                Op::Cancel(i) if !ids.is_empty() => {
                    let _ = block_on(engine.cancel(&ids[i % ids.len()], now));
                }
                Op::Reschedule { target, day, quarter, key } if !ids.is_empty() => {
                    let id = ids[target % ids.len()].clone();
                    if let Ok(b) = block_on(engine.reschedule(&id, local_time(day, quarter), &format!("m{key}"), now)) {
                        ids.push(b.id);
                    }
                }
                Op::Advance(minutes) => now += Duration::minutes(minutes.into()),
                _ => {}
            }
            assert_no_double_booking(&repo.all(), now)?;
        }
    }

    #[test]
    fn offered_slots_are_inside_hours_outside_busy_and_deterministic(
        busy_spec in proptest::collection::vec(
            (any::<bool>(), proptest::option::of(0..STAFF.len()), 0..SERVICES.len(), 0u8..7, 0u8..48, 1u8..12),
            0..10,
        ),
        service in 0..SERVICES.len(),
        preference in 0usize..4,
        now_offset in 0i64..(12 * 24 * 60),
        from_day in 0u8..5,
        days in 1u8..5,
    ) {
        let catalog = salon();
        let tz = catalog.timezone();
        let now = at("2026-03-02T09:00:00-05:00") + Duration::minutes(now_offset);
        let busy: Vec<BusyTime> = busy_spec
            .iter()
            .map(|&(booked, staff, svc, day, quarter, quarters)| {
                let start = local_time(day, quarter);
                if booked {
                    let service = catalog.service(SERVICES[svc]).unwrap();
                    BusyTime::Booked {
                        staff: STAFF[staff.unwrap_or(0)].into(),
                        service: service.id.clone(),
                        start,
                        end: start + service.duration,
                    }
                } else {
                    BusyTime::Blocked {
                        staff: staff.map(|s| STAFF[s].to_string()),
                        start,
                        end: start + Duration::minutes(15 * i64::from(quarters)),
                    }
                }
            })
            .collect();
        let staff = match preference {
            0 => StaffPreference::Any,
            1 => StaffPreference::RoundRobin,
            _ => StaffPreference::Specific(STAFF[preference - 2].into()),
        };
        let svc = catalog.service(SERVICES[service]).unwrap();
        if let StaffPreference::Specific(id) = &staff {
            prop_assume!(svc.staff.contains(id));
        }
        let query = SlotQuery {
            service: SERVICES[service].into(),
            from: local_time(from_day, 0),
            to: local_time(from_day + days, 0),
            staff,
        };
        let slots = find_slots(&catalog, &query, &busy, now).unwrap();
        for slot in &slots {
            let start = slot.start.with_timezone(&tz);
            let end = slot.end.with_timezone(&tz);
            prop_assert!(!matches!(start.weekday(), Weekday::Sun | Weekday::Mon), "{start}");
            prop_assert_eq!(start.date_naive(), end.date_naive());
            prop_assert!(start.time() >= NaiveTime::from_hms_opt(9, 0, 0).unwrap(), "{start}");
            prop_assert!(end.time() <= NaiveTime::from_hms_opt(19, 0, 0).unwrap(), "{end}");
            prop_assert!(slot.start >= now + Duration::minutes(60));
            prop_assert!(slot.start >= query.from && slot.start < query.to);
            prop_assert!(svc.staff.contains(&slot.staff));
            let (span_start, span_end) = (slot.start - svc.buffer_before, slot.end + svc.buffer_after);
            let mut seats = 0;
            for b in &busy {
                match b {
                    BusyTime::Blocked { staff, start, end } => {
                        if staff.as_ref().is_none_or(|s| *s == slot.staff) {
                            prop_assert!(*end <= span_start || span_end <= *start, "{slot:?} meets {b:?}");
                        }
                    }
                    BusyTime::Booked { staff, service, start, end } if *staff == slot.staff => {
                        if *service == svc.id && *start == slot.start && *end == slot.end {
                            seats += 1;
                            continue;
                        }
                        let other = catalog.service(service).unwrap();
                        let (b_start, b_end) = (*start - other.buffer_before, *end + other.buffer_after);
                        prop_assert!(b_end <= span_start || span_end <= b_start, "{slot:?} meets {b:?}");
                    }
                    BusyTime::Booked { .. } => {}
                }
            }
            prop_assert!(seats < svc.capacity);
            // The single-time check agrees with the slot list.
            let alone = check_start(&catalog, &svc.id, slot.start, &StaffPreference::Specific(slot.staff.clone()), &busy, now).unwrap();
            prop_assert_eq!(alone, Ok(slot.clone()));
        }
        // Same inputs, same answer; the order of busy times does not matter.
        prop_assert_eq!(&find_slots(&catalog, &query, &busy, now).unwrap(), &slots);
        let reversed: Vec<BusyTime> = busy.iter().rev().cloned().collect();
        prop_assert_eq!(&find_slots(&catalog, &query, &reversed, now).unwrap(), &slots);
    }
}
