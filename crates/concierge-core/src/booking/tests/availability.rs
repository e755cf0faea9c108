use chrono::{Duration, NaiveDate};
use chrono_tz::Tz;

use super::{at, salon, spec};
use crate::booking::{
    check_start, find_slots, nearest_alternatives, BookingError, BusyTime, Catalog, Slot, SlotQuery,
    StaffPreference, Unavailable,
};

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn query(catalog: &Catalog, service: &str, from: NaiveDate, to: NaiveDate) -> SlotQuery {
    let (from, to) = catalog.local_days(from, to).unwrap();
    SlotQuery { service: service.into(), from, to, staff: StaffPreference::Any }
}

/// Slots as "local start-end staff" lines in `tz`.
fn render(slots: &[Slot], tz: Tz) -> Vec<String> {
    slots
        .iter()
        .map(|s| {
            format!(
                "{} {} {}",
                s.start.with_timezone(&tz).format("%a %d %H:%M%:z"),
                s.end.with_timezone(&tz).format("%H:%M"),
                s.staff
            )
        })
        .collect()
}

#[test]
fn salon_slots_keep_local_hours_across_the_spring_dst_change() {
    let c = salon();
    let q = query(&c, "women's haircut", date(2026, 3, 6), date(2026, 3, 11));
    let slots = find_slots(&c, &q, &[], at("2026-03-02T09:00:00-05:00")).unwrap();
    let lines = render(&slots, c.timezone());
    let days: Vec<&str> = {
        let mut d: Vec<&str> = lines.iter().map(|l| &l[..6]).collect();
        d.dedup();
        d
    };
    assert_eq!(days, ["Fri 06", "Sat 07", "Tue 10", "Wed 11"]);
    for day in days {
        let of_day: Vec<&String> = lines.iter().filter(|l| l.starts_with(day)).collect();
        let offset = if day == "Fri 06" || day == "Sat 07" { "-05:00" } else { "-04:00" };
        assert_eq!(*of_day[0], format!("{day} 09:00{offset} 10:00 maria"));
        assert_eq!(**of_day.last().unwrap(), format!("{day} 18:00{offset} 19:00 maria"));
        // 09:00 to 18:00 every 30 minutes.
        assert_eq!(of_day.len(), 19, "{of_day:?}");
    }
}

#[test]
fn hours_that_cross_a_dst_change_are_measured_on_the_wall_clock() {
    let c = Catalog::from_spec(&spec(
        r#"
name: Night desk
timezone: America/New_York
hours: { sunday: ["01:00-04:00"] }
policies: { slot_interval_minutes: 60, min_notice_minutes: 0, max_days_ahead: 365 }
services: [{ id: check, name: Check, duration_minutes: 60 }]
staff: [{ id: sam, name: Sam }]
"#,
    ))
    .unwrap();
    let now = at("2026-01-01T00:00:00Z");
    // Spring forward: 01:00 EST to 04:00 EDT is two hours; 02:xx never happens.
    let spring = find_slots(&c, &query(&c, "check", date(2026, 3, 8), date(2026, 3, 8)), &[], now).unwrap();
    assert_eq!(
        render(&spring, c.timezone()),
        ["Sun 08 01:00-05:00 03:00 sam", "Sun 08 03:00-04:00 04:00 sam"]
    );
    // Fall back: 01:00 EDT to 04:00 EST is four hours; 01:00 happens twice.
    let fall = find_slots(&c, &query(&c, "check", date(2026, 11, 1), date(2026, 11, 1)), &[], now).unwrap();
    assert_eq!(
        render(&fall, c.timezone()),
        [
            "Sun 01 01:00-04:00 01:00 sam",
            "Sun 01 01:00-05:00 02:00 sam",
            "Sun 01 02:00-05:00 03:00 sam",
            "Sun 01 03:00-05:00 04:00 sam"
        ]
    );
}

#[test]
fn quarter_and_half_hour_offset_zones_give_the_right_instants() {
    let c = Catalog::from_spec(&spec(
        r#"
name: Kathmandu clinic
timezone: Asia/Kathmandu
hours: { monday: ["10:00-12:00"] }
closures: ["2026-06-08"]
policies: { slot_interval_minutes: 60, min_notice_minutes: 0 }
services: [{ id: visit, name: Visit, duration_minutes: 60 }]
staff:
  - { id: hari, name: Hari }
  - { id: priya, name: Priya, timezone: Asia/Kolkata, hours: { monday: ["09:00-10:00"] } }
"#,
    ))
    .unwrap();
    let now = at("2026-06-01T00:00:00Z");
    let mut q = query(&c, "visit", date(2026, 6, 1), date(2026, 6, 1));
    let slots = find_slots(&c, &q, &[], now).unwrap();
    let utc: Vec<String> = slots.iter().map(|s| format!("{} {}", s.start.to_rfc3339(), s.staff)).collect();
    // Priya's 09:00 IST is 03:30Z; Hari's 10:00 and 11:00 NPT are 04:15Z and 05:15Z.
    assert_eq!(
        utc,
        [
            "2026-06-01T03:30:00+00:00 priya",
            "2026-06-01T04:15:00+00:00 hari",
            "2026-06-01T05:15:00+00:00 hari"
        ]
    );
    q.staff = StaffPreference::Specific("priya".into());
    let priya = find_slots(&c, &q, &[], now).unwrap();
    assert_eq!(render(&priya, c.timezone()), ["Mon 01 09:15+05:45 10:15 priya"]);
    // The business's closed day closes it for staff in other zones too.
    let closed = query(&c, "visit", date(2026, 6, 8), date(2026, 6, 8));
    assert_eq!(find_slots(&c, &closed, &[], now).unwrap(), []);
}

#[test]
fn busy_time_with_buffers_removes_overlapping_slots() {
    let c = salon();
    let now = at("2026-03-02T09:00:00-05:00");
    let mut q = query(&c, "blow-dry", date(2026, 3, 10), date(2026, 3, 10));
    q.staff = StaffPreference::Specific("maria".into());
    let busy = [
        // A men's haircut 12:00-12:30 (no buffers of its own).
        BusyTime::Booked {
            staff: "maria".into(),
            service: "mens_haircut".into(),
            start: at("2026-03-10T12:00:00-04:00"),
            end: at("2026-03-10T12:30:00-04:00"),
        },
        // A blow-dry 15:00-15:45 keeps 14:50-16:00.
        BusyTime::Booked {
            staff: "maria".into(),
            service: "blow_dry".into(),
            start: at("2026-03-10T15:00:00-04:00"),
            end: at("2026-03-10T15:45:00-04:00"),
        },
        // Ana's calendar does not concern Maria.
        BusyTime::Blocked {
            staff: Some("ana".into()),
            start: at("2026-03-10T09:00:00-04:00"),
            end: at("2026-03-10T19:00:00-04:00"),
        },
    ];
    let starts: Vec<String> = find_slots(&c, &q, &busy, now)
        .unwrap()
        .iter()
        .map(|s| s.start.with_timezone(&c.timezone()).format("%H:%M").to_string())
        .collect();
    // A new blow-dry needs 10 minutes free before and 15 after:
    // 11:00 ends 11:45+15 = 12:00, fine; 11:30 would run into 12:00.
    // 12:30 starts right after (needs 12:20 free): no; 13:00 yes.
    // Before 15:00's blocked 14:50: 13:30 ends 14:15+15=14:30 fine; 14:00 ends 15:00 no.
    // After 16:00: 16:30 needs 16:20 free, yes; 16:00 would need 15:50, no.
    assert_eq!(
        starts,
        ["09:00", "09:30", "10:00", "10:30", "11:00", "13:00", "13:30", "16:30", "17:00", "17:30", "18:00"]
    );
    // The business-wide block removes everyone's slots.
    let everyone = [BusyTime::Blocked {
        staff: None,
        start: at("2026-03-10T09:00:00-04:00"),
        end: at("2026-03-10T17:45:00-04:00"),
    }];
    q.staff = StaffPreference::Any;
    let left = find_slots(&c, &q, &everyone, now).unwrap();
    assert_eq!(render(&left, c.timezone()), ["Tue 10 18:00-04:00 18:45 maria"]);
}

#[test]
fn closures_time_off_and_date_overrides_apply() {
    let mut s = spec(super::SALON);
    s.closures = vec![date(2026, 3, 6)];
    s.staff[0].time_off = vec![date(2026, 3, 7)];
    s.date_overrides = vec![crate::spec::DateOverride {
        date: date(2026, 3, 10),
        hours: vec!["10:00-12:00".to_string().try_into().unwrap()],
    }];
    let c = Catalog::from_spec(&s).unwrap();
    let q = query(&c, "womens_haircut", date(2026, 3, 6), date(2026, 3, 10));
    let lines = render(&find_slots(&c, &q, &[], at("2026-03-02T09:00:00-05:00")).unwrap(), c.timezone());
    assert!(!lines.iter().any(|l| l.starts_with("Fri 06")), "{lines:?}");
    assert_eq!(lines.iter().filter(|l| l.starts_with("Sat 07")).count(), 19);
    assert!(lines.iter().filter(|l| l.starts_with("Sat 07")).all(|l| l.ends_with("ana")));
    let tuesday: Vec<&String> = lines.iter().filter(|l| l.starts_with("Tue 10")).collect();
    assert_eq!(
        tuesday,
        [
            "Tue 10 10:00-04:00 11:00 maria",
            "Tue 10 10:30-04:00 11:30 maria",
            "Tue 10 11:00-04:00 12:00 maria"
        ]
    );
}

#[test]
fn minimum_notice_and_horizon_bound_the_slots() {
    let c = salon();
    // Tuesday 10 March at 10:10: the first start 60 minutes on is 11:30.
    let now = at("2026-03-10T10:10:00-04:00");
    let q = query(&c, "mens_haircut", date(2026, 3, 10), date(2026, 3, 10));
    let slots = find_slots(&c, &q, &[], now).unwrap();
    assert_eq!(render(&slots[..1], c.timezone()), ["Tue 10 11:30-04:00 12:00 maria"]);
    // 60 days ahead is 9 May at 10:10; nothing after it.
    let far = query(&c, "mens_haircut", date(2026, 5, 8), date(2026, 5, 12));
    let slots = find_slots(&c, &far, &[], now).unwrap();
    let last = slots.last().unwrap().start;
    assert_eq!(last, at("2026-05-09T10:00:00-04:00"));
}

#[test]
fn seats_are_shared_until_the_capacity_is_reached() {
    let c = salon();
    let now = at("2026-03-02T09:00:00-05:00");
    let class = |n: usize| -> Vec<BusyTime> {
        (0..n)
            .map(|_| BusyTime::Booked {
                staff: "ana".into(),
                service: "colour_class".into(),
                start: at("2026-03-10T10:00:00-04:00"),
                end: at("2026-03-10T11:00:00-04:00"),
            })
            .collect()
    };
    let offered = |busy: &[BusyTime]| {
        check_start(&c, "colour_class", at("2026-03-10T10:00:00-04:00"), &StaffPreference::Any, busy, now)
            .unwrap()
    };
    assert!(offered(&class(1)).is_ok());
    assert_eq!(offered(&class(2)), Err(Unavailable::Taken));
    // A seat-holder still blocks other times that overlap it.
    assert_eq!(
        check_start(
            &c,
            "colour_class",
            at("2026-03-10T10:30:00-04:00"),
            &StaffPreference::Any,
            &class(1),
            now
        )
        .unwrap(),
        Err(Unavailable::Taken)
    );
}

#[test]
fn round_robin_prefers_the_least_booked_and_any_the_first_listed() {
    let c = salon();
    let now = at("2026-03-02T09:00:00-05:00");
    let busy: Vec<BusyTime> = ["2026-03-11T09:00:00-04:00", "2026-03-11T10:00:00-04:00"]
        .iter()
        .map(|t| BusyTime::Booked {
            staff: "maria".into(),
            service: "womens_haircut".into(),
            start: at(t),
            end: at(t) + Duration::hours(1),
        })
        .collect();
    let mut q = query(&c, "womens_haircut", date(2026, 3, 10), date(2026, 3, 10));
    let any = find_slots(&c, &q, &busy, now).unwrap();
    assert!(any.iter().all(|s| s.staff == "maria"));
    q.staff = StaffPreference::RoundRobin;
    let rr = find_slots(&c, &q, &busy, now).unwrap();
    assert!(rr.iter().all(|s| s.staff == "ana"));
    assert_eq!(rr.len(), any.len());
    // On the day Maria is busy, "any" falls to Ana for the taken hours only.
    let q = query(&c, "womens_haircut", date(2026, 3, 11), date(2026, 3, 11));
    let lines = render(&find_slots(&c, &q, &busy, now).unwrap(), c.timezone());
    assert_eq!(
        &lines[..5],
        [
            "Wed 11 09:00-04:00 10:00 ana",
            "Wed 11 09:30-04:00 10:30 ana",
            "Wed 11 10:00-04:00 11:00 ana",
            "Wed 11 10:30-04:00 11:30 ana",
            "Wed 11 11:00-04:00 12:00 maria"
        ]
    );
}

#[test]
fn alternatives_are_the_nearest_free_times() {
    let c = salon();
    let now = at("2026-03-02T09:00:00-05:00");
    let busy = [BusyTime::Booked {
        staff: "maria".into(),
        service: "womens_haircut".into(),
        start: at("2026-03-10T10:00:00-04:00"),
        end: at("2026-03-10T11:00:00-04:00"),
    }];
    let maria = StaffPreference::Specific("maria".into());
    let requested = at("2026-03-10T10:00:00-04:00");
    assert_eq!(
        check_start(&c, "womens_haircut", requested, &maria, &busy, now).unwrap(),
        Err(Unavailable::Taken)
    );
    let alternatives = nearest_alternatives(&c, "womens_haircut", requested, &maria, &busy, now, 3).unwrap();
    assert_eq!(
        render(&alternatives, c.timezone()),
        [
            "Tue 10 09:00-04:00 10:00 maria",
            "Tue 10 11:00-04:00 12:00 maria",
            "Tue 10 11:30-04:00 12:30 maria"
        ]
    );
    // Sunday is closed; the nearest are Saturday's last ones.
    let sunday = at("2026-03-08T12:00:00-04:00");
    assert_eq!(
        check_start(&c, "womens_haircut", sunday, &StaffPreference::Any, &[], now).unwrap(),
        Err(Unavailable::Closed)
    );
    let alternatives =
        nearest_alternatives(&c, "womens_haircut", sunday, &StaffPreference::Any, &[], now, 2).unwrap();
    assert_eq!(
        render(&alternatives, c.timezone()),
        ["Sat 07 18:00-05:00 19:00 maria", "Sat 07 17:30-05:00 18:30 maria"]
    );
    assert_eq!(
        check_start(&c, "womens_haircut", at("2026-03-02T09:30:00-05:00"), &StaffPreference::Any, &[], now)
            .unwrap(),
        Err(Unavailable::TooSoon)
    );
    assert_eq!(
        check_start(&c, "womens_haircut", at("2026-06-02T09:00:00-04:00"), &StaffPreference::Any, &[], now)
            .unwrap(),
        Err(Unavailable::TooFarAhead)
    );
}

#[test]
fn bad_requests_are_typed_errors() {
    let c = salon();
    let now = at("2026-03-02T09:00:00-05:00");
    let mut q = query(&c, "perm", date(2026, 3, 6), date(2026, 3, 7));
    assert_eq!(find_slots(&c, &q, &[], now), Err(BookingError::UnknownService("perm".into())));
    q.service = "womens_haircut".into();
    std::mem::swap(&mut q.from, &mut q.to);
    assert!(matches!(find_slots(&c, &q, &[], now), Err(BookingError::EndBeforeStart { .. })));
    let q = query(&c, "womens_haircut", date(2026, 3, 6), date(2027, 3, 7));
    assert!(matches!(
        find_slots(&c, &q, &[], now),
        Err(BookingError::RangeTooLong { days: 367, max_days: 366 })
    ));
    let q = SlotQuery {
        staff: StaffPreference::Specific("maria".into()),
        ..query(&c, "colour", date(2026, 3, 6), date(2026, 3, 7))
    };
    assert!(matches!(find_slots(&c, &q, &[], now), Err(BookingError::Invalid(_))));
    let q = SlotQuery {
        staff: StaffPreference::Specific("zoe".into()),
        ..query(&c, "womens_haircut", date(2026, 3, 6), date(2026, 3, 7))
    };
    assert_eq!(find_slots(&c, &q, &[], now), Err(BookingError::UnknownStaff("zoe".into())));
    let gap = date(2026, 3, 8).and_hms_opt(2, 15, 0).unwrap();
    assert!(matches!(c.local_to_utc(gap), Err(BookingError::NonexistentLocalTime { .. })));
}
