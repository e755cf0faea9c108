//! Splits a message into words, numbers and punctuation, keeping byte
//! offsets so matches can point back into the original text.
//!
//! Letters and digits never share a token ("3pm" is `3` then `pm`,
//! "2018Q4" is `2018`, `q`, `4`), which lets the grammar see units and
//! suffixes glued to numbers. Apostrophes inside words are dropped
//! ("o'clock" is `oclock`, "year's" is `years`) and words are lowercased.
//! Texting forms of day words, as the built-in lexicon spells them out
//! ("tmrw", "tomoz", "2moro", "2nite"), become the words they stand for.

/// What a token is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters (any script), lowercased, apostrophes removed.
    Word,
    /// ASCII digits.
    Number,
    /// Any other single character that is not whitespace.
    Punct,
}

/// One token with its place in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    /// Normalised text (lowercase word, digits, or the punctuation character).
    pub(crate) text: String,
    /// The value of a number token (saturating), 0 otherwise.
    pub(crate) value: u64,
    /// Byte offset of the first character.
    pub(crate) start: usize,
    /// Byte offset just past the last character.
    pub(crate) end: usize,
    /// Whether whitespace separates this token from the previous one.
    pub(crate) space_before: bool,
}

impl Token {
    /// Number of digits of a number token.
    pub(crate) fn digits(&self) -> usize {
        if self.kind == Kind::Number {
            self.text.len()
        } else {
            0
        }
    }

    /// Whether the token is the word `w`.
    pub(crate) fn is_word(&self, w: &str) -> bool {
        self.kind == Kind::Word && self.text == w
    }

    /// Whether the token is the punctuation character `c`.
    pub(crate) fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.len() == c.len_utf8() && self.text.starts_with(c)
    }
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Splits `text` into tokens.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut k = 0;
    let mut space_before = true;
    while k < chars.len() {
        let (start, c) = chars[k];
        if c.is_whitespace() {
            space_before = true;
            k += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let mut j = k;
            let mut value: u64 = 0;
            let mut digits = String::new();
            while j < chars.len() && chars[j].1.is_ascii_digit() {
                let d = u64::from(chars[j].1 as u8 - b'0');
                value = value.saturating_mul(10).saturating_add(d);
                digits.push(chars[j].1);
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
            tokens.push(Token { kind: Kind::Number, text: digits, value, start, end, space_before });
            k = j;
        } else if c.is_alphabetic() {
            let mut j = k;
            let mut word = String::new();
            while j < chars.len() {
                let ch = chars[j].1;
                if ch.is_alphabetic() {
                    word.extend(ch.to_lowercase());
                    j += 1;
                } else if is_apostrophe(ch) && chars.get(j + 1).is_some_and(|&(_, n)| n.is_alphabetic()) {
                    j += 1;
                } else {
                    break;
                }
            }
            let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
            tokens.push(Token { kind: Kind::Word, text: word, value: 0, start, end, space_before });
            k = j;
        } else {
            let end = chars.get(k + 1).map_or(text.len(), |&(b, _)| b);
            let normal = if is_apostrophe(c) { '\'' } else { c };
            tokens.push(Token {
                kind: Kind::Punct,
                text: normal.to_string(),
                value: 0,
                start,
                end,
                space_before,
            });
            k += 1;
        }
        space_before = false;
    }
    spell_out_day_words(tokens)
}

/// The words a texting form may stand for here: only day words, so the
/// grammar never sees a texting expansion it has no use for.
const DAY_WORDS: &[&str] = &["today", "tomorrow", "tonight", "weekend"];

/// Rewrites texting forms of day words to the words themselves, keeping
/// their offsets; a digit glued to letters ("2moro") is read as one form.
fn spell_out_day_words(tokens: Vec<Token>) -> Vec<Token> {
    let lexicon = crate::lexicon::lexicon();
    let day_word = |form: &str| {
        let word = lexicon.expand(form);
        (word != form && DAY_WORDS.contains(&word)).then(|| word.to_owned())
    };
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    let mut tokens = tokens.into_iter().peekable();
    while let Some(mut token) = tokens.next() {
        if token.kind == Kind::Number {
            if let Some(next) = tokens.peek().filter(|n| n.kind == Kind::Word && !n.space_before) {
                if let Some(word) = day_word(&format!("{}{}", token.text, next.text)) {
                    let end = next.end;
                    tokens.next();
                    token = Token { kind: Kind::Word, text: word, value: 0, end, ..token };
                }
            }
        } else if token.kind == Kind::Word {
            if let Some(word) = day_word(&token.text) {
                token.text = word;
            }
        }
        out.push(token);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(text: &str) -> String {
        tokenize(text)
            .iter()
            .map(|t| format!("{}@{}..{}", t.text, t.start, t.end))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn splits_letters_from_digits_and_keeps_offsets() {
        assert_eq!(show("3pm"), "3@0..1 pm@1..3");
        assert_eq!(show("New Year's 2018Q4"), "new@0..3 years@4..10 2018@11..15 q@15..16 4@16..17");
        assert_eq!(show("café à 3h"), "café@0..5 à@6..8 3@9..10 h@10..11");
        assert_eq!(show("30' \u{2019}"), "30@0..2 '@2..3 '@4..7");
    }

    #[test]
    fn texting_forms_of_day_words_are_spelled_out() {
        assert_eq!(show("tomoz at 2"), "tomorrow@0..5 at@6..8 2@9..10");
        assert_eq!(show("2moro 2nite"), "tomorrow@0..5 tonight@6..11");
        assert_eq!(show("2 moro"), "2@0..1 moro@2..6", "only a glued digit is part of the form");
        assert_eq!(show("u r 2"), "u@0..1 r@2..3 2@4..5", "other texting forms are left to the dialog");
    }
}
