//! Phone numbers, normalised to E.164 (`+14155550100`) with the
//! `phonenumber` crate (libphonenumber's metadata); numbers written without
//! a country code are read in the bot's default region.

use phonenumber::country;

use super::Candidate;
use crate::nlu::EntityValue;

/// Finds phone numbers in messages.
#[derive(Debug, Clone)]
pub(crate) struct PhoneFinder {
    region: country::Id,
}

/// The fewest and most digits a phone number has (E.164 allows 15).
const MIN_DIGITS: usize = 7;
const MAX_DIGITS: usize = 15;

impl PhoneFinder {
    /// A finder reading national numbers in `region` (ISO 3166 code such as `US`).
    pub(crate) fn new(region: &str) -> Option<PhoneFinder> {
        let region = region.trim().to_ascii_uppercase().parse::<country::Id>().ok()?;
        Some(PhoneFinder { region })
    }

    /// Adds every phone number in `text` to `out`.
    pub(crate) fn find(&self, text: &str, out: &mut Vec<Candidate>) {
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let starts_number = match bytes[i] {
                b'+' | b'(' => bytes.get(i + 1).is_some_and(u8::is_ascii_digit),
                b if b.is_ascii_digit() => true,
                _ => false,
            };
            let after_word = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] >= 0x80);
            if !starts_number || after_word {
                i += 1;
                continue;
            }
            let end = run_end(bytes, i);
            match self.best_prefix(text, i, end) {
                Some((stop, e164)) => {
                    out.push(Candidate::new("phone", EntityValue::Phone { value: e164 }, i, stop));
                    i = stop;
                }
                None => {
                    // Skip the rest of this group of digits.
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
        }
    }

    /// The longest prefix of `text[start..end]` ending at a group boundary
    /// that is a valid number: its end and E.164 form.
    fn best_prefix(&self, text: &str, start: usize, end: usize) -> Option<(usize, String)> {
        let bytes = text.as_bytes();
        // Group ends: just after a digit that is followed by a separator or the end.
        let mut ends: Vec<usize> = (start..end)
            .filter(|&k| bytes[k].is_ascii_digit() && (k + 1 == end || !bytes[k + 1].is_ascii_digit()))
            .map(|k| k + 1)
            .collect();
        ends.reverse();
        for stop in ends {
            let candidate = &text[start..stop];
            let digits = candidate.bytes().filter(u8::is_ascii_digit).count();
            if digits < MIN_DIGITS {
                break;
            }
            if digits > MAX_DIGITS {
                continue;
            }
            let balanced = candidate.matches('(').count() == candidate.matches(')').count();
            let stop = if !balanced && bytes.get(stop) == Some(&b')') { stop + 1 } else { stop };
            if let Some(e164) = self.normalise(&text[start..stop]) {
                return Some((stop, e164));
            }
        }
        None
    }

    /// The E.164 form of `candidate`, if it is a valid number, or one of a
    /// length the country's numbers have (ranges set aside for examples and
    /// fiction, such as the UK's 07700 900xxx, are not "valid" but are what
    /// people type in tests and demos).
    pub(crate) fn normalise(&self, candidate: &str) -> Option<String> {
        let number = phonenumber::parse(Some(self.region), candidate).ok()?;
        let e164 = number.format().mode(phonenumber::Mode::E164).to_string();
        if phonenumber::is_valid(&number) {
            return Some(e164);
        }
        let code_digits = number.code().value().to_string().len();
        let national = u16::try_from(e164.len().checked_sub(1 + code_digits)?).ok()?;
        let database = &*phonenumber::metadata::DATABASE;
        let metas = database.by_code(&number.code().value())?;
        metas
            .iter()
            .flat_map(|meta| [meta.descriptors().mobile(), meta.descriptors().fixed_line()])
            .flatten()
            .any(|kind| kind.possible_length().contains(&national))
            .then_some(e164)
    }
}

/// The end of the run of phone-number characters starting at `start`:
/// digits, single spaces, dots, hyphens and parentheses.
fn run_end(bytes: &[u8], start: usize) -> usize {
    let mut end = start + 1;
    let mut last_digit = if bytes[start].is_ascii_digit() { start + 1 } else { start };
    while end < bytes.len() {
        let b = bytes[end];
        let ok = match b {
            b'0'..=b'9' => true,
            b'-' | b'.' | b'(' | b')' => true,
            b' ' => bytes.get(end + 1).is_some_and(|n| n.is_ascii_digit() || *n == b'('),
            _ => false,
        };
        if !ok {
            break;
        }
        if b.is_ascii_digit() {
            last_digit = end + 1;
        }
        end += 1;
    }
    // A number must not run into a word ("555-0100abc").
    if bytes.get(end).is_some_and(|b| b.is_ascii_alphabetic()) && end == last_digit {
        return start;
    }
    last_digit.max(start)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(region: &str, text: &str) -> Vec<(String, String)> {
        let finder = PhoneFinder::new(region).expect("known region");
        let mut out = Vec::new();
        finder.find(text, &mut out);
        out.iter().map(|c| (c.value.display(), text[c.start..c.end].to_string())).collect()
    }

    #[test]
    fn national_and_international_forms_agree() {
        for text in [
            "+1 415 555 0100",
            "(415) 555-0100",
            "415-555-0100",
            "415.555.0100",
            "4155550100",
            "+14155550100",
            "1 415 555 0100",
        ] {
            let found = phones("US", &format!("call me at {text} please"));
            assert_eq!(found, [("+14155550100".to_string(), text.to_string())], "{text}");
        }
    }

    #[test]
    fn other_regions() {
        assert_eq!(phones("GB", "ring 020 7946 0958")[0].0, "+442079460958");
        assert_eq!(phones("US", "ring +44 20 7946 0958")[0].0, "+442079460958");
        assert_eq!(phones("DE", "030 901820")[0].0, "+4930901820");
        assert_eq!(phones("GB", "07700 900123")[0].0, "+447700900123");
    }

    #[test]
    fn things_that_are_not_phone_numbers() {
        assert!(phones("US", "on 2024-05-03 at 10:30").is_empty());
        assert!(phones("US", "table for 4 at 7").is_empty());
        assert!(phones("US", "order 12345").is_empty());
        assert!(phones("US", "").is_empty());
        assert!(phones("US", &"9".repeat(300)).is_empty());
        assert!(PhoneFinder::new("Atlantis").is_none());
    }

    #[test]
    fn a_trailing_number_is_not_swallowed() {
        assert_eq!(
            phones("US", "415 555 0100 2 people"),
            [("+14155550100".to_string(), "415 555 0100".to_string())]
        );
    }
}
