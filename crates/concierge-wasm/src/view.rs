//! What JavaScript receives: the core's parse and turn, with entity offsets
//! in UTF-16 code units (JS string indices) instead of UTF-8 bytes.

use concierge_core::dialog::{ConversationState, Event, Reply, Turn};
use concierge_core::nlu::{Entity, EntityValue, IntentScore, Parse};
use serde::Serialize;

/// A message's meaning, as returned by `parse`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ParseView {
    /// The intent acted on, or `null` when none clears the threshold.
    pub intent: Option<IntentScore>,
    /// Every intent, most likely first.
    pub intents: Vec<IntentScore>,
    /// Entities found, with values resolved.
    pub entities: Vec<EntityView>,
}

/// An entity mention; `start`/`end` index the JS string (`text.slice(start, end)`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntityView {
    /// The entity's name (`datetime`, `phone`, `service`, ...).
    pub entity: String,
    /// The resolved value; times are RFC 3339 strings at the business's offset.
    pub value: EntityValue,
    /// The words it was found in.
    pub text: String,
    /// Start, in UTF-16 code units.
    pub start: usize,
    /// End (exclusive), in UTF-16 code units.
    pub end: usize,
}

/// One turn of a conversation, as returned by `Engine.handle`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TurnView {
    /// What the bot says, in order.
    pub replies: Vec<Reply>,
    /// What happened, in order (`booking_confirmed`, `slot_set`, ...).
    pub events: Vec<Event>,
    /// The NLU's reading of the message (`null` while a person has the conversation).
    pub parse: Option<ParseView>,
    /// The conversation's state after the turn (what `exportState` returns).
    pub state: ConversationState,
}

impl ParseView {
    /// Converts a core parse of `message`.
    pub fn new(parse: Parse, message: &str) -> ParseView {
        ParseView {
            intent: parse.intent,
            intents: parse.intents,
            entities: parse.entities.into_iter().map(|e| EntityView::new(e, message)).collect(),
        }
    }
}

impl EntityView {
    fn new(entity: Entity, message: &str) -> EntityView {
        EntityView {
            start: utf16_offset(message, entity.start),
            end: utf16_offset(message, entity.end),
            entity: entity.entity,
            value: entity.value,
            text: entity.text,
        }
    }
}

impl TurnView {
    /// Converts a core turn for the (trimmed) `message` it answered.
    pub fn new(turn: Turn, message: &str) -> TurnView {
        TurnView {
            replies: turn.replies,
            events: turn.events,
            parse: turn.parse.map(|p| ParseView::new(p, message)),
            state: turn.state,
        }
    }
}

/// The UTF-16 index of a UTF-8 byte offset (clamped to the text, floored to a
/// character boundary).
fn utf16_offset(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    text[..byte].encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_utf16_units() {
        let text = "café at 3pm 😀 ok";
        assert_eq!(utf16_offset(text, text.find("at").unwrap()), 5);
        let ok = text.find("ok").unwrap();
        // The emoji is 4 bytes in UTF-8 and 2 units in UTF-16.
        assert_eq!(utf16_offset(text, ok), "café at 3pm 😀 ".encode_utf16().count());
        assert_eq!(utf16_offset(text, 10_000), text.encode_utf16().count());
        assert_eq!(utf16_offset(text, 4), 3, "inside é floors to its start");
    }
}
