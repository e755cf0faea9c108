//! Daily counters.

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::{query, Backend, Col, Param, Row, Run};
use crate::{
    AnalyticsStore, ConversationFacts, Count, DailyRollup, Rating, ReportInputs, StoreError, TenantId,
    MAX_RATING_COMMENT,
};

/// One row per conversation started in `[$2, $3)`, summarised from its log.
const CONVERSATION_FACTS: &str = "\
    SELECT c.id, c.channel, c.created_at, c.updated_at, r.score, \
    count(CASE WHEN e.event->>'type' = 'user_message' THEN 1 END) AS customer_messages, \
    count(CASE WHEN e.event->>'type' = 'reply' THEN 1 END) AS bot_replies, \
    count(CASE WHEN e.event->>'type' = 'agent_message' THEN 1 END) AS agent_messages, \
    count(CASE WHEN e.event->>'type' = 'booking_confirmed' THEN 1 END) AS bookings_made, \
    count(CASE WHEN e.event->>'type' = 'booking_cancelled' THEN 1 END) AS bookings_cancelled, \
    count(CASE WHEN e.event->>'type' = 'booking_rescheduled' THEN 1 END) AS bookings_rescheduled, \
    min(CASE WHEN e.event->>'type' IN ('handoff_requested', 'agent_joined') THEN e.recorded_at END) \
        AS handed_off_at, \
    min(CASE WHEN e.event->>'type' = 'agent_message' THEN e.recorded_at END) AS first_agent_message_at, \
    max(CASE WHEN e.event->>'type' = 'closed' THEN e.recorded_at END) AS closed_at \
    FROM conversations c \
    LEFT JOIN conversation_events e ON e.tenant_id = c.tenant_id AND e.conversation_id = c.id \
    LEFT JOIN conversation_ratings r ON r.tenant_id = c.tenant_id AND r.conversation_id = c.id \
    WHERE c.tenant_id = $1 AND c.created_at >= $2 AND c.created_at < $3 \
    GROUP BY c.id, c.channel, c.created_at, c.updated_at, r.score \
    ORDER BY c.created_at";

/// How often each value of `{field}` of events of type `$4` was logged in
/// `[$2, $3)`, most often first, at most `$5`.
fn counts_of(field: &str, lower: bool) -> String {
    let key = if lower { format!("lower(trim(event->>'{field}'))") } else { format!("event->>'{field}'") };
    format!(
        "SELECT {key} AS key, count(*) AS n, max(recorded_at) AS last_at FROM conversation_events \
         WHERE tenant_id = $1 AND recorded_at >= $2 AND recorded_at < $3 AND event->>'type' = $4 \
         AND {key} IS NOT NULL AND {key} <> '' GROUP BY {key} ORDER BY n DESC, last_at DESC, key LIMIT $5"
    )
}

fn count_from_row<B: Backend>(row: &Row<B>) -> Result<Count, StoreError> {
    Ok(Count { key: row.col("key")?, count: row.col("n")?, last_at: row.col("last_at")? })
}

fn rating_from_row<B: Backend>(row: &Row<B>) -> Result<Rating, StoreError> {
    Ok(Rating {
        conversation_id: row.col("conversation_id")?,
        score: row.col("score")?,
        comment: row.col("comment")?,
        created_at: row.col("created_at")?,
    })
}

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

    async fn rate_conversation(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        score: i32,
        comment: Option<&str>,
    ) -> Result<Rating, StoreError> {
        if !(1..=5).contains(&score) {
            return Err(StoreError::Invalid(format!("a rating is 1 to 5, not {score}")));
        }
        let comment = comment.map(str::trim).filter(|c| !c.is_empty());
        if comment.is_some_and(|c| c.len() > MAX_RATING_COMMENT) {
            return Err(StoreError::Invalid(format!("a comment has at most {MAX_RATING_COMMENT} bytes")));
        }
        let mut tx = self.write(tenant).await?;
        let exists = query::<B>("SELECT id FROM conversations WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(conversation_id)
            .fetch_optional_in(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound { what: "conversation", id: conversation_id.to_owned() });
        }
        let row = query::<B>(
            "INSERT INTO conversation_ratings (tenant_id, conversation_id, score, comment, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, conversation_id) DO NOTHING \
             RETURNING conversation_id, score, comment, created_at",
        )
        .param(tenant.as_str())
        .param(conversation_id)
        .param(score)
        .param(comment)
        .param(crate::time::now())
        .fetch_optional_in(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Err(StoreError::Duplicate(format!("a rating of conversation {conversation_id:?}")));
        };
        let rating = rating_from_row::<B>(&row)?;
        tx.commit().await?;
        Ok(rating)
    }

    async fn rating(&self, tenant: &TenantId, conversation_id: &str) -> Result<Option<Rating>, StoreError> {
        let mut conn = self.read(tenant).await?;
        query::<B>(
            "SELECT conversation_id, score, comment, created_at FROM conversation_ratings \
             WHERE tenant_id = $1 AND conversation_id = $2",
        )
        .param(tenant.as_str())
        .param(conversation_id)
        .fetch_optional_in(&mut *conn)
        .await?
        .as_ref()
        .map(rating_from_row::<B>)
        .transpose()
    }

    async fn report_inputs(
        &self,
        tenant: &TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: i64,
    ) -> Result<ReportInputs, StoreError> {
        let mut conn = self.read(tenant).await?;
        let conversations = query::<B>(CONVERSATION_FACTS)
            .param(tenant.as_str())
            .param(from)
            .param(to)
            .fetch_all_in(&mut *conn)
            .await?
            .iter()
            .map(|row| {
                Ok(ConversationFacts {
                    id: row.col("id")?,
                    channel: row.col("channel")?,
                    created_at: row.col("created_at")?,
                    updated_at: row.col("updated_at")?,
                    customer_messages: row.col("customer_messages")?,
                    bot_replies: row.col("bot_replies")?,
                    agent_messages: row.col("agent_messages")?,
                    handed_off_at: row.col("handed_off_at")?,
                    first_agent_message_at: row.col("first_agent_message_at")?,
                    closed_at: row.col("closed_at")?,
                    bookings_made: row.col("bookings_made")?,
                    bookings_cancelled: row.col("bookings_cancelled")?,
                    bookings_rescheduled: row.col("bookings_rescheduled")?,
                    rating: row.col("score")?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let mut counted = Vec::new();
        for (kind, field, lower) in [("intent_detected", "name", false), ("out_of_scope", "text", true)] {
            let rows = query::<B>(&counts_of(field, lower))
                .param(tenant.as_str())
                .param(from)
                .param(to)
                .param(kind)
                .param(limit)
                .fetch_all_in(&mut *conn)
                .await?;
            counted.push(rows.iter().map(count_from_row::<B>).collect::<Result<Vec<_>, _>>()?);
        }
        let unanswered = counted.pop().unwrap_or_default();
        let top_intents = counted.pop().unwrap_or_default();
        let no_shows = query::<B>(
            "SELECT starts_at FROM bookings WHERE tenant_id = $1 AND status = 'no_show' \
             AND starts_at >= $2 AND starts_at < $3",
        )
        .param(tenant.as_str())
        .param(B::instant(from))
        .param(B::instant(to))
        .fetch_all_in(&mut *conn)
        .await?
        .iter()
        .map(|row| B::from_instant(row.col("starts_at")?))
        .collect::<Result<Vec<_>, _>>()?;
        Ok(ReportInputs { conversations, top_intents, unanswered, no_shows })
    }
}
