//! Where "now" comes from: `options.now` (RFC 3339 text, a `Date` or epoch
//! milliseconds) or the JS clock. `chrono::Utc::now()` is never called:
//! it panics on `wasm32-unknown-unknown`.

use chrono::{DateTime, Utc};
use wasm_bindgen::{JsCast, JsValue};

use crate::error::BindingError;

/// Why `options.now` is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NowError {
    /// The text is not an RFC 3339 time with an offset.
    #[error("options.now: {text:?} is not an RFC 3339 time such as 2026-03-02T09:00:00-05:00 ({reason})")]
    Text {
        /// The text given.
        text: String,
        /// What the parser objected to.
        reason: String,
    },
    /// The number or `Date` is not a representable time.
    #[error("options.now: {0} is not a valid time")]
    OutOfRange(String),
    /// The value is of another type.
    #[error("options.now: expected an RFC 3339 string, a Date or epoch milliseconds, got {0}")]
    Type(String),
}

/// Parses an RFC 3339 time with an offset (`2026-03-02T09:00:00-05:00`).
pub fn parse_rfc3339(text: &str) -> Result<DateTime<Utc>, NowError> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| NowError::Text { text: text.to_string(), reason: e.to_string() })
}

fn from_epoch_millis(ms: f64) -> Result<DateTime<Utc>, NowError> {
    if !ms.is_finite() {
        return Err(NowError::OutOfRange(ms.to_string()));
    }
    // Whole milliseconds are all a JS clock gives.
    DateTime::from_timestamp_millis(ms.round() as i64).ok_or_else(|| NowError::OutOfRange(ms.to_string()))
}

/// The time a call should use: `options.now` when given, else `Date.now()`.
pub(crate) fn now_from_options(options: Option<&JsValue>) -> Result<DateTime<Utc>, BindingError> {
    let Some(options) = options.filter(|o| !o.is_undefined() && !o.is_null()) else {
        return Ok(js_now()?);
    };
    if !options.is_object() {
        return Err(BindingError::Options(describe(options)));
    }
    let now = js_sys::Reflect::get(options, &JsValue::from_str("now"))
        .map_err(|_| BindingError::Options("an object whose `now` cannot be read".into()))?;
    Ok(now_from_value(&now)?)
}

fn now_from_value(now: &JsValue) -> Result<DateTime<Utc>, NowError> {
    if now.is_undefined() || now.is_null() {
        return js_now();
    }
    if let Some(text) = now.as_string() {
        return parse_rfc3339(&text);
    }
    if let Some(ms) = now.as_f64() {
        return from_epoch_millis(ms);
    }
    if let Some(date) = now.dyn_ref::<js_sys::Date>() {
        return from_epoch_millis(date.get_time());
    }
    Err(NowError::Type(describe(now)))
}

fn js_now() -> Result<DateTime<Utc>, NowError> {
    from_epoch_millis(js_sys::Date::now())
}

/// A short description of a JS value for error messages.
pub(crate) fn describe(value: &JsValue) -> String {
    value.js_typeof().as_string().unwrap_or_else(|| "an unknown value".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_with_offset_is_read_as_that_instant() {
        let t = parse_rfc3339("2026-03-02T09:00:00-05:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T14:00:00+00:00");
    }

    #[test]
    fn text_without_offset_is_rejected_with_the_option_named() {
        let err = parse_rfc3339("2026-03-02 09:00").unwrap_err();
        assert!(err.to_string().starts_with("options.now: \"2026-03-02 09:00\""), "{err}");
    }

    #[test]
    fn epoch_millis_round_to_the_millisecond() {
        let t = from_epoch_millis(1_772_460_000_000.4).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T14:00:00+00:00");
        assert!(matches!(from_epoch_millis(f64::NAN), Err(NowError::OutOfRange(_))));
        assert!(matches!(from_epoch_millis(1e300), Err(NowError::OutOfRange(_))));
    }
}
