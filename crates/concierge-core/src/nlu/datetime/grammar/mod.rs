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

mod clock;
mod dates;
mod expressions;
mod numbers;
mod sequence;

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
    /// Numeric dates are day first ("10/6" is 10 June).
    day_first: bool,
    /// "half 5" is 4:30 (Dutch, German), not 5:30.
    half_before_hour: bool,
    times: RefCell<HashMap<usize, Found>>,
    sequences: RefCell<HashMap<usize, Found>>,
    atoms: RefCell<HashMap<usize, Alts<(Atom, bool)>>>,
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
    /// The day came with the part of the day ("this morning", "tonight").
    pod_today: bool,
    /// "<part of today> at <time of day>" ("this morning at 3"): the part
    /// of the day only says am or pm, and the time is read on its own
    /// (Duckling: "this morning at 3" said at 4:30 is tomorrow 3am).
    tod_alone: bool,
}

const MORNING: Pod = Pod { start: 0, end: 12, pm: false };
const AFTERNOON: Pod = Pod { start: 12, end: 19, pm: true };
const EVENING: Pod = Pod { start: 18, end: 24, pm: true };
const LATE_EVENING: Pod = Pod { start: 21, end: 24, pm: true };

fn year_only(f: &Fields) -> Option<i32> {
    match f {
        Fields { year: Some(y), month: None, day: None, weekday: None } => Some(*y),
        _ => None,
    }
}

/// How many weeks ahead an offset of whole weeks moves ("in two weeks").
fn weeks_ahead(d: &DateExpr) -> Option<i64> {
    match d {
        DateExpr::Offset(Dur { n, unit: Grain::Week }) if *n > 0 => Some(*n),
        _ => None,
    }
}

fn weekday_only(f: &Fields) -> bool {
    f.weekday.is_some() && f.year.is_none() && f.month.is_none() && f.day.is_none()
}

impl Acc {
    fn add(&self, atom: &Atom, latent: bool) -> Option<Acc> {
        let mut acc = self.clone();
        acc.latent = if self.atoms == 0 { latent } else { self.latent && latent };
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
                    } else if let (Some(week), Some(day)) =
                        (weeks_ahead(date), f.weekday.filter(|_| weekday_only(f)))
                    {
                        // "in two weeks on friday": the first friday from that day on.
                        let eve = DateExpr::Today(7 * week - 1);
                        acc.date = Some(DateExpr::NthWeekdayFrom(1, day, Box::new(eve)));
                        acc.needs_tod = false;
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
                    acc.pod_today = *d == DateExpr::Today(0);
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
        // "morning 10", "evening 6": a part of the day makes a bare hour a time.
        if acc.tod.is_some() && acc.pod.is_some() {
            acc.latent = false;
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
        if self.needs_tod && self.tod.is_none() && self.pod.is_none() {
            return None;
        }
        let date = date.filter(|_| !self.tod_alone);
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
        "this" | "current" | "coming" | "upcoming" => Which::This,
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

impl<'a> Grammar<'a> {
    /// A parser over `tokens`, reading numeric dates day first when
    /// `day_first` and "half 5" as 4:30 when `half_before_hour`.
    pub(crate) fn new(tokens: &'a [Token], day_first: bool, half_before_hour: bool) -> Self {
        Self {
            t: tokens,
            day_first,
            half_before_hour,
            times: RefCell::new(HashMap::new()),
            sequences: RefCell::new(HashMap::new()),
            atoms: RefCell::new(HashMap::new()),
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
        self.tok(i).filter(|t| t.kind == Kind::Word).map(|t| t.text.as_str())
    }

    fn punct(&self, i: usize, c: char) -> Option<usize> {
        self.tok(i).filter(|t| t.is_punct(c)).map(|_| i + 1)
    }

    /// Words separated by spaces in `p`, hyphens allowed between them.
    fn phrase(&self, i: usize, p: &str) -> Option<usize> {
        // Most calls fail on the first word: reject those before splitting.
        let first = self.word_text(i)?.as_bytes();
        let bytes = p.as_bytes();
        let ends_there = bytes.len() == first.len() || bytes.get(first.len()) == Some(&b' ');
        if !ends_there || bytes.first() != first.first() || !bytes.starts_with(first) {
            return None;
        }
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
}
