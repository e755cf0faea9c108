//! Running a conversation turn with optimistic retries.
//!
//! [`run_turn`] loads the conversation, lets the caller compute the turn from
//! it, and appends the result only if nobody else appended in between; on a
//! conflict it reloads and computes again. Concurrent messages for one
//! conversation therefore apply one after the other, whichever process or
//! server they arrive at. The turn closure may run more than once: side
//! effects in it must be idempotent (bookings take a `request_key`).

use std::future::Future;
use std::time::Duration;

use aes_gcm::aead::rand_core::RngCore;

use crate::{AppendedTurn, Conversation, ConversationStatus, Store, StoreError, TenantId};

/// How many times [`run_turn`] tries before giving up.
pub const DEFAULT_TURN_ATTEMPTS: u32 = 100;

/// What a turn writes: its events (at least one), the new state and, when
/// the turn changes who handles the conversation, the new status. All of it
/// lands in one transaction or none of it does.
#[derive(Debug, Clone, PartialEq)]
pub struct TurnWrite {
    /// Events in order.
    pub events: Vec<serde_json::Value>,
    /// State after the turn.
    pub state: serde_json::Value,
    /// The conversation's status after the turn (`None`: unchanged).
    pub status: Option<ConversationStatus>,
}

impl TurnWrite {
    /// A turn that logs `events` and leaves `state`, the status unchanged.
    pub fn new(events: Vec<serde_json::Value>, state: serde_json::Value) -> Self {
        TurnWrite { events, state, status: None }
    }

    /// The same turn, also moving the conversation to `status`.
    pub fn with_status(self, status: ConversationStatus) -> Self {
        TurnWrite { status: Some(status), ..self }
    }
}

/// Why [`run_turn`] failed.
#[derive(Debug, thiserror::Error)]
pub enum TurnError<E> {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The turn closure failed.
    #[error("turn failed: {0}")]
    Turn(E),
    /// Other writers kept winning.
    #[error("gave up after {0} conflicting attempts")]
    TooManyConflicts(u32),
}

/// Runs `turn` against the latest state of a conversation and appends its
/// result, retrying on conflicts up to `max_attempts` times.
/// Returns where the turn landed and the closure's extra output (replies).
pub async fn run_turn<T, E, F, Fut>(
    store: &dyn Store,
    tenant: &TenantId,
    conversation_id: &str,
    max_attempts: u32,
    mut turn: F,
) -> Result<(AppendedTurn, T), TurnError<E>>
where
    F: FnMut(Conversation) -> Fut,
    Fut: Future<Output = Result<(TurnWrite, T), E>>,
{
    for attempt in 0..max_attempts {
        let conversation = store.load_conversation(tenant, conversation_id).await?;
        let last_seq = conversation.last_seq;
        let (write, output) = turn(conversation).await.map_err(TurnError::Turn)?;
        match store.append_turn(tenant, conversation_id, last_seq, &write).await {
            Ok(appended) => return Ok((appended, output)),
            Err(StoreError::Conflict { .. }) => {
                // Back off a little, with jitter, so contenders spread out.
                let cap = 1 + u64::from(attempt.min(6));
                let micros = aes_gcm::aead::OsRng.next_u64() % (cap * 500);
                tokio::time::sleep(Duration::from_micros(micros)).await;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(TurnError::TooManyConflicts(max_attempts))
}
