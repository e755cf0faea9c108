//! The conversation state: a plain serializable value the host keeps
//! between turns.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::nlu::EntityValue;

/// The slot holding the time window a customer gave ("morning", "around 2").
pub(crate) const WINDOW_SLOT: &str = "time_window";

/// Everything the engine remembers about one conversation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConversationState {
    /// Slot values collected so far.
    #[serde(default)]
    pub slots: BTreeMap<String, EntityValue>,
    /// Active flows; the last one is the one being talked about.
    #[serde(default)]
    pub stack: Vec<FlowFrame>,
    /// Whether the bot or a person is answering.
    #[serde(default)]
    pub mode: Mode,
    /// Messages in a row the bot did not understand.
    #[serde(default)]
    pub failures: u32,
    /// Whether the bot just offered a person and waits for yes or no.
    #[serde(default)]
    pub handoff_offered: bool,
    /// Turns handled so far.
    #[serde(default)]
    pub turns: u64,
    /// Bookings made in this conversation, oldest first.
    #[serde(default)]
    pub bookings: Vec<String>,
    /// The turn in which each slot was last set, so that what the customer
    /// said just before a flow starts ("how long does a colour take?" then
    /// "book me one") is kept while older answers are asked afresh.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub slot_turns: BTreeMap<String, u64>,
    /// The knowledge entry the bot answered last, and in which turn: a
    /// short follow-up right after it ("and is it free?") is about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_answer: Option<LastAnswer>,
}

impl ConversationState {
    /// The state once a person takes the conversation over: until
    /// [`Engine::release`](super::Engine::release) the engine only logs
    /// the customer's messages, and no offer of a person is pending.
    pub fn taken_over(self) -> Self {
        ConversationState { mode: Mode::HandedOff, handoff_offered: false, ..self }
    }
}

/// A knowledge answer the bot gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastAnswer {
    /// The entry's id.
    pub entry: String,
    /// The turn it was given in (`ConversationState::turns` then).
    pub turn: u64,
}

/// Who answers the conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The bot answers.
    #[default]
    Bot,
    /// A person has been asked for; the bot stays silent until released.
    HandedOff,
}

/// A flow in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowFrame {
    /// The flow's name.
    pub flow: String,
    /// The index of the step being run or waited on.
    pub step: usize,
    /// What the flow waits for from the user, if anything.
    pub waiting: Option<Waiting>,
    /// Failed answers to the current question.
    pub attempts: u32,
    /// The turn the flow started in: what the customer said since then is
    /// an answer even to a question the flow always asks afresh.
    #[serde(default)]
    pub started_turn: u64,
    /// The steps this flow has run, so that a correction goes back only to
    /// a step on the path taken (never past an action it has not run).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub visited: Vec<usize>,
}

/// What a flow waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Waiting {
    /// A value for this slot.
    Slot {
        /// The slot.
        slot: String,
    },
    /// A yes or no.
    Confirmation,
    /// What to change, after a "no" to a confirmation.
    Change,
}
