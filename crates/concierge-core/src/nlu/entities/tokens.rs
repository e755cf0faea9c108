//! Words of a message with their byte offsets, normalised for matching:
//! lower-cased, apostrophes removed ("Women’s" and "womens" are the same word).

/// A word of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    /// The normalised word.
    pub(crate) text: String,
    /// Byte offset of its first character in the message.
    pub(crate) start: usize,
    /// Byte offset just past its last character.
    pub(crate) end: usize,
}

fn is_apostrophe(ch: char) -> bool {
    matches!(ch, '\'' | '’' | '‘' | '`' | 'ʼ')
}

/// Splits `text` into runs of letters and digits. An apostrophe between two
/// letters or digits is part of the word but dropped from its normal form.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current: Option<Token> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((i, ch)) = chars.next() {
        if ch.is_alphanumeric() {
            let token = current.get_or_insert_with(|| Token { text: String::new(), start: i, end: i });
            token.text.extend(ch.to_lowercase());
            token.end = i + ch.len_utf8();
        } else if is_apostrophe(ch)
            && current.is_some()
            && chars.peek().is_some_and(|(_, next)| next.is_alphanumeric())
        {
            // Inside a word: skipped.
        } else if let Some(token) = current.take() {
            out.push(token);
        }
    }
    out.extend(current);
    out
}

/// The normalised words of `text`, without offsets.
pub(crate) fn normalised_words(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apostrophes_and_case_vanish_and_offsets_point_into_the_text() {
        let text = "Book a Women’s cut, o'clock 'quoted'";
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["book", "a", "womens", "cut", "oclock", "quoted"]);
        assert_eq!(&text[tokens[2].start..tokens[2].end], "Women’s");
        assert!(tokenize("").is_empty());
        assert!(tokenize("'’ !!").is_empty());
    }
}
