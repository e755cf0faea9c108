//! The shapes of customer exports and erasure records, shared by both backends.

use crate::StoredBooking;
use serde_json::{json, Value};

use crate::{AuditEntry, Conversation, CustomerRecord, ErasureReport, NewAuditEntry, StoredEvent};

/// One conversation with its events, as exported.
pub(crate) fn conversation_json(conversation: &Conversation, events: &[StoredEvent]) -> Value {
    json!({
        "id": conversation.id,
        "channel": conversation.channel,
        "status": conversation.status,
        "created_at": conversation.created_at,
        "updated_at": conversation.updated_at,
        "state": conversation.state,
        "events": events.iter().map(|e| json!({
            "seq": e.seq,
            "turn": e.turn,
            "recorded_at": e.recorded_at,
            "event": e.event,
        })).collect::<Vec<_>>(),
    })
}

/// A whole customer export.
pub(crate) fn export_json(
    customer: &CustomerRecord,
    conversations: Vec<Value>,
    bookings: &[StoredBooking],
    audit: &[AuditEntry],
) -> Value {
    json!({
        "format": "concierge.customer-export.v1",
        "customer": customer,
        "conversations": conversations,
        "bookings": bookings,
        "audit": audit,
    })
}

/// The audit target naming a customer.
pub(crate) fn customer_target(customer_id: &str) -> String {
    format!("customer:{customer_id}")
}

/// The state an erased customer's conversations are left with.
pub(crate) fn erased_state() -> Value {
    json!({ "erased": true })
}

/// The audit entry an erasure leaves (ids and counts only, nothing personal).
pub(crate) fn erasure_audit(customer_id: &str, actor: &str, report: &ErasureReport) -> NewAuditEntry {
    NewAuditEntry {
        actor: actor.to_owned(),
        action: "customer.erase".to_owned(),
        target: Some(customer_target(customer_id)),
        details: json!(report),
    }
}
