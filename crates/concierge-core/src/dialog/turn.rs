//! The turn builder: what one turn says and records, as the engine, the
//! actions and the knowledge answers add to it.
//!
//! It knows nothing of the engine: under a [`TurnContext`], it collects
//! replies and events, numbers the replies so each picks its own response
//! variation, and carries the few facts parts of a turn tell each other (a
//! question already asked, the slots set, the slot an action found missing).

use chrono::{DateTime, Utc};

use super::event::{Event, Reply};
use super::state::ConversationState;
use crate::nlu::EntityValue;

/// What a turn needs from the outside world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TurnContext {
    /// The current time.
    pub now: DateTime<Utc>,
    /// Randomness for choosing among response variations.
    pub seed: u64,
    /// The conversation's id (used in idempotency keys).
    pub conversation_id: String,
}

/// Collects a turn's replies and events.
pub(crate) struct TurnBuilder<'a> {
    pub(crate) ctx: &'a TurnContext,
    replies: Vec<Reply>,
    events: Vec<Event>,
    said: u64,
    /// Set when a reply already asked the user something (alternatives
    /// offered), so the next prompt need not ask again.
    pub(crate) asked: bool,
    /// Slots set in this turn.
    pub(crate) filled: Vec<String>,
    /// The slot an action found missing.
    pub(crate) missing: Option<String>,
}

impl<'a> TurnBuilder<'a> {
    /// An empty turn under `ctx`.
    pub(crate) fn new(ctx: &'a TurnContext) -> Self {
        TurnBuilder {
            ctx,
            replies: Vec::new(),
            events: Vec::new(),
            said: 0,
            asked: false,
            filled: Vec::new(),
            missing: None,
        }
    }

    /// The replies and events collected, in order.
    pub(crate) fn finish(self) -> (Vec<Reply>, Vec<Event>) {
        (self.replies, self.events)
    }

    pub(crate) fn event(&mut self, e: Event) {
        self.events.push(e);
    }

    pub(crate) fn say(&mut self, reply: Reply) {
        self.said += 1;
        self.events.push(Event::BotMessage { text: reply.text.clone() });
        self.replies.push(reply);
    }

    pub(crate) fn say_text(&mut self, text: String) {
        self.say(Reply { text, buttons: Vec::new() });
    }

    /// A seed for the next variation choice, different for every reply.
    pub(crate) fn seed(&self) -> u64 {
        splitmix(self.ctx.seed.wrapping_add(self.said))
    }

    /// Sets slot `name` of the conversation, recording the event and the
    /// turn it was said in.
    pub(crate) fn set_slot(&mut self, state: &mut ConversationState, name: &str, value: EntityValue) {
        self.event(Event::SlotSet { name: name.to_string(), value: value.display() });
        self.filled.push(name.to_string());
        state.slot_turns.insert(name.to_string(), state.turns);
        state.slots.insert(name.to_string(), value);
    }
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}
