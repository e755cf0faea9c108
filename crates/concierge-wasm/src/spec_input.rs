//! Reading the spec argument: YAML or JSON text, or a plain JS object.

use concierge_core::spec::{BotSpec, SpecError};
use wasm_bindgen::JsValue;

use crate::clock::describe;
use crate::error::BindingError;

/// Which syntax a spec text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecFormat {
    /// JSON (the text starts with `{`).
    Json,
    /// YAML (anything else; YAML is a superset of JSON, but JSON errors are clearer).
    Yaml,
}

impl SpecFormat {
    /// Guesses the syntax from the first non-blank character.
    pub fn detect(text: &str) -> SpecFormat {
        if text.trim_start().starts_with('{') {
            SpecFormat::Json
        } else {
            SpecFormat::Yaml
        }
    }
}

/// Parses and validates a spec given as text.
pub fn spec_from_text(text: &str) -> Result<BotSpec, SpecError> {
    match SpecFormat::detect(text) {
        SpecFormat::Json => BotSpec::from_json(text),
        SpecFormat::Yaml => BotSpec::from_yaml(text),
    }
}

/// Parses and validates the spec argument of a constructor.
pub(crate) fn spec_from_js(spec: &JsValue) -> Result<BotSpec, BindingError> {
    if let Some(text) = spec.as_string() {
        return Ok(spec_from_text(&text)?);
    }
    if spec.is_object() && !spec.is_null() && !js_sys::Array::is_array(spec) {
        let json = js_sys::JSON::stringify(spec).map_err(|e| {
            BindingError::SpecObject(e.as_string().unwrap_or_else(|| "JSON.stringify failed".into()))
        })?;
        let json = json.as_string().unwrap_or_default();
        return Ok(BotSpec::from_json(&json)?);
    }
    Err(BindingError::SpecType(describe(spec)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_is_detected_from_the_first_character() {
        assert_eq!(SpecFormat::detect("  \n{\"version\": 1}"), SpecFormat::Json);
        assert_eq!(SpecFormat::detect("version: 1\n"), SpecFormat::Yaml);
        assert_eq!(SpecFormat::detect("# a comment\n{}"), SpecFormat::Yaml);
    }

    #[test]
    fn salon_spec_loads_from_yaml_and_from_its_json_form() {
        let yaml = include_str!("../../../examples/salon/bot.yaml");
        let from_yaml = spec_from_text(yaml).unwrap();
        let json = serde_json::to_string(&from_yaml).unwrap();
        assert_eq!(spec_from_text(&json).unwrap(), from_yaml);
    }

    #[test]
    fn json_errors_name_the_path() {
        let err = spec_from_text(r#"{"version": 1, "business": {"name": 3}}"#).unwrap_err();
        assert!(err.to_string().contains("business.name"), "{err}");
    }
}
