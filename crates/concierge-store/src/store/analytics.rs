//! Daily counters for reports.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::analytics::{range_bounds, MAX_REPORT_DAYS};
use crate::{DailyRollup, Rating, Report, ReportInputs, StoreError, TenantId};

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

    /// Records the customer's rating of a conversation (1 to 5, an
    /// optional comment of at most [`crate::MAX_RATING_COMMENT`] bytes):
    /// once per conversation; a second is [`StoreError::Duplicate`], a
    /// score out of range or an oversized comment [`StoreError::Invalid`].
    async fn rate_conversation(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        score: i32,
        comment: Option<&str>,
    ) -> Result<Rating, StoreError>;

    /// The customer's rating of a conversation, if they gave one.
    async fn rating(&self, tenant: &TenantId, conversation_id: &str) -> Result<Option<Rating>, StoreError>;

    /// What the analytics report reads for the instants `[from, to)`: the
    /// conversations started then, summarised from their logs; the intents
    /// and the unanswered messages logged then (at most `limit` of each);
    /// the no-shows among bookings starting then.
    async fn report_inputs(
        &self,
        tenant: &TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<ReportInputs, StoreError>;

    /// The analytics report of the business days `from..=to` in `tz`, at
    /// `now` (see [`crate::DayFigures`] for the formulas). At most
    /// [`MAX_REPORT_DAYS`] days; `to` before `from` is [`StoreError::Invalid`].
    async fn report(
        &self,
        tenant: &TenantId,
        tz: Tz,
        from: NaiveDate,
        to: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Report, StoreError> {
        if to < from {
            return Err(StoreError::Invalid(format!("the report ends ({to}) before it starts ({from})")));
        }
        if (to - from).num_days() >= MAX_REPORT_DAYS {
            return Err(StoreError::Invalid(format!("a report covers at most {MAX_REPORT_DAYS} days")));
        }
        let (start, end) = range_bounds(tz, from, to);
        let inputs = self.report_inputs(tenant, start, end, REPORT_LIST_LENGTH).await?;
        Ok(Report::compute(inputs, tz, from, to, now))
    }
}

/// How many intents and unanswered messages a report lists.
const REPORT_LIST_LENGTH: i64 = 20;
