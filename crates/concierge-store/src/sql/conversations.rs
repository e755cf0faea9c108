//! Conversations: their state, status and event log. Appending a turn, the
//! hot path, is the backend's own ([`Backend::append`]); everything else is
//! here.

use async_trait::async_trait;
use sqlx::types::Json;

use super::{query, Backend, Col, Columns, Conn, Param, RowsAffected, Run};
use crate::tenant::new_id;
use crate::{
    AppendedTurn, Conversation, ConversationFilter, ConversationStatus, ConversationStore, NewConversation,
    StoreError, StoredEvent, TenantId, TurnWrite,
};

/// The columns [`conversation_from_row`] reads (a macro, so that the
/// queries of the hot path are constant strings).
macro_rules! conversation_columns {
    () => {
        "id, tenant_id, bot_id, channel, external_ref, customer_id, status, state, last_seq, turns, \
         created_at, updated_at"
    };
}

/// The columns [`conversation_from_row`] reads.
pub(super) const CONVERSATION_COLUMNS: &str = conversation_columns!();

/// A conversation by id.
const LOAD: &str =
    concat!("SELECT ", conversation_columns!(), " FROM conversations WHERE tenant_id = $1 AND id = $2");

/// The open conversation with a channel's reference, most recently updated first.
const OPEN_BY_REF: &str = concat!(
    "SELECT ",
    conversation_columns!(),
    " FROM conversations WHERE tenant_id = $1 AND channel = $2 AND external_ref = $3 \
     AND status <> 'closed' ORDER BY updated_at DESC, id LIMIT 1"
);

pub(super) fn conversation_from_row(row: &impl Columns) -> Result<Conversation, StoreError> {
    let state: Json<serde_json::Value> = row.col("state")?;
    Ok(Conversation {
        id: row.col("id")?,
        tenant_id: TenantId::parse(row.col_str("tenant_id")?)?,
        bot_id: row.col("bot_id")?,
        channel: row.col("channel")?,
        external_ref: row.col("external_ref")?,
        customer_id: row.col("customer_id")?,
        status: ConversationStatus::parse(row.col_str("status")?)?,
        state: state.0,
        last_seq: row.col("last_seq")?,
        turns: row.col("turns")?,
        created_at: row.col("created_at")?,
        updated_at: row.col("updated_at")?,
    })
}

fn event_from_row(row: &impl Columns) -> Result<StoredEvent, StoreError> {
    let event: Json<serde_json::Value> = row.col("event")?;
    Ok(StoredEvent {
        seq: row.col("seq")?,
        turn: row.col("turn")?,
        event: event.0,
        recorded_at: row.col("recorded_at")?,
    })
}

/// Inserts a new conversation in `tx`.
pub(super) async fn insert_conversation<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    conversation: &NewConversation,
) -> Result<Conversation, StoreError> {
    let now = crate::time::now();
    let created = Conversation {
        id: new_id(),
        tenant_id: tenant.clone(),
        bot_id: conversation.bot_id.clone(),
        channel: conversation.channel.clone(),
        external_ref: conversation.external_ref.clone(),
        customer_id: conversation.customer_id.clone(),
        status: ConversationStatus::Bot,
        state: conversation.state.clone(),
        last_seq: 0,
        turns: 0,
        created_at: now,
        updated_at: now,
    };
    query::<B>(
        "INSERT INTO conversations (id, tenant_id, bot_id, channel, external_ref, customer_id, \
         status, state, last_seq, turns, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, $9)",
    )
    .param(created.id.as_str())
    .param(tenant.as_str())
    .param(created.bot_id.as_deref())
    .param(created.channel.as_str())
    .param(created.external_ref.as_deref())
    .param(created.customer_id.as_deref())
    .param(created.status.as_str())
    .param(Json(&created.state))
    .param(now)
    .execute_in(&mut *conn)
    .await
    .map_err(|e| super::write_error(e, "conversation"))?;
    Ok(created)
}

/// A conversation's events with a sequence number above `after_seq`, in order.
pub(super) async fn events_after<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    conversation_id: &str,
    after_seq: i64,
) -> Result<Vec<StoredEvent>, StoreError> {
    let rows = query::<B>(
        "SELECT seq, turn, event, recorded_at FROM conversation_events \
         WHERE tenant_id = $1 AND conversation_id = $2 AND seq > $3 ORDER BY seq",
    )
    .param(tenant.as_str())
    .param(conversation_id)
    .param(after_seq)
    .fetch_all_in(conn)
    .await?;
    rows.iter().map(event_from_row).collect()
}

/// Why a turn's conditional write changed nothing: the conversation moved on
/// meanwhile ([`StoreError::Conflict`]), or it does not exist for this
/// tenant. The outer error is a failure to find out.
pub(crate) async fn refusal<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    conversation_id: &str,
    expected_last_seq: i64,
) -> Result<StoreError, StoreError> {
    let row = query::<B>("SELECT last_seq FROM conversations WHERE tenant_id = $1 AND id = $2")
        .param(tenant.as_str())
        .param(conversation_id)
        .fetch_optional_in(conn)
        .await?;
    Ok(match row {
        Some(row) => StoreError::Conflict {
            conversation: conversation_id.to_owned(),
            expected: expected_last_seq,
            actual: row.col("last_seq")?,
        },
        None => StoreError::not_found("conversation", conversation_id),
    })
}

/// How many matching messages a search reads per conversation it returns
/// (a conversation may match in several).
const SEARCH_ROWS_PER_HIT: i64 = 5;

#[async_trait]
impl<B: Backend> ConversationStore for B {
    async fn search_conversations(
        &self,
        tenant: &TenantId,
        text: &str,
        limit: u32,
    ) -> Result<Vec<crate::ConversationHit>, StoreError> {
        let words = crate::conversation::search_words(text);
        if words.is_empty() {
            return Err(StoreError::Invalid("a search needs at least one word".into()));
        }
        let limit = limit.clamp(1, crate::MAX_CONVERSATION_PAGE);
        let matched = words.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(" ");
        let rows = {
            let mut conn = self.read(tenant).await?;
            query::<B>(B::SEARCH_MESSAGES)
                .param(tenant.as_str())
                .param(matched.as_str())
                .param(i64::from(limit) * SEARCH_ROWS_PER_HIT)
                .fetch_all_in(&mut *conn)
                .await?
        };
        let mut hits = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in &rows {
            let id: String = row.col("conversation_id")?;
            if hits.len() == limit as usize || !seen.insert(id.clone()) {
                continue;
            }
            let conversation = self.load_conversation(tenant, &id).await?;
            hits.push(crate::ConversationHit { conversation, seq: row.col("seq")?, text: row.col("body")? });
        }
        Ok(hits)
    }

    async fn create_conversation(
        &self,
        tenant: &TenantId,
        conversation: &NewConversation,
    ) -> Result<Conversation, StoreError> {
        let mut tx = self.write(tenant).await?;
        let created = insert_conversation::<B>(&mut tx, tenant, conversation).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn load_conversation(&self, tenant: &TenantId, id: &str) -> Result<Conversation, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(LOAD)
            .param(tenant.as_str())
            .param(id)
            .fetch_optional_in(&mut *conn)
            .await?
            .ok_or_else(|| StoreError::not_found("conversation", id))?;
        conversation_from_row(&row)
    }

    async fn open_conversation_by_ref(
        &self,
        tenant: &TenantId,
        channel: &str,
        external_ref: &str,
    ) -> Result<Option<Conversation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(OPEN_BY_REF)
            .param(tenant.as_str())
            .param(channel)
            .param(external_ref)
            .fetch_optional_in(&mut *conn)
            .await?;
        row.as_ref().map(conversation_from_row).transpose()
    }

    async fn open_or_create_conversation_by_ref(
        &self,
        tenant: &TenantId,
        conversation: &NewConversation,
    ) -> Result<Conversation, StoreError> {
        let Some(external_ref) = conversation.external_ref.as_deref() else {
            return Err(StoreError::Invalid(
                "a conversation found by reference needs an external_ref".into(),
            ));
        };
        let channel = conversation.channel.as_str();
        let mut tx = self.write(tenant).await?;
        // Racing callers wait for the winner to commit.
        let key = format!("conversation-ref\u{1f}{}\u{1f}{channel}\u{1f}{external_ref}", tenant.as_str());
        B::lock(&mut tx, &key).await?;
        let row = query::<B>(OPEN_BY_REF)
            .param(tenant.as_str())
            .param(channel)
            .param(external_ref)
            .fetch_optional_in(&mut *tx)
            .await?;
        let conversation = match row.as_ref().map(conversation_from_row).transpose()? {
            Some(open) => open,
            None => insert_conversation::<B>(&mut tx, tenant, conversation).await?,
        };
        tx.commit().await?;
        Ok(conversation)
    }

    async fn append_turn(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        expected_last_seq: i64,
        write: &TurnWrite,
    ) -> Result<AppendedTurn, StoreError> {
        if write.events.is_empty() {
            return Err(StoreError::Invalid("a turn must record at least one event".into()));
        }
        self.append(tenant, conversation_id, expected_last_seq, write).await
    }

    async fn events(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        after_seq: i64,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        // Distinguish "no such conversation" from "no events yet".
        self.load_conversation(tenant, conversation_id).await?;
        let mut conn = self.read(tenant).await?;
        events_after::<B>(&mut conn, tenant, conversation_id, after_seq).await
    }

    async fn set_conversation_status(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        status: ConversationStatus,
    ) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        let done = query::<B>(
            "UPDATE conversations SET status = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .param(tenant.as_str())
        .param(conversation_id)
        .param(status.as_str())
        .param(crate::time::now())
        .execute_in(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("conversation", conversation_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn conversations_with_status(
        &self,
        tenant: &TenantId,
        status: ConversationStatus,
    ) -> Result<Vec<Conversation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 AND status = $2 \
             ORDER BY updated_at DESC, id"
        ))
        .param(tenant.as_str())
        .param(status.as_str())
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(conversation_from_row).collect()
    }

    async fn list_conversations(
        &self,
        tenant: &TenantId,
        filter: &ConversationFilter,
    ) -> Result<Vec<Conversation>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 \
             AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR updated_at >= $3) \
             ORDER BY updated_at DESC, id LIMIT $4 OFFSET $5"
        ))
        .param(tenant.as_str())
        .param(filter.status.map(ConversationStatus::as_str))
        .param(filter.updated_since.map(crate::time::truncate))
        .param(filter.effective_limit())
        .param(i64::from(filter.offset))
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(conversation_from_row).collect()
    }
}
