//! `concierge eval datetime`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use concierge_core::nlu::datetime::corpus::{evaluate, parse_example, Expected};
use concierge_core::nlu::datetime::{DateTimeOptions, Grain, TimeValue};

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
    let text = std::fs::read_to_string(&args.corpus)
        .with_context(|| format!("cannot read {}", args.corpus.display()))?;
    let mut examples = Vec::new();
    // Lines that cannot be read (an expected value such as a B.C. year that
    // is not RFC 3339) count as misses: warned about, never fatal.
    let mut unreadable = 0usize;
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match parse_example(line) {
            Ok(example) => examples.push(example),
            Err(e) => {
                unreadable += 1;
                eprintln!("warning: {}:{}: {e}; counted as a miss", args.corpus.display(), n + 1);
            }
        }
    }
    let report = evaluate(&examples, &DateTimeOptions::default());
    let total = report.examples + unreadable;
    let accuracy = if total == 0 { 0.0 } else { report.correct as f64 / total as f64 };
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "examples": total,
                "correct": report.correct,
                "unreadable": unreadable,
                "accuracy": accuracy,
            });
            outln!("{json}");
        }
        Format::Text => {
            for (example, found) in &report.failures {
                let expected = match &example.expected {
                    Expected::Nothing => "nothing".to_string(),
                    Expected::Value(v) => describe(v),
                };
                let found: Vec<String> = found
                    .iter()
                    .map(|m| {
                        let span = example.text.get(m.start..m.end).unwrap_or("?");
                        format!("{span:?} = {}", describe(&m.value))
                    })
                    .collect();
                let found = if found.is_empty() { "nothing".to_string() } else { found.join("; ") };
                outln!("FAIL {:?}\n  expected {expected}\n  found    {found}", example.text);
            }
            outln!(
                "{total} examples, {} correct, {unreadable} unreadable, accuracy {accuracy:.3}",
                report.correct
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn grain_name(g: Grain) -> &'static str {
    match g {
        Grain::Second => "second",
        Grain::Minute => "minute",
        Grain::Hour => "hour",
        Grain::Day => "day",
        Grain::Week => "week",
        Grain::Month => "month",
        Grain::Quarter => "quarter",
        Grain::Year => "year",
    }
}

fn describe(value: &TimeValue) -> String {
    let bound = |b: &Option<(chrono::NaiveDateTime, Grain)>| match b {
        Some((t, g)) => format!("{t} ({})", grain_name(*g)),
        None => "open".to_string(),
    };
    match value {
        TimeValue::Instant { value, grain } => format!("{value} ({})", grain_name(*grain)),
        TimeValue::Interval { from, to } => format!("[{}, {})", bound(from), bound(to)),
        TimeValue::Duration { seconds } => format!("{seconds} seconds"),
    }
}
