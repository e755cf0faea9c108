//! Conversations over the API: the server's side of the conversation
//! service ([`concierge_service::Conversations`]), which runs and stores
//! every step and publishes the stored items on its hub. Here: the clock,
//! the metrics, the mapping of the service's errors onto API errors, and
//! the turn as the messages endpoint (and `concierge chat --jsonl`) shows it.

use std::time::Instant;

use concierge_core::dialog::{Event, Reply, Turn};
use concierge_core::nlu::Entity;
use concierge_service::{EngineLoadError, SentMessage, ServiceError};
use concierge_store::TenantId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::server::error::ApiError;
use crate::server::state::AppState;

/// Runs a customer's message in a conversation through the service and
/// counts it (`channel` labels the metrics: `http`, `ws`).
pub(crate) async fn handle_message(
    state: &AppState,
    tenant: &TenantId,
    conversation_id: &str,
    text: &str,
    channel: &str,
) -> Result<SentMessage, ApiError> {
    let started = Instant::now();
    let sent =
        state.conversations.send(tenant, conversation_id, text, &state.engines, state.clock.now()).await?;
    state.metrics.observe_turn(tenant.as_str(), channel, &sent.turn.events, started.elapsed().as_secs_f64());
    Ok(sent)
}

/// A handled message as the messages endpoint returns it and `concierge
/// chat --jsonl` prints it.
#[derive(Debug, Serialize, ToSchema)]
pub struct TurnBody {
    /// What the customer wrote.
    pub user: String,
    /// What the bot says, in order (text and quick replies).
    #[schema(value_type = Vec<Object>)]
    pub replies: Vec<Reply>,
    /// The intent the NLU found, if any.
    pub intent: Option<IntentBody>,
    /// The entities the NLU found.
    #[schema(value_type = Vec<Object>)]
    pub entities: Vec<Entity>,
    /// What happened, in order (`intent_detected`, `slot_set`,
    /// `booking_confirmed`, `handoff_requested`, ...).
    #[schema(value_type = Vec<Object>)]
    pub events: Vec<Event>,
    /// The sequence number of the turn's last stored item (the API only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
}

/// An intent the NLU found.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntentBody {
    /// Its name.
    pub name: String,
    /// How sure the classifier is (0 to 1).
    pub confidence: f32,
}

impl TurnBody {
    /// The body of `turn`, which handled `user`.
    pub fn new(user: &str, turn: &Turn) -> Self {
        let intent = turn.events.iter().find_map(|e| match e {
            Event::IntentDetected { name, confidence } => {
                Some(IntentBody { name: name.clone(), confidence: *confidence })
            }
            _ => None,
        });
        TurnBody {
            user: user.to_owned(),
            replies: turn.replies.clone(),
            intent,
            entities: turn.parse.as_ref().map(|p| p.entities.clone()).unwrap_or_default(),
            events: turn.events.clone(),
            seq: None,
        }
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Store(e) => e.into(),
            ServiceError::Engine(e) => e.into(),
            ServiceError::EmptyMessage => ApiError::EmptyMessage,
            ServiceError::MessageTooLong { bytes, limit } => ApiError::MessageTooLong { bytes, limit },
            ServiceError::Closed
            | ServiceError::AlreadyTakenOver
            | ServiceError::NotHandedOff
            | ServiceError::NotTakenOver => ApiError::Conflict(error.to_string()),
            ServiceError::Busy(_) => ApiError::Unavailable(error.to_string()),
            ServiceError::Invalid(message) => ApiError::InvalidRequest(message),
            ServiceError::InvalidSpec(e) => {
                ApiError::InvalidSpec(e.problems.iter().map(ToString::to_string).collect())
            }
            ServiceError::Turn(_) | ServiceError::CorruptState(_) | ServiceError::Randomness(_) => {
                ApiError::Internal(error.to_string())
            }
        }
    }
}

impl From<EngineLoadError> for ApiError {
    fn from(error: EngineLoadError) -> Self {
        match error {
            EngineLoadError::Store(e) => e.into(),
            EngineLoadError::NoBot => ApiError::Conflict(error.to_string()),
            EngineLoadError::NoActiveVersion(_) => ApiError::Unavailable(error.to_string()),
            EngineLoadError::TenantDisabled => ApiError::Forbidden(error.to_string()),
            EngineLoadError::Unusable { .. } => ApiError::Internal(error.to_string()),
        }
    }
}
