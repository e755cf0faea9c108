//! `concierge chat`: one conversation over stdin/stdout.

use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `concierge chat`.
#[derive(Debug, clap::Args)]
pub(crate) struct ChatArgs {
    /// The bot spec (YAML or JSON).
    #[arg(long)]
    bot: PathBuf,
    /// Fix the clock at this RFC 3339 time.
    #[arg(long)]
    now: Option<String>,
    /// Print one JSON object per user line.
    #[arg(long)]
    jsonl: bool,
}

pub(crate) fn run(args: ChatArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("chat is not built yet ({args:?})")
}
