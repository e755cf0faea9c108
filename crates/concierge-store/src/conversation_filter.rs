//! Which conversations a listing returns.

use chrono::{DateTime, Utc};

use crate::ConversationStatus;

/// The most conversations one listing returns.
pub const MAX_CONVERSATION_PAGE: u32 = 500;

/// A filter and page for [`crate::ConversationStore::list_conversations`]; results are
/// ordered most recently updated first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationFilter {
    /// Only conversations with this status.
    pub status: Option<ConversationStatus>,
    /// Only conversations updated at or after this time.
    pub updated_since: Option<DateTime<Utc>>,
    /// At most this many (capped at [`MAX_CONVERSATION_PAGE`]).
    pub limit: u32,
    /// Skip this many first.
    pub offset: u32,
}

impl Default for ConversationFilter {
    fn default() -> Self {
        ConversationFilter { status: None, updated_since: None, limit: 50, offset: 0 }
    }
}

impl ConversationFilter {
    /// The limit actually applied.
    pub fn effective_limit(&self) -> i64 {
        i64::from(self.limit.min(MAX_CONVERSATION_PAGE))
    }
}
