//! A tenant's analytics report and its customers' ratings, for every host.
//!
//! The figures are computed in the store from the conversation logs
//! ([`concierge_store::AnalyticsStore::report`]; the formulas are on
//! [`concierge_store::DayFigures`]); this module picks the days the way a
//! business reads them: in its time zone, the last 30 days unless asked.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use concierge_store::prelude::*;
use concierge_store::{Rating, Report, TenantId};

use crate::ServiceError;

/// The days a report covers when none are given: the last 30, today included.
pub const DEFAULT_REPORT_DAYS: i64 = 30;

/// The report of the tenant's business days `from..=to` (by default the
/// last [`DEFAULT_REPORT_DAYS`] up to today), in its time zone (UTC when it
/// has none).
pub async fn report(
    store: &dyn Store,
    tenant: &TenantId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<Report, ServiceError> {
    let tz = time_zone(store, tenant).await?;
    let to = to.unwrap_or_else(|| now.with_timezone(&tz).date_naive());
    let from = from.unwrap_or(to - Duration::days(DEFAULT_REPORT_DAYS - 1));
    Ok(store.report(tenant, tz, from, to, now).await?)
}

/// Records the customer's rating of their conversation (1 to 5, an optional
/// comment): once per conversation.
pub async fn rate(
    store: &dyn Store,
    tenant: &TenantId,
    conversation_id: &str,
    score: i32,
    comment: Option<&str>,
) -> Result<Rating, ServiceError> {
    Ok(store.rate_conversation(tenant, conversation_id, score, comment).await?)
}

/// The tenant's time zone, UTC when it has none.
async fn time_zone(store: &dyn Store, tenant: &TenantId) -> Result<Tz, ServiceError> {
    let tenant = store.tenant(tenant).await?;
    Ok(tenant.timezone.and_then(|name| name.parse().ok()).unwrap_or(Tz::UTC))
}
