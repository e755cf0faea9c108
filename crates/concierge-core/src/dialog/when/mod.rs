//! What a message says about when, read as a whole: a day, a time of day, a
//! window ("morning", "before 11", "after work") and whether the time was
//! approximate ("around 5:30", "11ish"), composed with what the
//! conversation already knows ("ok tuesday then, same time", "make it 4").
//!
//! The date grammar finds each expression on its own; this module puts the
//! pieces of one message together, reads a bare hour by the business's
//! opening hours (a "2" at a salon open 9 to 7 is 2 pm) and merges the
//! result with the day or time chosen earlier. Parts of the day and am or
//! pm are read in `day_parts`, hours the grammar leaves alone in
//! `bare_hours`, and times turned down or taken in `turned_down`.

use std::borrow::Cow;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};
use chrono_tz::Tz;

use super::answers::{contains_phrase, normalise};
use super::knowledge::outside_questions;
use crate::nlu::datetime::Grain;
use crate::nlu::words::when::{
    APPROXIMATE, ARRIVING, CONSEQUENCE_MARKERS, CORRECTION_MARKERS, DAY_WORDS, ENDS_AFTER, FINISHED_BY,
    ONE_THING_LEADS, REQUEST_LEADS, SECOND_THOUGHTS, SPOKEN_DURATIONS, WORKING,
};
use crate::nlu::{EntityValue, Parse};
use crate::spec::WeeklyHours;

mod bare_hours;
mod day_parts;
mod turned_down;

use bare_hours::{
    bare_number, hour_choice, hour_range, ish_hour, last_clause_time, only_an_hour, requested_hour,
};
use day_parts::{by_opening_hours, early_or_late, end_of_day, part_of_day, says_half_of_day, LATE_IN_DAY};
use turned_down::{busy_then, disliked, ruled_out, turned_down_after};

/// How far either side of an approximate time ("around 2") a slot may start.
pub(crate) const APPROXIMATE_MINUTES: i64 = 30;

/// What one message says about when.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct WhenSaid {
    /// A day named ("friday", "the 12th", "tomorrow").
    pub(crate) day: Option<NaiveDate>,
    /// A time of day ("3pm", "around 5:30", "make it 4").
    pub(crate) time: Option<NaiveTime>,
    /// The grammar's own reading of a time given without a day (its next occurrence).
    pub(crate) instant: Option<DateTime<FixedOffset>>,
    /// Whether the time was approximate.
    pub(crate) approximate: bool,
    /// A part of the day or a bound ("morning", "before 11"), end exclusive.
    pub(crate) window: Option<(NaiveTime, NaiveTime)>,
    /// "same time": keep the time discussed before.
    pub(crate) same_time: bool,
    /// "a week on Monday", "Monday week": that weekday a week after its next occurrence.
    pub(crate) week_on: Option<chrono::Weekday>,
    /// The grammar's day for a window given without one ("this afternoon").
    pub(crate) window_day: Option<NaiveDate>,
}

impl WhenSaid {
    /// Whether the message said anything about when.
    pub(crate) fn is_empty(&self) -> bool {
        self.day.is_none()
            && self.time.is_none()
            && self.window.is_none()
            && !self.same_time
            && self.week_on.is_none()
    }
}

/// Reads the datetime entities of `parse` (and a bare number when
/// `bare_hour` allows it) as one statement about when. A correction inside
/// the message ("wednesday at 10 - no sorry, thursday") keeps what follows
/// it, and what it does not change from before it (10 o'clock).
pub(crate) fn read(parse: &Parse, text: &str, tz: Tz, hours: &WeeklyHours, bare_hour: bool) -> WhenSaid {
    // The request's days first ("... moved a meeting to friday. any
    // chance we can bump it to saturday?"), then those of questions
    // answered by the rest, then those of a correction.
    let requested = days_of_the_request(parse, text);
    let answered = without_days_asked_about(&requested, text, |p, rest| {
        read_all(p, rest, tz, hours, false).day.is_some()
    });
    let corrected = match correction_at(text) {
        Some(at) => days_of_the_correction(&answered, text, at),
        None => Cow::Borrowed(&*answered),
    };
    let parse: &Parse = &corrected;
    if let Some(said) = hour_corrected(parse, text, tz, hours, bare_hour) {
        return said;
    }
    let Some(at) = correction_at(text).or_else(|| marker_at(text, CONSEQUENCE_MARKERS)) else {
        return read_all(parse, text, tz, hours, bare_hour);
    };
    let part = |after: bool| Parse {
        intents: parse.intents.clone(),
        intent: parse.intent.clone(),
        entities: parse
            .entities
            .iter()
            .filter(|e| e.entity != "datetime" || (e.start >= at) == after)
            .cloned()
            .collect(),
    };
    let (before, after) = (part(false), part(true));
    let dated = |p: &Parse| p.entities.iter().any(|e| e.entity == "datetime");
    if !dated(&before) || !dated(&after) {
        return read_all(parse, text, tz, hours, bare_hour);
    }
    let first = read_all(&before, text, tz, hours, bare_hour);
    let second = read_all(&after, text, tz, hours, bare_hour);
    let timed = second.time.is_some();
    WhenSaid {
        day: second.day.or(first.day),
        time: second.time.or(first.time),
        instant: if timed { second.instant } else { first.instant },
        approximate: if timed { second.approximate } else { first.approximate },
        window: second.window.or(first.window),
        same_time: first.same_time || second.same_time,
        week_on: second.week_on.or(first.week_on),
        window_day: second.window_day.or(first.window_day),
    }
}

/// The entities of `parse` less the days named in its questions when the
/// rest of the message chooses a day of its own (`chooses_day` on the rest):
/// "oh you're shut on sundays? fine, saturday the 7th then" says Saturday; "I'm
/// working Friday. Could it be Monday instead?" says Monday. A time asked
/// about stays ("thursday works. could you do 3?").
fn without_days_asked_about<'p>(
    parse: &'p Parse,
    text: &str,
    chooses_day: impl Fn(&Parse, &str) -> bool,
) -> Cow<'p, Parse> {
    if !text.contains('?') || !parse.entities.iter().any(is_day) {
        return Cow::Borrowed(parse);
    }
    let (outside, rest) = outside_questions(parse, text);
    let asked = |e: &crate::nlu::Entity| is_day(e) && !outside.entities.contains(e);
    if !parse.entities.iter().any(asked) || !chooses_day(&outside, &rest) {
        return Cow::Borrowed(parse);
    }
    Cow::Owned(Parse {
        entities: parse.entities.iter().filter(|e| !asked(e)).cloned().collect(),
        ..parse.clone()
    })
}

/// Whether an entity is a datetime with a day's grain.
fn is_day(e: &crate::nlu::Entity) -> bool {
    e.entity == "datetime" && matches!(&e.value, EntityValue::Time { grain, .. } if *grain == Grain::Day)
}

/// Whether an entity names one day, alone or with a part of it ("friday
/// afternoon"; not "this week").
fn names_day(e: &crate::nlu::Entity) -> bool {
    let one_day = |w: &str| DAY_WORDS.contains(&w) && !w.starts_with("week");
    is_day(e) || e.entity == "datetime" && normalise(&e.text).split(' ').any(one_day)
}

/// The entities of `parse` less the `dropped` ones that name a day.
fn without_days(parse: &Parse, dropped: impl Fn(&crate::nlu::Entity) -> bool) -> Cow<'static, Parse> {
    Cow::Owned(Parse {
        entities: parse.entities.iter().filter(|e| !(names_day(e) && dropped(e))).cloned().collect(),
        ..parse.clone()
    })
}

/// The days of a message with days in several sentences, one of which
/// asks for something ("my boss just moved a meeting to friday afternoon.
/// any chance we can bump it to saturday?"): the request's days only.
fn days_of_the_request<'p>(parse: &'p Parse, text: &str) -> Cow<'p, Parse> {
    if parse.entities.iter().filter(|e| e.entity == "datetime").count() < 2 {
        return Cow::Borrowed(parse);
    }
    let mut sentences: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    // "a meeting on Thursday morning 🙄 can we shift it to Friday": an
    // emoji ends a sentence as well as a full stop.
    for (i, c) in text.char_indices() {
        if matches!(c, '.' | '!' | '?' | '\n') || crate::dialog::answers::is_symbol(c) {
            sentences.push(start..i + c.len_utf8());
            start = i + c.len_utf8();
        }
    }
    sentences.push(start..text.len());
    let dated: Vec<&std::ops::Range<usize>> = sentences
        .iter()
        .filter(|r| parse.entities.iter().any(|e| names_day(e) && r.contains(&e.start)))
        .collect();
    let requests: Vec<&&std::ops::Range<usize>> = dated
        .iter()
        .filter(|r| {
            let n = normalise(&text[r.start..r.end]);
            REQUEST_LEADS.iter().any(|l| contains_phrase(&n, l))
        })
        .collect();
    match requests.as_slice() {
        [request] if dated.len() > 1 => {
            let keep = (**request).clone();
            without_days(parse, |e| !keep.contains(&e.start))
        }
        _ => Cow::Borrowed(parse),
    }
}

/// The days after a correction: those of its first clause, when it names
/// one ("wait no sorry i meant fri, sat is my kid's game" says Friday).
fn days_of_the_correction<'p>(parse: &'p Parse, text: &str, at: usize) -> Cow<'p, Parse> {
    let end = text[at..].find([',', ';', '.', '!', '?']).map_or(text.len(), |i| at + i);
    let first = |e: &crate::nlu::Entity| e.start >= at && e.start < end;
    let later = |e: &crate::nlu::Entity| e.start >= end;
    if parse.entities.iter().any(|e| names_day(e) && first(e))
        && parse.entities.iter().any(|e| names_day(e) && later(e))
    {
        without_days(parse, later)
    } else {
        Cow::Borrowed(parse)
    }
}

/// "sat at 11.. no wait make it 12": a time, then after a correction or a
/// second thought an hour alone (no other day or time), which replaces it.
fn hour_corrected(
    parse: &Parse,
    text: &str,
    tz: Tz,
    hours: &WeeklyHours,
    bare_hour: bool,
) -> Option<WhenSaid> {
    let at = correction_at(text).max(marker_at(text, SECOND_THOUGHTS))?;
    let dated_after = parse.entities.iter().any(|e| e.entity == "datetime" && e.start >= at);
    let dated_before = parse.entities.iter().any(|e| e.entity == "datetime" && e.start < at);
    if dated_after || !dated_before {
        return None;
    }
    let numbers_after = Parse {
        entities: parse.entities.iter().filter(|e| e.entity == "number" && e.start >= at).cloned().collect(),
        ..parse.clone()
    };
    let hour = bare_number(&numbers_after)?;
    let mut said = read_all(parse, text, tz, hours, bare_hour);
    said.time?;
    said.time = Some(by_opening_hours(hour, said.day, hours));
    said.instant = None;
    said.approximate = false;
    Some(said)
}

/// Whether the message corrects what was said before ("actually can we
/// make it thursday", "friday instead").
pub(crate) fn says_correction(text: &str) -> bool {
    correction_at(text).is_some() || has_word(&normalise(text), "instead")
}

/// Where the last correction inside a message starts ("no sorry,", "I
/// meant", "actually"), as a byte offset into `text`.
fn correction_at(text: &str) -> Option<usize> {
    marker_at(text, CORRECTION_MARKERS)
}

/// Where the last of `markers` inside `text` starts, at a word's start.
fn marker_at(text: &str, markers: &[&str]) -> Option<usize> {
    let lower = text.to_lowercase().replace('’', "'");
    if lower.len() != text.len() {
        return None;
    }
    markers
        .iter()
        .filter_map(|m| {
            lower
                .match_indices(m)
                .map(|(i, _)| i)
                .filter(|&i| i == 0 || !lower[..i].ends_with(char::is_alphanumeric))
                // Whole words: "so" is not the start of "soon".
                .filter(|&i| {
                    !m.ends_with(char::is_alphanumeric)
                        || !lower[i + m.len()..].starts_with(char::is_alphanumeric)
                })
                .last()
        })
        .max()
}

fn read_all(parse: &Parse, text: &str, tz: Tz, hours: &WeeklyHours, bare_hour: bool) -> WhenSaid {
    let mut said = WhenSaid::default();
    let n = normalise(text);
    let phrase = |p: &str| contains_phrase(&n, p);
    said.same_time = says_same_time(&n);
    let mut explicit_meridiem = false;
    // A time written with digits ("at 11") is taken before one in words
    // ("one for next tuesday").
    // Digits of a phone number are not a time.
    let phones: Vec<(usize, usize)> =
        parse.entities.iter().filter(|e| e.entity == "phone").map(|e| (e.start, e.end)).collect();
    let in_phone = |e: &&crate::nlu::Entity| phones.iter().any(|(s, end)| e.start < *end && e.end > *s);
    let mut entities: Vec<_> =
        parse.entities.iter().filter(|e| e.entity == "datetime").filter(|e| !in_phone(e)).collect();
    // Of those, one with its minutes ("thursday 7 mei at 18:30") first.
    entities.sort_by_key(|e| {
        let digits = e.text.chars().any(|c| c.is_ascii_digit());
        let minutes = e
            .text
            .as_bytes()
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && matches!(w[1], b':' | b'.') && w[2].is_ascii_digit());
        (!digits, !minutes)
    });
    // The day a time or part of the day comes with ("friday morning, 10")
    // wins over a day named alone ("before my trip on saturday").
    let mut timed_day = None;
    let mut windows: Vec<((NaiveTime, NaiveTime), Option<NaiveDate>)> = Vec::new();
    for e in entities {
        // "end of the day" is late in the day being booked, not today.
        let late_in_day = part_of_day(&normalise(&e.text)).is_some_and(|(from, _)| from >= LATE_IN_DAY);
        if late_in_day && contains_phrase(&normalise(&e.text), "end of") {
            continue;
        }
        // "now my jaw's swollen", "since the weekend": the present and the
        // past say nothing about when to come.
        let lower_text = e.text.to_lowercase();
        if matches!(&e.value, EntityValue::Time { grain, .. } if *grain < Grain::Minute)
            || lower_text.starts_with("since ")
        {
            continue;
        }
        // "I get off work at 3", "i work til 5", "I can get there by 6":
        // free from that time on, not booked at it or until it.
        if let Some(from) = free_from(text, e.start, &lower_text, &e.value) {
            let from = from.with_timezone(&tz);
            let own_day = names_a_day(&e.text).then(|| from.date_naive());
            windows.push(((from.time(), end_of_day()), own_day));
            if own_day.is_some() && timed_day.is_none() {
                timed_day = own_day;
            }
            continue;
        }
        let refused = ruled_out(text, e.start)
            || turned_down_after(text, e.end)
            || other_side(&lower_text, &e.value, tz).is_some() && disliked(text, e.start);
        if refused {
            // "not before ten", "the trains are dreadful before ten": from ten.
            if let Some(other_side) = other_side(&lower_text, &e.value, tz) {
                windows.push((other_side, None));
            }
        }
        if refused || busy_then(text, e.start) {
            // "thursday not tuesday", "I've got a wedding on Sunday": a
            // time turned down or taken says nothing about the booking.
            continue;
        }
        let names_day = names_a_day(&e.text);
        let lower = e.text.to_lowercase();
        let arriving_by = arrival_by(text, e.start, &lower, &e.value);
        match arriving_by.as_ref().unwrap_or(&e.value) {
            EntityValue::Time { value, grain } => {
                let local = value.with_timezone(&tz);
                if *grain >= Grain::Day {
                    if *grain == Grain::Day {
                        said.day = Some(local.date_naive());
                    }
                    continue;
                }
                if said.time.is_none() {
                    said.time = Some(local.time());
                    said.instant = Some(local.fixed_offset());
                    explicit_meridiem = says_half_of_day(&lower);
                    said.approximate |=
                        APPROXIMATE.iter().any(|a| has_word(&lower, a)) || lower.contains("ish");
                }
                if names_day && timed_day.is_none() {
                    timed_day = Some(local.date_naive());
                }
            }
            EntityValue::Interval { from, to, .. } => {
                let from_local = from.map(|f| f.with_timezone(&tz));
                let to_local = to.map(|t| t.with_timezone(&tz));
                let span_ok = match (from_local, to_local) {
                    (Some(f), Some(t)) => t - f <= Duration::hours(24),
                    _ => true,
                };
                if !span_ok {
                    continue;
                }
                let start = from_local.map_or(NaiveTime::MIN, |f| f.time());
                let end = match (from_local, to_local) {
                    (Some(f), Some(t)) if t.date_naive() > f.date_naive() => end_of_day(),
                    (_, Some(t)) => t.time(),
                    (_, None) => end_of_day(),
                };
                // "before xmas" bounds the days, not the hours of one.
                if start >= end {
                    continue;
                }
                let day = from_local.or(to_local).map(|d| d.date_naive());
                // A window's own day counts only when its words name one
                // ("tomorrow morning", "since last night"; not "after 3").
                let own_day = (names_day || lower.contains("last ")).then_some(day).flatten();
                windows.push(((start, end), own_day));
                if names_day && timed_day.is_none() {
                    timed_day = day;
                }
                said.window_day = said.window_day.or(day);
            }
            _ => {}
        }
    }
    if timed_day.is_some() {
        said.day = timed_day;
    }
    // The windows of the day chosen, together ("tomorrow morning, before
    // 11"); not one of another day ("a fever since last night").
    for (window, day) in windows {
        if said.day.is_some() && day.is_some() && day != said.day {
            continue;
        }
        said.window = Some(match said.window {
            Some((a, b)) if a.max(window.0) < b.min(window.1) => (a.max(window.0), b.min(window.1)),
            _ => window,
        });
    }
    // A part of the day named outside the grammar's expressions, with them
    // ("needs to be evening as i work til 5": from 6).
    said.window = match (said.window, part_of_day(&n)) {
        (None, part) => part,
        (Some((a, b)), Some((c, d))) if a.max(c) < b.min(d) => Some((a.max(c), b.min(d))),
        (window, _) => window,
    };
    if let (Some((from, to)), Some((early, late))) = (said.window, early_or_late(&n)) {
        // "late morning": the later part of the morning.
        said.window = Some((from.max(early), to.min(late)));
    }
    // "this sunday first thing" when Sunday opens at 10: from 10, not the
    // grammar's early morning.
    if contains_phrase(&n, "first thing") {
        if let Some(first) = said.day.and_then(|day| day_parts::first_hours_open(day, hours)) {
            said.window = Some(first);
        }
    }
    // "after school": once children are out and at the door, from half
    // past three (the grammar's reading starts at three).
    if contains_phrase(&n, "after school") {
        if let (Some((from, to)), Some(out)) = (said.window, NaiveTime::from_hms_opt(15, 30, 0)) {
            if out < to {
                said.window = Some((from.max(out), to));
            }
        }
    }
    said.week_on = week_on(&n);
    // "2 or 3, whichever's free": from the first hour to the second.
    let mut choice_hours = None;
    if said.time.is_none() && phones.is_empty() {
        if let Some((first, last)) = hour_choice(&n).or_else(|| hour_range(&n)) {
            said.time = NaiveTime::from_hms_opt(first, 0, 0);
            choice_hours = Some(last - first);
        }
    }
    // "not that one, too early for me. 11?", "10.30 pls": a time alone in
    // the last clause.
    // "can we make that 11 instead, he has football at 10": the hour set.
    if said.time.is_none() && phones.is_empty() {
        said.time = requested_hour(&n).or_else(|| last_clause_time(text));
    }
    if said.time.is_none() {
        // "can i get one wednesday sometime after 4": a window said, and
        // "one" is the thing asked for, no hour.
        let only_hour = only_an_hour(&n);
        let bare_hour = phones.is_empty() && (bare_hour && said.window.is_none() || only_hour);
        let pronoun = |at: &NaiveTime| *at == NaiveTime::MIN + Duration::hours(1) && one_is_a_thing(&n);
        let ish = ish_hour(&n).and_then(|h| NaiveTime::from_hms_opt(h, 0, 0));
        let bare = bare_hour.then(|| bare_number(parse)).flatten().filter(|at| !pronoun(at));
        if let Some(at) = ish.or(bare) {
            said.time = Some(at);
            said.approximate |= n.contains("ish") || APPROXIMATE.iter().any(|a| phrase(a));
        }
    }
    if let (Some(t), false) = (said.time, explicit_meridiem) {
        said.time = Some(by_opening_hours(t, said.day, hours));
        if said.time != Some(t) {
            said.instant = None;
        }
    }
    if let (Some(t), Some(hours)) = (said.time, choice_hours) {
        let to = t.overflowing_add_signed(Duration::hours(i64::from(hours)) + Duration::minutes(1)).0;
        said.window = (to > t).then_some((t, to));
    } else if said.approximate {
        if let Some(t) = said.time {
            let half = Duration::minutes(APPROXIMATE_MINUTES);
            let (from, to) =
                (t.overflowing_sub_signed(half).0, t.overflowing_add_signed(half + Duration::minutes(1)).0);
            said.window = Some(if from < t && to > t { (from, to) } else { (NaiveTime::MIN, end_of_day()) });
        }
    }
    said
}

/// How far a message moves a booking (`n` is the normalised message):
/// a duration with a direction ("push it back an hour", "bring it forward
/// 30 mins", "half an hour later") or a week ("same time next week", "a
/// week later").
pub(crate) fn booking_shift(parse: &Parse, n: &str) -> Option<Duration> {
    let phrase = |p: &str| contains_phrase(n, p);
    if (phrase("same time") && phrase("next week")) || phrase("a week later") || phrase("week later") {
        return Some(Duration::days(7));
    }
    let later = ["back", "later", "after"].iter().any(|w| phrase(w));
    let earlier = ["forward", "earlier", "sooner", "up"].iter().any(|w| phrase(w));
    if later == earlier {
        return None;
    }
    let from_entity = parse.entities.iter().find_map(|e| match e.value {
        EntityValue::Duration { seconds } if e.entity == "datetime" => Some(Duration::seconds(seconds)),
        _ => None,
    });
    let spoken = || SPOKEN_DURATIONS.iter().find(|(p, _)| phrase(p)).map(|(_, m)| Duration::minutes(*m));
    let by = from_entity.or_else(spoken)?;
    if by <= Duration::zero() || by > Duration::days(1) {
        return None;
    }
    Some(if later { by } else { -by })
}

/// The time from which the customer is free, when the expression at byte
/// `start` of `text` (`lower`, its own words; `value`, its reading) says
/// when they can come or stop being busy, in the same clause: "I can get
/// there by 6" or "around 6", "I can make it by 6", "I get off work at 3",
/// "i work til 5".
fn free_from(text: &str, start: usize, lower: &str, value: &EntityValue) -> Option<DateTime<FixedOffset>> {
    let opens = |leads: &[&str]| leads.iter().any(|l| lower.starts_with(l));
    let at = opens(&["by ", "at ", "around ", "about "]) || lower.starts_with(char::is_numeric);
    let till = opens(&["til ", "till ", "until ", "to "]);
    if !at && !till {
        return None;
    }
    let before = text.get(..start)?;
    let clause = normalise(before.rsplit(['.', ',', ';', '!', '?']).next().unwrap_or_default());
    let said = |phrases: &[&str]| phrases.iter().any(|p| contains_phrase(&clause, p));
    // "make it 4pm" is the time itself; "I can make it by 6" is not.
    let coming = at && said(ARRIVING) || said(&["make it"]) && opens(&["by "]);
    let until = till && said(WORKING);
    if !coming && !until {
        return None;
    }
    match value {
        EntityValue::Time { value, grain } if *grain < Grain::Day => Some(*value),
        EntityValue::Interval { to: Some(to), .. } if !lower.starts_with("at ") => Some(*to),
        _ => None,
    }
}

/// The hour itself, for a bound said with "by" that is when to come ("a
/// low cut tmrw by 11am", "friday by 12"): the customer arrives by it,
/// and in much of the English-speaking world "by 4" is simply "at 4". Not
/// when the visit must be over by then ("need to be out by 5").
fn arrival_by(text: &str, start: usize, lower: &str, value: &EntityValue) -> Option<EntityValue> {
    let EntityValue::Interval { to: Some(to), .. } = value else { return None };
    if !lower.starts_with("by ") || to.time() == NaiveTime::MIN {
        return None;
    }
    // The few words before it ("done by", "back at work by").
    let before = normalise(text.get(..start)?);
    if before.split(' ').rev().filter(|w| !w.is_empty()).take(3).any(|w| FINISHED_BY.contains(&w)) {
        return None;
    }
    Some(EntityValue::Time { value: *to, grain: Grain::Minute })
}

/// The hours on the other side of a bound turned down: from ten for
/// "before ten", until five for "after 5".
fn other_side(lower: &str, value: &EntityValue, tz: Tz) -> Option<(NaiveTime, NaiveTime)> {
    let EntityValue::Interval { from, to, .. } = value else { return None };
    if lower.starts_with("before ") || lower.starts_with("until ") || lower.starts_with("till ") {
        return Some((to.as_ref()?.with_timezone(&tz).time(), end_of_day()));
    }
    if lower.starts_with("after ") || lower.starts_with("from ") {
        let from = from.as_ref()?.with_timezone(&tz).time();
        return (from > NaiveTime::MIN).then_some((NaiveTime::MIN, from));
    }
    None
}

/// Whether "one" stands for the thing asked for ("can i get one", "book
/// me one", "the one with gel"), not for one o'clock.
fn one_is_a_thing(n: &str) -> bool {
    let words: Vec<&str> = n.split(' ').collect();
    words.iter().enumerate().any(|(i, w)| {
        *w == "one"
            && (i > 0 && ONE_THING_LEADS.contains(&words[i - 1])
                || words.get(i + 1).is_some_and(|next| matches!(*next, "of" | "for")))
    })
}

fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric() && c != '.').any(|w| w == word)
}

/// Whether the message keeps the time: "same time", "the same drop off
/// time".
fn says_same_time(n: &str) -> bool {
    let words: Vec<&str> = n.split(' ').collect();
    words.iter().enumerate().any(|(i, w)| *w == "same" && words[i + 1..].iter().take(3).any(|w| *w == "time"))
}

/// The weekday of "the tuesday after" (the day under discussion), said
/// with nothing after "after" but the end of a clause or a word that ends
/// the request ("the saturday after then").
pub(crate) fn weekday_after(text: &str) -> Option<chrono::Weekday> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    (0..words.len().saturating_sub(2)).find_map(|i| {
        let day = crate::nlu::datetime::weekday_named(&bare(words[i + 1]))?;
        let after = words[i + 2];
        let clause_ends = bare(after).len() < after.len()
            || words.get(i + 3).is_none_or(|next| ENDS_AFTER.contains(&bare(next).as_str()));
        (words[i] == "the" && bare(after) == "after" && clause_ends).then_some(day)
    })
}

/// The weekday of "a week on Monday" or "Monday week".
fn week_on(n: &str) -> Option<chrono::Weekday> {
    let words: Vec<&str> = n.split(' ').collect();
    words.iter().enumerate().find_map(|(i, w)| {
        let day = crate::nlu::datetime::weekday_named(w)?;
        let before = i >= 3 && words[i - 3..i] == ["a", "week", "on"];
        let after = words.get(i + 1) == Some(&"week") && words.get(i + 2) != Some(&"of");
        (before || after).then_some(day)
    })
}

/// "move it to the Thursday": a weekday said with "the" (in `text`, read as
/// `said`) when a booking on `booked` is being moved is that weekday of the
/// booking's week (Monday to Sunday), when that is after `today`; `None`
/// otherwise, and when the day said is a date rather than the weekday's
/// next occurrence ("the thursday the 19th").
pub(crate) fn weekday_of_booked_week(
    said: &WhenSaid,
    text: &str,
    booked: NaiveDate,
    today: NaiveDate,
) -> Option<NaiveDate> {
    weekday_of_week(said, text, booked, today, |before| before == Some("the"))
}

/// "need a cleaning wed 8/12 at 10" then "actually can we make it
/// thursday": a weekday said without "this" or "next" while the day of the
/// time asked for (`chosen`), beyond the coming week, is corrected is that
/// weekday of the chosen day's week, when that is after `today`; `None`
/// otherwise, as for [`weekday_of_booked_week`]. A day in the coming week
/// ("tuesday", then "I meant thursday not tuesday") was a weekday's next
/// occurrence, and so is its correction.
pub(crate) fn weekday_of_chosen_week(
    said: &WhenSaid,
    text: &str,
    chosen: NaiveDate,
    today: NaiveDate,
) -> Option<NaiveDate> {
    if chosen - today <= Duration::days(7) {
        return None;
    }
    weekday_of_week(said, text, chosen, today, |before| {
        !matches!(before, Some("this" | "next" | "coming" | "following"))
    })
}

/// Whether `text` gives a date ("the 19th", "3/5", "march 5"), not only a weekday.
fn says_a_date(text: &str) -> bool {
    text.contains('/')
        || normalise(text).split(' ').any(|w| {
            let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            let suffix = &w[digits.len()..];
            (!digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit())
                && crate::nlu::datetime::is_ordinal_suffix(suffix))
                || (w != "may" && crate::nlu::datetime::month_named(w).is_some())
        })
}

/// The weekday named in `text` after a word `before` accepts, as the day of
/// `of`'s week (Monday to Sunday) when the grammar read it as its next
/// occurrence, that day is after `today` and differs from both.
fn weekday_of_week(
    said: &WhenSaid,
    text: &str,
    of: NaiveDate,
    today: NaiveDate,
    before: impl Fn(Option<&str>) -> bool,
) -> Option<NaiveDate> {
    if says_a_date(text) {
        return None;
    }
    let n = normalise(text);
    let words: Vec<&str> = n.split(' ').collect();
    let weekday = words.iter().enumerate().find_map(|(i, w)| {
        let day = crate::nlu::datetime::weekday_named(w)?;
        before(i.checked_sub(1).map(|j| words[j])).then_some(day)
    })?;
    let next = said.day.filter(|d| d.weekday() == weekday && *d - today <= Duration::days(7))?;
    let monday = of - Duration::days(i64::from(of.weekday().num_days_from_monday()));
    let day = monday + Duration::days(i64::from(weekday.num_days_from_monday()));
    (day > today && day != of && day != next).then_some(day)
}

/// Words that show a time expression names a day, not just a time of day
/// ("friday", "the 12th", "this evening").
pub(crate) fn names_a_day(text: &str) -> bool {
    if DateTime::parse_from_rfc3339(text.trim()).is_ok() {
        return true;
    }
    let n = normalise(text);
    // "this evening" is today's evening.
    let today_part = ["this morning", "this afternoon", "this evening", "this arvo"];
    today_part.iter().any(|p| contains_phrase(&n, p))
        || n.split(' ').any(|w| {
            DAY_WORDS.contains(&w)
                || ["st", "nd", "rd", "th"].iter().any(|s| {
                    w.strip_suffix(s).is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
                })
        })
        || text.contains('/')
}

/// The slot value for what was said, given the time the conversation
/// already has (`previous`): a new time keeps the earlier day, "same time"
/// keeps the time, and so does a new day when it corrects the day
/// (`correcting`: "sorry I meant wednesday"). `None` when nothing about
/// when was said.
pub(crate) fn compose(
    said: &WhenSaid,
    previous: Option<&EntityValue>,
    correcting: bool,
    tz: Tz,
    now: DateTime<FixedOffset>,
) -> Option<EntityValue> {
    let previous = match previous {
        Some(EntityValue::Time { value, grain }) => {
            let local = value.with_timezone(&tz);
            Some((local.date_naive(), (*grain < Grain::Day).then(|| local.time())))
        }
        _ => None,
    };
    let week_on = said.week_on.map(|weekday| {
        let mut day = now.with_timezone(&tz).date_naive() + Duration::days(1);
        while day.weekday() != weekday {
            day += Duration::days(1);
        }
        day + Duration::days(7)
    });
    let day = week_on
        .or(said.day)
        .or_else(|| (said.time.is_some() || said.same_time || said.window.is_some()).then_some(previous?.0))
        .or(said.window_day.filter(|_| said.time.is_none()));
    // "a fortnight today, about the same time" with no time chosen yet:
    // the time it is now.
    let now_time = || {
        let local = now.with_timezone(&tz).time();
        NaiveTime::from_hms_opt(local.hour(), local.minute(), 0)
    };
    let time = said
        .time
        .or_else(|| (said.same_time || said.day.is_some() && correcting).then(|| previous?.1).flatten())
        .or_else(|| (said.same_time && said.day.is_some() && previous.is_none()).then(now_time).flatten());
    match (day, time) {
        (Some(d), Some(t)) => local_time(tz, d.and_time(t), Grain::Minute),
        (Some(d), None) => local_time(tz, d.and_time(NaiveTime::MIN), Grain::Day),
        (None, Some(t)) => match said.instant {
            Some(at) => Some(EntityValue::Time { value: at, grain: Grain::Minute }),
            // A time moved by opening hours: today's, or tomorrow's once past.
            None => {
                let today = now.with_timezone(&tz).date_naive();
                match local_time(tz, today.and_time(t), Grain::Minute)? {
                    EntityValue::Time { value, .. } if value <= now => {
                        local_time(tz, (today + Duration::days(1)).and_time(t), Grain::Minute)
                    }
                    at => Some(at),
                }
            }
        },
        (None, None) => None,
    }
}

fn local_time(tz: Tz, naive: NaiveDateTime, grain: Grain) -> Option<EntityValue> {
    let at = tz.from_local_datetime(&naive).earliest()?.fixed_offset();
    Some(EntityValue::Time { value: at, grain })
}

/// The window slot's value for what was said on `day`, if a window was said.
pub(crate) fn window_value(said: &WhenSaid, day: NaiveDate, tz: Tz) -> Option<EntityValue> {
    let (from, to) = said.window?;
    let from = tz.from_local_datetime(&day.and_time(from)).earliest()?.fixed_offset();
    let to = tz.from_local_datetime(&day.and_time(to)).latest()?.fixed_offset();
    Some(EntityValue::Interval { from: Some(from), to: Some(to), grain: Grain::Minute })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weekday_of_the_booked_week() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        // The grammar's reading of a weekday: its next occurrence after Tuesday 3 March.
        let said = |d| WhenSaid { day: Some(day(d)), ..WhenSaid::default() };
        // Booked on Tuesday 10 March, on Tuesday 3 March.
        let moved = |n, next| weekday_of_booked_week(&said(next), n, day(10), day(3));
        assert_eq!(moved("could we move it to the thursday instead same time", 5), Some(day(12)));
        assert_eq!(moved("the wednesday", 4), Some(day(11)));
        assert_eq!(moved("the monday", 9), None, "the next Monday is that week's already");
        assert_eq!(moved("move it to thursday", 5), None);
        assert_eq!(moved("the tuesday", 10), None);
        // A date said is kept ("the thursday the 19th").
        assert_eq!(moved("the thursday the 19th", 19), None);
        // A day of that week already past is not meant.
        assert_eq!(weekday_of_booked_week(&said(16), "the monday", day(10), day(9)), None);
    }

    #[test]
    fn the_weekday_of_the_chosen_week() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let said = |d| WhenSaid { day: Some(day(d)), ..WhenSaid::default() };
        // Wednesday 11 March chosen on Tuesday 3 March.
        let corrected = |n, next| weekday_of_chosen_week(&said(next), n, day(11), day(3));
        assert_eq!(corrected("actually can we make it thursday at 1 instead", 5), Some(day(12)));
        assert_eq!(corrected("the friday", 6), Some(day(13)));
        assert_eq!(corrected("this thursday", 5), None);
        assert_eq!(corrected("next thursday", 5), None);
        // A date said is kept.
        assert_eq!(corrected("thursday the 5th", 5), None);
        assert_eq!(corrected("thurs 3/5 at 1", 5), None);
        assert_eq!(corrected("thursday march 5", 5), None);
        // A day of the coming week chosen: the correction is a next occurrence too.
        assert_eq!(weekday_of_chosen_week(&said(5), "i meant thursday", day(10), day(4)), None);
    }

    #[test]
    fn an_hour_said_with_by_is_when_to_come_unless_the_visit_ends_by_it() {
        let eleven = DateTime::parse_from_rfc3339("2026-01-14T11:00:00+01:00").unwrap();
        let by_eleven = EntityValue::Interval { from: None, to: Some(eleven), grain: Grain::Second };
        let read = |text: &str| {
            let at = text.find("by ").expect("by");
            arrival_by(text, at, &text[at..].to_lowercase(), &by_eleven)
        };
        assert_eq!(
            read("low cut tmrw by 11am"),
            Some(EntityValue::Time { value: eleven, grain: Grain::Minute })
        );
        assert_eq!(
            read("friday by 11 if possible"),
            Some(EntityValue::Time { value: eleven, grain: Grain::Minute })
        );
        assert_eq!(read("I need to be done by 11am"), None);
        assert_eq!(
            read("I have to be back at work by 11"),
            None,
            "work is no word of finishing, but back is"
        );
    }

    #[test]
    fn british_weeks_on() {
        assert_eq!(week_on("a week on monday at 10"), Some(chrono::Weekday::Mon));
        assert_eq!(week_on("tuesday week 9am"), Some(chrono::Weekday::Tue));
        assert_eq!(week_on("tuesday at 9am"), None);
        assert_eq!(week_on("friday of next week"), None);
    }

    #[test]
    fn a_correction_inside_a_message_is_found() {
        let text = "wednesday at 10 - no sorry, thursday";
        let at = correction_at(text).expect("a correction");
        assert!(at > text.find("10").expect("10") && at < text.find("thursday").expect("thursday"));
        assert_eq!(correction_at("Actually can we do friday"), Some(0));
        assert_eq!(correction_at("friday at 10 please"), None);
        assert_eq!(correction_at("casino, friday"), None);
    }

    #[test]
    fn a_booking_moved_by_a_duration_or_a_week() {
        let none = Parse { intents: Vec::new(), intent: None, entities: Vec::new() };
        let shift = |text: &str| booking_shift(&none, &normalise(text));
        assert_eq!(shift("could we push it back an hour?"), Some(Duration::minutes(60)));
        assert_eq!(shift("bring it forward half an hour"), Some(Duration::minutes(-30)));
        assert_eq!(shift("same time next week?"), Some(Duration::days(7)));
        assert_eq!(shift("an hour"), None);
        assert_eq!(shift("push it back"), None);
    }
}
