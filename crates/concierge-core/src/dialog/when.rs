//! What a message says about when, read as a whole: a day, a time of day, a
//! window ("morning", "before 11", "after work") and whether the time was
//! approximate ("around 5:30", "11ish"), composed with what the
//! conversation already knows ("ok tuesday then, same time", "make it 4").
//!
//! The date grammar finds each expression on its own; this module puts the
//! pieces of one message together, reads a bare hour by the business's
//! opening hours (a "2" at a salon open 9 to 7 is 2 pm) and merges the
//! result with the day or time chosen earlier.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike,
};
use chrono_tz::Tz;

use super::answers::{contains_phrase, normalise};
use crate::nlu::datetime::Grain;
use crate::nlu::{EntityValue, Parse};
use crate::spec::WeeklyHours;

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

/// Words that mark a time as approximate.
const APPROXIMATE: &[&str] =
    &["around", "about", "roughly", "approximately", "approx", "ish", "or so", "like", "abt"];

/// Words that say which half of the day a time is in.
const MERIDIEM: &[&str] = &[
    "am",
    "pm",
    "a.m",
    "p.m",
    "morning",
    "afternoon",
    "evening",
    "night",
    "tonight",
    "noon",
    "midday",
    "midnight",
];

/// Reads the datetime entities of `parse` (and a bare number when
/// `bare_hour` allows it) as one statement about when. A correction inside
/// the message ("wednesday at 10 - no sorry, thursday") keeps what follows
/// it, and what it does not change from before it (10 o'clock).
pub(crate) fn read(parse: &Parse, text: &str, tz: Tz, hours: &WeeklyHours, bare_hour: bool) -> WhenSaid {
    let Some(at) = correction_at(text) else {
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

/// Where the last correction inside a message starts ("no sorry,", "I
/// meant", "actually"), as a byte offset into `text`.
fn correction_at(text: &str) -> Option<usize> {
    const MARKERS: &[&str] = &[
        "no sorry",
        "no,",
        "sorry,",
        "i mean",
        "i meant",
        "actually",
        "scratch that",
        "make that",
        "or rather",
    ];
    let lower = text.to_lowercase().replace('’', "'");
    if lower.len() != text.len() {
        return None;
    }
    MARKERS
        .iter()
        .filter_map(|m| {
            lower
                .match_indices(m)
                .map(|(i, _)| i)
                .filter(|&i| i == 0 || !lower[..i].ends_with(char::is_alphanumeric))
                .last()
        })
        .max()
}

fn read_all(parse: &Parse, text: &str, tz: Tz, hours: &WeeklyHours, bare_hour: bool) -> WhenSaid {
    let mut said = WhenSaid::default();
    let n = normalise(text);
    let phrase = |p: &str| contains_phrase(&n, p);
    said.same_time = phrase("same time") || phrase("the same time");
    let mut explicit_meridiem = false;
    // A time written with digits ("at 11") is taken before one in words
    // ("one for next tuesday").
    // Digits of a phone number are not a time.
    let phones: Vec<(usize, usize)> =
        parse.entities.iter().filter(|e| e.entity == "phone").map(|e| (e.start, e.end)).collect();
    let in_phone = |e: &&crate::nlu::Entity| phones.iter().any(|(s, end)| e.start < *end && e.end > *s);
    let mut entities: Vec<_> =
        parse.entities.iter().filter(|e| e.entity == "datetime").filter(|e| !in_phone(e)).collect();
    entities.sort_by_key(|e| !e.text.chars().any(|c| c.is_ascii_digit()));
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
        if ruled_out(text, e.start) || turned_down_after(text, e.end) || busy_then(text, e.start) {
            // "thursday not tuesday", "I've got a wedding on Sunday": a
            // time turned down or taken says nothing about the booking.
            continue;
        }
        let names_day = names_a_day(&e.text);
        let lower = e.text.to_lowercase();
        match &e.value {
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
    if said.window.is_none() {
        said.window = part_of_day(&n);
    }
    if let (Some((from, to)), Some((early, late))) = (said.window, early_or_late(&n)) {
        // "late morning": the later part of the morning.
        said.window = Some((from.max(early), to.min(late)));
    }
    said.week_on = week_on(&n);
    // "2 or 3, whichever's free": from the first hour to the second.
    let mut choice_hours = None;
    if said.time.is_none() && phones.is_empty() {
        if let Some((first, last)) = hour_choice(&n) {
            said.time = NaiveTime::from_hms_opt(first, 0, 0);
            choice_hours = Some(last - first);
        }
    }
    // "not that one, too early for me. 11?", "10.30 pls": a time alone in
    // the last clause.
    if said.time.is_none() && phones.is_empty() {
        said.time = last_clause_time(text);
    }
    if said.time.is_none() {
        let bare_hour = phones.is_empty() && (bare_hour || only_an_hour(&n));
        if let Some(h) = ish_hour(&n).or_else(|| bare_hour.then(|| bare_number(parse)).flatten()) {
            said.time = NaiveTime::from_hms_opt(h, 0, 0);
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
    const SPOKEN: &[(&str, i64)] = &[
        ("an hour and a half", 90),
        ("hour and a half", 90),
        ("half an hour", 30),
        ("half hour", 30),
        ("an hour", 60),
        ("a hour", 60),
        ("one hour", 60),
        ("two hours", 120),
        ("a couple of hours", 120),
        ("a couple hours", 120),
        ("quarter of an hour", 15),
        ("a quarter hour", 15),
    ];
    let spoken = || SPOKEN.iter().find(|(p, _)| phrase(p)).map(|(_, m)| Duration::minutes(*m));
    let by = from_entity.or_else(spoken)?;
    if by <= Duration::zero() || by > Duration::days(1) {
        return None;
    }
    Some(if later { by } else { -by })
}

/// Whether the expression starting at byte `start` of `text` is turned
/// down: "not tuesday", "instead of 3", "rather than friday", "can't do monday".
fn ruled_out(text: &str, start: usize) -> bool {
    const NEGATIONS: &[&str] =
        &["not", "instead of", "rather than", "can't do", "cant do", "cannot do", "can't make", "cant make"];
    let Some(before) = text.get(..start) else { return false };
    let before = normalise(before);
    NEGATIONS.iter().any(|n| before.ends_with(&format!(" {n}")) || before == *n)
}

/// Whether the expression starting at byte `start` of `text` says when the
/// customer is taken by something else, in its own clause: "I've got a
/// wedding on Sunday", "forgot I have my scan on thursday", "i have to grab
/// my kids at 3", "I'm away on Friday". Having time ("I've got Friday off",
/// "I have time on Monday") is no such thing.
fn busy_then(text: &str, start: usize) -> bool {
    const BUSY: &[&str] =
        &["i'm away", "im away", "i'm busy", "im busy", "i'm working", "im working", "i work"];
    const HAVE: &[&str] = &["i have", "i've got", "ive got", "i got", "we have", "we've got"];
    // "could I have a cut on friday" asks for it.
    const ASKING: &[&str] = &["can", "could", "may", "might", "would", "will", "do", "shall", "should", "to"];
    const FREE: &[&str] = &[
        "time",
        "free",
        "off",
        "available",
        "availability",
        "nothing",
        "opening",
        "space",
        "gap",
        "window",
        "been",
    ];
    const CLAUSE_ENDS: &[&str] = &["so", "but", "and", "because", "cause", "cos", "then"];
    let Some(before) = text.get(..start) else { return false };
    let clause = before.rsplit(['.', ',', ';', '!', '?', '-']).next().unwrap_or_default();
    let words: Vec<String> = normalise(clause).split(' ').map(str::to_string).collect();
    let words = match words.iter().rposition(|w| CLAUSE_ENDS.contains(&w.as_str())) {
        Some(i) => &words[i + 1..],
        None => &words[..],
    };
    let clause = words.join(" ");
    let lead_end = |leads: &[&str]| {
        leads
            .iter()
            .filter_map(|l| {
                let at = clause.find(l)?;
                let whole = (at == 0 || clause.as_bytes()[at - 1] == b' ')
                    && clause[at + l.len()..].chars().next().is_none_or(|c| c == ' ');
                let asked = clause[..at].split_whitespace().last().is_some_and(|w| ASKING.contains(&w));
                (whole && !asked).then_some(at + l.len())
            })
            .max()
    };
    if lead_end(BUSY).is_some() {
        return true;
    }
    let Some(end) = lead_end(HAVE) else { return false };
    let object: Vec<&str> = clause[end..]
        .split_whitespace()
        .filter(|w| !matches!(*w, "on" | "at" | "this" | "that" | "next" | "a" | "an" | "the" | "to"))
        .collect();
    !object.is_empty() && !object.iter().any(|w| FREE.contains(w))
}

/// Whether the expression ending at byte `end` of `text` is turned down by
/// what follows it: "wednesday doesn't work after all", "3 is no good".
fn turned_down_after(text: &str, end: usize) -> bool {
    const REFUSALS: &[&str] = &[
        "doesn't work",
        "doesnt work",
        "does not work",
        "won't work",
        "wont work",
        "is no good",
        "isn't good",
        "is not good",
        "is out",
        "is bad",
        "doesn't suit",
        "doesnt suit",
    ];
    let Some(after) = text.get(end..) else { return false };
    let after = normalise(after);
    REFUSALS.iter().any(|r| after.starts_with(r) || after.starts_with(&format!("after all {r}")))
}

/// Where "end of the day" starts.
const LATE_IN_DAY: NaiveTime = match NaiveTime::from_hms_opt(17, 0, 0) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// The last moment of a day, as an exclusive window end.
fn end_of_day() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time")
}

/// Whether a time expression says am or pm: "3pm", "10 in the morning",
/// "noon", or a 24-hour time ("17:00").
fn says_half_of_day(lower: &str) -> bool {
    lower.split(|c: char| !c.is_alphanumeric() && c != '.' && c != ':').any(|w| {
        let unit = w.trim_start_matches(|c: char| c.is_ascii_digit() || c == ':' || c == '.');
        let hour: Option<u32> = w.split([':', '.']).next().and_then(|h| h.parse().ok());
        MERIDIEM.contains(&unit) || MERIDIEM.contains(&w) || hour.is_some_and(|h| (13..=24).contains(&h))
    })
}

fn has_word(text: &str, word: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric() && c != '.').any(|w| w == word)
}

/// A part of the day named on its own ("saturday? morning ideally"), which
/// the grammar leaves alone inside a sentence; "good morning" is a greeting.
fn part_of_day(n: &str) -> Option<(NaiveTime, NaiveTime)> {
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
fn early_or_late(n: &str) -> Option<(NaiveTime, NaiveTime)> {
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

/// "11ish", "2ish": an hour the grammar leaves alone.
fn ish_hour(n: &str) -> Option<u32> {
    n.split(' ').find_map(|w| {
        let h: u32 = w.strip_suffix("ish")?.trim_end_matches('-').parse().ok()?;
        (1..=12).contains(&h).then_some(h)
    })
}

/// Two close hours offered as a choice, and little else: "2 or 3,
/// whichever's free", "4 or 5 works".
fn hour_choice(n: &str) -> Option<(u32, u32)> {
    const AROUND: &[&str] = &[
        "whichever",
        "whichever's",
        "whichevers",
        "either",
        "free",
        "open",
        "available",
        "works",
        "work",
        "is",
        "fine",
        "ok",
        "okay",
        "good",
        "then",
        "please",
        "pls",
        "at",
        "maybe",
        "around",
        "ish",
        "about",
        "like",
    ];
    let words: Vec<&str> = n.split(' ').collect();
    let hour = |w: &str| w.parse::<u32>().ok().filter(|h| (1..=12).contains(h));
    let or = words.iter().position(|w| *w == "or")?;
    let first = hour(words.get(or.checked_sub(1)?)?)?;
    let last = hour(words.get(or + 1)?)?;
    let rest_ok = words.iter().enumerate().all(|(i, w)| (or - 1..=or + 1).contains(&i) || AROUND.contains(w));
    (words.len() <= 8 && rest_ok && last > first && last - first <= 3).then_some((first, last))
}

/// A time of day (an hour, or hour and minutes with a dot or colon) said
/// with at most a few words around it in the message's last clause: "not
/// that one, too early for me. 11?", "10.30 pls".
fn last_clause_time(text: &str) -> Option<NaiveTime> {
    let clause = text
        .split(|c: char| matches!(c, ',' | '!' | '?' | ';') || super::answers::is_symbol(c))
        .map(str::trim)
        .rfind(|c| !c.is_empty())?;
    let clause = clause.rsplit(". ").next()?;
    let words: Vec<String> = clause
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    if words.len() > 6 {
        return None;
    }
    let mut time = None;
    for w in &words {
        let (h, m) = match w.split_once(['.', ':']) {
            Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
            _ => match w.parse::<u32>() {
                Ok(h) => (h, 0),
                Err(_) if AROUND_AN_HOUR.contains(&w.as_str()) => continue,
                Err(_) => return None,
            },
        };
        if time.is_some() || !(1..=12).contains(&h) || m >= 60 {
            return None;
        }
        time = NaiveTime::from_hms_opt(h, m, 0);
    }
    time
}

/// Words that may stand around an hour said alone ("3 works", "make it 4
/// then").
const AROUND_AN_HOUR: &[&str] = &[
    "works", "work", "is", "fine", "ok", "okay", "good", "then", "please", "pls", "better", "instead",
    "make", "it", "how", "about", "what", "at", "actually", "maybe", "perhaps", "would", "be", "great",
    "perfect", "could", "we", "do", "say", "lets", "let's", "can", "you", "i", "rather", "prefer", "for",
    "me", "oh", "ah", "hmm", "um", "sorry", "no", "wait", "ideally", "around", "like", "ish",
];

/// Whether the message is an hour and a few words around it ("3 works",
/// "4 is better", "make it 4 then"), so a bare number means a time.
fn only_an_hour(n: &str) -> bool {
    let words: Vec<&str> = n.split(' ').collect();
    let numbers = words.iter().filter(|w| w.parse::<u32>().is_ok_and(|h| (1..=12).contains(&h))).count();
    numbers == 1
        && words.len() <= 6
        && words.iter().all(|w| w.parse::<u32>().is_ok() || AROUND_AN_HOUR.contains(w))
}

/// A message's only number, when it can be an hour ("make it 4").
fn bare_number(parse: &Parse) -> Option<u32> {
    let mut numbers = parse.entities.iter().filter_map(|e| match (&e.entity[..], &e.value) {
        ("number", EntityValue::Number { value }) => Some(*value),
        _ => None,
    });
    let value = numbers.next()?;
    let hour = value as u32;
    (numbers.next().is_none() && value.fract() == 0.0 && (1.0..=12.0).contains(&value)).then_some(hour)
}

/// A time given without am or pm, moved to the half of the day when the
/// business is open ("2" is 2 pm at a salon open 9 to 7).
fn by_opening_hours(time: NaiveTime, day: Option<NaiveDate>, hours: &WeeklyHours) -> NaiveTime {
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

/// Words that show a time expression names a day, not just a time of day.
pub(crate) fn names_a_day(text: &str) -> bool {
    if DateTime::parse_from_rfc3339(text.trim()).is_ok() {
        return true;
    }
    const DAY_WORDS: &[&str] = &[
        "today",
        "tomorrow",
        "tmrw",
        "tmr",
        "tonight",
        "yesterday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "mon",
        "tue",
        "tues",
        "wed",
        "weds",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
        "week",
        "day",
        "weekend",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ];
    let n = normalise(text);
    n.split(' ').any(|w| {
        DAY_WORDS.contains(&w)
            || ["st", "nd", "rd", "th"].iter().any(|s| {
                w.strip_suffix(s).is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
            })
    }) || text.contains('/')
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
    let time = said
        .time
        .or_else(|| (said.same_time || said.day.is_some() && correcting).then(|| previous?.1).flatten());
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
    fn british_weeks_on() {
        assert_eq!(week_on("a week on monday at 10"), Some(chrono::Weekday::Mon));
        assert_eq!(week_on("tuesday week 9am"), Some(chrono::Weekday::Tue));
        assert_eq!(week_on("tuesday at 9am"), None);
        assert_eq!(week_on("friday of next week"), None);
    }

    #[test]
    fn a_time_alone_in_the_last_clause() {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(last_clause_time("not that one, too early for me. 11?"), at(11, 0));
        assert_eq!(last_clause_time("10.30 pls"), at(10, 30));
        assert_eq!(last_clause_time("maybe not 4, it's halloween 🎃 can we do 11 instead"), at(11, 0));
        assert_eq!(last_clause_time("how about 4:15 then"), at(4, 15));
        assert_eq!(last_clause_time("table for 4 people"), None);
        assert_eq!(last_clause_time("I have 2 kids, 3 and 5"), None);
        assert_eq!(last_clause_time("it's 2.5 miles away"), None);
    }

    #[test]
    fn two_hours_offered_as_a_choice() {
        assert_eq!(hour_choice("2 or 3 whichever's free"), Some((2, 3)));
        assert_eq!(hour_choice("4 or 5 works"), Some((4, 5)));
        assert_eq!(hour_choice("3 or 2"), None);
        assert_eq!(hour_choice("table for 2 or 3 people"), None);
    }

    #[test]
    fn a_bare_hour_only_with_a_few_words_around_it() {
        assert!(only_an_hour("3 works"));
        assert!(only_an_hour("make it 4 then"));
        assert!(!only_an_hour("table for 4 people"));
        assert!(!only_an_hour("3 4"));
    }

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
    fn a_day_turned_down_after_it_is_named() {
        let text = "shoot, wednesday doesn't work after all. can we move it?";
        let end = text.find("wednesday").expect("day") + "wednesday".len();
        assert!(turned_down_after(text, end));
        assert!(!turned_down_after("wednesday works for me", "wednesday".len()));
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
    fn a_time_taken_by_something_else_is_busy() {
        let busy = |text: &str, at: &str| busy_then(text, text.find(at).expect("in the text"));
        assert!(busy("my mate said cupping leaves marks and I've got a wedding on Sunday lol", "Sunday"));
        assert!(busy("can I move that to Friday same time? forgot I have my scan on thursday", "thursday"));
        assert!(busy("how long does that take? i have to grab my kids at 3", "3"));
        assert!(busy("I'm away on Friday", "Friday"));
        assert!(!busy("can I move that to Friday same time? forgot I have my scan on thursday", "Friday"));
        assert!(!busy("I've got Friday off, can I come in then?", "Friday"));
        assert!(!busy("I have time on Monday morning", "Monday"));
        assert!(!busy("I have two kids, can I book them both on Saturday?", "Saturday"));
        assert!(!busy("I have a wedding so I need a blow-dry on Friday", "Friday"));
        assert!(!busy("could I have a cut on Friday", "Friday"));
        assert!(!busy("I have been meaning to book for Friday", "Friday"));
    }

    #[test]
    fn a_day_turned_down_is_ruled_out() {
        let text = "sorry i meant thursday not tuesday";
        assert!(ruled_out(text, text.find("tuesday").expect("tuesday")));
        assert!(!ruled_out(text, text.find("thursday").expect("thursday")));
        let text = "can't do monday, how about wednesday";
        assert!(ruled_out(text, text.find("monday").expect("monday")));
        assert!(!ruled_out(text, text.find("wednesday").expect("wednesday")));
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

    #[test]
    fn bare_hours_follow_opening_hours() {
        let hours: WeeklyHours = serde_yaml::from_str("tuesday: [\"09:00-19:00\"]").expect("hours");
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).expect("hour");
        assert_eq!(by_opening_hours(t(2), None, &hours), t(14));
        assert_eq!(by_opening_hours(t(10), None, &hours), t(10));
        assert_eq!(by_opening_hours(t(12), None, &hours), t(12));
    }
}
