//! Hours the date grammar leaves alone: "11ish", two hours offered as a
//! choice ("2 or 3, whichever's free"), a time alone in the last clause
//! ("not that one, too early for me. 11?") and a bare number when little
//! else is said ("make it 4").

use chrono::NaiveTime;

use crate::dialog::answers::is_symbol;
use crate::nlu::words::when::{AROUND_AN_HOUR, AROUND_A_CHOICE};
use crate::nlu::{EntityValue, Parse};

/// "11ish", "2ish", "noonish": an hour the grammar leaves alone.
pub(super) fn ish_hour(n: &str) -> Option<u32> {
    n.split(' ').find_map(|w| {
        let h: u32 = match w.strip_suffix("ish")?.trim_end_matches('-') {
            "noon" | "midday" => 12,
            hour => hour.parse().ok()?,
        };
        (1..=12).contains(&h).then_some(h)
    })
}

/// Two close hours offered as a choice, and little else: "2 or 3,
/// whichever's free", "4 or 5 works".
pub(super) fn hour_choice(n: &str) -> Option<(u32, u32)> {
    let words: Vec<&str> = n.split(' ').collect();
    let hour = |w: &str| w.parse::<u32>().ok().filter(|h| (1..=12).contains(h));
    let or = words.iter().position(|w| *w == "or")?;
    let first = hour(words.get(or.checked_sub(1)?)?)?;
    let last = hour(words.get(or + 1)?)?;
    let rest_ok =
        words.iter().enumerate().all(|(i, w)| (or - 1..=or + 1).contains(&i) || AROUND_A_CHOICE.contains(w));
    (words.len() <= 8 && rest_ok && last > first && last - first <= 3).then_some((first, last))
}

/// A range of close hours said with bare numbers, whatever else the
/// message says: "I'm free 1 to 2", "between 3 and 5" (not "1 to 2 hours").
pub(super) fn hour_range(n: &str) -> Option<(u32, u32)> {
    let words: Vec<&str> = n.split(' ').collect();
    let hour = |w: &str| w.parse::<u32>().ok().filter(|h| (1..=12).contains(h));
    (1..words.len().saturating_sub(1)).find_map(|i| {
        let joined = match words[i] {
            "to" | "till" | "til" | "until" => true,
            "and" => i >= 2 && words[i - 2] == "between",
            _ => false,
        };
        let (first, last) = (hour(words[i - 1])?, hour(words[i + 1])?);
        let counted = words.get(i + 2).is_some_and(|w| COUNTED.contains(w));
        (joined && !counted && last > first && last - first <= 3).then_some((first, last))
    })
}

/// An hour asked for by a verb of setting the time, wherever in the message:
/// "actually can we make that 11 instead, my wee one has football at 10",
/// "could you change it to 4.30".
pub(super) fn requested_hour(n: &str) -> Option<NaiveTime> {
    let words: Vec<&str> = n.split(' ').collect();
    let starts = |i: usize, leads: &[&str]| {
        leads
            .iter()
            .find(|l| {
                let l: Vec<&str> = l.split(' ').collect();
                words[i..].starts_with(&l)
            })
            .map(|l| i + l.split(' ').count())
    };
    (0..words.len()).find_map(|i| {
        let (at, doing) = match starts(i, SETTING_THE_TIME) {
            Some(at) => (at, false),
            None => (starts(i, DOING_AT_AN_HOUR)?, true),
        };
        // The message is normalised: "11.45" is "11 45".
        let h = words.get(at)?.parse::<u32>().ok()?;
        let m = words.get(at + 1).filter(|w| w.len() == 2).and_then(|w| w.parse::<u32>().ok());
        let next = if m.is_some() { at + 2 } else { at + 1 };
        if words.get(next).is_some_and(|w| COUNTED.contains(w)) {
            return None;
        }
        // "can you do 2 kids at once?" counts; "can we do 2 instead" sets.
        if doing && words.get(next).is_some_and(|w| !AROUND_AN_HOUR.contains(w) && *w != "same") {
            return None;
        }
        let m = m.unwrap_or(0);
        ((1..=12).contains(&h) && m < 60).then(|| NaiveTime::from_hms_opt(h, m, 0)).flatten()
    })
}

/// Words that set the time of a booking, before the hour ("make it 4").
const SETTING_THE_TIME: &[&str] =
    &["make it for", "make it", "make that", "change it to", "move it to", "push it to", "switch it to"];

/// Words that ask for an hour by doing it ("can we do 2 instead"), when
/// nothing but words around an hour follow it.
const DOING_AT_AN_HOUR: &[&str] =
    &["can we do", "could we do", "can you do", "could you do", "lets do", "say"];

/// Words that make a number a count rather than an hour ("1 to 2 hours").
const COUNTED: &[&str] = &[
    "hour", "hours", "hr", "hrs", "minutes", "mins", "min", "days", "weeks", "months", "people", "of",
    "times",
];

/// A time of day said in the message's last clause: an hour with at most a
/// few words around it ("not that one, too early for me. 11?"), or hour and
/// minutes with a dot or colon, whatever words are around them ("10.30
/// pls", "9.30 if she's got it"); not a price ("£9.30").
pub(super) fn last_clause_time(text: &str) -> Option<NaiveTime> {
    let clause = text
        .split(|c: char| matches!(c, ',' | '!' | '?' | ';') || is_symbol(c))
        .map(str::trim)
        .rfind(|c| !c.is_empty())?;
    let clause = clause.rsplit(". ").next()?;
    // "he comes home by 4 so 4.30 or 5 is fine": what follows "so" or
    // "but" is the clause that chooses.
    let raw: Vec<&str> = clause.split_whitespace().collect();
    let chooses = raw.iter().rposition(|w| matches!(w.to_lowercase().as_str(), "so" | "but"));
    let raw = match chooses {
        Some(i) if i + 1 < raw.len() => raw[i + 1..].to_vec(),
        _ => raw,
    };
    if raw.len() > MINUTES_CLAUSE_WORDS {
        return None;
    }
    let words: Vec<String> = raw
        .iter()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
        .filter(|w| !w.is_empty())
        .collect();
    let mut time = None;
    let (mut with_minutes, mut other_words) = (false, false);
    for (i, w) in words.iter().enumerate() {
        // "4.30 or 5": the first time offered.
        if time.is_some() && i > 0 && words[i - 1] == "or" {
            break;
        }
        let (h, m) = match w.split_once(['.', ':']) {
            Some((h, m)) if m.len() == 2 => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
            _ => match w.parse::<u32>() {
                Ok(h) => (h, 0),
                Err(_) if BOUNDING.contains(&w.as_str()) => return None,
                Err(_) => {
                    other_words |= !AROUND_AN_HOUR.contains(&w.as_str());
                    continue;
                }
            },
        };
        if ['$', '£', '€'].iter().any(|c| text.contains(&format!("{c}{w}"))) {
            return None;
        }
        with_minutes |= w.contains(['.', ':']);
        if time.is_some() || !(1..=12).contains(&h) || m >= 60 {
            return None;
        }
        time = NaiveTime::from_hms_opt(h, m, 0);
    }
    if !with_minutes && (other_words || words.len() > HOUR_CLAUSE_WORDS) {
        return None;
    }
    time
}

/// Words that make a time a bound or a reason, not the time asked for
/// ("i work til 3:30").
const BOUNDING: &[&str] = &[
    "til", "till", "until", "after", "before", "by", "from", "since", "work", "working", "finish", "finishes",
];

/// The most words a last clause with an hour alone has ("11 works for me").
const HOUR_CLAUSE_WORDS: usize = 6;

/// The most words a last clause with hour and minutes has ("9.30 if she's
/// got it that day").
const MINUTES_CLAUSE_WORDS: usize = 10;

/// Whether the message is an hour and a few words around it ("3 works",
/// "4 is better", "make it 4 then"), so a bare number means a time.
pub(super) fn only_an_hour(n: &str) -> bool {
    let words: Vec<&str> = n.split(' ').collect();
    let numbers = words.iter().filter(|w| w.parse::<u32>().is_ok_and(|h| (1..=12).contains(&h))).count();
    numbers == 1
        && words.len() <= 6
        && words.iter().all(|w| w.parse::<u32>().is_ok() || AROUND_AN_HOUR.contains(w))
}

/// A message's only number, when it can be a time of day: an hour ("make
/// it 4"), or an hour and minutes written with a dot ("make it 11.45").
pub(super) fn bare_number(parse: &Parse) -> Option<NaiveTime> {
    let mut numbers = parse.entities.iter().filter_map(|e| match (&e.entity[..], &e.value) {
        ("number", EntityValue::Number { value }) => Some((*value, e.text.as_str())),
        _ => None,
    });
    let (value, text) = numbers.next()?;
    if numbers.next().is_some() || !(1.0..13.0).contains(&value) {
        return None;
    }
    match text.split_once('.') {
        Some((h, m)) if m.len() == 2 => NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0),
        Some(_) => None,
        None => NaiveTime::from_hms_opt(value as u32, 0, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_alone_in_the_last_clause() {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(last_clause_time("not that one, too early for me. 11?"), at(11, 0));
        assert_eq!(last_clause_time("10.30 pls"), at(10, 30));
        assert_eq!(last_clause_time("maybe not 4, it's halloween 🎃 can we do 11 instead"), at(11, 0));
        assert_eq!(last_clause_time("how about 4:15 then"), at(4, 15));
        assert_eq!(last_clause_time("saturday morning? 10 if you've got it"), at(10, 0));
        assert_eq!(last_clause_time("table for 4 people"), None);
        assert_eq!(last_clause_time("I have 2 kids, 3 and 5"), None);
        assert_eq!(last_clause_time("it's 2.5 miles away"), None);
        assert_eq!(last_clause_time("friday week? 9.30 if she's got it"), at(9, 30));
        assert_eq!(last_clause_time("he comes home by 4 so 4.30 or 5 is fine"), at(4, 30));
        assert_eq!(last_clause_time("I work till 5 but 6 is ok"), at(6, 0));
    }

    #[test]
    fn an_hour_set_by_a_verb_of_setting_it() {
        let at = |h, m| NaiveTime::from_hms_opt(h, m, 0);
        assert_eq!(
            requested_hour("actually can we make that 11 instead my wee one has football at 10"),
            at(11, 0)
        );
        assert_eq!(requested_hour("could you change it to 4 30"), at(4, 30));
        assert_eq!(requested_hour("can we make it 11 45 instead school pickup is later"), at(11, 45));
        assert_eq!(requested_hour("make it 2 hours"), None);
        assert_eq!(requested_hour("shoot a party can we do 2 instead same day"), at(2, 0));
        assert_eq!(requested_hour("can you do 2 kids at once"), None);
        assert_eq!(requested_hour("push it back to later in the afternoon say 4"), at(4, 0));
        assert_eq!(requested_hour("say 3 people"), None);
        assert_eq!(requested_hour("make it thursday"), None);
        assert_eq!(last_clause_time("wednesday sometime after 4, i work til 3:30"), None);
        assert_eq!(last_clause_time("is it still £9.30 for a fringe"), None);
        assert_eq!(
            last_clause_time("ok 11 if the doctor has it"),
            None,
            "an hour alone needs few other words"
        );
    }

    #[test]
    fn two_hours_offered_as_a_choice() {
        assert_eq!(hour_choice("2 or 3 whichever's free"), Some((2, 3)));
        assert_eq!(hour_choice("4 or 5 works"), Some((4, 5)));
        assert_eq!(hour_choice("3 or 2"), None);
        assert_eq!(hour_choice("table for 2 or 3 people"), None);
    }

    #[test]
    fn a_range_of_close_hours_whatever_else_is_said() {
        assert_eq!(hour_range("need a quick trim on my lunch break tmrw im free 1 to 2"), Some((1, 2)));
        assert_eq!(hour_range("anytime between 3 and 5"), Some((3, 5)));
        assert_eq!(hour_range("it takes 1 to 2 hours"), None);
        assert_eq!(hour_range("from 5 to 2"), None);
        assert_eq!(hour_range("i have 3 and 5 year olds"), None);
        assert_eq!(ish_hour("today noonish"), Some(12));
    }

    #[test]
    fn a_bare_hour_only_with_a_few_words_around_it() {
        assert!(only_an_hour("3 works"));
        assert!(only_an_hour("make it 4 then"));
        assert!(!only_an_hour("table for 4 people"));
        assert!(!only_an_hour("3 4"));
    }
}
