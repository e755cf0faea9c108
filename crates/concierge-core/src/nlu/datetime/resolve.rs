//! Places parsed expressions on the calendar, relative to the reference
//! time, following Duckling's conventions: a time of day is the nearest one
//! whose hour has not ended ("4:23" at 04:30 is today 04:23, "3:18am" is
//! tomorrow), a day or month is the nearest that has not ended, "next
//! Friday" is the Friday of next week, intervals' ends are exclusive.
//! With [`DateTimeOptions::prefer_future`] nothing before the reference is
//! returned for expressions that leave the date open.
//!
//! Over 600 lines on purpose: every kind of expression is placed by the same
//! few conventions, which read best side by side.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::calendar::{self, add, add_days, add_months, at, midnight, truncate, week_start, ymd};
use super::expr::{DateExpr, Expr, Fields, PartOf, Period, Pod, Season, Time, Tod, WeekendOf, Which};
use super::holidays::Holiday;
use super::{DateTimeOptions, Grain, TimeValue};

/// A resolved time: an instant of some grain, or a bounded interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Instant(NaiveDateTime, Grain),
    Interval(NaiveDateTime, NaiveDateTime, Grain),
}

impl Span {
    fn start(self) -> NaiveDateTime {
        match self {
            Span::Instant(s, _) | Span::Interval(s, _, _) => s,
        }
    }

    fn grain(self) -> Grain {
        match self {
            Span::Instant(_, g) | Span::Interval(_, _, g) => g,
        }
    }

    /// The exclusive end, measuring an instant in `grain`.
    fn end_in(self, grain: Grain) -> Option<NaiveDateTime> {
        match self {
            Span::Instant(s, _) => add(s, grain, 1),
            Span::Interval(_, e, _) => Some(e),
        }
    }

    fn end(self) -> Option<NaiveDateTime> {
        self.end_in(self.grain())
    }
}

/// The reference time and options.
struct Ctx<'a> {
    now: NaiveDateTime,
    /// The reference's offset from UTC in seconds, when known.
    offset: Option<i32>,
    options: &'a DateTimeOptions,
}

/// Resolves `expr` against `now`; `None` when it names no real time.
pub(crate) fn resolve(
    expr: &Expr,
    now: NaiveDateTime,
    offset: Option<i32>,
    options: &DateTimeOptions,
) -> Option<TimeValue> {
    let ctx = Ctx { now, offset, options };
    ctx.expr(expr)
}

fn interval(from: Option<(NaiveDateTime, Grain)>, to: Option<(NaiveDateTime, Grain)>) -> TimeValue {
    TimeValue::Interval { from, to }
}

fn pod_range(day: NaiveDate, pod: Pod) -> Option<(NaiveDateTime, NaiveDateTime)> {
    Some((at(day, pod.start, 0, 0)?, at(day, pod.end, 0, 0)?))
}

impl Ctx<'_> {
    fn today(&self) -> NaiveDate {
        self.now.date()
    }

    fn with_now(&self, now: NaiveDateTime) -> Ctx<'_> {
        Ctx { now, offset: self.offset, options: self.options }
    }

    fn expr(&self, expr: &Expr) -> Option<TimeValue> {
        match expr {
            Expr::Time(t) => Some(match self.time(t)? {
                Span::Instant(value, grain) => TimeValue::Instant { value, grain },
                Span::Interval(s, e, g) => interval(Some((s, g)), Some((e, g))),
            }),
            Expr::Range(a, b) => {
                let (from, to, g) = self.range(a, b, true)?;
                Some(interval(Some((from, g)), Some((to, g))))
            }
            Expr::Between(a, b) => {
                let (from, to, g) = self.range(a, b, false)?;
                Some(interval(Some((from, g)), Some((to, g))))
            }
            Expr::Until(t) => {
                let s = self.time(t)?;
                Some(interval(None, Some((s.start(), s.grain()))))
            }
            Expr::After(t) => {
                let s = self.time(t)?;
                Some(interval(Some((s.start(), s.grain())), None))
            }
            Expr::SameDay(t, after) => {
                let s = self.time(t)?;
                let (start, g) = (s.start(), s.grain());
                let day = midnight(start.date());
                if *after {
                    let end = add(day, Grain::Day, 1)?;
                    (end > start).then(|| interval(Some((start, g)), Some((end, g))))
                } else {
                    // The part of a day before a time is a stretch of that
                    // day, counted in days (as rustling reads "tomorrow
                    // before 11 am"; Duckling has no such closed reading).
                    (start > day).then(|| interval(Some((day, Grain::Day)), Some((start, Grain::Day))))
                }
            }
            Expr::By(t) => {
                let s = self.time(t)?;
                let end = match s {
                    Span::Instant(start, _) => start,
                    Span::Interval(_, end, _) => end,
                };
                (end > self.now)
                    .then(|| interval(Some((self.now, Grain::Second)), Some((end, Grain::Second))))
            }
            Expr::Lasting(t, d) => {
                let s = self.time(t)?;
                let g = s.grain().min(d.unit);
                let last = add(s.start(), d.unit, d.n)?;
                let to = add(last, g, 1)?;
                (to > s.start()).then(|| interval(Some((s.start(), g)), Some((to, g))))
            }
            Expr::Within(d) => {
                let end = add(self.now, d.unit, d.n)?;
                let end = truncate(end, calendar::finer(d.unit));
                (end > self.now)
                    .then(|| interval(Some((self.now, Grain::Second)), Some((end, Grain::Second))))
            }
            Expr::NextN(g, n) => {
                let base = truncate(self.now, *g);
                let (from, to) = if *n > 0 {
                    let from = add(base, *g, 1)?;
                    (from, add(from, *g, *n)?)
                } else {
                    (add(base, *g, *n)?, base)
                };
                Some(interval(Some((from, *g)), Some((to, *g))))
            }
            Expr::Duration(d) => {
                let seconds = d.seconds()?;
                (seconds > 0).then_some(TimeValue::Duration { seconds })
            }
            Expr::Asap => Some(interval(Some((self.now, Grain::Second)), None)),
        }
    }

    /// A range from the start of `a` to the end of `b` (`closed`) or to its
    /// start, with `b` taken after `a` when it is ambiguous ("between 2 and 5").
    fn range(&self, a: &Time, b: &Time, closed: bool) -> Option<(NaiveDateTime, NaiveDateTime, Grain)> {
        if let (Time::Zoned(a, za), Time::Zoned(b, zb)) = (a, b) {
            if za == zb {
                // Resolve in the named zone, then move both ends together.
                let (from, to, g) = self.range(a, b, closed)?;
                let shift = self.zone_shift(*za)?;
                return Some((from.checked_add_signed(shift)?, to.checked_add_signed(shift)?, g));
            }
        }
        let sa = self.time(a)?;
        let mut sb = self.time(b)?;
        if sb.start() < sa.start() {
            sb = self.with_now(sa.start()).time(b)?;
        }
        let g = sa.grain().min(sb.grain());
        let to = if closed { sb.end_in(g)? } else { sb.start() };
        (to > sa.start()).then_some((sa.start(), to, g))
    }

    /// How far a wall-clock time in `zone` is from the reference's wall
    /// clock (nothing when the reference's offset is unknown).
    fn zone_shift(&self, zone: i32) -> Option<Duration> {
        Duration::try_seconds(self.offset.map_or(0, |offset| i64::from(offset) - i64::from(zone)))
    }

    fn time(&self, t: &Time) -> Option<Span> {
        match t {
            Time::Now => Some(Span::Instant(self.now, Grain::Second)),
            Time::Date(d) => {
                let mut day = self.date(d)?;
                // A bare weekday is never today (Duckling's "not immediate"):
                // "tuesday" said on a Tuesday is next week's.
                if let DateExpr::Fields(f) = d {
                    if f.weekday.is_some()
                        && f.day.is_none()
                        && f.month.is_none()
                        && f.year.is_none()
                        && day == self.today()
                    {
                        day = add_days(day, 7)?;
                    }
                }
                if let DateExpr::Holiday(h, _) = d {
                    if let Some(((h1, m1), (h2, m2))) = h.hours() {
                        // Earth Hour: both minutes included, as Duckling.
                        let end = add(at(day, h2, m2, 0)?, Grain::Minute, 1)?;
                        return Some(Span::Interval(at(day, h1, m1, 0)?, end, Grain::Minute));
                    }
                    if h.days > 1 {
                        let end = add_days(day, i64::from(h.length(day)))?;
                        return Some(Span::Interval(midnight(day), midnight(end), Grain::Day));
                    }
                }
                Some(Span::Instant(midnight(day), Grain::Day))
            }
            Time::At { date, pod, tod } => self.at(date.as_ref(), *pod, *tod),
            Time::DayPart { date, pod } => {
                let day = match date {
                    Some(d) => self.date(d)?,
                    None => {
                        let today = self.today();
                        let (_, end) = pod_range(today, *pod)?;
                        if end <= self.now {
                            add_days(today, 1)?
                        } else {
                            today
                        }
                    }
                };
                let (s, e) = pod_range(day, *pod)?;
                Some(Span::Interval(s, e, Grain::Hour))
            }
            Time::Period(p) => self.period(p),
            Time::Offset(d) => {
                let moved = add(self.now, d.unit, d.n)?;
                // "in 7 days", "a fortnight ago": a day, as rustling reads
                // it and as a booking needs it (Duckling keeps the hour of
                // now); longer units keep Duckling's next finer grain.
                let g = match d.unit {
                    Grain::Day => Grain::Day,
                    unit => calendar::finer(unit),
                };
                Some(Span::Instant(truncate(moved, g), g))
            }
            Time::CycleAfter(g, n, t) => {
                let s = self.time(t)?;
                Some(Span::Instant(add(truncate(s.start(), *g), *g, *n)?, *g))
            }
            Time::OffsetExact(d) => Some(Span::Instant(add(self.now, d.unit, d.n)?, Grain::Second)),
            Time::Shifted(t, d) => {
                // The anchor's occurrences all move: the first moved one
                // that has not ended ("a year after Christmas" in February
                // is the coming Christmas, last Christmas moved a year). A
                // bare weekday is the coming one ("a week from friday").
                let recurring = matches!(
                    **t,
                    Time::Date(DateExpr::Holiday(_, Which::Nearest))
                        | Time::Date(DateExpr::Fields(Fields { year: None, month: Some(_), .. }))
                        | Time::Date(DateExpr::Fields(Fields { year: None, day: Some(_), .. }))
                );
                let s = if recurring {
                    self.with_now(add(self.now, d.unit, -d.n)?).time(t)?
                } else {
                    self.time(t)?
                };
                let g = s.grain().min(d.unit);
                let moved = add(s.start(), d.unit, d.n)?;
                Some(Span::Instant(truncate(moved, g), g))
            }
            Time::Zoned(t, zone) => {
                let s = self.time(t)?;
                let shift = self.zone_shift(*zone)?;
                Some(match s {
                    Span::Instant(v, g) => Span::Instant(v.checked_add_signed(shift)?, g),
                    Span::Interval(a, b, g) => {
                        Span::Interval(a.checked_add_signed(shift)?, b.checked_add_signed(shift)?, g)
                    }
                })
            }
            Time::Later(t, d) => {
                // From the start of the moved reference's finer grain, as
                // Duckling's window "in 2 years" starts on the 1st of the
                // month ("groundhog day in 2 years" on Feb 12 is that Feb 2).
                let now = truncate(add(self.now, d.unit, d.n)?, calendar::finer(d.unit));
                self.with_now(now).time(t)
            }
        }
    }

    /// The candidate 24-hour readings of a time of day, best first.
    fn hours(&self, tod: Tod, pod: Option<Pod>) -> Vec<u32> {
        let mut hours = tod.hours();
        if !tod.ambiguous() {
            return hours;
        }
        if let Some(pod) = pod {
            let inside: Vec<u32> =
                hours.iter().copied().filter(|h| (pod.start..pod.end).contains(h)).collect();
            if !inside.is_empty() {
                return inside;
            }
            if tod.hour == 12 && pod.end == 24 {
                // "tonight at 12", "this evening at 12": the midnight ending it.
                return vec![0];
            }
            hours.sort_by_key(|h| if pod.pm { u32::from(*h < 12) } else { u32::from(*h >= 12) });
            hours.truncate(1);
            return hours;
        }
        if let Some((open, close)) = self.options.business_hours {
            let minute = tod.minute.unwrap_or(0);
            let inside: Vec<u32> = hours
                .iter()
                .copied()
                .filter(|h| NaiveTime::from_hms_opt(*h, minute, 0).is_some_and(|t| t >= open && t < close))
                .collect();
            if !inside.is_empty() {
                return inside;
            }
        }
        hours
    }

    fn at(&self, date: Option<&DateExpr>, pod: Option<Pod>, tod: Tod) -> Option<Span> {
        let grain = tod.grain();
        let (minute, second) = (tod.minute.unwrap_or(0), tod.second.unwrap_or(0));
        let hours = self.hours(tod, pod);
        let make = |day: NaiveDate, h: u32| at(day, h, minute, second);
        if let Some(d) = date {
            let mut day = self.date(d)?;
            // "tomorrow night at 1am", "Friday night at 12": after midnight
            // is still that night.
            let after_midnight =
                |p: Pod| p.start >= 12 && p.end == 24 && hours.first().is_some_and(|h| *h < 12);
            if pod.is_some_and(after_midnight) {
                day = add_days(day, 1)?;
            }
            let t = hours.iter().find_map(|h| make(day, *h))?;
            return Some(Span::Instant(t, grain));
        }
        let today = self.today();
        if pod.is_some() {
            for offset in 0..2 {
                let day = add_days(today, offset)?;
                let t = hours.iter().find_map(|h| make(day, *h))?;
                // "3:15 in the morning": today unless that hour is over.
                let ok = if self.options.prefer_future {
                    t >= self.now
                } else {
                    add(truncate(t, Grain::Hour), Grain::Hour, 1)? > self.now
                };
                if ok || offset == 1 {
                    return Some(Span::Instant(t, grain));
                }
            }
            return None;
        }
        for offset in 0..3 {
            let day = add_days(today, offset)?;
            let mut found: Vec<NaiveDateTime> = hours.iter().filter_map(|h| make(day, *h)).collect();
            found.sort();
            for t in found {
                let ok = if self.options.prefer_future {
                    t >= self.now
                } else {
                    add(truncate(t, Grain::Hour), Grain::Hour, 1)? > self.now
                };
                if ok {
                    return Some(Span::Instant(t, grain));
                }
            }
        }
        None
    }

    fn date(&self, d: &DateExpr) -> Option<NaiveDate> {
        let today = self.today();
        match d {
            DateExpr::Fields(f) => self.fields(*f),
            DateExpr::Today(n) => add_days(today, *n),
            DateExpr::Closest(n, d, anchor) => {
                let anchor = self.time(anchor)?.start().date();
                // Occurrences near the anchor: the day resolved from a week
                // at a time over three years either side (every weekday,
                // date and yearly holiday shows up).
                let mut days: Vec<NaiveDate> = (-160..=160)
                    .filter_map(|k| {
                        let from = midnight(add_days(anchor, 7 * k)?);
                        self.with_now(from).date(d)
                    })
                    .collect();
                days.sort_by_key(|day| ((*day - anchor).num_days().abs(), *day));
                days.dedup();
                days.sort_by_key(|day| ((*day - anchor).num_days().abs(), *day));
                days.get(usize::try_from(*n).ok()?).copied()
            }
            DateExpr::Offset(d) => {
                let moved = add(self.now, d.unit, d.n)?;
                Some(truncate(moved, calendar::finer(d.unit).max(Grain::Day)).date())
            }
            DateExpr::Weekday(w, which) => {
                let ahead = days_until(today, *w);
                match which {
                    Which::Next => {
                        let monday = add_days(week_start(today), 7)?;
                        add_days(monday, i64::from(w.num_days_from_monday()))
                    }
                    Which::Last => {
                        let back = match days_since(today, *w) {
                            0 => 7,
                            n => n,
                        };
                        add_days(today, -back)
                    }
                    Which::AfterNext => {
                        let first = if ahead == 0 { 7 } else { ahead };
                        add_days(today, first + 7)
                    }
                    // "this tuesday" said on a Tuesday is next week's, as
                    // a bare "tuesday" is (Duckling's "not immediate").
                    Which::This if ahead == 0 => add_days(today, 7),
                    _ => add_days(today, ahead),
                }
            }
            DateExpr::WeekdayCount(w, n) => {
                if *n > 0 {
                    let first = match days_until(today, *w) {
                        0 => 7,
                        a => a,
                    };
                    add_days(today, first + 7 * (n - 1))
                } else if *n < 0 {
                    let first = match days_since(today, *w) {
                        0 => 7,
                        a => a,
                    };
                    add_days(today, -first + 7 * (n + 1))
                } else {
                    None
                }
            }
            DateExpr::Holiday(h, which) => self.holiday(*h, *which),
            DateExpr::NthWeekdayOf(n, w, p) => {
                let (s, e) = self.period_days(p)?;
                if *n > 0 {
                    let first = add_days(s, days_until(s, *w))?;
                    let day = add_days(first, 7 * i64::from(n - 1))?;
                    (day < e).then_some(day)
                } else {
                    let last_day = add_days(e, -1)?;
                    let last = add_days(last_day, -days_since(last_day, *w))?;
                    let day = add_days(last, 7 * i64::from(n + 1))?;
                    (day >= s).then_some(day)
                }
            }
            DateExpr::NthWeekdayFrom(n, w, anchor) => {
                let day = self.date(anchor)?;
                if *n > 0 {
                    let first = match days_until(day, *w) {
                        0 => 7,
                        a => a,
                    };
                    add_days(day, first + 7 * i64::from(n - 1))
                } else {
                    let first = match days_since(day, *w) {
                        0 => 7,
                        a => a,
                    };
                    add_days(day, -first + 7 * i64::from(n + 1))
                }
            }
            DateExpr::NthDayOf(n, p) => {
                let (s, e) = self.period_days(p)?;
                let day = if *n > 0 { add_days(s, i64::from(n - 1))? } else { add_days(e, i64::from(*n))? };
                (day >= s && day < e).then_some(day)
            }
        }
    }

    fn holiday(&self, h: Holiday, which: Which) -> Option<NaiveDate> {
        let today = self.today();
        let y = today.year();
        let ended =
            |day: NaiveDate| -> bool { add_days(day, i64::from(h.days)).is_none_or(|end| end <= today) };
        match which {
            Which::Year(year) => h.in_year(year),
            Which::YearOffset(n) => h.in_year(y.checked_add(i32::try_from(n).ok()?)?),
            Which::Last => {
                let this = h.in_year(y)?;
                if this < today {
                    Some(this)
                } else {
                    h.in_year(y - 1)
                }
            }
            // "next Mardi Gras" said on Mardi Gras is next year's, as
            // "next March" said in March (Duckling's "not immediate").
            Which::Next | Which::AfterNext => {
                let this = h.in_year(y)?;
                let next = if this <= today { y + 1 } else { y };
                h.in_year(if which == Which::AfterNext { next + 1 } else { next })
            }
            _ => {
                let this = h.in_year(y)?;
                if ended(this) {
                    h.in_year(y + 1)
                } else {
                    Some(this)
                }
            }
        }
    }

    /// The first day matching all fields, searching from the start of the
    /// coarsest field's current period (so "Feb 10" on Feb 12 is this Feb 10).
    fn fields(&self, f: Fields) -> Option<NaiveDate> {
        let today = self.today();
        let matches = |d: NaiveDate| {
            f.year.is_none_or(|y| d.year() == y)
                && f.month.is_none_or(|m| d.month() == m)
                && f.day.is_none_or(|x| d.day() == x)
                && f.weekday.is_none_or(|w| d.weekday() == w)
        };
        let start = if let Some(y) = f.year {
            ymd(y, 1, 1)?
        } else if self.options.prefer_future {
            today
        } else if f.month.is_some() {
            ymd(today.year(), today.month(), 1)?
        } else {
            today
        };
        if let Some(day) = f.day {
            if !(1..=31).contains(&day) {
                return None;
            }
            let first = ymd(start.year(), start.month(), 1)?;
            let months = if f.year.is_some() { 12 } else { 12 * 30 };
            for k in 0..months {
                let month_start = add_months(first, k)?;
                if let Some(d) = ymd(month_start.year(), month_start.month(), day) {
                    if d >= start && matches(d) {
                        return Some(d);
                    }
                }
            }
            return None;
        }
        let limit = if f.year.is_some() { 366 } else { 366 * 2 };
        (0..limit).find_map(|k| add_days(start, k).filter(|d| matches(*d)))
    }

    /// A period as whole days `[start, end)`.
    fn period_days(&self, p: &Period) -> Option<(NaiveDate, NaiveDate)> {
        let span = self.period(p)?;
        let end = span.end()?;
        Some((span.start().date(), end.date()))
    }

    fn month_year(&self, m: u32, which: Which) -> Option<i32> {
        let today = self.today();
        let (y, cur) = (today.year(), today.month());
        Some(match which {
            Which::Year(y) => y,
            Which::YearOffset(n) => y.checked_add(i32::try_from(n).ok()?)?,
            Which::Next => {
                if m > cur {
                    y
                } else {
                    y + 1
                }
            }
            Which::Last => {
                if m < cur {
                    y
                } else {
                    y - 1
                }
            }
            Which::AfterNext => {
                if m > cur {
                    y + 1
                } else {
                    y + 2
                }
            }
            Which::Nearest | Which::This => {
                if m >= cur {
                    y
                } else {
                    y + 1
                }
            }
        })
    }

    fn period(&self, p: &Period) -> Option<Span> {
        let today = self.today();
        match p {
            Period::Cycle(g, n) => Some(Span::Instant(add(truncate(self.now, *g), *g, *n)?, *g)),
            Period::Month(m, which) => {
                let y = self.month_year(*m, *which)?;
                Some(Span::Instant(midnight(ymd(y, *m, 1)?), Grain::Month))
            }
            Period::Year(y) => Some(Span::Instant(midnight(ymd(*y, 1, 1)?), Grain::Year)),
            Period::Quarter(q, y) => {
                let y = y.unwrap_or(today.year());
                Some(Span::Instant(midnight(ymd(y, (q - 1) * 3 + 1, 1)?), Grain::Quarter))
            }
            Period::NthWeekOf(n, p) => {
                let (s, e) = self.period_days(p)?;
                let first = add_days(s, days_until(s, Weekday::Mon))?;
                let last_full = add_days(e, -7)?;
                let last = add_days(last_full, -days_since(last_full, Weekday::Mon))?;
                let monday = if *n > 0 {
                    add_days(first, 7 * i64::from(n - 1))?
                } else {
                    add_days(last, 7 * i64::from(n + 1))?
                };
                (monday >= s && add_days(monday, 7)? <= e)
                    .then_some(Span::Instant(midnight(monday), Grain::Week))
            }
            Period::WeekOf(d) => {
                let mut day = self.date(d)?;
                if day.weekday() == Weekday::Sun {
                    day = add_days(day, 1)?;
                }
                Some(Span::Instant(midnight(week_start(day)), Grain::Week))
            }
            Period::Weekend(w) => {
                let friday = match w {
                    WeekendOf::Offset(n) => add_days(week_start(today), 4 + 7 * n)?,
                    WeekendOf::Nth(n, p) => {
                        let (s, e) = self.period_days(p)?;
                        let first = add_days(s, days_until(s, Weekday::Fri))?;
                        let last_day = add_days(e, -1)?;
                        let last = add_days(last_day, -days_since(last_day, Weekday::Fri))?;
                        let day = if *n > 0 {
                            add_days(first, 7 * i64::from(n - 1))?
                        } else {
                            add_days(last, 7 * i64::from(n + 1))?
                        };
                        if day < s || day >= e {
                            return None;
                        }
                        day
                    }
                    WeekendOf::Holiday(h, which) => {
                        let day = self.holiday(*h, *which)?;
                        let monday =
                            if day.weekday() == Weekday::Mon { day } else { add_days(week_start(day), 7)? };
                        let start = at(add_days(monday, -3)?, 18, 0, 0)?;
                        let end = midnight(add_days(day.max(monday), 1)?);
                        return Some(Span::Interval(start, end, Grain::Hour));
                    }
                };
                let start = at(friday, 18, 0, 0)?;
                let end = midnight(add_days(friday, 3)?);
                Some(Span::Interval(start, end, Grain::Hour))
            }
            Period::Season(s, which) => self.season(*s, *which),
            Period::Part(part, p) => {
                let span = self.period(p)?;
                let (s, g) = (span.start(), span.grain());
                let e = span.end()?;
                let day = |n: i64| add(s, Grain::Day, n);
                let month = |n: i64| add(s, Grain::Month, n);
                let (from, to, grain) = match (g, part) {
                    (Grain::Month, PartOf::Beginning) => (s, day(10)?, Grain::Day),
                    (Grain::Month, PartOf::Middle) => (day(10)?, day(20)?, Grain::Day),
                    (Grain::Month, PartOf::End) => (day(20)?, e, Grain::Day),
                    (Grain::Year, PartOf::Beginning) => (s, month(3)?, Grain::Month),
                    (Grain::Year, PartOf::Middle) => (month(3)?, month(8)?, Grain::Month),
                    (Grain::Year, PartOf::End) => (month(8)?, e, Grain::Month),
                    (Grain::Quarter, PartOf::Beginning) => (s, month(1)?, Grain::Month),
                    (Grain::Quarter, PartOf::Middle) => (month(1)?, month(2)?, Grain::Month),
                    (Grain::Quarter, PartOf::End) => (month(2)?, e, Grain::Month),
                    (Grain::Week, PartOf::Beginning) => (s, day(3)?, Grain::Day),
                    (Grain::Week, PartOf::Middle) => (day(2)?, day(5)?, Grain::Day),
                    (Grain::Week, PartOf::End) => (day(4)?, e, Grain::Day),
                    (Grain::Day, PartOf::Beginning) => {
                        (add(s, Grain::Hour, 6)?, add(s, Grain::Hour, 10)?, Grain::Hour)
                    }
                    (Grain::Day, PartOf::Middle) => {
                        (add(s, Grain::Hour, 11)?, add(s, Grain::Hour, 14)?, Grain::Hour)
                    }
                    (Grain::Day, PartOf::End) => (add(s, Grain::Hour, 17)?, e, Grain::Hour),
                    _ => return None,
                };
                Some(Span::Interval(from, to, grain))
            }
            Period::AnySeason(n) => self.any_season(*n),
            Period::AllWeek => {
                let monday = week_start(today);
                Some(Span::Interval(midnight(monday), midnight(add_days(monday, 6)?), Grain::Day))
            }
            Period::RestOf(g) => {
                let mut end = add(truncate(self.now, *g), *g, 1)?;
                if *g == Grain::Week {
                    // Duckling ends "the rest of the week" before Sunday.
                    end = add(end, Grain::Day, -1)?;
                }
                Some(Span::Interval(midnight(today), end, Grain::Day))
            }
        }
    }

    /// The season `n` seasons from the current one, as Duckling reads
    /// "this/next/last season": up to the day before the next one starts.
    fn any_season(&self, n: i64) -> Option<Span> {
        let today = self.today();
        let y = today.year();
        let mut starts: Vec<NaiveDate> = Vec::new();
        for year in y - 3..=y + 3 {
            for (m, d) in [(3, 20), (6, 21), (9, 23), (12, 21)] {
                starts.push(ymd(year, m, d)?);
            }
        }
        let current = starts.iter().rposition(|s| *s <= today)?;
        let k = usize::try_from(i64::try_from(current).ok()?.checked_add(n)?).ok()?;
        let start = *starts.get(k)?;
        let end = add_days(*starts.get(k + 1)?, -1)?;
        Some(Span::Interval(midnight(start), midnight(end), Grain::Day))
    }

    /// A named season: from its first day through its last, both
    /// included, as Duckling's day-to-day intervals are (summer is June 21
    /// to September 23, so it ends before September 24).
    fn season(&self, s: Season, which: Which) -> Option<Span> {
        let bounds = |year: i32| -> Option<(NaiveDate, NaiveDate)> {
            let (first, last) = match s {
                Season::Spring => (ymd(year, 3, 20)?, ymd(year, 6, 21)?),
                Season::Summer => (ymd(year, 6, 21)?, ymd(year, 9, 23)?),
                Season::Fall => (ymd(year, 9, 23)?, ymd(year, 12, 21)?),
                Season::Winter => (ymd(year, 12, 21)?, ymd(year + 1, 3, 20)?),
            };
            Some((first, add_days(last, 1)?))
        };
        let today = self.today();
        let y = today.year();
        let (start, end) = match which {
            Which::Year(year) => bounds(year)?,
            Which::YearOffset(n) => bounds(y.checked_add(i32::try_from(n).ok()?)?)?,
            Which::Last => (y - 2..=y).rev().filter_map(bounds).find(|(_, e)| *e <= today)?,
            Which::Next | Which::AfterNext => {
                let skip = usize::from(which == Which::AfterNext);
                (y - 1..=y + 2).filter_map(bounds).filter(|(s, _)| *s > today).nth(skip)?
            }
            Which::Nearest | Which::This => (y - 1..=y + 1).filter_map(bounds).find(|(_, e)| *e > today)?,
        };
        Some(Span::Interval(midnight(start), midnight(end), Grain::Day))
    }
}

/// Days from `from` to the next `w` (0 when `from` is one).
fn days_until(from: NaiveDate, w: Weekday) -> i64 {
    i64::from((7 + w.num_days_from_monday() - from.weekday().num_days_from_monday()) % 7)
}

/// Days back from `from` to the previous `w` (0 when `from` is one).
fn days_since(from: NaiveDate, w: Weekday) -> i64 {
    i64::from((7 + from.weekday().num_days_from_monday() - w.num_days_from_monday()) % 7)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> NaiveDateTime {
        ymd(2013, 2, 12).and_then(|d| at(d, 4, 30, 0)).unwrap()
    }

    #[test]
    fn weekday_arithmetic() {
        let tue = ymd(2013, 2, 12).unwrap();
        assert_eq!(days_until(tue, Weekday::Fri), 3);
        assert_eq!(days_since(tue, Weekday::Sun), 2);
        assert_eq!(days_until(tue, Weekday::Tue), 0);
    }

    #[test]
    fn fields_search_from_the_current_month() {
        let options = DateTimeOptions::default();
        let ctx = Ctx { now: now(), offset: None, options: &options };
        let feb10 = Fields { month: Some(2), day: Some(10), ..Fields::default() };
        assert_eq!(ctx.fields(feb10), ymd(2013, 2, 10));
        let future = DateTimeOptions { prefer_future: true, ..DateTimeOptions::default() };
        let ctx = Ctx { now: now(), offset: None, options: &future };
        assert_eq!(ctx.fields(feb10), ymd(2014, 2, 10));
        let fri18 =
            Fields { month: Some(7), day: Some(18), weekday: Some(Weekday::Fri), ..Fields::default() };
        assert_eq!(ctx.fields(fri18), ymd(2014, 7, 18));
    }
}
