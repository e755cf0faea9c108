//! Subset matching of expected values against what the engine produced.

use chrono::DateTime;
use serde_json::Value;

/// Whether `actual` contains `expected`: every key of an expected map is in
/// the actual map with a matching value (an expected `null` also matches a
/// missing key), lists match item by item with the same length, texts that
/// are both RFC 3339 times match when they are the same instant, numbers
/// match within 1e-6, and a number or boolean matches its text.
pub fn contains(actual: &Value, expected: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(want), Value::Object(have)) => want.iter().all(|(k, w)| match have.get(k) {
            Some(h) => contains(h, w),
            None => w.is_null(),
        }),
        (Value::Object(_), _) => false,
        (Value::Array(want), Value::Array(have)) => {
            want.len() == have.len() && want.iter().zip(have).all(|(w, h)| contains(h, w))
        }
        (Value::Array(_), _) => false,
        (Value::Null, h) => h.is_null(),
        (Value::Number(w), Value::Number(h)) => match (w.as_f64(), h.as_f64()) {
            (Some(w), Some(h)) => (w - h).abs() < 1e-6,
            _ => w == h,
        },
        (w, h) => match (text(w), text(h)) {
            (Some(w), Some(h)) => same_text(&w, &h),
            _ => false,
        },
    }
}

/// Whether two texts are equal, or are RFC 3339 times of the same instant.
pub fn same_text(expected: &str, actual: &str) -> bool {
    if expected == actual {
        return true;
    }
    match (DateTime::parse_from_rfc3339(expected), DateTime::parse_from_rfc3339(actual)) {
        (Ok(w), Ok(h)) => w == h,
        _ => false,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}
