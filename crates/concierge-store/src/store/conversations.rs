//! Conversations: their state, status and event log, written a turn at a time.

use async_trait::async_trait;

use crate::{
    AppendedTurn, Conversation, ConversationFilter, ConversationStatus, NewConversation, StoreError,
    StoredEvent, TenantId, TurnWrite,
};

/// Conversations: their state, status and event log, written a turn at a time.
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Starts a conversation (status `bot`, no events).
    async fn create_conversation(
        &self,
        tenant: &TenantId,
        conversation: &NewConversation,
    ) -> Result<Conversation, StoreError>;

    /// A conversation with its latest state and sequence number.
    async fn load_conversation(&self, tenant: &TenantId, id: &str) -> Result<Conversation, StoreError>;

    /// The most recently updated conversation on `channel` with
    /// `external_ref` that is not closed, if any (to route an incoming SMS or
    /// chat message to its conversation).
    async fn open_conversation_by_ref(
        &self,
        tenant: &TenantId,
        channel: &str,
        external_ref: &str,
    ) -> Result<Option<Conversation>, StoreError>;

    /// The open conversation [`Self::open_conversation_by_ref`] finds for
    /// `conversation`'s channel and `external_ref`, or, when there is none,
    /// `conversation` created, atomically: callers racing on one reference
    /// all get the same conversation. [`StoreError::Invalid`] without an
    /// `external_ref`.
    async fn open_or_create_conversation_by_ref(
        &self,
        tenant: &TenantId,
        conversation: &NewConversation,
    ) -> Result<Conversation, StoreError>;

    /// Appends one turn: its events (at least one) get the next sequence
    /// numbers, its state replaces the state and its status (if any) the
    /// status, atomically, only if the conversation is still at
    /// `expected_last_seq`; otherwise [`StoreError::Conflict`] and nothing
    /// changes.
    async fn append_turn(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        expected_last_seq: i64,
        write: &TurnWrite,
    ) -> Result<AppendedTurn, StoreError>;

    /// Events with a sequence number above `after_seq`, in order.
    async fn events(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        after_seq: i64,
    ) -> Result<Vec<StoredEvent>, StoreError>;

    /// Changes who handles a conversation without logging anything (for
    /// tools; a conversation's own steps change it with their turn, see
    /// [`TurnWrite::status`]).
    async fn set_conversation_status(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        status: ConversationStatus,
    ) -> Result<(), StoreError>;

    /// The tenant's conversations with this status, most recently updated first.
    async fn conversations_with_status(
        &self,
        tenant: &TenantId,
        status: ConversationStatus,
    ) -> Result<Vec<Conversation>, StoreError>;

    /// The tenant's conversations in which a message (the customer's, the
    /// bot's or staff's) has every word of `query` (case and accents aside),
    /// best match first, at most `limit`, each with its best message. A
    /// query with no word is [`StoreError::Invalid`].
    async fn search_conversations(
        &self,
        tenant: &TenantId,
        query: &str,
        limit: u32,
    ) -> Result<Vec<crate::ConversationHit>, StoreError>;

    /// The tenant's conversations matching `filter`, most recently updated first.
    async fn list_conversations(
        &self,
        tenant: &TenantId,
        filter: &ConversationFilter,
    ) -> Result<Vec<Conversation>, StoreError>;
}
