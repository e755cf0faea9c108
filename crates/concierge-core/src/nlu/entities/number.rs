//! Numbers written with digits ("25", "1,250.5") or English words
//! ("twenty five", "three hundred and two", "two point five").

use super::tokens::Token;
use super::Candidate;
use crate::nlu::EntityValue;

/// Finds numbers written with digits. Digits glued to letters ("3pm", "a1")
/// are left to other extractors.
pub(crate) fn digit_numbers(text: &str, out: &mut Vec<Candidate>) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() || (i > 0 && is_word_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        let mut end = i;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        // Thousands groups: exactly three digits after each comma.
        if end - start <= 3 {
            while end + 4 <= bytes.len()
                && bytes[end] == b','
                && bytes[end + 1..end + 4].iter().all(u8::is_ascii_digit)
                && !bytes.get(end + 4).is_some_and(u8::is_ascii_digit)
            {
                end += 4;
            }
        }
        // A decimal part.
        if end + 1 < bytes.len() && bytes[end] == b'.' && bytes[end + 1].is_ascii_digit() {
            end += 1;
            while end < bytes.len() && bytes[end].is_ascii_digit() {
                end += 1;
            }
        }
        let glued = bytes.get(end).is_some_and(|&b| is_word_byte(b));
        if !glued {
            let digits: String = text[start..end].chars().filter(|c| *c != ',').collect();
            if let Ok(value) = digits.parse::<f64>() {
                if value.is_finite() {
                    out.push(Candidate::new("number", EntityValue::Number { value }, start, end));
                }
            }
        }
        i = end.max(i + 1);
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Word {
    Unit(f64),
    Teen(f64),
    Tens(f64),
    Hundred,
    Scale(f64),
    And,
    A,
    Point,
}

fn number_word(word: &str) -> Option<Word> {
    const UNITS: [&str; 10] =
        ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
    const TEENS: [&str; 10] = [
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
    if let Some(i) = UNITS.iter().position(|w| *w == word) {
        return Some(Word::Unit(i as f64));
    }
    if let Some(i) = TEENS.iter().position(|w| *w == word) {
        return Some(Word::Teen(10.0 + i as f64));
    }
    if let Some(i) = TENS.iter().position(|w| *w == word) {
        return Some(Word::Tens(20.0 + 10.0 * i as f64));
    }
    Some(match word {
        "hundred" => Word::Hundred,
        "thousand" => Word::Scale(1e3),
        "million" => Word::Scale(1e6),
        "billion" => Word::Scale(1e9),
        "dozen" => Word::Scale(12.0),
        "and" => Word::And,
        "a" | "an" => Word::A,
        "point" => Word::Point,
        _ => return None,
    })
}

/// A number being read from words.
#[derive(Default)]
struct Reading {
    total: f64,
    group: f64,
    /// The last word read was a unit or teen (so another one starts a new number).
    after_small: bool,
    /// The group already has tens (so only a unit may follow).
    has_tens: bool,
    /// At least one real number word (not just "a" or "and") was read.
    started: bool,
}

/// Finds numbers written in English words. `tokens` are the message's words.
pub(crate) fn word_numbers(text: &str, tokens: &[Token], out: &mut Vec<Candidate>) {
    let _ = text;
    let mut i = 0;
    while i < tokens.len() {
        match read_words(tokens, i) {
            Some((value, end)) => {
                out.push(Candidate::new(
                    "number",
                    EntityValue::Number { value },
                    tokens[i].start,
                    tokens[end - 1].end,
                ));
                i = end;
            }
            None => i += 1,
        }
    }
}

/// Reads a number starting at token `start`: its value and the index past its last word.
fn read_words(tokens: &[Token], start: usize) -> Option<(f64, usize)> {
    let mut r = Reading::default();
    let mut last_good: Option<(f64, usize)> = None;
    let mut i = start;
    while i < tokens.len() {
        let Some(word) = number_word(&tokens[i].text) else {
            break;
        };
        // Words must be adjacent (only spaces or hyphens between them).
        if i > start && !adjacent(&tokens[i - 1], &tokens[i]) {
            break;
        }
        match word {
            Word::A => {
                // "a hundred", "a thousand", "a dozen" only.
                if r.started
                    || !matches!(
                        tokens.get(i + 1).and_then(|t| number_word(&t.text)),
                        Some(Word::Hundred | Word::Scale(_))
                    )
                {
                    break;
                }
                r.group = 1.0;
            }
            Word::And => {
                // Only inside a number: "one hundred and five".
                if !r.started
                    || r.after_small
                    || r.has_tens
                    || !matches!(
                        tokens.get(i + 1).and_then(|t| number_word(&t.text)),
                        Some(Word::Unit(_) | Word::Teen(_) | Word::Tens(_))
                    )
                {
                    break;
                }
            }
            Word::Unit(v) | Word::Teen(v) => {
                if r.after_small || (r.has_tens && matches!(word, Word::Teen(_))) {
                    break;
                }
                r.group += v;
                r.after_small = true;
                r.started = true;
            }
            Word::Tens(v) => {
                if r.after_small || r.has_tens || r.group % 100.0 != 0.0 {
                    break;
                }
                r.group += v;
                r.has_tens = true;
                r.started = true;
            }
            Word::Hundred => {
                if r.group >= 100.0 || (!r.started && r.group == 0.0) {
                    break;
                }
                r.group = r.group.max(1.0) * 100.0;
                r.after_small = false;
                r.has_tens = false;
                r.started = true;
            }
            Word::Scale(scale) => {
                if r.group == 0.0 {
                    break;
                }
                r.total += r.group.max(1.0) * scale;
                r.group = 0.0;
                r.after_small = false;
                r.has_tens = false;
                r.started = true;
            }
            Word::Point => {
                if !r.started {
                    break;
                }
                // Digits after the point, one word each: "two point five oh"?
                let mut fraction = String::new();
                let mut j = i + 1;
                while let Some(Word::Unit(d)) = tokens.get(j).and_then(|t| number_word(&t.text)) {
                    if !adjacent(&tokens[j - 1], &tokens[j]) {
                        break;
                    }
                    fraction.push(char::from(b'0' + d as u8));
                    j += 1;
                }
                if fraction.is_empty() {
                    break;
                }
                let whole = r.total + r.group;
                let value = format!("{whole}.{fraction}").parse::<f64>().ok()?;
                return Some((value, j));
            }
        }
        i += 1;
        if r.started && !matches!(word, Word::And | Word::A) {
            last_good = Some((r.total + r.group, i));
        }
    }
    last_good
}

fn adjacent(a: &Token, b: &Token) -> bool {
    // The caller only has offsets; any gap of up to 3 bytes of spaces or
    // hyphens counts (checked by length; the tokenizer drops only non-words).
    b.start >= a.end && b.start - a.end <= 3
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn numbers(text: &str) -> Vec<(f64, &str)> {
        let mut out = Vec::new();
        digit_numbers(text, &mut out);
        word_numbers(text, &tokenize(text), &mut out);
        out.sort_by_key(|c| c.start);
        out.iter()
            .map(|c| match c.value {
                EntityValue::Number { value } => (value, &text[c.start..c.end]),
                _ => unreachable!(),
            })
            .collect()
    }

    #[test]
    fn digits() {
        assert_eq!(numbers("table for 4"), [(4.0, "4")]);
        assert_eq!(numbers("1,250.50 and 3.5, 7."), [(1250.5, "1,250.50"), (3.5, "3.5"), (7.0, "7")]);
        assert_eq!(numbers("at 3pm in room a1"), []);
        assert_eq!(numbers("1,2,3"), [(1.0, "1"), (2.0, "2"), (3.0, "3")]);
    }

    #[test]
    fn words() {
        assert_eq!(numbers("twenty five people"), [(25.0, "twenty five")]);
        assert_eq!(numbers("twenty-five"), [(25.0, "twenty-five")]);
        assert_eq!(numbers("three hundred and two"), [(302.0, "three hundred and two")]);
        assert_eq!(numbers("a hundred"), [(100.0, "a hundred")]);
        assert_eq!(numbers("two point five"), [(2.5, "two point five")]);
        assert_eq!(numbers("one two"), [(1.0, "one"), (2.0, "two")]);
        assert_eq!(numbers("five thousand three hundred"), [(5300.0, "five thousand three hundred")]);
        assert_eq!(numbers("me and a friend"), []);
        assert_eq!(numbers("one and two"), [(1.0, "one"), (2.0, "two")]);
        assert_eq!(numbers("twenty twenty"), [(20.0, "twenty"), (20.0, "twenty")]);
    }

    #[test]
    fn huge_and_odd_input_does_not_panic() {
        let huge = "9".repeat(500);
        let found = numbers(&huge);
        assert!(found.is_empty() || found[0].0.is_finite());
        let _ = numbers("١٢٣ ½ 𝟙𝟚 ,,, ... 1,");
        let _ = numbers(&"hundred ".repeat(50));
        let _ = numbers(&"nine thousand ".repeat(100));
    }
}
