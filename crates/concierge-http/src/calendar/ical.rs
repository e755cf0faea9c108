//! Just enough iCalendar (RFC 5545) for bookings: writing one event, and
//! reading events and free/busy periods back.
//!
//! Reading understands folded lines, UTC and `TZID=` (IANA) date-times,
//! all-day dates (read as UTC midnight), `DURATION` instead of `DTEND`,
//! `FREEBUSY` lines with several periods and `FBTYPE` (free periods are
//! skipped), and any number of `VFREEBUSY` components (some servers send
//! one per busy interval).

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use concierge_core::booking::calendar::BusyPeriod;
use concierge_core::booking::CalendarEvent;

/// Why iCalendar text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct IcalError {
    /// The (unfolded) line number, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A `VCALENDAR` holding `event`, with `stamp` as its `DTSTAMP`.
pub fn write_event(event: &CalendarEvent, stamp: DateTime<Utc>) -> String {
    let lines = [
        "BEGIN:VCALENDAR".to_string(),
        "VERSION:2.0".to_string(),
        "PRODID:-//Concierge//Booking//EN".to_string(),
        "BEGIN:VEVENT".to_string(),
        format!("UID:{}", escape_text(&event.uid)),
        format!("DTSTAMP:{}", utc_stamp(stamp)),
        format!("DTSTART:{}", utc_stamp(event.start)),
        format!("DTEND:{}", utc_stamp(event.end)),
        format!("SUMMARY:{}", escape_text(&event.summary)),
        format!("DESCRIPTION:{}", escape_text(&event.description)),
        "END:VEVENT".to_string(),
        "END:VCALENDAR".to_string(),
    ];
    let mut out = String::new();
    for line in lines {
        fold_into(&line, &mut out);
    }
    out
}

/// `YYYYMMDDTHHMMSSZ`, as iCalendar and CalDAV time ranges write UTC.
pub fn utc_stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// Every `VEVENT` in `text`.
pub fn read_events(text: &str) -> Result<Vec<CalendarEvent>, IcalError> {
    let mut events = Vec::new();
    let mut current: Option<PartialEvent> = None;
    for (n, line) in unfold(text).iter().enumerate() {
        let at = |message: String| IcalError { line: n + 1, message };
        let content = ContentLine::parse(line).map_err(at)?;
        match (content.name.as_str(), current.as_mut()) {
            ("BEGIN", None) if content.value.eq_ignore_ascii_case("VEVENT") => {
                current = Some(PartialEvent::default());
            }
            ("END", Some(_)) if content.value.eq_ignore_ascii_case("VEVENT") => {
                let partial = current.take().expect("inside an event");
                events.push(partial.finish().map_err(at)?);
            }
            ("UID", Some(e)) => e.uid = Some(unescape_text(&content.value)),
            ("SUMMARY", Some(e)) => e.summary = unescape_text(&content.value),
            ("DESCRIPTION", Some(e)) => e.description = unescape_text(&content.value),
            ("DTSTART", Some(e)) => e.start = Some(content.date_time().map_err(at)?),
            ("DTEND", Some(e)) => e.end = Some(content.date_time().map_err(at)?),
            ("DURATION", Some(e)) => e.duration = Some(parse_duration(&content.value).map_err(at)?),
            _ => {}
        }
    }
    events.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
    Ok(events)
}

/// Every busy period of every `VFREEBUSY` in `text`, sorted.
pub fn read_free_busy(text: &str) -> Result<Vec<BusyPeriod>, IcalError> {
    let mut periods = Vec::new();
    let mut inside = false;
    for (n, line) in unfold(text).iter().enumerate() {
        let at = |message: String| IcalError { line: n + 1, message };
        let content = ContentLine::parse(line).map_err(at)?;
        match content.name.as_str() {
            "BEGIN" if content.value.eq_ignore_ascii_case("VFREEBUSY") => inside = true,
            "END" if content.value.eq_ignore_ascii_case("VFREEBUSY") => inside = false,
            "FREEBUSY" if inside => {
                let kind = content.param("FBTYPE").unwrap_or("BUSY");
                if kind.eq_ignore_ascii_case("FREE") {
                    continue;
                }
                for period in content.value.split(',') {
                    let (start, rest) =
                        period.split_once('/').ok_or_else(|| at(format!("period {period:?} has no '/'")))?;
                    let start = parse_utc(start).map_err(at)?;
                    let end = if rest.starts_with(['P', '+', '-']) {
                        let length = parse_duration(rest).map_err(at)?;
                        start
                            .checked_add_signed(length)
                            .ok_or_else(|| at(format!("period {period:?} ends out of range")))?
                    } else {
                        parse_utc(rest).map_err(at)?
                    };
                    if start < end {
                        periods.push(BusyPeriod { start, end });
                    }
                }
            }
            _ => {}
        }
    }
    periods.sort();
    Ok(periods)
}

#[derive(Default)]
struct PartialEvent {
    uid: Option<String>,
    summary: String,
    description: String,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    duration: Option<Duration>,
}

impl PartialEvent {
    fn finish(self) -> Result<CalendarEvent, String> {
        let uid = self.uid.ok_or("an event has no UID")?;
        let start = self.start.ok_or_else(|| format!("event {uid:?} has no DTSTART"))?;
        let end = match (self.end, self.duration) {
            (Some(end), _) => end,
            // iCalendar writes four-digit years: an end it cannot write is out of range.
            (None, Some(d)) => start
                .checked_add_signed(d)
                .filter(|end| (0..=9999).contains(&end.year()))
                .ok_or_else(|| format!("event {uid:?} ends out of range"))?,
            (None, None) => start,
        };
        Ok(CalendarEvent { uid, summary: self.summary, description: self.description, start, end })
    }
}

/// One unfolded line: `NAME;PARAM=VALUE;...:value`.
struct ContentLine {
    name: String,
    params: Vec<(String, String)>,
    value: String,
}

impl ContentLine {
    fn parse(line: &str) -> Result<ContentLine, String> {
        // The value starts at the first ':' outside a quoted parameter value.
        let mut quoted = false;
        let colon = line
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == ':' && !quoted
            })
            .map(|(i, _)| i)
            .ok_or_else(|| format!("not a content line: {line:?}"))?;
        let (head, value) = (&line[..colon], &line[colon + 1..]);
        let mut parts = head.split(';');
        let name = parts.next().unwrap_or_default().trim().to_ascii_uppercase();
        let params = parts
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.trim().to_ascii_uppercase(), v.trim_matches('"').to_string()))
            .collect();
        Ok(ContentLine { name, params, value: value.to_string() })
    }

    fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// A `DATE-TIME` (UTC, with `TZID`, or floating read as UTC) or a `DATE`.
    fn date_time(&self) -> Result<DateTime<Utc>, String> {
        let v = self.value.trim();
        if self.param("VALUE") == Some("DATE") || v.len() == 8 {
            let d = NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|_| format!("bad date {v:?}"))?;
            return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
        }
        if v.ends_with('Z') {
            return parse_utc(v);
        }
        let local =
            NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").map_err(|_| format!("bad date-time {v:?}"))?;
        match self.param("TZID") {
            Some(tzid) => {
                let tz: chrono_tz::Tz =
                    tzid.trim_start_matches('/').parse().map_err(|_| format!("unknown TZID {tzid:?}"))?;
                tz.from_local_datetime(&local)
                    .earliest()
                    .or_else(|| tz.from_local_datetime(&(local + Duration::hours(1))).earliest())
                    .map(|t| t.with_timezone(&Utc))
                    .ok_or_else(|| format!("{v} does not exist in {tzid}"))
            }
            None => Ok(local.and_utc()),
        }
    }
}

fn parse_utc(v: &str) -> Result<DateTime<Utc>, String> {
    NaiveDateTime::parse_from_str(v.trim(), "%Y%m%dT%H%M%SZ")
        .map(|t| t.and_utc())
        .map_err(|_| format!("bad UTC date-time {v:?}"))
}

/// An RFC 5545 duration such as `PT1H30M`, `P1D` or `-PT15M`; one too long
/// for a `Duration` is an error.
fn parse_duration(v: &str) -> Result<Duration, String> {
    let bad = || format!("bad duration {v:?}");
    let (negative, rest) = match v.trim().strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, v.trim().trim_start_matches('+')),
    };
    let rest = rest.strip_prefix('P').ok_or_else(bad)?;
    let mut total = Duration::zero();
    let mut number = String::new();
    let mut in_time = false;
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'T' => in_time = true,
            unit => {
                let n: i64 = number.parse().map_err(|_| bad())?;
                number.clear();
                let part = match (unit, in_time) {
                    ('W', false) => Duration::try_weeks(n),
                    ('D', false) => Duration::try_days(n),
                    ('H', true) => Duration::try_hours(n),
                    ('M', true) => Duration::try_minutes(n),
                    ('S', true) => Duration::try_seconds(n),
                    _ => return Err(bad()),
                };
                total = part.and_then(|part| total.checked_add(&part)).ok_or_else(bad)?;
            }
        }
    }
    if !number.is_empty() {
        return Err(bad());
    }
    // A `Duration`'s range is symmetric: negating never overflows.
    Ok(if negative { -total } else { total })
}

/// Lines with folding undone (a line starting with a space or tab continues
/// the previous one), empty lines dropped.
fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.split('\n') {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        match raw.strip_prefix([' ', '\t']) {
            Some(rest) if !lines.is_empty() => lines.last_mut().expect("non-empty").push_str(rest),
            _ if raw.is_empty() => {}
            _ => lines.push(raw.to_string()),
        }
    }
    lines
}

/// Appends `line` folded at 75 octets (never inside a character), CRLF-ended.
fn fold_into(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A bare CR (not allowed in iCalendar text, and not a line end here) is
/// dropped, as [`escape_text`] drops it: an event read and written back keeps
/// its UID, summary and description.
fn unescape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().filter(|&c| c != '\r');
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n' | 'N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn an_event_survives_writing_and_reading_with_escapes_and_folding() {
        let event = CalendarEvent {
            uid: "bk_7hq2mx".into(),
            summary: "Women's haircut: Zoë, Smith; VIP".into(),
            description: format!("Reference 7HQ2MX\nwith Maria, {}", "long text ".repeat(12)),
            start: utc("2026-03-10T14:00:00Z"),
            end: utc("2026-03-10T15:00:00Z"),
        };
        let text = write_event(&event, utc("2026-03-02T14:00:00Z"));
        assert!(text.lines().all(|l| l.len() <= 76), "{text}");
        assert!(text.contains("SUMMARY:Women's haircut: Zoë\\, Smith\\; VIP\r\n"));
        assert_eq!(read_events(&text).unwrap(), [event]);
    }

    #[test]
    fn a_bare_carriage_return_in_text_is_dropped_so_events_read_back_the_same() {
        // Found by the `ical` fuzz target: a CR inside a UID was kept on reading
        // and dropped on writing, so the event written back had another UID.
        let text = "BEGIN:VEVENT\r\nUID:bk_1\r2\\\r3\r\nDTSTART:20260310T150000Z\r\nDTEND:20260310T160000Z\r\nSUMMARY:Cut\r\nEND:VEVENT\r\n";
        let events = read_events(text).unwrap();
        assert_eq!(events[0].uid, "bk_123");
        assert_eq!(read_events(&write_event(&events[0], utc("2026-03-02T14:00:00Z"))).unwrap(), events);
    }

    #[test]
    fn durations_and_periods_too_long_for_the_calendar_are_errors() {
        // Found by the `ical` fuzz target: these panicked (chrono's unchecked
        // `Duration::days` and `DateTime + Duration`).
        assert!(parse_duration("P35277777777777773D").is_err());
        assert!(parse_duration("P9999999999999W9999999999999D").is_err());
        let event = |duration: &str| {
            format!("BEGIN:VEVENT\nUID:a\nDTSTART:20260310T100000Z\nDURATION:{duration}\nEND:VEVENT\n")
        };
        assert!(read_events(&event("P35277777777777773D")).is_err());
        assert!(read_events(&event("P100000000D")).is_err()); // a valid length, past the calendar
        assert!(read_events(&event("-P100000000D")).is_err());
        // Ends iCalendar cannot write (a year past 9999 or before 0) were read,
        // then written as `+10239...` and not read back.
        assert!(read_events(&event("P3000000D")).is_err());
        assert!(read_events(&event("-P1000000D")).is_err());
        assert!(read_events(&event("P2000000D")).is_ok());
        let busy = "BEGIN:VFREEBUSY\nFREEBUSY:20260310T140000Z/P100000000D\nEND:VFREEBUSY\n";
        assert!(read_free_busy(busy).is_err());
    }

    #[test]
    fn events_in_other_zones_and_with_durations_are_read_as_instants() {
        let text = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nDTSTART;TZID=America/New_York:20260310T100000\nDURATION:PT1H30M\nEND:VEVENT\nBEGIN:VEVENT\nUID:b\nDTSTART;VALUE=DATE:20260311\nDTEND;VALUE=DATE:20260312\nEND:VEVENT\nEND:VCALENDAR\n";
        let events = read_events(text).unwrap();
        assert_eq!(
            events
                .iter()
                .map(|e| format!("{} {} {}", e.uid, e.start.to_rfc3339(), e.end.to_rfc3339()))
                .collect::<Vec<_>>(),
            [
                "a 2026-03-10T14:00:00+00:00 2026-03-10T15:30:00+00:00",
                "b 2026-03-11T00:00:00+00:00 2026-03-12T00:00:00+00:00"
            ]
        );
        assert_eq!(
            read_events("BEGIN:VEVENT\nDTSTART:20260310T100000Z\nEND:VEVENT\n"),
            Err(IcalError { line: 3, message: "an event has no UID".into() })
        );
    }

    #[test]
    fn free_busy_reads_every_component_period_and_type() {
        let text = "BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\nFREEBUSY;FBTYPE=BUSY:20260310T140000Z/20260310T150000Z,20260310T160000Z/PT30M\r\nFREEBUSY;FBTYPE=FREE:20260310T170000Z/20260310T180000Z\r\nEND:VFREEBUSY\r\nBEGIN:VFREEBUSY\r\nFREEBUSY:2026031\r\n 0T120000Z/20260310T123000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
        let periods = read_free_busy(text).unwrap();
        let shown: Vec<String> = periods
            .iter()
            .map(|p| format!("{}-{}", p.start.format("%H:%M"), p.end.format("%H:%M")))
            .collect();
        assert_eq!(shown, ["12:00-12:30", "14:00-15:00", "16:00-16:30"]);
        assert!(read_free_busy("BEGIN:VFREEBUSY\nFREEBUSY:20260310T140000Z\nEND:VFREEBUSY").is_err());
    }
}
