//! Command-line interface: argument parsing and dispatch.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// `println!` that returns the write's error to the caller (`?`) instead of
/// panicking when stdout is a pipe whose reader has gone (`concierge kb
/// search ... | head`); `main` ends quietly on that error.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?
    }};
}

mod bot_file;
mod chat;
mod encoder;
mod eval_ann;
mod eval_datetime;
mod eval_embed;
mod eval_intents;
mod eval_knowledge;
mod eval_retrieval;
mod kb;
mod parse;
mod serve;
mod slots;
mod tenants;
mod test;

/// Concierge: an embeddable conversational engine for businesses.
#[derive(Debug, Parser)]
#[command(name = "concierge", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Chat with a bot on the terminal (or as JSON lines with --jsonl).
    Chat(chat::ChatArgs),
    /// Show how a bot understands one message: intent ranking and entities, as JSON.
    Parse(parse::ParseArgs),
    /// List bookable slots of a service between two local dates (inclusive).
    Slots(slots::SlotsArgs),
    /// Run conversation tests (YAML files of user lines and expectations) against their bots.
    Test(test::TestArgs),
    /// Run the reference server (chat API, WebSocket, metrics).
    Serve(serve::ServeArgs),
    /// Import documents into a bot's knowledge and search it.
    #[command(subcommand)]
    Kb(kb::KbCommand),
    /// Measure the engine on public data sets.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// The operator's tenant commands on a server's database: create, list, disable, delete.
    #[command(subcommand)]
    Tenants(tenants::TenantsCommand),
}

#[derive(Debug, Subcommand)]
enum EvalCommand {
    /// Intent classification: accuracy, out-of-scope detection and speed.
    Intents(eval_intents::EvalIntentsArgs),
    /// Date and time parsing on a Duckling-format corpus.
    Datetime(eval_datetime::EvalDatetimeArgs),
    /// Sentence-encoder throughput and latency.
    Embed(eval_embed::EvalEmbedArgs),
    /// Knowledge retrieval on a FAQ corpus: P@1, MRR, recall@5 and latency.
    Retrieval(eval_retrieval::EvalRetrievalArgs),
    /// The HNSW vector index against the exact scan: recall@10 and latency ratio.
    Ann(eval_ann::EvalAnnArgs),
    /// A bot's answers to knowledge questions, through the whole engine:
    /// right, wrong, missed, and answers to messages no entry answers.
    Knowledge(eval_knowledge::EvalKnowledgeArgs),
}

/// Output format of reports.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub(crate) enum Format {
    /// Human-readable text.
    #[default]
    Text,
    /// One JSON object on stdout.
    Json,
}

pub(crate) fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Chat(args) => chat::run(args),
        Command::Slots(args) => slots::run(args),
        Command::Parse(args) => parse::run(args),
        Command::Serve(args) => serve::run(args),
        Command::Test(args) => test::run(args),
        Command::Kb(command) => kb::run(command),
        Command::Tenants(command) => tenants::run(command),
        Command::Eval(EvalCommand::Intents(args)) => eval_intents::run(args),
        Command::Eval(EvalCommand::Datetime(args)) => eval_datetime::run(args),
        Command::Eval(EvalCommand::Embed(args)) => eval_embed::run(args),
        Command::Eval(EvalCommand::Retrieval(args)) => eval_retrieval::run(args),
        Command::Eval(EvalCommand::Ann(args)) => eval_ann::run(args),
        Command::Eval(EvalCommand::Knowledge(args)) => eval_knowledge::run(args),
    }
}
