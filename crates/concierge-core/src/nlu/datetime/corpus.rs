//! Scoring the parser on Duckling-format corpora: one JSON object per
//! example, `{"text", "reference_time", "expected"}`, where `expected` is
//! `null` (nothing must be found), `{"type":"value","value","grain"}` or
//! `{"type":"interval","from":{"value","grain"},"to":{"value","grain"}}`.
//! The rustling variants are read too: intervals with `"from"`/`"to"`
//! strings and one `"grain"`, and a value with `"direction": "after"` or
//! `"before"`, rustling's way of writing an interval open at one end
//! ("after 2 pm" is from 14:00 on, "until 2:00pm" up to 14:00). Values with an offset are moved to the
//! reference time's offset; values without one are wall-clock.
//!
//! Reading files is the caller's business; this module works on lines.

use chrono::{DateTime, FixedOffset, NaiveDateTime};
use serde_json::Value;

use super::{parse_with_offset, DateTimeOptions, Grain, TimeMatch, TimeValue};

/// Why a corpus line could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The line is not JSON.
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// A required field is missing or has the wrong type.
    #[error("missing or invalid field `{0}`")]
    Field(&'static str),
    /// A time that is not RFC 3339 (with or without offset).
    #[error("invalid time `{0}`")]
    Time(String),
    /// An unknown grain name.
    #[error("unknown grain `{0}`")]
    Grain(String),
}

/// What an example expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Nothing must be found.
    Nothing,
    /// This value must be found.
    Value(TimeValue),
}

/// One corpus example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// The text to parse.
    pub text: String,
    /// The reference time, as wall-clock at its own offset.
    pub reference: NaiveDateTime,
    /// The reference time's offset, when the corpus gives one.
    pub offset: Option<FixedOffset>,
    /// The expected answer.
    pub expected: Expected,
}

/// The result of scoring a corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Number of examples.
    pub examples: usize,
    /// Number answered correctly.
    pub correct: usize,
    /// The examples answered wrongly, with what was found.
    pub failures: Vec<(Example, Vec<TimeMatch>)>,
}

impl Report {
    /// Share of examples answered correctly (0 for an empty corpus).
    pub fn accuracy(&self) -> f64 {
        if self.examples == 0 {
            0.0
        } else {
            self.correct as f64 / self.examples as f64
        }
    }
}

fn grain(name: &str) -> Result<Grain, CorpusError> {
    Ok(match name {
        "second" => Grain::Second,
        "minute" => Grain::Minute,
        "hour" => Grain::Hour,
        "day" => Grain::Day,
        "week" => Grain::Week,
        "month" => Grain::Month,
        "quarter" => Grain::Quarter,
        "year" => Grain::Year,
        other => return Err(CorpusError::Grain(other.to_string())),
    })
}

/// A time string, with its offset when it has one.
fn time(text: &str) -> Result<(NaiveDateTime, Option<FixedOffset>), CorpusError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok((t.naive_local(), Some(*t.offset())));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|t| (t, None))
        .map_err(|_| CorpusError::Time(text.to_string()))
}

/// A time moved to the reference's offset when both have one.
fn wall_clock(text: &str, reference: Option<FixedOffset>) -> Result<NaiveDateTime, CorpusError> {
    let (local, offset) = time(text)?;
    Ok(match (offset, reference) {
        (Some(own), Some(target)) => {
            let shift = i64::from(target.local_minus_utc() - own.local_minus_utc());
            chrono::Duration::try_seconds(shift)
                .and_then(|d| local.checked_add_signed(d))
                .ok_or_else(|| CorpusError::Time(text.to_string()))?
        }
        _ => local,
    })
}

fn bound(
    value: Option<&Value>,
    shared_grain: Option<&str>,
    reference: Option<FixedOffset>,
) -> Result<Option<(NaiveDateTime, Grain)>, CorpusError> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let g = shared_grain.ok_or(CorpusError::Field("grain"))?;
            Ok(Some((wall_clock(s, reference)?, grain(g)?)))
        }
        Some(Value::Object(o)) => {
            let v = o.get("value").and_then(Value::as_str).ok_or(CorpusError::Field("value"))?;
            let g =
                o.get("grain").and_then(Value::as_str).or(shared_grain).ok_or(CorpusError::Field("grain"))?;
            Ok(Some((wall_clock(v, reference)?, grain(g)?)))
        }
        Some(_) => Err(CorpusError::Field("from/to")),
    }
}

/// Reads one corpus line.
pub fn parse_example(line: &str) -> Result<Example, CorpusError> {
    let v: Value = serde_json::from_str(line)?;
    let text = v.get("text").and_then(Value::as_str).ok_or(CorpusError::Field("text"))?;
    let reference_text =
        v.get("reference_time").and_then(Value::as_str).ok_or(CorpusError::Field("reference_time"))?;
    let (reference, offset) = time(reference_text)?;
    let expected = match v.get("expected") {
        None | Some(Value::Null) => Expected::Nothing,
        Some(e) => {
            let kind = e.get("type").and_then(Value::as_str).ok_or(CorpusError::Field("type"))?;
            let shared_grain = e.get("grain").and_then(Value::as_str);
            match kind {
                "value" => {
                    let value = e.get("value").and_then(Value::as_str).ok_or(CorpusError::Field("value"))?;
                    let value = wall_clock(value, offset)?;
                    let grain = grain(shared_grain.ok_or(CorpusError::Field("grain"))?)?;
                    match e.get("direction").and_then(Value::as_str) {
                        None => Expected::Value(TimeValue::Instant { value, grain }),
                        Some("after") => {
                            Expected::Value(TimeValue::Interval { from: Some((value, grain)), to: None })
                        }
                        Some("before") => {
                            Expected::Value(TimeValue::Interval { from: None, to: Some((value, grain)) })
                        }
                        Some(_) => return Err(CorpusError::Field("direction")),
                    }
                }
                "interval" => Expected::Value(TimeValue::Interval {
                    from: bound(e.get("from"), shared_grain, offset)?,
                    to: bound(e.get("to"), shared_grain, offset)?,
                }),
                _ => return Err(CorpusError::Field("type")),
            }
        }
    };
    Ok(Example { text: text.to_string(), reference, offset, expected })
}

/// Whether `found` answers `expected`: nothing found when nothing is
/// expected, otherwise the longest match has the same type, values and
/// grains.
pub fn is_correct(expected: &Expected, found: &[TimeMatch]) -> bool {
    match expected {
        Expected::Nothing => found.is_empty(),
        Expected::Value(value) => found
            .iter()
            .max_by_key(|m| (m.end - m.start, std::cmp::Reverse(m.start)))
            .is_some_and(|m| m.value == *value),
    }
}

/// Parses every example and scores the answers.
pub fn evaluate(examples: &[Example], options: &DateTimeOptions) -> Report {
    let mut report = Report { examples: examples.len(), correct: 0, failures: Vec::new() };
    for example in examples {
        let found = parse_with_offset(&example.text, example.reference, example.offset, options);
        if is_correct(&example.expected, &found) {
            report.correct += 1;
        } else {
            report.failures.push((example.clone(), found));
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn t(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d).and_then(|d| d.and_hms_opt(h, mi, 0)).unwrap()
    }

    #[test]
    fn reads_duckling_values_at_the_reference_offset() {
        let line = r#"{"text": "2/15", "reference_time": "2013-02-12T04:30:00-02:00", "expected": {"type": "value", "value": "2013-02-15T02:00:00.000Z", "grain": "day"}}"#;
        let e = parse_example(line).unwrap();
        assert_eq!(e.reference, t(2013, 2, 12, 4, 30));
        assert_eq!(
            e.expected,
            Expected::Value(TimeValue::Instant { value: t(2013, 2, 15, 0, 0), grain: Grain::Day })
        );
    }

    #[test]
    fn reads_both_interval_shapes_and_null() {
        let duckling = r#"{"text": "x", "reference_time": "2013-02-12T04:30:00-02:00", "expected": {"type": "interval", "from": {"value": "2013-02-12T15:00:00.000-02:00", "grain": "hour"}}}"#;
        let rustling = r#"{"text": "x", "reference_time": "2013-02-12T04:30:00", "expected": {"type": "interval", "from": "2013-02-12T15:00:00", "to": "2013-02-12T17:00:00", "grain": "hour"}}"#;
        let from = Some((t(2013, 2, 12, 15, 0), Grain::Hour));
        assert_eq!(
            parse_example(duckling).unwrap().expected,
            Expected::Value(TimeValue::Interval { from, to: None })
        );
        assert_eq!(
            parse_example(rustling).unwrap().expected,
            Expected::Value(TimeValue::Interval { from, to: Some((t(2013, 2, 12, 17, 0), Grain::Hour)) })
        );
        let after = r#"{"text": "x", "reference_time": "2013-02-12T04:30:00", "expected": {"type": "value", "value": "2013-02-12T15:00:00", "grain": "hour", "direction": "after"}}"#;
        assert_eq!(
            parse_example(after).unwrap().expected,
            Expected::Value(TimeValue::Interval { from, to: None })
        );
        let before = after.replace("after", "before");
        assert_eq!(
            parse_example(&before).unwrap().expected,
            Expected::Value(TimeValue::Interval { from: None, to: from })
        );
        let sideways = after.replace("after", "sideways");
        assert!(matches!(parse_example(&sideways), Err(CorpusError::Field("direction"))));
        let none = r#"{"text": "x", "reference_time": "2013-02-12T04:30:00", "expected": null}"#;
        assert_eq!(parse_example(none).unwrap().expected, Expected::Nothing);
    }

    #[test]
    fn rejects_bad_lines_with_typed_errors() {
        assert!(matches!(parse_example("{"), Err(CorpusError::Json(_))));
        assert!(matches!(
            parse_example(r#"{"text": "x", "reference_time": "yesterday"}"#),
            Err(CorpusError::Time(_))
        ));
        assert!(matches!(
            parse_example(
                r#"{"text": "x", "reference_time": "2013-02-12T04:30:00", "expected": {"type": "value", "value": "2013-02-12T04:30:00", "grain": "fortnight"}}"#
            ),
            Err(CorpusError::Grain(_))
        ));
    }

    #[test]
    fn scoring_compares_type_value_and_grain() {
        let value = TimeValue::Instant { value: t(2013, 2, 13, 15, 0), grain: Grain::Hour };
        let found = |v: TimeValue| vec![TimeMatch { start: 0, end: 3, value: v }];
        assert!(is_correct(&Expected::Value(value.clone()), &found(value.clone())));
        let other_grain = TimeValue::Instant { value: t(2013, 2, 13, 15, 0), grain: Grain::Minute };
        assert!(!is_correct(&Expected::Value(value.clone()), &found(other_grain)));
        assert!(!is_correct(&Expected::Value(value.clone()), &[]));
        assert!(is_correct(&Expected::Nothing, &[]));
        assert!(!is_correct(&Expected::Nothing, &found(value)));
    }
}
