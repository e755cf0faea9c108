//! Conversations, their state and their event log.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{StoreError, TenantId};

/// Who is handling a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    /// The bot answers.
    Bot,
    /// Handed off; waiting for a person to pick it up.
    WaitingForHuman,
    /// A person answers.
    WithHuman,
    /// Finished.
    Closed,
}

impl ConversationStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Bot => "bot",
            ConversationStatus::WaitingForHuman => "waiting_for_human",
            ConversationStatus::WithHuman => "with_human",
            ConversationStatus::Closed => "closed",
        }
    }

    /// Parses a stored name.
    pub fn parse(text: &str) -> Result<Self, StoreError> {
        Ok(match text {
            "bot" => ConversationStatus::Bot,
            "waiting_for_human" => ConversationStatus::WaitingForHuman,
            "with_human" => ConversationStatus::WithHuman,
            "closed" => ConversationStatus::Closed,
            other => return Err(StoreError::Corrupt(format!("conversation status {other:?}"))),
        })
    }
}

/// What is needed to start a conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct NewConversation {
    /// The bot answering it, if known.
    pub bot_id: Option<String>,
    /// Where it happens (`web`, `whatsapp`, `sms`, ...).
    pub channel: String,
    /// The channel's own id for the other party (phone number, chat id), if any.
    pub external_ref: Option<String>,
    /// The customer, if known.
    pub customer_id: Option<String>,
    /// The engine's initial state (any JSON).
    pub state: serde_json::Value,
}

/// A conversation as stored: its latest state and where its log is.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversation {
    /// Its id.
    pub id: String,
    /// Its tenant.
    pub tenant_id: TenantId,
    /// The bot answering it.
    pub bot_id: Option<String>,
    /// Where it happens.
    pub channel: String,
    /// The channel's own id for the other party, if any.
    pub external_ref: Option<String>,
    /// The customer, if known.
    pub customer_id: Option<String>,
    /// Who is handling it.
    pub status: ConversationStatus,
    /// The engine's state after the last turn (any JSON).
    pub state: serde_json::Value,
    /// Sequence number of the last event (0 before any).
    pub last_seq: i64,
    /// Number of turns applied.
    pub turns: i64,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// Where an appended turn landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendedTurn {
    /// The turn's number (1 for the first).
    pub turn: i64,
    /// Sequence number of the turn's first event.
    pub first_seq: i64,
    /// Sequence number of the turn's last event (the conversation's new `last_seq`).
    pub last_seq: i64,
}

/// A conversation found by [`crate::ConversationStore::search_conversations`].
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationHit {
    /// The conversation.
    pub conversation: Conversation,
    /// The sequence number of its best matching message.
    pub seq: i64,
    /// That message's text.
    pub text: String,
}

/// The most words a search query keeps.
pub const MAX_SEARCH_WORDS: usize = 8;

/// The words of a search query: lower-cased runs of letters and digits, at
/// most [`MAX_SEARCH_WORDS`], each at most 64 bytes.
pub(crate) fn search_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.len() <= 64)
        .map(str::to_lowercase)
        .take(MAX_SEARCH_WORDS)
        .collect()
}

/// One logged engine event.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredEvent {
    /// Its sequence number in the conversation (gapless from 1).
    pub seq: i64,
    /// The turn that produced it.
    pub turn: i64,
    /// The event (any JSON).
    pub event: serde_json::Value,
    /// When it was stored.
    pub recorded_at: DateTime<Utc>,
}
