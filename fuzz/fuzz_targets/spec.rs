//! The bot spec loader on arbitrary text: `BotSpec::from_yaml` and
//! `BotSpec::from_json` either load a spec or return a located error, never
//! panic; a spec they accept, written as JSON (as the admin API stores and
//! serves it), loads back equal.
#![no_main]

use concierge_core::spec::BotSpec;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    for spec in [BotSpec::from_yaml(text), BotSpec::from_json(text)].into_iter().flatten() {
        let json = serde_json::to_string(&spec).expect("a loaded spec serializes");
        let back = BotSpec::from_json(&json).expect("a loaded spec, written as JSON, loads");
        assert_eq!(back, spec, "round trip through\n{json}");
    }
});
