//! The English grammar: a backtracking recursive-descent parser over
//! tokens. Every rule returns all the ways it can match at a position
//! (value and the index after it), so callers can pick the longest.
//!
//! Layers, from small to large: numbers and durations; atoms (a date like
//! "Feb 15", a day like "tomorrow", a time of day like "3pm", a part of the
//! day like "this evening", a period like "next week"); sequences of atoms
//! merged into one [`Time`] ("tomorrow at 3pm", "3pm on Sat, Sep 21");
//! and whole expressions (ranges, "until", "by", durations).
//!
//! Bare numbers, "May" or "morning" are *latent*: only reported when they
//! are the whole message, because inside a sentence they are usually not
//! times ("a table for 2").

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::Weekday;

use super::expr::{
    DateExpr, Dur, Expr, Fields, Meridiem, PartOf, Period, Pod, Season, Time, Tod, WeekendOf, Which,
};
use super::holidays;
use super::lexicon;
use super::tokens::{Kind, Token};
use super::Grain;

/// Values with the token index after them.
type Alts<T> = Vec<(T, usize)>;

/// One parse of an expression.
#[derive(Debug, Clone)]
pub(crate) struct Parsed {
    pub(crate) expr: Expr,
    pub(crate) end: usize,
    pub(crate) latent: bool,
}

/// The parser over one message's tokens.
/// Times found at a position: value, end, latent.
type Found = Vec<(Time, usize, bool)>;

pub(crate) struct Grammar<'a> {
    t: &'a [Token],
    times: RefCell<HashMap<usize, Found>>,
    sequences: RefCell<HashMap<usize, Found>>,
}

/// An atom of a time sequence.
#[derive(Debug, Clone)]
enum Atom {
    Fields(Fields),
    Date(DateExpr),
    /// A day that only makes sense with a time ("two days ago at 6am").
    DateForTod(DateExpr),
    Tod(Tod),
    Pod(Pod, Option<DateExpr>),
    Period(Period),
}

/// Atoms merged so far.
#[derive(Debug, Clone, Default)]
struct Acc {
    fields: Fields,
    date: Option<DateExpr>,
    needs_tod: bool,
    tod: Option<Tod>,
    pod: Option<Pod>,
    period: Option<Period>,
    latent: bool,
    atoms: usize,
}

const MORNING: Pod = Pod {
    start: 0,
    end: 12,
    pm: false,
};
const AFTERNOON: Pod = Pod {
    start: 12,
    end: 19,
    pm: true,
};
const EVENING: Pod = Pod {
    start: 18,
    end: 24,
    pm: true,
};
const LATE_EVENING: Pod = Pod {
    start: 21,
    end: 24,
    pm: true,
};

fn year_only(f: &Fields) -> Option<i32> {
    match f {
        Fields {
            year: Some(y),
            month: None,
            day: None,
            weekday: None,
        } => Some(*y),
        _ => None,
    }
}

fn weekday_only(f: &Fields) -> bool {
    f.weekday.is_some() && f.year.is_none() && f.month.is_none() && f.day.is_none()
}

impl Acc {
    fn add(&self, atom: &Atom, latent: bool) -> Option<Acc> {
        let mut acc = self.clone();
        acc.latent = if self.atoms == 0 {
            latent
        } else {
            self.latent && latent
        };
        acc.atoms += 1;
        match atom {
            Atom::Fields(f) => {
                if let Some(period) = &acc.period {
                    let y = year_only(f)?;
                    acc.period = Some(match period {
                        Period::Month(m, Which::Nearest) => Period::Month(*m, Which::Year(y)),
                        Period::Season(s, Which::Nearest) => Period::Season(*s, Which::Year(y)),
                        Period::Quarter(q, None) => Period::Quarter(*q, Some(y)),
                        _ => return None,
                    });
                } else if let Some(date) = &acc.date {
                    if let (DateExpr::Holiday(h, Which::Nearest), Some(y)) = (date, year_only(f)) {
                        acc.date = Some(DateExpr::Holiday(*h, Which::Year(y)));
                    } else if !weekday_only(f) {
                        return None;
                    }
                } else {
                    acc.fields = acc.fields.merge(*f)?;
                }
            }
            Atom::Date(d) | Atom::DateForTod(d) => {
                if acc.date.is_some() || acc.period.is_some() {
                    return None;
                }
                let mut d = d.clone();
                if !acc.fields.is_empty() {
                    match (&d, year_only(&acc.fields)) {
                        (DateExpr::Holiday(h, Which::Nearest), Some(y)) => {
                            d = DateExpr::Holiday(*h, Which::Year(y));
                        }
                        _ if weekday_only(&acc.fields) => {}
                        _ => return None,
                    }
                    acc.fields = Fields::default();
                }
                acc.needs_tod |= matches!(atom, Atom::DateForTod(_));
                acc.date = Some(d);
            }
            Atom::Tod(t) => {
                if acc.tod.is_some() || acc.period.is_some() {
                    return None;
                }
                acc.tod = Some(*t);
            }
            Atom::Pod(p, d) => {
                if acc.pod.is_some() || acc.period.is_some() {
                    return None;
                }
                if let Some(d) = d {
                    if acc.date.is_some() || !acc.fields.is_empty() {
                        return None;
                    }
                    acc.date = Some(d.clone());
                }
                acc.pod = Some(*p);
            }
            Atom::Period(p) => {
                if self.atoms > 0 {
                    let y = year_only(&acc.fields)?;
                    if acc.date.is_some() || acc.tod.is_some() || acc.pod.is_some() {
                        return None;
                    }
                    acc.fields = Fields::default();
                    acc.period = Some(match p {
                        Period::Month(m, Which::Nearest) => Period::Month(*m, Which::Year(y)),
                        Period::Season(s, Which::Nearest) => Period::Season(*s, Which::Year(y)),
                        Period::Quarter(q, None) => Period::Quarter(*q, Some(y)),
                        _ => return None,
                    });
                } else {
                    acc.period = Some(p.clone());
                }
            }
        }
        Some(acc)
    }

    fn finish(&self) -> Option<Time> {
        if let Some(p) = &self.period {
            return Some(Time::Period(p.clone()));
        }
        let f = self.fields;
        let date = match &self.date {
            Some(d) => Some(d.clone()),
            None if f.day.is_some() || f.weekday.is_some() => Some(DateExpr::Fields(f)),
            None => None,
        };
        if date.is_none() && !f.is_empty() {
            if self.tod.is_some() || self.pod.is_some() {
                return None;
            }
            return Some(Time::Period(match (f.month, f.year) {
                (Some(m), y) => Period::Month(m, y.map_or(Which::Nearest, Which::Year)),
                (None, Some(y)) => Period::Year(y),
                (None, None) => return None,
            }));
        }
        if self.needs_tod && self.tod.is_none() {
            return None;
        }
        match (date, self.tod, self.pod) {
            (Some(d), None, None) => Some(Time::Date(d)),
            (date, Some(tod), pod) => Some(Time::At { date, pod, tod }),
            (date, None, Some(pod)) => Some(Time::DayPart { date, pod }),
            (None, None, None) => None,
        }
    }
}

fn which_word(word: &str) -> Option<Which> {
    Some(match word {
        "this" | "coming" | "upcoming" => Which::This,
        "next" => Which::Next,
        "last" | "past" | "previous" => Which::Last,
        _ => return None,
    })
}

fn cycle_grain(word: &str) -> Option<Grain> {
    Some(match word {
        "week" | "wk" => Grain::Week,
        "month" => Grain::Month,
        "year" | "yr" => Grain::Year,
        "quarter" | "qtr" => Grain::Quarter,
        "hour" | "hr" => Grain::Hour,
        _ => return None,
    })
}

fn dur_from(value: f64, unit: Grain) -> Option<Dur> {
    let mut value = value;
    let mut unit = unit;
    for _ in 0..3 {
        if (value - value.round()).abs() < 1e-9 {
            if !(0.0..1e12).contains(&value) {
                return None;
            }
            // Bounded above, so the cast is exact.
            #[allow(clippy::cast_possible_truncation)]
            let n = value.round() as i64;
            return Some(Dur { n, unit });
        }
        let (factor, smaller) = match unit {
            Grain::Year => (12.0, Grain::Month),
            Grain::Quarter => (3.0, Grain::Month),
            Grain::Month => (30.0, Grain::Day),
            Grain::Week => (7.0, Grain::Day),
            Grain::Day => (24.0, Grain::Hour),
            Grain::Hour => (60.0, Grain::Minute),
            Grain::Minute => (60.0, Grain::Second),
            Grain::Second => return None,
        };
        value *= factor;
        unit = smaller;
    }
    None
}

fn add_durs(a: Dur, b: Dur) -> Option<Dur> {
    let unit = a.unit.min(b.unit);
    let sa = a.seconds()?;
    let sb = b.seconds()?;
    let per = Dur { n: 1, unit }.seconds()?;
    Some(Dur {
        n: (sa.checked_add(sb)?) / per,
        unit,
    })
}

impl<'a> Grammar<'a> {
    /// A parser over `tokens`.
    pub(crate) fn new(tokens: &'a [Token]) -> Self {
        Self {
            t: tokens,
            times: RefCell::new(HashMap::new()),
            sequences: RefCell::new(HashMap::new()),
        }
    }

    // ---- token helpers ----

    fn tok(&self, i: usize) -> Option<&Token> {
        self.t.get(i)
    }

    fn word(&self, i: usize, w: &str) -> Option<usize> {
        self.tok(i).filter(|t| t.is_word(w)).map(|_| i + 1)
    }

    fn any_word(&self, i: usize, ws: &[&str]) -> Option<usize> {
        let t = self.tok(i)?;
        (t.kind == Kind::Word && ws.contains(&t.text.as_str())).then_some(i + 1)
    }

    fn word_text(&self, i: usize) -> Option<&str> {
        self.tok(i)
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text.as_str())
    }

    fn punct(&self, i: usize, c: char) -> Option<usize> {
        self.tok(i).filter(|t| t.is_punct(c)).map(|_| i + 1)
    }

    /// Words separated by spaces in `p`, hyphens allowed between them.
    fn phrase(&self, i: usize, p: &str) -> Option<usize> {
        let mut j = i;
        for (n, w) in p.split(' ').enumerate() {
            if n > 0 {
                if let Some(k) = self.punct(j, '-') {
                    j = k;
                }
            }
            j = self.word(j, w)?;
        }
        Some(j)
    }

    fn any_phrase(&self, i: usize, ps: &[&str]) -> Option<usize> {
        ps.iter().filter_map(|p| self.phrase(i, p)).max()
    }

    fn opt_word(&self, i: usize, ws: &[&str]) -> usize {
        self.any_word(i, ws).unwrap_or(i)
    }

    fn opt_punct(&self, i: usize, c: char) -> usize {
        self.punct(i, c).unwrap_or(i)
    }

    fn glued(&self, i: usize) -> bool {
        self.tok(i).is_some_and(|t| !t.space_before)
    }

    fn number(&self, i: usize) -> Option<&Token> {
        self.tok(i).filter(|t| t.kind == Kind::Number)
    }

    // ---- numbers ----

    /// An integer in digits or words ("23", "twenty-three").
    fn integer(&self, i: usize) -> Alts<(i64, bool)> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            if t.digits() <= 9 {
                out.push(((t.value as i64, true), i + 1));
            }
            return out;
        }
        out.extend(
            self.integer_words(i)
                .into_iter()
                .map(|(v, j)| ((i64::from(v), false), j)),
        );
        out
    }

    /// 0-99 in words.
    fn integer_words(&self, i: usize) -> Alts<u32> {
        let mut out = Vec::new();
        let Some(v) = self.word_text(i).and_then(lexicon::cardinal) else {
            return out;
        };
        out.push((v, i + 1));
        if v >= 20 && v % 10 == 0 {
            let j = self.opt_punct(i + 1, '-');
            if let Some(u) = self.word_text(j).and_then(lexicon::cardinal) {
                if (1..=9).contains(&u) {
                    out.push((v + u, j + 1));
                }
            }
        }
        out
    }

    /// An ordinal ("3rd", "third", "twenty-first").
    fn ordinal(&self, i: usize) -> Alts<u32> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            if t.digits() <= 2 {
                if let Some(j) = self
                    .word_text(i + 1)
                    .filter(|w| lexicon::is_ordinal_suffix(w))
                    .map(|_| i + 2)
                {
                    if self.glued(i + 1) {
                        out.push((t.value as u32, j));
                    }
                }
            }
            return out;
        }
        if let Some(v) = self.word_text(i).and_then(lexicon::ordinal) {
            out.push((v, i + 1));
        }
        if let Some(tens) = self.word_text(i).and_then(lexicon::cardinal) {
            if tens >= 20 && tens % 10 == 0 {
                let j = self.opt_punct(i + 1, '-');
                if let Some(u) = self.word_text(j).and_then(lexicon::ordinal) {
                    if (1..=9).contains(&u) {
                        out.push((tens + u, j + 1));
                    }
                }
            }
        }
        out
    }

    /// A day of the month: ordinal or plain number (1-31), with whether it was an ordinal.
    fn day_number(&self, i: usize) -> Alts<(u32, bool)> {
        let mut out: Alts<(u32, bool)> = self
            .ordinal(i)
            .into_iter()
            .filter(|(v, _)| (1..=31).contains(v))
            .map(|(v, j)| ((v, true), j))
            .collect();
        if let Some(t) = self.number(i) {
            if t.digits() <= 2 && (1..=31).contains(&t.value) {
                out.push(((t.value as u32, false), i + 1));
            }
        }
        out
    }

    /// A year: four digits (weak alone) or "two thousand eighteen"; strong when marked "AD".
    fn year(&self, i: usize) -> Alts<(i32, bool)> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            let y = t.value as i32;
            if t.digits() == 4 && (1000..=2100).contains(&t.value) {
                out.push(((y, false), i + 1));
            }
            // "2014 AD", "14 a.d."
            let ad = self.any_phrase(i + 1, &["ad", "a d", "ce"]).or_else(|| {
                let j = self.word(i + 1, "a")?;
                let j = self.opt_punct(j, '.');
                let j = self.word(j, "d")?;
                Some(self.opt_punct(j, '.'))
            });
            if let Some(j) = ad {
                if t.digits() <= 4 && t.value >= 1 {
                    out.push(((y, true), j));
                }
            }
        } else if let Some(j) = self.phrase(i, "two thousand") {
            out.push(((2000, true), j));
            let k = self.opt_word(j, &["and"]);
            for (v, e) in self.integer_words(k) {
                if v > 0 {
                    out.push(((2000 + v as i32, true), e));
                }
            }
        }
        out
    }

    /// A two- or four-digit year inside a numeric date.
    fn short_year(&self, i: usize) -> Option<(i32, usize)> {
        let t = self.number(i)?;
        match t.digits() {
            4 => Some((t.value as i32, i + 1)),
            2 => {
                let v = t.value as i32;
                Some((if v < 50 { 2000 + v } else { 1900 + v }, i + 1))
            }
            _ => None,
        }
    }

    // ---- durations ----

    /// A quantity: number, decimal, fraction or words like "a couple of"; with
    /// whether it was an explicit number.
    fn quantity(&self, i: usize) -> Alts<(f64, bool)> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            let v = t.value as f64;
            out.push(((v, true), i + 1));
            if let (Some(_), Some(frac)) = (self.punct(i + 1, '.'), self.number(i + 2)) {
                if self.glued(i + 1) && self.glued(i + 2) && frac.digits() <= 3 {
                    let d = frac.value as f64 / 10f64.powi(frac.digits() as i32);
                    out.push(((v + d, true), i + 3));
                }
            }
            if let (Some(_), Some(den)) = (self.punct(i + 1, '/'), self.number(i + 2)) {
                if den.value > 0 && den.digits() <= 2 {
                    out.push(((v / den.value as f64, true), i + 3));
                }
            }
            return out;
        }
        for (v, j) in self.integer_words(i) {
            out.push(((f64::from(v), true), j));
        }
        if let Some(j) = self.any_word(i, &["a", "an", "one"]) {
            out.push(((1.0, false), j));
        }
        let words: &[(&str, f64)] = &[
            ("a couple of", 2.0),
            ("a couple", 2.0),
            ("couple of", 2.0),
            ("couple", 2.0),
            ("a pair of", 2.0),
            ("pair of", 2.0),
            ("a few", 3.0),
            ("few", 3.0),
            ("several", 3.0),
        ];
        for (p, v) in words {
            if let Some(j) = self.phrase(i, p) {
                out.push(((*v, true), j));
            }
        }
        out
    }

    /// A unit word; one-letter units only right after a number.
    fn unit(&self, i: usize) -> Option<(Grain, usize)> {
        let w = self.word_text(i)?;
        let g = lexicon::unit(w)?;
        if lexicon::is_short_unit(w) {
            let after_number = i > 0 && self.number(i - 1).is_some();
            if !after_number || (!self.glued(i) && w != "h") {
                return None;
            }
        }
        Some((g, i + 1))
    }

    /// A single-unit duration ("3 days", "an hour and a half", "half an hour").
    fn simple_duration(&self, i: usize) -> Alts<(Dur, bool)> {
        let mut out = Vec::new();
        for ((q, explicit), j) in self.quantity(i) {
            let j = self.opt_word(j, &["more", "extra", "additional"]);
            if let Some((g, k)) = self.unit(j) {
                if let Some(d) = dur_from(q, g) {
                    out.push(((d, explicit), k));
                }
                if let Some(m) = self.any_phrase(k, &["and a half", "and an half"]) {
                    if let Some(d) = dur_from(q + 0.5, g) {
                        out.push(((d, explicit), m));
                    }
                }
            }
            if let Some(k) = self.any_phrase(j, &["and a half", "and an half"]) {
                if let Some((g, m)) = self.unit(k) {
                    if let Some(d) = dur_from(q + 0.5, g) {
                        out.push(((d, explicit), m));
                    }
                }
            }
            if let Some(k) = self.any_word(j, &["fortnight", "fortnights"]) {
                if let Some(d) = dur_from(q * 14.0, Grain::Day) {
                    out.push(((d, explicit), k));
                }
            }
            if explicit && self.glued(j) {
                if let Some(k) = self.punct(j, '\'') {
                    if let Some(d) = dur_from(q, Grain::Minute) {
                        out.push(((d, true), k));
                    }
                }
                if let Some(k) = self.punct(j, '"') {
                    if let Some(d) = dur_from(q, Grain::Second) {
                        out.push(((d, true), k));
                    }
                }
            }
        }
        if let Some(j) = self.word(i, "half") {
            let k = self.opt_word(j, &["a", "an"]);
            if let Some((g, m)) = self.unit(k) {
                if let Some(d) = dur_from(0.5, g) {
                    out.push(((d, true), m));
                }
            }
        }
        let quarters: &[(&str, i64)] = &[
            ("a quarter of an hour", 15),
            ("quarter of an hour", 15),
            ("a quarter hour", 15),
            ("quarter hour", 15),
            ("three quarters of an hour", 45),
            ("three quarter of an hour", 45),
        ];
        for (p, m) in quarters {
            if let Some(j) = self.phrase(i, p) {
                out.push((
                    (
                        Dur {
                            n: *m,
                            unit: Grain::Minute,
                        },
                        true,
                    ),
                    j,
                ));
            }
        }
        out
    }

    /// A duration, possibly compound ("1 hour and 30 minutes").
    fn duration(&self, i: usize) -> Alts<(Dur, bool)> {
        let mut out = self.simple_duration(i);
        let firsts = out.clone();
        for ((d, explicit), j) in firsts {
            let k = self.opt_word(j, &["and"]);
            for ((d2, _), m) in self.simple_duration(k) {
                if d2.unit < d.unit {
                    if let Some(sum) = add_durs(d, d2) {
                        out.push(((sum, explicit), m));
                    }
                }
            }
        }
        out
    }

    // ---- times of day ----

    fn meridiem(&self, i: usize) -> Option<(Meridiem, usize)> {
        let w = self.word_text(i)?;
        let m = match w {
            "am" | "a" => Meridiem::Am,
            "pm" | "p" => Meridiem::Pm,
            _ => {
                let j = self.word(i, "in")?;
                let j = self.word(j, "the")?;
                return match self.word_text(j)? {
                    "am" => Some((Meridiem::Am, j + 1)),
                    "pm" => Some((Meridiem::Pm, j + 1)),
                    _ => None,
                };
            }
        };
        let mut j = i + 1;
        if w.len() == 1 {
            // "a.m.", "p m", or a single glued letter ("7p", "3:18a").
            let dotted = self.opt_punct(j, '.');
            if let Some(k) = self.word(dotted, "m") {
                return Some((m, self.opt_punct(k, '.')));
            }
            if !self.glued(i) {
                return None;
            }
            if self
                .tok(j)
                .is_some_and(|t| t.kind == Kind::Word && !t.space_before)
            {
                return None;
            }
            j = dotted;
        } else {
            j = self.opt_punct(j, '.');
        }
        Some((m, j))
    }

    fn with_meridiem(&self, tod: Tod, j: usize) -> (Tod, usize, bool) {
        if let Some((m, k)) = self.meridiem(j) {
            if tod.hour <= 12 && tod.hour > 0 {
                return (
                    Tod {
                        meridiem: Some(m),
                        ..tod
                    },
                    k,
                    true,
                );
            }
            if tod.hour == 0 || tod.hour > 12 {
                return (tod, k, true);
            }
        }
        (tod, j, false)
    }

    /// A time of day with whether it is latent.
    fn tod(&self, i: usize) -> Alts<(Tod, bool)> {
        let mut out = self.tod_core(i);
        // Trailing "ish", "sharp", "o'clock" etc.
        let extra: Vec<_> = out
            .iter()
            .filter_map(|((tod, latent), j)| {
                let k = self.opt_punct(*j, '-');
                let k = self.any_word(k, &["ish", "sharp", "exactly", "precisely"])?;
                let (tod, k, has_m) = self.with_meridiem(*tod, k);
                Some(((tod, *latent && !has_m), k))
            })
            .collect();
        out.extend(extra);
        out
    }

    fn tod_core(&self, i: usize) -> Alts<(Tod, bool)> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            let h = t.value;
            // h:mm[:ss]
            if t.digits() <= 2 && h <= 24 {
                if let (Some(j), Some(mt)) = (self.punct(i + 1, ':'), self.number(i + 2)) {
                    if mt.digits() == 2 && mt.value < 60 && self.glued(j) {
                        let mut tod = Tod {
                            hour: h as u32,
                            minute: Some(mt.value as u32),
                            second: None,
                            meridiem: None,
                            exact: h > 12 || h == 0 || t.digits() == 2 && t.text.starts_with('0'),
                        };
                        let mut k = i + 3;
                        if let (Some(_), Some(st)) = (self.punct(k, ':'), self.number(k + 1)) {
                            if st.digits() == 2 && st.value < 60 {
                                tod.second = Some(st.value as u32);
                                k += 2;
                            }
                        }
                        let (tod, k, _) = self.with_meridiem(tod, k);
                        out.push(((tod, false), k));
                    }
                }
                // "3 15" (latent: only after "at" or as a whole answer)
                if let Some(mt) = self.number(i + 1) {
                    if mt.digits() == 2 && mt.value < 60 && !self.glued(i + 1) && h <= 12 {
                        let tod = Tod {
                            hour: h as u32,
                            minute: Some(mt.value as u32),
                            second: None,
                            meridiem: None,
                            exact: false,
                        };
                        let (tod, k, has_m) = self.with_meridiem(tod, i + 2);
                        out.push(((tod, !has_m), k));
                    }
                }
                // 2.30pm, at 2.30
                if let (Some(j), Some(mt)) = (self.punct(i + 1, '.'), self.number(i + 2)) {
                    if mt.digits() == 2 && mt.value < 60 && self.glued(i + 1) && self.glued(j) {
                        let tod = Tod {
                            hour: h as u32,
                            minute: Some(mt.value as u32),
                            second: None,
                            meridiem: None,
                            exact: h > 12 || h == 0,
                        };
                        let (tod, k, has_m) = self.with_meridiem(tod, j + 2);
                        out.push(((tod, !has_m), k));
                    }
                }
                // 16h, 16h00, 3h18
                if let Some(j) = self.word(i + 1, "h") {
                    if self.glued(j - 1) {
                        let mut tod = Tod {
                            hour: h as u32,
                            minute: Some(0),
                            second: None,
                            meridiem: None,
                            exact: true,
                        };
                        let mut k = j;
                        if let Some(mt) = self.number(j) {
                            if mt.digits() == 2 && mt.value < 60 && self.glued(j) {
                                tod.minute = Some(mt.value as u32);
                                k = j + 1;
                            }
                        }
                        out.push(((tod, false), k));
                    }
                }
                // 3pm, 3 o'clock, bare 3
                let tod = Tod::hour(h as u32);
                let tod = Tod {
                    exact: h > 12 || h == 0 || t.digits() == 2 && t.text.starts_with('0'),
                    ..tod
                };
                let oclock = self.any_phrase(i + 1, &["oclock", "o clock"]);
                let j = oclock.unwrap_or(i + 1);
                let (tod, k, has_m) = self.with_meridiem(tod, j);
                out.push(((tod, !has_m && oclock.is_none()), k));
            }
            // 1030, 330pm
            if (t.digits() == 3 || t.digits() == 4) && h % 100 < 60 && h / 100 <= 24 {
                let tod = Tod {
                    hour: (h / 100) as u32,
                    minute: Some((h % 100) as u32),
                    second: None,
                    meridiem: None,
                    exact: h / 100 > 12 || t.text.starts_with('0'),
                };
                let (tod, k, has_m) = self.with_meridiem(tod, i + 1);
                out.push(((tod, !has_m), k));
            }
            if t.value == 12 {
                if let Some(j) = self.any_word(i + 1, &["noon", "midday"]) {
                    out.push((
                        (
                            Tod {
                                exact: true,
                                ..Tod::hour(12)
                            },
                            false,
                        ),
                        j,
                    ));
                }
                if let Some(j) = self.word(i + 1, "midnight") {
                    out.push((
                        (
                            Tod {
                                exact: true,
                                ..Tod::hour(0)
                            },
                            false,
                        ),
                        j,
                    ));
                }
            }
            out.extend(self.relative_tod(i));
            return out;
        }
        if let Some(j) = self.any_word(i, &["noon", "midday"]) {
            out.push((
                (
                    Tod {
                        exact: true,
                        ..Tod::hour(12)
                    },
                    false,
                ),
                j,
            ));
        }
        if let Some(j) = self.word(i, "midnight") {
            out.push((
                (
                    Tod {
                        exact: true,
                        ..Tod::hour(0)
                    },
                    false,
                ),
                j,
            ));
        }
        if let Some(j) = self.any_phrase(i, &["mid day", "the midday"]) {
            out.push((
                (
                    Tod {
                        exact: true,
                        ..Tod::hour(12)
                    },
                    false,
                ),
                j,
            ));
        }
        if let Some(j) = self.any_phrase(i, &["twelve noon", "twelve midday"]) {
            out.push((
                (
                    Tod {
                        exact: true,
                        ..Tod::hour(12)
                    },
                    false,
                ),
                j,
            ));
        }
        // Words: "three", "ten thirty", "twelve oh three", "thirteen hundred".
        for (h, j) in self.integer_words(i) {
            if h > 24 {
                continue;
            }
            let base = Tod::hour(h);
            let base = Tod {
                exact: h > 12 || h == 0,
                ..base
            };
            let oclock = self.any_phrase(j, &["oclock", "o clock"]);
            let (tod, k, has_m) = self.with_meridiem(base, oclock.unwrap_or(j));
            out.push(((tod, !has_m && oclock.is_none()), k));
            let j2 = self.opt_punct(j, '-');
            for (m, k) in self.minute_words(j2) {
                let tod = Tod {
                    minute: Some(m),
                    ..base
                };
                let (tod, k, has_m) = self.with_meridiem(tod, k);
                out.push(((tod, !has_m), k));
            }
        }
        // "quarter past 3", "ten to noon", "half three".
        out.extend(self.relative_tod(i));
        out
    }

    /// Minutes said after an hour word: "thirty", "oh three", "twenty-five".
    fn minute_words(&self, i: usize) -> Alts<u32> {
        let mut out = Vec::new();
        if let Some(j) = self.any_word(i, &["oh", "o", "ou", "zero"]) {
            let j = self.opt_punct(j, '-');
            if let Some(u) = self.word_text(j).and_then(lexicon::cardinal) {
                if (1..=9).contains(&u) {
                    out.push((u, j + 1));
                }
            }
            if let Some(k) = self.word(j, "zero") {
                out.push((0, k));
            }
        }
        if let Some(j) = self.any_word(i, &["hundred"]) {
            out.push((0, j));
        }
        for (v, j) in self.integer_words(i) {
            if (10..60).contains(&v) {
                out.push((v, j));
            }
        }
        out
    }

    /// An hour to count minutes from: "3", "three", "3pm", "noon".
    fn anchor_hour(&self, i: usize) -> Alts<Tod> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            if t.digits() <= 2 && t.value <= 24 {
                let tod = Tod {
                    exact: t.value > 12 || t.value == 0,
                    ..Tod::hour(t.value as u32)
                };
                let (tod, k, _) = self.with_meridiem(tod, i + 1);
                out.push((tod, k));
                // "15h"
                if self.word(i + 1, "h").is_some() && self.glued(i + 1) {
                    out.push((
                        Tod {
                            exact: true,
                            ..Tod::hour(t.value as u32)
                        },
                        i + 2,
                    ));
                }
            }
        }
        for (h, j) in self.integer_words(i) {
            if h <= 24 {
                let tod = Tod {
                    exact: h > 12 || h == 0,
                    ..Tod::hour(h)
                };
                let (tod, k, _) = self.with_meridiem(tod, j);
                out.push((tod, k));
            }
        }
        if let Some(j) = self.any_word(i, &["noon", "midday"]) {
            out.push((
                Tod {
                    exact: true,
                    ..Tod::hour(12)
                },
                j,
            ));
        }
        if let Some(j) = self.word(i, "midnight") {
            out.push((
                Tod {
                    exact: true,
                    ..Tod::hour(0)
                },
                j,
            ));
        }
        out
    }

    fn relative_tod(&self, i: usize) -> Alts<(Tod, bool)> {
        let mut out = Vec::new();
        // (minutes, index after, a bare number that could start a range "9 to 5")
        let mut amounts: Alts<(i64, bool)> = Vec::new();
        let start = self.opt_word(i, &["a"]);
        if let Some(j) = self.word(start, "quarter") {
            amounts.push(((15, false), j));
        }
        if start == i {
            if let Some(j) = self.word(i, "half") {
                amounts.push(((30, false), j));
            }
            for ((v, _), j) in self.integer(i) {
                if (1..60).contains(&v) {
                    match self.any_word(j, &["minutes", "minute", "mins", "min"]) {
                        Some(k) => amounts.push(((v, false), k)),
                        None => amounts.push(((v, true), j)),
                    }
                }
            }
        }
        for ((n, bare), j) in amounts {
            let (sign, k) = if let Some(k) = self.any_word(j, &["past", "after"]) {
                (1, k)
            } else if let Some(k) = self.any_word(j, &["to", "till", "before", "of", "til"]) {
                (-1, k)
            } else if n == 30 && self.word(i, "half").is_some() {
                (1, j)
            } else {
                continue;
            };
            for (base, e) in self.anchor_hour(k) {
                if base.hour == 0 && !base.exact {
                    continue;
                }
                // "9 to 5" and "10 to 12" are ranges; "10 to 3" and "20 to 3" are times.
                if bare && sign < 0 && (n % 5 != 0 || n < 10 || n <= i64::from(base.hour)) {
                    continue;
                }
                if let Some(tod) = base.shifted(sign * n) {
                    out.push(((tod, false), e));
                }
            }
        }
        out
    }

    // ---- parts of the day ----

    fn pod_word(&self, i: usize) -> Option<(Pod, usize)> {
        let w = self.word_text(i)?;
        let pod = match w {
            "morning" | "mornings" => MORNING,
            "afternoon" | "afternon" | "afternoons" | "arvo" => AFTERNOON,
            "evening" | "evenings" | "night" | "nite" => EVENING,
            "lunch" | "lunchtime" => Pod {
                start: 12,
                end: 14,
                pm: true,
            },
            _ => return None,
        };
        Some((pod, i + 1))
    }

    fn pod(&self, i: usize) -> Alts<((Pod, Option<DateExpr>), bool)> {
        let mut out = Vec::new();
        if let Some((p, j)) = self.pod_word(i) {
            out.push((((p, None), true), j));
        }
        if let Some(j) = self.any_word(i, &["tonight", "tonite"]) {
            out.push((((EVENING, Some(DateExpr::Today(0))), false), j));
        }
        if let Some(j) = self.word(i, "this") {
            if let Some((p, k)) = self.pod_word(j) {
                out.push((((p, Some(DateExpr::Today(0))), false), k));
            }
        }
        if let Some(j) = self.any_phrase(i, &["in the", "during the", "at", "the", "in"]) {
            if let Some((p, k)) = self.pod_word(j) {
                out.push((((p, None), false), k));
            }
        }
        if let Some(j) = self.any_phrase(i, &["last night", "yesterday night"]) {
            out.push((((EVENING, Some(DateExpr::Today(-1))), false), j));
        }
        if let Some(j) = self.phrase(i, "late last night") {
            out.push((((LATE_EVENING, Some(DateExpr::Today(-1))), false), j));
        }
        if let Some(j) = self.any_phrase(i, &["late tonight", "late this evening"]) {
            out.push((((LATE_EVENING, Some(DateExpr::Today(0))), false), j));
        }
        if let Some(j) = self.any_phrase(i, &["late at night", "late in the evening"]) {
            out.push((((LATE_EVENING, None), false), j));
        }
        // "early morning", "late in the afternoon": the first or second half.
        for (modifier, first_half) in [("early", true), ("late", false)] {
            let Some(j) = self.word(i, modifier) else {
                continue;
            };
            let k = self.any_phrase(j, &["in the", "this"]).unwrap_or(j);
            if let Some((p, e)) = self.pod_word(k) {
                let mid = (p.start + p.end) / 2;
                let half = if first_half {
                    Pod { end: mid, ..p }
                } else {
                    Pod { start: mid, ..p }
                };
                let date = self.word(j, "this").map(|_| DateExpr::Today(0));
                out.push((((half, date), false), e));
            }
        }
        if let Some(j) = self.phrase(i, "after lunch") {
            let p = Pod {
                start: 13,
                end: 17,
                pm: true,
            };
            out.push((((p, None), false), j));
        }
        if let Some(j) = self.phrase(i, "after school") {
            let p = Pod {
                start: 15,
                end: 21,
                pm: true,
            };
            out.push((((p, None), false), j));
        }
        if let Some(j) = self.phrase(i, "after work") {
            let p = Pod {
                start: 17,
                end: 21,
                pm: true,
            };
            out.push((((p, None), false), j));
        }
        out
    }

    // ---- dates ----

    fn month_word(&self, i: usize) -> Option<(u32, usize)> {
        let m = self.word_text(i).and_then(lexicon::month)?;
        Some((m, self.opt_punct(i + 1, '.')))
    }

    fn weekday_word(&self, i: usize) -> Option<(Weekday, usize, bool)> {
        let w = self.word_text(i)?;
        let d = lexicon::weekday(w)?;
        let dotted = self.punct(i + 1, '.');
        let latent = lexicon::is_ambiguous_weekday(w) && dotted.is_none();
        Some((d, dotted.unwrap_or(i + 1), latent))
    }

    /// Numeric dates: 2/15, 10/31/1974, 2015-03-03, 31/Oct/1974, 2014-10.
    fn numeric_date(&self, i: usize) -> Alts<Fields> {
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
                        Fields {
                            year: Some(a.value as i32),
                            month: Some(bv),
                            ..Fields::default()
                        },
                        j + 1,
                    ));
                }
                return out;
            }
            // 12/2014
            if a.digits() <= 2 && b.digits() == 4 && (1..=12).contains(&av) && s1 != '.' {
                out.push((
                    Fields {
                        year: Some(b.value as i32),
                        month: Some(av),
                        ..Fields::default()
                    },
                    j + 1,
                ));
            }
            if a.digits() > 2 || b.digits() > 2 {
                return out;
            }
            let (month, day) = if (1..=12).contains(&av) && (1..=31).contains(&bv) {
                (av, bv)
            } else if (1..=31).contains(&av) && (1..=12).contains(&bv) {
                (bv, av)
            } else {
                return out;
            };
            let md = Fields {
                month: Some(month),
                day: Some(day),
                ..Fields::default()
            };
            if let Some((s2, k)) = sep_at(j + 1) {
                if s2 == s1 {
                    if let Some((y, e)) = self.short_year(k) {
                        out.push((
                            Fields {
                                year: Some(y),
                                ..md
                            },
                            e,
                        ));
                    }
                }
            }
            if s1 != '.' {
                out.push((md, j + 1));
            }
        } else if let Some((m, k)) = self.month_word(j) {
            // 31/Oct/1974, 31-Oct-74
            let day = a.value as u32;
            if a.digits() <= 2 && (1..=31).contains(&day) {
                let md = Fields {
                    month: Some(m),
                    day: Some(day),
                    ..Fields::default()
                };
                if let Some((_, k2)) = sep_at(k) {
                    if let Some((y, e)) = self.short_year(k2) {
                        out.push((
                            Fields {
                                year: Some(y),
                                ..md
                            },
                            e,
                        ));
                    }
                }
                out.push((md, k));
            }
        }
        out
    }

    /// Optional ", 2015" after a date.
    fn with_year(&self, f: Fields, j: usize, short: bool) -> Alts<Fields> {
        let mut out = vec![(f, j)];
        let k = self.opt_punct(j, ',');
        for ((y, _), e) in self.year(k) {
            out.push((Fields { year: Some(y), ..f }, e));
        }
        if short {
            if let Some(t) = self.number(k) {
                if t.digits() == 2 {
                    out.push((
                        Fields {
                            year: Some(2000 + t.value as i32),
                            ..f
                        },
                        k + 1,
                    ));
                }
            }
        }
        out
    }

    /// Dates with a month name: "Feb 15", "15th of February", "March 3rd 2015".
    fn word_date(&self, i: usize) -> Alts<(Fields, bool)> {
        let mut out = Vec::new();
        // Month first.
        if let Some((m, j)) = self.month_word(i) {
            let month_latent = self.word(i, "may").is_some();
            out.push((
                (
                    Fields {
                        month: Some(m),
                        ..Fields::default()
                    },
                    month_latent,
                ),
                j,
            ));
            let k = self.opt_punct(j, ',');
            for ((y, _), e) in self.year(k) {
                out.push((
                    (
                        Fields {
                            year: Some(y),
                            month: Some(m),
                            ..Fields::default()
                        },
                        false,
                    ),
                    e,
                ));
            }
            let k = self.opt_word(j, &["the"]);
            for ((d, _), e) in self.day_number(k) {
                let f = Fields {
                    month: Some(m),
                    day: Some(d),
                    ..Fields::default()
                };
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
                let f = Fields {
                    month: Some(m),
                    day: Some(d),
                    ..Fields::default()
                };
                for (f, e2) in self.with_year(f, e, true) {
                    out.push(((f, false), e2));
                }
            }
        }
        if let Some(j) = self.any_phrase(i, &["the ides of", "ides of"]) {
            if let Some((m, e)) = self.month_word(j) {
                let day = if matches!(m, 3 | 5 | 7 | 10) { 15 } else { 13 };
                let f = Fields {
                    month: Some(m),
                    day: Some(day),
                    ..Fields::default()
                };
                out.push(((f, false), e));
            }
        }
        out
    }

    /// "the 15th", "the 24".
    fn day_of_month(&self, i: usize) -> Alts<(Fields, bool)> {
        let mut out = Vec::new();
        let k = self.opt_word(i, &["the"]);
        for ((d, ordinal), j) in self.day_number(k) {
            let f = Fields {
                day: Some(d),
                ..Fields::default()
            };
            // "the 15th" is a date; "the second" (one) may well not be.
            let written_in_digits = self.number(k).is_some();
            let latent = !(ordinal && k > i && written_in_digits);
            if ordinal || k > i {
                out.push(((f, latent), j));
            }
        }
        out
    }

    fn which_prefix(&self, i: usize) -> Option<(Which, usize)> {
        if let Some(j) = self.phrase(i, "this coming") {
            return Some((Which::This, j));
        }
        if let Some(j) = self.phrase(i, "this past") {
            return Some((Which::Last, j));
        }
        let w = self.word_text(i).and_then(which_word)?;
        Some((w, i + 1))
    }

    /// Days: "tomorrow", "next Friday", "Christmas", "the first Monday of March".
    fn date_expr(&self, i: usize) -> Alts<(DateExpr, bool)> {
        let mut out = Vec::new();
        let days: &[(&str, i64)] = &[
            ("today", 0),
            ("todays", 0),
            ("tomorrows", 1),
            ("tomorrow", 1),
            ("tomorow", 1),
            ("tommorow", 1),
            ("tommorrow", 1),
            ("tmrw", 1),
            ("tmr", 1),
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
            if let Some((which, e)) = self.which_prefix(k) {
                if let Some(e) = self.any_word(e, &["week", "wk"]) {
                    let n = match which {
                        Which::Next => 1,
                        Which::Last => -1,
                        _ => 0,
                    };
                    let p = Period::Cycle(Grain::Week, n);
                    out.push(((DateExpr::NthWeekdayOf(1, d, Box::new(p)), false), e));
                }
            }
            let _ = latent;
        }
        // "last week's sunday"
        if let Some((which, j)) = self.which_prefix(i) {
            if let Some(j) = self.any_word(j, &["weeks"]) {
                if let Some((d, k, _)) = self.weekday_word(j) {
                    let n = match which {
                        Which::Next => 1,
                        Which::Last => -1,
                        _ => 0,
                    };
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
            let j2 = self.opt_word(j, &["of", "in"]);
            if let Some((which, e)) = self.which_prefix(j2) {
                if let Some(e) = self.any_word(e, &["year", "yr"]) {
                    let n = match which {
                        Which::Next => 1,
                        Which::Last => -1,
                        _ => 0,
                    };
                    out.push(((DateExpr::Holiday(h, Which::YearOffset(n)), false), e));
                }
            }
        }
        // "the first Tuesday of October", "last Monday of March"
        let k = self.opt_word(i, &["the"]);
        let mut counts: Alts<i32> = self
            .ordinal(k)
            .into_iter()
            .map(|(v, j)| (v as i32, j))
            .collect();
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
                if let Some((which, e)) = self.which_prefix(j) {
                    let e2 = self.any_word(e, &["month"]);
                    if let Some(e2) = e2 {
                        let n = match which {
                            Which::Next => 1,
                            Which::Last => -1,
                            _ => 0,
                        };
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
    fn period_arg(&self, i: usize) -> Alts<Period> {
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
    fn period(&self, i: usize) -> Alts<Period> {
        let mut out = Vec::new();
        let start = self.opt_word(i, &["the"]);
        // this/next/last week|month|year|quarter
        let rel: Option<(i64, usize)> = if let Some(j) = self.phrase(start, "this past") {
            Some((-1, j))
        } else if let Some(j) = self.phrase(start, "this coming") {
            Some((0, j))
        } else if let Some(j) = self.any_word(start, &["this", "current"]) {
            Some((0, j))
        } else if let Some(j) = self.any_word(start, &["coming", "upcoming"]) {
            Some((0, j))
        } else if let Some(j) = self.any_word(start, &["next", "following"]) {
            Some((1, j))
        } else {
            self.any_word(start, &["last", "past", "previous", "preceding"])
                .map(|j| (-1, j))
        };
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
            let k = self.opt_word(j, &["of"]);
            if let Some((which, k)) = self.which_prefix(k) {
                if let Some(e) = self.any_word(k, &["year", "yr"]) {
                    let n = match which {
                        Which::Next => 1,
                        Which::Last => -1,
                        _ => 0,
                    };
                    out.push((Period::Month(m, Which::YearOffset(n)), e));
                }
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
        let mut counts: Alts<i32> = self
            .ordinal(start)
            .into_iter()
            .map(|(v, j)| (v as i32, j))
            .collect();
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
        // holiday weekends
        for (h, j) in holidays::names_at(self.t, start) {
            if let Some(e) = self.any_phrase(j, &["weekend", "week end", "wkend"]) {
                out.push((Period::Weekend(WeekendOf::Holiday(h, Which::Nearest)), e));
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
                    if let Some(e) =
                        self.any_phrase(j, &["year", "month", "week", "day", "the day"])
                    {
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
                        out.push((
                            Period::Part(PartOf::Beginning, Box::new(Period::Cycle(g, 0))),
                            e,
                        ));
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
        if let Some(e) = self.any_phrase(
            start,
            &[
                "rest of the week",
                "rest of this week",
                "remainder of the week",
            ],
        ) {
            out.push((Period::RestOf(Grain::Week), e));
        }
        if let Some(e) = self.phrase(i, "the week") {
            out.push((Period::RestOf(Grain::Week), e));
        }
        if let Some(e) = self.any_phrase(start, &["rest of the month", "rest of this month"]) {
            out.push((Period::RestOf(Grain::Month), e));
        }
        out
    }

    fn season_word(&self, i: usize) -> Option<(Season, usize)> {
        let s = match self.word_text(i)? {
            "spring" => Season::Spring,
            "summer" => Season::Summer,
            "fall" | "autumn" => Season::Fall,
            "winter" => Season::Winter,
            _ => return None,
        };
        Some((s, i + 1))
    }

    // ---- atoms and sequences ----

    fn atoms(&self, i: usize) -> Alts<(Atom, bool)> {
        let mut out = Vec::new();
        for (f, j) in self.numeric_date(i) {
            out.push(((Atom::Fields(f), false), j));
        }
        for ((f, latent), j) in self.word_date(i) {
            out.push(((Atom::Fields(f), latent), j));
        }
        for ((f, latent), j) in self.day_of_month(i) {
            out.push(((Atom::Fields(f), latent), j));
        }
        if let Some((d, j, latent)) = self.weekday_word(i) {
            let f = Fields {
                weekday: Some(d),
                ..Fields::default()
            };
            out.push(((Atom::Fields(f), latent), j));
        }
        for ((y, strong), j) in self.year(i) {
            let f = Fields {
                year: Some(y),
                ..Fields::default()
            };
            out.push(((Atom::Fields(f), !strong), j));
        }
        for ((d, latent), j) in self.date_expr(i) {
            out.push(((Atom::Date(d), latent), j));
        }
        for ((tod, latent), j) in self.tod(i) {
            out.push(((Atom::Tod(tod), latent), j));
        }
        for (((p, d), latent), j) in self.pod(i) {
            out.push(((Atom::Pod(p, d), latent), j));
        }
        for (p, j) in self.period(i) {
            let latent = match &p {
                Period::Season(Season::Fall | Season::Spring, Which::Nearest) => {
                    self.word(i, "the").is_none()
                }
                Period::RestOf(_) => self.phrase(i, "the week").is_some_and(|e| e == j),
                _ => false,
            };
            out.push(((Atom::Period(p), latent), j));
        }
        // Days counted from today, only meaningful with a time: "two days ago at 6am".
        for ((d, explicit), j) in self.duration(i) {
            let days = match d.unit {
                Grain::Day => d.n,
                Grain::Week => d.n * 7,
                _ => continue,
            };
            if let Some(e) = self.any_word(j, &["ago"]) {
                out.push(((Atom::DateForTod(DateExpr::Today(-days)), !explicit), e));
            }
            if let Some(e) = self.any_phrase(j, &["from now", "hence"]) {
                out.push(((Atom::DateForTod(DateExpr::Today(days)), !explicit), e));
            }
        }
        if let Some(j) = self.word(i, "in") {
            for ((d, _), e) in self.duration(j) {
                if d.unit == Grain::Day {
                    out.push(((Atom::DateForTod(DateExpr::Today(d.n)), false), e));
                }
            }
        }
        out
    }

    /// Connectors allowed between atoms.
    fn connector(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        for p in [",", "@"] {
            if let Some(j) = self.punct(i, p.chars().next().unwrap_or(',')) {
                out.push(j);
                if let Some(k) = self.any_word(j, &["at", "on"]) {
                    out.push(k);
                }
            }
        }
        // ISO 8601: 2013-02-19T10:00
        if self.word(i, "t").is_some() && self.glued(i) && self.glued(i + 1) {
            out.push(i + 1);
        }
        for w in ["at", "on", "of", "for", "in", "the"] {
            if let Some(j) = self.word(i, w) {
                out.push(j);
                if let Some(k) = self.word(j, "the") {
                    out.push(k);
                }
            }
        }
        out
    }

    fn sequence(&self, i: usize) -> Found {
        if let Some(found) = self.sequences.borrow().get(&i) {
            return found.clone();
        }
        let found = self.sequence_uncached(i);
        self.sequences.borrow_mut().insert(i, found.clone());
        found
    }

    fn sequence_uncached(&self, i: usize) -> Found {
        let mut out = Vec::new();
        let mut frontier: Vec<(Acc, usize)> = vec![(Acc::default(), i)];
        for depth in 0..5 {
            let mut next = Vec::new();
            for (acc, j) in &frontier {
                let starts = if depth == 0 {
                    vec![*j]
                } else {
                    self.connector(*j)
                };
                for s in starts {
                    for ((atom, latent), e) in self.atoms(s) {
                        if let Some(merged) = acc.add(&atom, latent) {
                            if let Some(time) = merged.finish() {
                                out.push((time, e, merged.latent));
                            }
                            next.push((merged, e));
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            // Keep the search small: the furthest few states.
            next.sort_by_key(|s| std::cmp::Reverse(s.1));
            next.truncate(24);
            frontier = next;
        }
        out
    }

    /// All readings of a time at `i`, with whether each is latent.
    fn time(&self, i: usize) -> Vec<(Time, usize, bool)> {
        if let Some(found) = self.times.borrow().get(&i) {
            return found.clone();
        }
        let mut out = self.sequence(i);
        let nows = [
            "now",
            "right now",
            "just now",
            "at the moment",
            "atm",
            "at this time",
            "at this moment",
            "currently",
        ];
        if let Some(j) = self.any_phrase(i, &nows) {
            out.push((Time::Now, j, false));
        }
        // "the day after Christmas"
        if let Some(j) = self.any_phrase(
            i,
            &["the day after", "day after", "the day before", "day before"],
        ) {
            let sign = if self.word(j - 1, "before").is_some() {
                -1
            } else {
                1
            };
            for (t, e, _) in self.sequence(j) {
                if matches!(t, Time::Date(_)) {
                    out.push((
                        Time::Shifted(
                            Box::new(t),
                            Dur {
                                n: sign,
                                unit: Grain::Day,
                            },
                        ),
                        e,
                        false,
                    ));
                }
            }
        }
        // Offsets from now.
        if let Some(j) = self.word(i, "in") {
            let j = self.opt_word(
                j,
                &[
                    "about",
                    "around",
                    "approximately",
                    "approx",
                    "roughly",
                    "just",
                ],
            );
            for ((d, _), e) in self.duration(j) {
                out.push((Time::Offset(d), e, false));
            }
        }
        for ((d, explicit), j) in self.duration(i) {
            if let Some(e) = self.any_phrase(
                j,
                &[
                    "from now",
                    "from right now",
                    "hence",
                    "later",
                    "from today on",
                ],
            ) {
                out.push((Time::Offset(d), e, !explicit && d.n == 0));
            }
            if let Some(e) = self.any_word(j, &["ago", "back", "earlier"]) {
                out.push((
                    Time::Offset(Dur {
                        n: -d.n,
                        unit: d.unit,
                    }),
                    e,
                    false,
                ));
            }
            // "15 minutes from 1pm", "3 years from today", "three days after Easter"
            if let Some(k) = self.any_word(j, &["from", "after", "before"]) {
                if self.phrase(k, "now").is_none() {
                    let sign = if self.word(k - 1, "before").is_some() {
                        -1
                    } else {
                        1
                    };
                    let anchors: Vec<_> = self
                        .sequence(k)
                        .into_iter()
                        .filter(|(t, _, _)| !matches!(t, Time::Period(_)))
                        .collect();
                    for (t, e, _) in anchors {
                        out.push((
                            Time::Shifted(
                                Box::new(t),
                                Dur {
                                    n: sign * d.n,
                                    unit: d.unit,
                                },
                            ),
                            e,
                            false,
                        ));
                    }
                }
            }
        }
        // "thanksgiving in 9 months", "today in one hour"
        let bases: Vec<(Time, usize, bool)> = out
            .iter()
            .filter(|(t, _, _)| {
                matches!(
                    t,
                    Time::Date(DateExpr::Holiday(..))
                        | Time::Date(DateExpr::Today(0))
                        | Time::Period(Period::Month(_, Which::Nearest))
                )
            })
            .cloned()
            .collect();
        for (t, j, _) in bases {
            let mut later = Vec::new();
            if let Some(k) = self.word(j, "in") {
                later.extend(self.duration(k));
            }
            for ((d, ex), k) in self.duration(j) {
                if let Some(e) = self.any_phrase(k, &["from now", "hence"]) {
                    later.push(((d, ex), e));
                }
            }
            for ((d, _), e) in later {
                if t == Time::Date(DateExpr::Today(0)) {
                    out.push((Time::Offset(d), e, false));
                } else {
                    out.push((Time::Later(Box::new(t.clone()), d), e, false));
                }
            }
        }
        self.times.borrow_mut().insert(i, out.clone());
        out
    }

    /// A time with an optional leading preposition, which makes it non-latent.
    fn prefixed_time(&self, i: usize) -> Vec<(Time, usize, bool)> {
        let mut out = self.time(i);
        let strong = [
            "at",
            "on",
            "around",
            "about",
            "approximately",
            "approx",
            "exactly",
            "precisely",
            "sometime",
        ];
        let weak = ["in", "during", "for", "of", "within"];
        if let Some(j) = self.punct(i, '@').or_else(|| self.any_word(i, &strong)) {
            let j = self.opt_word(j, &["around", "about", "approximately"]);
            let on = self.word(i, "on").is_some();
            for (t, e, _) in self.time(j) {
                if !on && matches!(t, Time::Period(Period::Year(_))) {
                    continue;
                }
                out.push((t, e, false));
            }
        }
        if let Some(j) = self.any_phrase(i, &["at the", "on the", "in the", "for the"]) {
            for (t, e, latent) in self.time(j) {
                out.push((t, e, latent));
            }
        }
        if let Some(j) = self.any_word(i, &weak) {
            let for_ = self.word(i, "for").is_some();
            for (t, e, latent) in self.time(j) {
                if for_ && matches!(t, Time::Shifted(..) | Time::Offset(..)) {
                    continue;
                }
                let bare_tod = matches!(
                    t,
                    Time::At {
                        date: None,
                        pod: None,
                        ..
                    }
                );
                if bare_tod && latent && self.word(i, "in").is_some() {
                    // "in 15" is minutes, not 15:00.
                    continue;
                }
                out.push((t, e, latent && bare_tod));
            }
        }
        // trailing "sharp", "approximately"
        let extra: Vec<_> = out
            .iter()
            .filter_map(|(t, e, l)| {
                let k = self.any_phrase(
                    *e,
                    &[
                        "sharp",
                        "approximately",
                        "approx",
                        "precisely",
                        "exactly",
                        "or so",
                        "ish",
                    ],
                )?;
                Some((t.clone(), k, *l))
            })
            .collect();
        out.extend(extra);
        out
    }

    // ---- expressions ----

    /// Every expression starting at `i`.
    pub(crate) fn expressions(&self, i: usize) -> Vec<Parsed> {
        let mut out = Vec::new();
        let mut push =
            |expr: Expr, end: usize, latent: bool| out.push(Parsed { expr, end, latent });
        for (t, e, latent) in self.prefixed_time(i) {
            push(Expr::Time(t), e, latent);
        }
        // ranges
        for (a, b, e, latent) in self.ranges(i) {
            push(Expr::Range(a, b), e, latent);
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
                    let d = Dur {
                        n: t.value as i64,
                        unit: Grain::Minute,
                    };
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
            for (p, after) in untils
                .iter()
                .map(|p| (p, false))
                .chain(afters.iter().map(|p| (p, true)))
            {
                let Some(j) = self.phrase(k, p) else { continue };
                for (t, e2, _) in self.time(j) {
                    if let Time::At {
                        date: None,
                        pod,
                        tod,
                    } = t
                    {
                        let t = Time::At {
                            date: Some(d.clone()),
                            pod,
                            tod,
                        };
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
            for ((d, explicit), k) in self.duration(j) {
                push(Expr::Duration(d), k, !explicit && d.n == 0);
                let k2 = self.any_phrase(
                    k,
                    &[
                        "from",
                        "starting from",
                        "starting",
                        "starting at",
                        "beginning",
                    ],
                );
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
        let sign = if self
            .any_word(start, &["next", "coming", "following", "upcoming"])
            .is_some()
        {
            Some(1)
        } else if self
            .any_word(start, &["last", "past", "previous"])
            .is_some()
        {
            Some(-1)
        } else {
            None
        };
        if let Some(sign) = sign {
            for ((q, explicit), j) in self.quantity(start + 1) {
                if let Some((g, k)) = self.unit(j) {
                    if explicit && q >= 1.0 && q.fract() == 0.0 && q < 1e6 {
                        #[allow(clippy::cast_possible_truncation)]
                        push(Expr::NextN(g, sign * q as i64), k, false);
                    }
                }
            }
        }
        if let Some(j) = self.any_phrase(i, &["asap", "as soon as possible", "as soon as you can"])
        {
            push(Expr::Asap, j, false);
        }
        out
    }

    /// "3-4pm", "between 2 and 5", "from Monday to Wednesday", "Thursday from 9:30 to 11".
    fn ranges(&self, i: usize) -> Vec<(Time, Time, usize, bool)> {
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
            for (a, b, e, latent) in self.range_core(s) {
                let (a, b) = match &day {
                    Some(Time::Date(d)) => match (with_date(a, d), with_date(b, d)) {
                        (Some(a), Some(b)) => (a, b),
                        _ => continue,
                    },
                    _ => (a, b),
                };
                out.push((a.clone(), b.clone(), e, latent && day.is_none()));
                if day.is_none() {
                    // A trailing day: "9:30 - 11:00 on Thursday", "1pm-2pm tomorrow".
                    for k in self.connector(e) {
                        for (t, e2, _) in self.sequence(k) {
                            if let Time::Date(d) = t {
                                if let (Some(a2), Some(b2)) =
                                    (with_date(a.clone(), &d), with_date(b.clone(), &d))
                                {
                                    out.push((a2, b2, e2, false));
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
    fn range_side(&self, i: usize) -> Vec<(Time, usize, bool)> {
        let mut out = self.time(i);
        let k = self.opt_word(i, &["the"]);
        for ((d, _), j) in self.day_number(k) {
            let f = Fields {
                day: Some(d),
                ..Fields::default()
            };
            out.push((Time::Date(DateExpr::Fields(f)), j, true));
        }
        out
    }

    fn range_core(&self, i: usize) -> Vec<(Time, Time, usize, bool)> {
        let mut out = Vec::new();
        let forms: &[(&str, &[&str], bool)] = &[
            ("between", &["and", "to", "-"], false),
            ("in between", &["and", "-"], false),
            (
                "from",
                &[
                    "to", "till", "til", "until", "untill", "thru", "through", "-", "and",
                ],
                false,
            ),
            ("later than", &["but before", "and before"], false),
            (
                "",
                &[
                    "to", "till", "til", "until", "untill", "thru", "through", "-", "up to",
                ],
                true,
            ),
        ];
        for (open, mids, can_be_latent) in forms {
            let s = if open.is_empty() {
                Some(i)
            } else {
                self.phrase(i, open)
            };
            let Some(s) = s else { continue };
            for (a, ea, la) in self.range_side(s) {
                for mid in *mids {
                    let m = if *mid == "-" {
                        self.punct(ea, '-')
                    } else {
                        self.phrase(ea, mid)
                    };
                    let Some(m) = m else { continue };
                    for (b, eb, lb) in self.range_side(m) {
                        if let Some((a2, b2)) = fix_range(a.clone(), b) {
                            let latent = *can_be_latent && la && lb;
                            out.push((a2, b2, eb, latent));
                        }
                    }
                }
            }
        }
        out
    }
}

/// Puts a time on a day when it has none.
fn with_date(t: Time, d: &DateExpr) -> Option<Time> {
    match t {
        Time::At {
            date: None,
            pod,
            tod,
        } => Some(Time::At {
            date: Some(d.clone()),
            pod,
            tod,
        }),
        Time::DayPart { date: None, pod } => Some(Time::DayPart {
            date: Some(d.clone()),
            pod,
        }),
        _ => None,
    }
}

/// Shares what one end of a range says with the other: "3-4pm" (pm),
/// "July 13-15" (month), "Aug 8 to December 12 2008" (year).
fn fix_range(a: Time, b: Time) -> Option<(Time, Time)> {
    match (a, b) {
        (
            Time::At {
                date: da,
                pod: pa,
                tod: ta,
            },
            Time::At {
                date: db,
                pod: pb,
                tod: tb,
            },
        ) => {
            let mut ta = ta;
            if ta.meridiem.is_none() && ta.ambiguous() {
                if let Some(m) = tb.meridiem {
                    let a12 = ta.hour % 12;
                    let b12 = tb.hour % 12;
                    ta.meridiem = Some(if m == Meridiem::Pm && a12 > b12 {
                        Meridiem::Am
                    } else {
                        m
                    });
                }
            }
            let da = da.or_else(|| db.clone());
            Some((
                Time::At {
                    date: da,
                    pod: pa.or(pb),
                    tod: ta,
                },
                Time::At {
                    date: db,
                    pod: pb.or(pa),
                    tod: tb,
                },
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
            Some((
                Time::Date(DateExpr::Fields(fa)),
                Time::Date(DateExpr::Fields(fb)),
            ))
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
        (
            Time::Date(_),
            Time::At {
                date: None, tod, ..
            },
        )
        | (
            Time::At {
                date: None, tod, ..
            },
            Time::Date(_),
        ) if tod.minute.is_none() && tod.meridiem.is_none() => None,
        (
            Time::Date(d),
            Time::At {
                date: None,
                pod,
                tod,
            },
        ) => Some((
            Time::Date(d.clone()),
            Time::At {
                date: Some(d),
                pod,
                tod,
            },
        )),
        (a, b) => Some((a, b)),
    }
}
