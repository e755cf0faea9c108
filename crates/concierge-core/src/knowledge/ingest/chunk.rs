//! Sections to entries: splitting long text at sentence boundaries.

use std::collections::HashMap;

use super::{slug, stem};
use crate::knowledge::KnowledgeEntry;

/// A part of a document under one heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The headings above the text, outermost first (empty before any heading).
    pub headings: Vec<String>,
    /// The text, paragraphs separated by blank lines.
    pub text: String,
}

/// How large a chunk may grow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkLimits {
    /// The most characters in one chunk; a longer sentence is cut at a word.
    pub max_chars: usize,
}

impl Default for ChunkLimits {
    fn default() -> ChunkLimits {
        ChunkLimits { max_chars: 1000 }
    }
}

/// Splits text into sentences, keeping their punctuation.
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.split("\n\n") {
        let words: Vec<&str> = paragraph.split_whitespace().collect();
        let mut current = String::new();
        for w in words {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(w);
            if w.ends_with(['.', '!', '?']) && !is_abbreviation(w) {
                out.push(std::mem::take(&mut current));
            }
        }
        if !current.is_empty() {
            out.push(current);
        }
    }
    out
}

fn is_abbreviation(word: &str) -> bool {
    matches!(word.to_lowercase().as_str(), "e.g." | "i.e." | "etc." | "mr." | "mrs." | "dr." | "st." | "vs.")
}

/// Cuts a too long sentence at word boundaries.
fn split_long(sentence: &str, max: usize) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    for w in sentence.split(' ') {
        if !current.is_empty() && current.chars().count() + 1 + w.chars().count() > max {
            parts.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(w);
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// Packs sentences into chunks of at most `max` characters.
fn pack(text: &str, max: usize) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    for s in sentences(text) {
        for piece in if s.chars().count() > max { split_long(&s, max) } else { vec![s] } {
            if !current.is_empty() && current.chars().count() + 1 + piece.chars().count() > max {
                chunks.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&piece);
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Entries for the sections of document `source`: one per chunk, titled by
/// the section's innermost heading (the file name before any heading), with
/// id `stem/heading-path[/part-n]` and source `source#anchor`.
pub fn chunk_sections(source: &str, sections: &[Section], limits: ChunkLimits) -> Vec<KnowledgeEntry> {
    let file = slug(stem(source));
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut entries = Vec::new();
    for section in sections {
        let chunks = pack(&section.text, limits.max_chars.max(40));
        if chunks.is_empty() {
            continue;
        }
        let path: Vec<String> = section.headings.iter().map(|h| slug(h)).filter(|s| !s.is_empty()).collect();
        let mut base = if path.is_empty() { file.clone() } else { format!("{file}/{}", path.join("/")) };
        let n = seen.entry(base.clone()).or_default();
        *n += 1;
        if *n > 1 {
            base = format!("{base}-{n}");
        }
        let anchor = path.last().cloned();
        let title = section.headings.last().cloned().unwrap_or_else(|| stem(source).replace(['_', '-'], " "));
        let many = chunks.len() > 1;
        for (i, text) in chunks.into_iter().enumerate() {
            entries.push(KnowledgeEntry {
                id: if many { format!("{base}/part-{}", i + 1) } else { base.clone() },
                title: title.clone(),
                alternatives: Vec::new(),
                text,
                source: match &anchor {
                    Some(a) => format!("{source}#{a}"),
                    None => source.to_string(),
                },
            });
        }
    }
    entries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sections_split_at_sentences_within_the_limit() {
        let text = "Parking is free. It is behind the salon! Ask us e.g. at the desk. Bikes go by the door?";
        let sections = [Section { headings: vec!["Getting here".into()], text: text.into() }];
        let entries = chunk_sections("docs/visit.md", &sections, ChunkLimits { max_chars: 45 });
        let texts: Vec<&str> = entries.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Parking is free. It is behind the salon!", "Ask us e.g. at the desk.", "Bikes go by the door?"]
        );
        assert_eq!(entries[0].id, "visit/getting-here/part-1");
        assert_eq!(entries[2].source, "docs/visit.md#getting-here");
        assert!(entries.iter().all(|e| e.title == "Getting here" && e.text.chars().count() <= 45));
    }
}
