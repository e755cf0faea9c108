//! The conversation service: every step of a stored conversation goes
//! through here, whichever adapter it came from (the HTTP and WebSocket
//! APIs, the admin API, the Python package, and the channels to come).
//!
//! Each step is one write: [`concierge_store::run_turn`] loads the
//! conversation, the step computes its records and the engine's next state
//! from it, and the store appends them together with the status change the
//! records imply ([`Record::status_change`]) in one transaction, retrying
//! on a concurrent writer. There is no second write for the status, so the
//! log and the status cannot disagree, even after a crash. The stored
//! items are then published on the [`Hub`].
//!
//! | step | records | status after |
//! |---|---|---|
//! | [`Conversations::send`] | the engine's events, one `reply` per reply | `waiting_for_human` on a handoff request |
//! | [`Conversations::take_over`] | `agent_joined` | `with_human` |
//! | [`Conversations::agent_message`] | `agent_message` | unchanged |
//! | [`Conversations::release`] | `handoff_released`, `agent_left` | `bot` |
//! | [`Conversations::close`] | `closed` | `closed` |

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use concierge_core::dialog::{check_message, ConversationState, Turn, TurnContext};
use concierge_store::{
    run_turn, AppendedTurn, Conversation, ConversationStatus, Store, TenantId, TurnWrite,
    DEFAULT_TURN_ATTEMPTS,
};

use crate::engines::EngineSource;
use crate::hub::Hub;
use crate::record::{status_after, HostRecord, Item, Record};
use crate::ServiceError;

/// The conversations of every tenant in a store, and the hub their new
/// items are published on. Cheap to share (`Arc`s inside).
#[derive(Clone)]
pub struct Conversations {
    store: Arc<dyn Store>,
    hub: Arc<Hub>,
}

impl std::fmt::Debug for Conversations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conversations").field("backend", &self.store.backend()).finish_non_exhaustive()
    }
}

/// A customer's message, handled and stored.
#[derive(Debug, Clone)]
pub struct SentMessage {
    /// What the engine did.
    pub turn: Turn,
    /// Where the turn landed in the log.
    pub appended: AppendedTurn,
    /// The stored items, as published.
    pub items: Vec<Item>,
    /// The conversation's status after the turn.
    pub status: ConversationStatus,
}

/// A step of the business's side (take over, a person's message, release,
/// close), stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The conversation's status after the step.
    pub status: ConversationStatus,
    /// The stored items, as published.
    pub items: Vec<Item>,
}

/// What a step writes: the engine's next state and the records to log.
struct Change<T> {
    state: serde_json::Value,
    records: Vec<Record>,
    output: T,
}

impl Conversations {
    /// The service over `store`, publishing on `hub`.
    pub fn new(store: Arc<dyn Store>, hub: Arc<Hub>) -> Self {
        Conversations { store, hub }
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The hub new items are published on.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// The stored items of a conversation after sequence number `after`
    /// (0 for all), in order.
    pub async fn items(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        after: i64,
    ) -> Result<Vec<Item>, ServiceError> {
        let stored = self.store.events(tenant, conversation_id, after.max(0)).await?;
        Ok(stored.iter().map(Item::from_stored).collect())
    }

    /// Runs a customer's message in a conversation (the engine from
    /// `engines`, the clock at `now`) and stores the turn.
    pub async fn send(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        text: &str,
        engines: &dyn EngineSource,
        now: DateTime<Utc>,
    ) -> Result<SentMessage, ServiceError> {
        let text = check_message(text).map_err(ServiceError::from)?;
        let (appended, items, status, turn) = self
            .write(tenant, conversation_id, |conversation| async move {
                refuse_closed(&conversation)?;
                let engine = engines.engine_for(&conversation).await?;
                let state = engine_state(conversation.state)?;
                let ctx = TurnContext { now, seed: state.turns, conversation_id: conversation.id };
                let turn = engine.handle(state, text, &ctx).await?;
                Ok(Change { state: state_json(&turn.state)?, records: Record::of_turn(&turn), output: turn })
            })
            .await?;
        Ok(SentMessage { turn, appended, items, status })
    }

    /// A person of the business takes a conversation over: the bot stays
    /// silent until [`Conversations::release`].
    pub async fn take_over(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        agent: &str,
    ) -> Result<Step, ServiceError> {
        self.step(tenant, conversation_id, |conversation| {
            if conversation.status == ConversationStatus::WithHuman {
                return Err(ServiceError::AlreadyTakenOver);
            }
            let state = engine_state(conversation.state)?.taken_over();
            Ok((state_json(&state)?, vec![HostRecord::AgentJoined { agent: agent.to_owned() }.into()]))
        })
        .await
    }

    /// A person's message to the customer, in a conversation they took over.
    pub async fn agent_message(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        agent: &str,
        text: &str,
    ) -> Result<Step, ServiceError> {
        let text = check_message(text).map_err(ServiceError::from)?;
        self.step(tenant, conversation_id, |conversation| {
            if conversation.status != ConversationStatus::WithHuman {
                return Err(ServiceError::NotTakenOver);
            }
            let record = HostRecord::AgentMessage { text: text.to_owned(), agent: agent.to_owned() };
            Ok((conversation.state, vec![record.into()]))
        })
        .await
    }

    /// Hands a conversation back to the bot (the engine from `engines`);
    /// `agent` is the person handing it back, when there is one.
    pub async fn release(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        agent: Option<&str>,
        engines: &dyn EngineSource,
    ) -> Result<Step, ServiceError> {
        let (_, items, status, ()) = self
            .write(tenant, conversation_id, |conversation| async move {
                refuse_closed(&conversation)?;
                let engine = engines.engine_for(&conversation).await?;
                let (state, events) = engine.release(engine_state(conversation.state)?);
                if events.is_empty() {
                    return Err(ServiceError::NotHandedOff);
                }
                let mut records: Vec<Record> = events.into_iter().map(Record::Engine).collect();
                if let Some(agent) = agent {
                    records.push(HostRecord::AgentLeft { agent: agent.to_owned() }.into());
                }
                Ok(Change { state: state_json(&state)?, records, output: () })
            })
            .await?;
        Ok(Step { status, items })
    }

    /// Closes a conversation: it takes no more messages (a channel starts a
    /// new one for the customer's next message).
    pub async fn close(&self, tenant: &TenantId, conversation_id: &str) -> Result<Step, ServiceError> {
        self.step(tenant, conversation_id, |conversation| {
            Ok((conversation.state, vec![HostRecord::Closed.into()]))
        })
        .await
    }

    /// A step that needs no engine: `change` gives the new state and the
    /// records from the conversation (never a closed one).
    async fn step<F>(&self, tenant: &TenantId, conversation_id: &str, change: F) -> Result<Step, ServiceError>
    where
        F: Fn(Conversation) -> Result<(serde_json::Value, Vec<Record>), ServiceError> + Sync,
    {
        let change = &change;
        let (_, items, status, ()) = self
            .write(tenant, conversation_id, |conversation| async move {
                refuse_closed(&conversation)?;
                let (state, records) = change(conversation)?;
                Ok(Change { state, records, output: () })
            })
            .await?;
        Ok(Step { status, items })
    }

    /// Computes a change from the latest conversation and appends it with
    /// the status its records imply, in one write (computed again when
    /// another writer got there first); publishes the stored items.
    async fn write<T, F, Fut>(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        mut change: F,
    ) -> Result<(AppendedTurn, Vec<Item>, ConversationStatus, T), ServiceError>
    where
        F: FnMut(Conversation) -> Fut,
        Fut: Future<Output = Result<Change<T>, ServiceError>>,
    {
        let (appended, (records, status, output)) =
            run_turn(self.store.as_ref(), tenant, conversation_id, DEFAULT_TURN_ATTEMPTS, |conversation| {
                let before = conversation.status;
                let computed = change(conversation);
                async move {
                    let Change { state, records, output } = computed.await?;
                    let status = status_after(&records);
                    let write =
                        TurnWrite { events: records.iter().map(Record::to_json).collect(), state, status };
                    Ok::<_, ServiceError>((write, (records, status.unwrap_or(before), output)))
                }
            })
            .await?;
        let items: Vec<Item> = records
            .iter()
            .zip(appended.first_seq..)
            .map(|(record, seq)| Item::new(seq, appended.turn, record))
            .collect();
        self.hub.publish(tenant, conversation_id, status, items.clone());
        Ok((appended, items, status, output))
    }
}

impl From<HostRecord> for Record {
    fn from(record: HostRecord) -> Self {
        Record::Host(record)
    }
}

fn refuse_closed(conversation: &Conversation) -> Result<(), ServiceError> {
    match conversation.status {
        ConversationStatus::Closed => Err(ServiceError::Closed),
        _ => Ok(()),
    }
}

/// The engine's state as stored (`{}` for a new conversation).
fn engine_state(value: serde_json::Value) -> Result<ConversationState, ServiceError> {
    serde_json::from_value(value).map_err(|e| ServiceError::CorruptState(e.to_string()))
}

fn state_json(state: &ConversationState) -> Result<serde_json::Value, ServiceError> {
    serde_json::to_value(state).map_err(|e| ServiceError::CorruptState(e.to_string()))
}
