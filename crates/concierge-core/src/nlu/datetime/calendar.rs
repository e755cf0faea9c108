//! Calendar arithmetic on wall-clock times: truncating to a grain, adding
//! whole grains, nth weekday of a month, Easter. Every function returns
//! `None` rather than overflowing.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

use super::Grain;

/// Years the parser will produce; outside them expressions are ignored.
pub(crate) const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// The date, if it exists and its year is in [`YEARS`].
pub(crate) fn ymd(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    if !YEARS.contains(&year) {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The first moment of `date`.
pub(crate) fn midnight(date: NaiveDate) -> NaiveDateTime {
    date.and_time(NaiveTime::MIN)
}

/// `date` at `hour:minute:second`, if valid.
pub(crate) fn at(date: NaiveDate, hour: u32, minute: u32, second: u32) -> Option<NaiveDateTime> {
    if hour == 24 && minute == 0 && second == 0 {
        return Some(midnight(date.succ_opt()?));
    }
    Some(date.and_time(NaiveTime::from_hms_opt(hour, minute, second)?))
}

/// The Monday starting the week of `date`.
pub(crate) fn week_start(date: NaiveDate) -> NaiveDate {
    let back = i64::from(date.weekday().num_days_from_monday());
    date.checked_sub_signed(Duration::days(back)).unwrap_or(date)
}

/// The start of the `grain` containing `t` (weeks start on Monday).
pub(crate) fn truncate(t: NaiveDateTime, grain: Grain) -> NaiveDateTime {
    let date = t.date();
    let first_of = |month: u32| ymd(date.year(), month, 1).map_or(t, midnight);
    match grain {
        Grain::Second => t.with_nanosecond(0).unwrap_or(t),
        Grain::Minute => at(date, t.hour(), t.minute(), 0).unwrap_or(t),
        Grain::Hour => at(date, t.hour(), 0, 0).unwrap_or(t),
        Grain::Day => midnight(date),
        Grain::Week => midnight(week_start(date)),
        Grain::Month => first_of(date.month()),
        Grain::Quarter => first_of((date.month0() / 3) * 3 + 1),
        Grain::Year => first_of(1),
    }
}

/// `date` moved by `months`, keeping the day when it exists and using the
/// month's last day otherwise.
pub(crate) fn add_months(date: NaiveDate, months: i64) -> Option<NaiveDate> {
    let total =
        i64::from(date.year()).checked_mul(12)?.checked_add(i64::from(date.month0()))?.checked_add(months)?;
    let year = i32::try_from(total.div_euclid(12)).ok()?;
    let month = u32::try_from(total.rem_euclid(12)).ok()? + 1;
    let last = days_in_month(year, month)?;
    ymd(year, month, date.day().min(last))
}

/// Number of days in a month.
pub(crate) fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = ymd(year, month, 1)?;
    let next = add_months_first(first)?;
    u32::try_from(next.signed_duration_since(first).num_days()).ok()
}

fn add_months_first(first: NaiveDate) -> Option<NaiveDate> {
    if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year().checked_add(1)?, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    }
}

/// `t` moved by `n` whole `grain`s.
pub(crate) fn add(t: NaiveDateTime, grain: Grain, n: i64) -> Option<NaiveDateTime> {
    let seconds = |per: i64| -> Option<NaiveDateTime> {
        let delta = Duration::try_seconds(n.checked_mul(per)?)?;
        let moved = t.checked_add_signed(delta)?;
        YEARS.contains(&moved.year()).then_some(moved)
    };
    match grain {
        Grain::Second => seconds(1),
        Grain::Minute => seconds(60),
        Grain::Hour => seconds(3600),
        Grain::Day => seconds(86_400),
        Grain::Week => seconds(7 * 86_400),
        Grain::Month => Some(add_months(t.date(), n)?.and_time(t.time())),
        Grain::Quarter => Some(add_months(t.date(), n.checked_mul(3)?)?.and_time(t.time())),
        Grain::Year => Some(add_months(t.date(), n.checked_mul(12)?)?.and_time(t.time())),
    }
}

/// `date` moved by `n` days.
pub(crate) fn add_days(date: NaiveDate, n: i64) -> Option<NaiveDate> {
    let moved = date.checked_add_signed(Duration::try_days(n)?)?;
    YEARS.contains(&moved.year()).then_some(moved)
}

/// The grain one step finer, used for "in 3 days" (hour grain, as Duckling).
pub(crate) fn finer(grain: Grain) -> Grain {
    match grain {
        Grain::Second | Grain::Minute => Grain::Second,
        Grain::Hour => Grain::Minute,
        Grain::Day => Grain::Hour,
        Grain::Week | Grain::Month => Grain::Day,
        Grain::Quarter | Grain::Year => Grain::Month,
    }
}

/// The `n`th `weekday` of a month (1 is the first, -1 the last).
pub(crate) fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: i32) -> Option<NaiveDate> {
    if n > 0 {
        let first = ymd(year, month, 1)?;
        let offset = (7 + weekday.num_days_from_monday() - first.weekday().num_days_from_monday()) % 7;
        let day = 1 + offset + 7 * u32::try_from(n - 1).ok()?;
        ymd(year, month, day)
    } else if n < 0 {
        let last_day = days_in_month(year, month)?;
        let last = ymd(year, month, last_day)?;
        let back = (7 + last.weekday().num_days_from_monday() - weekday.num_days_from_monday()) % 7;
        let back = back + 7 * u32::try_from(-n - 1).ok()?;
        if back >= last_day {
            return None;
        }
        ymd(year, month, last_day - back)
    } else {
        None
    }
}

/// Western (Gregorian) Easter Sunday, by the anonymous Gregorian algorithm.
pub(crate) fn easter(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// Orthodox Easter Sunday (Julian computus, shown in the Gregorian calendar).
pub(crate) fn orthodox_easter(year: i32) -> Option<NaiveDate> {
    let a = year % 4;
    let b = year % 7;
    let c = year % 19;
    let d = (19 * c + 15) % 30;
    let e = (2 * a + 4 * b - d + 34) % 7;
    let month = (d + e + 114) / 31;
    let day = (d + e + 114) % 31 + 1;
    let julian = ymd(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)?;
    // Julian to Gregorian offset: 13 days for 1900-2099.
    let offset = i64::from(year / 100 - year / 400 - 2);
    add_days(julian, offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_dates_are_known_ones() {
        assert_eq!(easter(2013), ymd(2013, 3, 31));
        assert_eq!(easter(2019), ymd(2019, 4, 21));
        assert_eq!(orthodox_easter(2018), ymd(2018, 4, 8));
        assert_eq!(orthodox_easter(2013), ymd(2013, 5, 5));
    }

    #[test]
    fn nth_weekday_counts_from_either_end() {
        assert_eq!(nth_weekday(2013, 11, Weekday::Thu, 4), ymd(2013, 11, 28));
        assert_eq!(nth_weekday(2013, 5, Weekday::Mon, -1), ymd(2013, 5, 27));
        assert_eq!(nth_weekday(2013, 2, Weekday::Mon, 5), None);
    }

    #[test]
    fn month_arithmetic_clamps_days() {
        assert_eq!(add_months(ymd(2013, 1, 31).unwrap(), 1), ymd(2013, 2, 28));
        assert_eq!(add_months(ymd(2013, 1, 31).unwrap(), -2), ymd(2012, 11, 30));
        assert_eq!(add_months(ymd(9999, 12, 1).unwrap(), 1), None);
    }
}
