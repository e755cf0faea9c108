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
        // The reader of our output went away (`| head`): nothing more to say.
        Err(err) if closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether `err` is a write to a pipe whose reader has closed it.
fn closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
