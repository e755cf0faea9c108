//! Filling slots from what the customer says, at any step: every value a
//! message carries is kept (a name and number volunteered in the first
//! message, a stylist asked for at the time prompt), values compose across
//! messages (a day, then a time), and a new value for a slot already filled
//! is a correction that sends the flow back to the step that used it.

use super::Engine;
use crate::dialog::answers;
use crate::dialog::flow::{Flow, Step};
use crate::dialog::state::{ConversationState, FlowFrame, WINDOW_SLOT};
use crate::dialog::turn::TurnBuilder;
use crate::dialog::when;
use crate::nlu::datetime::Grain;
use crate::nlu::words::names::FUNCTION_WORDS;
use crate::nlu::words::services::{
    CHILDREN, FIRST_VISIT, FITTED_IN, FITTING_IN, GROWN_UPS, LARGE_PETS, SERVICE_UNITS, SMALL_PETS,
    WEAK_SERVICE_WORDS,
};
use crate::nlu::words::when::TIME_CUES;
use crate::nlu::{EntityValue, Parse};
use chrono::TimeZone;

/// How many turns back what the customer said still counts for a flow
/// starting now ("a trim for my son?", a question about prices, then "tomorrow
/// at 3:30?").
const RECENT_TURNS: u64 = 2;

/// What a message filled.
#[derive(Debug, Default)]
pub(crate) struct Filled {
    /// Slots that were empty and now have a value.
    pub(crate) new: Vec<String>,
    /// Slots whose value changed: corrections.
    pub(crate) changed: Vec<String>,
}

impl Filled {
    /// Whether the message filled anything.
    pub(crate) fn any(&self) -> bool {
        !self.new.is_empty() || !self.changed.is_empty()
    }
}

/// The message with the entities of `kinds` blanked out, offsets kept.
pub(super) fn without_entities(parse: &Parse, text: &str, kinds: &[&str]) -> String {
    let mut out = text.to_string();
    let mut spans: Vec<(usize, usize)> = parse
        .entities
        .iter()
        .filter(|e| kinds.contains(&e.entity.as_str()))
        .map(|e| (e.start, e.end))
        .collect();
    spans.sort_unstable_by(|a, b| b.cmp(a));
    for (start, end) in spans {
        if start <= end && end <= out.len() && out.is_char_boundary(start) && out.is_char_boundary(end) {
            out.replace_range(start..end, " ");
        }
    }
    out
}

/// The message without its phone numbers and email addresses.
fn without_contacts(parse: &Parse, text: &str) -> String {
    without_entities(parse, text, &["phone", "email"]).trim().trim_end_matches([',', ' ', '.']).to_string()
}

/// A word as services are compared by it: without apostrophes and plural
/// s, people by their sex ("gentleman's", "man", "gents" and "my son" are
/// all "men"), pets by their size ("little", "toy" and "maltipoo" are all
/// "small"; "big" and "bernese" are "large").
pub(super) fn service_word(w: &str) -> String {
    let mut w = w.replace('\'', "");
    // "lashes" is "lash", as "lashs" would be.
    if ["shes", "ches", "xes", "sses"].iter().any(|e| w.ends_with(e)) {
        w.truncate(w.len() - 2);
    }
    // "9th" is 9, as in "class 9".
    let digits = w.trim_end_matches(|c: char| !c.is_ascii_digit());
    if !digits.is_empty()
        && digits.chars().all(|c| c.is_ascii_digit())
        && crate::nlu::datetime::is_ordinal_suffix(&w[digits.len()..])
    {
        return digits.to_string();
    }
    // A plural's s, not the s of a short word ("yes" is not "ye").
    let singular = if w.chars().count() > 3 { w.trim_end_matches('s') } else { w.as_str() };
    match singular {
        "man" | "men" | "male" | "gent" | "gentleman" | "gentlemen" | "guy" | "husband" | "hubby"
        | "boyfriend" | "bf" | "dad" | "father" | "brother" => "men".to_string(),
        "woman" | "women" | "female" | "lady" | "ladie" | "wife" | "girlfriend" | "gf" | "mom" | "mum"
        | "mother" | "sister" => "women".to_string(),
        // A son is a boy, not a man: "a check up for my husband" is no
        // "check-up for my son".
        "boy" | "son" | "grandson" | "nephew" => "boy".to_string(),
        "girl" | "daughter" | "granddaughter" | "niece" => "girl".to_string(),
        "kid" | "child" | "children" | "childrens" | "junior" | "toddler" | "lad" => "kid".to_string(),
        other if SMALL_PETS.contains(&other) => "small".to_string(),
        other if LARGE_PETS.contains(&other) => "large".to_string(),
        // "see a doc" is "see a doctor".
        other => crate::lexicon::lexicon().expand(other).to_string(),
    }
}

/// The size a pet's weight says ("about 60 lbs", "18lb", "9 kg"), as a
/// word of [`SMALL_PETS`] or [`LARGE_PETS`]: up to 25 lb (11 kg) is small,
/// from 45 lb (20 kg) large.
fn size_by_weight(words: &[&str]) -> Option<&'static str> {
    // "60lbs" is one word, "60 lbs" two.
    fn split(w: &str) -> (&str, &str) {
        let digits = w.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(w.len());
        (&w[..digits], &w[digits..])
    }
    let mut weights = words.iter().enumerate().filter_map(|(i, w)| match split(w) {
        (amount, "") => Some((amount, *words.get(i + 1)?)),
        (amount, unit) => Some((amount, unit)),
    });
    weights.find_map(|(amount, unit)| {
        let amount: f32 = amount.parse().ok()?;
        let pounds = match unit {
            "lb" | "lbs" | "pound" | "pounds" => amount,
            "kg" | "kgs" | "kilo" | "kilos" => amount * 2.2,
            _ => return None,
        };
        match pounds {
            p if p <= 25.0 => Some("small"),
            p if p >= 45.0 => Some("large"),
            _ => None,
        }
    })
}

/// `parse` less its days on `booked` (the day of the booking being moved)
/// when it names another day too: "my boss put me on the schedule friday,
/// can we do saturday same time instead?" moves Friday's booking to Saturday,
/// whichever words say so.
fn without_booked_day(
    parse: &Parse,
    booked: chrono::NaiveDate,
    tz: chrono_tz::Tz,
) -> std::borrow::Cow<'_, Parse> {
    let day_of = |e: &crate::nlu::Entity| match &e.value {
        EntityValue::Time { value, .. } if e.entity == "datetime" => {
            Some(value.with_timezone(&tz).date_naive())
        }
        _ => None,
    };
    let days: Vec<chrono::NaiveDate> = parse.entities.iter().filter_map(day_of).collect();
    if !days.contains(&booked) || days.iter().all(|d| *d == booked) {
        return std::borrow::Cow::Borrowed(parse);
    }
    let mut kept = parse.clone();
    kept.entities.retain(|e| day_of(e) != Some(booked));
    std::borrow::Cow::Owned(kept)
}

/// The words of `text` as services are compared by them ([`service_word`]),
/// with the size a pet's weight says; numbers count ("its been 3 weeks" is
/// the 3-week fill), words of fitting in ("fit me in") do not.
fn said_service_words(text: &str) -> Vec<String> {
    let normal = answers::normalise(text);
    let words: Vec<&str> = normal.split(' ').collect();
    let fitting_in = |i: usize| {
        FITTING_IN.contains(&words[i]) && words.get(i + 1).is_some_and(|next| FITTED_IN.contains(next))
    };
    let counted = |i: usize| {
        let unit = words.get(i + 1).map(|w| service_word(w));
        !words[i].is_empty()
            && words[i].chars().all(|c| c.is_ascii_digit())
            && unit.is_some_and(|u| SERVICE_UNITS.contains(&u.as_str()))
    };
    let mut said: Vec<String> = (0..words.len())
        .filter(|&i| (words[i].chars().count() > 2 || counted(i)) && !fitting_in(i))
        .map(|i| service_word(words[i]))
        .collect();
    said.extend(size_by_weight(&words).map(str::to_owned));
    said
}

/// Whether the message's entities of `kind` hold two values or more, each
/// found by one word.
fn names_two_values_by_a_word(parse: &Parse, text: &str, kind: &str) -> bool {
    let found: Vec<_> = parse.entities.iter().filter(|e| e.entity == kind).collect();
    let one_word =
        |start: usize, end: usize| text.get(start..end).is_some_and(|w| !w.contains(char::is_whitespace));
    found.iter().all(|e| one_word(e.start, e.end)) && found.iter().any(|e| e.value != found[0].value)
}

/// Whether `w` is a single letter ("f/u" is "f" and "u"), which names
/// nothing alone.
pub(super) fn is_letter(w: &str) -> bool {
    let mut chars = w.chars();
    chars.next().is_some_and(char::is_alphabetic) && chars.next().is_none()
}

/// Each service's id with the words of its name and synonyms, as
/// [`service_word`] compares them, but for the words of the business's
/// own name: at Sydney Road Vets, "the vet wants to see him" says nothing
/// of which service.
pub(crate) fn service_words(spec: &crate::spec::BotSpec) -> Vec<(String, Vec<String>)> {
    let business = business_name_words(spec);
    let mut words: Vec<(String, Vec<String>)> = spec
        .business
        .services
        .iter()
        .map(|service| {
            let mut words: Vec<String> = std::iter::once(&service.name)
                .chain(&service.synonyms)
                .flat_map(|n| {
                    answers::normalise(n)
                        .split(' ')
                        .filter(|w| !is_letter(w))
                        .map(service_word)
                        .collect::<Vec<_>>()
                })
                .filter(|w| !FUNCTION_WORDS.contains(&w.as_str()) && !business.contains(w))
                .collect();
            words.sort();
            words.dedup();
            (service.id.clone(), words)
        })
        .collect();
    // With no service for a boy or a girl, a son's cut is a man's.
    for (child, grown) in CHILD_OR_GROWN_UP {
        if !words.iter().any(|(_, w)| w.iter().any(|w| w == child)) {
            for (_, w) in words.iter_mut().filter(|(_, w)| w.iter().any(|w| w == grown)) {
                w.push(child.to_string());
            }
        }
    }
    words
}

/// The words of the business's own name, as [`service_word`] compares them.
pub(super) fn business_name_words(spec: &crate::spec::BotSpec) -> Vec<String> {
    answers::normalise(&spec.business.name).split(' ').map(service_word).collect()
}

/// The words [`service_word`] gives a child and a grown-up of one sex.
pub(super) const CHILD_OR_GROWN_UP: [(&str, &str); 2] = [("boy", "men"), ("girl", "women")];

impl Engine {
    /// Takes every slot value the message carries. `pending` is the slot
    /// the flow just asked for: only then is a bare answer ("Jane Doe", "4")
    /// read as that slot's value.
    pub(crate) fn absorb(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        pending: Option<&str>,
        t: &mut TurnBuilder<'_>,
    ) -> Filled {
        let mut filled = Filled::default();
        let slots: Vec<(String, String)> =
            self.spec.slots.iter().map(|s| (s.name.clone(), s.entity.clone())).collect();
        // A name is read first: the words of "Anne-Marie Dubois" are not a
        // stylist called Marie, and an answer that is a name is no date.
        let name_slot = slots.iter().find(|(_, kind)| kind == "name").map(|(slot, _)| slot.clone());
        let name = name_slot.as_ref().and_then(|slot| match pending == Some(slot.as_str()) {
            // "it's for Lisa Ray, 212-555-0123": the name without the number.
            true => answers::person_name(text, &self.name_vocabulary)
                .or_else(|| answers::person_name(&without_contacts(parse, text), &self.name_vocabulary))
                .or_else(|| answers::volunteered_name(text, &self.name_vocabulary)),
            // "... Thurs 7.30pm? Ben Walker +61 411 555 321": a clause that
            // is a name once the number is gone.
            false => answers::volunteered_name(text, &self.name_vocabulary)
                .or_else(|| answers::volunteered_name(&without_contacts(parse, text), &self.name_vocabulary)),
        });
        // "Rohan Mehta" when asked what time: a message that is nothing
        // but a full name answers the question not yet asked.
        let name = name.or_else(|| {
            let other_question = pending.is_some() && pending != name_slot.as_deref();
            let unnamed = name_slot.as_ref().is_some_and(|slot| !state.slots.contains_key(slot));
            let full = answers::person_name(text, &self.name_vocabulary).filter(|n| {
                n.split_whitespace().count() >= 2
                    && n.split_whitespace().count() == text.split_whitespace().count()
            });
            (other_question && unnamed && parse.entities.is_empty()).then_some(full).flatten()
        });
        let name_span = name.as_ref().and_then(|n| {
            let lower = text.to_lowercase();
            let at = lower.find(&n.to_lowercase()).filter(|_| lower.len() == text.len())?;
            Some(at..at + n.len())
        });
        let answered_by_name = name.is_some() && pending.is_some() && pending == name_slot.as_deref();
        let window_before = state.slots.get(WINDOW_SLOT).cloned();
        let booking = state
            .stack
            .last()
            .and_then(|frame| self.flow_index(&frame.flow))
            .is_some_and(|f| self.flows[f].runs("create_booking"));
        let refused = self.refused_services(text);
        for (slot, kind) in slots {
            // Where the entity taken is, for the word before it and its words.
            let mut service_at = 0..0;
            let value = match kind.as_str() {
                "name" => name.clone().map(|value| EntityValue::Text { value }),
                // "June Carter" at the name prompt is not a date.
                "datetime" if answered_by_name => None,
                "datetime" => self.time_value(state, parse, text, &slot, pending == Some(slot.as_str()), t),
                "text" => None,
                _ => parse
                    .entities
                    .iter()
                    .filter(|e| e.entity == kind)
                    .filter(|e| {
                        name_span.as_ref().is_none_or(|span| e.end <= span.start || e.start >= span.end)
                    })
                    // "a full body massage, but firm, not a relaxing one".
                    .filter(|e| !matches!(&e.value, EntityValue::Text { value } if refused.contains(value)))
                    // "he did my tyres before. I think the brake pads are
                    // nearly gone": what was done before is no request.
                    .filter(|e| {
                        !answers::tells_of_past(text, e.start)
                            || parse
                                .entities
                                .iter()
                                .all(|o| o.entity != kind || answers::tells_of_past(text, o.start))
                    })
                    .find_map(|e| match &e.value {
                        EntityValue::Interval { .. } | EntityValue::Duration { .. } => None,
                        v => {
                            service_at = e.start..e.end;
                            Some(v.clone())
                        }
                    }),
            };
            // "my acrylics r grown out, need them filled": of two services
            // named by a word each, the one whose name or synonym the
            // message says whole (acrylic + fill).
            // "could i get a cut n blowdry": a service said closely in more
            // words than the one found (blow-dry, by "blowdry").
            let value = match value {
                Some(found)
                    if self.is_service_entity(&kind) && names_two_values_by_a_word(parse, text, &kind) =>
                {
                    Some(self.service_said_whole(parse, text, &refused).unwrap_or(found))
                }
                Some(found) if self.is_service_entity(&kind) => {
                    let found_words =
                        text.get(service_at.clone()).map_or(0, |w| w.split_whitespace().count());
                    let said = super::service_forms::said_words(parse, text);
                    match super::service_forms::service_said_closely(&self.service_forms, &said, &refused) {
                        Some((closer, words)) if words > found_words && closer != found => Some(closer),
                        _ => Some(found),
                    }
                }
                other => other,
            };
            // "mens" when asked which service: the one service whose name
            // or synonyms share the most words with the answer.
            // A service in other words ("cut hair for me, I am man") when
            // two of its words are there.
            // "maths tuition for my son, class 7": a name or synonym said
            // whole, in any order.
            let value = value.or_else(|| {
                self.is_service_entity(&kind)
                    .then(|| self.service_said_whole(parse, text, &refused))
                    .flatten()
            });
            // "sorry not maths, physics" while PUC Maths is chosen: PUC Physics.
            let value = value.or_else(|| match state.slots.get(&slot) {
                Some(EntityValue::Text { value: current }) if self.is_service_entity(&kind) => {
                    self.sibling_service(current, text)
                }
                _ => None,
            });
            // "I've never been to a chiropractor before, can I book in?":
            // the business's one kind of first visit, before services that
            // merely share words with the message ("he's done his back in
            // and never been to an osteo" is no "pregnancy back pain").
            let value =
                value.or_else(|| self.is_service_entity(&kind).then(|| self.first_visit(text)).flatten());
            let value = value.or_else(|| {
                // One shared word answers "which service?", unless the
                // answer is a question ("what would that set me back?").
                let answering =
                    pending == Some(slot.as_str()) && !crate::dialog::knowledge::is_question(text);
                let min_shared = if answering { 1 } else { 2 };
                self.is_service_entity(&kind).then(|| self.service_by_words(text, min_shared)).flatten()
            });
            let value = value.or_else(|| {
                (self.is_service_entity(&kind) && booking && !state.slots.contains_key(&slot))
                    .then(|| self.service_by_own_word(text))
                    .flatten()
            });
            // Whichever way it was found, a service turned down is no answer.
            let value =
                value.filter(|v| !matches!(v, EntityValue::Text { value } if refused.contains(value)));
            let Some(mut value) = value else { continue };
            if self.is_service_entity(&kind) {
                let before =
                    text.get(..service_at.start).and_then(|b| b.split_whitespace().last()).unwrap_or("");
                let matched = text.get(service_at).unwrap_or("");
                value = self.narrower_service(value, text, before, matched);
            }
            // "do i have to starve myself beforehand? GP said its a
            // cholesterol one" while booking a blood test asks about it:
            // a question changes the service only with a word of change.
            let asks_about_another = self.is_service_entity(&kind)
                && pending.is_some_and(|p| p != slot)
                && crate::dialog::knowledge::is_question(text)
                && !answers::says_change(text);
            match state.slots.get(&slot) {
                Some(old) if *old == value => {}
                Some(_) if asks_about_another => {}
                Some(_) => {
                    t.set_slot(state, &slot, value);
                    filled.changed.push(slot);
                }
                None => {
                    t.set_slot(state, &slot, value);
                    filled.new.push(slot);
                }
            }
        }
        // A window alone ("at lunchtime" for the day already chosen) is an answer too.
        let window = state.slots.get(WINDOW_SLOT).cloned();
        if window.is_some() && window != window_before {
            filled.changed.push(WINDOW_SLOT.into());
        }
        filled
    }

    /// The service a message means when it names `service` and says what
    /// a narrower one adds: "my wee boy ... his check up" is the children's
    /// check-up, by a word of the same concept as "children's"; "a longer
    /// appointmnet with a doctor" is the extended consultation, by the word
    /// `before` the service named, one of its synonyms' words ("longer
    /// appointment") that the named service's words lack. A narrower
    /// service is one whose name's words include all of the named one's,
    /// or, for a message about a child, one with a synonym that is the words
    /// `matched` and a word for children ("my 5yo is due for her check up"
    /// is the kids' check-up, whose synonyms say "kids check up", when
    /// "check up" named the adults').
    fn narrower_service(&self, service: EntityValue, text: &str, before: &str, matched: &str) -> EntityValue {
        let EntityValue::Text { value: id } = &service else { return service };
        let services = &self.spec.business.services;
        let name_words =
            |name: &str| -> Vec<String> { answers::normalise(name).split(' ').map(service_word).collect() };
        let Some(named) = services.iter().find(|s| s.id == *id) else { return service };
        let words = name_words(&named.name);
        let vocabulary = |id: &str| self.service_words.iter().find(|(s, _)| s == id).map(|(_, w)| w);
        let named_vocabulary = vocabulary(id);
        let before = service_word(&answers::normalise(before));
        let lexicon = crate::lexicon::lexicon();
        let said: Vec<crate::lexicon::ConceptId> =
            lexicon.analyse(text).into_iter().flat_map(|t| t.concepts).collect();
        // A child's variant of the synonym matched, when the message is
        // about a child (by a word, or by an age).
        let children = lexicon.concept("children");
        let about_child = children.is_some_and(|c| said.contains(&c)) || answers::tells_child_age(text);
        let childs =
            |w: &str| lexicon.analyse(w).iter().any(|t| children.is_some_and(|c| t.concepts.contains(&c)));
        let matched = answers::normalise(matched);
        let variant_of_matched = |other: &crate::spec::ServiceSpec| {
            about_child
                && !matched.is_empty()
                && other.synonyms.iter().any(|synonym| {
                    let synonym = answers::normalise(synonym);
                    answers::contains_phrase(&synonym, &matched)
                        && synonym.replacen(&matched, " ", 1).split(' ').any(|w| !w.is_empty() && childs(w))
                })
        };
        let narrower: Vec<&String> = services
            .iter()
            .filter(|other| {
                let other_words = name_words(&other.name);
                let by_concept = other_words.iter().filter(|w| !words.contains(w)).any(|extra| {
                    lexicon.analyse(extra).iter().any(|t| t.concepts.iter().any(|c| said.contains(c)))
                });
                let by_synonym = before.chars().count() > 2
                    && vocabulary(&other.id).is_some_and(|own| own.contains(&before))
                    && named_vocabulary.is_none_or(|named| !named.contains(&before));
                other.id != *id
                    && (words.iter().all(|w| other_words.contains(w)) && (by_concept || by_synonym)
                        || variant_of_matched(other))
            })
            .map(|other| &other.id)
            .collect();
        match narrower.as_slice() {
            [only] => EntityValue::Text { value: only.to_string() },
            _ => service,
        }
    }

    /// The services a message turns down by a word of their name or a
    /// one-word synonym: "not a relaxing one" refuses the Relaxing massage,
    /// "rather than the gel" the Gel manicure, "no tips" the acrylics.
    fn refused_services(&self, text: &str) -> Vec<String> {
        let n = answers::normalise(text);
        let words: Vec<&str> = n.split(' ').collect();
        let mut refused_words = Vec::new();
        // "just on my own nails, no tips": "no" inside a sentence, not
        // the answer "no, ..." that opens one.
        let raw: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
        for (i, w) in raw.iter().enumerate().skip(1) {
            if w == "no" && !raw[i - 1].ends_with(['.', '!', '?']) {
                let next = raw.get(i + 1).map(|n| answers::normalise(n));
                refused_words
                    .extend(next.filter(|n| !n.is_empty() && !n.contains(' ')).map(|n| service_word(&n)));
            }
        }
        for (i, w) in words.iter().enumerate() {
            let after = match (*w, words.get(i + 1)) {
                ("not", _) => i + 1,
                ("instead" | "rather", Some(&("of" | "than"))) => i + 2,
                _ => continue,
            };
            let mut rest = words[after.min(words.len())..]
                .iter()
                // "not get a massage": the verb of having it is no service.
                .skip_while(|w| {
                    matches!(
                        **w,
                        "a" | "an"
                            | "the"
                            | "my"
                            | "get"
                            | "getting"
                            | "have"
                            | "having"
                            | "do"
                            | "doing"
                            | "book"
                            | "booking"
                            | "want"
                            | "need"
                    )
                });
            refused_words.extend(rest.next().map(|w| service_word(w)));
        }
        if refused_words.is_empty() {
            return Vec::new();
        }
        self.spec
            .business
            .services
            .iter()
            // By a word of its name, or by a one-word synonym ("no tips").
            .filter(|s| {
                answers::normalise(&s.name).split(' ').map(service_word).any(|w| refused_words.contains(&w))
                    || s.synonyms
                        .iter()
                        .map(|y| answers::normalise(y))
                        .any(|y| !y.contains(' ') && refused_words.contains(&service_word(&y)))
            })
            .map(|s| s.id.clone())
            .collect()
    }

    /// The service a correction names by the one word its name has in
    /// place of one of `current`'s ("sorry not maths, physics" while PUC
    /// Maths is chosen is PUC Physics; "actually the women's" while the
    /// men's haircut is chosen).
    fn sibling_service(&self, current: &str, text: &str) -> Option<EntityValue> {
        let n = answers::normalise(text);
        let corrects =
            answers::says_change(text) || when::says_correction(text) || n.split(' ').any(|w| w == "not");
        if !corrects {
            return None;
        }
        let name_words = |name: &str| -> Vec<String> {
            answers::normalise(name)
                .split(' ')
                .filter(|w| !FUNCTION_WORDS.contains(w))
                .map(service_word)
                .collect()
        };
        let services = &self.spec.business.services;
        let current_words = name_words(&services.iter().find(|s| s.id == current)?.name);
        let said = said_service_words(text);
        let mut siblings = services.iter().filter(|other| {
            let other_words = name_words(&other.name);
            let added: Vec<&String> = other_words.iter().filter(|w| !current_words.contains(w)).collect();
            let dropped = current_words.iter().filter(|w| !other_words.contains(w)).count();
            other.id != current
                && other_words.len() == current_words.len()
                && matches!(added.as_slice(), [one] if said.contains(one))
                && dropped == 1
        });
        match (siblings.next(), siblings.next()) {
            (Some(only), None) => Some(EntityValue::Text { value: only.id.clone() }),
            _ => None,
        }
    }

    /// The service for a first visit ("Initial assessment", "New patient
    /// visit"), when the message says it is the customer's first ("never
    /// been", "first time", "new patient") and the business has one such.
    fn first_visit(&self, text: &str) -> Option<EntityValue> {
        let says_first = |text: &str| {
            let n = answers::normalise(text);
            FIRST_VISIT.iter().any(|w| answers::contains_phrase(&n, w))
        };
        if !says_first(text) {
            return None;
        }
        let mut first = self.spec.business.services.iter().filter(|s| says_first(&s.name));
        match (first.next(), first.next()) {
            (Some(only), None) => Some(EntityValue::Text { value: only.id.clone() }),
            _ => None,
        }
    }

    /// Whether `entity` is the list of the business's services.
    pub(super) fn is_service_entity(&self, entity: &str) -> bool {
        self.spec.entities.iter().any(|e| e.name == entity && e.from_services)
    }

    /// The service one of whose names or synonyms of two words or more the
    /// message says whole, in any order ("maths tuition for my son, class 7").
    pub(crate) fn service_said_whole(
        &self,
        parse: &Parse,
        text: &str,
        refused: &[String],
    ) -> Option<EntityValue> {
        let said = super::service_forms::said_words(parse, text);
        super::service_forms::service_said_whole(&self.service_forms, &said, refused)
    }

    /// The service whose name or synonyms share the most words with `text`,
    /// when exactly one does ("mens" is the men's haircut; "a haircut"
    /// matches two and is no answer).
    pub(crate) fn service_by_words(&self, text: &str, min_shared: usize) -> Option<EntityValue> {
        let said = said_service_words(text);
        let mut best: Vec<(usize, &str)> = self
            .service_words
            .iter()
            .map(|(id, words)| (said.iter().filter(|w| words.contains(w)).count(), id.as_str()))
            .collect();
        best.sort_by_key(|b| std::cmp::Reverse(b.0));
        // "a cut for my husband" ties the men's cut with a kids' "boys cut"
        // (a son, a husband: both men): a grown-up passes over the
        // children's services, a child ("my son", "she's 7") the others.
        let tied = |best: &[(usize, &str)]| best.len() > 1 && best[0].0 == best[1].0;
        if tied(&best) {
            let normal = answers::normalise(text);
            let says = |list: &[&str]| normal.split(' ').any(|w| list.contains(&w));
            let for_child = says(CHILDREN) || answers::tells_child_age(text);
            let for_adult = says(GROWN_UPS);
            if for_child != for_adult {
                let top = best[0].0;
                let childrens = |id: &str| {
                    self.service_words.iter().any(|(s, words)| s == id && words.iter().any(|w| w == "kid"))
                };
                best.retain(|(n, id)| *n < top || childrens(id) == for_child);
            }
        }
        match best.as_slice() {
            [(n, id), rest @ ..] if *n >= min_shared.max(1) && rest.first().is_none_or(|(m, _)| m < n) => {
                Some(EntityValue::Text { value: id.to_string() })
            }
            _ => None,
        }
    }

    /// The one service a word of the message belongs to, while a booking is
    /// under way and no service is known: "the ABS light is after coming on,
    /// could ye fit me in" is the diagnostics whose synonyms say "warning
    /// light". A word counts in any of its forms ("badly matted" is the
    /// groom whose synonyms say "de-matting"). Every such word must point
    /// to the same service, and words every booking shares ("appointment",
    /// "session") point nowhere.
    pub(crate) fn service_by_own_word(&self, text: &str) -> Option<EntityValue> {
        use crate::lexicon::stem;
        let lexicon = crate::lexicon::lexicon();
        let stems: Vec<(&str, Vec<String>)> = self
            .service_words
            .iter()
            .map(|(id, words)| (id.as_str(), words.iter().map(|w| stem(w)).collect()))
            .collect();
        let mut found: Option<&str> = None;
        for word in said_service_words(text) {
            let weak =
                WEAK_SERVICE_WORDS.contains(&word.as_str()) || word.chars().all(|c| c.is_ascii_digit());
            let word = stem(&word);
            if weak || word.chars().count() < 3 || lexicon.is_generic(&word) {
                continue;
            }
            let mut owners = stems.iter().filter(|(_, words)| words.contains(&word));
            let (Some((id, _)), None) = (owners.next(), owners.next()) else { continue };
            match found {
                Some(other) if other != *id => return None,
                _ => found = Some(id),
            }
        }
        found.map(|id| EntityValue::Text { value: id.to_string() })
    }

    /// Whether the message gives `slot` a value, without taking it.
    pub(crate) fn answers_slot(&self, parse: &Parse, text: &str, slot: &str) -> bool {
        match self.slot_type(slot) {
            "datetime" => !when::read(parse, text, self.tz, &self.spec.business.hours, true).is_empty(),
            "name" => answers::person_name(text, &self.name_vocabulary).is_some(),
            "text" => true,
            kind => parse.entities.iter().any(|e| e.entity == kind),
        }
    }

    /// The datetime slot's value for what the message says about when,
    /// composed with the day or time already known; sets or clears the
    /// window slot as a side effect.
    fn time_value(
        &self,
        state: &mut ConversationState,
        parse: &Parse,
        text: &str,
        slot: &str,
        asked: bool,
        t: &mut TurnBuilder<'_>,
    ) -> Option<EntityValue> {
        // "same time" while a booking exists is the booking's time, not
        // the time first asked for before it was booked.
        let previous = state
            .slots
            .get(slot)
            .or_else(|| state.slots.get("booking_time"))
            .or_else(|| state.slots.get("requested_time"))
            .cloned();
        let lower = answers::normalise(text);
        let cued = TIME_CUES.iter().any(|c| answers::contains_phrase(&lower, c));
        let bare_hour = asked || (previous.is_some() && cued);
        let parse = match state.slots.get("booking_time") {
            Some(EntityValue::Time { value: booked, .. }) => {
                without_booked_day(parse, booked.with_timezone(&self.tz).date_naive(), self.tz)
            }
            _ => std::borrow::Cow::Borrowed(parse),
        };
        let said = when::read(&parse, text, self.tz, &self.spec.business.hours, bare_hour);
        if said.is_empty() {
            return None;
        }
        if self.holds_time_chosen(state.slots.get(slot), &said) {
            return None;
        }
        let now = t.ctx.now.with_timezone(&self.tz).fixed_offset();
        // A new day corrects the day of the time asked for (kept or turned
        // down), not of a booking being moved.
        let correcting = state.slots.contains_key(slot) || state.slots.contains_key("requested_time");
        let mut said = said;
        if let Some(EntityValue::Time { value: booked, .. }) = state.slots.get("booking_time") {
            let today = now.with_timezone(&self.tz).date_naive();
            let booked = booked.with_timezone(&self.tz).date_naive();
            if let Some(day) = when::weekday_of_booked_week(&said, text, booked, today) {
                said.day = Some(day);
            }
        } else if let Some(EntityValue::Time { value: chosen, .. }) =
            previous.as_ref().filter(|_| correcting && when::says_correction(text))
        {
            let today = now.with_timezone(&self.tz).date_naive();
            let chosen = chosen.with_timezone(&self.tz).date_naive();
            if let Some(day) = when::weekday_of_chosen_week(&said, text, chosen, today) {
                said.day = Some(day);
            }
        }
        // "the saturday after then" (after the day turned down), "push it
        // to the tuesday after?" (after the day booked).
        if let (Some(weekday), Some(EntityValue::Time { value: before, .. })) =
            (when::weekday_after(text), previous.as_ref())
        {
            use chrono::Datelike;
            let mut day = before.with_timezone(&self.tz).date_naive() + chrono::Duration::days(1);
            while day.weekday() != weekday {
                day += chrono::Duration::days(1);
            }
            said.day = Some(day);
        }
        let value = when::compose(&said, previous.as_ref(), correcting, self.tz, now)?;
        if let EntityValue::Time { value: at, .. } = &value {
            let day = at.with_timezone(&self.tz).date_naive();
            match when::window_value(&said, day, self.tz) {
                Some(window) => {
                    state.slots.insert(WINDOW_SLOT.into(), window);
                }
                None if said.time.is_some() => {
                    state.slots.remove(WINDOW_SLOT);
                }
                // "tuesday then" after lunchtime on a closed Monday: the same
                // part of the day, on the new day.
                None => {
                    if let Some(moved) = state.slots.get(WINDOW_SLOT).and_then(|w| self.window_on(w, day)) {
                        state.slots.insert(WINDOW_SLOT.into(), moved);
                    }
                }
            }
        }
        Some(value)
    }

    /// Whether what was said only restates the time already chosen: a part
    /// of the day that holds it, on its day ("should I skip breakfast that
    /// morning?" about 9:30 that Tuesday, "yes tuesday morning is good").
    fn holds_time_chosen(&self, chosen: Option<&EntityValue>, said: &when::WhenSaid) -> bool {
        let Some(EntityValue::Time { value, grain: Grain::Minute }) = chosen else { return false };
        let Some((from, to)) = said.window else { return false };
        let at = value.with_timezone(&self.tz);
        said.time.is_none()
            && !said.same_time
            && said.week_on.is_none()
            && said.day.is_none_or(|day| day == at.date_naive())
            && (from..to).contains(&at.time())
    }

    /// `window` (an interval within one day) moved to `day`, keeping its
    /// times of day; `None` when it is not such a window or already on `day`.
    fn window_on(&self, window: &EntityValue, day: chrono::NaiveDate) -> Option<EntityValue> {
        let EntityValue::Interval { from: Some(from), to: Some(to), grain } = window else { return None };
        let (from, to) = (from.with_timezone(&self.tz), to.with_timezone(&self.tz));
        if from.date_naive() == day || to - from > chrono::Duration::days(1) {
            return None;
        }
        let at = |t: chrono::NaiveTime| self.tz.from_local_datetime(&day.and_time(t)).earliest();
        let to_day = if to.date_naive() > from.date_naive() { day.succ_opt()? } else { day };
        let moved_to = self.tz.from_local_datetime(&to_day.and_time(to.time())).latest()?;
        Some(EntityValue::Interval {
            from: Some(at(from.time())?.fixed_offset()),
            to: Some(moved_to.fixed_offset()),
            grain: *grain,
        })
    }

    /// The earliest step a correction of `filled.changed` must run again
    /// from: the step that collects the slot, or for a slot no step collects
    /// (a stylist), the first action that reads it; only steps the flow has
    /// run count. A slot no step collects that is new ("with sofia please"
    /// after the time was checked) counts as a correction too: the action
    /// that reads it ran without it.
    pub(crate) fn rewind_step(&self, flow: &Flow, filled: &Filled, frame: &FlowFrame) -> usize {
        let uncollected_new = filled.new.iter().filter(|slot| flow.collect_step(slot).is_none());
        filled
            .changed
            .iter()
            .chain(uncollected_new)
            .filter_map(|slot| {
                flow.collect_step(slot)
                    .or_else(|| flow.steps.iter().position(|s| matches!(s, Step::Action { .. })))
                    .filter(|step| frame.visited.contains(step))
            })
            .fold(frame.step, usize::min)
    }

    /// Forgets, at the start of `flow`, what earlier conversations in this
    /// chat collected for it, keeping who the customer is and what they said
    /// in the last few turns.
    pub(crate) fn forget_old_answers(&self, state: &mut ConversationState, flow: &Flow) {
        let recent = state.turns.saturating_sub(RECENT_TURNS);
        for slot in flow.collected_slots() {
            let identity = matches!(self.slot_type(slot), "name" | "phone" | "email");
            let said_recently = state.slot_turns.get(slot).is_some_and(|turn| *turn >= recent);
            if !identity && !said_recently {
                state.slots.remove(slot);
            }
        }
    }
}
