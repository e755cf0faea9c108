//! Why a step of the service failed.

use concierge_core::dialog::{EngineError, MAX_MESSAGE_BYTES};
use concierge_core::spec::SpecError;
use concierge_store::{StoreError, TurnError};

use crate::engines::EngineLoadError;

/// Why a conversation step (or an engine) could not be had. Adapters map
/// these at their edge (HTTP status codes, Python exceptions).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The store failed, or the conversation does not exist for the tenant.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// No engine could be had for the conversation.
    #[error(transparent)]
    Engine(#[from] EngineLoadError),
    /// The message is empty (or only whitespace).
    #[error("the message is empty")]
    EmptyMessage,
    /// The message is longer than the engine takes.
    #[error("the message is {bytes} bytes long; the limit is {limit}")]
    MessageTooLong {
        /// Its length in bytes (trimmed).
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The conversation is closed.
    #[error("the conversation is closed")]
    Closed,
    /// A person already has the conversation.
    #[error("a person already has this conversation")]
    AlreadyTakenOver,
    /// The conversation is not with a person.
    #[error("the conversation is not handed off")]
    NotHandedOff,
    /// A person's message to a conversation nobody took over.
    #[error("take the conversation over before answering")]
    NotTakenOver,
    /// The dialog engine failed on the message (a bug in the spec or the
    /// engine, not the customer's doing).
    #[error("the dialog engine failed: {0}")]
    Turn(EngineError),
    /// The stored state of the conversation cannot be read by this engine.
    #[error("stored conversation state: {0}")]
    CorruptState(String),
    /// Operator or staff input is invalid; the message says what to fix.
    #[error("{0}")]
    Invalid(String),
    /// A bot spec is invalid; every problem comes with its path.
    #[error(transparent)]
    InvalidSpec(#[from] SpecError),
    /// The system's random source failed.
    #[error("no randomness available: {0}")]
    Randomness(String),
    /// Other writers kept changing the conversation.
    #[error("the conversation is busy ({0} conflicting writes); retry")]
    Busy(u32),
}

impl From<EngineError> for ServiceError {
    fn from(error: EngineError) -> Self {
        match error {
            EngineError::EmptyMessage => ServiceError::EmptyMessage,
            EngineError::MessageTooLong(bytes) => {
                ServiceError::MessageTooLong { bytes, limit: MAX_MESSAGE_BYTES }
            }
            other => ServiceError::Turn(other),
        }
    }
}

impl From<TurnError<ServiceError>> for ServiceError {
    fn from(error: TurnError<ServiceError>) -> Self {
        match error {
            TurnError::Store(e) => e.into(),
            TurnError::Turn(e) => e,
            TurnError::TooManyConflicts(n) => ServiceError::Busy(n),
        }
    }
}
