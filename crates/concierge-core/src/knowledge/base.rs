//! A knowledge base that re-imports documents incrementally.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::KnowledgeEntry;

/// What an import changed, by entry id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Entries that are new.
    pub added: Vec<String>,
    /// Entries whose content changed.
    pub updated: Vec<String>,
    /// Entries of the re-imported documents that are gone.
    pub removed: Vec<String>,
    /// Entries that did not change.
    pub unchanged: usize,
}

/// Entries from imported documents, serialisable as the knowledge file a
/// bot reads (`{"entries": [...]}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnowledgeBase {
    /// The entries, in import order.
    pub entries: Vec<KnowledgeEntry>,
}

/// The document an entry came from: its source without the `#anchor`.
fn document(source: &str) -> &str {
    source.split_once('#').map_or(source, |(d, _)| d)
}

impl KnowledgeBase {
    /// Replaces everything that came from `document` with `entries`:
    /// entries keep their place when their id survives, changed ones are
    /// updated, new ones appended, and the document's others removed.
    pub fn import(&mut self, document_name: &str, entries: Vec<KnowledgeEntry>) -> ImportReport {
        let mut report = ImportReport::default();
        let mut incoming: HashMap<String, KnowledgeEntry> = HashMap::new();
        let mut order = Vec::new();
        for e in entries {
            if !incoming.contains_key(&e.id) {
                order.push(e.id.clone());
            }
            incoming.insert(e.id.clone(), e);
        }
        let mut kept = Vec::with_capacity(self.entries.len());
        for old in std::mem::take(&mut self.entries) {
            match incoming.remove(&old.id) {
                Some(new) if new == old => {
                    report.unchanged += 1;
                    kept.push(new);
                }
                Some(new) => {
                    report.updated.push(new.id.clone());
                    kept.push(new);
                }
                None if document(&old.source) == document_name => report.removed.push(old.id),
                None => kept.push(old),
            }
        }
        for id in order {
            if let Some(new) = incoming.remove(&id) {
                report.added.push(id);
                kept.push(new);
            }
        }
        self.entries = kept;
        report
    }
}

#[cfg(all(test, feature = "ingest"))]
mod tests {
    use super::super::ingest::{ingest, ChunkLimits, Format};
    use super::*;

    #[test]
    fn re_importing_an_edited_document_keeps_ids_and_reports_changes() {
        let mut kb = KnowledgeBase::default();
        let v1 = "# Parking\n\nFree parking.\n\n# Prices\n\nFrom $35.\n\n# Gift cards\n\nYes.\n";
        let first =
            kb.import("faq.md", ingest("faq.md", Format::Markdown, v1, ChunkLimits::default()).unwrap());
        assert_eq!(first.added, ["faq/parking", "faq/prices", "faq/gift-cards"]);
        let other =
            ingest("hours.md", Format::Markdown, "# Hours\n\n9 to 6.", ChunkLimits::default()).unwrap();
        kb.import("hours.md", other);
        // Sections moved, one edited, one deleted, one added.
        let v2 = "# Opening offer\n\n10% off.\n\n# Prices\n\nFrom $40.\n\n# Parking\n\nFree parking.\n";
        let second =
            kb.import("faq.md", ingest("faq.md", Format::Markdown, v2, ChunkLimits::default()).unwrap());
        assert_eq!(second.updated, ["faq/prices"]);
        assert_eq!(second.removed, ["faq/gift-cards"]);
        assert_eq!(second.added, ["faq/opening-offer"]);
        assert_eq!(second.unchanged, 1);
        let ids: Vec<&str> = kb.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["faq/parking", "faq/prices", "hours/hours", "faq/opening-offer"]);
        assert_eq!(kb.entries[1].text, "From $40.");
    }
}
