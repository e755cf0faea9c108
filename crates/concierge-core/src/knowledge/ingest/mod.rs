//! Ingestion: business documents in, knowledge entries out.
//!
//! Each format is read into [`Section`]s (a heading path and its text);
//! [`chunk`] then splits long sections at sentence boundaries. Every entry
//! gets a title (its heading), a source (`path#anchor`) and an id made from
//! the path and the heading path, not from positions, so re-importing an
//! edited file updates entries in place (see
//! [`KnowledgeBase::import`](super::KnowledgeBase::import)). FAQ lists (CSV,
//! JSON, JSON lines) give one entry per question.
//!
//! Everything here works on strings: reading files is the host's job.

mod chunk;
mod faq;
mod html;
mod markdown;

pub use chunk::{chunk_sections, ChunkLimits, Section};

use super::KnowledgeEntry;

/// A document format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown (CommonMark): headings become titles.
    Markdown,
    /// HTML: headings become titles; scripts, styles and navigation are dropped.
    Html,
    /// Plain text: paragraphs, titled by the file name.
    Text,
    /// A CSV FAQ list with a header row: `question,answer[,id]`.
    Csv,
    /// A JSON array of `{question|title, answer|text[, id][, alternatives]}`.
    Json,
    /// JSON lines, one FAQ object a line (same fields as [`Format::Json`]).
    JsonLines,
}

impl Format {
    /// The format a file name's extension implies.
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        Some(match ext.as_str() {
            "md" | "markdown" => Format::Markdown,
            "html" | "htm" => Format::Html,
            "txt" | "text" => Format::Text,
            "csv" => Format::Csv,
            "json" => Format::Json,
            "jsonl" | "ndjson" => Format::JsonLines,
            _ => return None,
        })
    }
}

/// Why a document could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IngestError {
    /// A FAQ list lacks a required column or field.
    #[error("{source_name}: {message}")]
    Invalid {
        /// The document.
        source_name: String,
        /// What is wrong, with a line or row number when known.
        message: String,
    },
}

/// Reads one document (`source` names it, usually its path) into entries.
pub fn ingest(
    source: &str,
    format: Format,
    content: &str,
    limits: ChunkLimits,
) -> Result<Vec<KnowledgeEntry>, IngestError> {
    let sections = match format {
        Format::Markdown => markdown::sections(content),
        Format::Html => html::sections(content),
        Format::Text => vec![Section { headings: Vec::new(), text: content.to_string() }],
        Format::Csv => return faq::from_csv(source, content),
        Format::Json => return faq::from_json(source, content),
        Format::JsonLines => return faq::from_json_lines(source, content),
    };
    Ok(chunk_sections(source, &sections, limits))
}

/// A lower-case, dash-separated form of `text` for ids and anchors.
pub fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// The file name of `source` without directories and extension.
pub(crate) fn stem(source: &str) -> &str {
    let name = source.rsplit(['/', '\\']).next().unwrap_or(source);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}
