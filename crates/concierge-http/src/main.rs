//! The `concierge` command: chat with a bot, evaluate its NLU and knowledge
//! search, import knowledge, and run the reference server.

use std::process::ExitCode;

use clap::Parser;

mod cli;

/// mimalloc: the server allocates per request on every thread, where glibc's
/// allocator spent about a tenth of the server's CPU time (perf, load benchmark).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
