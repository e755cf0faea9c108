//! Parts of the day and halves of it: "morning", "late afternoon", "end of
//! the day", and am or pm, said or read from the opening hours ("2" is 2 pm
//! at a salon open 9 to 7).

use chrono::{Datelike, NaiveDate, NaiveTime, Timelike};

use crate::nlu::words::when::MERIDIEM;
use crate::spec::WeeklyHours;

/// Where "end of the day" starts.
pub(super) const LATE_IN_DAY: NaiveTime = match NaiveTime::from_hms_opt(17, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// The last moment of a day, as an exclusive window end.
pub(super) fn end_of_day() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time")
}

/// Whether a time expression says am or pm: "3pm", "10 in the morning",
/// "noon", or a 24-hour time ("17:00").
pub(super) fn says_half_of_day(lower: &str) -> bool {
    lower.split(|c: char| !c.is_alphanumeric() && c != '.' && c != ':').any(|w| {
        let unit = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':' || c == '.');
        let hour: Option<u32> = w.split([':', '.']).next().and_then(|h| h.parse().ok());
        MERIDIEM.contains(&unit) || MERIDIEM.contains(&w) || hour.is_some_and(|h| (13..=24).contains(&h))
    })
}

/// A part of the day named on its own ("saturday? morning ideally"), which
/// the grammar leaves alone inside a sentence; "good morning" is a greeting.
pub(super) fn part_of_day(n: &str) -> Option<(NaiveTime, NaiveTime)> {
    let words: Vec<&str> = n.split(' ').collect();
    let hour = |h: u32| NaiveTime::from_hms_opt(h, 0, 0).expect("an hour of the day");
    words.iter().enumerate().find_map(|(i, w)| {
        if i > 0 && words[i - 1] == "good" {
            return None;
        }
        match *w {
            "morning" | "mornings" => Some((NaiveTime::MIN, hour(12))),
            "afternoon" | "afternoons" | "arvo" => Some((hour(12), hour(19))),
            "evening" | "evenings" | "tonight" => Some((hour(18), end_of_day())),
            // "end of the day", "last thing": late in the working day.
            "day"
                if i >= 2 && words[i - 2..i].join(" ").ends_with("end of")
                    || i >= 3 && words[i - 3..i] == ["end", "of", "the"] =>
            {
                Some((LATE_IN_DAY, end_of_day()))
            }
            "thing" if i >= 1 && words[i - 1] == "last" => Some((LATE_IN_DAY, end_of_day())),
            // "before lunch" is the morning, "after lunch" from 1.
            "lunch" | "lunchtime" => match i.checked_sub(1).map(|b| words[b]) {
                Some("before" | "till" | "until") => Some((NaiveTime::MIN, hour(12))),
                Some("after") => Some((hour(13), end_of_day())),
                _ => Some((hour(12), hour(14))),
            },
            _ => None,
        }
    })
}

/// The part of a part of the day that "early", "mid" or "late" names
/// ("late morning" is from 10, "early afternoon" until 3), as bounds to
/// intersect with the part of the day.
pub(super) fn early_or_late(n: &str) -> Option<(NaiveTime, NaiveTime)> {
    let hm = |h: u32, m: u32| NaiveTime::from_hms_opt(h, m, 0).expect("a time of day");
    let words: Vec<&str> = n.split(' ').collect();
    words.windows(2).find_map(|pair| {
        let bounds = match pair {
            ["early", "morning" | "mornings"] => (NaiveTime::MIN, hm(10, 0)),
            ["mid", "morning" | "mornings"] => (hm(10, 0), hm(11, 31)),
            ["late", "morning" | "mornings"] => (hm(10, 0), hm(12, 0)),
            ["early", "afternoon" | "afternoons" | "arvo"] => (hm(12, 0), hm(15, 0)),
            ["mid", "afternoon" | "afternoons"] => (hm(14, 0), hm(16, 1)),
            ["late", "afternoon" | "afternoons" | "arvo"] => (hm(16, 0), hm(19, 0)),
            ["early", "evening" | "evenings"] => (hm(17, 0), hm(20, 0)),
            _ => return None,
        };
        Some(bounds)
    })
}

/// A time given without am or pm, moved to the half of the day when the
/// business is open ("2" is 2 pm at a salon open 9 to 7).
pub(super) fn by_opening_hours(time: NaiveTime, day: Option<NaiveDate>, hours: &WeeklyHours) -> NaiveTime {
    let (h, m) = (time.hour(), time.minute());
    let other = match h {
        1..=11 => h + 12,
        13..=23 => h - 12,
        _ => return time,
    };
    let open = |hour: u32| {
        let Some(at) = NaiveTime::from_hms_opt(hour, m, 0) else { return false };
        let days: Vec<chrono::Weekday> = match day {
            Some(d) => vec![d.weekday()],
            None => (0..7).map(|i| chrono::Weekday::try_from(i).expect("0-6 are weekdays")).collect(),
        };
        days.iter().any(|d| hours.day(*d).iter().any(|r| r.start <= at && at < r.end))
    };
    if !open(h) && open(other) {
        NaiveTime::from_hms_opt(other, m, 0).unwrap_or(time)
    } else {
        time
    }
}

/// "this sunday first thing": the first hours the business is open on
/// `day` (staff may start after the doors open), when it opens that day.
pub(super) fn first_hours_open(day: NaiveDate, hours: &WeeklyHours) -> Option<(NaiveTime, NaiveTime)> {
    let open = hours.day(day.weekday()).iter().map(|r| r.start).min()?;
    let later = open.overflowing_add_signed(chrono::Duration::hours(FIRST_THING_HOURS)).0;
    (later > open).then_some((open, later))
}

/// How many hours after opening "first thing" covers.
const FIRST_THING_HOURS: i64 = 2;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_of_the_day_said_alone() {
        let hour = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("hour");
        assert_eq!(part_of_day("saturday morning ideally"), Some((NaiveTime::MIN, hour(12))));
        assert_eq!(part_of_day("good morning i'd like a haircut"), None);
        assert_eq!(part_of_day("at lunchtime"), Some((hour(12), hour(14))));
        assert_eq!(part_of_day("end of the day please"), Some((hour(17), end_of_day())));
        assert_eq!(part_of_day("last thing on friday"), Some((hour(17), end_of_day())));
        assert_eq!(part_of_day("after lunch"), Some((hour(13), end_of_day())));
        assert_eq!(part_of_day("tomorrow before lunch"), Some((NaiveTime::MIN, hour(12))));
    }

    #[test]
    fn early_mid_and_late_parts_of_the_day() {
        let hm = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("time");
        assert_eq!(early_or_late("sat late morning ideally"), Some((hm(10, 0), hm(12, 0))));
        assert_eq!(early_or_late("early afternoon"), Some((hm(12, 0), hm(15, 0))));
        assert_eq!(early_or_late("in the morning"), None);
    }

    #[test]
    fn bare_hours_follow_opening_hours() {
        let hours: WeeklyHours = serde_yaml::from_str("tuesday: [\"09:00-19:00\"]").expect("hours");
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("hour");
        assert_eq!(by_opening_hours(t(2), None, &hours), t(14));
        assert_eq!(by_opening_hours(t(10), None, &hours), t(10));
        assert_eq!(by_opening_hours(t(12), None, &hours), t(12));
    }

    #[test]
    fn first_thing_is_the_first_hours_open() {
        let hours: WeeklyHours =
            serde_yaml::from_str("saturday: [\"09:00-18:00\"]\nsunday: [\"12:00-14:00\", \"10:00-11:00\"]")
                .expect("hours");
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("hour");
        let day = |d| NaiveDate::from_ymd_opt(2026, 2, d).expect("day");
        // Saturday 31 January, Sunday 1 February, Monday 2 February (closed).
        let saturday = NaiveDate::from_ymd_opt(2026, 1, 31).expect("day");
        assert_eq!(first_hours_open(saturday, &hours), Some((t(9), t(11))));
        assert_eq!(first_hours_open(day(1), &hours), Some((t(10), t(12))));
        assert_eq!(first_hours_open(day(2), &hours), None);
    }
}
