//! Loading a bot spec file and building an engine for it.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use concierge_core::booking::BookingEngine;
use concierge_core::dialog::Engine;
use concierge_core::spec::{BotSpec, SpecError};

/// Why a spec file could not be used.
#[derive(Debug, thiserror::Error)]
pub(crate) enum BotFileError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    /// The spec is invalid.
    #[error("{path}: {source}")]
    Invalid { path: String, source: SpecError },
}

/// Reads and validates a spec (JSON when the file name ends in `.json`, else YAML).
pub(crate) fn load_spec(path: &Path) -> Result<BotSpec, BotFileError> {
    let shown = path.display().to_string();
    let text =
        std::fs::read_to_string(path).map_err(|source| BotFileError::Read { path: shown.clone(), source })?;
    let parsed = if path.extension().is_some_and(|e| e == "json") {
        BotSpec::from_json(&text)
    } else {
        BotSpec::from_yaml(&text)
    };
    parsed.map_err(|source| BotFileError::Invalid { path: shown, source })
}

/// Builds an engine with the in-memory booking backend.
pub(crate) fn engine_for(spec: BotSpec) -> anyhow::Result<Engine> {
    let booker = BookingEngine::in_memory(&spec.business).context("setting up bookings")?;
    Ok(Engine::builder(spec, Arc::new(booker)).build()?)
}
