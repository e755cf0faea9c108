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

/// The UTC bounds `[start, end)` of a day.
pub(crate) fn day_bounds(day: NaiveDate) -> (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>) {
    let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
    (start, start + chrono::Duration::days(1))
}

/// The counters [`crate::AnalyticsStore::rebuild_daily_rollups`] owns, as a SQL condition on `metric`.
pub(crate) const REBUILT_METRICS: &str =
    "(metric IN ('conversations.started', 'turns', 'bookings.created') OR metric LIKE 'events.%')";
