//! HTML to sections: a small tag scanner that keeps headings and readable
//! text and drops scripts, styles, navigation, headers and footers.

use super::Section;

/// Elements whose content is never knowledge.
const SKIPPED: &[&str] =
    &["script", "style", "nav", "header", "footer", "noscript", "template", "svg", "aside", "head"];
/// Elements that end a line of text.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "li",
    "br",
    "tr",
    "td",
    "th",
    "section",
    "article",
    "ul",
    "ol",
    "table",
    "dd",
    "dt",
    "blockquote",
];

/// Decodes the common character references.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest[..rest.len().min(12)].find(';') else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let decoded = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ => name
                .strip_prefix("#x")
                .or_else(|| name.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn heading_level(tag: &str) -> Option<usize> {
    let level = tag.strip_prefix('h')?.parse::<usize>().ok()?;
    (1..=6).contains(&level).then_some(level)
}

/// The sections of an HTML document.
pub(super) fn sections(content: &str) -> Vec<Section> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut text = String::new();
    let mut heading: Option<(usize, String)> = None;
    let mut skipping: Option<String> = None;
    let mut skip_depth = 0usize;
    let mut rest = content;
    let flush = |stack: &[(usize, String)], text: &mut String, out: &mut Vec<Section>| {
        let body: Vec<String> = text
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
        if !body.is_empty() {
            out.push(Section {
                headings: stack.iter().map(|(_, h)| h.clone()).collect(),
                text: body.join("\n\n"),
            });
        }
        text.clear();
    };
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            if skipping.is_none() {
                text.push_str(&decode_entities(rest));
            }
            break;
        };
        let chunk = decode_entities(&rest[..open]);
        if skipping.is_none() {
            match &mut heading {
                Some((_, h)) => h.push_str(&chunk),
                None => text.push_str(&chunk),
            }
        }
        rest = &rest[open..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        let Some(close) = rest.find('>') else { break };
        let tag_body = &rest[1..close];
        rest = &rest[close + 1..];
        let closing = tag_body.starts_with('/');
        let name: String = tag_body
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if let Some(skipped) = &skipping {
            if *skipped == name {
                if closing {
                    skip_depth -= 1;
                    if skip_depth == 0 {
                        skipping = None;
                    }
                } else if !tag_body.ends_with('/') {
                    skip_depth += 1;
                }
            }
            continue;
        }
        if !closing && SKIPPED.contains(&name.as_str()) && !tag_body.ends_with('/') {
            skipping = Some(name);
            skip_depth = 1;
            continue;
        }
        if let Some(level) = heading_level(&name) {
            if closing {
                if let Some((level, title)) = heading.take() {
                    while stack.last().is_some_and(|(l, _)| *l >= level) {
                        stack.pop();
                    }
                    stack.push((level, title.split_whitespace().collect::<Vec<_>>().join(" ")));
                }
            } else {
                flush(&stack, &mut text, &mut out);
                heading = Some((level, String::new()));
            }
        } else if BLOCKS.contains(&name.as_str()) {
            text.push_str("\n\n");
        } else {
            text.push(' ');
        }
    }
    flush(&stack, &mut text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::super::{ingest, ChunkLimits, Format};

    #[test]
    fn keeps_headings_and_text_and_drops_navigation_and_scripts() {
        let page = r#"<!doctype html><html><head><title>Salon</title><style>p{color:red}</style></head>
            <body><nav><a href="/">Home</a> <a href="/faq">FAQ</a></nav>
            <h1>Questions</h1><!-- a comment -->
            <h2 id="p">Parking &amp; bikes</h2><p>Free parking<br>behind the salon.</p>
            <script>var x = "<p>not text</p>";</script>
            <h2>Payment</h2><ul><li>Cards</li><li>Cash &#8212; no cheques</li></ul>
            <footer>&copy; Salon</footer></body></html>"#;
        let entries = ingest("site/faq.html", Format::Html, page, ChunkLimits::default()).unwrap();
        let got: Vec<(&str, &str, &str)> =
            entries.iter().map(|e| (e.id.as_str(), e.title.as_str(), e.text.as_str())).collect();
        assert_eq!(
            got,
            [
                ("faq/questions/parking-bikes", "Parking & bikes", "Free parking behind the salon."),
                ("faq/questions/payment", "Payment", "Cards Cash \u{2014} no cheques"),
            ]
        );
        assert_eq!(entries[1].source, "site/faq.html#payment");
    }
}
