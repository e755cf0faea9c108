//! `IntentMatcher`: a bot's NLU alone, for instant matching in a page.

use chrono_tz::Tz;
use concierge_core::nlu::Nlu;
use serde::Serialize;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsError, JsValue};

use crate::clock::now_from_options;
use crate::error::BindingError;
use crate::spec_input::spec_from_js;
use crate::types::CallOptions;
use crate::view::ParseView;

/// The intents and entities of messages to one bot, with the lexical
/// classifier trained from the spec's examples (no model to download).
#[wasm_bindgen]
pub struct IntentMatcher {
    nlu: Nlu,
    tz: Tz,
}

#[wasm_bindgen]
impl IntentMatcher {
    /// Trains a matcher from a spec (YAML or JSON text, or an object).
    /// Throws an `Error` listing the spec's problems with their paths.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "BotSpecInput")] spec: JsValue,
    ) -> Result<IntentMatcher, JsError> {
        let spec = spec_from_js(&spec)?;
        let nlu = Nlu::from_spec(&spec).map_err(BindingError::from)?;
        Ok(IntentMatcher { nlu, tz: spec.business.tz() })
    }

    /// Understands one message. Dates are resolved against `options.now`
    /// (default: `Date.now()`) in the business's time zone.
    #[wasm_bindgen(unchecked_return_type = "ParseResult")]
    pub fn parse(&self, text: &str, options: Option<CallOptions>) -> Result<JsValue, JsError> {
        let now = now_from_options(options.as_ref().map(AsRef::as_ref))?;
        let parse = self.nlu.parse(text, now.with_timezone(&self.tz));
        Ok(to_js(&ParseView::new(parse, text))?)
    }

    /// The business's IANA time zone, in which dates are resolved.
    #[wasm_bindgen(getter, js_name = timeZone)]
    pub fn time_zone(&self) -> String {
        self.tz.name().to_string()
    }

    /// The classifier's short name (`lexical`).
    #[wasm_bindgen(getter)]
    pub fn classifier(&self) -> String {
        self.nlu.classifier_kind().to_string()
    }
}

/// Converts a result to a plain JS object (objects, not `Map`s).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, BindingError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| BindingError::Output(e.to_string()))
}
