//! Markdown to sections (CommonMark, via `pulldown-cmark`).

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use super::Section;

fn depth(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The sections of a Markdown document: each heading starts one, nested
/// under the headings of lower levels above it.
pub(super) fn sections(content: &str) -> Vec<Section> {
    let mut out = Vec::new();
    // (level, text) of the open headings.
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut text = String::new();
    let mut heading: Option<(usize, String)> = None;
    let flush = |stack: &[(usize, String)], text: &mut String, out: &mut Vec<Section>| {
        let body = text.trim().to_string();
        if !body.is_empty() {
            out.push(Section { headings: stack.iter().map(|(_, h)| h.clone()).collect(), text: body });
        }
        text.clear();
    };
    for event in Parser::new(content) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&stack, &mut text, &mut out);
                heading = Some((depth(level), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, title)) = heading.take() {
                    while stack.last().is_some_and(|(l, _)| *l >= level) {
                        stack.pop();
                    }
                    stack.push((level, title.trim().to_string()));
                }
            }
            Event::Text(t) | Event::Code(t) => match &mut heading {
                Some((_, title)) => title.push_str(&t),
                None => text.push_str(&t),
            },
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::CodeBlock | TagEnd::TableRow) => {
                text.push_str("\n\n")
            }
            Event::End(TagEnd::TableCell) => text.push(' '),
            _ => {}
        }
    }
    flush(&stack, &mut text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{ingest, ChunkLimits, Format};

    #[test]
    fn headings_become_titles_ids_and_anchors() {
        let doc = "Welcome to the salon.\n\n# Visiting\n\n## Parking\n\nFree parking **behind** the salon.\n\
                   Spaces for bikes too.\n\n## Opening hours\n\n- Mon-Fri 9-18\n- Sat 9-14\n\n# Prices\n\nFrom `$35`.\n";
        let entries = ingest("docs/FAQ.md", Format::Markdown, doc, ChunkLimits::default()).unwrap();
        let got: Vec<(&str, &str, &str, &str)> = entries
            .iter()
            .map(|e| (e.id.as_str(), e.title.as_str(), e.source.as_str(), e.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("faq", "FAQ", "docs/FAQ.md", "Welcome to the salon."),
                (
                    "faq/visiting/parking",
                    "Parking",
                    "docs/FAQ.md#parking",
                    "Free parking behind the salon. Spaces for bikes too."
                ),
                (
                    "faq/visiting/opening-hours",
                    "Opening hours",
                    "docs/FAQ.md#opening-hours",
                    "Mon-Fri 9-18 Sat 9-14"
                ),
                ("faq/prices", "Prices", "docs/FAQ.md#prices", "From $35."),
            ]
        );
    }
}
