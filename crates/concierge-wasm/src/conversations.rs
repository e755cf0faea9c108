//! `Engine`: whole conversations in the page, one state per conversation id.

use std::collections::HashMap;
use std::sync::Arc;

use concierge_core::booking::BookingEngine;
use concierge_core::dialog::{self, ConversationState, TurnContext};
use futures::FutureExt;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsError, JsValue};

use crate::clock::{describe, now_from_options};
use crate::error::BindingError;
use crate::matcher::to_js;
use crate::spec_input::spec_from_js;
use crate::types::CallOptions;
use crate::view::{ParseView, TurnView};

/// A bot holding any number of conversations, with bookings kept in memory
/// for the engine's lifetime. Turns run synchronously: the core's futures
/// complete without a runtime.
#[wasm_bindgen]
pub struct Engine {
    engine: dialog::Engine,
    conversations: HashMap<String, ConversationState>,
}

#[wasm_bindgen]
impl Engine {
    /// Builds an engine from a spec (YAML or JSON text, or an object).
    /// Throws an `Error` listing the spec's problems with their paths.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "BotSpecInput")] spec: JsValue,
    ) -> Result<Engine, JsError> {
        let spec = spec_from_js(&spec)?;
        let booker = BookingEngine::in_memory(&spec.business).map_err(BindingError::from)?;
        let engine = dialog::Engine::builder(spec, Arc::new(booker)).build().map_err(BindingError::from)?;
        Ok(Engine { engine, conversations: HashMap::new() })
    }

    /// Handles one user message in a conversation (created on first use).
    /// Throws on an empty or overlong message; the state is then unchanged.
    #[wasm_bindgen(unchecked_return_type = "TurnResult")]
    pub fn handle(
        &mut self,
        #[wasm_bindgen(js_name = conversationId)] conversation_id: &str,
        text: &str,
        options: Option<CallOptions>,
    ) -> Result<JsValue, JsError> {
        let now = now_from_options(options.as_ref().map(AsRef::as_ref))?;
        let state = self.conversations.get(conversation_id).cloned().unwrap_or_default();
        let ctx = TurnContext { now, seed: state.turns, conversation_id: conversation_id.to_string() };
        let turn = self
            .engine
            .handle(state, text, &ctx)
            .now_or_never()
            .ok_or(BindingError::Pending)?
            .map_err(BindingError::from)?;
        self.conversations.insert(conversation_id.to_string(), turn.state.clone());
        Ok(to_js(&TurnView::new(turn, text.trim()))?)
    }

    /// The NLU's reading of a message, without touching any conversation.
    #[wasm_bindgen(unchecked_return_type = "ParseResult")]
    pub fn parse(&self, text: &str, options: Option<CallOptions>) -> Result<JsValue, JsError> {
        let now = now_from_options(options.as_ref().map(AsRef::as_ref))?;
        Ok(to_js(&ParseView::new(self.engine.parse(text, now), text))?)
    }

    /// The conversation's state as JSON text, or `undefined` for a
    /// conversation this engine has not seen.
    #[wasm_bindgen(js_name = exportState)]
    pub fn export_state(
        &self,
        #[wasm_bindgen(js_name = conversationId)] conversation_id: &str,
    ) -> Result<Option<String>, JsError> {
        let Some(state) = self.conversations.get(conversation_id) else { return Ok(None) };
        let json = serde_json::to_string(state).map_err(|e| BindingError::Output(e.to_string()))?;
        Ok(Some(json))
    }

    /// Restores a conversation's state (JSON text or the parsed object),
    /// replacing any the engine holds. Throws if it is not a state.
    #[wasm_bindgen(js_name = importState)]
    pub fn import_state(
        &mut self,
        #[wasm_bindgen(js_name = conversationId)] conversation_id: &str,
        #[wasm_bindgen(unchecked_param_type = "string | ConversationState")] state: JsValue,
    ) -> Result<(), JsError> {
        let json = match state.as_string() {
            Some(text) => text,
            None if state.is_object() && !state.is_null() => js_sys::JSON::stringify(&state)
                .ok()
                .and_then(|s| s.as_string())
                .ok_or_else(|| BindingError::Options("a state object that JSON.stringify rejects".into()))?,
            None => return Err(BindingError::Options(describe(&state)).into()),
        };
        let parsed: ConversationState = serde_json::from_str(&json)
            .map_err(|source| BindingError::State { conversation: conversation_id.to_string(), source })?;
        self.conversations.insert(conversation_id.to_string(), parsed);
        Ok(())
    }

    /// Hands a conversation back to the bot after a person had it; returns
    /// the events (`handoff_released`, or none if the bot already had it).
    #[wasm_bindgen(unchecked_return_type = "TurnEvent[]")]
    pub fn release(
        &mut self,
        #[wasm_bindgen(js_name = conversationId)] conversation_id: &str,
    ) -> Result<JsValue, JsError> {
        let state = self.conversations.remove(conversation_id).unwrap_or_default();
        let (state, events) = self.engine.release(state);
        self.conversations.insert(conversation_id.to_string(), state);
        Ok(to_js(&events)?)
    }

    /// Forgets a conversation; returns whether the engine had it.
    pub fn forget(&mut self, #[wasm_bindgen(js_name = conversationId)] conversation_id: &str) -> bool {
        self.conversations.remove(conversation_id).is_some()
    }

    /// The ids of the conversations the engine holds.
    #[wasm_bindgen(js_name = conversationIds)]
    pub fn conversation_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.conversations.keys().cloned().collect();
        ids.sort();
        ids
    }

    /// The business's IANA time zone.
    #[wasm_bindgen(getter, js_name = timeZone)]
    pub fn time_zone(&self) -> String {
        self.engine.timezone().name().to_string()
    }
}
