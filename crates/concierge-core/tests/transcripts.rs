//! Data-driven conversation tests: every `transcripts/*.txt` is a
//! conversation with the salon demo, and `transcripts/*.expect` is what the
//! engine did with it, turn by turn. Run with `UPDATE_EXPECT=1` to refresh
//! the expectations after an intended change, then read the diff.

use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use concierge_core::booking::BookingEngine;
use concierge_core::dialog::{ConversationState, Engine, Event, TurnContext};
use concierge_core::spec::BotSpec;

fn salon() -> Engine {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/salon/bot.yaml");
    let spec = BotSpec::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
    let booker = BookingEngine::in_memory(&spec.business).unwrap();
    Engine::builder(spec, Arc::new(booker)).build().unwrap()
}

/// Runs a transcript: `# now: RFC3339` lines set the clock, other lines are
/// user messages. Returns the compact record of each turn.
fn run(engine: &Engine, transcript: &str) -> String {
    let mut now: DateTime<Utc> = "2026-03-02T14:00:00Z".parse().unwrap();
    let mut state = ConversationState::default();
    let mut out = String::new();
    for line in transcript.lines() {
        if let Some(t) = line.strip_prefix("# now:") {
            now = DateTime::parse_from_rfc3339(t.trim()).unwrap().with_timezone(&Utc);
            continue;
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let ctx = TurnContext { now, seed: state.turns, conversation_id: "test".into() };
        let turn = futures::executor::block_on(engine.handle(state, line, &ctx)).unwrap();
        writeln!(out, "> {line}").unwrap();
        for e in &turn.events {
            let s = match e {
                Event::UserMessage { .. } | Event::BotMessage { .. } => continue,
                Event::IntentDetected { name, .. } => format!("intent {name}"),
                Event::SlotSet { name, value } => format!("slot {name} = {value}"),
                Event::FlowStarted { flow } => format!("flow started {flow}"),
                Event::FlowCompleted { flow } => format!("flow completed {flow}"),
                Event::FlowCancelled { flow } => format!("flow cancelled {flow}"),
                Event::KbAnswer { id, .. } => format!("kb answer {id}"),
                Event::OutOfScope { .. } => "out of scope".to_string(),
                Event::HandoffRequested { reason } => format!("handoff: {reason}"),
                Event::HandoffReleased => "handoff released".to_string(),
                Event::BookingConfirmed { booking } => format!(
                    "booking confirmed: {} {} to {} with {} for {} {}",
                    booking.service,
                    booking.start,
                    booking.end,
                    booking.staff,
                    booking.customer.name,
                    booking.customer.phone.as_deref().unwrap_or("-")
                ),
                Event::BookingCancelled { .. } => "booking cancelled".to_string(),
                Event::BookingRescheduled { booking, .. } => {
                    format!(
                        "booking rescheduled: {} {} with {}",
                        booking.service, booking.start, booking.staff
                    )
                }
            };
            writeln!(out, "  {s}").unwrap();
        }
        for r in &turn.replies {
            writeln!(out, "  bot: {}", r.text).unwrap();
            if !r.buttons.is_empty() {
                let titles: Vec<&str> = r.buttons.iter().map(|b| b.title.as_str()).collect();
                writeln!(out, "       [{}]", titles.join("] [")).unwrap();
            }
        }
        state = turn.state;
    }
    out
}

#[test]
fn transcripts() {
    let engine = salon();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for file in files {
        let actual = run(&engine, &std::fs::read_to_string(&file).unwrap());
        expect_test::expect_file![file.with_extension("expect")].assert_eq(&actual);
    }
}
