//! Daily counters for reports.

use async_trait::async_trait;
use chrono::NaiveDate;

use crate::{DailyRollup, StoreError, TenantId};

/// Daily counters for reports.
#[async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Adds `delta` to a daily counter.
    async fn add_to_rollup(
        &self,
        tenant: &TenantId,
        day: NaiveDate,
        metric: &str,
        delta: i64,
    ) -> Result<(), StoreError>;

    /// Counters for days in `[from, to]`, by day then metric.
    async fn rollups(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DailyRollup>, StoreError>;

    /// Recomputes the counters of `day` (UTC) from the stored records and
    /// replaces them: `conversations.started`, `turns`, `bookings.created`
    /// and `events.<type>` for each event `type` logged that day. Counters
    /// kept with [`Self::add_to_rollup`] under other names stay. Returns
    /// the day's counters.
    async fn rebuild_daily_rollups(
        &self,
        tenant: &TenantId,
        day: NaiveDate,
    ) -> Result<Vec<DailyRollup>, StoreError>;
}
