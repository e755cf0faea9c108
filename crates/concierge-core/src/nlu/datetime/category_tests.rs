//! Composition categories, each with variants of its numbers, orders,
//! holidays and seasons: a date or an offset with a time of day, a part of
//! today at a time, coming/upcoming cycles, a day of the current month,
//! seasons, holidays after "next", holidays seen from an offset and exact
//! offsets from right now. The expected values were worked out by hand from
//! Duckling's rules, not copied from a corpus.
//!
//! Over 600 lines on purpose: one table of phrases and readings per
//! category, updated with `UPDATE_EXPECT=1` and read side by side.

use expect_test::expect;

use super::tests::{check, duckling_reference};
use super::DateTimeOptions;

/// A day, or an offset from now, with a time of day in either order: the
/// offset's day ("in 3 years" is the 1st of the month 3 years on) at that time.
/// Expected values worked out by hand from Duckling's rules at its reference
/// (Tuesday 12 February 2013, 04:30).
#[test]
fn a_date_or_an_offset_composes_with_a_time_of_day() {
    check(
        &[
            "at 7 in 3 years",
            "in 4 years at 5pm",
            "at 8 in 2 years",
            "in 3 years at 7",
            "in one year at 10:30",
            "at 6:15pm in 5 years",
            "in seven years at 9pm",
            "at 6 in a year",
            "in 2 months at 9am",
            "in 6 months at 10:30am",
            "in 5 months at noon",
            "at 11:15 in one month",
            "in a week at noon",
            "at noon in 3 weeks",
            "in two weeks at 3:30pm",
            "at 10 in 2 weeks",
            "at 5pm in 10 days",
            "in 2 days at 6pm",
            "at 10am in 4 days",
            "3 days ago at 10am",
            "two weeks ago at noon",
            "tomorrow evening at 8",
            "yesterday morning at 7",
            "next monday at 3pm",
            "christmas at 6pm",
            "at 9am on christmas",
            "next halloween at 8pm",
            "last christmas at 9am",
            "next thanksgiving at 6pm",
            "at 8pm on next thanksgiving",
            "the 4th of the current month at 5pm",
            "3pm on the 20th of the current month",
            "the 25th of the coming month at 3pm",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            at 7 in 3 years
              "at 7 in 3 years" = 2016-02-01 07:00:00 hour
            in 4 years at 5pm
              "in 4 years at 5pm" = 2017-02-01 17:00:00 hour
            at 8 in 2 years
              "at 8 in 2 years" = 2015-02-01 08:00:00 hour
            in 3 years at 7
              "in 3 years at 7" = 2016-02-01 07:00:00 hour
            in one year at 10:30
              "in one year at 10:30" = 2014-02-01 10:30:00 minute
            at 6:15pm in 5 years
              "at 6:15pm in 5 years" = 2018-02-01 18:15:00 minute
            in seven years at 9pm
              "in seven years at 9pm" = 2020-02-01 21:00:00 hour
            at 6 in a year
              "at 6 in a year" = 2014-02-01 06:00:00 hour
            in 2 months at 9am
              "in 2 months at 9am" = 2013-04-12 09:00:00 hour
            in 6 months at 10:30am
              "in 6 months at 10:30am" = 2013-08-12 10:30:00 minute
            in 5 months at noon
              "in 5 months at noon" = 2013-07-12 12:00:00 hour
            at 11:15 in one month
              "at 11:15 in one month" = 2013-03-12 11:15:00 minute
            in a week at noon
              "in a week at noon" = 2013-02-19 12:00:00 hour
            at noon in 3 weeks
              "at noon in 3 weeks" = 2013-03-05 12:00:00 hour
            in two weeks at 3:30pm
              "in two weeks at 3:30pm" = 2013-02-26 15:30:00 minute
            at 10 in 2 weeks
              "at 10 in 2 weeks" = 2013-02-26 10:00:00 hour
            at 5pm in 10 days
              "at 5pm in 10 days" = 2013-02-22 17:00:00 hour
            in 2 days at 6pm
              "in 2 days at 6pm" = 2013-02-14 18:00:00 hour
            at 10am in 4 days
              "at 10am in 4 days" = 2013-02-16 10:00:00 hour
            3 days ago at 10am
              "3 days ago at 10am" = 2013-02-09 10:00:00 hour
            two weeks ago at noon
              "two weeks ago at noon" = 2013-01-29 12:00:00 hour
            tomorrow evening at 8
              "tomorrow evening at 8" = 2013-02-13 20:00:00 hour
            yesterday morning at 7
              "yesterday morning at 7" = 2013-02-11 07:00:00 hour
            next monday at 3pm
              "next monday at 3pm" = 2013-02-18 15:00:00 hour
            christmas at 6pm
              "christmas at 6pm" = 2013-12-25 18:00:00 hour
            at 9am on christmas
              "at 9am on christmas" = 2013-12-25 09:00:00 hour
            next halloween at 8pm
              "next halloween at 8pm" = 2013-10-31 20:00:00 hour
            last christmas at 9am
              "last christmas at 9am" = 2012-12-25 09:00:00 hour
            next thanksgiving at 6pm
              "next thanksgiving at 6pm" = 2013-11-28 18:00:00 hour
            at 8pm on next thanksgiving
              "at 8pm on next thanksgiving" = 2013-11-28 20:00:00 hour
            the 4th of the current month at 5pm
              "the 4th of the current month at 5pm" = 2013-02-04 17:00:00 hour
            3pm on the 20th of the current month
              "3pm on the 20th of the current month" = 2013-02-20 15:00:00 hour
            the 25th of the coming month at 3pm
              "the 25th of the coming month at 3pm" = 2013-03-25 15:00:00 hour
        "#]],
    );
}

/// "<part of today> at <time>" (Duckling's rule): the part of the day says am or
/// pm and the time is read on its own, so "this morning at 3" said at 4:30 is
/// tomorrow's 3am; with the time first it stays on today.
/// Expected values worked out by hand from Duckling's rules at its reference
/// (Tuesday 12 February 2013, 04:30).
#[test]
fn a_part_of_today_at_a_time_of_day_sets_only_am_or_pm() {
    check(
        &[
            "this morning at 3",
            "this morning at 12",
            "this evening at 12",
            "tonight at 12",
            "tonight at 8",
            "tonight at 11",
            "this evening at 7",
            "this evening at 8:30",
            "this evening at 10:30",
            "this afternoon at 3",
            "this morning at 9:30",
            "this morning at 6am",
            "in the evening at 8",
            "at 3 this morning",
            "at 4 this afternoon",
            "at 7 this evening",
            "3 in the morning",
            "at 3 in the morning",
            "tomorrow night at 1am",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            this morning at 3
              "this morning at 3" = 2013-02-13 03:00:00 hour
            this morning at 12
              "this morning at 12" = 2013-02-13 00:00:00 hour
            this evening at 12
              "this evening at 12" = 2013-02-13 00:00:00 hour
            tonight at 12
              "tonight at 12" = 2013-02-13 00:00:00 hour
            tonight at 8
              "tonight at 8" = 2013-02-12 20:00:00 hour
            tonight at 11
              "tonight at 11" = 2013-02-12 23:00:00 hour
            this evening at 7
              "this evening at 7" = 2013-02-12 19:00:00 hour
            this evening at 8:30
              "this evening at 8:30" = 2013-02-12 20:30:00 minute
            this evening at 10:30
              "this evening at 10:30" = 2013-02-12 22:30:00 minute
            this afternoon at 3
              "this afternoon at 3" = 2013-02-12 15:00:00 hour
            this morning at 9:30
              "this morning at 9:30" = 2013-02-12 09:30:00 minute
            this morning at 6am
              "this morning at 6am" = 2013-02-12 06:00:00 hour
            in the evening at 8
              "in the evening at 8" = 2013-02-12 20:00:00 hour
            at 3 this morning
              "at 3 this morning" = 2013-02-12 03:00:00 hour
            at 4 this afternoon
              "at 4 this afternoon" = 2013-02-12 16:00:00 hour
            at 7 this evening
              "at 7 this evening" = 2013-02-12 19:00:00 hour
            3 in the morning
              "3 in the morning" = 2013-02-13 03:00:00 hour
            at 3 in the morning
              "at 3 in the morning" = 2013-02-13 03:00:00 hour
            tomorrow night at 1am
              "tomorrow night at 1am" = 2013-02-14 01:00:00 hour
        "#]],
    );
}

/// "Coming" and "upcoming" before a cycle mean the next one, wherever the
/// cycle is used.
/// Expected values worked out by hand from Duckling's rules at its reference
/// (Tuesday 12 February 2013, 04:30).
#[test]
fn coming_and_upcoming_cycles_are_the_next_one() {
    check(
        &[
            "upcoming week",
            "the upcoming week",
            "coming week",
            "the coming week",
            "during the upcoming week",
            "in the coming week",
            "the coming month",
            "upcoming year",
            "the upcoming quarter",
            "the following week",
            "the following month",
            "current week",
            "monday of the coming week",
            "upcoming 2 weeks",
            "2 upcoming days",
            "upcoming 3 months",
            "the upcoming weekend",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            upcoming week
              "upcoming week" = 2013-02-18 00:00:00 week
            the upcoming week
              "the upcoming week" = 2013-02-18 00:00:00 week
            coming week
              "coming week" = 2013-02-18 00:00:00 week
            the coming week
              "the coming week" = 2013-02-18 00:00:00 week
            during the upcoming week
              "during the upcoming week" = 2013-02-18 00:00:00 week
            in the coming week
              "in the coming week" = 2013-02-18 00:00:00 week
            the coming month
              "the coming month" = 2013-03-01 00:00:00 month
            upcoming year
              "upcoming year" = 2014-01-01 00:00:00 year
            the upcoming quarter
              "the upcoming quarter" = 2013-04-01 00:00:00 quarter
            the following week
              "the following week" = 2013-02-18 00:00:00 week
            the following month
              "the following month" = 2013-03-01 00:00:00 month
            current week
              "current week" = 2013-02-11 00:00:00 week
            monday of the coming week
              "monday of the coming week" = 2013-02-18 00:00:00 day
            upcoming 2 weeks
              "upcoming 2 weeks" = 2013-02-25 00:00:00 week
            2 upcoming days
              "2 upcoming days" = 2013-02-14 00:00:00 day
            upcoming 3 months
              "upcoming 3 months" = 2013-05-01 00:00:00 month
            the upcoming weekend
              "the upcoming weekend" = [2013-02-15 18:00:00 hour, 2013-02-18 00:00:00 hour)
        "#]],
    );
}

/// A day of the month counted in a month named by its place ("20th of the
/// current month", "the 10th of the coming month").
/// Expected values worked out by hand from Duckling's rules at its reference
/// (Tuesday 12 February 2013, 04:30).
#[test]
fn an_ordinal_day_of_the_current_month_and_its_neighbours() {
    check(
        &[
            "20th of the current month",
            "the 20th of the current month",
            "3rd of the current month",
            "the 28th of this month",
            "15 of the current month",
            "the twentieth of the current month",
            "the 20th day of the current month",
            "the 3rd day of the current month",
            "the 10th of the coming month",
            "the 10th of the upcoming month",
            "5th of the following month",
            "the 15th of last month",
            "the first of next month",
            "1st of the previous month",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            20th of the current month
              "20th of the current month" = 2013-02-20 00:00:00 day
            the 20th of the current month
              "the 20th of the current month" = 2013-02-20 00:00:00 day
            3rd of the current month
              "3rd of the current month" = 2013-02-03 00:00:00 day
            the 28th of this month
              "the 28th of this month" = 2013-02-28 00:00:00 day
            15 of the current month
              "15 of the current month" = 2013-02-15 00:00:00 day
            the twentieth of the current month
              "the twentieth of the current month" = 2013-02-20 00:00:00 day
            the 20th day of the current month
              "the 20th day of the current month" = 2013-02-20 00:00:00 day
            the 3rd day of the current month
              "the 3rd day of the current month" = 2013-02-03 00:00:00 day
            the 10th of the coming month
              "the 10th of the coming month" = 2013-03-10 00:00:00 day
            the 10th of the upcoming month
              "the 10th of the upcoming month" = 2013-03-10 00:00:00 day
            5th of the following month
              "5th of the following month" = 2013-03-05 00:00:00 day
            the 15th of last month
              "the 15th of last month" = 2013-01-15 00:00:00 day
            the first of next month
              "the first of next month" = 2013-03-01 00:00:00 day
            1st of the previous month
              "1st of the previous month" = 2013-01-01 00:00:00 day
        "#]],
    );
}

/// Seasons: from their first day through their last (winter December 21 to
/// March 20); "this/next/last season" counts whichever season.
/// Expected values worked out by hand from Duckling's rules at its reference
/// (Tuesday 12 February 2013, 04:30).
#[test]
fn seasons_named_counted_and_in_a_year() {
    check(
        &[
            "this fall",
            "this autumn",
            "next autumn",
            "this spring",
            "next spring",
            "last spring",
            "last summer",
            "next summer",
            "last fall",
            "last autumn",
            "next winter",
            "last winter",
            "current winter",
            "summer",
            "winter",
            "spring 2014",
            "fall 2015",
            "autumn 2012",
            "summer 2016",
            "the summer of 2015",
            "spring of next year",
            "this coming summer",
            "during the summer",
            "in the fall",
            "this season",
            "current season",
            "next season",
            "last season",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            this fall
              "this fall" = [2013-09-23 00:00:00 day, 2013-12-22 00:00:00 day)
            this autumn
              "this autumn" = [2013-09-23 00:00:00 day, 2013-12-22 00:00:00 day)
            next autumn
              "next autumn" = [2013-09-23 00:00:00 day, 2013-12-22 00:00:00 day)
            this spring
              "this spring" = [2013-03-20 00:00:00 day, 2013-06-22 00:00:00 day)
            next spring
              "next spring" = [2013-03-20 00:00:00 day, 2013-06-22 00:00:00 day)
            last spring
              "last spring" = [2012-03-20 00:00:00 day, 2012-06-22 00:00:00 day)
            last summer
              "last summer" = [2012-06-21 00:00:00 day, 2012-09-24 00:00:00 day)
            next summer
              "next summer" = [2013-06-21 00:00:00 day, 2013-09-24 00:00:00 day)
            last fall
              "last fall" = [2012-09-23 00:00:00 day, 2012-12-22 00:00:00 day)
            last autumn
              "last autumn" = [2012-09-23 00:00:00 day, 2012-12-22 00:00:00 day)
            next winter
              "next winter" = [2013-12-21 00:00:00 day, 2014-03-21 00:00:00 day)
            last winter
              "last winter" = [2011-12-21 00:00:00 day, 2012-03-21 00:00:00 day)
            current winter
              "current winter" = [2012-12-21 00:00:00 day, 2013-03-21 00:00:00 day)
            summer
              "summer" = [2013-06-21 00:00:00 day, 2013-09-24 00:00:00 day)
            winter
              "winter" = [2012-12-21 00:00:00 day, 2013-03-21 00:00:00 day)
            spring 2014
              "spring 2014" = [2014-03-20 00:00:00 day, 2014-06-22 00:00:00 day)
            fall 2015
              "fall 2015" = [2015-09-23 00:00:00 day, 2015-12-22 00:00:00 day)
            autumn 2012
              "autumn 2012" = [2012-09-23 00:00:00 day, 2012-12-22 00:00:00 day)
            summer 2016
              "summer 2016" = [2016-06-21 00:00:00 day, 2016-09-24 00:00:00 day)
            the summer of 2015
              "the summer of 2015" = [2015-06-21 00:00:00 day, 2015-09-24 00:00:00 day)
            spring of next year
              "spring of next year" = [2014-03-20 00:00:00 day, 2014-06-22 00:00:00 day)
            this coming summer
              "this coming summer" = [2013-06-21 00:00:00 day, 2013-09-24 00:00:00 day)
            during the summer
              "during the summer" = [2013-06-21 00:00:00 day, 2013-09-24 00:00:00 day)
            in the fall
              "in the fall" = [2013-09-23 00:00:00 day, 2013-12-22 00:00:00 day)
            this season
              "this season" = [2012-12-21 00:00:00 day, 2013-03-19 00:00:00 day)
            current season
              "current season" = [2012-12-21 00:00:00 day, 2013-03-19 00:00:00 day)
            next season
              "next season" = [2013-03-20 00:00:00 day, 2013-06-20 00:00:00 day)
            last season
              "last season" = [2012-09-23 00:00:00 day, 2012-12-20 00:00:00 day)
        "#]],
    );
}

/// Holidays after "next" (skipping one under way: today is Mardi Gras),
/// "last", "this" and "after next".
/// Expected values worked out by hand from Duckling's rules at its reference
/// (Tuesday 12 February 2013, 04:30).
#[test]
fn holidays_after_next_last_and_this() {
    check(
        &[
            "next christmas",
            "next xmas",
            "next easter",
            "next easter sunday",
            "next thanksgiving",
            "the next thanksgiving",
            "next thanksgiving day",
            "next new year's day",
            "next new year",
            "next valentine's day",
            "next memorial day",
            "next labor day",
            "next mother's day",
            "next father's day",
            "next independence day",
            "next st patrick's day",
            "next black friday",
            "next veterans day",
            "next martin luther king day",
            "next presidents day",
            "next christmas eve",
            "next new year's eve",
            "next boxing day",
            "next good friday",
            "next earth day",
            "next groundhog day",
            "next mardi gras",
            "next ash wednesday",
            "next yom kippur",
            "next diwali",
            "next chinese new year",
            "last christmas",
            "last christmas eve",
            "last thanksgiving",
            "last easter",
            "this thanksgiving",
            "this christmas",
            "christmas after next",
            "thanksgiving after next",
            "next memorial day weekend",
            "next christmas morning",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            next christmas
              "next christmas" = 2013-12-25 00:00:00 day
            next xmas
              "next xmas" = 2013-12-25 00:00:00 day
            next easter
              "next easter" = 2013-03-31 00:00:00 day
            next easter sunday
              "next easter sunday" = 2013-03-31 00:00:00 day
            next thanksgiving
              "next thanksgiving" = 2013-11-28 00:00:00 day
            the next thanksgiving
              "next thanksgiving" = 2013-11-28 00:00:00 day
            next thanksgiving day
              "next thanksgiving day" = 2013-11-28 00:00:00 day
            next new year's day
              "next new year's day" = 2014-01-01 00:00:00 day
            next new year
              "next new year" = 2014-01-01 00:00:00 day
            next valentine's day
              "next valentine's day" = 2013-02-14 00:00:00 day
            next memorial day
              "next memorial day" = 2013-05-27 00:00:00 day
            next labor day
              "next labor day" = 2013-09-02 00:00:00 day
            next mother's day
              "next mother's day" = 2013-05-12 00:00:00 day
            next father's day
              "next father's day" = 2013-06-16 00:00:00 day
            next independence day
              "next independence day" = 2013-07-04 00:00:00 day
            next st patrick's day
              "next st patrick's day" = 2013-03-17 00:00:00 day
            next black friday
              "next black friday" = 2013-11-29 00:00:00 day
            next veterans day
              "next veterans day" = 2013-11-11 00:00:00 day
            next martin luther king day
              "next martin luther king day" = 2014-01-20 00:00:00 day
            next presidents day
              "next presidents day" = 2013-02-18 00:00:00 day
            next christmas eve
              "next christmas eve" = 2013-12-24 00:00:00 day
            next new year's eve
              "next new year's eve" = 2013-12-31 00:00:00 day
            next boxing day
              "next boxing day" = 2013-12-26 00:00:00 day
            next good friday
              "next good friday" = 2013-03-29 00:00:00 day
            next earth day
              "next earth day" = 2013-04-22 00:00:00 day
            next groundhog day
              "next groundhog day" = 2014-02-02 00:00:00 day
            next mardi gras
              "next mardi gras" = 2014-03-04 00:00:00 day
            next ash wednesday
              "next ash wednesday" = 2013-02-13 00:00:00 day
            next yom kippur
              "next yom kippur" = 2013-09-13 00:00:00 day
            next diwali
              "next diwali" = 2013-11-03 00:00:00 day
            next chinese new year
              "next chinese new year" = 2014-01-31 00:00:00 day
            last christmas
              "last christmas" = 2012-12-25 00:00:00 day
            last christmas eve
              "last christmas eve" = 2012-12-24 00:00:00 day
            last thanksgiving
              "last thanksgiving" = 2012-11-22 00:00:00 day
            last easter
              "last easter" = 2012-04-08 00:00:00 day
            this thanksgiving
              "this thanksgiving" = 2013-11-28 00:00:00 day
            this christmas
              "this christmas" = 2013-12-25 00:00:00 day
            christmas after next
              "christmas after next" = 2014-12-25 00:00:00 day
            thanksgiving after next
              "thanksgiving after next" = 2014-11-27 00:00:00 day
            next memorial day weekend
              "next memorial day weekend" = [2013-05-24 18:00:00 hour, 2013-05-28 00:00:00 hour)
            next christmas morning
              "next christmas morning" = [2013-12-25 00:00:00 hour, 2013-12-25 12:00:00 hour)
        "#]],
    );
}

/// A holiday as seen from an offset ("thanksgiving 3 months ago" is the one
/// in the window from 3 months back), and offsets from "right now" to the second.
/// Expected values worked out by hand from Duckling's rules at its reference
/// (Tuesday 12 February 2013, 04:30).
#[test]
fn holidays_seen_from_an_offset_and_exact_offsets_from_right_now() {
    check(
        &[
            "thanksgiving 3 months ago",
            "christmas 2 months ago",
            "halloween 4 months ago",
            "easter 1 year ago",
            "thanksgiving a year ago",
            "christmas 2 years ago",
            "new year's eve 1 year ago",
            "memorial day two years ago",
            "christmas in 2 years",
            "groundhog day in 2 years",
            "thanksgiving in a year",
            "easter in 3 years",
            "thanksgiving 2 years from now",
            "halloween 3 years from now",
            "a day from right now",
            "one day from right now",
            "two days from right now",
            "3 days from right now",
            "a week from right now",
            "a month from right now",
            "a year from right now",
            "2 hours from right now",
            "10 minutes from right now",
            "an hour from right now",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            thanksgiving 3 months ago
              "thanksgiving 3 months ago" = 2012-11-22 00:00:00 day
            christmas 2 months ago
              "christmas 2 months ago" = 2012-12-25 00:00:00 day
            halloween 4 months ago
              "halloween 4 months ago" = 2012-10-31 00:00:00 day
            easter 1 year ago
              "easter 1 year ago" = 2012-04-08 00:00:00 day
            thanksgiving a year ago
              "thanksgiving a year ago" = 2012-11-22 00:00:00 day
            christmas 2 years ago
              "christmas 2 years ago" = 2011-12-25 00:00:00 day
            new year's eve 1 year ago
              "new year's eve 1 year ago" = 2012-12-31 00:00:00 day
            memorial day two years ago
              "memorial day two years ago" = 2011-05-30 00:00:00 day
            christmas in 2 years
              "christmas in 2 years" = 2015-12-25 00:00:00 day
            groundhog day in 2 years
              "groundhog day in 2 years" = 2015-02-02 00:00:00 day
            thanksgiving in a year
              "thanksgiving in a year" = 2014-11-27 00:00:00 day
            easter in 3 years
              "easter in 3 years" = 2016-03-27 00:00:00 day
            thanksgiving 2 years from now
              "thanksgiving 2 years from now" = 2015-11-26 00:00:00 day
            halloween 3 years from now
              "halloween 3 years from now" = 2016-10-31 00:00:00 day
            a day from right now
              "a day from right now" = 2013-02-13 04:30:00 second
            one day from right now
              "one day from right now" = 2013-02-13 04:30:00 second
            two days from right now
              "two days from right now" = 2013-02-14 04:30:00 second
            3 days from right now
              "3 days from right now" = 2013-02-15 04:30:00 second
            a week from right now
              "a week from right now" = 2013-02-19 04:30:00 second
            a month from right now
              "a month from right now" = 2013-03-12 04:30:00 second
            a year from right now
              "a year from right now" = 2014-02-12 04:30:00 second
            2 hours from right now
              "2 hours from right now" = 2013-02-12 06:30:00 second
            10 minutes from right now
              "10 minutes from right now" = 2013-02-12 04:40:00 second
            an hour from right now
              "an hour from right now" = 2013-02-12 05:30:00 second
        "#]],
    );
}

/// Clock and weekday conventions next to the categories: "12:30" is after
/// noon, "this tuesday" said on a Tuesday is next week's, "all week" and
/// "early morning" as Duckling bounds them.
#[test]
fn clock_weekday_and_week_conventions() {
    check(
        &[
            "12:30",
            "tomorrow at 12:15",
            "on friday at 12:30",
            "12:45am",
            "half past 4",
            "half past 5",
            "this tuesday",
            "this friday",
            "next tuesday",
            "all week",
            "rest of the week",
            "early morning",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            12:30
              "12:30" = 2013-02-12 12:30:00 minute
            tomorrow at 12:15
              "tomorrow at 12:15" = 2013-02-13 12:15:00 minute
            on friday at 12:30
              "on friday at 12:30" = 2013-02-15 12:30:00 minute
            12:45am
              "12:45am" = 2013-02-13 00:45:00 minute
            half past 4
              "half past 4" = 2013-02-12 04:30:00 minute
            half past 5
              "half past 5" = 2013-02-12 05:30:00 minute
            this tuesday
              "this tuesday" = 2013-02-19 00:00:00 day
            this friday
              "this friday" = 2013-02-15 00:00:00 day
            next tuesday
              "next tuesday" = 2013-02-19 00:00:00 day
            all week
              "all week" = [2013-02-11 00:00:00 day, 2013-02-17 00:00:00 day)
            rest of the week
              "rest of the week" = [2013-02-12 00:00:00 day, 2013-02-17 00:00:00 day)
            early morning
              "early morning" = [2013-02-12 00:00:00 hour, 2013-02-12 09:00:00 hour)
        "#]],
    );
}

/// A range said with "before" ends at its second time, as "before 11am"
/// alone does; the closed forms ("to", "-", "between ... and") keep
/// Duckling's convention of including the last minute or hour.
#[test]
fn a_range_that_ends_before_its_second_time() {
    check(
        &[
            "later than 9:30 but before 11:00 on Thursday",
            "after 2pm but before 5pm tomorrow",
            "later than 10 and before noon",
            "after 9am and before 11am",
            "between 9:30 and 11:00 on thursday",
            "9:30 - 11:00",
        ],
        duckling_reference(),
        &DateTimeOptions::default(),
        expect![[r#"
            later than 9:30 but before 11:00 on Thursday
              "later than 9:30 but before 11:00 on Thursday" = [2013-02-14 09:30:00 minute, 2013-02-14 11:00:00 minute)
            after 2pm but before 5pm tomorrow
              "after 2pm but before 5pm tomorrow" = [2013-02-13 14:00:00 hour, 2013-02-13 17:00:00 hour)
            later than 10 and before noon
              "later than 10 and before noon" = [2013-02-12 10:00:00 hour, 2013-02-12 12:00:00 hour)
            after 9am and before 11am
              "after 9am and before 11am" = [2013-02-12 09:00:00 hour, 2013-02-12 11:00:00 hour)
            between 9:30 and 11:00 on thursday
              "between 9:30 and 11:00 on thursday" = [2013-02-14 09:30:00 minute, 2013-02-14 11:01:00 minute)
            9:30 - 11:00
              "9:30 - 11:00" = [2013-02-12 09:30:00 minute, 2013-02-12 11:01:00 minute)
        "#]],
    );
}
