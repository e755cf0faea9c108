//! A small BM25 index over titles, alternative questions and answers.
//!
//! Fields are weighted: a word in the title or an alternative phrasing counts
//! more than a word of the answer, because people ask questions that look
//! like the FAQ's question, not like its answer.
//!
//! Words are matched through the built-in [`lexicon`](crate::lexicon) too:
//! texting forms are expanded, words stemmed, and a query word also matches
//! entries that share one of its concepts ("amex" finds "card"), for a
//! little less than the word itself. Generic words ("come", "somewhere")
//! weigh less than topical ones.

use std::collections::HashMap;

use super::{Hit, KnowledgeEntry, KnowledgeSearch};
use crate::lexicon::{lexicon, ConceptId};
use crate::nlu::entities::bounded_distance;

const STOPWORDS: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "do", "does", "did", "you", "your", "i", "me", "my",
    "we", "our", "it", "its", "to", "of", "in", "on", "at", "for", "and", "or", "can", "could", "would",
    "will", "what", "whats", "how", "there", "have", "has", "any", "this", "that", "with", "if", "so",
    "please", "s", "tell", "about", "know", "want", "like", "need", "get", "from", "by", "as", "am", "not",
    "who", "whom", "when", "where", "which", "why", "im", "ive", "id", "youre", "dont", "doesnt", "isnt",
    "arent", "theres", "thats", "whens", "wheres", "hows", "youll", "weve", "t", "d", "ll", "m", "re", "ve",
];

/// How much a word matched only through a shared concept counts, relative
/// to the word itself ("car" for "parking").
const CONCEPT_MATCH: f32 = 0.8;
/// How much a word matched only as a misspelling of an indexed word counts
/// ("cancelation" for "cancellation"), relative to the word itself.
const MISSPELLING_MATCH: f32 = 0.8;
/// The edits a word may be from the word it misspells: none under six
/// letters, where real words lie one edit apart ("chill" is no "child"),
/// one up to eight, two from nine ("cancelation").
pub(crate) fn misspelling_edits(word: &str) -> usize {
    match word.chars().count() {
        0..=5 => 0,
        6..=8 => 1,
        _ => 2,
    }
}

/// How much a generic word ("come", "somewhere", "able") weighs, relative
/// to a topical one, in scores and in coverage.
const GENERIC_WEIGHT: f32 = 0.2;

/// One informative word of a text: its stem, its concepts and its weight.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Term {
    /// The word as analysed (lower-cased, texting forms expanded), before stemming.
    pub(crate) word: String,
    pub(crate) stem: String,
    pub(crate) concepts: Vec<ConceptId>,
    pub(crate) weight: f32,
    /// Whether it says who the customer asks for ("my dad", "my son"),
    /// not what about.
    pub(crate) whom: bool,
}

/// Concepts of the lexicon that say whom a question is for.
const WHOM: &[&str] = &["family", "children"];

/// The informative words of `text`: lower-cased, texting forms expanded,
/// stemmed (see [`stem`]), stop words removed, with their concepts from the
/// built-in lexicon and the lower weight of generic words (stop words and
/// generic words of a phrase of the lexicon, such as "where are you", count
/// in full).
pub(crate) fn terms(text: &str) -> Vec<Term> {
    let lexicon = lexicon();
    let whom: Vec<ConceptId> = WHOM.iter().filter_map(|n| lexicon.concept(n)).collect();
    lexicon
        .analyse(text)
        .into_iter()
        // A stop word of a phrase of the lexicon stays ("where are you").
        .filter(|t| t.in_phrase || !STOPWORDS.contains(&t.word.as_str()))
        .map(|t| Term {
            stem: stem(&t.word),
            word: t.word,
            weight: if t.generic && !t.in_phrase { GENERIC_WEIGHT } else { 1.0 },
            whom: !t.in_phrase && t.concepts.iter().any(|c| whom.contains(c)),
            concepts: t.concepts,
        })
        .collect()
}

/// BM25's own light stemmer (plural and common verb endings), tuned on
/// StackFAQ: words are indexed by it, while concepts are looked up by the
/// lexicon's fuller stemmer.
fn stem(word: &str) -> String {
    for suffix in ["ing", "ies", "es", "ed", "s"] {
        if let Some(base) = word.strip_suffix(suffix) {
            if base.chars().count() >= 3 {
                return if suffix == "ies" { format!("{base}y") } else { base.to_string() };
            }
        }
    }
    word.to_string()
}

/// The posting key of a concept (never a word: words have no control characters).
fn concept_key(id: ConceptId) -> String {
    format!("\u{1}{id}")
}

/// BM25's saturation and length normalisation, and the weight of each field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bm25Params {
    /// Term-frequency saturation (BM25's k1).
    pub k1: f32,
    /// Length normalisation, 0 (none) to 1 (full) (BM25's b).
    pub b: f32,
    /// How many times a title word counts.
    pub title_weight: f32,
    /// How many times a word of an alternative phrasing counts.
    pub alternative_weight: f32,
    /// How many times an answer word counts (0 leaves answers out).
    pub text_weight: f32,
}

impl Default for Bm25Params {
    /// Tuned on a training split of StackFAQ's queries (see the knowledge
    /// README): questions count twice as much as answers.
    fn default() -> Bm25Params {
        Bm25Params { k1: 1.2, b: 0.75, title_weight: 2.0, alternative_weight: 2.0, text_weight: 1.0 }
    }
}

/// An inverted index scored with BM25 over weighted fields.
#[derive(Debug, Clone, Default)]
pub struct Bm25Index {
    postings: HashMap<String, Vec<(usize, f32)>>,
    lengths: Vec<f32>,
    average_length: f32,
    params: Bm25Params,
}

impl Bm25Index {
    /// Indexes entries with the default parameters.
    pub fn new(entries: &[KnowledgeEntry]) -> Bm25Index {
        Bm25Index::with_params(entries, Bm25Params::default())
    }

    /// Indexes only the questions (titles and alternatives), for deciding
    /// whether a message asks one of them.
    pub fn questions_only(entries: &[KnowledgeEntry]) -> Bm25Index {
        Bm25Index::with_params(entries, Bm25Params { text_weight: 0.0, ..Bm25Params::default() })
    }

    /// Indexes entries with explicit parameters.
    pub fn with_params(entries: &[KnowledgeEntry], params: Bm25Params) -> Bm25Index {
        let mut postings: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
        let mut lengths = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let mut counts: HashMap<String, f32> = HashMap::new();
            let mut concepts: HashMap<String, f32> = HashMap::new();
            let mut add = |text: &str, weight: f32| {
                if weight > 0.0 {
                    for t in terms(text) {
                        *counts.entry(t.stem).or_default() += weight;
                        for c in t.concepts {
                            *concepts.entry(concept_key(c)).or_default() += weight;
                        }
                    }
                }
            };
            add(&e.title, params.title_weight);
            for alt in &e.alternatives {
                add(alt, params.alternative_weight);
            }
            add(&e.text, params.text_weight);
            // Concepts repeat words, so only the words make an entry long.
            lengths.push(counts.values().sum());
            for (t, n) in counts.into_iter().chain(concepts) {
                postings.entry(t).or_default().push((i, n));
            }
        }
        let average_length =
            if lengths.is_empty() { 0.0 } else { lengths.iter().sum::<f32>() / lengths.len() as f32 };
        Bm25Index { postings, lengths, average_length, params }
    }

    fn idf(&self, postings: usize) -> f32 {
        let n = self.lengths.len() as f32;
        let df = postings as f32;
        ((n - df + 0.5) / (df + 0.5) + 1.0).ln()
    }
}

/// The concepts of the lexicon's word `word` misspells ("apointment" is
/// "appointment"): those of the closest concept word within the edits a
/// word of its length allows, when one alone is closest.
fn misspelt_concepts(word: &str) -> Vec<ConceptId> {
    let limit = misspelling_edits(word);
    if limit == 0 {
        return Vec::new();
    }
    let mut best: Option<(usize, &[ConceptId])> = None;
    let mut tied = false;
    for (stem, concepts) in lexicon().concept_words() {
        let Some(d) = bounded_distance(word, stem, limit) else { continue };
        match best {
            Some((b, c)) if d == b && c != concepts => tied = true,
            Some((b, _)) if d >= b => {}
            _ => {
                best = Some((d, concepts));
                tied = false;
            }
        }
    }
    match best {
        Some((_, concepts)) if !tied => concepts.to_vec(),
        _ => Vec::new(),
    }
}

impl Bm25Index {
    /// The indexed word (a stem) `word` misspells ("cancelation" for
    /// "cancellation"): the closest within the edits a word of its length
    /// allows, the most common of equally close ones. Short words have none.
    fn misspelt(&self, word: &str) -> Option<&String> {
        let limit = misspelling_edits(word);
        if limit == 0 {
            return None;
        }
        self.postings
            .iter()
            .filter(|(key, _)| !key.starts_with('\u{1}'))
            .filter_map(|(key, list)| bounded_distance(word, key, limit).map(|d| (d, list.len(), key)))
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)))
            .map(|(_, _, key)| key)
    }
}

impl KnowledgeSearch for Bm25Index {
    /// BM25 over the query's words, each also matched through its concepts
    /// (a concept match counts [`CONCEPT_MATCH`] of a word match); a hit's
    /// coverage is the share of the query's weight (each word's idf times
    /// its generic-or-topical weight) the entry matches.
    fn search(&self, query: &str, k: usize) -> Vec<Hit> {
        let Bm25Params { k1, b, .. } = self.params;
        let mut query_terms = terms(query);
        query_terms.sort_by(|a, b| a.stem.cmp(&b.stem).then(b.weight.total_cmp(&a.weight)));
        query_terms.dedup_by(|a, b| a.stem == b.stem);
        // Words unknown to the index still count against coverage, with the
        // weight of the rarest possible word.
        let unknown_idf = self.idf(0);
        let mut total_weight = 0.0f32;
        // Per document: (score, matched weight), and the best match of the
        // current query word so far.
        let mut scores: HashMap<usize, (f32, f32)> = HashMap::new();
        let mut best: HashMap<usize, (f32, f32)> = HashMap::new();
        for t in &query_terms {
            let mut concept_lists: Vec<_> = t
                .concepts
                .iter()
                .filter_map(|&c| self.postings.get(&concept_key(c)))
                .map(|list| (list, CONCEPT_MATCH))
                .collect();
            let mut word = self.postings.get(&t.stem).map(|list| (list, 1.0f32));
            // "what's the cancelation policy": a word neither indexed nor of
            // a concept is read as the indexed or concept word it misspells.
            if word.is_none() && concept_lists.is_empty() {
                word =
                    self.misspelt(&t.word).and_then(|w| self.postings.get(w)).map(|l| (l, MISSPELLING_MATCH));
                concept_lists = misspelt_concepts(&t.word)
                    .iter()
                    .filter_map(|&c| self.postings.get(&concept_key(c)))
                    .map(|list| (list, CONCEPT_MATCH * MISSPELLING_MATCH))
                    .collect();
            }
            let idf_of_word = match word {
                Some((list, _)) => self.idf(list.len()),
                None => concept_lists
                    .iter()
                    .map(|(l, _)| self.idf(l.len()))
                    .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.max(x))))
                    .unwrap_or(unknown_idf),
            };
            // "my dad's in a wheelchair, can he get in?": whom a question
            // is for, when no entry speaks of such people, says little of
            // what it is about.
            let unknown = word.is_none() && concept_lists.is_empty();
            let weight = if unknown && t.whom { GENERIC_WEIGHT } else { t.weight } * idf_of_word;
            total_weight += weight;
            best.clear();
            for (list, factor) in word.into_iter().chain(concept_lists) {
                let idf = self.idf(list.len());
                for &(doc, tf) in list {
                    let norm = 1.0 - b + b * self.lengths[doc] / self.average_length.max(1.0);
                    let score = t.weight * factor * idf * tf * (k1 + 1.0) / (tf + k1 * norm);
                    let e = best.entry(doc).or_default();
                    e.0 = e.0.max(score);
                    e.1 = e.1.max(factor * weight);
                }
            }
            for (&doc, &(score, matched)) in &best {
                let entry = scores.entry(doc).or_default();
                entry.0 += score;
                entry.1 += matched;
            }
        }
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .map(|(entry, (score, matched))| Hit {
                entry,
                score,
                coverage: (matched / total_weight.max(f32::EPSILON)).min(1.0),
            })
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));
        hits.truncate(k);
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, title: &str, text: &str) -> KnowledgeEntry {
        KnowledgeEntry {
            id: id.into(),
            title: title.into(),
            alternatives: vec![],
            text: text.into(),
            source: "test".into(),
        }
    }

    #[test]
    fn ranks_the_matching_entry_first_with_full_coverage() {
        let entries = vec![
            entry("parking", "Do you have parking?", "Free parking behind the salon."),
            entry("payment", "Which payment methods do you take?", "Cards and cash."),
            entry("prices", "How much is a haircut?", "From $35."),
        ];
        let index = Bm25Index::new(&entries);
        let hits = index.search("is there any parking nearby?", 3);
        assert_eq!(hits[0].entry, 0);
        assert!(hits[0].coverage > 0.25 && hits[0].coverage < 1.0, "{hits:?}");
        assert!(index.search("what's the capital of France?", 3).is_empty());
        assert_eq!(index.search("parking", 3)[0].coverage, 1.0);
    }

    #[test]
    fn a_misspelt_word_matches_the_word_it_misspells_for_less() {
        let entries = vec![
            entry("payment", "Which payment methods do you take?", "Cards and cash."),
            entry("policy", "What is your cancellation policy?", "24 hours notice."),
            entry("staff", "Who are your stylists?", "Maria and Ana."),
            entry("kids", "Do you cut a child's hair?", "From age 3."),
        ];
        let index = Bm25Index::new(&entries);
        let spelt = index.search("cancellation", 1)[0];
        let misspelt = index.search("cancelation", 3);
        assert_eq!(misspelt.len(), 1, "{misspelt:?}");
        assert_eq!(misspelt[0].entry, 1);
        assert!(misspelt[0].score < spelt.score, "{misspelt:?} {spelt:?}");
        // Short words are never read as misspellings ("cash" is no "cast",
        // "chill" no "child").
        assert!(index.search("cast", 3).is_empty());
        assert!(index.search("chill", 3).is_empty(), "{:?}", index.search("chill", 3));
        // Nor is a word two edits from any.
        assert!(index.search("cancelashun", 3).is_empty());
    }

    #[test]
    fn concepts_match_other_words_for_less_and_generic_words_weigh_little() {
        let entries = vec![
            entry("parking", "Do you have parking?", "Free spaces behind the salon."),
            entry("payment", "Which payment methods do you take?", "Cards and cash."),
        ];
        let index = Bm25Index::new(&entries);
        let car = index.search("is there somewhere to leave my car?", 2);
        assert_eq!(car.len(), 1, "{car:?}");
        assert_eq!(car[0].entry, 0);
        assert!(car[0].coverage > 0.3 && car[0].coverage < 1.0, "{car:?}");
        assert_eq!(index.search("do u take amex", 2)[0].entry, 1);
        // The word itself beats a concept match.
        let exact = index.search("parking", 1)[0].score;
        assert!(index.search("garage", 1)[0].score < exact);
    }

    #[test]
    fn whom_a_question_is_for_weighs_little_unless_an_entry_speaks_of_them() {
        let mut entries = vec![
            entry("access", "Do you have wheelchair access?", "A ramp at the front door."),
            entry("parking", "Do you have parking?", "Free spaces behind the salon."),
            entry("payment", "Which payment methods do you take?", "Cards and cash."),
            entry("hours", "When are you open?", "Tuesday to Saturday."),
        ];
        let coverage = |entries: &[KnowledgeEntry], query: &str| {
            let hits = Bm25Index::new(entries).search(query, 1);
            assert_eq!(hits[0].entry, 0, "{query}: {hits:?}");
            hits[0].coverage
        };
        let for_dad = coverage(&entries, "my dad's in a wheelchair, can he get in?");
        let alone = coverage(&entries, "in a wheelchair, can I get in?");
        assert!(for_dad > 0.5 && alone > 0.9, "{for_dad} vs {alone}");
        // Where an entry speaks of children, the word counts in full.
        entries.push(entry("kids", "Do you see children?", "From age 5."));
        assert_eq!(Bm25Index::new(&entries).search("can my son come too?", 1)[0].entry, 4);
    }

    #[test]
    fn stop_words_of_a_phrase_of_the_lexicon_count() {
        let entries = vec![
            entry("address", "Where are you located?", "12 Main Street."),
            entry("hours", "When are you open?", "Tuesday to Saturday."),
        ];
        let hits = Bm25Index::new(&entries).search("lol ok. where are you guys exactly?", 2);
        assert_eq!(hits[0].entry, 0, "{hits:?}");
        assert!(hits[0].coverage > 0.5, "{hits:?}");
    }

    #[test]
    fn answer_words_count_only_when_answers_are_indexed() {
        let entries = vec![entry("parking", "Do you have parking?", "Free spaces behind the salon.")];
        assert_eq!(Bm25Index::new(&entries).search("free spaces", 1).len(), 1);
        assert!(Bm25Index::questions_only(&entries).search("free spaces", 1).is_empty());
    }
}
