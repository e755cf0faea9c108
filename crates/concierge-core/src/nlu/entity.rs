//! Entities found in a message, with resolved values.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

pub use super::datetime::Grain;

/// An entity mention in a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entity {
    /// The entity's name: a built-in (`datetime`, `number`, `email`, `phone`)
    /// or one declared in the spec.
    pub entity: String,
    /// The resolved value.
    pub value: EntityValue,
    /// The text it was found in, as the user wrote it.
    pub text: String,
    /// Byte offset where the mention starts.
    pub start: usize,
    /// Byte offset where the mention ends.
    pub end: usize,
}

/// A resolved entity value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EntityValue {
    /// Free text, or the canonical value of a list entity.
    Text {
        /// The text.
        value: String,
    },
    /// A number.
    Number {
        /// The number.
        value: f64,
    },
    /// A normalised (lower-cased domain) email address.
    Email {
        /// The address.
        value: String,
    },
    /// A phone number in E.164 form, such as `+14155550100`.
    Phone {
        /// The number.
        value: String,
    },
    /// A point in time with the precision it was given at.
    Time {
        /// When, at the business's (or reference time's) offset.
        value: DateTime<FixedOffset>,
        /// How precisely it was given (`hour` for "3pm", `day` for "tomorrow").
        grain: Grain,
    },
    /// A time range; `to` is exclusive.
    Interval {
        /// The start, if given.
        from: Option<DateTime<FixedOffset>>,
        /// The end (exclusive), if given.
        to: Option<DateTime<FixedOffset>>,
        /// The precision of the bounds.
        grain: Grain,
    },
    /// A length of time.
    Duration {
        /// Its length in seconds.
        seconds: i64,
    },
}

impl EntityValue {
    /// The value as a short string, for templates and slot values.
    pub fn display(&self) -> String {
        match self {
            EntityValue::Text { value } | EntityValue::Email { value } | EntityValue::Phone { value } => {
                value.clone()
            }
            EntityValue::Number { value } => {
                if value.fract() == 0.0 && value.abs() < 1e15 {
                    format!("{}", *value as i64)
                } else {
                    value.to_string()
                }
            }
            EntityValue::Time { value, .. } => value.to_rfc3339(),
            EntityValue::Interval { from, to, .. } => format!(
                "{}/{}",
                from.map(|d| d.to_rfc3339()).unwrap_or_default(),
                to.map(|d| d.to_rfc3339()).unwrap_or_default()
            ),
            EntityValue::Duration { seconds } => format!("{seconds}s"),
        }
    }
}
