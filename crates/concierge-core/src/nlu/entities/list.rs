//! List entities: canonical values with synonyms, found case-insensitively,
//! ignoring apostrophes and punctuation, tolerating small typos.

use super::tokens::{normalised_words, Token};
use super::Candidate;
use crate::lexicon::{self, ConceptId};
use crate::nlu::EntityValue;

/// The penalty of a value found by a concept's word rather than its own.
const CONCEPT_PENALTY: usize = 3;

/// One way of writing a value, as normalised words.
#[derive(Debug, Clone)]
struct SurfaceForm {
    words: Vec<String>,
    /// Each word's [`allowed_edits`], counted once.
    budgets: Vec<usize>,
    /// The words glued together, to match "hair cut" against "haircut".
    joined: String,
    value: usize,
    /// Whether it is the value's first form (a service's name).
    first: bool,
}

/// A list entity ready for matching.
#[derive(Debug, Clone)]
pub(crate) struct ListMatcher {
    entity: String,
    values: Vec<String>,
    forms: Vec<SurfaceForm>,
    /// Concepts of the lexicon that only one value's forms belong to, with
    /// that value: "roots" is the colour service at a salon whose only
    /// colour service is "Colour" (see [`ListMatcher::by_concept`]).
    concepts: Vec<(ConceptId, usize)>,
}

/// Concepts that say what a booking is about, not which service: every
/// service is an appointment, takes time and costs money, and at a
/// groomer's or a vet's every service is for a pet ("my cockapoo" is no
/// puppy's first groom).
const NOT_A_SERVICE: &[&str] =
    &["appointment_need", "weekday", "open_hours", "duration", "price", "staff", "family", "pets"];

/// Edits a word may have and still match: none below 5 characters, one from
/// 5, two from 9 (the shorter of the message's word and the value's counts).
pub(crate) fn allowed_edits(word: &str) -> usize {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

impl ListMatcher {
    /// A matcher for `entity` whose values are `(canonical, surface forms)`.
    pub(crate) fn new<'a>(
        entity: &str,
        values: impl IntoIterator<Item = (String, Vec<&'a str>)>,
    ) -> ListMatcher {
        let mut matcher = ListMatcher {
            entity: entity.to_string(),
            values: Vec::new(),
            forms: Vec::new(),
            concepts: Vec::new(),
        };
        for (canonical, surfaces) in values {
            let value = matcher.values.len();
            matcher.values.push(canonical);
            for (i, surface) in surfaces.into_iter().enumerate() {
                let words = normalised_words(surface);
                if words.is_empty() {
                    continue;
                }
                let joined = words.concat();
                if matcher.forms.iter().any(|f| f.value == value && f.words == words) {
                    continue;
                }
                let budgets = words.iter().map(|w| allowed_edits(w)).collect();
                matcher.forms.push(SurfaceForm { words, budgets, joined, value, first: i == 0 });
            }
        }
        matcher
    }

    /// Also finds a value by a word of a concept (see `lexicon`) that only
    /// that value's first form (a service's name) belongs to, when the
    /// message names no value: "get my roots done" is the one colour
    /// service. Synonyms are left out: their incidental words ("call" in
    /// "sick call") would claim whole topics.
    pub(crate) fn by_concept(mut self) -> ListMatcher {
        let lexicon = lexicon::lexicon();
        let excluded: Vec<ConceptId> = NOT_A_SERVICE.iter().filter_map(|n| lexicon.concept(n)).collect();
        let mut owners: Vec<(ConceptId, Vec<usize>)> = Vec::new();
        let mut narrowed: Vec<(ConceptId, usize)> = Vec::new();
        for form in self.forms.iter().filter(|f| f.first) {
            let tokens: Vec<Vec<ConceptId>> = lexicon
                .analyse_words(&form.words)
                .into_iter()
                .map(|t| t.concepts.into_iter().filter(|c| !excluded.contains(c)).collect::<Vec<_>>())
                .filter(|concepts| !concepts.is_empty())
                .collect();
            // "Nail trim": a word of one topic (nails) narrows the last
            // word, of another (trim, a haircut): the name claims what
            // narrows it ("women" in "Women's haircut"), not the topic of
            // the word narrowed, though it still shares that topic with
            // the other services of it.
            let mixed =
                tokens.len() > 1 && !tokens[0].iter().any(|c| tokens[1..].iter().all(|t| t.contains(c)));
            if let (true, Some(last)) = (mixed, tokens.last()) {
                narrowed.extend(last.iter().map(|c| (*c, form.value)));
            }
            for concepts in tokens {
                for c in concepts {
                    match owners.iter_mut().find(|(id, _)| *id == c) {
                        Some((_, values)) if !values.contains(&form.value) => values.push(form.value),
                        Some(_) => {}
                        None => owners.push((c, vec![form.value])),
                    }
                }
            }
        }
        self.concepts = owners
            .into_iter()
            .filter(|(c, values)| values.len() == 1 && !narrowed.contains(&(*c, values[0])))
            .map(|(c, values)| (c, values[0]))
            .collect();
        self
    }

    /// Adds every mention of a value in the message (`tokens`) to `out`,
    /// overlapping ones included: the caller keeps the best.
    pub(crate) fn find(&self, tokens: &[Token], out: &mut Vec<Candidate>) {
        let before = out.len();
        self.find_forms(tokens, out);
        let named = out[before..].iter().any(|c| c.entity == self.entity);
        if named || self.concepts.is_empty() {
            return;
        }
        let words: Vec<String> = tokens.iter().map(|t| t.text.clone()).collect();
        for (token, analysed) in tokens.iter().zip(lexicon::lexicon().analyse_words(&words)) {
            if analysed.generic {
                continue;
            }
            if let Some((_, value)) = self.concepts.iter().find(|(c, _)| analysed.concepts.contains(c)) {
                let mut c = self.candidate(*value, std::slice::from_ref(token), 0);
                // Less sure than a name or synonym the spec wrote.
                c.penalty = CONCEPT_PENALTY;
                out.push(c);
            }
        }
    }

    fn find_forms(&self, tokens: &[Token], out: &mut Vec<Candidate>) {
        let token_budgets: Vec<usize> = tokens.iter().map(|t| allowed_edits(&t.text)).collect();
        for start in 0..tokens.len() {
            for form in &self.forms {
                let n = form.words.len();
                // Same number of words, each within its typo budget.
                if start + n <= tokens.len() {
                    let window = &tokens[start..start + n];
                    let mut edits = 0;
                    let budgets = token_budgets[start..start + n].iter().zip(&form.budgets);
                    let fits = window.iter().zip(&form.words).zip(budgets).all(|((token, word), (a, b))| {
                        let budget = *a.min(b);
                        match bounded_distance(&token.text, word, budget) {
                            Some(d) => {
                                edits += d;
                                true
                            }
                            // "colouring" for "colour", "corn" for "corns", and
                            // "thia" for "thai", a swap too short for a typo's budget.
                            None if inflected(&token.text, word)
                                || inflected(word, &token.text)
                                || swapped(&token.text, word) =>
                            {
                                edits += 1;
                                true
                            }
                            None => false,
                        }
                    });
                    if fits {
                        out.push(self.candidate(form.value, window, edits));
                    }
                }
                // One word more or fewer, matching once glued ("hair cut").
                for len in [n.saturating_sub(1), n + 1] {
                    if len == 0 || len == n || start + len > tokens.len() {
                        continue;
                    }
                    let window = &tokens[start..start + len];
                    let mut rest = form.joined.as_str();
                    let glued = window.iter().all(|t| match rest.strip_prefix(t.text.as_str()) {
                        Some(after) => {
                            rest = after;
                            true
                        }
                        None => false,
                    });
                    if glued && rest.is_empty() {
                        out.push(self.candidate(form.value, window, 1));
                    }
                }
            }
        }
    }

    fn candidate(&self, value: usize, window: &[Token], edits: usize) -> Candidate {
        let mut c = Candidate::new(
            &self.entity,
            EntityValue::Text { value: self.values[value].clone() },
            window[0].start,
            window[window.len() - 1].end,
        );
        c.penalty = edits;
        c
    }
}

/// Whether `token` is `word` with an English inflection ("coloured",
/// "colouring", "dyed", "highlights"): the suffix stripped, the rest is
/// `word` exactly and at least three letters long.
pub(crate) fn inflected(token: &str, word: &str) -> bool {
    const SUFFIXES: &[&str] = &["ing", "ed", "es", "d", "s"];
    // "tidied", "tidies" for "tidy".
    if let Some(stem) = word.strip_suffix('y').filter(|s| s.chars().count() >= 3) {
        if ["ied", "ies"].iter().any(|e| token.strip_prefix(stem) == Some(e)) {
            return true;
        }
    }
    token.len() > word.len()
        && token.starts_with(word)
        && SUFFIXES.contains(&&token[word.len()..])
        && word.chars().count() >= 3
}

/// Whether `a` is `b` with two neighbouring letters swapped ("thia" for
/// "thai"), both of at least four letters.
fn swapped(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    if a.len() != b.len() || a.len() < 4 || !a.iter().all(|c| c.is_alphabetic()) {
        return false;
    }
    let differ: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
    matches!(differ.as_slice(), [i, j] if *j == i + 1 && a[*i] == b[*j] && a[*j] == b[*i])
}

/// The Damerau-Levenshtein distance (optimal string alignment: insertions,
/// deletions, substitutions and swaps of neighbours) between `a` and `b`,
/// if it is at most `limit`.
pub(crate) fn bounded_distance(a: &str, b: &str, limit: usize) -> Option<usize> {
    if a == b {
        return Some(0);
    }
    if limit == 0 {
        return None;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    let width = b.len() + 1;
    let mut previous2 = vec![0usize; width];
    let mut previous: Vec<usize> = (0..width).collect();
    let mut current = vec![0usize; width];
    for i in 1..=a.len() {
        current[0] = i;
        let mut row_min = current[0];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(previous2[j - 2] + 1);
            }
            current[j] = d;
            row_min = row_min.min(d);
        }
        if row_min > limit {
            return None;
        }
        std::mem::swap(&mut previous2, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let d = previous[b.len()];
    (d <= limit).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    #[test]
    fn distance_counts_swaps_as_one_edit() {
        assert_eq!(bounded_distance("haircut", "haircut", 1), Some(0));
        assert_eq!(bounded_distance("hiarcut", "haircut", 1), Some(1));
        assert_eq!(bounded_distance("harcut", "haircut", 1), Some(1));
        assert_eq!(bounded_distance("manicure", "pedicure", 2), None);
        assert_eq!(bounded_distance("colour", "color", 1), Some(1));
        assert_eq!(bounded_distance("", "abc", 3), Some(3));
        assert_eq!(bounded_distance("ça", "ca", 1), Some(1));
    }

    fn found(matcher: &ListMatcher, text: &str) -> Vec<(String, String)> {
        let mut out = Vec::new();
        matcher.find(&tokenize(text), &mut out);
        out.iter().map(|c| (c.value.display(), text[c.start..c.end].to_string())).collect()
    }

    #[test]
    fn a_service_is_found_by_a_word_of_its_own_concept() {
        let services = ListMatcher::new(
            "service",
            [
                ("colour".to_string(), vec!["Colour", "dye job"]),
                ("blow_dry".to_string(), vec!["Blow-dry"]),
                ("womens".to_string(), vec!["Women's haircut"]),
                ("mens".to_string(), vec!["Men's haircut", "sick call"]),
            ],
        )
        .by_concept();
        assert_eq!(found(&services, "need my roots done"), [("colour".into(), "roots".into())]);
        assert_eq!(found(&services, "just want it styled nicely"), [("blow_dry".into(), "styled".into())]);
        // Both haircuts are cuts; a synonym's stray word claims nothing.
        assert!(found(&services, "a quick trim").is_empty());
        assert!(found(&services, "my cell is 555").is_empty());
        // A service named outright is not looked for by concept.
        assert_eq!(found(&services, "a colour for my roots"), [("colour".into(), "colour".into())]);
    }

    #[test]
    fn short_words_match_with_two_letters_swapped() {
        assert!(swapped("thia", "thai") && swapped("nial", "nail"));
        assert!(!swapped("thai", "thai") && !swapped("tiah", "thai") && !swapped("tha", "aht"));
    }

    #[test]
    fn inflected_words_match_their_value() {
        assert!(inflected("coloured", "colour") && inflected("dyed", "dye") && inflected("waxing", "wax"));
        assert!(inflected("tidied", "tidy") && inflected("tidies", "tidy") && !inflected("tidied", "tide"));
        assert!(
            inflected("highlights", "highlight") && !inflected("colours", "col") && !inflected("as", "a")
        );
    }

    #[test]
    fn typos_are_tolerated_by_word_length() {
        let m = ListMatcher::new(
            "service",
            [
                ("womens_haircut".to_string(), vec!["Women's haircut", "ladies cut"]),
                ("mens_haircut".to_string(), vec!["Men's haircut"]),
                ("highlights".to_string(), vec!["highlights"]),
            ],
        );
        let womens = ("womens_haircut".to_string(), "Women’s Haircut".to_string());
        assert_eq!(found(&m, "a Women’s Haircut please"), [womens]);
        assert_eq!(found(&m, "womens haircut")[0].0, "womens_haircut");
        assert_eq!(found(&m, "womens hiarcut")[0].0, "womens_haircut");
        assert_eq!(found(&m, "womens hair cut")[0].0, "womens_haircut");
        assert_eq!(found(&m, "a highlight")[0].0, "highlights", "the singular of a plural form");
        // "mens" is one word too short for typos: no confusion with "womens".
        assert_eq!(found(&m, "mens haircut"), [("mens_haircut".into(), "mens haircut".into())]);
        // Two typos in a 10-letter word are fine, three are not.
        assert_eq!(found(&m, "higlihgts")[0].0, "highlights");
        assert!(found(&m, "hgliihgts").is_empty());
        // Short words must be exact, on either side.
        assert!(found(&m, "ladies cat").is_empty());
        let stylists = ListMatcher::new("stylist", [("sofia".to_string(), vec!["Sofia"])]);
        assert!(found(&stylists, "on the sofa").is_empty());
        assert_eq!(found(&stylists, "with Sofai")[0].0, "sofia");
    }
}
