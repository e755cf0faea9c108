//! Atoms merged into one time ("tomorrow at 3pm"), offsets ("in 2
//! hours") and prepositions.

use super::*;

impl Grammar<'_> {
    // ---- atoms and sequences ----

    pub(super) fn atoms(&self, i: usize) -> Alts<(Atom, bool)> {
        if let Some(found) = self.atoms.borrow().get(&i) {
            return found.clone();
        }
        let found = self.atoms_uncached(i);
        self.atoms.borrow_mut().insert(i, found.clone());
        found
    }

    fn atoms_uncached(&self, i: usize) -> Alts<(Atom, bool)> {
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
            let f = Fields { weekday: Some(d), ..Fields::default() };
            out.push(((Atom::Fields(f), latent), j));
        }
        for ((y, strong), j) in self.year(i) {
            let f = Fields { year: Some(y), ..Fields::default() };
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
        // Days (or weeks, months, years) counted from today, only meaningful
        // with a time: "two days ago at 6am", "at 7 in 3 years",
        // "3 months from now at 9am".
        let day_of = |d: Dur| -> Option<DateExpr> {
            match d.unit {
                Grain::Day => Some(DateExpr::Today(d.n)),
                Grain::Week | Grain::Month | Grain::Quarter | Grain::Year => Some(DateExpr::Offset(d)),
                _ => None,
            }
        };
        for ((d, explicit), j) in self.duration(i) {
            let Some(back) = day_of(Dur { n: -d.n, unit: d.unit }) else { continue };
            if let Some(e) = self.any_word(j, &["ago"]) {
                out.push(((Atom::DateForTod(back), !explicit), e));
            }
            if let Some(e) = self.any_phrase(j, &["from now", "from today", "hence"]) {
                if let Some(ahead) = day_of(d) {
                    out.push(((Atom::DateForTod(ahead), !explicit), e));
                }
            }
        }
        if let Some(j) = self.word(i, "in") {
            for ((d, _), e) in self.duration(j) {
                if let Some(ahead) = day_of(d) {
                    out.push(((Atom::DateForTod(ahead), false), e));
                }
            }
        }
        out
    }

    /// Connectors allowed between atoms.
    pub(super) fn connector(&self, i: usize) -> Vec<usize> {
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
        // Loose words between a day and a time: "tomorrow around 5:30",
        // "Friday after work, like 7:30".
        let j = self.punct(i, ',').unwrap_or(i);
        if let Some(k) = self.any_phrase(
            j,
            &[
                "like",
                "say",
                "maybe",
                "around",
                "about",
                "approximately",
                "roughly",
                "at around",
                "at about",
                "sometime around",
            ],
        ) {
            out.push(k);
        }
        // "tomorrow itself at 5", "tomorrow morning itself, 10": emphasis.
        if let Some(j) = self.word(i, "itself") {
            out.push(j);
            out.extend(self.punct(j, ','));
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

    pub(super) fn sequence(&self, i: usize) -> Found {
        if let Some(found) = self.sequences.borrow().get(&i) {
            return found.clone();
        }
        let found = self.sequence_uncached(i);
        self.sequences.borrow_mut().insert(i, found.clone());
        found
    }

    pub(super) fn sequence_uncached(&self, i: usize) -> Found {
        let mut out = Vec::new();
        let mut frontier: Vec<(Acc, usize)> = vec![(Acc::default(), i)];
        for depth in 0..5 {
            let mut next = Vec::new();
            for (acc, j) in &frontier {
                let starts = if depth == 0 { vec![*j] } else { self.connector(*j) };
                for s in starts {
                    let at = s > *j && (self.word(*j, "at").is_some() || self.punct(*j, '@').is_some());
                    for ((atom, latent), e) in self.atoms(s) {
                        if let Some(mut merged) = acc.add(&atom, latent) {
                            if at
                                && acc.pod_today
                                && acc.tod.is_none()
                                && matches!(&atom, Atom::Tod(t) if t.ambiguous())
                            {
                                merged.tod_alone = true;
                            }
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
    pub(super) fn time(&self, i: usize) -> Vec<(Time, usize, bool)> {
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
        // "that's all for now" is not about time.
        let after_for = i > 0 && self.word(i - 1, "for").is_some();
        if let Some(j) = self.any_phrase(i, &nows).filter(|_| !after_for) {
            out.push((Time::Now, j, false));
        }
        // "the day after Christmas"
        if let Some(j) = self.any_phrase(i, &["the day after", "day after", "the day before", "day before"]) {
            let sign = if self.word(j - 1, "before").is_some() { -1 } else { 1 };
            for (t, e, _) in self.sequence(j) {
                if matches!(t, Time::Date(_)) {
                    out.push((Time::Shifted(Box::new(t), Dur { n: sign, unit: Grain::Day }), e, false));
                }
            }
        }
        // "the week after Christmas", "the second month before June"
        let k = self.opt_word(i, &["the"]);
        let mut counts: Alts<i64> = self.ordinal(k).into_iter().map(|(v, j)| (i64::from(v), j)).collect();
        if k > i {
            counts.push((1, k));
        }
        for (n, j) in counts {
            let Some(g) = self.word_text(j).and_then(cycle_grain) else { continue };
            if g == Grain::Hour {
                continue;
            }
            let Some(e) = self.any_word(j + 1, &["after", "before"]) else { continue };
            let sign = if self.word(j + 1, "before").is_some() { -1 } else { 1 };
            for (t, e2, _) in self.sequence(e) {
                if !matches!(t, Time::Date(_) | Time::Period(_)) {
                    continue;
                }
                out.push((Time::CycleAfter(g, sign * n, Box::new(t)), e2, false));
            }
        }
        // "the closest Monday to May 3", "the 2nd closest xmas to today"
        let k = self.opt_word(i, &["the"]);
        let mut nths: Alts<u32> = self.ordinal(k).into_iter().filter(|(v, _)| *v >= 1).collect();
        nths.push((1, k));
        for (n, j) in nths {
            let Some(j) = self.any_word(j, &["closest", "nearest"]) else { continue };
            for (t, e, _) in self.sequence(j) {
                let Time::Date(d) = t else { continue };
                let Some(k2) = self.word(e, "to") else { continue };
                for (anchor, e2, _) in self.sequence(k2) {
                    let closest = DateExpr::Closest(n - 1, Box::new(d.clone()), Box::new(anchor));
                    out.push((Time::Date(closest), e2, false));
                }
            }
        }
        // Offsets from now.
        if let Some(j) = self.word(i, "in") {
            let j = self.opt_word(j, &["about", "around", "approximately", "approx", "roughly", "just"]);
            for ((d, _), e) in self.duration(j) {
                out.push((Time::Offset(d), e, false));
                if let Some(e2) = self.phrase(e, "from now") {
                    out.push((Time::Offset(d), e2, false));
                }
                if let Some(e2) = self.phrase(e, "from right now") {
                    out.push((Time::OffsetExact(d), e2, false));
                }
            }
        }
        for ((d, explicit), j) in self.duration(i) {
            if let Some(e) = self.any_phrase(j, &["from now", "hence", "later", "from today on"]) {
                out.push((Time::Offset(d), e, !explicit && d.n == 0));
            }
            // "a day from right now": to the second.
            if let Some(e) =
                self.any_phrase(j, &["from right now", "from this very moment", "from this moment"])
            {
                out.push((Time::OffsetExact(d), e, false));
            }
            if let Some(e) = self.any_word(j, &["ago", "back"]) {
                out.push((Time::Offset(Dur { n: -d.n, unit: d.unit }), e, false));
            }
            // British: "a week tomorrow", "a fortnight today", "a week on Friday".
            if d.n > 0 && (d.unit == Grain::Week || d.unit == Grain::Day && d.n % 7 == 0) {
                let k = self.word(j, "on").unwrap_or(j);
                let bare_day = k == j && self.any_word(j, &["tomorrow", "today", "tomorow"]).is_some();
                if k > j || bare_day {
                    for (t, e, _) in self.sequence(k) {
                        if matches!(t, Time::Date(_)) {
                            out.push((Time::Shifted(Box::new(t), d), e, false));
                        }
                    }
                }
            }
            // "15 minutes from 1pm", "3 years from today", "three days after Easter"
            if let Some(k) = self.any_word(j, &["from", "after", "before"]) {
                if self.phrase(k, "now").is_none() {
                    let sign = if self.word(k - 1, "before").is_some() { -1 } else { 1 };
                    let anchors: Vec<_> = self
                        .sequence(k)
                        .into_iter()
                        .filter(|(t, _, _)| !matches!(t, Time::Period(_)))
                        .collect();
                    for (t, e, _) in anchors {
                        out.push((Time::Shifted(Box::new(t), Dur { n: sign * d.n, unit: d.unit }), e, false));
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
                        | Time::Date(DateExpr::Fields(Fields { year: None, .. }))
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
                // "thanksgiving 3 months ago": as seen from back then.
                if let Some(e) = self.any_word(k, &["ago", "back"]) {
                    later.push(((Dur { n: -d.n, unit: d.unit }, ex), e));
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
        // "9:30 CST", "4pm CET"
        let zoned: Found = out
            .iter()
            .filter(|(t, _, _)| matches!(t, Time::At { .. }))
            .filter_map(|(t, e, l)| {
                let zone = self.word_text(*e).and_then(lexicon::zone)?;
                Some((Time::Zoned(Box::new(t.clone()), zone), e + 1, *l))
            })
            .collect();
        out.extend(zoned);
        self.times.borrow_mut().insert(i, out.clone());
        out
    }

    /// A time with an optional leading preposition, which makes it non-latent.
    pub(super) fn prefixed_time(&self, i: usize) -> Vec<(Time, usize, bool)> {
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
            "roughly",
            "like",
            "say",
            "circa",
        ];
        let weak = ["in", "during", "for", "of", "within"];
        if let Some(j) = self.punct(i, '@').or_else(|| self.any_word(i, &strong)) {
            let j = self.opt_word(j, &["around", "about", "approximately", "roughly"]);
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
                // "for 10 days from ..." is a span; "that's all for now" is not a time.
                if for_ && matches!(t, Time::Shifted(..) | Time::Offset(..) | Time::Now) {
                    continue;
                }
                let bare_tod = matches!(t, Time::At { date: None, pod: None, .. });
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
                    &["sharp", "approximately", "approx", "precisely", "exactly", "or so", "ish"],
                )?;
                Some((t.clone(), k, *l))
            })
            .collect();
        out.extend(extra);
        // "about 18 lbs", "around 6 years": a measure, not a time of day.
        out.retain(|(t, e, _)| {
            !(matches!(t, Time::At { date: None, .. }) && self.any_word(*e, MEASURES).is_some())
        });
        out
    }
}

/// Units of measure (other than time) a number may be followed by.
const MEASURES: &[&str] = &[
    "lb",
    "lbs",
    "pound",
    "pounds",
    "kg",
    "kgs",
    "kilo",
    "kilos",
    "kilograms",
    "years",
    "yrs",
    "year",
    "yr",
    "months",
    "mo",
    "weeks",
    "miles",
    "mile",
    "km",
    "kms",
    "cm",
    "inches",
    "inch",
    "ft",
    "feet",
    "foot",
    "percent",
    "dollars",
    "bucks",
    "quid",
    "euros",
];
