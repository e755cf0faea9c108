//! English words for numbers, ordinals, months, weekdays and time units.

use chrono::Weekday;

use super::Grain;

/// "one" -> 1 ... "nineteen" -> 19, and the tens "twenty" ... "ninety".
pub(crate) fn cardinal(word: &str) -> Option<u32> {
    Some(match word {
        "zero" | "nil" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" | "fourty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// "first" -> 1 ... "nineteenth", "twentieth", "thirtieth".
pub(crate) fn ordinal(word: &str) -> Option<u32> {
    Some(match word {
        "first" => 1,
        "second" => 2,
        "third" => 3,
        "fourth" => 4,
        "fifth" => 5,
        "sixth" => 6,
        "seventh" => 7,
        "eighth" => 8,
        "ninth" => 9,
        "tenth" => 10,
        "eleventh" => 11,
        "twelfth" => 12,
        "thirteenth" => 13,
        "fourteenth" => 14,
        "fifteenth" => 15,
        "sixteenth" => 16,
        "seventeenth" => 17,
        "eighteenth" => 18,
        "nineteenth" => 19,
        "twentieth" => 20,
        "thirtieth" => 30,
        _ => return None,
    })
}

/// Suffixes written after digits to make an ordinal ("1st", "22nd").
pub(crate) fn is_ordinal_suffix(word: &str) -> bool {
    matches!(word, "st" | "nd" | "rd" | "th")
}

/// Month names and abbreviations, 1-based.
pub(crate) fn month(word: &str) -> Option<u32> {
    Some(match word {
        "january" | "jan" => 1,
        "february" | "feb" | "febr" => 2,
        "march" | "mar" => 3,
        "april" | "apr" => 4,
        "may" => 5,
        "june" | "jun" => 6,
        "july" | "jul" => 7,
        "august" | "aug" => 8,
        "september" | "sep" | "sept" => 9,
        "october" | "oct" => 10,
        "november" | "nov" => 11,
        "december" | "dec" => 12,
        _ => return None,
    })
}

/// Weekday names, abbreviations and plurals ("mondays").
pub(crate) fn weekday(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" | "mon" | "mondays" => Weekday::Mon,
        "tuesday" | "tue" | "tues" | "tuesdays" => Weekday::Tue,
        "wednesday" | "wed" | "weds" | "wednesdays" => Weekday::Wed,
        "thursday" | "thu" | "thur" | "thurs" | "thursdays" => Weekday::Thu,
        "friday" | "fri" | "fridays" => Weekday::Fri,
        "saturday" | "sat" | "saturdays" => Weekday::Sat,
        "sunday" | "sun" | "sundays" => Weekday::Sun,
        _ => return misspelt_weekday(word),
    })
}

/// A weekday written with a typo ("fryday", "wensday", "thrusday"): within
/// one edit of its full name, two from eight letters (of the word, or of
/// the name when the word has six).
fn misspelt_weekday(word: &str) -> Option<Weekday> {
    const NAMES: [(&str, Weekday); 7] = [
        ("monday", Weekday::Mon),
        ("tuesday", Weekday::Tue),
        ("wednesday", Weekday::Wed),
        ("thursday", Weekday::Thu),
        ("friday", Weekday::Fri),
        ("saturday", Weekday::Sat),
        ("sunday", Weekday::Sun),
    ];
    let length = word.chars().count();
    if length < 5 || !word.ends_with("day") && !word.ends_with("dy") {
        return None;
    }
    // "wensday" is two edits from "wednesday": a long name allows two.
    let mut close = NAMES.iter().filter(|(name, _)| {
        let budget = if length >= 8 || length >= 6 && name.len() >= 8 { 2 } else { 1 };
        crate::nlu::entities::bounded_distance(word, name, budget).is_some()
    });
    match (close.next(), close.next()) {
        (Some((_, day)), None) => Some(*day),
        _ => None,
    }
}

/// Weekday abbreviations that are also common English words.
pub(crate) fn is_ambiguous_weekday(word: &str) -> bool {
    matches!(word, "sun" | "sat" | "wed" | "mon")
}

/// Units of duration ("minutes", "hrs", "h").
pub(crate) fn unit(word: &str) -> Option<Grain> {
    Some(match word {
        "second" | "seconds" | "sec" | "secs" | "s" => Grain::Second,
        "minute" | "minutes" | "min" | "mins" | "mn" | "m" => Grain::Minute,
        "hour" | "hours" | "hr" | "hrs" | "h" => Grain::Hour,
        "day" | "days" | "d" => Grain::Day,
        "week" | "weeks" | "wk" | "wks" | "w" => Grain::Week,
        "month" | "months" | "mo" | "mos" => Grain::Month,
        "quarter" | "quarters" | "qtr" | "qtrs" | "q" => Grain::Quarter,
        "year" | "years" | "yr" | "yrs" | "y" => Grain::Year,
        _ => return None,
    })
}

/// Units that are single letters and so only count right after a number.
pub(crate) fn is_short_unit(word: &str) -> bool {
    matches!(word, "s" | "m" | "h" | "d" | "w" | "y" | "q" | "mo")
}

/// Time zone abbreviations and their offsets east of UTC, in seconds.
pub(crate) fn zone(word: &str) -> Option<i32> {
    let hours = |h: i32| h * 3600;
    Some(match word {
        "utc" | "gmt" | "z" => 0,
        "bst" | "cet" => hours(1),
        "cest" | "eet" | "sast" => hours(2),
        "eest" | "msk" => hours(3),
        "ist" => hours(5) + 1800,
        "sgt" | "hkt" | "awst" => hours(8),
        "jst" | "kst" => hours(9),
        "aest" => hours(10),
        "aedt" => hours(11),
        "nzst" => hours(12),
        "nzdt" => hours(13),
        "ast" | "edt" => hours(-4),
        "est" | "cdt" => hours(-5),
        "cst" | "mdt" => hours(-6),
        "mst" | "pdt" => hours(-7),
        "pst" | "akdt" => hours(-8),
        "akst" => hours(-9),
        "hst" => hours(-10),
        _ => return None,
    })
}

/// Nouns a number labels rather than counts or dates: "class 7", "room 4",
/// "9th std", "the 2nd floor". A number right after one, or an ordinal
/// right before one, is no time or day.
pub(crate) fn is_label_noun(word: &str) -> bool {
    const LABELS: &[&str] = &[
        "class",
        "grade",
        "std",
        "standard",
        "form",
        "yr",
        "room",
        "table",
        "size",
        "level",
        "unit",
        "chapter",
        "page",
        "gate",
        "platform",
        "bus",
        "route",
        "apt",
        "apartment",
        "suite",
        "flat",
        "aisle",
        "bay",
        "ward",
        "bed",
        "floor",
        "row",
        "seat",
        "stage",
        "step",
        "phase",
        "lesson",
        "sem",
        "semester",
        "puc",
        "grader",
        "graders",
        "birthday",
        "anniversary",
        "attempt",
        "place",
        "edition",
        "generation",
        "gen",
        "century",
        "storey",
        "story",
        "visit",
        "session",
        "kid",
        "child",
        "baby",
        "pregnancy",
        "trimester",
        "dose",
        "jab",
        "booster",
    ];
    LABELS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_map_to_values() {
        assert_eq!(cardinal("fourteen"), Some(14));
        assert_eq!(ordinal("twelfth"), Some(12));
        assert_eq!(month("sept"), Some(9));
        assert_eq!(weekday("thurs"), Some(Weekday::Thu));
        assert_eq!(unit("hrs"), Some(Grain::Hour));
        assert_eq!(unit("banana"), None);
    }
}
