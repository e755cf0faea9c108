//! A small built-in English lexicon for the vocabulary of service
//! businesses: texting forms ("u", "ur", "pls"), a light stemmer, concepts
//! (groups of words that answer the same kind of question: car, garage and
//! park; amex, visa and card; wheelchair, ramp and step-free) and generic
//! words that say little about a question's topic.
//!
//! Knowledge search expands queries and entries with their concepts, so
//! "is there somewhere to leave my car?" meets "Do you have parking?", and
//! the lexical classifier can use them as features. The data are three
//! small text files compiled in (`concepts.txt`, `texting.txt`,
//! `generic.txt`); nothing is loaded at run time.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

const CONCEPTS: &str = include_str!("concepts.txt");
const TEXTING: &str = include_str!("texting.txt");
const GENERIC: &str = include_str!("generic.txt");

/// The identifier of a concept: its line in `concepts.txt`.
pub type ConceptId = u16;

/// One word of a text, analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The word, lower-cased, apostrophes dropped, texting forms expanded.
    pub word: String,
    /// Its stem (see [`stem`]).
    pub stem: String,
    /// The concepts it belongs to, alone or as part of a phrase.
    pub concepts: Vec<ConceptId>,
    /// Whether it is part of a phrase of the lexicon ("no show", "walk in").
    pub in_phrase: bool,
    /// Whether it is a generic word (see the module documentation).
    pub generic: bool,
}

/// The compiled lexicon.
#[derive(Debug)]
pub struct Lexicon {
    names: Vec<String>,
    texting: HashMap<String, String>,
    by_stem: HashMap<String, Vec<ConceptId>>,
    /// Phrases by the stem of their first word: the stems and the concept.
    phrases: HashMap<String, Vec<(Vec<String>, ConceptId)>>,
    generic: HashSet<String>,
}

/// The built-in lexicon (parsed once, on first use).
pub fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| Lexicon::parse(CONCEPTS, TEXTING, GENERIC))
}

/// Lower-cases `text` and splits it into words (runs of letters and
/// digits); apostrophes inside words are dropped ("what's" gives "whats").
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            current.extend(ch.to_lowercase());
        } else if matches!(ch, '\'' | '’' | '‘' | '`' | 'ʼ') {
            // Dropped, so the word goes on.
        } else if !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// A light English stemmer: plurals (`-s`, `-es`, `-ies`), `-ing` and `-ed`
/// with their doubled consonants ("shutting", "shut"), and a final silent
/// `e` of longer words ("closes", "closed", "closing" and "close" all give
/// "clos"). Words of three letters or fewer are kept as they are.
pub fn stem(word: &str) -> String {
    let w = word.as_bytes();
    if w.len() <= 3 || !word.is_ascii() {
        return word.to_string();
    }
    let mut s: &str = word;
    if let Some(base) = s.strip_suffix("ies") {
        if base.len() >= 2 {
            return format!("{base}y");
        }
    } else if let Some(base) = s.strip_suffix("sses") {
        s = &word[..base.len() + 2];
    } else if s.ends_with("ss") || s.ends_with("us") || s.ends_with("is") {
        // "access", "bus", "this": not plurals.
    } else if let Some(base) = s.strip_suffix("es").filter(|b| {
        b.len() >= 3
            && (b.ends_with('s')
                || b.ends_with('x')
                || b.ends_with('z')
                || b.ends_with("ch")
                || b.ends_with("sh"))
    }) {
        s = base;
    } else if let Some(base) = s.strip_suffix('s').filter(|b| b.len() >= 3) {
        s = base;
    }
    let mut suffixed = false;
    for suffix in ["ing", "ed"] {
        if let Some(base) = s.strip_suffix(suffix) {
            // A vowel must be left ("bring" and "red" are words, not forms).
            if base.len() >= 3 && base.bytes().any(is_vowel) {
                s = base;
                suffixed = true;
            }
            break;
        }
    }
    let b = s.as_bytes();
    let n = b.len();
    if suffixed
        && n >= 4
        && b[n - 1] == b[n - 2]
        && !is_vowel(b[n - 1])
        && !matches!(b[n - 1], b'l' | b's' | b'z')
    {
        return s[..n - 1].to_string();
    }
    if n >= 5 && b[n - 1] == b'e' && !is_vowel(b[n - 2]) {
        return s[..n - 1].to_string();
    }
    s.to_string()
}

fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The items of a concept line: words and `"quoted phrases"`.
fn items(list: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = list.trim();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"').unwrap_or(quoted.len());
            out.push(&quoted[..end]);
            rest = quoted.get(end + 1..).unwrap_or("").trim_start();
        } else {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = rest[end..].trim_start();
        }
    }
    out
}

impl Lexicon {
    /// Compiles a lexicon from the text formats of the built-in files.
    pub fn parse(concepts: &str, texting: &str, generic: &str) -> Lexicon {
        let texting: HashMap<String, String> = data_lines(texting)
            .filter_map(|l| l.split_once(char::is_whitespace))
            .map(|(form, word)| (form.to_string(), word.trim().to_string()))
            .collect();
        let mut lexicon = Lexicon {
            names: Vec::new(),
            texting,
            by_stem: HashMap::new(),
            phrases: HashMap::new(),
            generic: HashSet::new(),
        };
        for line in data_lines(concepts) {
            let Some((name, list)) = line.split_once(':') else {
                continue;
            };
            let id = lexicon.names.len() as ConceptId;
            lexicon.names.push(name.trim().to_string());
            for item in items(list) {
                let stems: Vec<String> = words(item).iter().map(|w| stem(lexicon.expand(w))).collect();
                match stems.len() {
                    0 => {}
                    1 => {
                        let ids = lexicon.by_stem.entry(stems[0].clone()).or_default();
                        if !ids.contains(&id) {
                            ids.push(id);
                        }
                    }
                    _ => lexicon.phrases.entry(stems[0].clone()).or_default().push((stems, id)),
                }
            }
        }
        for line in data_lines(generic) {
            for w in line.split_whitespace() {
                lexicon.generic.insert(stem(w));
            }
        }
        lexicon
    }

    /// The word a texting form stands for ("u" is "you"), or the word.
    pub fn expand<'a>(&'a self, word: &'a str) -> &'a str {
        self.texting.get(word).map_or(word, String::as_str)
    }

    /// The stems of the words that belong to a concept, with their concepts.
    pub fn concept_words(&self) -> impl Iterator<Item = (&str, &[ConceptId])> {
        self.by_stem.iter().map(|(stem, ids)| (stem.as_str(), ids.as_slice()))
    }

    /// A concept's name (its label in `concepts.txt`).
    pub fn concept_name(&self, id: ConceptId) -> &str {
        &self.names[usize::from(id)]
    }

    /// The concept named `name`, if there is one.
    pub fn concept(&self, name: &str) -> Option<ConceptId> {
        self.names.iter().position(|n| n == name).map(|i| i as ConceptId)
    }

    /// Whether a stem is a generic word.
    pub fn is_generic(&self, stem: &str) -> bool {
        self.generic.contains(stem)
    }

    /// The words of `text` with their stems, concepts and flags.
    pub fn analyse(&self, text: &str) -> Vec<Token> {
        self.analyse_words(&words(text))
    }

    /// [`Lexicon::analyse`] for a text already split by [`words`].
    pub fn analyse_words(&self, words: &[String]) -> Vec<Token> {
        let mut tokens: Vec<Token> = words
            .iter()
            .map(|w| {
                let word = self.expand(w).to_string();
                let stem = stem(&word);
                let concepts = self.by_stem.get(&stem).cloned().unwrap_or_default();
                let generic = self.generic.contains(&stem);
                Token { word, stem, concepts, in_phrase: false, generic }
            })
            .collect();
        for start in 0..tokens.len() {
            let Some(candidates) = self.phrases.get(&tokens[start].stem) else {
                continue;
            };
            for (stems, id) in candidates {
                let end = start + stems.len();
                if end <= tokens.len() && tokens[start..end].iter().zip(stems).all(|(t, s)| &t.stem == s) {
                    for t in &mut tokens[start..end] {
                        t.in_phrase = true;
                        if !t.concepts.contains(id) {
                            t.concepts.push(*id);
                        }
                    }
                }
            }
        }
        tokens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_plurals_and_verb_forms_together() {
        for (words, expected) in [
            (&["close", "closes", "closed", "closing"][..], "clos"),
            (&["park", "parks", "parking", "parked"], "park"),
            (&["price", "prices", "priced"], "pric"),
            (&["shut", "shuts", "shutting"], "shut"),
            (&["child"], "child"),
            (&["kids", "kid"], "kid"),
            (&["access"], "access"),
            (&["boxes", "box"], "box"),
            (&["stories", "story"], "story"),
            (&["bring"], "bring"),
            (&["care"], "care"),
        ] {
            for w in words {
                assert_eq!(stem(w), expected, "{w}");
            }
        }
    }

    #[test]
    fn analyses_texting_forms_concepts_and_phrases() {
        let lexicon = lexicon();
        let payment = lexicon.concept("payment").unwrap();
        let tokens = lexicon.analyse("do u take Amex or Apple Pay?");
        assert_eq!(tokens[1].word, "you");
        assert!(tokens[3].concepts.contains(&payment), "{tokens:?}");
        assert!(tokens[5].in_phrase && tokens[5].concepts.contains(&payment), "{tokens:?}");
        let parking = lexicon.concept("parking").unwrap();
        let car = lexicon.analyse("where can I leave my car");
        assert!(car[5].concepts.contains(&parking) && car[3].generic && !car[5].generic, "{car:?}");
        let cancel = lexicon.concept("cancel").unwrap();
        let bail = lexicon.analyse("what if I'm a no-show, or cancelling last minute");
        assert!(bail.iter().filter(|t| t.concepts.contains(&cancel)).count() >= 4, "{bail:?}");
    }

    #[test]
    fn every_concept_line_parses_and_names_are_unique() {
        let lexicon = lexicon();
        assert!(lexicon.names.len() > 40, "{}", lexicon.names.len());
        let unique: HashSet<&String> = lexicon.names.iter().collect();
        assert_eq!(unique.len(), lexicon.names.len());
        assert_eq!(lexicon.expand("ur"), "your");
        assert!(lexicon.is_generic(&stem("somewhere")));
    }
}
