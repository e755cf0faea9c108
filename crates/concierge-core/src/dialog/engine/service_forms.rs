//! Services named in any word order: a service's name or synonym whose
//! every word the message says, wherever ("maths tuition for my son, class
//! 7" names "maths class 7"), with numeric ranges standing for each number
//! in them ("Maths (Class 6-8)" is named by "class 7 maths").

use super::slots::{business_name_words, is_letter, service_word, without_entities, CHILD_OR_GROWN_UP};
use crate::dialog::answers;
use crate::nlu::entities::{allowed_edits, bounded_distance, inflected};
use crate::nlu::words::names::FUNCTION_WORDS;
use crate::nlu::words::services::IMPLIED_SERVICE_WORDS;
use crate::nlu::{EntityValue, Parse};

/// The widest numeric range read as a set of numbers ("Class 6-8", "Ages
/// 5-12"); wider ones ("10-60 minutes") are left as they are written.
const WIDEST_RANGE: u32 = 12;

/// One way of naming a service: the words all said to name it, each a set
/// of alternatives (a range's numbers).
#[derive(Debug, Clone)]
pub(crate) struct ServiceForm {
    service: String,
    words: Vec<Vec<String>>,
}

/// Every name and synonym of the spec's services of two words or more, as
/// [`ServiceForm`]s.
pub(crate) fn service_forms(spec: &crate::spec::BotSpec) -> Vec<ServiceForm> {
    // A form with a word of the business's own name is left to be said as
    // written: in any order, "see the vet" is "the vet wants to see him" at
    // any vet's, and "hearing check-up" is "at my last check-up" at a
    // hearing clinic.
    let business = business_name_words(spec);
    let mut forms = Vec::new();
    for service in &spec.business.services {
        for written in std::iter::once(&service.name).chain(&service.synonyms) {
            let words: Vec<Vec<String>> = answers::normalise(&ranges_as_words(written))
                .split(' ')
                .filter(|w| !w.is_empty() && !is_letter(w) && !FUNCTION_WORDS.contains(w))
                .map(|w| range_numbers(w).unwrap_or_else(|| vec![service_word(w)]))
                .collect();
            let of_business = words.iter().any(|options| options.iter().any(|w| business.contains(w)));
            if words.len() < 2 || of_business {
                continue;
            }
            // "cut n blowdry" says "cut and blow dry": each two neighbours
            // may be written as one word.
            for j in 0..words.len() - 1 {
                if let ([a], [b]) = (words[j].as_slice(), words[j + 1].as_slice()) {
                    let mut glued = words.clone();
                    glued.splice(j..j + 2, [vec![format!("{a}{b}")]]);
                    if glued.len() >= 2 {
                        forms.push(ServiceForm { service: service.id.clone(), words: glued });
                    }
                }
            }
            forms.push(ServiceForm { service: service.id.clone(), words });
        }
    }
    // With no form for a boy or a girl, a son's cut is a man's.
    for (child, grown) in CHILD_OR_GROWN_UP {
        if !forms.iter().any(|f| f.words.iter().flatten().any(|w| w == child)) {
            for options in
                forms.iter_mut().flat_map(|f| f.words.iter_mut()).filter(|o| o.iter().any(|w| w == grown))
            {
                options.push(child.to_string());
            }
        }
    }
    forms
}

/// The numbers a range-word of [`ranges_as_words`] stands for.
fn range_numbers(word: &str) -> Option<Vec<String>> {
    let (from, to) = word.split_once("to")?;
    let (from, to): (u32, u32) = (from.parse().ok()?, to.parse().ok()?);
    (from < to && to - from <= WIDEST_RANGE).then(|| (from..=to).map(|n| n.to_string()).collect())
}

/// `text` with each range of numbers ("6-8", "6 – 8") written as one word
/// ("6to8"), which [`range_numbers`] reads back.
pub(crate) fn ranges_as_words(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        out.push(chars[i]);
        if chars[i].is_ascii_digit() && !chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            let mut j = i + 1;
            while chars.get(j) == Some(&' ') {
                j += 1;
            }
            if matches!(chars.get(j), Some('-' | '–' | '—')) {
                j += 1;
                while chars.get(j) == Some(&' ') {
                    j += 1;
                }
                if chars.get(j).is_some_and(char::is_ascii_digit) {
                    out.push_str("to");
                    i = j;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// The words of a message as forms are compared with them: without its
/// dates, times, phone numbers and email addresses, whose numbers name no
/// service ("class 9 maths at 6 pm" is not class 6).
pub(crate) fn said_words(parse: &Parse, text: &str) -> Vec<String> {
    let kept = without_entities(parse, text, &["datetime", "phone", "email"]);
    let mut words: Vec<String> =
        answers::normalise(&kept).split(' ').filter(|w| !w.is_empty()).map(service_word).collect();
    // "gel on my hands" says a gel manicure.
    let implied: Vec<String> = words
        .iter()
        .filter_map(|w| IMPLIED_SERVICE_WORDS.iter().find(|(said, _)| said == w))
        .map(|(_, implied)| implied.to_string())
        .collect();
    words.extend(implied);
    words
}

/// The service one of whose `forms` the message says whole, in any order,
/// when the longest such form belongs to one service only, or, unless the
/// message offers alternatives ("class 7 or class 9"), when one service's
/// form is said in the fewest words ("my back is destroyed, I want a
/// massage with firm pressure" says "firm massage" before "back
/// massage"); services `refused` ("not a relaxing one") are passed over.
pub(crate) fn service_said_whole(
    forms: &[ServiceForm],
    said: &[String],
    refused: &[String],
) -> Option<EntityValue> {
    let covered: Vec<(&ServiceForm, usize)> = forms
        .iter()
        .filter(|form| !refused.contains(&form.service))
        .filter_map(|form| {
            let places: Vec<Vec<usize>> = form.words.iter().map(|options| positions(said, options)).collect();
            narrowest_span(&places).map(|span| (form, span))
        })
        .collect();
    let longest = covered.iter().map(|(f, _)| f.words.len()).max()?;
    let candidates: Vec<(&String, usize)> = covered
        .iter()
        .filter(|(f, _)| f.words.len() == longest)
        .map(|(f, span)| (&f.service, *span))
        .collect();
    let first = candidates[0].0;
    if candidates.iter().all(|(s, _)| *s == first) {
        return Some(EntityValue::Text { value: first.clone() });
    }
    if said.iter().any(|w| w == "or") {
        return None;
    }
    let narrowest = candidates.iter().map(|(_, span)| *span).min()?;
    let mut closest = candidates.iter().filter(|(_, span)| *span == narrowest).map(|(s, _)| *s);
    let first = closest.next()?;
    closest.all(|s| s == first).then(|| EntityValue::Text { value: first.clone() })
}

/// The service one of whose `forms` the message says closely (its words
/// within two of each other's), with the number of words of the longest
/// such form, when that form belongs to one service only: "could i get a
/// cut n blowdry" says the cut and blow-dry in more words than the
/// blow-dry its "blowdry" names.
pub(crate) fn service_said_closely(
    forms: &[ServiceForm],
    said: &[String],
    refused: &[String],
) -> Option<(EntityValue, usize)> {
    let close: Vec<&ServiceForm> = forms
        .iter()
        .filter(|form| !refused.contains(&form.service))
        .filter(|form| {
            let places: Vec<Vec<usize>> = form.words.iter().map(|options| positions(said, options)).collect();
            narrowest_span(&places).is_some_and(|span| span <= form.words.len() + 2)
        })
        .collect();
    let longest = close.iter().map(|f| f.words.len()).max()?;
    let mut services = close.iter().filter(|f| f.words.len() == longest).map(|f| &f.service);
    let first = services.next()?;
    services.all(|s| s == first).then(|| (EntityValue::Text { value: first.clone() }, longest))
}

/// Where each of `options` is said in `said`, inflected ("filled") or with
/// a typo its length allows ("chemisty").
fn positions(said: &[String], options: &[String]) -> Vec<usize> {
    said.iter()
        .enumerate()
        .filter(|(_, w)| {
            options.iter().any(|option| {
                let budget = allowed_edits(w).min(allowed_edits(option));
                *w == option || bounded_distance(w, option, budget).is_some() || inflected(w, option)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

/// The fewest consecutive words that hold one place of each word
/// (`places`, each word's positions), or `None` when a word is not said.
fn narrowest_span(places: &[Vec<usize>]) -> Option<usize> {
    if places.iter().any(Vec::is_empty) {
        return None;
    }
    // Each window starts at some word's place; the others take their
    // nearest place at or after it.
    places
        .iter()
        .flatten()
        .filter_map(|&start| {
            let ends: Option<Vec<usize>> =
                places.iter().map(|p| p.iter().copied().filter(|&i| i >= start).min()).collect();
            ends.map(|ends| ends.into_iter().max().unwrap_or(start) - start + 1)
        })
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_become_one_word_for_each_number() {
        assert_eq!(ranges_as_words("Maths (Class 6-8)"), "Maths (Class 6to8)");
        assert_eq!(ranges_as_words("Ages 5 – 12"), "Ages 5to12");
        assert_eq!(ranges_as_words("3-week fill"), "3-week fill");
        assert_eq!(range_numbers("6to8"), Some(vec!["6".into(), "7".into(), "8".into()]));
        assert_eq!(range_numbers("10to60"), None, "too wide to be a set of numbers");
        assert_eq!(range_numbers("tomato"), None);
    }

    fn form(service: &str, words: &[&[&str]]) -> ServiceForm {
        ServiceForm {
            service: service.into(),
            words: words.iter().map(|o| o.iter().map(|w| w.to_string()).collect()).collect(),
        }
    }

    #[test]
    fn the_longest_form_said_whole_names_the_service() {
        let forms = [
            form("maths_6_8", &[&["maths"], &["class"], &["6", "7", "8"]]),
            form("maths_9_10", &[&["maths"], &["class"], &["9", "10"]]),
            form("science", &[&["science"], &["tuition"]]),
        ];
        let said = |text: &str| text.split(' ').map(str::to_string).collect::<Vec<_>>();
        let found = |text: &str| service_said_whole(&forms, &said(text), &[]).map(|v| v.display());
        assert_eq!(found("maths tuition for my son class 7").as_deref(), Some("maths_6_8"));
        assert_eq!(found("class 10 maths please").as_deref(), Some("maths_9_10"));
        assert_eq!(found("need scince tuition").as_deref(), Some("science"), "a typo its length allows");
        assert_eq!(found("tuition for maths"), None, "no form is said whole");
        assert_eq!(found("maths class 7 or class 9"), None, "two services said whole");
        let massages = [
            form("relaxing", &[&["full"], &["body"], &["massage"]]),
            form("deep", &[&["firm"], &["massage"]]),
            form("back", &[&["back"], &["massage"]]),
        ];
        let closest = |text: &str, refused: &[String]| {
            service_said_whole(&massages, &said(text), refused).map(|v| v.display())
        };
        let text = "my legs and back are sore i want a massage with firm pressure";
        assert_eq!(closest(text, &[]).as_deref(), Some("deep"), "the form said in the fewest words");
        assert_eq!(closest("a back massage or a firm massage", &[]), None, "alternatives offered");
        let refused = ["maths_6_8".to_string()];
        let passed_over = service_said_whole(&forms, &said("maths class 7 or class 9"), &refused);
        assert_eq!(passed_over.map(|v| v.display()).as_deref(), Some("maths_9_10"));
    }
}
