//! Date and time entities: the wall-clock results of
//! [`crate::nlu::datetime::parse`] placed in the reference time's zone.

use chrono::{DateTime, FixedOffset, LocalResult, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;

use super::Candidate;
use crate::nlu::datetime::{self, DateTimeOptions, TimeValue};
use crate::nlu::EntityValue;
use crate::spec::business::ALL_WEEKDAYS;
use crate::spec::BusinessSpec;

/// The earliest opening and latest closing time over the week, if the
/// business has opening hours.
pub(crate) fn business_hours(business: &BusinessSpec) -> Option<(NaiveTime, NaiveTime)> {
    let ranges = ALL_WEEKDAYS.iter().flat_map(|d| business.hours.day(*d).iter());
    let mut span: Option<(NaiveTime, NaiveTime)> = None;
    for r in ranges {
        span = Some(match span {
            None => (r.start, r.end),
            Some((a, b)) => (a.min(r.start), b.max(r.end)),
        });
    }
    span
}

/// The instant a wall-clock time in `zone` denotes: in a DST gap the first
/// valid instant after it, when ambiguous the earlier of the two.
pub(crate) fn localize(zone: &Tz, wall: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    let mut probe = wall;
    // Gaps are at most a few hours long and end on a minute boundary.
    for _ in 0..=(26 * 60) {
        match zone.from_local_datetime(&probe) {
            LocalResult::Single(t) => return Some(t.fixed_offset()),
            LocalResult::Ambiguous(earlier, _) => return Some(earlier.fixed_offset()),
            LocalResult::None => {
                let next_minute = probe
                    .checked_add_signed(chrono::Duration::minutes(1))?
                    .with_second(0)?
                    .with_nanosecond(0)?;
                probe = next_minute;
            }
        }
    }
    None
}

/// Whether the expression at `start..end` of `text` is a greeting ("yes
/// merry christmas!", "happy new year", "happy friday"): a day wished, not
/// a day asked for. A time of day said with it ("happy friday at 3") is
/// not a greeting.
fn greets(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].trim_end().to_lowercase();
    let wished = ["merry", "happy"].iter().any(|w| {
        before
            .strip_suffix(w)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with(|c: char| !c.is_alphanumeric()))
    });
    wished && !text[start..end].chars().any(|c| c.is_ascii_digit())
}

/// Adds every date/time expression in `text` to `out`, read relative to
/// `now`, as `options` say (the business's hours and locale).
pub(crate) fn find(text: &str, now: DateTime<Tz>, options: &DateTimeOptions, out: &mut Vec<Candidate>) {
    let zone = now.timezone();
    for found in datetime::parse(text, now.naive_local(), options) {
        if found.start >= found.end
            || found.end > text.len()
            || !text.is_char_boundary(found.start)
            || !text.is_char_boundary(found.end)
        {
            continue;
        }
        if greets(text, found.start, found.end) {
            continue;
        }
        let value = match found.value {
            TimeValue::Instant { value, grain } => match localize(&zone, value) {
                Some(value) => EntityValue::Time { value, grain },
                None => continue,
            },
            TimeValue::Interval { from, to } => {
                let grain = from.map(|(_, g)| g).or(to.map(|(_, g)| g)).unwrap_or(datetime::Grain::Hour);
                let from = from.and_then(|(t, _)| localize(&zone, t));
                let to = to.and_then(|(t, _)| localize(&zone, t));
                if from.is_none() && to.is_none() {
                    continue;
                }
                EntityValue::Interval { from, to, grain }
            }
            TimeValue::Duration { seconds } => EntityValue::Duration { seconds },
        };
        out.push(Candidate::new("datetime", value, found.start, found.end));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn wall(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, min, 0)).expect("valid date")
    }

    #[test]
    fn dst_gaps_move_forward_and_ambiguous_times_take_the_earlier() {
        let ny: Tz = "America/New_York".parse().expect("zone");
        // 2026-03-08 02:30 does not exist in New York: clocks jump to 03:00 EDT.
        let gap = localize(&ny, wall(2026, 3, 8, 2, 30)).expect("resolved");
        assert_eq!(gap.to_rfc3339(), "2026-03-08T03:00:00-04:00");
        // 2026-11-01 01:30 happens twice: the first, in EDT.
        let twice = localize(&ny, wall(2026, 11, 1, 1, 30)).expect("resolved");
        assert_eq!(twice.to_rfc3339(), "2026-11-01T01:30:00-04:00");
        let plain = localize(&ny, wall(2026, 6, 1, 15, 0)).expect("resolved");
        assert_eq!(plain.to_rfc3339(), "2026-06-01T15:00:00-04:00");
    }

    #[test]
    fn a_day_wished_is_no_day_asked_for() {
        let ny: Tz = "America/New_York".parse().expect("zone");
        let now = ny.from_local_datetime(&wall(2026, 12, 18, 10, 0)).single().expect("time");
        let days = |text: &str| {
            let mut out = Vec::new();
            find(text, now, &DateTimeOptions { prefer_future: true, ..DateTimeOptions::default() }, &mut out);
            out.len()
        };
        assert_eq!(days("yes merry christmas!"), 0);
        assert_eq!(days("Happy New Year"), 0);
        assert_eq!(days("happy friday at 3"), 1, "a time of day is asked for");
        assert_eq!(days("anything christmas eve?"), 1);
        assert_eq!(days("unhappy friday"), 1);
    }
}
