//! Daily counters.

use async_trait::async_trait;
use chrono::NaiveDate;

use super::{query, Backend, Col, Param, Run};
use crate::{AnalyticsStore, DailyRollup, StoreError, TenantId};

#[async_trait]
impl<B: Backend> AnalyticsStore for B {
    async fn add_to_rollup(
        &self,
        tenant: &TenantId,
        day: NaiveDate,
        metric: &str,
        delta: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO daily_rollups (tenant_id, day, metric, value) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, day, metric) DO UPDATE SET \
             value = daily_rollups.value + excluded.value",
        )
        .param(tenant.as_str())
        .param(day)
        .param(metric)
        .param(delta)
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "rollup"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn rollups(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DailyRollup>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(
            "SELECT day, metric, value FROM daily_rollups WHERE tenant_id = $1 \
             AND day >= $2 AND day <= $3 ORDER BY day, metric",
        )
        .param(tenant.as_str())
        .param(from)
        .param(to)
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(DailyRollup { day: row.col("day")?, metric: row.col("metric")?, value: row.col("value")? })
            })
            .collect()
    }

    async fn rebuild_daily_rollups(
        &self,
        tenant: &TenantId,
        day: NaiveDate,
    ) -> Result<Vec<DailyRollup>, StoreError> {
        let (start, end) = crate::analytics::day_bounds(day);
        let mut tx = self.write(tenant).await?;
        let counts = query::<B>(&format!(
            "SELECT 'conversations.started' AS metric, count(*) AS value FROM conversations \
             WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 \
             UNION ALL SELECT 'bookings.created', count(*) FROM bookings \
             WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3 \
             UNION ALL SELECT 'turns', count(*) FROM (SELECT DISTINCT conversation_id, turn \
             FROM conversation_events WHERE tenant_id = $1 AND recorded_at >= $2 \
             AND recorded_at < $3) AS turns \
             UNION ALL SELECT 'events.' || {kind}, count(*) FROM conversation_events \
             WHERE tenant_id = $1 AND recorded_at >= $2 AND recorded_at < $3 \
             AND {kind} IS NOT NULL GROUP BY {kind}",
            kind = "(event->>'type')"
        ))
        .param(tenant.as_str())
        .param(start)
        .param(end)
        .fetch_all_in(&mut *tx)
        .await?;
        query::<B>(&format!(
            "DELETE FROM daily_rollups WHERE tenant_id = $1 AND day = $2 AND {}",
            crate::analytics::REBUILT_METRICS
        ))
        .param(tenant.as_str())
        .param(day)
        .execute_in(&mut *tx)
        .await?;
        for row in &counts {
            let metric: String = row.col("metric")?;
            let value: i64 = row.col("value")?;
            query::<B>("INSERT INTO daily_rollups (tenant_id, day, metric, value) VALUES ($1, $2, $3, $4)")
                .param(tenant.as_str())
                .param(day)
                .param(metric.as_str())
                .param(value)
                .execute_in(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.rollups(tenant, day, day).await
    }
}
