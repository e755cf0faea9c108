//! Times of day ("3pm", "ten thirty", "quarter past 6") and parts of the
//! day ("this evening").

use super::*;

impl Grammar<'_> {
    // ---- times of day ----

    pub(super) fn meridiem(&self, i: usize) -> Option<(Meridiem, usize)> {
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
            if self.tok(j).is_some_and(|t| t.kind == Kind::Word && !t.space_before) {
                return None;
            }
            j = dotted;
        } else {
            j = self.opt_punct(j, '.');
        }
        Some((m, j))
    }

    pub(super) fn with_meridiem(&self, tod: Tod, j: usize) -> (Tod, usize, bool) {
        if let Some((m, k)) = self.meridiem(j) {
            if tod.hour <= 12 && tod.hour > 0 {
                return (Tod { meridiem: Some(m), ..tod }, k, true);
            }
            if tod.hour == 0 || tod.hour > 12 {
                return (tod, k, true);
            }
        }
        (tod, j, false)
    }

    /// A time of day with whether it is latent.
    pub(super) fn tod(&self, i: usize) -> Alts<(Tod, bool)> {
        // "can I book one on Tuesday": "one" after a verb is the thing
        // wanted, not one o'clock.
        const TAKES_ONE: &[&str] = &["book", "get", "make", "schedule", "want", "need", "grab", "squeeze"];
        if self.word(i, "one").is_some() && i > 0 && self.any_word(i - 1, TAKES_ONE).is_some() {
            return Vec::new();
        }
        let mut out = self.tod_core(i);
        // Trailing "ish", "sharp", "o'clock" etc.
        let extra: Vec<_> = out
            .iter()
            .filter_map(|((tod, latent), j)| {
                let k = self.opt_punct(*j, '-');
                let k = self.any_word(k, &["ish", "sharp", "exactly", "precisely"])?;
                let (tod, k, _) = self.with_meridiem(*tod, k);
                // "11ish", "3 sharp": said of a time, so not latent.
                let _ = latent;
                Some(((tod, false), k))
            })
            .collect();
        out.extend(extra);
        // "at 22 weeks", "10 mins": a number with a unit is a duration.
        out.retain(|(_, k)| self.unit(*k).is_none());
        out
    }

    pub(super) fn tod_core(&self, i: usize) -> Alts<(Tod, bool)> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            let h = t.value;
            // h:mm[:ss]; "12:30" is half past noon, as Duckling reads it.
            if t.digits() <= 2 && h <= 24 {
                if let (Some(j), Some(mt)) = (self.punct(i + 1, ':'), self.number(i + 2)) {
                    if mt.digits() == 2 && mt.value < 60 && self.glued(j) {
                        let mut tod = Tod {
                            hour: h as u32,
                            minute: Some(mt.value as u32),
                            second: None,
                            meridiem: None,
                            exact: h >= 12 || h == 0 || t.digits() == 2 && t.text.starts_with('0'),
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
                            exact: h >= 12 || h == 0,
                        };
                        let (tod, k, has_m) = self.with_meridiem(tod, j + 1);
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
                let tod =
                    Tod { exact: h > 12 || h == 0 || t.digits() == 2 && t.text.starts_with('0'), ..tod };
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
                    exact: h / 100 >= 12 || t.text.starts_with('0'),
                };
                let (tod, k, has_m) = self.with_meridiem(tod, i + 1);
                out.push(((tod, !has_m), k));
            }
            if t.value == 12 {
                if let Some(j) = self.any_word(i + 1, &["noon", "midday"]) {
                    out.push(((Tod { exact: true, ..Tod::hour(12) }, false), j));
                }
                if let Some(j) = self.word(i + 1, "midnight") {
                    out.push(((Tod { exact: true, ..Tod::hour(0) }, false), j));
                }
            }
            out.extend(self.relative_tod(i));
            return out;
        }
        if let Some(j) = self.any_word(i, &["noon", "midday"]) {
            out.push(((Tod { exact: true, ..Tod::hour(12) }, false), j));
        }
        if let Some(j) = self.word(i, "midnight") {
            out.push(((Tod { exact: true, ..Tod::hour(0) }, false), j));
        }
        if let Some(j) = self.any_phrase(i, &["mid day", "the midday"]) {
            out.push(((Tod { exact: true, ..Tod::hour(12) }, false), j));
        }
        if let Some(j) = self.any_phrase(i, &["twelve noon", "twelve midday"]) {
            out.push(((Tod { exact: true, ..Tod::hour(12) }, false), j));
        }
        // Words: "three", "ten thirty", "twelve oh three", "thirteen hundred".
        for (h, j) in self.integer_words(i) {
            if h > 24 {
                continue;
            }
            let base = Tod::hour(h);
            let base = Tod { exact: h > 12 || h == 0, ..base };
            let oclock = self.any_phrase(j, &["oclock", "o clock"]);
            let (tod, k, has_m) = self.with_meridiem(base, oclock.unwrap_or(j));
            out.push(((tod, !has_m && oclock.is_none()), k));
            let j2 = self.opt_punct(j, '-');
            for (m, k) in self.minute_words(j2) {
                let tod = Tod { minute: Some(m), ..base };
                let (tod, k, has_m) = self.with_meridiem(tod, k);
                out.push(((tod, !has_m), k));
            }
        }
        // "quarter past 3", "ten to noon", "half three".
        out.extend(self.relative_tod(i));
        out
    }

    /// Minutes said after an hour word: "thirty", "oh three", "twenty-five".
    pub(super) fn minute_words(&self, i: usize) -> Alts<u32> {
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
    pub(super) fn anchor_hour(&self, i: usize) -> Alts<Tod> {
        let mut out = Vec::new();
        if let Some(t) = self.number(i) {
            if t.digits() <= 2 && t.value <= 24 {
                let tod = Tod { exact: t.value > 12 || t.value == 0, ..Tod::hour(t.value as u32) };
                let (tod, k, _) = self.with_meridiem(tod, i + 1);
                out.push((tod, k));
                // "15h"
                if self.word(i + 1, "h").is_some() && self.glued(i + 1) {
                    out.push((Tod { exact: true, ..Tod::hour(t.value as u32) }, i + 2));
                }
            }
        }
        for (h, j) in self.integer_words(i) {
            if h <= 24 {
                let tod = Tod { exact: h > 12 || h == 0, ..Tod::hour(h) };
                let (tod, k, _) = self.with_meridiem(tod, j);
                out.push((tod, k));
            }
        }
        if let Some(j) = self.any_word(i, &["noon", "midday"]) {
            out.push((Tod { exact: true, ..Tod::hour(12) }, j));
        }
        if let Some(j) = self.word(i, "midnight") {
            out.push((Tod { exact: true, ..Tod::hour(0) }, j));
        }
        out
    }

    pub(super) fn relative_tod(&self, i: usize) -> Alts<(Tod, bool)> {
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
                // "half 5": half past five, or half before it in Dutch and German.
                (if self.half_before_hour { -1 } else { 1 }, j)
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

    pub(super) fn pod_word(&self, i: usize) -> Option<(Pod, usize)> {
        let w = self.word_text(i)?;
        let pod = match w {
            "morning" | "mornings" => MORNING,
            "afternoon" | "afternon" | "afternoons" | "arvo" => AFTERNOON,
            "evening" | "evenings" | "night" | "nite" => EVENING,
            "lunch" | "lunchtime" => Pod { start: 12, end: 14, pm: true },
            _ => return None,
        };
        Some((pod, i + 1))
    }

    pub(super) fn pod(&self, i: usize) -> Alts<((Pod, Option<DateExpr>), bool)> {
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
            let k = self.any_phrase(j, &["in the", "hours of the", "this"]).unwrap_or(j);
            if let Some((p, e)) = self.pod_word(k) {
                let mid = (p.start + p.end) / 2;
                let half = match (first_half, p == MORNING) {
                    // "early morning" runs to 9, as in Duckling.
                    (true, true) => Pod { end: 9, ..p },
                    (true, false) => Pod { end: mid, ..p },
                    (false, _) => Pod { start: mid, ..p },
                };
                let date = self.word(j, "this").map(|_| DateExpr::Today(0));
                out.push((((half, date), false), e));
            }
        }
        if let Some(j) = self.phrase(i, "after lunch") {
            let p = Pod { start: 13, end: 17, pm: true };
            out.push((((p, None), false), j));
        }
        if let Some(j) = self.phrase(i, "after school") {
            let p = Pod { start: 15, end: 21, pm: true };
            out.push((((p, None), false), j));
        }
        // "first thing (in the morning)": the start of the working morning.
        if let Some(j) = self.phrase(i, "first thing") {
            let j = self.any_phrase(j, &["in the morning", "in the am"]).unwrap_or(j);
            let p = Pod { start: 6, end: 10, pm: false };
            out.push((((p, None), false), j));
        }
        if let Some(j) = self.phrase(i, "after work") {
            let p = Pod { start: 17, end: 21, pm: true };
            out.push((((p, None), false), j));
        }
        out
    }
}
