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
//! 2. Global intents win: hand off (also asked for in its common forms,
//!    "operator", "can someone call me back?"), start over, stop the current
//!    flow, help; a yes or no to the question asked is an answer first.
//! 3. A flow waiting for an answer gets it. The message fills every slot it
//!    carries (`slots`: times read as a whole by `when`, short answers by
//!    `answers`); a new value for a filled slot is a correction and the
//!    flow runs again from the step that used it. A "no" to a confirmation
//!    asks what to change. A question about free times is answered with
//!    them (`times`).
//! 4. Anything else is a digression: a knowledge question is answered, or
//!    another flow is started, and the waiting flow's question is asked again.
//! 5. Without a flow, the intent starts a flow (a message with a service and
//!    a time is a booking; a new time with words of change moves the booking
//!    just made), picks a response or a knowledge answer; slot values are
//!    kept for the flow the next message may start; what is not understood
//!    gets the out-of-scope reply, and repeated failures an offer of a person.
//!
//! Built-in actions only go on after success; any other outcome goes back
//! to the question whose answer is missing or unavailable, or ends the flow
//! with an apology, so a reply saying "booked" always comes with the event.
//!
//! Layout: `engine/` is the [`Engine`] and its turn (`meaning`, `waiting`,
//! `steps`, `slots`, `times`). Below it, never importing it: `actions` and
//! `knowledge` (each run on a small context of what they need), `answers`
//! and `when` (readers of short answers and times, over the word lists of
//! `nlu::words`), `render`, and `turn` (the turn builder every part adds its
//! replies and events to).

mod actions;
mod answers;
mod engine;
pub mod event;
mod flow;
mod knowledge;
mod payload;
mod render;
mod spec_check;
pub mod state;
mod turn;
mod when;

pub use actions::{Action, ActionCall, ActionError, ActionResult, BUILTIN_ACTIONS};
pub use engine::{check_message, Engine, EngineBuilder, EngineError, Turn, MAX_MESSAGE_BYTES};
pub use event::{BookingView, Button, CustomerView, Event, Reply};
pub use knowledge::{CONFIDENT, KB_CHOICE_INTENT, UNSURE};
pub use spec_check::{check_spec, CheckedSpec};
pub use state::{ConversationState, FlowFrame, LastAnswer, Mode, Waiting};
pub use turn::TurnContext;
