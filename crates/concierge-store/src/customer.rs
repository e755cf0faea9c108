//! Customers of a tenant, and what erasing one did.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What is known about a new customer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewCustomer {
    /// Full name.
    pub name: Option<String>,
    /// Phone number (E.164).
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
}

/// A stored customer. After erasure every personal field is empty and
/// `erased_at` is set; the row stays so that references stay valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerRecord {
    /// Its id.
    pub id: String,
    /// Full name.
    pub name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was erased, if it was.
    pub erased_at: Option<DateTime<Utc>>,
}

/// What erasing a customer changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureReport {
    /// Conversations whose events were redacted and state cleared.
    pub conversations: u64,
    /// Events redacted.
    pub events_redacted: u64,
    /// Bookings whose customer details were removed.
    pub bookings_anonymised: u64,
}

/// The JSON that replaces an erased customer's events: the event's kind
/// (its `type` or `kind` field, or its single top-level key) survives so
/// analytics still count turns, nothing else does.
pub(crate) fn redacted_event(event: &serde_json::Value) -> serde_json::Value {
    let kind =
        event.get("type").or_else(|| event.get("kind")).and_then(|k| k.as_str().map(str::to_owned)).or_else(
            || match event.as_object() {
                Some(map) if map.len() == 1 => map.keys().next().cloned(),
                _ => None,
            },
        );
    serde_json::json!({ "redacted": true, "kind": kind })
}

/// The name left on an anonymised booking.
pub(crate) const ERASED_NAME: &str = "[erased]";
