//! Speed of a whole dialog turn on the lexical path: `Engine::handle` on the
//! salon demo, from a fresh conversation (a booking asked for in one
//! message: NLU, slot filling, an availability check) and at the
//! confirmation (a short answer that books).

// criterion_group! defines an undocumented public function.
#![allow(missing_docs)]

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use concierge_core::booking::BookingEngine;
use concierge_core::dialog::{ConversationState, Engine, TurnContext};
use concierge_core::spec::BotSpec;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use futures::executor::block_on;

fn engine() -> Engine {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/salon/bot.yaml");
    let spec =
        BotSpec::from_yaml(&std::fs::read_to_string(path).expect("the salon spec")).expect("valid spec");
    let booker = BookingEngine::in_memory(&spec.business).expect("valid business");
    Engine::builder(spec, Arc::new(booker)).build().expect("engine")
}

fn turns(c: &mut Criterion) {
    let engine = engine();
    let now: DateTime<Utc> = "2026-03-02T14:00:00Z".parse().expect("a time");
    let ctx = TurnContext { now, seed: 1, conversation_id: "bench".into() };
    let first = "hi can i book a mens cut tmrw at 11";
    c.bench_function("turn_book_in_one_message", |b| {
        b.iter(|| block_on(engine.handle(ConversationState::default(), first, &ctx)).expect("a turn"))
    });
    let mut state = ConversationState::default();
    for line in [first, "Tom Hardy", "646-555-0142"] {
        state = block_on(engine.handle(state, line, &ctx)).expect("a turn").state;
    }
    // Each iteration books in a fresh engine's calendar would cost a build;
    // the same idempotency key returns the same booking instead.
    c.bench_function("turn_confirm", |b| {
        b.iter_batched(
            || state.clone(),
            |s| block_on(engine.handle(s, "yep", &ctx)).expect("a turn"),
            BatchSize::SmallInput,
        )
    });
}

criterion_group!(benches, turns);
criterion_main!(benches);
