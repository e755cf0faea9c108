//! The date/time parser (`nlu::datetime::parse_with_offset`) on arbitrary
//! text, with the options and the reference time taken from the input's
//! first bytes: no panic, and every match is a span of the text (in order
//! of bytes, on character boundaries).
#![no_main]

use chrono::{Duration, FixedOffset, NaiveDate, NaiveTime};
use concierge_core::nlu::datetime::{parse_with_offset, DateTimeOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Byte 0: flags; bytes 1-2: the reference, in hours after 2026-01-01;
    // the rest: the text.
    let [flags, h1, h2, rest @ ..] = data else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let options = DateTimeOptions {
        prefer_future: flags & 1 != 0,
        day_first: flags & 2 != 0,
        half_before_hour: flags & 16 != 0,
        business_hours: (flags & 4 != 0)
            .then(|| (NaiveTime::from_hms_opt(9, 0, 0).unwrap(), NaiveTime::from_hms_opt(19, 0, 0).unwrap())),
    };
    let offset = (flags & 8 != 0).then(|| FixedOffset::west_opt(5 * 3600).unwrap());
    let hours = i64::from(u16::from_le_bytes([*h1, *h2]));
    let reference =
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().and_hms_opt(0, 0, 0).unwrap() + Duration::hours(hours);
    for m in parse_with_offset(text, reference, offset, &options) {
        assert!(m.start <= m.end && m.end <= text.len(), "span {}..{} of {}", m.start, m.end, text.len());
        assert!(text.get(m.start..m.end).is_some(), "span {}..{} not on char boundaries", m.start, m.end);
    }
});
