//! Conversations over the API: running a customer's message as a stored
//! turn, and adding an agent's message during a handoff.
//!
//! A message goes through [`concierge_store::run_turn`]: the conversation's
//! state is loaded, the tenant's cached engine handles the message, and the
//! turn's engine events, followed by one `reply` record per reply (text and
//! quick replies, so a reloaded widget can redraw the conversation), are
//! appended atomically with the new state; a concurrent writer makes it
//! retry. Then the stored items are published on the [`super::hub::Hub`].

use std::time::Instant;

use concierge_core::dialog::{ConversationState, Event, Turn, TurnContext, MAX_MESSAGE_BYTES};
use concierge_store::{
    run_turn, AppendedTurn, ConversationStatus, TenantId, TurnError, TurnWrite, DEFAULT_TURN_ATTEMPTS,
};
use serde_json::{json, Value};

use super::error::ApiError;
use super::hub::{Item, STORED_AGENT_MESSAGE, STORED_REPLY};
use super::state::AppState;

/// A handled message.
#[derive(Debug, Clone)]
pub struct TurnOutcome {
    /// What the engine did.
    pub turn: Turn,
    /// Where the turn landed in the log.
    pub appended: AppendedTurn,
    /// The stored items, as published.
    pub items: Vec<Item>,
}

/// Checks a customer message the way the engine will (so the API can answer 400/413 early).
pub fn check_message(text: &str) -> Result<(), ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ApiError::EmptyMessage);
    }
    if trimmed.len() > MAX_MESSAGE_BYTES {
        return Err(ApiError::MessageTooLong { bytes: trimmed.len(), limit: MAX_MESSAGE_BYTES });
    }
    Ok(())
}

/// Runs a customer's message in a conversation, stores it, publishes the
/// new items and counts it (`channel` labels the metrics: `http`, `ws`).
pub async fn handle_message(
    state: &AppState,
    tenant: &TenantId,
    conversation_id: &str,
    text: &str,
    channel: &str,
) -> Result<TurnOutcome, ApiError> {
    check_message(text)?;
    let started = Instant::now();
    let now = state.clock.now();
    let result =
        run_turn(state.store.as_ref(), tenant, conversation_id, DEFAULT_TURN_ATTEMPTS, |conversation| {
            let state = state.clone();
            let tenant = tenant.clone();
            async move {
                if conversation.status == ConversationStatus::Closed {
                    return Err(ApiError::Conflict("the conversation is closed".into()));
                }
                let bot_id = conversation
                    .bot_id
                    .as_deref()
                    .ok_or_else(|| ApiError::Conflict("the conversation has no bot".into()))?;
                let engine = state.engines.engine(&tenant, bot_id).await?;
                let engine_state: ConversationState = serde_json::from_value(conversation.state)
                    .map_err(|e| ApiError::Internal(format!("stored conversation state: {e}")))?;
                let ctx =
                    TurnContext { now, seed: engine_state.turns, conversation_id: conversation.id.clone() };
                let turn = engine.handle(engine_state, text, &ctx).await.map_err(|e| match e {
                    concierge_core::dialog::EngineError::EmptyMessage => ApiError::EmptyMessage,
                    concierge_core::dialog::EngineError::MessageTooLong(bytes) => {
                        ApiError::MessageTooLong { bytes, limit: MAX_MESSAGE_BYTES }
                    }
                    other => ApiError::Internal(other.to_string()),
                })?;
                let events = stored_events(&turn)?;
                let write = TurnWrite {
                    events: events.clone(),
                    state: serde_json::to_value(&turn.state).map_err(ApiError::internal)?,
                    status: None,
                };
                Ok((write, (turn, events)))
            }
        })
        .await;
    let (appended, (turn, events)) = result.map_err(turn_error)?;
    let items = items_for(&appended, &events);
    state.hub.publish(tenant, conversation_id, items.clone());
    if turn.events.iter().any(|e| matches!(e, Event::HandoffRequested { .. })) {
        state
            .store
            .set_conversation_status(tenant, conversation_id, ConversationStatus::WaitingForHuman)
            .await?;
    }
    state.metrics.observe_turn(tenant.as_str(), channel, &turn.events, started.elapsed().as_secs_f64());
    Ok(TurnOutcome { turn, appended, items })
}

/// Appends an agent's message to a conversation (as a stored
/// `agent_message` event, the state unchanged) and pushes it to the
/// conversation's listeners. For the admin API during a handoff.
pub async fn append_agent_message(
    state: &AppState,
    tenant: &TenantId,
    conversation_id: &str,
    agent: &str,
    text: &str,
) -> Result<Item, ApiError> {
    check_message(text)?;
    let event = json!({ "type": STORED_AGENT_MESSAGE, "text": text.trim(), "agent": agent });
    let mut items = append_events(state, tenant, conversation_id, vec![event]).await?;
    items.pop().ok_or_else(|| ApiError::Internal("no item stored".into()))
}

/// Appends events to a conversation without changing its state, and
/// publishes them. Returns them as items.
pub async fn append_events(
    state: &AppState,
    tenant: &TenantId,
    conversation_id: &str,
    events: Vec<Value>,
) -> Result<Vec<Item>, ApiError> {
    let result = run_turn(state.store.as_ref(), tenant, conversation_id, DEFAULT_TURN_ATTEMPTS, |current| {
        let write = TurnWrite::new(events.clone(), current.state);
        async move { Ok::<_, ApiError>((write, ())) }
    })
    .await;
    let (appended, ()) = result.map_err(turn_error)?;
    let items = items_for(&appended, &events);
    state.hub.publish(tenant, conversation_id, items.clone());
    Ok(items)
}

/// The items of events appended as `appended`, in order.
pub fn items_for(appended: &AppendedTurn, events: &[Value]) -> Vec<Item> {
    events
        .iter()
        .zip(appended.first_seq..)
        .map(|(event, seq)| Item::from_event(seq, appended.turn, event))
        .collect()
}

/// The `concierge chat --jsonl` shape of a turn (what the messages endpoint returns).
pub fn turn_json(user: &str, turn: &Turn) -> Value {
    let intent = turn.events.iter().find_map(|e| match e {
        Event::IntentDetected { name, confidence } => Some(json!({ "name": name, "confidence": confidence })),
        _ => None,
    });
    json!({
        "user": user,
        "replies": turn.replies,
        "intent": intent,
        "entities": turn.parse.as_ref().map(|p| p.entities.clone()).unwrap_or_default(),
        "events": turn.events,
    })
}

/// What a turn stores: its engine events, then one `reply` record per reply.
fn stored_events(turn: &Turn) -> Result<Vec<Value>, ApiError> {
    let mut events = Vec::with_capacity(turn.events.len() + turn.replies.len());
    for event in &turn.events {
        events.push(serde_json::to_value(event).map_err(ApiError::internal)?);
    }
    for reply in &turn.replies {
        events.push(json!({ "type": STORED_REPLY, "text": reply.text, "buttons": reply.buttons }));
    }
    Ok(events)
}

fn turn_error(error: TurnError<ApiError>) -> ApiError {
    match error {
        TurnError::Turn(e) => e,
        TurnError::Store(e) => e.into(),
        TurnError::TooManyConflicts(n) => {
            ApiError::Unavailable(format!("the conversation is busy ({n} conflicting writes); retry"))
        }
    }
}
