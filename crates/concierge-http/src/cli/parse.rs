//! `concierge parse`: how a bot reads one message, for debugging bots.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use super::bot_file::{load_spec, nlu_for};
use super::chat::parse_now;
use chrono::{DateTime, Utc};

/// Arguments of `concierge parse`.
#[derive(Debug, clap::Args)]
pub(crate) struct ParseArgs {
    /// The bot spec (YAML or JSON).
    #[arg(long)]
    bot: PathBuf,
    /// Resolve dates against this RFC 3339 time instead of now.
    #[arg(long, value_parser = parse_now)]
    now: Option<DateTime<Utc>>,
    /// Directory of the sentence encoder, for `nlu.classifier: embedding`
    /// (default: the spec's `nlu.model_path`, else $CONCIERGE_MODEL_DIR,
    /// else the cache scripts/fetch-model.sh fills).
    #[arg(long)]
    model: Option<PathBuf>,
    /// How many intents of the ranking to show.
    #[arg(long, default_value_t = 5)]
    top: usize,
    /// The message.
    text: String,
}

pub(crate) fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let spec = match load_spec(&args.bot) {
        Ok(spec) => spec,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let nlu = nlu_for(&spec, &args.bot, args.model.as_deref())?;
    let now = args.now.unwrap_or_else(Utc::now).with_timezone(&spec.business.tz());
    let mut parse = nlu.parse(&args.text, now);
    parse.intents.truncate(args.top);
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) ends the output quietly.
    let _ = writeln!(out, "{}", serde_json::to_string_pretty(&parse)?);
    Ok(ExitCode::SUCCESS)
}
