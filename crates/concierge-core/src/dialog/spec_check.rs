//! Checking a spec text as the engine would load it, before it is stored
//! or installed: every reference, the business's catalog, the flows'
//! actions and the classifier's training.

use std::sync::Arc;

use crate::booking::{BookingEngine, Catalog, InMemoryBookingRepository};
use crate::spec::{BotSpec, SpecError, SpecProblem};

use super::{Engine, EngineError};

/// A spec that an engine was built from: the parsed spec and the JSON it
/// is stored as.
#[derive(Debug, Clone)]
pub struct CheckedSpec {
    /// The parsed spec.
    pub spec: BotSpec,
    /// The same spec as JSON (YAML input is converted).
    pub value: serde_json::Value,
}

/// Parses `text` (YAML or JSON) and builds an engine from it with an empty
/// booking store; every problem found comes back with its path.
pub fn check_spec(text: &str) -> Result<CheckedSpec, SpecError> {
    let spec = BotSpec::from_yaml(text)?;
    let one = |path: &str, message: String| SpecError {
        problems: vec![SpecProblem { path: path.into(), message }],
    };
    // YAML is a superset of JSON: one parser reads both into the stored JSON.
    let value: serde_json::Value = serde_yaml::from_str(text).map_err(|e| one("", e.to_string()))?;
    let catalog = Catalog::from_spec(&spec.business).map_err(|e| one("business", e.to_string()))?;
    let booker = BookingEngine::new(catalog, Arc::new(InMemoryBookingRepository::new()));
    match Engine::builder(spec.clone(), Arc::new(booker)).build() {
        Ok(_) => Ok(CheckedSpec { spec, value }),
        Err(EngineError::Spec(problems)) => Err(problems),
        Err(other) => Err(one("nlu", other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_broken_reference_is_found_with_its_path() {
        let good = include_str!("../../../../examples/salon/bot.yaml");
        let checked = check_spec(good).unwrap();
        assert_eq!(checked.value["business"]["name"], checked.spec.business.name.as_str());

        let broken = good.replacen("action: check_availability", "action: no_such_action", 1);
        assert_ne!(broken, good);
        let error = check_spec(&broken).unwrap_err();
        assert!(error.problems.iter().any(|p| p.message.contains("no_such_action")), "{error}");
        let error = check_spec("business: [").unwrap_err();
        assert!(!error.problems.is_empty());
    }
}
