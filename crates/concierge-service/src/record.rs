//! What a conversation's log holds, typed: the records a turn stores and
//! the items clients see.
//!
//! The store keeps each record as JSON with a `type` field. Engine events
//! ([`Event`]) are stored as the engine serializes them; the host adds its
//! own records ([`HostRecord`]): one `reply` per bot reply after a turn's
//! events (so a reloaded widget can redraw the conversation), a person's
//! messages and their joining and leaving, and the conversation's closing.
//! [`Record`] is the one place that shape is defined; [`Item`] is how a
//! client sees a stored record.

use concierge_core::dialog::{Button, Event, Turn};
use concierge_store::{ConversationStatus, StoredEvent};
use serde::{Deserialize, Serialize};

/// A record the host stores in a conversation's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostRecord {
    /// Something the bot said, with its quick replies.
    Reply {
        /// The text.
        text: String,
        /// Quick replies.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<Button>,
    },
    /// A message from a person of the business.
    AgentMessage {
        /// The text.
        text: String,
        /// Who sent it (display name).
        agent: String,
    },
    /// A person took the conversation over; the bot is silent.
    AgentJoined {
        /// Who (display name).
        agent: String,
    },
    /// The person handed the conversation back to the bot.
    AgentLeft {
        /// Who (display name).
        agent: String,
    },
    /// The conversation was closed; the next message starts a new one.
    Closed,
}

/// One record of a conversation's log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Record {
    /// Stored by the host.
    Host(HostRecord),
    /// Stored from the dialog engine's turn.
    Engine(Event),
    /// A record this version does not know (written by a newer one, or by
    /// a tool), kept and shown as it is.
    Other(serde_json::Value),
}

impl Record {
    /// The JSON the store keeps.
    pub fn to_json(&self) -> serde_json::Value {
        // Every variant is plain data (strings, numbers, lists): it cannot fail.
        serde_json::to_value(self).unwrap_or_default()
    }

    /// A stored record read back.
    pub fn from_json(value: &serde_json::Value) -> Record {
        Record::deserialize(value).unwrap_or_else(|_| Record::Other(value.clone()))
    }

    /// What a turn of the engine stores: its events, then one reply record
    /// per reply.
    pub fn of_turn(turn: &Turn) -> Vec<Record> {
        let events = turn.events.iter().cloned().map(Record::Engine);
        let replies = turn
            .replies
            .iter()
            .map(|r| Record::Host(HostRecord::Reply { text: r.text.clone(), buttons: r.buttons.clone() }));
        events.chain(replies).collect()
    }

    /// The status a conversation moves to when this record is stored, if
    /// it changes it.
    pub fn status_change(&self) -> Option<ConversationStatus> {
        match self {
            Record::Engine(Event::HandoffRequested { .. }) => Some(ConversationStatus::WaitingForHuman),
            Record::Engine(Event::HandoffReleased) | Record::Host(HostRecord::AgentLeft { .. }) => {
                Some(ConversationStatus::Bot)
            }
            Record::Host(HostRecord::AgentJoined { .. }) => Some(ConversationStatus::WithHuman),
            Record::Host(HostRecord::Closed) => Some(ConversationStatus::Closed),
            _ => None,
        }
    }
}

/// The status after storing `records` (the last change wins), if they change it.
pub fn status_after(records: &[Record]) -> Option<ConversationStatus> {
    records.iter().rev().find_map(Record::status_change)
}

/// One stored record of a conversation, as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Item {
    /// Its sequence number in the conversation (gapless from 1).
    pub seq: i64,
    /// The stored turn it belongs to.
    pub turn: i64,
    /// What it is.
    #[serde(flatten)]
    pub kind: ItemKind,
}

/// What an [`Item`] is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ItemKind {
    /// Something the bot said, with its quick replies.
    Reply {
        /// The text.
        text: String,
        /// Quick replies.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
        buttons: Vec<Button>,
    },
    /// A message from a person of the business during a handoff.
    AgentMessage {
        /// The text.
        text: String,
        /// Who sent it (display name).
        agent: String,
    },
    /// Any other record, as stored: an engine event (`user_message`,
    /// `intent_detected`, `booking_confirmed`, `handoff_requested`, ...) or
    /// a host record (`agent_joined`, `agent_left`, `closed`).
    Event {
        /// The record.
        #[cfg_attr(feature = "openapi", schema(value_type = Object))]
        event: serde_json::Value,
    },
}

impl Item {
    /// The client view of `record`, stored at `seq` in `turn`.
    pub fn new(seq: i64, turn: i64, record: &Record) -> Item {
        let kind = match record {
            Record::Host(HostRecord::Reply { text, buttons }) => {
                ItemKind::Reply { text: text.clone(), buttons: buttons.clone() }
            }
            Record::Host(HostRecord::AgentMessage { text, agent }) => {
                ItemKind::AgentMessage { text: text.clone(), agent: agent.clone() }
            }
            other => ItemKind::Event { event: other.to_json() },
        };
        Item { seq, turn, kind }
    }

    /// The client view of a stored record (engine events and other records
    /// are shown exactly as stored).
    pub fn from_stored(stored: &StoredEvent) -> Item {
        match Record::from_json(&stored.event) {
            record @ Record::Host(HostRecord::Reply { .. } | HostRecord::AgentMessage { .. }) => {
                Item::new(stored.seq, stored.turn, &record)
            }
            _ => Item {
                seq: stored.seq,
                turn: stored.turn,
                kind: ItemKind::Event { event: stored.event.clone() },
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn stored(event: serde_json::Value) -> StoredEvent {
        StoredEvent { seq: 4, turn: 2, event, recorded_at: chrono::Utc::now() }
    }

    #[test]
    fn records_keep_their_stored_shape() {
        let reply = Record::Host(HostRecord::Reply {
            text: "Hi".into(),
            buttons: vec![Button { title: "Yes".into(), payload: "yes".into() }],
        });
        assert_eq!(
            reply.to_json(),
            json!({"type": "reply", "text": "Hi", "buttons": [{"title": "Yes", "payload": "yes"}]})
        );
        let joined = Record::Host(HostRecord::AgentJoined { agent: "Ana".into() });
        assert_eq!(joined.to_json(), json!({"type": "agent_joined", "agent": "Ana"}));
        assert_eq!(Record::Host(HostRecord::Closed).to_json(), json!({"type": "closed"}));
        let message = json!({"type": "user_message", "text": "hello"});
        let engine = Record::from_json(&message);
        assert!(matches!(engine, Record::Engine(Event::UserMessage { .. })), "{engine:?}");
        assert_eq!(engine.to_json(), message);
        for record in [reply, joined] {
            assert_eq!(Record::from_json(&record.to_json()), record);
        }
    }

    #[test]
    fn unknown_records_are_kept_as_they_are() {
        let odd = json!({"type": "from_the_future", "n": 1});
        assert_eq!(Record::from_json(&odd), Record::Other(odd.clone()));
        assert_eq!(Item::from_stored(&stored(odd.clone())).kind, ItemKind::Event { event: odd });
    }

    #[test]
    fn stored_records_become_items() {
        let reply = Item::from_stored(&stored(
            json!({"type": "reply", "text": "Hi", "buttons": [{"title": "Yes", "payload": "yes"}]}),
        ));
        assert_eq!(
            serde_json::to_value(&reply).unwrap(),
            json!({"seq": 4, "turn": 2, "type": "reply", "text": "Hi",
                   "buttons": [{"title": "Yes", "payload": "yes"}]})
        );
        let agent =
            Item::from_stored(&stored(json!({"type": "agent_message", "text": "On it", "agent": "Ana"})));
        assert_eq!(agent.kind, ItemKind::AgentMessage { text: "On it".into(), agent: "Ana".into() });
        let event = Item::from_stored(&stored(json!({"type": "user_message", "text": "hello"})));
        assert_eq!(event.kind, ItemKind::Event { event: json!({"type": "user_message", "text": "hello"}) });
    }

    #[test]
    fn records_say_how_they_move_the_status() {
        let handoff = Record::from_json(&json!({"type": "handoff_requested", "reason": "asked"}));
        let records = [Record::Engine(Event::BotMessage { text: "One moment".into() }), handoff];
        assert_eq!(status_after(&records), Some(ConversationStatus::WaitingForHuman));
        assert_eq!(status_after(&records[..1]), None);
        let left = [
            Record::Engine(Event::HandoffReleased),
            Record::Host(HostRecord::AgentLeft { agent: "A".into() }),
        ];
        assert_eq!(status_after(&left), Some(ConversationStatus::Bot));
    }
}
