//! Dates ("Feb 15", "2/15/2014"), days ("next Friday", holidays) and
//! periods ("next week", "Q4 2018", "end of April").
//!
//! Over 600 lines on purpose: the grammar's date, day and period rules, one
//! `impl Grammar` like its sibling files.

use super::*;

impl Grammar<'_> {
    // ---- dates ----

    pub(super) fn month_word(&self, i: usize) -> Option<(u32, usize)> {
        let m = self.word_text(i).and_then(lexicon::month)?;
        Some((m, self.opt_punct(i + 1, '.')))
    }

    pub(super) fn weekday_word(&self, i: usize) -> Option<(Weekday, usize, bool)> {
        let w = self.word_text(i)?;
        let d = lexicon::weekday(w)?;
        let dotted = self.punct(i + 1, '.');
        // "sat", "sun", "wed", "mon" are words too, unless a word that
        // introduces a day comes before them ("free sat", "on wed").
        let cued = i > 0
            && self.word_text(i - 1).is_some_and(|p| {
                matches!(
                    p,
                    "on" | "this"
                        | "next"
                        | "nxt"
                        | "last"
                        | "until"
                        | "till"
                        | "by"
                        | "from"
                        | "free"
                        | "every"
                        | "coming"
                        | "before"
                        | "after"
                        | "til"
                )
            });
        // ... or a word that goes with a day comes after ("sat w sofia",
        // "sat at 11", "sat morning").
        let cued_after = self.number(i + 1).is_some()
            || self.word_text(i + 1).is_some_and(|n| {
                matches!(
                    n,
                    "w" | "with" | "at" | "morning" | "afternoon" | "evening" | "night" | "am" | "pm" | "ish"
                )
            });
        // The English word, by the word before it ("we sat", "the sun",
        // "got wed") or after it ("sat down").
        let word_before = i > 0
            && self.word_text(i - 1).is_some_and(|p| {
                matches!(
                    p,
                    "i" | "we"
                        | "he"
                        | "she"
                        | "they"
                        | "you"
                        | "it"
                        | "who"
                        | "just"
                        | "was"
                        | "were"
                        | "had"
                        | "have"
                        | "has"
                        | "been"
                        | "the"
                        | "a"
                        | "in"
                        | "of"
                        | "my"
                        | "your"
                        | "our"
                        | "to"
                        | "got"
                        | "get"
                        | "be"
                )
            });
        let word_after = self
            .word_text(i + 1)
            .is_some_and(|n| matches!(n, "down" | "up" | "there" | "here" | "back" | "through" | "beside"));
        // "sun" is most often the sun ("sun damage", "out in the sun"): a
        // day only when cued, or last in the message after a word that is
        // not its article. "sat", "wed" and "mon" are days ("an updo sat
        // around 3", "a slot wed for a mens trim") unless read as words.
        let last = self.tok(i + 1).is_none_or(|t| t.kind != Kind::Word && self.tok(i + 2).is_none());
        let word_sense = match w {
            "sun" => !(last && i > 0 && !word_before),
            _ => word_before || word_after,
        };
        let latent =
            lexicon::is_ambiguous_weekday(w) && dotted.is_none() && !cued && !cued_after && word_sense;
        Some((d, dotted.unwrap_or(i + 1), latent))
    }

    /// Numeric dates: 2/15, 10/31/1974, 2015-03-03, 31/Oct/1974, 2014-10.
    pub(super) fn numeric_date(&self, i: usize) -> Alts<Fields> {
        let mut out = Vec::new();
        let Some(a) = self.number(i) else {
            return out;
        };
        let sep_at = |j: usize| -> Option<(char, usize)> {
            let t = self.tok(j)?;
            if t.kind != Kind::Punct {
                return None;
            }
            let c = t.text.chars().next()?;
            matches!(c, '/' | '-' | '.').then_some((c, j + 1))
        };
        let Some((s1, j)) = sep_at(i + 1) else {
            return out;
        };
        if let Some(b) = self.number(j) {
            let (av, bv) = (a.value as u32, b.value as u32);
            if a.digits() == 4 && b.digits() <= 2 {
                // Y-M-D or Y-M
                if let Some((s2, k)) = sep_at(j + 1) {
                    if let Some(c) = self.number(k) {
                        if s2 == s1 && c.digits() <= 2 {
                            out.push((
                                Fields {
                                    year: Some(a.value as i32),
                                    month: Some(bv),
                                    day: Some(c.value as u32),
                                    weekday: None,
                                },
                                k + 1,
                            ));
                        }
                    }
                }
                if s1 != '.' && (1..=12).contains(&bv) {
                    out.push((
                        Fields { year: Some(a.value as i32), month: Some(bv), ..Fields::default() },
                        j + 1,
                    ));
                }
                return out;
            }
            // 12/2014
            if a.digits() <= 2 && b.digits() == 4 && (1..=12).contains(&av) && s1 != '.' {
                out.push((
                    Fields { year: Some(b.value as i32), month: Some(av), ..Fields::default() },
                    j + 1,
                ));
            }
            if a.digits() > 2 || b.digits() > 2 {
                return out;
            }
            let month_first = (1..=12).contains(&av) && (1..=31).contains(&bv);
            let day_first = (1..=31).contains(&av) && (1..=12).contains(&bv);
            let (month, day) = match (month_first, day_first) {
                (true, true) if self.day_first => (bv, av),
                (true, _) => (av, bv),
                (false, true) => (bv, av),
                (false, false) => return out,
            };
            let md = Fields { month: Some(month), day: Some(day), ..Fields::default() };
            if let Some((s2, k)) = sep_at(j + 1) {
                if s2 == s1 {
                    if let Some((y, e)) = self.short_year(k) {
                        out.push((Fields { year: Some(y), ..md }, e));
                    }
                }
            }
            if s1 != '.' {
                out.push((md, j + 1));
            } else if self.day_first
                && day_first
                && self.punct(j + 1, '.').is_some()
                && self.number(j + 2).is_none()
            {
                // "19.6." where dates are written day first: the closing dot
                // makes it a date, not a decimal or a time.
                out.push((Fields { month: Some(bv), day: Some(av), ..Fields::default() }, j + 2));
            }
        } else if let Some((m, k)) = self.month_word(j) {
            // 31/Oct/1974, 31-Oct-74
            let day = a.value as u32;
            if a.digits() <= 2 && (1..=31).contains(&day) {
                let md = Fields { month: Some(m), day: Some(day), ..Fields::default() };
                if let Some((_, k2)) = sep_at(k) {
                    if let Some((y, e)) = self.short_year(k2) {
                        out.push((Fields { year: Some(y), ..md }, e));
                    }
                }
                out.push((md, k));
            }
        }
        out
    }

    /// Optional ", 2015" after a date.
    pub(super) fn with_year(&self, f: Fields, j: usize, short: bool) -> Alts<Fields> {
        let mut out = vec![(f, j)];
        let k = self.opt_punct(j, ',');
        for ((y, _), e) in self.year(k) {
            out.push((Fields { year: Some(y), ..f }, e));
        }
        if short {
            if let Some(t) = self.number(k) {
                if t.digits() == 2 {
                    out.push((Fields { year: Some(2000 + t.value as i32), ..f }, k + 1));
                }
            }
        }
        out
    }

    /// Dates with a month name: "Feb 15", "15th of February", "March 3rd 2015".
    pub(super) fn word_date(&self, i: usize) -> Alts<(Fields, bool)> {
        let mut out = Vec::new();
        // Month first.
        if let Some((m, j)) = self.month_word(i) {
            let month_latent = self.word(i, "may").is_some();
            out.push(((Fields { month: Some(m), ..Fields::default() }, month_latent), j));
            let k = self.opt_punct(j, ',');
            for ((y, _), e) in self.year(k) {
                out.push(((Fields { year: Some(y), month: Some(m), ..Fields::default() }, false), e));
            }
            let k = self.opt_word(j, &["the"]);
            for ((d, _), e) in self.day_number(k) {
                let f = Fields { month: Some(m), day: Some(d), ..Fields::default() };
                for (f, e2) in self.with_year(f, e, false) {
                    out.push(((f, false), e2));
                }
            }
        }
        // Day first.
        let k = self.opt_word(i, &["the"]);
        for ((d, _ordinal), j) in self.day_number(k) {
            let mut j2 = self.opt_word(j, &["day"]);
            j2 = self.opt_word(j2, &["of"]);
            j2 = self.opt_punct(j2, '-');
            if let Some((m, e)) = self.month_word(j2) {
                let f = Fields { month: Some(m), day: Some(d), ..Fields::default() };
                for (f, e2) in self.with_year(f, e, true) {
                    out.push(((f, false), e2));
                }
            }
        }
        if let Some(j) = self.any_phrase(i, &["the ides of", "ides of"]) {
            if let Some((m, e)) = self.month_word(j) {
                let day = if matches!(m, 3 | 5 | 7 | 10) { 15 } else { 13 };
                let f = Fields { month: Some(m), day: Some(day), ..Fields::default() };
                out.push(((f, false), e));
            }
        }
        out
    }

    /// "the 15th", "the 24"; "19th" after a word that leads to a date
    /// ([`DATE_LEADS`]).
    pub(super) fn day_of_month(&self, i: usize) -> Alts<(Fields, bool)> {
        let mut out = Vec::new();
        let k = self.opt_word(i, &["the"]);
        for ((d, ordinal), j) in self.day_number(k) {
            let f = Fields { day: Some(d), ..Fields::default() };
            // "the 15th" and "then 19th can?" are dates; "the second"
            // (one), "a 21st" (a birthday) and "2nd round" may well not be.
            let written_in_digits = self.number(k).is_some();
            let led = i
                .checked_sub(1)
                .and_then(|p| self.word_text(p))
                .is_some_and(|w| DATE_LEADS.iter().any(|l| l.eq_ignore_ascii_case(w)));
            let latent = !(ordinal && written_in_digits && (k > i || led));
            // A bare "second" or "first" is not a day ("on second thought").
            if k > i || (ordinal && written_in_digits) {
                out.push(((f, latent), j));
            }
        }
        out
    }

    pub(super) fn which_prefix(&self, i: usize) -> Option<(Which, usize)> {
        if let Some(j) = self.phrase(i, "this coming") {
            return Some((Which::This, j));
        }
        if let Some(j) = self.phrase(i, "this past") {
            return Some((Which::Last, j));
        }
        let w = self.word_text(i).and_then(which_word)?;
        Some((w, i + 1))
    }

    /// "this", "next", "the coming", "last" before a cycle word ("week",
    /// "month", "year"): how many cycles from the current one. "Coming" and
    /// "upcoming" look ahead ("the 10th of the coming month" is next
    /// month's, as "the coming week" is next week in Duckling).
    pub(super) fn cycle_offset(&self, i: usize) -> Option<(i64, usize)> {
        if let Some(j) = self.phrase(i, "this past") {
            return Some((-1, j));
        }
        if let Some(j) = self.phrase(i, "this coming") {
            return Some((0, j));
        }
        let n = match self.word_text(i)? {
            "this" | "current" => 0,
            "next" | "following" | "coming" | "upcoming" => 1,
            "last" | "past" | "previous" | "preceding" => -1,
            _ => return None,
        };
        Some((n, i + 1))
    }

    /// Days: "tomorrow", "next Friday", "Christmas", "the first Monday of March".
    pub(super) fn date_expr(&self, i: usize) -> Alts<(DateExpr, bool)> {
        let mut out = Vec::new();
        let days: &[(&str, i64)] = &[
            ("today", 0),
            ("todays", 0),
            ("tomorrows", 1),
            ("tomorrow", 1),
            ("tomorow", 1),
            ("tommorow", 1),
            ("tommorrow", 1),
            ("yesterday", -1),
            ("the day after tomorrow", 2),
            ("day after tomorrow", 2),
            ("the day before yesterday", -2),
            ("day before yesterday", -2),
        ];
        for (p, n) in days {
            if let Some(j) = self.phrase(i, p) {
                out.push(((DateExpr::Today(*n), false), j));
            }
        }
        // this/next/last Friday
        if let Some((which, j)) = self.which_prefix(i) {
            if let Some((d, k, _)) = self.weekday_word(j) {
                out.push(((DateExpr::Weekday(d, which), false), k));
            }
            for (h, k) in holidays::names_at(self.t, j) {
                out.push(((DateExpr::Holiday(h, which), false), k));
            }
        }
        if let Some((d, j, latent)) = self.weekday_word(i) {
            if let Some(k) = self.phrase(j, "after next") {
                out.push(((DateExpr::Weekday(d, Which::AfterNext), false), k));
            }
            // "Monday of this week", "sunday from last week", "monday next week"
            let k = self.opt_word(j, &["of", "from", "in"]);
            let k = self.opt_word(k, &["the"]);
            if let Some((n, e)) = self.cycle_offset(k) {
                if let Some(e) = self.any_word(e, &["week", "wk"]) {
                    let p = Period::Cycle(Grain::Week, n);
                    out.push(((DateExpr::NthWeekdayOf(1, d, Box::new(p)), false), e));
                }
            }
            let _ = latent;
        }
        // "last week's sunday"; "next week thursday", "next week, on thursday"
        if let Some((n, j)) = self.cycle_offset(i) {
            let week = self.any_word(j, &["weeks"]).or_else(|| {
                let j = self.any_word(j, &["week", "wk"])?;
                let j = self.punct(j, ',').unwrap_or(j);
                Some(self.opt_word(j, &["on"]))
            });
            if let Some(j) = week {
                if let Some((d, k, _)) = self.weekday_word(j) {
                    let p = Period::Cycle(Grain::Week, n);
                    out.push(((DateExpr::NthWeekdayOf(1, d, Box::new(p)), false), k));
                }
            }
        }
        // "2 sundays from now", "2 thursdays ago"
        for ((n, _), j) in self.integer(i) {
            if let Some((d, k, _)) = self.weekday_word(j) {
                if let Some(e) = self.any_phrase(k, &["from now", "hence", "from today"]) {
                    out.push(((DateExpr::WeekdayCount(d, n), false), e));
                }
                if let Some(e) = self.any_word(k, &["ago", "back"]) {
                    out.push(((DateExpr::WeekdayCount(d, -n), false), e));
                }
            }
        }
        // Holidays
        let k = self.opt_word(i, &["the"]);
        for (h, j) in holidays::names_at(self.t, k) {
            out.push(((DateExpr::Holiday(h, Which::Nearest), false), j));
            // "christmas after next", as "friday after next"
            if let Some(e) = self.phrase(j, "after next") {
                out.push(((DateExpr::Holiday(h, Which::AfterNext), false), e));
            }
            let j2 = self.opt_word(j, &["of", "in"]);
            if let Some((n, e)) = self.cycle_offset(j2) {
                if let Some(e) = self.any_word(e, &["year", "yr"]) {
                    out.push(((DateExpr::Holiday(h, Which::YearOffset(n)), false), e));
                }
            }
        }
        // "the first Tuesday of October", "last Monday of March"
        let k = self.opt_word(i, &["the"]);
        let mut counts: Alts<i32> = self.ordinal(k).into_iter().map(|(v, j)| (v as i32, j)).collect();
        if let Some(j) = self.word(k, "last") {
            counts.push((-1, j));
        }
        let ordinal_last: Vec<(i32, usize)> = counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .filter_map(|(n, j)| Some((-*n, self.word(*j, "last")?)))
            .collect();
        counts.extend(ordinal_last);
        for (n, j) in counts {
            if let Some((d, k2, _)) = self.weekday_word(j) {
                if let Some(k3) = self.any_word(k2, &["of", "in"]) {
                    for (p, e) in self.period_arg(k3) {
                        out.push(((DateExpr::NthWeekdayOf(n, d, Box::new(p)), false), e));
                    }
                }
                // "the third Tuesday after Christmas 2014"
                if let Some(k3) = self.any_word(k2, &["after", "before"]) {
                    let n = if self.word(k2, "before").is_some() { -n.abs() } else { n.abs() };
                    for (t, e, _) in self.sequence(k3) {
                        if let Time::Date(anchor) = t {
                            out.push(((DateExpr::NthWeekdayFrom(n, d, Box::new(anchor)), false), e));
                        }
                    }
                }
            }
            if let Some(k2) = self.word(j, "day") {
                if let Some(k3) = self.any_word(k2, &["of", "in"]) {
                    for (p, e) in self.period_arg(k3) {
                        out.push(((DateExpr::NthDayOf(n, Box::new(p)), false), e));
                    }
                }
            }
        }
        // "20th of next month", "the 20 of the previous month"
        for ((d, _), j) in self.day_number(k) {
            let j = self.opt_word(j, &["day"]);
            if let Some(j) = self.word(j, "of") {
                let j = self.opt_word(j, &["the"]);
                if let Some((n, e)) = self.cycle_offset(j) {
                    if let Some(e2) = self.any_word(e, &["month"]) {
                        let p = Period::Cycle(Grain::Month, n);
                        out.push(((DateExpr::NthDayOf(d as i32, Box::new(p)), false), e2));
                    }
                }
                if let Some(e) = self.any_phrase(j, &["following month", "month"]) {
                    let n = i64::from(self.phrase(j, "following month").is_some());
                    let p = Period::Cycle(Grain::Month, n);
                    out.push(((DateExpr::NthDayOf(d as i32, Box::new(p)), false), e));
                }
            }
        }
        out
    }

    /// A period used after "of" ("the first Monday of *October 2014*").
    pub(super) fn period_arg(&self, i: usize) -> Alts<Period> {
        let mut out: Alts<Period> = Vec::new();
        let k = self.opt_word(i, &["the"]);
        if let Some((m, j)) = self.month_word(k) {
            out.push((Period::Month(m, Which::Nearest), j));
            let j2 = self.opt_punct(j, ',');
            for ((y, _), e) in self.year(j2) {
                out.push((Period::Month(m, Which::Year(y)), e));
            }
        }
        for ((y, _), e) in self.year(k) {
            out.push((Period::Year(y), e));
        }
        for (p, e) in self.period(i) {
            out.push((p, e));
        }
        if let Some(j) = self.word(i, "the") {
            if let Some((g, e)) = self.word_text(j).and_then(cycle_grain).map(|g| (g, j + 1)) {
                out.push((Period::Cycle(g, 0), e));
            }
        }
        if let Some(j) = self.word(i, "this") {
            if let Some((m, e)) = self.month_word(j) {
                out.push((Period::Month(m, Which::This), e));
            }
        }
        out
    }

    /// Periods: "next week", "this year", "next March", "Q4 2018", "this summer".
    pub(super) fn period(&self, i: usize) -> Alts<Period> {
        let mut out = Vec::new();
        let start = self.opt_word(i, &["the"]);
        // this/next/last week|month|year|quarter; "coming March" is this March.
        let rel: Option<(i64, usize)> = self.cycle_offset(start).map(|(n, j)| {
            let ahead = self.any_word(start, &["coming", "upcoming"]).is_some();
            if ahead && self.word_text(j).and_then(cycle_grain).is_none() {
                (0, j)
            } else {
                (n, j)
            }
        });
        if let Some((n, j)) = rel {
            if let Some(g) = self.word_text(j).and_then(cycle_grain) {
                out.push((Period::Cycle(g, n), j + 1));
            }
            if let Some((m, e)) = self.month_word(j) {
                let which = match n {
                    0 => Which::This,
                    1 => Which::Next,
                    _ => Which::Last,
                };
                out.push((Period::Month(m, which), e));
            }
            if let Some((s, e)) = self.season_word(j) {
                let which = match n {
                    0 => Which::This,
                    1 => Which::Next,
                    _ => Which::Last,
                };
                out.push((Period::Season(s, which), e));
            }
            if let Some(e) = self.any_phrase(j, &["weekend", "week end", "wkend"]) {
                out.push((Period::Weekend(WeekendOf::Offset(n)), e));
            }
        }
        // week after next
        if let Some(g) = self.word_text(start).and_then(cycle_grain) {
            if let Some(e) = self.phrase(start + 1, "after next") {
                out.push((Period::Cycle(g, 2), e));
            }
        }
        if let Some((m, j)) = self.month_word(i) {
            if let Some(e) = self.phrase(j, "after next") {
                out.push((Period::Month(m, Which::AfterNext), e));
            }
            // "February of next year"
            if let Some((n, e)) = self.of_year(j) {
                out.push((Period::Month(m, Which::YearOffset(n)), e));
            }
        }
        // "spring of next year", "the summer of last year"
        if let Some((s, j)) = self.season_word(start) {
            if let Some((n, e)) = self.of_year(j) {
                out.push((Period::Season(s, Which::YearOffset(n)), e));
            }
        }
        if let Some(j) = self.any_phrase(start, &["weekend", "week end", "wkend"]) {
            if let Some(e) = self.phrase(j, "after next") {
                out.push((Period::Weekend(WeekendOf::Offset(2)), e));
            }
        }
        // the weekend
        if let Some(e) = self.any_phrase(i, &["the weekend", "weekend", "the week end", "wkend"]) {
            out.push((Period::Weekend(WeekendOf::Offset(0)), e));
        }
        // quarters: "3rd quarter", "Q4 2018", "18q4", "2018Q4"
        for (n, j) in self.ordinal(start) {
            if (1..=4).contains(&n) {
                if let Some(j) = self.any_word(j, &["quarter", "qtr"]) {
                    out.push((Period::Quarter(n, None), j));
                    let k = self.opt_word(j, &["of", "in"]);
                    for ((y, _), e) in self.year(k) {
                        out.push((Period::Quarter(n, Some(y)), e));
                    }
                }
            }
        }
        if let Some(t) = self.number(i) {
            if let (Some(j), Some(q)) = (self.word(i + 1, "q"), self.number(i + 2)) {
                if self.glued(i + 1) && self.glued(i + 2) && (1..=4).contains(&q.value) {
                    let y = match t.digits() {
                        2 => Some(2000 + t.value as i32),
                        4 => Some(t.value as i32),
                        _ => None,
                    };
                    if let Some(y) = y {
                        out.push((Period::Quarter(q.value as u32, Some(y)), j + 1));
                    }
                }
            }
        }
        if let (Some(j), Some(q)) = (self.word(i, "q"), self.number(i + 1)) {
            if self.glued(j) && (1..=4).contains(&q.value) {
                let k = j + 1;
                out.push((Period::Quarter(q.value as u32, None), k));
                for ((y, _), e) in self.year(k) {
                    out.push((Period::Quarter(q.value as u32, Some(y)), e));
                }
            }
        }
        // "first week of October 2014", "the third last week of 2018"
        let mut counts: Alts<i32> = self.ordinal(start).into_iter().map(|(v, j)| (v as i32, j)).collect();
        if let Some(j) = self.word(start, "last") {
            counts.push((-1, j));
        }
        let ordinal_last: Vec<(i32, usize)> = counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .filter_map(|(n, j)| Some((-*n, self.word(*j, "last")?)))
            .collect();
        counts.extend(ordinal_last);
        for (n, j) in counts {
            if let Some(j) = self.any_word(j, &["week", "wk"]) {
                if let Some(k) = self.any_word(j, &["of", "in"]) {
                    for (p, e) in self.period_arg(k) {
                        out.push((Period::NthWeekOf(n, Box::new(p)), e));
                    }
                }
            }
            if let Some(j) = self.any_phrase(j, &["weekend", "week end", "wkend"]) {
                if let Some(k) = self.any_word(j, &["of", "in"]) {
                    for (p, e) in self.period_arg(k) {
                        out.push((Period::Weekend(WeekendOf::Nth(n, Box::new(p))), e));
                    }
                }
            }
        }
        // holiday weekends: "labor day weekend", "next memorial day weekend"
        let mut named = vec![(Which::Nearest, start)];
        named.extend(self.which_prefix(start));
        for (which, k) in named {
            for (h, j) in holidays::names_at(self.t, k) {
                if let Some(e) = self.any_phrase(j, &["weekend", "week end", "wkend"]) {
                    out.push((Period::Weekend(WeekendOf::Holiday(h, which)), e));
                }
            }
        }
        // "the week of October 6th"
        if let Some(j) = self.phrase(start, "week of") {
            for ((f, _), e) in self.word_date(j) {
                if f.day.is_some() {
                    out.push((Period::WeekOf(Box::new(DateExpr::Fields(f))), e));
                }
            }
        }
        // seasons
        if let Some((s, j)) = self.season_word(start) {
            out.push((Period::Season(s, Which::Nearest), j));
        }
        // "this season", "next season", "the previous season"
        if let Some((n, j)) = rel {
            if let Some(e) = self.any_word(j, &["season", "seasons"]) {
                out.push((Period::AnySeason(n), e));
            }
        }
        // parts: "end of April", "mid March", "the beginning of the year", "EOM"
        let parts: &[(&str, PartOf)] = &[
            ("beginning of", PartOf::Beginning),
            ("start of", PartOf::Beginning),
            ("early", PartOf::Beginning),
            ("middle of", PartOf::Middle),
            ("mid", PartOf::Middle),
            ("end of", PartOf::End),
            ("late", PartOf::End),
        ];
        for (p, part) in parts {
            if let Some(j) = self.phrase(start, p) {
                let j = self.opt_punct(j, '-');
                for (arg, e) in self.period_arg(j) {
                    out.push((Period::Part(*part, Box::new(arg)), e));
                }
                if *part == PartOf::End {
                    if let Some(e) = self.any_phrase(j, &["year", "month", "week", "day", "the day"]) {
                        let g = match self.word_text(e - 1) {
                            Some("year") => Grain::Year,
                            Some("month") => Grain::Month,
                            Some("week") => Grain::Week,
                            _ => Grain::Day,
                        };
                        out.push((Period::Part(PartOf::End, Box::new(Period::Cycle(g, 0))), e));
                    }
                }
                if *part == PartOf::Beginning {
                    if let Some(e) = self.any_word(j, &["year", "month", "week"]) {
                        let g = match self.word_text(e - 1) {
                            Some("year") => Grain::Year,
                            Some("month") => Grain::Month,
                            _ => Grain::Week,
                        };
                        out.push((Period::Part(PartOf::Beginning, Box::new(Period::Cycle(g, 0))), e));
                    }
                }
            }
        }
        let abbrevs: &[(&str, PartOf, Grain)] = &[
            ("eom", PartOf::End, Grain::Month),
            ("bom", PartOf::Beginning, Grain::Month),
            ("eoy", PartOf::End, Grain::Year),
            ("boy", PartOf::Beginning, Grain::Year),
            ("eod", PartOf::End, Grain::Day),
            ("eow", PartOf::End, Grain::Week),
        ];
        for (w, part, g) in abbrevs {
            if let Some(e) = self.word(start, w) {
                out.push((Period::Part(*part, Box::new(Period::Cycle(*g, 0))), e));
            }
        }
        if let Some(e) =
            self.any_phrase(start, &["rest of the week", "rest of this week", "remainder of the week"])
        {
            out.push((Period::RestOf(Grain::Week), e));
        }
        if let Some(e) = self.phrase(i, "the week") {
            out.push((Period::RestOf(Grain::Week), e));
        }
        if let Some(e) =
            self.any_phrase(i, &["all week", "all this week", "the whole week", "the entire week"])
        {
            out.push((Period::AllWeek, e));
        }
        if let Some(e) = self.any_phrase(start, &["rest of the month", "rest of this month"]) {
            out.push((Period::RestOf(Grain::Month), e));
        }
        out
    }

    /// "(of) next year", "of this year": years from the current one.
    pub(super) fn of_year(&self, i: usize) -> Option<(i64, usize)> {
        let k = self.opt_word(i, &["of"]);
        let k = self.opt_word(k, &["the"]);
        let (n, k) = self.cycle_offset(k)?;
        Some((n, self.any_word(k, &["year", "yr"])?))
    }

    pub(super) fn season_word(&self, i: usize) -> Option<(Season, usize)> {
        let s = match self.word_text(i)? {
            "spring" => Season::Spring,
            "summer" => Season::Summer,
            "fall" | "autumn" => Season::Fall,
            "winter" => Season::Winter,
            _ => return None,
        };
        Some((s, i + 1))
    }
}

/// Words after which an ordinal in digits is a day of the month without
/// "the": "on 19th", "ok then 19th can?", "or 21st".
const DATE_LEADS: &[&str] =
    &["on", "then", "or", "maybe", "say", "try", "until", "till", "from", "before", "after"];
