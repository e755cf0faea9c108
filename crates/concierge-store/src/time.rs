//! Timestamps at the precision both backends keep (microseconds), so a value
//! returned on creation equals the value read back later.

use chrono::{DateTime, DurationRound, TimeDelta, Utc};

/// The current time, truncated to whole microseconds.
pub(crate) fn now() -> DateTime<Utc> {
    truncate(Utc::now())
}

/// `time` truncated to whole microseconds.
pub(crate) fn truncate(time: DateTime<Utc>) -> DateTime<Utc> {
    time.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(time)
}
