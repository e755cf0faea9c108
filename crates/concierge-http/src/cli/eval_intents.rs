//! `concierge eval intents`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Format;

/// Arguments of `concierge eval intents`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalIntentsArgs {
    /// Training data, JSON lines `{"text","intent"}`; repeatable.
    #[arg(long, required = true)]
    train: Vec<PathBuf>,
    /// Validation data used to choose the out-of-scope threshold.
    #[arg(long)]
    val: Option<PathBuf>,
    /// Test data.
    #[arg(long)]
    test: PathBuf,
    /// The label of out-of-scope examples.
    #[arg(long, default_value = "oos")]
    oos_label: String,
    /// Which classifier to train.
    #[arg(long, default_value = "lexical")]
    classifier: String,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(args: EvalIntentsArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("eval intents is not built yet ({args:?})")
}
