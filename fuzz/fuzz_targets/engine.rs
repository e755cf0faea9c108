//! The whole turn (`dialog::Engine::handle`) of the salon bot: the input is
//! split into lines, each sent as the customer's next message, carrying the
//! conversation state, over an in-memory calendar emptied first. Checks: no
//! panic (an empty or too long message is a typed error), and the state
//! survives a JSON round trip (hosts store it).
#![no_main]

use std::sync::{Arc, LazyLock};

use concierge_core::dialog::{ConversationState, Engine, TurnContext};
use concierge_fuzz::FreshBooker;
use libfuzzer_sys::fuzz_target;

struct Salon {
    engine: Engine,
    booker: Arc<FreshBooker>,
}

/// Built (and its classifier trained) once per process.
static SALON: LazyLock<Salon> = LazyLock::new(|| {
    let spec = concierge_fuzz::salon_spec();
    let booker = Arc::new(FreshBooker::new(&spec));
    let engine = Engine::builder(spec, booker.clone()).build().unwrap();
    Salon { engine, booker }
});

fuzz_target!(
    // Build before fuzzing, so training does not count against `-timeout`.
    init: {
        LazyLock::force(&SALON);
    },
    |text: &str| {
    SALON.booker.reset();
    let mut state = ConversationState::default();
    for (n, line) in text.split('\n').take(16).enumerate() {
        let ctx = TurnContext { now: concierge_fuzz::now(), seed: n as u64, conversation_id: "fuzz".into() };
        if let Ok(turn) = futures::executor::block_on(SALON.engine.handle(state.clone(), line, &ctx)) {
            state = turn.state;
        }
    }
    let json = serde_json::to_string(&state).expect("the state serializes");
    let back: ConversationState = serde_json::from_str(&json).expect("the state deserializes");
    assert_eq!(serde_json::to_string(&back).unwrap(), json, "the state round-trips");
    }
);
