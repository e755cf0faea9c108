//! Inline entity annotations in example utterances: `[tomorrow at 3pm](datetime)`.

/// An example utterance with its annotations taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotatedText {
    /// The utterance as a user would type it.
    pub text: String,
    /// The annotated spans, in order.
    pub annotations: Vec<Annotation>,
}

/// One annotated span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The entity named in the annotation.
    pub entity: String,
    /// Byte offset of the span in [`AnnotatedText::text`].
    pub start: usize,
    /// Byte offset of the span's end.
    pub end: usize,
}

/// Strips `[span](entity)` annotations from an example.
///
/// Brackets that do not form an annotation are kept as they are; an
/// annotation with an empty span or entity is an error.
pub fn parse_annotations(example: &str) -> Result<AnnotatedText, String> {
    let mut text = String::with_capacity(example.len());
    let mut annotations = Vec::new();
    let mut rest = example;
    while let Some(open) = rest.find('[') {
        text.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let parsed = after.find("](").and_then(|close| {
            let span = &after[..close];
            let tail = &after[close + 2..];
            tail.find(')').map(|end| (span, &tail[..end], &tail[end + 1..]))
        });
        match parsed {
            Some((span, entity, tail)) if !span.contains('[') => {
                if span.trim().is_empty() || entity.trim().is_empty() {
                    return Err(format!("empty annotation in {example:?}"));
                }
                let start = text.len();
                text.push_str(span);
                annotations.push(Annotation { entity: entity.trim().to_string(), start, end: text.len() });
                rest = tail;
            }
            _ => {
                text.push('[');
                rest = after;
            }
        }
    }
    text.push_str(rest);
    Ok(AnnotatedText { text, annotations })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_annotations_and_keeps_offsets() {
        let a = parse_annotations("book a [women's haircut](service) [tomorrow at 3pm](datetime)!").unwrap();
        assert_eq!(a.text, "book a women's haircut tomorrow at 3pm!");
        assert_eq!(&a.text[a.annotations[0].start..a.annotations[0].end], "women's haircut");
        assert_eq!(a.annotations[1].entity, "datetime");
        assert_eq!(&a.text[a.annotations[1].start..a.annotations[1].end], "tomorrow at 3pm");
    }

    #[test]
    fn keeps_plain_brackets() {
        let a = parse_annotations("a [note] and [x](").unwrap();
        assert_eq!(a.text, "a [note] and [x](");
        assert!(a.annotations.is_empty());
        assert!(parse_annotations("[](datetime)").is_err());
    }
}
