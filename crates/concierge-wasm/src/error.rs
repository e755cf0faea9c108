//! The bindings' error type; wasm-bindgen turns it into a JS `Error`.

use concierge_core::booking::BookingError;
use concierge_core::dialog::EngineError;
use concierge_core::nlu::NluError;
use concierge_core::spec::SpecError;

use crate::clock::NowError;

/// Why a call from JavaScript failed. Its message is the JS `Error`'s.
#[derive(Debug, thiserror::Error)]
pub enum BindingError {
    /// The spec argument was neither text nor a plain object.
    #[error("spec: expected YAML or JSON text or a plain object, got {0}")]
    SpecType(String),
    /// The spec object could not be turned into JSON.
    #[error("spec: cannot read the object: {0}")]
    SpecObject(String),
    /// The spec is invalid; the message lists each problem with its path.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// The NLU could not be trained from the spec.
    #[error(transparent)]
    Nlu(#[from] NluError),
    /// The business section cannot take bookings.
    #[error("business: {0}")]
    Booking(#[from] BookingError),
    /// The engine refused the message or failed during the turn.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A turn waited on something that never completes without a runtime.
    #[error("the turn did not complete synchronously (an action waited on I/O)")]
    Pending,
    /// `options.now` is unusable.
    #[error(transparent)]
    Now(#[from] NowError),
    /// The options argument is not an object.
    #[error("options: expected an object such as {{ now: \"2026-03-02T09:00:00-05:00\" }}, got {0}")]
    Options(String),
    /// An imported state is not a conversation state.
    #[error("state for conversation {conversation:?}: {source}")]
    State {
        /// The conversation the state was meant for.
        conversation: String,
        /// What is wrong with it.
        source: serde_json::Error,
    },
    /// A result could not be converted to a JS value.
    #[error("cannot convert the result for JavaScript: {0}")]
    Output(String),
}
