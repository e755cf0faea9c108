//! Button payloads that carry their meaning: `/intent{"entity": "value"}`.
//!
//! Quick replies send these so that a click is understood exactly, without
//! going through the classifier ("4:00 PM" on a button means the date that
//! was offered, not today).

use chrono::DateTime;

use crate::nlu::datetime::Grain;
use crate::nlu::{Entity, EntityValue};

/// A decoded payload: an optional intent and entities.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Payload {
    pub(crate) intent: Option<String>,
    pub(crate) entities: Vec<Entity>,
}

/// Decodes `/intent` or `/intent{"name": "value", ...}`; `None` for ordinary text.
pub(crate) fn decode(text: &str) -> Option<Payload> {
    let body = text.trim().strip_prefix('/')?;
    let (intent, json) = match body.find('{') {
        Some(i) => (&body[..i], Some(&body[i..])),
        None => (body, None),
    };
    if !intent.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '/') {
        return None;
    }
    let mut entities = Vec::new();
    if let Some(json) = json {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(json).ok()?;
        for (name, value) in map {
            let value = value.as_str()?.to_string();
            let resolved = match DateTime::parse_from_rfc3339(&value) {
                Ok(at) if name == "datetime" => EntityValue::Time { value: at, grain: Grain::Minute },
                _ => EntityValue::Text { value: value.clone() },
            };
            entities.push(Entity { entity: name, value: resolved, text: value, start: 0, end: 0 });
        }
    }
    Some(Payload { intent: (!intent.is_empty()).then(|| intent.to_string()), entities })
}

/// Encodes a payload that sets one entity.
pub(crate) fn encode(intent: &str, entity: &str, value: &str) -> String {
    let mut map = serde_json::Map::new();
    map.insert(entity.to_string(), serde_json::Value::String(value.to_string()));
    format!("/{intent}{}", serde_json::Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_a_time_payload() {
        let p = decode(&encode("inform", "datetime", "2026-03-03T16:00:00-05:00")).unwrap();
        assert_eq!(p.intent.as_deref(), Some("inform"));
        assert!(
            matches!(&p.entities[0].value, EntityValue::Time { value, .. } if value.to_rfc3339() == "2026-03-03T16:00:00-05:00")
        );
        assert_eq!(decode("hello"), None);
        assert_eq!(decode("/inform{not json"), None);
        assert_eq!(decode("/affirm").unwrap().entities, vec![]);
    }
}
