//! Behaviour tests: booking phrases resolved against a fixed reference,
//! options, robustness, and accuracy floors on the public corpora.
//!
//! Over 600 lines on purpose: one table of phrases and their readings, best
//! read (and updated with `UPDATE_EXPECT=1`) in one place.

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use expect_test::{expect, Expect};

use super::corpus::{evaluate, parse_example, Example};
use super::*;

/// Wednesday 18 March 2026, 10:15.
fn wednesday() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 18).and_then(|d| d.and_hms_opt(10, 15, 0)).unwrap()
}

/// Duckling's reference: Tuesday 12 February 2013, 04:30.
pub(super) fn duckling_reference() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2013, 2, 12).and_then(|d| d.and_hms_opt(4, 30, 0)).unwrap()
}

fn salon() -> DateTimeOptions {
    DateTimeOptions {
        prefer_future: false,
        day_first: false,
        half_before_hour: false,
        business_hours: Some((
            NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            NaiveTime::from_hms_opt(19, 0, 0).unwrap(),
        )),
    }
}

fn grain(g: Grain) -> &'static str {
    match g {
        Grain::Second => "second",
        Grain::Minute => "minute",
        Grain::Hour => "hour",
        Grain::Day => "day",
        Grain::Week => "week",
        Grain::Month => "month",
        Grain::Quarter => "quarter",
        Grain::Year => "year",
    }
}

fn render(text: &str, now: NaiveDateTime, options: &DateTimeOptions) -> String {
    let bound = |b: &Option<(NaiveDateTime, Grain)>| match b {
        Some((t, g)) => format!("{} {}", t.format("%Y-%m-%d %H:%M:%S"), grain(*g)),
        None => "open".to_string(),
    };
    parse(text, now, options)
        .iter()
        .map(|m| {
            let value = match &m.value {
                TimeValue::Instant { value, grain: g } => {
                    format!("{} {}", value.format("%Y-%m-%d %H:%M:%S"), grain(*g))
                }
                TimeValue::Interval { from, to } => format!("[{}, {})", bound(from), bound(to)),
                TimeValue::Duration { seconds } => format!("duration {seconds}s"),
            };
            format!("{:?} = {value}\n", &text[m.start..m.end])
        })
        .collect()
}

pub(super) fn check(texts: &[&str], now: NaiveDateTime, options: &DateTimeOptions, expect: Expect) {
    let actual: String = texts.iter().map(|t| format!("{t}\n{}", indent(&render(t, now, options)))).collect();
    expect.assert_eq(&actual);
}

fn indent(s: &str) -> String {
    if s.is_empty() {
        return "  (nothing)\n".to_string();
    }
    s.lines().map(|l| format!("  {l}\n")).collect()
}

#[test]
fn finds_the_expression_inside_a_booking_sentence() {
    check(
        &[
            "I'd like to book a women's haircut tomorrow at 3pm",
            "Can I come in next Friday at 10:30am please?",
            "3pm tomorrow works for me",
            "do you have anything on Saturday morning?",
            "my number is +1 415 555 0100 and it costs $65",
            "a table for 2 at 7",
            "I have 3 kids, is that ok?",
            "on second thought, make it morning 10",
            "that's all for now, thanks",
        ],
        wednesday(),
        &DateTimeOptions::default(),
        expect![[r#"
            I'd like to book a women's haircut tomorrow at 3pm
              "tomorrow at 3pm" = 2026-03-19 15:00:00 hour
            Can I come in next Friday at 10:30am please?
              "in next Friday at 10:30am" = 2026-03-27 10:30:00 minute
            3pm tomorrow works for me
              "3pm tomorrow" = 2026-03-19 15:00:00 hour
            do you have anything on Saturday morning?
              "on Saturday morning" = [2026-03-21 00:00:00 hour, 2026-03-21 12:00:00 hour)
            my number is +1 415 555 0100 and it costs $65
              (nothing)
            a table for 2 at 7
              "at 7" = 2026-03-18 19:00:00 hour
            I have 3 kids, is that ok?
              (nothing)
            on second thought, make it morning 10
              "morning 10" = 2026-03-18 10:00:00 hour
            that's all for now, thanks
              (nothing)
        "#]],
    );
}

#[test]
fn for_a_week_or_a_fortnight_on_is_a_day_not_a_stay() {
    check(
        &[
            "book me in for a fortnight today, same time",
            "for a week on friday",
            "for a week",
            "for 10 days from 18th Dec",
        ],
        wednesday(),
        &salon(),
        expect![[r#"
            book me in for a fortnight today, same time
              "for a fortnight today" = 2026-04-01 00:00:00 day
            for a week on friday
              "for a week on friday" = 2026-03-27 00:00:00 day
            for a week
              "for a week" = duration 604800s
            for 10 days from 18th Dec
              "for 10 days from 18th Dec" = [2026-12-18 00:00:00 day, 2026-12-29 00:00:00 day)
        "#]],
    );
}

#[test]
fn numbers_that_label_something_are_no_times_or_days() {
    check(
        &[
            "maths for my son class 7 on monday evening 6 pm",
            "my son is in 9th std, he needs help",
            "we're on the 2nd floor",
            "on the 9th at 4",
            "tomorrow morning itself, 10 or 10.30",
        ],
        wednesday(),
        &salon(),
        expect![[r#"
            maths for my son class 7 on monday evening 6 pm
              "on monday evening 6 pm" = 2026-03-23 18:00:00 hour
            my son is in 9th std, he needs help
              (nothing)
            we're on the 2nd floor
              (nothing)
            on the 9th at 4
              "on the 9th at 4" = 2026-04-09 16:00:00 hour
            tomorrow morning itself, 10 or 10.30
              "tomorrow morning itself, 10" = 2026-03-19 10:00:00 hour
        "#]],
    );
}

#[test]
fn absolute_and_relative_dates() {
    check(
        &[
            "2/15",
            "15th of February",
            "Feb 15 2014",
            "2014-02-15",
            "today",
            "tomorrow",
            "yesterday",
            "the day after tomorrow",
            "Friday",
            "this Friday",
            "next Friday",
            "last Friday",
            "next week",
            "in 3 days",
            "2 weeks ago",
            "the 5th",
            "on the 25th",
        ],
        wednesday(),
        &DateTimeOptions::default(),
        expect![[r#"
            2/15
              "2/15" = 2027-02-15 00:00:00 day
            15th of February
              "15th of February" = 2027-02-15 00:00:00 day
            Feb 15 2014
              "Feb 15 2014" = 2014-02-15 00:00:00 day
            2014-02-15
              "2014-02-15" = 2014-02-15 00:00:00 day
            today
              "today" = 2026-03-18 00:00:00 day
            tomorrow
              "tomorrow" = 2026-03-19 00:00:00 day
            yesterday
              "yesterday" = 2026-03-17 00:00:00 day
            the day after tomorrow
              "the day after tomorrow" = 2026-03-20 00:00:00 day
            Friday
              "Friday" = 2026-03-20 00:00:00 day
            this Friday
              "this Friday" = 2026-03-20 00:00:00 day
            next Friday
              "next Friday" = 2026-03-27 00:00:00 day
            last Friday
              "last Friday" = 2026-03-13 00:00:00 day
            next week
              "next week" = 2026-03-23 00:00:00 week
            in 3 days
              "in 3 days" = 2026-03-21 00:00:00 day
            2 weeks ago
              "2 weeks ago" = 2026-03-04 00:00:00 day
            the 5th
              "the 5th" = 2026-04-05 00:00:00 day
            on the 25th
              "on the 25th" = 2026-03-25 00:00:00 day
        "#]],
    );
}

#[test]
fn times_of_day_and_parts_of_day() {
    check(
        &[
            "3pm",
            "3:30",
            "15:00",
            "noon",
            "midnight",
            "at 11.45",
            "quarter past 3",
            "half past three",
            "at three thirty",
            "this evening",
            "tonight",
            "tomorrow morning",
            "in the afternoon",
            "tonight at 8",
        ],
        wednesday(),
        &DateTimeOptions::default(),
        expect![[r#"
            3pm
              "3pm" = 2026-03-18 15:00:00 hour
            3:30
              "3:30" = 2026-03-18 15:30:00 minute
            15:00
              "15:00" = 2026-03-18 15:00:00 minute
            noon
              "noon" = 2026-03-18 12:00:00 hour
            midnight
              "midnight" = 2026-03-19 00:00:00 hour
            at 11.45
              "at 11.45" = 2026-03-18 11:45:00 minute
            quarter past 3
              "quarter past 3" = 2026-03-18 15:15:00 minute
            half past three
              "half past three" = 2026-03-18 15:30:00 minute
            at three thirty
              "at three thirty" = 2026-03-18 15:30:00 minute
            this evening
              "this evening" = [2026-03-18 18:00:00 hour, 2026-03-19 00:00:00 hour)
            tonight
              "tonight" = [2026-03-18 18:00:00 hour, 2026-03-19 00:00:00 hour)
            tomorrow morning
              "tomorrow morning" = [2026-03-19 00:00:00 hour, 2026-03-19 12:00:00 hour)
            in the afternoon
              "in the afternoon" = [2026-03-18 12:00:00 hour, 2026-03-18 19:00:00 hour)
            tonight at 8
              "tonight at 8" = 2026-03-18 20:00:00 hour
        "#]],
    );
}

#[test]
fn ranges_durations_and_holidays() {
    check(
        &[
            "3-4pm",
            "between 2 and 5",
            "from Monday to Wednesday",
            "tomorrow from 9:30 to 11",
            "in 2 hours",
            "for 45 minutes",
            "an hour and a half",
            "until 6pm",
            "after 5pm",
            "tomorrow before 11am",
            "Friday any time after 5",
            "Christmas",
            "New Year's Day",
            "Thanksgiving",
            "Easter Monday",
            "the first Saturday after Easter",
        ],
        wednesday(),
        &DateTimeOptions::default(),
        expect![[r#"
            3-4pm
              "3-4pm" = [2026-03-18 15:00:00 hour, 2026-03-18 17:00:00 hour)
            between 2 and 5
              "between 2 and 5" = [2026-03-18 14:00:00 hour, 2026-03-18 18:00:00 hour)
            from Monday to Wednesday
              "from Monday to Wednesday" = [2026-03-23 00:00:00 day, 2026-03-26 00:00:00 day)
            tomorrow from 9:30 to 11
              "tomorrow from 9:30 to 11" = [2026-03-19 09:30:00 minute, 2026-03-19 11:01:00 minute)
            in 2 hours
              "in 2 hours" = 2026-03-18 12:15:00 minute
            for 45 minutes
              "for 45 minutes" = duration 2700s
            an hour and a half
              "an hour and a half" = duration 5400s
            until 6pm
              "until 6pm" = [open, 2026-03-18 18:00:00 hour)
            after 5pm
              "after 5pm" = [2026-03-18 17:00:00 hour, open)
            tomorrow before 11am
              "tomorrow before 11am" = [2026-03-19 00:00:00 day, 2026-03-19 11:00:00 day)
            Friday any time after 5
              "Friday any time after 5" = [2026-03-20 05:00:00 hour, 2026-03-21 00:00:00 hour)
            Christmas
              "Christmas" = 2026-12-25 00:00:00 day
            New Year's Day
              "New Year's Day" = 2027-01-01 00:00:00 day
            Thanksgiving
              "Thanksgiving" = 2026-11-26 00:00:00 day
            Easter Monday
              "Easter Monday" = 2026-04-06 00:00:00 day
            the first Saturday after Easter
              "the first Saturday after Easter" = 2026-04-11 00:00:00 day
        "#]],
    );
}

#[test]
fn business_hours_choose_between_morning_and_afternoon() {
    let early = NaiveDate::from_ymd_opt(2026, 3, 18).and_then(|d| d.and_hms_opt(4, 30, 0)).unwrap();
    check(
        &["at 10", "at 5", "tomorrow at 2", "at 5am"],
        early,
        &salon(),
        expect![[r#"
            at 10
              "at 10" = 2026-03-18 10:00:00 hour
            at 5
              "at 5" = 2026-03-18 17:00:00 hour
            tomorrow at 2
              "tomorrow at 2" = 2026-03-19 14:00:00 hour
            at 5am
              "at 5am" = 2026-03-18 05:00:00 hour
        "#]],
    );
    check(
        &["at 10", "at 5", "tomorrow at 2", "at 5am"],
        early,
        &DateTimeOptions::default(),
        expect![[r#"
            at 10
              "at 10" = 2026-03-18 10:00:00 hour
            at 5
              "at 5" = 2026-03-18 05:00:00 hour
            tomorrow at 2
              "tomorrow at 2" = 2026-03-19 02:00:00 hour
            at 5am
              "at 5am" = 2026-03-18 05:00:00 hour
        "#]],
    );
}

#[test]
fn prefer_future_skips_past_dates_and_times() {
    let future = DateTimeOptions { prefer_future: true, ..DateTimeOptions::default() };
    check(
        &["Feb 10", "at 4:23", "4:23am", "Tuesday"],
        duckling_reference(),
        &future,
        expect![[r#"
            Feb 10
              "Feb 10" = 2014-02-10 00:00:00 day
            at 4:23
              "at 4:23" = 2013-02-12 16:23:00 minute
            4:23am
              "4:23am" = 2013-02-13 04:23:00 minute
            Tuesday
              "Tuesday" = 2013-02-19 00:00:00 day
        "#]],
    );
    check(
        &["Feb 10", "at 4:23", "4:23am", "Tuesday"],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            Feb 10
              "Feb 10" = 2013-02-10 00:00:00 day
            at 4:23
              "at 4:23" = 2013-02-12 04:23:00 minute
            4:23am
              "4:23am" = 2013-02-12 04:23:00 minute
            Tuesday
              "Tuesday" = 2013-02-19 00:00:00 day
        "#]],
    );
}

#[test]
fn named_zones_convert_when_the_reference_offset_is_known() {
    let eastern = FixedOffset::west_opt(5 * 3600);
    let render_zoned = |text: &str, offset: Option<FixedOffset>| -> String {
        parse_with_offset(text, wednesday(), offset, &DateTimeOptions::default())
            .iter()
            .map(|m| format!("{:?} = {:?}\n", &text[m.start..m.end], m.value))
            .collect()
    };
    let actual = ["4pm CET", "9:30 - 11:00 PST"]
        .iter()
        .map(|t| format!("{t}\n  known: {}  unknown: {}", render_zoned(t, eastern), render_zoned(t, None)))
        .collect::<String>();
    expect![[r#"
        4pm CET
          known: "4pm CET" = Instant { value: 2026-03-18T10:00:00, grain: Hour }
          unknown: "4pm CET" = Instant { value: 2026-03-18T16:00:00, grain: Hour }
        9:30 - 11:00 PST
          known: "9:30 - 11:00 PST" = Interval { from: Some((2026-03-19T00:30:00, Minute)), to: Some((2026-03-19T02:01:00, Minute)) }
          unknown: "9:30 - 11:00 PST" = Interval { from: Some((2026-03-18T21:30:00, Minute)), to: Some((2026-03-18T23:01:00, Minute)) }
    "#]]
    .assert_eq(&actual);
}

#[test]
fn whole_message_answers_may_be_bare() {
    check(
        &["10", "May", "the 24", "morning", "ten thirty", "I may come at 10 in May"],
        wednesday(),
        &DateTimeOptions::default(),
        expect![[r#"
            10
              "10" = 2026-03-18 10:00:00 hour
            May
              "May" = 2026-05-01 00:00:00 month
            the 24
              "the 24" = 2026-03-24 00:00:00 day
            morning
              "morning" = [2026-03-18 00:00:00 hour, 2026-03-18 12:00:00 hour)
            ten thirty
              "ten thirty" = 2026-03-18 10:30:00 minute
            I may come at 10 in May
              "at 10" = 2026-03-18 10:00:00 hour
              "in May" = 2026-05-01 00:00:00 month
        "#]],
    );
}

#[test]
fn never_panics_and_offsets_are_char_boundaries() {
    let texts = [
        "",
        "   ",
        "🙂 demain à 15h — tomorrow at 3pm ✂️",
        "日本語 tomorrow 明日 at 3pm",
        "99999999999999999999999/99/99",
        "31/02/2020",
        "February 30",
        "9999-12-31 at 25:99",
        "in 99999999999 years",
        "99999999 days ago",
        "the 0th",
        "0000-00-00",
        "last day of february 1000",
        "at 24:00",
        "-3pm-",
        "::::////----",
        "next next next week",
        "in in in 2",
        "quarter to midnight",
        "the 31st of next month",
    ];
    for text in texts {
        for now in [wednesday(), duckling_reference()] {
            for options in [DateTimeOptions::default(), salon()] {
                for m in parse(text, now, &options) {
                    assert!(text.get(m.start..m.end).is_some(), "{text:?} {m:?}");
                    assert!(m.start < m.end);
                }
            }
        }
    }
}

/// Random phrases from a vocabulary of date words (a fixed linear
/// congruential sequence, so the test is repeatable).
#[test]
fn random_phrases_never_panic() {
    let vocab = [
        "at",
        "on",
        "the",
        "of",
        "in",
        "from",
        "to",
        "-",
        "/",
        ":",
        ".",
        ",",
        "'",
        "between",
        "and",
        "next",
        "last",
        "this",
        "after",
        "before",
        "until",
        "by",
        "for",
        "ago",
        "from now",
        "3",
        "12",
        "31",
        "0",
        "99",
        "2014",
        "9999",
        "1",
        "15th",
        "first",
        "second",
        "twenty",
        "one",
        "half",
        "quarter",
        "past",
        "pm",
        "am",
        "a",
        "noon",
        "midnight",
        "tomorrow",
        "today",
        "friday",
        "sat",
        "may",
        "march",
        "feb",
        "week",
        "month",
        "year",
        "quarter",
        "weekend",
        "morning",
        "evening",
        "tonight",
        "days",
        "hours",
        "minutes",
        "christmas",
        "easter",
        "ramadan",
        "diwali",
        "chinese new year",
        "hanukkah",
        "end",
        "beginning",
        "mid",
        "q4",
        "h",
        "é",
        "🙂",
        "十",
        "$",
        "+",
        "%",
        "ish",
        "o'clock",
        "few",
        "couple",
        "within",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |n: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    for _ in 0..1500 {
        let len = 1 + next(8);
        let words: Vec<&str> = (0..len).map(|_| vocab[next(vocab.len())]).collect();
        let glue = if next(3) == 0 { "" } else { " " };
        let text = words.join(glue);
        for m in parse(&text, wednesday(), &salon()) {
            assert!(text.get(m.start..m.end).is_some(), "{text:?} {m:?}");
        }
    }
}

fn corpus(text: &str) -> Vec<Example> {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| parse_example(l).unwrap()).collect()
}

/// Accuracy on the Duckling dev corpus, measured at 0.962 when written, 0.971 after the composition rules,
/// 0.976 after "<part of today> at <time>", 0.964 since a count of days is a
/// day (five of its lines keep the hour of now: "7 days ago" at 04:00).
#[test]
fn duckling_dev_corpus_accuracy_stays_above_floor() {
    let examples = corpus(include_str!("testdata/duckling_en_dev.jsonl"));
    let report = evaluate(&examples, &DateTimeOptions::default());
    assert!(report.accuracy() >= 0.96, "accuracy {}", report.accuracy());
}

/// Accuracy on the rustling corpus (different conventions in places),
/// measured at 0.905 when written, 0.924 before and 0.950 since a count of
/// days is a day; the rest of its misses follow conventions that contradict
/// Duckling's (interval ends, "morning" from 4am, "coming week").
#[test]
fn rustling_corpus_accuracy_stays_above_floor() {
    let examples = corpus(include_str!("testdata/rustling_en.jsonl"));
    let report = evaluate(&examples, &DateTimeOptions::default());
    assert!(report.accuracy() >= 0.95, "accuracy {}", report.accuracy());
}

#[test]
fn offsets_and_dates_compose_with_a_time_of_day_in_either_order() {
    check(
        &[
            "at 9 in 2 years",
            "in 5 years at 6pm",
            "in three weeks at noon",
            "at 4:15pm in 2 weeks",
            "2 months from now at 11am",
            "three days ago at 8pm",
            "in 6 days in the evening",
            "this evening at 9",
            "tomorrow morning at 8:45",
            "at 10 tomorrow",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            at 9 in 2 years
              "at 9 in 2 years" = 2015-02-01 09:00:00 hour
            in 5 years at 6pm
              "in 5 years at 6pm" = 2018-02-01 18:00:00 hour
            in three weeks at noon
              "in three weeks at noon" = 2013-03-05 12:00:00 hour
            at 4:15pm in 2 weeks
              "at 4:15pm in 2 weeks" = 2013-02-26 16:15:00 minute
            2 months from now at 11am
              "2 months from now at 11am" = 2013-04-12 11:00:00 hour
            three days ago at 8pm
              "three days ago at 8pm" = 2013-02-09 20:00:00 hour
            in 6 days in the evening
              "in 6 days in the evening" = [2013-02-18 18:00:00 hour, 2013-02-19 00:00:00 hour)
            this evening at 9
              "this evening at 9" = 2013-02-12 21:00:00 hour
            tomorrow morning at 8:45
              "tomorrow morning at 8:45" = 2013-02-13 08:45:00 minute
            at 10 tomorrow
              "at 10 tomorrow" = 2013-02-13 10:00:00 hour
        "#]],
    );
}

#[test]
fn relative_cycles_seasons_and_the_current_month() {
    check(
        &[
            "the upcoming month",
            "coming year",
            "the 9th of the current month",
            "the 25th of this month",
            "this season",
            "next season",
            "the previous season",
            "next summer",
            "last autumn",
            "this spring",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            the upcoming month
              "the upcoming month" = 2013-03-01 00:00:00 month
            coming year
              "coming year" = 2014-01-01 00:00:00 year
            the 9th of the current month
              "the 9th of the current month" = 2013-02-09 00:00:00 day
            the 25th of this month
              "the 25th of this month" = 2013-02-25 00:00:00 day
            this season
              "this season" = [2012-12-21 00:00:00 day, 2013-03-19 00:00:00 day)
            next season
              "next season" = [2013-03-20 00:00:00 day, 2013-06-20 00:00:00 day)
            the previous season
              "the previous season" = [2012-09-23 00:00:00 day, 2012-12-20 00:00:00 day)
            next summer
              "next summer" = [2013-06-21 00:00:00 day, 2013-09-24 00:00:00 day)
            last autumn
              "last autumn" = [2012-09-23 00:00:00 day, 2012-12-22 00:00:00 day)
            this spring
              "this spring" = [2013-03-20 00:00:00 day, 2013-06-22 00:00:00 day)
        "#]],
    );
}

#[test]
fn holidays_and_weekdays_relative_to_now_and_offsets() {
    check(
        &[
            "next christmas",
            "last halloween",
            "christmas 2 months ago",
            "halloween in 2 years",
            "two years after halloween",
            "wednesday",
            "tuesday",
            "an hour from right now",
            "in two days from right now",
            "a week from now",
            "a week from friday",
            "2 weeks from friday",
            "a week tomorrow",
            "a fortnight on monday",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            next christmas
              "next christmas" = 2013-12-25 00:00:00 day
            last halloween
              "last halloween" = 2012-10-31 00:00:00 day
            christmas 2 months ago
              "christmas 2 months ago" = 2012-12-25 00:00:00 day
            halloween in 2 years
              "halloween in 2 years" = 2015-10-31 00:00:00 day
            two years after halloween
              "two years after halloween" = 2013-10-31 00:00:00 day
            wednesday
              "wednesday" = 2013-02-13 00:00:00 day
            tuesday
              "tuesday" = 2013-02-19 00:00:00 day
            an hour from right now
              "an hour from right now" = 2013-02-12 05:30:00 second
            in two days from right now
              "in two days from right now" = 2013-02-14 04:30:00 second
            a week from now
              "a week from now" = 2013-02-19 00:00:00 day
            a week from friday
              "a week from friday" = 2013-02-22 00:00:00 day
            2 weeks from friday
              "2 weeks from friday" = 2013-03-01 00:00:00 day
            a week tomorrow
              "a week tomorrow" = 2013-02-20 00:00:00 day
            a fortnight on monday
              "a fortnight on monday" = 2013-03-04 00:00:00 day
        "#]],
    );
}

#[test]
fn loose_times_customers_write_to_a_receptionist() {
    check(
        &[
            "around 5:30",
            "can I come 11ish?",
            "like 3ish",
            "about 4",
            "9 in the morning",
            "noon",
            "half past two",
            "half six",
            "first thing in the morning",
            "first thing tomorrow",
            "at lunch",
            "lunchtime on friday",
            "after work",
            "end of the day",
            "any time before 11",
            "after 4",
            "between 1 and 3",
            "Saturday morning",
            "Friday after work, like 7:30",
            "Thursday after work say 6",
            "tomorrow around 5:30",
            "Monday the 23rd",
            "3/27 at 10am",
        ],
        wednesday(),
        &DateTimeOptions { prefer_future: true, ..salon() },
        expect![[r#"
            around 5:30
              "around 5:30" = 2026-03-18 17:30:00 minute
            can I come 11ish?
              "11ish" = 2026-03-18 11:00:00 hour
            like 3ish
              "like 3ish" = 2026-03-18 15:00:00 hour
            about 4
              "about 4" = 2026-03-18 16:00:00 hour
            9 in the morning
              "9 in the morning" = 2026-03-19 09:00:00 hour
            noon
              "noon" = 2026-03-18 12:00:00 hour
            half past two
              "half past two" = 2026-03-18 14:30:00 minute
            half six
              "half six" = 2026-03-18 18:30:00 minute
            first thing in the morning
              "first thing in the morning" = [2026-03-19 06:00:00 hour, 2026-03-19 10:00:00 hour)
            first thing tomorrow
              "first thing tomorrow" = [2026-03-19 06:00:00 hour, 2026-03-19 10:00:00 hour)
            at lunch
              "at lunch" = [2026-03-18 12:00:00 hour, 2026-03-18 14:00:00 hour)
            lunchtime on friday
              "lunchtime on friday" = [2026-03-20 12:00:00 hour, 2026-03-20 14:00:00 hour)
            after work
              "after work" = [2026-03-18 17:00:00 hour, 2026-03-18 21:00:00 hour)
            end of the day
              "end of the day" = [2026-03-18 17:00:00 hour, 2026-03-19 00:00:00 hour)
            any time before 11
              "any time before 11" = [open, 2026-03-18 11:00:00 hour)
            after 4
              "after 4" = [2026-03-18 16:00:00 hour, open)
            between 1 and 3
              "between 1 and 3" = [2026-03-18 13:00:00 hour, 2026-03-18 16:00:00 hour)
            Saturday morning
              "Saturday morning" = [2026-03-21 00:00:00 hour, 2026-03-21 12:00:00 hour)
            Friday after work, like 7:30
              "Friday after work, like 7:30" = 2026-03-20 19:30:00 minute
            Thursday after work say 6
              "Thursday after work say 6" = 2026-03-19 18:00:00 hour
            tomorrow around 5:30
              "tomorrow around 5:30" = 2026-03-19 17:30:00 minute
            Monday the 23rd
              "Monday the 23rd" = 2026-03-23 00:00:00 day
            3/27 at 10am
              "3/27 at 10am" = 2026-03-27 10:00:00 hour
        "#]],
    );
}

#[test]
fn a_closing_dot_makes_a_day_first_date() {
    let berlin = DateTimeOptions::for_locale("en-DE");
    assert!(berlin.day_first);
    check(
        &["is the 19.6. free from 12?", "on 3.7. at 2pm", "19.6.2026", "see you at 11.45."],
        wednesday(),
        &berlin,
        expect![[r#"
            is the 19.6. free from 12?
              "19.6." = 2026-06-19 00:00:00 day
              "from 12" = [2026-03-18 12:00:00 hour, open)
            on 3.7. at 2pm
              "on 3.7. at 2pm" = 2026-07-03 14:00:00 hour
            19.6.2026
              "19.6.2026" = 2026-06-19 00:00:00 day
            see you at 11.45.
              "at 11.45" = 2026-03-18 11:45:00 minute
        "#]],
    );
    // Month first, the dotted form is not a date.
    check(
        &["is the 6.19. free"],
        wednesday(),
        &DateTimeOptions::for_locale("en-US"),
        expect![[r#"
        is the 6.19. free
          (nothing)
    "#]],
    );
}

#[test]
fn locale_decides_the_order_of_numeric_dates() {
    let london = DateTimeOptions::for_locale("en-GB");
    assert!(london.day_first);
    assert!(!DateTimeOptions::for_locale("en-US").day_first);
    assert!(!DateTimeOptions::for_locale("en").day_first);
    for locale in ["en-AU", "en-IE", "en-NZ", "en-IN", "en_GB", "fr-FR"] {
        assert!(day_first_locale(locale), "{locale}");
    }
    check(
        &["10/6", "on 3/4 at 2pm", "4/24", "24/4", "1/2/2027", "2026-07-03"],
        wednesday(),
        &london,
        expect![[r#"
            10/6
              "10/6" = 2026-06-10 00:00:00 day
            on 3/4 at 2pm
              "on 3/4 at 2pm" = 2026-04-03 14:00:00 hour
            4/24
              "4/24" = 2026-04-24 00:00:00 day
            24/4
              "24/4" = 2026-04-24 00:00:00 day
            1/2/2027
              "1/2/2027" = 2027-02-01 00:00:00 day
            2026-07-03
              "2026-07-03" = 2026-07-03 00:00:00 day
        "#]],
    );
    check(
        &["10/6", "on 3/4 at 2pm", "24/4"],
        wednesday(),
        &DateTimeOptions::default(),
        expect![[r#"
        10/6
          "10/6" = 2026-10-06 00:00:00 day
        on 3/4 at 2pm
          "on 3/4 at 2pm" = 2026-03-04 14:00:00 hour
        24/4
          "24/4" = 2026-04-24 00:00:00 day
    "#]],
    );
}

#[test]
fn half_an_hour_before_in_dutch_and_german_locales() {
    assert!(super::half_before_hour_locale("en-NL") && super::half_before_hour_locale("de"));
    assert!(!super::half_before_hour_locale("en-GB") && !super::half_before_hour_locale("en"));
    let dutch = DateTimeOptions { half_before_hour: true, ..salon() };
    let at = |text: &str, options: &DateTimeOptions| {
        let found = parse(text, wednesday(), options);
        found.first().map(|m| format!("{:?}", m.value))
    };
    let half_past = at("om half 5", &salon()).expect("read");
    let half_before = at("om half 5", &dutch).expect("read");
    assert!(half_past.contains("17:30"), "{half_past}");
    assert!(half_before.contains("16:30"), "{half_before}");
    assert_eq!(at("half past 5", &dutch), at("half past 5", &salon()), "\"half past\" is English everywhere");
}

#[test]
fn british_times() {
    check(
        &[
            "half five",
            "half 4",
            "quarter to 3",
            "quarter past 11",
            "17:00",
            "5.30pm",
            "at 9.15",
            "ten to six",
        ],
        wednesday(),
        &DateTimeOptions { day_first: true, ..salon() },
        expect![[r#"
            half five
              "half five" = 2026-03-18 17:30:00 minute
            half 4
              "half 4" = 2026-03-18 16:30:00 minute
            quarter to 3
              "quarter to 3" = 2026-03-18 14:45:00 minute
            quarter past 11
              "quarter past 11" = 2026-03-18 11:15:00 minute
            17:00
              "17:00" = 2026-03-18 17:00:00 minute
            5.30pm
              "5.30pm" = 2026-03-18 17:30:00 minute
            at 9.15
              "at 9.15" = 2026-03-19 09:15:00 minute
            ten to six
              "ten to six" = 2026-03-18 17:50:00 minute
        "#]],
    );
}

#[test]
fn closest_days_cycles_after_a_time_and_upcoming_counts() {
    check(
        &[
            "the closest friday to march 1st",
            "the 2nd closest new year's day to today",
            "the week after valentine's day",
            "the month before april",
            "the third week after christmas",
            "upcoming 4 weeks",
            "2 upcoming years",
            "monday in 3 weeks",
            "april 2 in two years",
            "july 4 three years ago",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            the closest friday to march 1st
              "the closest friday to march 1st" = 2013-03-01 00:00:00 day
            the 2nd closest new year's day to today
              "the 2nd closest new year's day to today" = 2014-01-01 00:00:00 day
            the week after valentine's day
              "the week after valentine's day" = 2013-02-18 00:00:00 week
            the month before april
              "the month before april" = 2013-03-01 00:00:00 month
            the third week after christmas
              "the third week after christmas" = 2014-01-13 00:00:00 week
            upcoming 4 weeks
              "upcoming 4 weeks" = 2013-03-11 00:00:00 week
            2 upcoming years
              "2 upcoming years" = 2015-01-01 00:00:00 year
            monday in 3 weeks
              "monday in 3 weeks" = 2013-03-11 00:00:00 day
            april 2 in two years
              "april 2 in two years" = 2015-04-02 00:00:00 day
            july 4 three years ago
              "july 4 three years ago" = 2010-07-04 00:00:00 day
        "#]],
    );
}

#[test]
fn weekdays_as_customers_type_them() {
    check(
        &[
            "yo can i get a mens cut sat w sofia like 11ish",
            "can i boook a womens hiarcut for fryday",
            "how about wensday",
            "I sat in traffic for an hour",
            "in two weeks on friday, 3pm",
            "friday in 2 weeks",
            "can i get an updo sat around 3",
            "do you have a slot wed for a mens trim",
            "cn i get a checkup nxt wed",
            "we sat down at the back",
            "a check of my sun damage",
            "highlights next week thursday, late morning",
            "next week, on monday",
            "he's a cockapoo, about 18 lbs, could he come friday",
            "tomoz at 11",
            "2moro morning",
        ],
        wednesday(),
        &DateTimeOptions::default(),
        expect![[r#"
            yo can i get a mens cut sat w sofia like 11ish
              "sat" = 2026-03-21 00:00:00 day
              "like 11ish" = 2026-03-18 11:00:00 hour
            can i boook a womens hiarcut for fryday
              "for fryday" = 2026-03-20 00:00:00 day
            how about wensday
              "about wensday" = 2026-03-25 00:00:00 day
            I sat in traffic for an hour
              "for an hour" = duration 3600s
            in two weeks on friday, 3pm
              "in two weeks on friday, 3pm" = 2026-04-03 15:00:00 hour
            friday in 2 weeks
              "friday in 2 weeks" = 2026-04-03 00:00:00 day
            can i get an updo sat around 3
              "sat around 3" = 2026-03-21 03:00:00 hour
            do you have a slot wed for a mens trim
              "wed" = 2026-03-25 00:00:00 day
            cn i get a checkup nxt wed
              "wed" = 2026-03-25 00:00:00 day
            we sat down at the back
              (nothing)
            a check of my sun damage
              (nothing)
            highlights next week thursday, late morning
              "next week thursday, late morning" = [2026-03-26 06:00:00 hour, 2026-03-26 12:00:00 hour)
            next week, on monday
              "next week, on monday" = 2026-03-23 00:00:00 day
            he's a cockapoo, about 18 lbs, could he come friday
              "friday" = 2026-03-20 00:00:00 day
            tomoz at 11
              "tomoz at 11" = 2026-03-19 11:00:00 hour
            2moro morning
              "2moro morning" = [2026-03-19 00:00:00 hour, 2026-03-19 12:00:00 hour)
        "#]],
    );
}
