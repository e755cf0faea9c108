//! The CalDAV client's iCalendar reader (`calendar::ical::read_events`,
//! `read_free_busy`) on arbitrary text: no panic; an event it read, written
//! back with `write_event`, reads back as the same event.
#![no_main]

use concierge_http::calendar::ical::{read_events, read_free_busy, write_event};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = read_free_busy(text);
    let Ok(events) = read_events(text) else { return };
    for event in events {
        let written = write_event(&event, concierge_fuzz::now());
        let again = read_events(&written).expect("a written event reads back");
        assert_eq!(again, vec![event], "round trip through\n{written}");
    }
});
