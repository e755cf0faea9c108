//! Tests of the booking module at its public boundary.

mod availability;
mod engine;
mod properties;

use chrono::{DateTime, Utc};

use super::Catalog;
use crate::spec::BusinessSpec;

/// A salon in New York open Tuesday to Saturday, 09:00-19:00, with two
/// stylists; blow-dry has buffers and colour classes have two seats.
pub(super) const SALON: &str = r#"
name: Salon Nova
timezone: America/New_York
hours:
  tuesday: ["09:00-19:00"]
  wednesday: ["09:00-19:00"]
  thursday: ["09:00-19:00"]
  friday: ["09:00-19:00"]
  saturday: ["09:00-19:00"]
policies:
  min_notice_minutes: 60
  max_days_ahead: 60
  slot_interval_minutes: 30
  cancellation_cutoff_hours: 24
  hold_minutes: 10
services:
  - { id: womens_haircut, name: "Women's haircut", duration_minutes: 60 }
  - { id: mens_haircut, name: "Men's haircut", duration_minutes: 30 }
  - { id: colour, name: Colour, duration_minutes: 120, staff: [ana] }
  - { id: blow_dry, name: Blow-dry, duration_minutes: 45, buffer_before_minutes: 10, buffer_after_minutes: 15 }
  - { id: colour_class, name: Colour class, duration_minutes: 60, capacity: 2, staff: [ana] }
staff:
  - { id: maria, name: Maria }
  - { id: ana, name: Ana }
"#;

pub(super) fn spec(yaml: &str) -> BusinessSpec {
    serde_yaml::from_str(yaml).expect("fixture parses")
}

pub(super) fn salon() -> Catalog {
    Catalog::from_spec(&spec(SALON)).expect("fixture is valid")
}

pub(super) fn at(rfc3339: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(rfc3339).expect("test time parses").with_timezone(&Utc)
}
