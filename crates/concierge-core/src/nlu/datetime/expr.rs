//! What an expression means before it is placed on the calendar: the
//! grammar builds these trees, [`super::resolve`] turns them into
//! [`super::TimeValue`]s against a reference time.

use chrono::Weekday;

use super::holidays::Holiday;
use super::Grain;

/// A length of time in whole units ("2.5 hours" becomes 150 minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Dur {
    pub(crate) n: i64,
    pub(crate) unit: Grain,
}

impl Dur {
    /// Approximate length in seconds (months are 30 days, years 365).
    pub(crate) fn seconds(self) -> Option<i64> {
        let per = match self.unit {
            Grain::Second => 1,
            Grain::Minute => 60,
            Grain::Hour => 3600,
            Grain::Day => 86_400,
            Grain::Week => 7 * 86_400,
            Grain::Month => 30 * 86_400,
            Grain::Quarter => 91 * 86_400,
            Grain::Year => 365 * 86_400,
        };
        self.n.checked_mul(per)
    }
}

/// "am" or "pm".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meridiem {
    Am,
    Pm,
}

/// A time of day as written: "3pm", "15:30", "ten thirty", "quarter past 6".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Tod {
    /// 0-24; 1-12 may be ambiguous between morning and afternoon.
    pub(crate) hour: u32,
    pub(crate) minute: Option<u32>,
    pub(crate) second: Option<u32>,
    pub(crate) meridiem: Option<Meridiem>,
    /// Written in a way that fixes the hour (24-hour clock, "noon").
    pub(crate) exact: bool,
}

impl Tod {
    /// An hour with nothing else known.
    pub(crate) fn hour(hour: u32) -> Self {
        Self { hour, minute: None, second: None, meridiem: None, exact: false }
    }

    /// How precisely it was given.
    pub(crate) fn grain(&self) -> Grain {
        if self.second.is_some() {
            Grain::Second
        } else if self.minute.is_some() {
            Grain::Minute
        } else {
            Grain::Hour
        }
    }

    /// Whether it could be morning or afternoon.
    pub(crate) fn ambiguous(&self) -> bool {
        !self.exact && self.meridiem.is_none() && (1..=12).contains(&self.hour)
    }

    /// The 24-hour readings, earliest first.
    pub(crate) fn hours(&self) -> Vec<u32> {
        let h = self.hour;
        match self.meridiem {
            Some(Meridiem::Am) => vec![h % 12],
            Some(Meridiem::Pm) => vec![h % 12 + 12],
            None if self.ambiguous() => {
                if h == 12 {
                    vec![0, 12]
                } else {
                    vec![h, h + 12]
                }
            }
            None => vec![h],
        }
    }

    /// Moves the time by `minutes` ("ten to three" is three minus ten).
    pub(crate) fn shifted(self, minutes: i64) -> Option<Self> {
        let base = i64::from(self.hour) * 60 + i64::from(self.minute.unwrap_or(0));
        let mut total = base + minutes;
        let cycle = if self.ambiguous() { 12 * 60 } else { 24 * 60 };
        total = total.rem_euclid(cycle);
        let mut hour = u32::try_from(total / 60).ok()?;
        if self.ambiguous() && hour == 0 {
            hour = 12;
        }
        let mut exact = self.exact;
        let mut meridiem = self.meridiem;
        if let Some(m) = meridiem {
            // "a quarter to 1pm" is 12:45, still pm; "ten to 1am" is 00:50.
            let h24 = (i64::from(self.hour % 12) + if m == Meridiem::Pm { 12 } else { 0 }) * 60
                + i64::from(self.minute.unwrap_or(0))
                + minutes;
            let h24 = h24.rem_euclid(24 * 60);
            hour = u32::try_from(h24 / 60).ok()?;
            meridiem = None;
            exact = true;
        }
        Some(Self { hour, minute: Some(u32::try_from(total % 60).ok()?), second: None, meridiem, exact })
    }
}

/// A part of the day, as hours `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Pod {
    pub(crate) start: u32,
    pub(crate) end: u32,
    /// Bare hours in it read as pm ("this evening at 8").
    pub(crate) pm: bool,
}

/// Which occurrence of a repeating thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Which {
    /// The nearest one (the current one if it has not ended).
    Nearest,
    /// Explicitly "this".
    This,
    /// "next": the one after the current one.
    Next,
    /// "last": the one before the current one.
    Last,
    /// "after next".
    AfterNext,
    /// In a given year.
    Year(i32),
    /// In the year `n` years from the reference ("of next year").
    YearOffset(i64),
}

/// Calendar fields that must all match ("Friday the 15th", "2/15/2014").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Fields {
    pub(crate) year: Option<i32>,
    pub(crate) month: Option<u32>,
    pub(crate) day: Option<u32>,
    pub(crate) weekday: Option<Weekday>,
}

impl Fields {
    pub(crate) fn is_empty(&self) -> bool {
        *self == Fields::default()
    }

    /// Combines two sets of fields when they do not overlap.
    pub(crate) fn merge(self, other: Fields) -> Option<Fields> {
        fn one<T>(a: Option<T>, b: Option<T>) -> Option<Option<T>> {
            match (a, b) {
                (Some(_), Some(_)) => None,
                (a, b) => Some(a.or(b)),
            }
        }
        Some(Fields {
            year: one(self.year, other.year)?,
            month: one(self.month, other.month)?,
            day: one(self.day, other.day)?,
            weekday: one(self.weekday, other.weekday)?,
        })
    }
}

/// A single day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateExpr {
    /// The first day matching the fields.
    Fields(Fields),
    /// Today plus some days ("tomorrow").
    Today(i64),
    /// "next Friday", "last Sunday", "Friday after next".
    Weekday(Weekday, Which),
    /// "2 sundays from now" (positive) or "2 thursdays ago" (negative).
    WeekdayCount(Weekday, i64),
    /// "Christmas", "next Thanksgiving", "Easter 2014".
    Holiday(Holiday, Which),
    /// "the first Tuesday of October", "the last Monday of March" (negative counts from the end).
    NthWeekdayOf(i32, Weekday, Box<Period>),
    /// "the third Tuesday after Christmas" (negative: before).
    NthWeekdayFrom(i32, Weekday, Box<DateExpr>),
    /// "the third day of October", "the 20th of next month", "the last day of ...".
    NthDayOf(i32, Box<Period>),
    /// The occurrence of a day closest to a time, the nth closest when the
    /// count is above 0 ("the closest Monday to May 3", "the second closest
    /// Christmas to today").
    Closest(u32, Box<DateExpr>, Box<Time>),
    /// The first day of the reference moved by a length, at the grain below
    /// the length's unit ("in 3 years" is a month, "in 2 weeks" a day); only
    /// used with a time of day ("at 7 in 3 years", "in 2 weeks at noon").
    Offset(Dur),
}

/// Seasons of the northern hemisphere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Season {
    Spring,
    Summer,
    Fall,
    Winter,
}

/// Part of a longer period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PartOf {
    Beginning,
    Middle,
    End,
}

/// Which weekend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum WeekendOf {
    /// This weekend (0), next weekend (1), last weekend (-1).
    Offset(i64),
    /// The nth weekend in a period (negative from the end).
    Nth(i32, Box<Period>),
    /// The long weekend of a Monday holiday ("labor day weekend").
    Holiday(Holiday, Which),
}

/// A period longer than a day or a named interval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Period {
    /// The grain containing the reference, moved by n ("next week").
    Cycle(Grain, i64),
    /// A named month.
    Month(u32, Which),
    /// A year.
    Year(i32),
    /// A quarter, this year unless given.
    Quarter(u32, Option<i32>),
    /// The nth whole week in a period (negative from the end).
    NthWeekOf(i32, Box<Period>),
    /// The week containing a day.
    WeekOf(Box<DateExpr>),
    /// A weekend, Friday 18:00 to Monday 00:00.
    Weekend(WeekendOf),
    /// A season.
    Season(Season, Which),
    /// The beginning, middle or end of a period.
    Part(PartOf, Box<Period>),
    /// From today to the end of the grain ("rest of the week").
    RestOf(Grain),
    /// The whole of the current week, Monday to Saturday as Duckling ends
    /// "all week" ("all week", "the whole week").
    AllWeek,
    /// Whichever season, counted from the current one ("this season" is 0,
    /// "next season" 1, "last season" -1).
    AnySeason(i64),
}

/// A point or bounded stretch of time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Time {
    /// The reference time.
    Now,
    /// A day.
    Date(DateExpr),
    /// A time of day, on a day and in a part of the day when given.
    At { date: Option<DateExpr>, pod: Option<Pod>, tod: Tod },
    /// A part of a day ("tomorrow morning").
    DayPart { date: Option<DateExpr>, pod: Pod },
    /// A period.
    Period(Period),
    /// The reference time moved ("in 2 hours", "3 days ago").
    Offset(Dur),
    /// The reference time moved, to the second ("a day from right now").
    OffsetExact(Dur),
    /// Another time moved ("15 minutes from 1pm", "3 years from today").
    Shifted(Box<Time>, Dur),
    /// The whole grain `n` grains after (negative: before) the one holding
    /// a time ("the week after Christmas", "the third month after March").
    CycleAfter(Grain, i64, Box<Time>),
    /// A time given in another zone, as seconds east of UTC ("4pm CET").
    Zoned(Box<Time>, i32),
    /// A time resolved as if the reference were moved ("thanksgiving in a year").
    Later(Box<Time>, Dur),
}

/// A whole expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// A point or stretch.
    Time(Time),
    /// From one time to another, both included ("3-4pm").
    Range(Time, Time),
    /// From one time up to the start of another ("later than 9:30 but
    /// before 11:00" ends at 11:00).
    Between(Time, Time),
    /// Up to a time ("until 2pm", "before 11am").
    Until(Time),
    /// From a time on ("after 2pm", "since 2014").
    After(Time),
    /// From the start of a time's day up to it, or (when `true`) from it to
    /// the end of its day ("tomorrow before 11am", "Friday after 5pm").
    SameDay(Time, bool),
    /// From now until a time ("by 2pm", "by the end of the year").
    By(Time),
    /// From a time for a length ("from 4pm for 30 minutes").
    Lasting(Time, Dur),
    /// From now for a length ("within 2 weeks").
    Within(Dur),
    /// The n grains after the current one ("next 3 days"), or before it when negative.
    NextN(Grain, i64),
    /// A length of time ("for 45 minutes").
    Duration(Dur),
    /// From now on ("as soon as possible").
    Asap,
}
