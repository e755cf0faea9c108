//! Extraction of built-in and spec-declared entities.
//!
//! Every extractor proposes candidates (possibly overlapping); the
//! [`EntityExtractor`] keeps the longest, so a phone number is not also three
//! numbers and the "3" of "tomorrow at 3" is not a number. Ties go to the
//! candidate with fewer typos, then by a fixed priority: email, phone,
//! datetime, list entities, regex entities, number.

mod email;
mod list;
use crate::nlu::datetime::DateTimeOptions;
pub(crate) use list::{allowed_edits, bounded_distance, inflected};
mod number;
mod pattern;
mod phone;
mod time;
mod tokens;

use chrono::DateTime;
use chrono_tz::Tz;
use regex::Regex;

use crate::nlu::{Entity, EntityValue};
use crate::spec::{BotSpec, SpecError, SpecProblem};
use list::ListMatcher;
use pattern::PatternMatcher;
use phone::PhoneFinder;

/// A proposed mention, before overlaps are resolved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Candidate {
    entity: String,
    value: EntityValue,
    start: usize,
    end: usize,
    /// Typos corrected to match (list entities); fewer wins a tie.
    penalty: usize,
}

impl Candidate {
    fn new(entity: &str, value: EntityValue, start: usize, end: usize) -> Candidate {
        Candidate { entity: entity.to_string(), value, start, end, penalty: 0 }
    }

    /// Lower wins ties between candidates of the same length.
    fn priority(&self) -> u8 {
        match (&self.value, self.entity.as_str()) {
            (EntityValue::Email { .. }, _) => 0,
            (EntityValue::Phone { .. }, _) => 1,
            (_, "datetime") => 2,
            (EntityValue::Number { .. }, "number") => 5,
            (EntityValue::Text { .. }, _) => 3,
            _ => 4,
        }
    }
}

/// Finds entities in messages: the built-ins (`datetime`, `number`,
/// `email`, `phone`) and the spec's list and regex entities.
#[derive(Debug, Clone)]
pub struct EntityExtractor {
    lists: Vec<ListMatcher>,
    patterns: Vec<(usize, PatternMatcher)>,
    phone: PhoneFinder,
    email: Regex,
    /// How dates and times are read: relative to the business's hours and
    /// in its locale's ways (numeric dates day first, "half 5").
    reading: DateTimeOptions,
}

impl EntityExtractor {
    /// Prepares the extractors a spec declares. Fails on an unknown phone
    /// region or a regex that does not compile.
    ///
    /// The business's locale decides the order of numeric dates ("10/6" is
    /// 10 June in `en-GB`) and, when `nlu.phone_region` is not set, the
    /// region of phone numbers without a country code (`en-GB` reads them
    /// as British; a locale without a usable region reads them as US).
    pub fn new(spec: &BotSpec) -> Result<EntityExtractor, SpecError> {
        let mut problems = Vec::new();
        let explicit = !spec.nlu.phone_region.trim().is_empty();
        let region = spec.nlu.effective_phone_region(&spec.business.locale);
        let phone = PhoneFinder::new(&region).or_else(|| {
            // A locale's region the phone metadata does not know ("es-419"):
            // fall back to the default rather than reject the spec.
            (!explicit).then(|| PhoneFinder::new("US")).flatten()
        });
        if phone.is_none() {
            problems.push(SpecProblem {
                path: "nlu.phone_region".into(),
                message: format!(
                    "unknown region {:?} (use a two-letter ISO 3166 code such as \"US\")",
                    spec.nlu.phone_region
                ),
            });
        }
        let mut lists = Vec::new();
        let mut patterns = Vec::new();
        for (i, entity) in spec.entities.iter().enumerate() {
            if let Some(p) = &entity.pattern {
                match PatternMatcher::new(&entity.name, p) {
                    Ok(m) => patterns.push((i, m)),
                    Err(e) => problems.push(SpecProblem {
                        path: format!("entities[{i}].pattern"),
                        message: format!("invalid regular expression: {e}"),
                    }),
                }
            }
            let mut values: Vec<(String, Vec<&str>)> = entity
                .values
                .iter()
                .map(|v| {
                    let mut forms = vec![v.value.as_str()];
                    forms.extend(v.synonyms.iter().map(String::as_str));
                    (v.value.clone(), forms)
                })
                .collect();
            if entity.from_services {
                values.extend(spec.business.services.iter().map(|s| {
                    let mut forms = vec![s.name.as_str(), s.id.as_str()];
                    forms.extend(s.synonyms.iter().map(String::as_str));
                    (s.id.clone(), forms)
                }));
            }
            if !values.is_empty() {
                let matcher = ListMatcher::new(&entity.name, values);
                lists.push(if entity.from_services { matcher.by_concept() } else { matcher });
            }
        }
        let (Some(phone), true) = (phone, problems.is_empty()) else {
            return Err(SpecError { problems });
        };
        // The phone metadata loads on first use (a few hundred milliseconds):
        // pay for it here rather than on the first message.
        let _ = phone.normalise("+14155550100");
        Ok(EntityExtractor {
            lists,
            patterns,
            phone,
            email: email::email_regex(),
            reading: DateTimeOptions {
                prefer_future: true,
                business_hours: time::business_hours(&spec.business),
                ..DateTimeOptions::for_locale(&spec.business.locale)
            },
        })
    }

    /// Every entity in `text`, in text order and not overlapping, with dates
    /// and times read relative to `now` in `now`'s zone.
    pub fn extract(&self, text: &str, now: DateTime<Tz>) -> Vec<Entity> {
        let words = tokens::tokenize(text);
        let mut candidates = Vec::new();
        email::find(&self.email, text, &mut candidates);
        self.phone.find(text, &mut candidates);
        time::find(text, now, &self.reading, &mut candidates);
        for list in &self.lists {
            list.find(&words, &mut candidates);
        }
        for (_, pattern) in &self.patterns {
            pattern.find(text, &mut candidates);
        }
        number::digit_numbers(text, &mut candidates);
        number::word_numbers(text, &words, &mut candidates);
        resolve_overlaps(candidates)
            .into_iter()
            .map(|c| Entity {
                text: text[c.start..c.end].to_string(),
                entity: c.entity,
                value: c.value,
                start: c.start,
                end: c.end,
            })
            .collect()
    }
}

/// Keeps the best candidates that do not overlap, in text order: longest
/// first, then fewest typos, then by priority, then leftmost.
fn resolve_overlaps(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        (b.end - b.start)
            .cmp(&(a.end - a.start))
            .then(a.penalty.cmp(&b.penalty))
            .then(a.priority().cmp(&b.priority()))
            .then(a.start.cmp(&b.start))
    });
    let mut kept: Vec<Candidate> = Vec::new();
    for c in candidates {
        if c.start >= c.end {
            continue;
        }
        if kept.iter().all(|k| c.end <= k.start || k.end <= c.start) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.start);
    kept
}

#[cfg(test)]
mod tests;
