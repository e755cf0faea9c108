//! Numbers ("23", "twenty-three", "3rd") and durations ("2.5 hours").

use super::*;

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
    Some(Dur { n: (sa.checked_add(sb)?) / per, unit })
}

impl Grammar<'_> {
    // ---- numbers ----

    /// An integer in digits or words ("23", "twenty-three").
    pub(super) fn integer(&self, i: usize) -> Alts<(i64, bool)> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            if t.digits() <= 9 {
                out.push(((t.value as i64, true), i + 1));
            }
            return out;
        }
        out.extend(self.integer_words(i).into_iter().map(|(v, j)| ((i64::from(v), false), j)));
        out
    }

    /// 0-99 in words.
    pub(super) fn integer_words(&self, i: usize) -> Alts<u32> {
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
    pub(super) fn ordinal(&self, i: usize) -> Alts<u32> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            if t.digits() <= 2 {
                if let Some(j) =
                    self.word_text(i + 1).filter(|w| lexicon::is_ordinal_suffix(w)).map(|_| i + 2)
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
    pub(super) fn day_number(&self, i: usize) -> Alts<(u32, bool)> {
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
    pub(super) fn year(&self, i: usize) -> Alts<(i32, bool)> {
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
    pub(super) fn short_year(&self, i: usize) -> Option<(i32, usize)> {
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
    pub(super) fn quantity(&self, i: usize) -> Alts<(f64, bool)> {
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
    pub(super) fn unit(&self, i: usize) -> Option<(Grain, usize)> {
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
    pub(super) fn simple_duration(&self, i: usize) -> Alts<(Dur, bool)> {
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
                out.push(((Dur { n: *m, unit: Grain::Minute }, true), j));
            }
        }
        out
    }

    /// A duration, possibly compound ("1 hour and 30 minutes").
    pub(super) fn duration(&self, i: usize) -> Alts<(Dur, bool)> {
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
}
