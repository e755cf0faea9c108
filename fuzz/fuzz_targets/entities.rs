//! Entity extraction and intent classification (`nlu::Nlu::parse`) of the
//! salon bot on arbitrary text: no panic, confidences are numbers in [0, 1],
//! and every entity is a span of the text.
#![no_main]

use std::sync::LazyLock;

use concierge_core::nlu::Nlu;
use libfuzzer_sys::fuzz_target;

/// Trained once per process.
static NLU: LazyLock<Nlu> = LazyLock::new(|| Nlu::from_spec(&concierge_fuzz::salon_spec()).unwrap());

fuzz_target!(
    // Train before fuzzing, so training does not count against `-timeout`.
    init: {
        LazyLock::force(&NLU);
    },
    |text: &str| {
    let now = concierge_fuzz::now().with_timezone(&chrono_tz::America::New_York);
    let parse = NLU.parse(text, now);
    for i in &parse.intents {
        assert!((0.0..=1.0).contains(&i.confidence), "confidence {} for {}", i.confidence, i.intent);
    }
    for e in &parse.entities {
        assert!(e.start <= e.end && e.end <= text.len(), "{e:?} out of {} bytes", text.len());
        assert!(text.get(e.start..e.end).is_some(), "{e:?} not on char boundaries");
    }
    }
);
