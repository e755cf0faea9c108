//! Finding and loading the sentence encoder the embedding classifier needs.

use std::path::{Path, PathBuf};

use anyhow::Context;
use concierge_core::embedding::MiniLm;

/// Where the encoder's files are: `flag` (a `--model` argument), else
/// `$CONCIERGE_MODEL_DIR`, else the cache directory `scripts/fetch-model.sh`
/// fills (`~/.cache/concierge/models/all-MiniLM-L6-v2`).
pub(crate) fn model_dir(flag: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("CONCIERGE_MODEL_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let home = std::env::var_os("HOME").context(
        "no model directory: pass --model DIR or set CONCIERGE_MODEL_DIR (scripts/fetch-model.sh DIR fetches the model)",
    )?;
    Ok(PathBuf::from(home).join(".cache/concierge/models/all-MiniLM-L6-v2"))
}

/// Loads the MiniLM encoder from `model_dir(flag)`. A missing model gives
/// an error that names `scripts/fetch-model.sh`.
pub(crate) fn load_encoder(flag: Option<&Path>) -> anyhow::Result<MiniLm> {
    let dir = model_dir(flag)?;
    MiniLm::from_dir(&dir).with_context(|| format!("loading the sentence encoder from {}", dir.display()))
}
