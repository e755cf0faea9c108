//! What a tenant offers: services, staff and their weekly schedules. Details
//! are kept as JSON so the store does not depend on the spec's types.

use serde::{Deserialize, Serialize};

/// A bookable service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Service {
    /// Its id, unique within the tenant.
    pub id: String,
    /// Display name.
    pub name: String,
    /// How long it takes.
    pub duration_minutes: i32,
    /// Everything else (price, buffers, who can do it), as JSON.
    pub details: serde_json::Value,
}

/// A staff member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaffMember {
    /// Its id, unique within the tenant.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Everything else, as JSON.
    pub details: serde_json::Value,
}

/// A staff member's weekly working hours.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schedule {
    /// The staff member.
    pub staff_id: String,
    /// The hours, as JSON (the spec's shape).
    pub weekly_hours: serde_json::Value,
}
