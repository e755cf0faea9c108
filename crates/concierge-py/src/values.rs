//! Conversions between the engine's values and plain Python values
//! (dicts, lists, `datetime`s) that the Python layer wraps in dataclasses.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use chrono_tz::Tz;
use concierge_core::booking::{Booking, Slot};
use concierge_core::dialog::Turn;
use concierge_core::nlu::datetime::Grain;
use concierge_core::nlu::{Entity, EntityValue, IntentScore, Parse};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString};
use pyo3::IntoPyObjectExt;

/// A JSON value as the matching Python value.
fn json_to_py<'py>(py: Python<'py>, value: &serde_json::Value) -> PyResult<Bound<'py, PyAny>> {
    use serde_json::Value;
    match value {
        Value::Null => Ok(py.None().into_bound(py)),
        Value::Bool(b) => b.into_bound_py_any(py),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_bound_py_any(py),
            (None, Some(u)) => u.into_bound_py_any(py),
            _ => n.as_f64().unwrap_or(f64::NAN).into_bound_py_any(py),
        },
        Value::String(s) => s.into_bound_py_any(py),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            Ok(dict.into_any())
        }
    }
}

/// A serializable value as a Python value, through JSON.
pub(crate) fn serde_to_py<'py>(
    py: Python<'py>,
    value: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let json = serde_json::to_value(value).map_err(|e| PyTypeError::new_err(e.to_string()))?;
    json_to_py(py, &json)
}

/// An `f32` score as the `float` it reads as (0.9, not 0.8999999761581543).
fn score(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

/// A grain's snake_case name.
fn grain_name(grain: Grain) -> String {
    serde_json::to_value(grain).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// An entity value as `(kind, value, grain)`: text, email and phone as
/// `str`, numbers as `float`, times as aware `datetime`s, intervals as a
/// `(start, end)` tuple and durations as `timedelta`.
pub(crate) fn entity_value<'py>(
    py: Python<'py>,
    value: &EntityValue,
) -> PyResult<(&'static str, Bound<'py, PyAny>, Option<String>)> {
    Ok(match value {
        EntityValue::Text { value } => ("text", value.into_bound_py_any(py)?, None),
        EntityValue::Email { value } => ("email", value.into_bound_py_any(py)?, None),
        EntityValue::Phone { value } => ("phone", value.into_bound_py_any(py)?, None),
        EntityValue::Number { value } => ("number", value.into_bound_py_any(py)?, None),
        EntityValue::Time { value, grain } => {
            ("time", value.into_bound_py_any(py)?, Some(grain_name(*grain)))
        }
        EntityValue::Interval { from, to, grain } => {
            ("interval", (*from, *to).into_bound_py_any(py)?, Some(grain_name(*grain)))
        }
        EntityValue::Duration { seconds } => {
            ("duration", TimeDelta::seconds(*seconds).into_bound_py_any(py)?, None)
        }
    })
}

/// Byte offset `byte` of `text` as a character offset, so Python slices work.
fn char_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or_else(|| text.chars().count(), |prefix| prefix.chars().count())
}

fn intent_dict<'py>(py: Python<'py>, intent: &IntentScore) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("name", &intent.intent)?;
    dict.set_item("confidence", score(intent.confidence))?;
    Ok(dict)
}

fn entity_dict<'py>(py: Python<'py>, message: &str, entity: &Entity) -> PyResult<Bound<'py, PyDict>> {
    let (kind, value, grain) = entity_value(py, &entity.value)?;
    let dict = PyDict::new(py);
    dict.set_item("entity", &entity.entity)?;
    dict.set_item("kind", kind)?;
    dict.set_item("value", value)?;
    dict.set_item("grain", grain)?;
    dict.set_item("text", &entity.text)?;
    dict.set_item("start", char_offset(message, entity.start))?;
    dict.set_item("end", char_offset(message, entity.end))?;
    Ok(dict)
}

/// A parse as `{"intents", "intent", "entities"}`; `message` is the text
/// parsed, for character offsets.
pub(crate) fn parse_dict<'py>(py: Python<'py>, message: &str, parse: &Parse) -> PyResult<Bound<'py, PyDict>> {
    let intents = PyList::empty(py);
    for intent in &parse.intents {
        intents.append(intent_dict(py, intent)?)?;
    }
    let entities = PyList::empty(py);
    for entity in &parse.entities {
        entities.append(entity_dict(py, message, entity)?)?;
    }
    let dict = PyDict::new(py);
    dict.set_item("intents", intents)?;
    dict.set_item("intent", parse.intent.as_ref().map(|i| intent_dict(py, i)).transpose()?)?;
    dict.set_item("entities", entities)?;
    Ok(dict)
}

/// A turn as `{"replies", "events", "parse"}`.
pub(crate) fn turn_dict<'py>(py: Python<'py>, message: &str, turn: &Turn) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("replies", serde_to_py(py, &turn.replies)?)?;
    dict.set_item("events", serde_to_py(py, &turn.events)?)?;
    dict.set_item("parse", turn.parse.as_ref().map(|p| parse_dict(py, message.trim(), p)).transpose()?)?;
    Ok(dict)
}

/// An instant at the business's offset.
fn local(time: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
    time.with_timezone(&tz).fixed_offset()
}

/// A booking as a dict, times as aware `datetime`s at the business's offset.
pub(crate) fn booking_dict<'py>(py: Python<'py>, booking: &Booking, tz: Tz) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("id", &booking.id)?;
    dict.set_item("reference", &booking.reference)?;
    dict.set_item("service", &booking.service)?;
    dict.set_item("staff", &booking.staff)?;
    dict.set_item("start", local(booking.start, tz))?;
    dict.set_item("end", local(booking.end, tz))?;
    dict.set_item("customer_name", &booking.customer.name)?;
    dict.set_item("phone", &booking.customer.phone)?;
    dict.set_item("email", &booking.customer.email)?;
    dict.set_item("status", serde_to_py(py, &booking.status)?)?;
    Ok(dict)
}

/// A slot as a dict, times at the business's offset.
pub(crate) fn slot_dict<'py>(py: Python<'py>, slot: &Slot, tz: Tz) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("start", local(slot.start, tz))?;
    dict.set_item("end", local(slot.end, tz))?;
    dict.set_item("staff", &slot.staff)?;
    Ok(dict)
}

/// A conversation's slots as a dict of Python values.
pub(crate) fn slots_dict<'py>(
    py: Python<'py>,
    slots: &BTreeMap<String, EntityValue>,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in slots {
        dict.set_item(name, entity_value(py, value)?.1)?;
    }
    Ok(dict)
}

/// A Python value an action returns for a slot: `str` is text, `int` and
/// `float` a number, an aware `datetime` a time to the minute, a
/// `timedelta` a duration.
pub(crate) fn slot_value(value: &Bound<'_, PyAny>) -> PyResult<EntityValue> {
    if value.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err("a slot value cannot be a bool; use a str or a number"));
    }
    if value.is_instance_of::<PyString>() {
        return Ok(EntityValue::Text { value: value.extract()? });
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        return Ok(EntityValue::Number { value: value.extract()? });
    }
    if let Ok(time) = value.extract::<DateTime<FixedOffset>>() {
        return Ok(EntityValue::Time { value: time, grain: Grain::Minute });
    }
    if let Ok(delta) = value.extract::<TimeDelta>() {
        return Ok(EntityValue::Duration { seconds: delta.num_seconds() });
    }
    Err(PyTypeError::new_err(format!(
        "a slot value must be a str, a number, an aware datetime or a timedelta, not {}",
        value.get_type().name()?
    )))
}
