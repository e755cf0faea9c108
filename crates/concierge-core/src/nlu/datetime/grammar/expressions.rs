//! Whole expressions: ranges, open intervals, durations.

use super::*;

impl Grammar<'_> {
    // ---- expressions ----

    /// Every expression starting at `i`.
    pub(crate) fn expressions(&self, i: usize) -> Vec<Parsed> {
        let mut out = Vec::new();
        let mut push = |expr: Expr, end: usize, latent: bool| out.push(Parsed { expr, end, latent });
        for (t, e, latent) in self.prefixed_time(i) {
            push(Expr::Time(t), e, latent);
        }
        // ranges
        for (a, b, e, latent, ends_before) in self.ranges(i) {
            push(if ends_before { Expr::Between(a, b) } else { Expr::Range(a, b) }, e, latent);
        }
        // open intervals
        let untils = [
            "until",
            "till",
            "til",
            "untill",
            "through",
            "thru",
            "before",
            "up to",
            "sometime before",
            "sometimes before",
            "anytime before",
            "any time before",
            "any time up to",
            "anytime up to",
            "not later than",
            "no later than",
            "prior to",
        ];
        let afters = [
            "after",
            "since",
            "from",
            "later than",
            "starting",
            "starting from",
            "starting at",
            "anytime after",
            "any time after",
            "any time from",
            "anytime from",
            "sometime after",
            "sometimes after",
            "no earlier than",
            "beginning",
        ];
        for p in untils {
            if let Some(j) = self.phrase(i, p) {
                for (t, e, _) in self.time(j) {
                    push(Expr::Until(t), e, false);
                }
            }
        }
        for p in afters {
            if let Some(j) = self.phrase(i, p) {
                for (t, e, _) in self.time(j) {
                    push(Expr::After(t), e, false);
                }
                // "after 5 days"
                for ((d, _), e) in self.duration(j) {
                    push(Expr::After(Time::Offset(d)), e, false);
                }
            }
        }
        // "in 15" (minutes), only as a whole answer.
        if let Some(j) = self.word(i, "in") {
            if let Some(t) = self.number(j) {
                if t.digits() <= 2 && t.value > 0 {
                    let d = Dur { n: t.value as i64, unit: Grain::Minute };
                    push(Expr::Time(Time::Offset(d)), j + 1, true);
                }
            }
        }
        // "tomorrow before 11am", "Friday after 5": the rest of that day.
        for (day, e, _) in self.sequence(i) {
            let Time::Date(d) = day else { continue };
            let k = self.opt_punct(e, ',');
            let k = self.opt_word(k, &["any", "anytime", "sometime"]);
            let k = self.opt_word(k, &["time"]);
            for (p, after) in untils.iter().map(|p| (p, false)).chain(afters.iter().map(|p| (p, true))) {
                let Some(j) = self.phrase(k, p) else { continue };
                for (t, e2, _) in self.time(j) {
                    if let Time::At { date: None, pod, tod } = t {
                        let t = Time::At { date: Some(d.clone()), pod, tod };
                        push(Expr::SameDay(t, after), e2, false);
                    }
                }
            }
        }
        if let Some(j) = self.word(i, "by") {
            let j = self.opt_word(j, &["the"]);
            for (t, e, _) in self.time(j) {
                push(Expr::By(t), e, false);
            }
        }
        // lasting: "from 4pm for 30 minutes", "18th Dec for 10 days", "for 10 days from 18th Dec"
        let froms = self.opt_word(i, &["from", "starting", "beginning"]);
        let froms = self.opt_word(froms, &["from", "at", "on"]);
        for (t, e, latent) in self.time(froms) {
            if let Some(k) = self.word(e, "for") {
                for ((d, _), e2) in self.duration(k) {
                    push(Expr::Lasting(t.clone(), d), e2, latent && froms == i);
                }
            }
        }
        if let Some(j) = self.word(i, "for") {
            // "for a fortnight today", "for a week on tuesday": the day a
            // fortnight or a week on, not how long.
            let durations = self.duration(j);
            let day_on = |k: usize| self.any_word(k, &["today", "tomorrow", "tonight", "on"]).is_some();
            if durations.iter().any(|(_, k)| day_on(*k)) {
                for (t, e, latent) in self.time(j) {
                    if durations.iter().all(|(_, k)| *k < e) {
                        push(Expr::Time(t), e, latent);
                    }
                }
            }
            for ((d, explicit), k) in durations {
                push(Expr::Duration(d), k, !explicit && d.n == 0);
                let k2 =
                    self.any_phrase(k, &["from", "starting from", "starting", "starting at", "beginning"]);
                if let Some(k2) = k2 {
                    for (t, e, _) in self.time(k2) {
                        push(Expr::Lasting(t, d), e, false);
                    }
                }
            }
        }
        for ((d, explicit), k) in self.duration(i) {
            push(Expr::Duration(d), k, !explicit);
        }
        if let Some(j) = self.word(i, "within") {
            let j = self.opt_word(j, &["the", "a"]);
            let j = self.opt_word(j, &["next"]);
            for ((d, _), k) in self.duration(j) {
                push(Expr::Within(d), k, false);
            }
        }
        // "next 3 days", "the last two weeks"
        let start = self.opt_word(i, &["the", "in", "for", "over", "during", "within"]);
        let start = self.opt_word(start, &["the"]);
        let sign = if self.any_word(start, &["next", "coming", "following", "upcoming"]).is_some() {
            Some(1)
        } else if self.any_word(start, &["last", "past", "previous"]).is_some() {
            Some(-1)
        } else {
            None
        };
        // "the upcoming 3 weeks", "2 upcoming months": Duckling reads these
        // as the one cycle that many ahead, not a stretch.
        if let Some(j) = self.word(start, "upcoming") {
            for ((q, explicit), j2) in self.quantity(j) {
                if let Some((g, k)) = self.unit(j2) {
                    if explicit && q >= 1.0 && q.fract() == 0.0 && q < 1e6 {
                        #[allow(clippy::cast_possible_truncation)]
                        push(Expr::Time(Time::Period(Period::Cycle(g, q as i64))), k, false);
                    }
                }
            }
        }
        for ((q, explicit), j) in self.quantity(start) {
            if let Some(j2) = self.word(j, "upcoming") {
                if let Some((g, k)) = self.unit(j2) {
                    if explicit && q >= 1.0 && q.fract() == 0.0 && q < 1e6 {
                        #[allow(clippy::cast_possible_truncation)]
                        push(Expr::Time(Time::Period(Period::Cycle(g, q as i64))), k, false);
                    }
                }
            }
        }
        if let Some(sign) = sign.filter(|_| self.word(start, "upcoming").is_none()) {
            for ((q, explicit), j) in self.quantity(start + 1) {
                if let Some((g, k)) = self.unit(j) {
                    if explicit && q >= 1.0 && q.fract() == 0.0 && q < 1e6 {
                        #[allow(clippy::cast_possible_truncation)]
                        push(Expr::NextN(g, sign * q as i64), k, false);
                    }
                }
            }
        }
        if let Some(j) = self.any_phrase(i, &["asap", "as soon as possible", "as soon as you can"]) {
            push(Expr::Asap, j, false);
        }
        out
    }

    /// "3-4pm", "between 2 and 5", "from Monday to Wednesday", "Thursday from 9:30 to 11".
    pub(super) fn ranges(&self, i: usize) -> Vec<RangeAlt> {
        let mut out = Vec::new();
        // A leading day: "tomorrow in between 1-2:30", "Thursday from 9a to 11a".
        let mut starts: Vec<(Option<Time>, usize)> = vec![(None, i)];
        for (t, e, _) in self.sequence(i) {
            if matches!(t, Time::Date(_)) {
                let k = self.opt_punct(e, ',');
                let k = self.opt_word(k, &["in"]);
                starts.push((Some(t), k));
            }
        }
        for (day, s) in starts {
            for (a, b, e, latent, ends_before) in self.range_core(s) {
                let (a, b) = match &day {
                    Some(Time::Date(d)) => match (with_date(a, d), with_date(b, d)) {
                        (Some(a), Some(b)) => (a, b),
                        _ => continue,
                    },
                    _ => (a, b),
                };
                out.push((a.clone(), b.clone(), e, latent && day.is_none(), ends_before));
                if day.is_none() {
                    // A trailing day: "9:30 - 11:00 on Thursday", "1pm-2pm tomorrow".
                    for k in self.connector(e) {
                        for (t, e2, _) in self.sequence(k) {
                            if let Time::Date(d) = t {
                                if let (Some(a2), Some(b2)) =
                                    (with_date(a.clone(), &d), with_date(b.clone(), &d))
                                {
                                    out.push((a2, b2, e2, false, ends_before));
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }

    /// One end of a range: a time, or a bare day of the month ("13" in "July 13-15").
    pub(super) fn range_side(&self, i: usize) -> Vec<(Time, usize, bool)> {
        let mut out = self.time(i);
        let k = self.opt_word(i, &["the"]);
        for ((d, _), j) in self.day_number(k) {
            let f = Fields { day: Some(d), ..Fields::default() };
            out.push((Time::Date(DateExpr::Fields(f)), j, true));
        }
        out
    }

    pub(super) fn range_core(&self, i: usize) -> Vec<RangeAlt> {
        let mut out = Vec::new();
        let forms: &[(&str, &[&str], bool)] = &[
            ("between", &["and", "to", "-"], false),
            ("in between", &["and", "-"], false),
            ("from", &["to", "till", "til", "until", "untill", "thru", "through", "-", "and"], false),
            ("later than", &["but before", "and before"], false),
            ("after", &["but before", "and before"], false),
            ("", &["to", "till", "til", "until", "untill", "thru", "through", "-", "up to"], true),
        ];
        for (open, mids, can_be_latent) in forms {
            let s = if open.is_empty() { Some(i) } else { self.phrase(i, open) };
            let Some(s) = s else { continue };
            for (a, ea, la) in self.range_side(s) {
                for mid in *mids {
                    let m = if *mid == "-" { self.punct(ea, '-') } else { self.phrase(ea, mid) };
                    let Some(m) = m else { continue };
                    for (b, eb, lb) in self.range_side(m) {
                        if let Some((a2, b2)) = fix_range(a.clone(), b) {
                            let latent = *can_be_latent && la && lb;
                            // "before" excludes its time, as "before 11am" alone does.
                            out.push((a2, b2, eb, latent, mid.ends_with("before")));
                        }
                    }
                }
            }
        }
        out
    }
}

/// A range's ends, the token after it, whether it is latent, and whether
/// it ends before its second time ("later than 9:30 but before 11:00")
/// rather than with it ("9:30 to 11:00").
pub(super) type RangeAlt = (Time, Time, usize, bool, bool);

/// Puts a time on a day when it has none.
fn with_date(t: Time, d: &DateExpr) -> Option<Time> {
    match t {
        Time::At { date: None, pod, tod } => Some(Time::At { date: Some(d.clone()), pod, tod }),
        Time::DayPart { date: None, pod } => Some(Time::DayPart { date: Some(d.clone()), pod }),
        _ => None,
    }
}

/// Shares what one end of a range says with the other: "3-4pm" (pm),
/// "July 13-15" (month), "Aug 8 to December 12 2008" (year).
fn fix_range(a: Time, b: Time) -> Option<(Time, Time)> {
    // "9:30 - 11:00 CST": the zone applies to both ends.
    if let Time::Zoned(b, zone) = b {
        if matches!(a, Time::Zoned(..)) {
            return Some((a, Time::Zoned(b, zone)));
        }
        let (a, b) = fix_range(a, *b)?;
        return Some((Time::Zoned(Box::new(a), zone), Time::Zoned(Box::new(b), zone)));
    }
    match (a, b) {
        (Time::At { date: da, pod: pa, tod: ta }, Time::At { date: db, pod: pb, tod: tb }) => {
            let mut ta = ta;
            if ta.meridiem.is_none() && ta.ambiguous() {
                if let Some(m) = tb.meridiem {
                    let a12 = ta.hour % 12;
                    let b12 = tb.hour % 12;
                    ta.meridiem = Some(if m == Meridiem::Pm && a12 > b12 { Meridiem::Am } else { m });
                }
            }
            let da = da.or_else(|| db.clone());
            Some((
                Time::At { date: da, pod: pa.or(pb), tod: ta },
                Time::At { date: db, pod: pb.or(pa), tod: tb },
            ))
        }
        (Time::Date(DateExpr::Fields(fa)), Time::Date(DateExpr::Fields(fb))) => {
            let mut fa = fa;
            let mut fb = fb;
            if fb.month.is_none() && fb.day.is_some() && fb.weekday.is_none() {
                fb.month = fa.month;
                fb.year = fb.year.or(fa.year);
            }
            if fa.month.is_none() && fa.day.is_some() && fa.weekday.is_none() {
                fa.month = fb.month;
            }
            if fa.year.is_none() {
                fa.year = fb.year;
            }
            Some((Time::Date(DateExpr::Fields(fa)), Time::Date(DateExpr::Fields(fb))))
        }
        (
            Time::Period(Period::Month(ma, Which::Nearest)),
            Time::Period(Period::Month(mb, Which::Year(y))),
        ) => Some((
            Time::Period(Period::Month(ma, Which::Year(y))),
            Time::Period(Period::Month(mb, Which::Year(y))),
        )),
        (Time::Date(DateExpr::Fields(f)), _) | (_, Time::Date(DateExpr::Fields(f)))
            if f.month.is_none() && f.weekday.is_none() =>
        {
            None
        }
        (Time::Date(_), Time::At { date: None, tod, .. })
        | (Time::At { date: None, tod, .. }, Time::Date(_))
            if tod.minute.is_none() && tod.meridiem.is_none() =>
        {
            None
        }
        (Time::Date(d), Time::At { date: None, pod, tod }) => {
            Some((Time::Date(d.clone()), Time::At { date: Some(d), pod, tod }))
        }
        (a, b) => Some((a, b)),
    }
}
