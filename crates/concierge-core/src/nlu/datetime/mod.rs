//! English date and time expressions ("tomorrow at 3pm", "next Friday",
//! "between 2 and 5", "in 2 hours"), resolved against a reference time.
//!
//! Everything here is wall-clock ([`NaiveDateTime`]) in the reference time's
//! zone; the caller attaches the zone (and so handles DST gaps). Times in a
//! named zone ("4pm CET") are converted when the reference's offset is
//! known ([`parse_with_offset`]).
//!
//! How it works: the text is split into tokens (`tokens`), a grammar over
//! tokens (`grammar`) finds every reading starting at each token (numbers,
//! durations, dates, times of day, parts of the day, periods, holidays,
//! and their combinations, ranges and open intervals) as a small meaning
//! tree (`expr`), and the resolver (`resolve`) places the longest reading
//! on the calendar. Holidays (`holidays`) follow fixed rules, Easter, the
//! Hebrew calendar, and the sun and moon (`astronomy`) for Islamic, Chinese and Hindu
//! dates (computed from the sun's and moon's positions, so a day off where
//! calendars use other conventions).
//!
//! Conventions follow Duckling: a value is the start of its grain;
//! intervals' ends are exclusive and a closed range includes its last
//! grain ("3-4pm" is 15:00 to 17:00 at hour grain); a bare time of day is
//! the nearest one whose hour has not ended ("3pm" at 16:30 is tomorrow);
//! a date is the nearest whose month has not ended ("Feb 10" on Feb 12 is
//! this year's); "next Friday" is the Friday of next week; "in 3 days" is
//! at hour grain. [`DateTimeOptions::prefer_future`] moves dates and times
//! that would be in the past to their next occurrence, and
//! [`DateTimeOptions::business_hours`] reads an hour without am/pm as the
//! one inside opening hours ("at 5" is 17:00 in a salon open 09:00-19:00).
//!
//! [`corpus`] scores the parser on Duckling-format corpora.

use chrono::{FixedOffset, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use tokens::{Kind, Token};

mod astronomy;
mod calendar;
pub mod corpus;
mod expr;
mod grammar;
mod holidays;
mod lexicon;
pub(crate) use lexicon::weekday as weekday_named;
pub(crate) use lexicon::{is_ordinal_suffix, month as month_named};
mod resolve;
mod tokens;

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
    /// Read numeric dates day first ("10/6" is 10 June), as in en-GB; month
    /// first (the default, as in en-US) otherwise. A date that only makes
    /// sense the other way ("4/24", "24/4") is read that way in both.
    pub day_first: bool,
    /// Read "half 5" as half an hour before five (4:30), as Dutch and
    /// German speakers say it, also in English; half past five otherwise.
    pub half_before_hour: bool,
}

impl DateTimeOptions {
    /// Options for a business in `locale` (BCP 47): numeric dates in the
    /// locale's order ([`day_first_locale`]), nothing else set.
    pub fn for_locale(locale: &str) -> Self {
        DateTimeOptions {
            day_first: day_first_locale(locale),
            half_before_hour: half_before_hour_locale(locale),
            ..DateTimeOptions::default()
        }
    }
}

/// Whether "half 5" is 4:30 in `locale` (BCP 47): in Dutch and German
/// (`nl`, `de`) and in the Netherlands, Germany and Austria, whatever the
/// language (`en-NL`: "om half 5").
pub fn half_before_hour_locale(locale: &str) -> bool {
    let mut parts = locale.split(['-', '_']).filter(|p| !p.is_empty());
    let language = parts.next().unwrap_or("");
    let region = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()));
    ["nl", "de"].iter().any(|l| language.eq_ignore_ascii_case(l))
        || region.is_some_and(|r| ["NL", "DE", "AT"].iter().any(|c| r.eq_ignore_ascii_case(c)))
}

/// Whether numeric dates are written day first in `locale` (BCP 47):
/// month first in the United States and a few places that follow it
/// (`en-US`, `en-PH`, `en-CA`, a bare `en`), day first elsewhere (`en-GB`,
/// `en-AU`, `en-IE`, `en-NZ`, `en-IN`, `fr-FR`, ...). Unreadable locales are
/// read as `en-US`.
pub fn day_first_locale(locale: &str) -> bool {
    let mut parts = locale.split(['-', '_']).filter(|p| !p.is_empty());
    let Some(language) = parts.next() else {
        return false;
    };
    let region = parts.find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()));
    match region.map(str::to_ascii_uppercase).as_deref() {
        Some("US" | "PH" | "CA" | "FM" | "MH" | "PW" | "AS" | "GU" | "MP" | "PR" | "UM" | "VI") => false,
        Some(_) => true,
        None => !language.eq_ignore_ascii_case("en"),
    }
}

/// Finds every date/time expression in `text`, resolved against `reference`.
/// Expressions do not overlap and come in text order.
///
/// Inside a sentence, expressions that are usually not times on their own
/// (a bare number, "May", "morning") are skipped; they are reported when
/// they are the whole message, as when answering "which day?".
pub fn parse(text: &str, reference: NaiveDateTime, options: &DateTimeOptions) -> Vec<TimeMatch> {
    parse_with_offset(text, reference, None, options)
}

/// Like [`parse`], knowing the reference time's offset from UTC, so times
/// given in a named zone ("9:30 CST", "4pm CET") are converted to the
/// reference's wall-clock. Without it ([`parse`]) such times are read as
/// local.
pub fn parse_with_offset(
    text: &str,
    reference: NaiveDateTime,
    offset: Option<FixedOffset>,
    options: &DateTimeOptions,
) -> Vec<TimeMatch> {
    let offset = offset.map(|o| o.local_minus_utc());
    let tokens = tokens::tokenize(text);
    let grammar = grammar::Grammar::new(&tokens, options.day_first, options.half_before_hour);
    let first = tokens.iter().position(|t| t.kind != Kind::Punct).unwrap_or(0);
    let mut last = tokens.len();
    while last > first && tokens[last - 1].kind == Kind::Punct {
        last -= 1;
    }
    let mut matches = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !can_start(&tokens, i) {
            i += 1;
            continue;
        }
        let mut candidates: Vec<grammar::Parsed> = grammar
            .expressions(i)
            .into_iter()
            .filter(|p| p.end > i && p.end <= tokens.len() && can_end(&tokens, p.end))
            .filter(|p| !p.latent || (i <= first && p.end >= last))
            .collect();
        candidates.sort_by(|a, b| b.end.cmp(&a.end).then(a.latent.cmp(&b.latent)));
        let found = candidates
            .iter()
            .find_map(|p| resolve::resolve(&p.expr, reference, offset, options).map(|value| (p.end, value)));
        match found {
            Some((end, value)) => {
                matches.push(TimeMatch { start: tokens[i].start, end: tokens[end - 1].end, value });
                i = end;
            }
            None => i += 1,
        }
    }
    matches
}

/// Whether an expression may start at token `i`: not inside a word or a
/// number ("B12", "$65", "+1 415").
fn can_start(tokens: &[Token], i: usize) -> bool {
    let Some(t) = tokens.get(i) else {
        return false;
    };
    if t.kind == Kind::Punct && !t.is_punct('@') {
        return false;
    }
    // "class 7 on monday": the number labels the class.
    if t.kind == Kind::Number
        && i > 0
        && tokens[i - 1].kind == Kind::Word
        && lexicon::is_label_noun(&tokens[i - 1].text)
    {
        return false;
    }
    if i == 0 || t.space_before {
        return true;
    }
    let prev = &tokens[i - 1];
    match prev.kind {
        Kind::Word | Kind::Number => false,
        Kind::Punct => !prev.text.starts_with(['$', '€', '£', '+', '#', '.', ',', ':', '/', '-']),
    }
}

/// Whether an expression may end before token `end`: not followed by more
/// of the same word or number ("3pmx", "2.50", "15%").
fn can_end(tokens: &[Token], end: usize) -> bool {
    let Some(next) = tokens.get(end) else {
        return true;
    };
    // "in 9th std", "the 2nd floor": the ordinal labels what follows.
    let last = &tokens[end - 1];
    let ordinal = last.kind == Kind::Number
        || (last.kind == Kind::Word
            && (lexicon::is_ordinal_suffix(&last.text) || lexicon::ordinal(&last.text).is_some()));
    if ordinal && next.kind == Kind::Word && lexicon::is_label_noun(&next.text) {
        return false;
    }
    if next.space_before {
        return true;
    }
    let last = &tokens[end - 1];
    match next.kind {
        Kind::Word | Kind::Number => last.kind == Kind::Punct,
        Kind::Punct => {
            let glued_number = tokens.get(end + 1).is_some_and(|n| n.kind == Kind::Number && !n.space_before);
            !(next.text == "%" || (last.kind == Kind::Number && glued_number))
        }
    }
}

#[cfg(test)]
mod category_tests;
#[cfg(test)]
mod tests;
