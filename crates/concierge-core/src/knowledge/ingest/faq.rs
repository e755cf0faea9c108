//! FAQ lists: one entry per question, from CSV, JSON or JSON lines.

use serde::Deserialize;

use super::{slug, stem, IngestError};
use crate::knowledge::KnowledgeEntry;

/// One FAQ item as written in JSON; `title`/`text` are accepted for
/// `question`/`answer`.
#[derive(Debug, Deserialize)]
struct FaqItem {
    #[serde(default)]
    id: Option<String>,
    #[serde(alias = "title")]
    question: String,
    #[serde(alias = "text")]
    answer: String,
    #[serde(default)]
    alternatives: Vec<String>,
}

fn entry(
    source: &str,
    id: Option<String>,
    question: String,
    answer: String,
    alternatives: Vec<String>,
) -> KnowledgeEntry {
    let id = id
        .filter(|i| !i.trim().is_empty())
        .map(|i| i.trim().to_string())
        .unwrap_or_else(|| format!("{}/{}", slug(stem(source)), slug(&question)));
    KnowledgeEntry {
        source: format!("{source}#{id}"),
        id,
        title: question.trim().to_string(),
        alternatives,
        text: answer.trim().to_string(),
    }
}

fn invalid(source: &str, message: String) -> IngestError {
    IngestError::Invalid { source_name: source.to_string(), message }
}

/// Reads a JSON array of FAQ items.
pub(super) fn from_json(source: &str, content: &str) -> Result<Vec<KnowledgeEntry>, IngestError> {
    let items: Vec<FaqItem> = serde_json::from_str(content).map_err(|e| invalid(source, e.to_string()))?;
    Ok(items.into_iter().map(|i| entry(source, i.id, i.question, i.answer, i.alternatives)).collect())
}

/// Reads FAQ items, one JSON object a line (blank lines are skipped).
pub(super) fn from_json_lines(source: &str, content: &str) -> Result<Vec<KnowledgeEntry>, IngestError> {
    let mut out = Vec::new();
    for (n, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let i: FaqItem =
            serde_json::from_str(line).map_err(|e| invalid(source, format!("line {}: {e}", n + 1)))?;
        out.push(entry(source, i.id, i.question, i.answer, i.alternatives));
    }
    Ok(out)
}

/// Splits CSV text into records of fields (RFC 4180: quoted fields may hold
/// commas, newlines and doubled quotes).
fn csv_records(content: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = content.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records.retain(|r| r.iter().any(|f| !f.trim().is_empty()));
    records
}

/// Reads a CSV FAQ list whose header names `question` (or `title`),
/// `answer` (or `text`) and optionally `id`.
pub(super) fn from_csv(source: &str, content: &str) -> Result<Vec<KnowledgeEntry>, IngestError> {
    let records = csv_records(content.trim_start_matches('\u{feff}'));
    let Some((header, rows)) = records.split_first() else {
        return Ok(Vec::new());
    };
    let column =
        |names: &[&str]| header.iter().position(|h| names.contains(&h.trim().to_lowercase().as_str()));
    let question = column(&["question", "title"])
        .ok_or_else(|| invalid(source, "the header row has no `question` column".into()))?;
    let answer = column(&["answer", "text"])
        .ok_or_else(|| invalid(source, "the header row has no `answer` column".into()))?;
    let id = column(&["id"]);
    rows.iter()
        .enumerate()
        .map(|(n, row)| {
            let get = |i: usize| row.get(i).cloned().unwrap_or_default();
            if get(question).trim().is_empty() || get(answer).trim().is_empty() {
                return Err(invalid(source, format!("row {}: the question or the answer is empty", n + 2)));
            }
            Ok(entry(source, id.map(get), get(question), get(answer), Vec::new()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::{ingest, ChunkLimits, Format};

    #[test]
    fn csv_with_quotes_and_optional_ids() {
        let csv = "question,answer,id\nDo you have parking?,\"Yes, behind the salon.\nFree.\",parking\n\
                   \"Do you take \"\"cards\"\"?\",We do.,\n";
        let entries = ingest("faq/list.csv", Format::Csv, csv, ChunkLimits::default()).unwrap();
        assert_eq!(entries[0].id, "parking");
        assert_eq!(entries[0].text, "Yes, behind the salon.\nFree.");
        assert_eq!(entries[0].source, "faq/list.csv#parking");
        assert_eq!(entries[1].id, "list/do-you-take-cards");
        assert_eq!(entries[1].title, "Do you take \"cards\"?");
    }

    #[test]
    fn csv_without_an_answer_column_is_a_clear_error() {
        let err =
            ingest("faq.csv", Format::Csv, "question,reply\na,b\n", ChunkLimits::default()).unwrap_err();
        assert_eq!(err.to_string(), "faq.csv: the header row has no `answer` column");
    }

    #[test]
    fn json_and_json_lines() {
        let json = r#"[{"question": "Parking?", "answer": "Behind.", "alternatives": ["Where to park"]}]"#;
        let entries = ingest("kb.json", Format::Json, json, ChunkLimits::default()).unwrap();
        assert_eq!((entries[0].id.as_str(), entries[0].alternatives.len()), ("kb/parking", 1));
        let lines = "{\"id\": \"t1\", \"title\": \"Q\", \"text\": \"A\"}\n\n{\"title\": \"Q2\"}\n";
        let err = ingest("c.jsonl", Format::JsonLines, lines, ChunkLimits::default()).unwrap_err();
        assert!(err.to_string().starts_with("c.jsonl: line 3: missing field"), "{err}");
    }
}
