//! English date and time expressions ("tomorrow at 3pm", "next Friday",
//! "between 2 and 5", "in 2 hours"), resolved against a reference time.
//!
//! Everything here is wall-clock ([`NaiveDateTime`]) in the reference time's
//! zone; the caller attaches the zone (and so handles DST gaps).

use chrono::{NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

/// How precisely a time was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grain {
    /// To the second.
    Second,
    /// To the minute ("3:15pm").
    Minute,
    /// To the hour ("3pm").
    Hour,
    /// A day ("tomorrow").
    Day,
    /// A week ("next week").
    Week,
    /// A month ("in March").
    Month,
    /// A quarter.
    Quarter,
    /// A year.
    Year,
}

/// A resolved date/time expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeValue {
    /// A point in time, at the start of its grain.
    Instant {
        /// When.
        value: NaiveDateTime,
        /// How precisely.
        grain: Grain,
    },
    /// A range; `to` is exclusive ("3-4pm" is 15:00 to 17:00 at hour grain,
    /// as in Duckling).
    Interval {
        /// The start, if bounded.
        from: Option<(NaiveDateTime, Grain)>,
        /// The exclusive end, if bounded.
        to: Option<(NaiveDateTime, Grain)>,
    },
    /// A length of time ("for 2 hours").
    Duration {
        /// Its length in seconds.
        seconds: i64,
    },
}

/// One expression found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeMatch {
    /// Byte offset where the expression starts.
    pub start: usize,
    /// Byte offset where it ends.
    pub end: usize,
    /// What it means.
    pub value: TimeValue,
}

/// How to resolve ambiguous expressions.
#[derive(Debug, Clone, Default)]
pub struct DateTimeOptions {
    /// Resolve "Friday" or "3pm" to the next occurrence rather than the nearest.
    pub prefer_future: bool,
    /// Opening hours used to read a bare hour ("at 10" is 10:00 in a salon
    /// open 09:00-19:00, "at 5" is 17:00).
    pub business_hours: Option<(NaiveTime, NaiveTime)>,
}

/// Finds every date/time expression in `text`, resolved against `reference`.
/// Expressions do not overlap and come in text order.
pub fn parse(text: &str, reference: NaiveDateTime, options: &DateTimeOptions) -> Vec<TimeMatch> {
    // Placeholder: "tomorrow at 3pm", "4pm" (replaced by the NLU work).
    let _ = options;
    let lower = text.to_lowercase();
    let re = regex::Regex::new(r"(tomorrow |today )?(?:at )?(\d{1,2})(?::(\d\d))? ?(am|pm)").expect("valid");
    let Some(c) = re.captures(&lower) else {
        return Vec::new();
    };
    let mut h: u32 = c[2].parse().unwrap_or(0);
    if &c[4] == "pm" && h < 12 {
        h += 12;
    }
    let m: u32 = c.get(3).map(|m| m.as_str().parse().unwrap_or(0)).unwrap_or(0);
    let mut day = reference.date();
    if c.get(1).is_some_and(|d| d.as_str().starts_with("tomorrow")) {
        day = day.succ_opt().unwrap_or(day);
    }
    let Some(t) = NaiveTime::from_hms_opt(h, m, 0) else {
        return Vec::new();
    };
    let whole = c.get(0).expect("match");
    vec![TimeMatch {
        start: whole.start(),
        end: whole.end(),
        value: TimeValue::Instant {
            value: day.and_time(t),
            grain: if m == 0 { Grain::Hour } else { Grain::Minute },
        },
    }]
}
