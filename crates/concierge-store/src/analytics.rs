//! Daily analytics rollups: one counter per tenant, day and metric.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One counter for one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyRollup {
    /// The day (UTC).
    pub day: NaiveDate,
    /// What is counted (`conversations`, `bookings`, `handoffs`, ...).
    pub metric: String,
    /// The count.
    pub value: i64,
}
