//! Regex entities: any text matching a spec's `pattern`.

use regex::Regex;

use super::Candidate;
use crate::nlu::EntityValue;

/// A regex entity ready for matching.
#[derive(Debug, Clone)]
pub(crate) struct PatternMatcher {
    entity: String,
    regex: Regex,
}

impl PatternMatcher {
    /// Compiles `pattern` for `entity`; the error is the regex's message.
    pub(crate) fn new(entity: &str, pattern: &str) -> Result<PatternMatcher, String> {
        let regex = Regex::new(pattern).map_err(|e| e.to_string())?;
        Ok(PatternMatcher { entity: entity.to_string(), regex })
    }

    /// Adds every non-empty match in `text` to `out`. A capture group named
    /// `value` gives the value; otherwise the whole match does.
    pub(crate) fn find(&self, text: &str, out: &mut Vec<Candidate>) {
        for captures in self.regex.captures_iter(text) {
            let Some(whole) = captures.get(0) else {
                continue;
            };
            if whole.as_str().is_empty() {
                continue;
            }
            let value = captures.name("value").unwrap_or(whole).as_str().to_string();
            out.push(Candidate::new(&self.entity, EntityValue::Text { value }, whole.start(), whole.end()));
        }
    }
}
