//! `concierge eval knowledge`: how a bot answers knowledge questions, each
//! sent as the first message of a new conversation through the whole
//! engine (classifier, knowledge search and its decision): right answers,
//! wrong answers, no answer, and answers to questions it should not answer.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use concierge_core::dialog::{ConversationState, Event, TurnContext};
use concierge_core::knowledge::{Bm25Index, KnowledgeEntry, KnowledgeSearch};
use serde::Deserialize;
use serde_json::json;

use super::bot_file::{engine_from_file, BotFileError};
use super::Format;

/// How many entries `--hits` shows per search.
const HITS: usize = 3;

/// Arguments of `concierge eval knowledge`.
#[derive(Debug, clap::Args)]
pub(crate) struct EvalKnowledgeArgs {
    /// The bot spec (YAML or JSON).
    #[arg(long)]
    bot: PathBuf,
    /// JSON Lines of `{"text": "...", "entry": "id"}`; `"entry": null` for
    /// a message no entry answers (it should get no knowledge answer).
    #[arg(long)]
    cases: PathBuf,
    /// The clock of every conversation (RFC 3339; default: now).
    #[arg(long, value_parser = super::chat::parse_now)]
    now: Option<DateTime<Utc>>,
    /// Directory of the sentence encoder (as for `concierge chat`).
    #[arg(long)]
    model: Option<PathBuf>,
    /// Words only: no second opinion from the sentence encoder.
    #[arg(long)]
    lexical: bool,
    /// Also show each search's best entries for every case (JSON) or
    /// every failure (text): the lexical search, then the encoder's.
    #[arg(long)]
    hits: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

#[derive(Debug, Deserialize)]
struct Case {
    text: String,
    entry: Option<String>,
}

/// What the bot did with one case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    /// The expected entry answered.
    Right,
    /// Another entry answered a question that has one.
    Wrong,
    /// No entry answered a question that has one.
    Missed,
    /// An entry answered a message that has none.
    FalseAnswer,
    /// No entry answered a message that has none.
    Declined,
}

pub(crate) fn run(args: EvalKnowledgeArgs) -> anyhow::Result<ExitCode> {
    let (engine, paraphrases) = match engine_from_file(&args.bot, args.model.as_deref(), args.lexical) {
        Ok(loaded) => loaded,
        Err(e) if e.is::<BotFileError>() => {
            eprintln!("{e}");
            return Ok(ExitCode::from(2));
        }
        Err(e) => return Err(e),
    };
    let encoder = paraphrases.is_some();
    let entries: Vec<KnowledgeEntry> =
        engine.spec().knowledge.iter().map(KnowledgeEntry::from_spec).collect();
    let searches: Vec<(&str, Arc<dyn KnowledgeSearch>)> = if args.hits {
        let mut all: Vec<(&str, Arc<dyn KnowledgeSearch>)> =
            vec![("bm25", Arc::new(Bm25Index::new(&entries)))];
        all.extend(paraphrases.map(|p| ("dense", p)));
        all
    } else {
        Vec::new()
    };
    let show_hits = |text: &str| -> serde_json::Value {
        searches
            .iter()
            .map(|(name, search)| {
                let hits: Vec<serde_json::Value> = search
                    .search(text, HITS)
                    .iter()
                    .map(|h| json!({"entry": entries[h.entry].id, "score": h.score, "coverage": h.coverage}))
                    .collect();
                (name.to_string(), serde_json::Value::from(hits))
            })
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let file =
        std::fs::File::open(&args.cases).with_context(|| format!("opening {}", args.cases.display()))?;
    let now = args.now.unwrap_or_else(Utc::now);
    let mut counts: BTreeMap<Outcome, usize> = BTreeMap::new();
    let mut misses = Vec::new();
    let mut all_hits = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.context("reading the cases")?;
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = serde_json::from_str(&line).with_context(|| {
            format!("{} line {}: expected {{\"text\", \"entry\"}}", args.cases.display(), n + 1)
        })?;
        let ctx = TurnContext { now, seed: 0, conversation_id: format!("eval-{n}") };
        let turn = futures::executor::block_on(engine.handle(ConversationState::default(), &case.text, &ctx))
            .with_context(|| format!("line {}: {:?}", n + 1, case.text))?;
        let answered = turn.events.iter().find_map(|e| match e {
            Event::KbAnswer { id, .. } => Some(id.clone()),
            _ => None,
        });
        let outcome = match (&case.entry, &answered) {
            (Some(want), Some(got)) if want == got => Outcome::Right,
            (Some(_), Some(_)) => Outcome::Wrong,
            (Some(_), None) => Outcome::Missed,
            (None, Some(_)) => Outcome::FalseAnswer,
            (None, None) => Outcome::Declined,
        };
        *counts.entry(outcome).or_default() += 1;
        if args.hits {
            all_hits.push(json!({
                "text": case.text, "entry": case.entry, "answered": answered, "hits": show_hits(&case.text),
            }));
        }
        if matches!(outcome, Outcome::Wrong | Outcome::Missed | Outcome::FalseAnswer) {
            misses.push((outcome, case, answered));
        }
    }
    let count = |o: Outcome| counts.get(&o).copied().unwrap_or(0);
    let questions = count(Outcome::Right) + count(Outcome::Wrong) + count(Outcome::Missed);
    let others = count(Outcome::FalseAnswer) + count(Outcome::Declined);
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    match args.format {
        Format::Json => outln!(
            "{}",
            json!({
                "bot": args.bot.display().to_string(),
                "encoder": encoder,
                "questions": questions,
                "right": count(Outcome::Right),
                "wrong": count(Outcome::Wrong),
                "missed": count(Outcome::Missed),
                "others": others,
                "false_answers": count(Outcome::FalseAnswer),
                "failures": misses.iter().map(|(o, c, got)| json!({
                    "outcome": format!("{o:?}"), "text": c.text, "entry": c.entry, "answered": got,
                })).collect::<Vec<_>>(),
                "cases": all_hits,
            })
        ),
        Format::Text => {
            for (outcome, case, got) in &misses {
                outln!(
                    "{:<11} want {:<20} got {:<20} {}",
                    format!("{outcome:?}"),
                    case.entry.as_deref().unwrap_or("-"),
                    got.as_deref().unwrap_or("-"),
                    case.text
                );
                if args.hits {
                    outln!("            {}", show_hits(&case.text));
                }
            }
            outln!(
                "questions {questions}: right {} ({:.3}), wrong {}, missed {}; others {others}: answered {} ({:.3}){}",
                count(Outcome::Right),
                ratio(count(Outcome::Right), questions),
                count(Outcome::Wrong),
                count(Outcome::Missed),
                count(Outcome::FalseAnswer),
                ratio(count(Outcome::FalseAnswer), others),
                if encoder { "; with the sentence encoder" } else { "; words only" },
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
