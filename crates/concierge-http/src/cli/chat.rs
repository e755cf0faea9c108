//! `concierge chat`: one conversation over stdin/stdout.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{DateTime, Utc};
use concierge_core::dialog::{ConversationState, Event, Turn, TurnContext};
use serde_json::json;

use concierge_http::server::TurnBody;

use super::bot_file::{engine_from_file, BotFileError};

/// Arguments of `concierge chat`.
#[derive(Debug, clap::Args)]
pub(crate) struct ChatArgs {
    /// The bot spec (YAML or JSON).
    #[arg(long)]
    bot: PathBuf,
    /// Fix the clock at this RFC 3339 time.
    #[arg(long, value_parser = parse_now)]
    now: Option<DateTime<Utc>>,
    /// Print one JSON object per user line.
    #[arg(long)]
    jsonl: bool,
    /// Directory of the sentence encoder, for `nlu.classifier: embedding`
    /// (default: the spec's `nlu.model_path`, else $CONCIERGE_MODEL_DIR,
    /// else the cache scripts/fetch-model.sh fills).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Match knowledge questions by their words only, without the sentence
    /// encoder's second opinion on paraphrases (used when the encoder is found).
    #[arg(long)]
    lexical: bool,
}

pub(crate) fn parse_now(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .map_err(|e| format!("expected an RFC 3339 time such as 2026-03-02T09:00:00-05:00 ({e})"))
}

pub(crate) fn run(args: ChatArgs) -> anyhow::Result<ExitCode> {
    let engine = match engine_from_file(&args.bot, args.model.as_deref(), args.lexical) {
        Ok((engine, _)) => engine,
        Err(e) if e.is::<BotFileError>() => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e),
    };
    let stdin = std::io::stdin();
    let interactive = !args.jsonl && stdin.is_terminal();
    let mut out = std::io::stdout().lock();
    if interactive {
        writeln!(out, "Chatting with {} (Ctrl-D to quit).", engine.spec().business.name)?;
    }
    let mut state = ConversationState::default();
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            write!(out, "> ")?;
            out.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        let ctx = TurnContext {
            now: args.now.unwrap_or_else(Utc::now),
            seed: state.turns,
            conversation_id: "cli".into(),
        };
        let turn = match futures::executor::block_on(engine.handle(state.clone(), &line, &ctx)) {
            Ok(turn) => turn,
            Err(e) => {
                if args.jsonl {
                    writeln!(out, "{}", json!({ "user": line, "error": e.to_string() }))?;
                } else {
                    writeln!(out, "  (not sent: {e})")?;
                }
                continue;
            }
        };
        if args.jsonl {
            writeln!(out, "{}", serde_json::to_string(&TurnBody::new(&line, &turn))?)?;
        } else {
            print_turn(&mut out, &turn)?;
        }
        state = turn.state;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_turn(out: &mut impl Write, turn: &Turn) -> std::io::Result<()> {
    for reply in &turn.replies {
        writeln!(out, "bot: {}", reply.text)?;
        if !reply.buttons.is_empty() {
            let titles: Vec<String> = reply.buttons.iter().map(|b| format!("[{}]", b.title)).collect();
            writeln!(out, "     {}", titles.join(" "))?;
        }
    }
    for e in &turn.events {
        match e {
            Event::HandoffRequested { .. } => writeln!(out, "     (a person will take over from here)")?,
            Event::BookingConfirmed { booking } => writeln!(
                out,
                "     (booked {} at {}, reference {})",
                booking.service, booking.start, booking.reference
            )?,
            _ => {}
        }
    }
    Ok(())
}
