//! The dialog engine: a deterministic state machine over the spec's flows.
//!
//! Each turn is [`Engine::handle`]: it takes the conversation's
//! [`ConversationState`], the user's message and a [`TurnContext`] (the
//! clock, a random seed and the conversation's id) and returns a [`Turn`]
//! with the replies, the typed [`Event`]s and the next state. Nothing is
//! kept inside the engine between turns, so one engine serves any number of
//! conversations and hosts store the state wherever they like.
//!
//! What a turn does, in order:
//! 1. While a person has the conversation, the bot stays silent.
//! 2. Global intents win: hand off, start over, stop the current flow, help.
//! 3. A flow waiting for an answer gets it: a slot value, a yes/no, or a
//!    correction of an earlier answer ("no, make it 4pm"), after which the
//!    flow re-runs from the corrected step.
//! 4. Anything else is a digression: a knowledge question is answered, or
//!    another flow is started, and the waiting flow's question is asked again.
//! 5. Without a flow, the intent starts a flow, picks a response or a
//!    knowledge answer; what is not understood gets the out-of-scope reply,
//!    and repeated failures an offer of a person.

mod actions;
mod answers;
mod engine;
pub mod event;
mod flow;
mod knowledge;
mod payload;
mod render;
mod slots;
pub mod state;
mod times;
mod when;

pub use actions::{Action, ActionCall, ActionError, ActionResult, BUILTIN_ACTIONS};
pub use engine::{Engine, EngineBuilder, EngineError, Turn, TurnContext, MAX_MESSAGE_BYTES};
pub use event::{BookingView, Button, CustomerView, Event, Reply};
pub use knowledge::{CONFIDENT, KB_CHOICE_INTENT, UNSURE};
pub use state::{ConversationState, FlowFrame, LastAnswer, Mode, Waiting};
