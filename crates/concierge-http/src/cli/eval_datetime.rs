//! `concierge eval datetime`.

use std::path::PathBuf;
use std::process::ExitCode;

use super::Format;

/// Arguments of `concierge eval datetime`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalDatetimeArgs {
    /// The corpus, JSON lines `{"text","reference_time","expected"}`.
    #[arg(long)]
    corpus: PathBuf,
    /// Report format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub(crate) fn run(args: EvalDatetimeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("eval datetime is not built yet ({args:?})")
}
