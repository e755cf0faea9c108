//! Email addresses, with the domain lower-cased.

use regex::Regex;

use super::Candidate;
use crate::nlu::EntityValue;

/// The pattern of an address: a dotted local part, `@`, and a dotted
/// domain ending in a top-level domain of two letters or more.
pub(crate) fn email_regex() -> Regex {
    Regex::new(r"(?i)\b[a-z0-9._%+\-]+@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,}\b")
        .expect("the email pattern is valid")
}

/// Adds every email address in `text` to `out`.
pub(crate) fn find(regex: &Regex, text: &str, out: &mut Vec<Candidate>) {
    for m in regex.find_iter(text) {
        let address = m.as_str().trim_start_matches('.');
        let start = m.end() - address.len();
        let Some((local, domain)) = address.rsplit_once('@') else {
            continue;
        };
        if local.is_empty() || local.ends_with('.') {
            continue;
        }
        let value = format!("{local}@{}", domain.to_ascii_lowercase());
        out.push(Candidate::new("email", EntityValue::Email { value }, start, m.end()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_found_with_lower_case_domains() {
        let regex = email_regex();
        let mut out = Vec::new();
        let text = "write to Jane.Doe+salon@Example.CO.uk, or bob@mail.com.";
        find(&regex, text, &mut out);
        let values: Vec<String> = out.iter().map(|c| c.value.display()).collect();
        assert_eq!(values, ["Jane.Doe+salon@example.co.uk", "bob@mail.com"]);
        assert_eq!(&text[out[1].start..out[1].end], "bob@mail.com");
        out.clear();
        find(&regex, "not@an address, a@b, @x.com", &mut out);
        assert!(out.is_empty(), "{out:?}");
    }
}
