//! Properties of the dialog engine over the salon demo, with answers nobody
//! scripted.
//!
//! Scripted prefixes bring a conversation to every kind of prompt the salon
//! flows have (service, day and time, name, phone, the booking confirmation,
//! "what would you like to change", the reschedule and cancel questions, the
//! offer of a person, ...); from there the properties send arbitrary text:
//!
//! * `no_panic_at_any_prompt`: any Unicode string is either handled or
//!   refused with a typed error (`EmptyMessage`, `MessageTooLong`), never a
//!   panic, and the state it returns survives a JSON round trip.
//!
//! Runs are deterministic: a fixed seed (override with `PROPTEST_RNG_SEED`)
//! and a moderate number of cases (override with `PROPTEST_CASES`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::ThreadId;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use concierge_core::booking::{
    Availability, Booker, Booking, BookingEngine, BookingError, BookingRequest, Customer, Slot,
};
use concierge_core::dialog::{
    ConversationState, Engine, EngineError, Turn, TurnContext, Waiting, MAX_MESSAGE_BYTES,
};
use concierge_core::spec::BotSpec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

// ---------------------------------------------------------------------------
// The engine under test.

fn salon_spec() -> BotSpec {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/salon/bot.yaml");
    BotSpec::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// A booker whose bookings can be forgotten between cases, so that every
/// case (and every shrinking step) starts from an empty calendar while the
/// engine, whose classifier is slow to train in debug builds, is built once.
/// Each test thread has its own calendar, so tests running side by side do
/// not see each other's bookings.
struct FreshBooker {
    spec: BotSpec,
    calendars: Mutex<HashMap<ThreadId, Arc<BookingEngine>>>,
}

impl FreshBooker {
    fn new(spec: &BotSpec) -> FreshBooker {
        FreshBooker { spec: spec.clone(), calendars: Mutex::new(HashMap::new()) }
    }

    /// Gives the calling thread an empty calendar.
    fn reset(&self) {
        let fresh = Arc::new(BookingEngine::in_memory(&self.spec.business).unwrap());
        self.calendars.lock().unwrap().insert(std::thread::current().id(), fresh);
    }

    fn current(&self) -> Arc<BookingEngine> {
        let id = std::thread::current().id();
        self.calendars.lock().unwrap().get(&id).cloned().expect("reset() before the first turn")
    }
}

#[async_trait]
impl Booker for FreshBooker {
    async fn check(
        &self,
        request: &BookingRequest,
        now: DateTime<Utc>,
    ) -> Result<Availability, BookingError> {
        self.current().check(request, now).await
    }
    async fn book(
        &self,
        request: &BookingRequest,
        customer: &Customer,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        self.current().book(request, customer, request_key, now).await
    }
    async fn cancel(&self, booking_id: &str, now: DateTime<Utc>) -> Result<Booking, BookingError> {
        self.current().cancel(booking_id, now).await
    }
    async fn reschedule(
        &self,
        booking_id: &str,
        new_start: DateTime<Utc>,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        self.current().reschedule(booking_id, new_start, request_key, now).await
    }
    async fn free_slots(
        &self,
        request: &BookingRequest,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, BookingError> {
        self.current().free_slots(request, until, now).await
    }
    async fn get(&self, booking_id: &str) -> Result<Booking, BookingError> {
        self.current().get(booking_id).await
    }
    async fn upcoming_for_phone(
        &self,
        phone: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Booking>, BookingError> {
        self.current().upcoming_for_phone(phone, now).await
    }
}

struct Salon {
    engine: Engine,
    booker: Arc<FreshBooker>,
}

fn salon() -> &'static Salon {
    static SALON: OnceLock<Salon> = OnceLock::new();
    SALON.get_or_init(|| {
        let spec = salon_spec();
        let booker = Arc::new(FreshBooker::new(&spec));
        let engine = Engine::builder(spec, booker.clone()).build().unwrap();
        Salon { engine, booker }
    })
}

/// Monday, March 2 2026, 9:00 in New York: the salon opens tomorrow.
fn now() -> DateTime<Utc> {
    "2026-03-02T14:00:00Z".parse().unwrap()
}

/// A conversation in progress.
struct Conversation {
    state: ConversationState,
}

impl Conversation {
    fn new() -> Conversation {
        salon().booker.reset();
        Conversation { state: ConversationState::default() }
    }

    fn send(&mut self, text: &str) -> Result<Turn, EngineError> {
        let ctx = TurnContext { now: now(), seed: self.state.turns, conversation_id: "props".into() };
        let turn = futures::executor::block_on(salon().engine.handle(self.state.clone(), text, &ctx))?;
        self.state = turn.state.clone();
        Ok(turn)
    }

    /// The question the conversation waits on, in words, for messages.
    fn waiting(&self) -> String {
        if self.state.handoff_offered {
            return "handoff offer".into();
        }
        match self.state.stack.last() {
            None => "nothing".into(),
            Some(f) => match &f.waiting {
                None => format!("{} step {}", f.flow, f.step),
                Some(Waiting::Slot { slot }) => format!("{} {slot}", f.flow),
                Some(Waiting::Confirmation) => format!("{} confirmation", f.flow),
                Some(Waiting::Change) => format!("{} change", f.flow),
            },
        }
    }
}

// ---------------------------------------------------------------------------
// Scripted prefixes: one per kind of prompt.

/// A script that ends at a prompt, and the prompt it ends at.
#[derive(Debug)]
struct Prefix {
    name: &'static str,
    lines: &'static [&'static str],
    /// What [`Conversation::waiting`] says once the lines are sent.
    waits: &'static str,
}

const BOOKED: &[&str] =
    &["I'd like to book a men's haircut tomorrow at 3pm", "Sam Lee", "415-555-0199", "yes"];

const PREFIXES: &[Prefix] = &[
    Prefix { name: "fresh", lines: &[], waits: "nothing" },
    Prefix { name: "service", lines: &["I'd like to book an appointment"], waits: "book service" },
    Prefix { name: "datetime", lines: &["book a men's haircut"], waits: "book datetime" },
    Prefix { name: "time on a day", lines: &["book a men's haircut", "Wednesday"], waits: "book datetime" },
    Prefix {
        name: "alternatives",
        lines: &["book a men's haircut", "Sunday at 3pm"],
        waits: "book datetime",
    },
    Prefix {
        name: "name",
        lines: &["I'd like to book a men's haircut tomorrow at 3pm"],
        waits: "book customer_name",
    },
    Prefix {
        name: "phone",
        lines: &["I'd like to book a men's haircut tomorrow at 3pm", "Sam Lee"],
        waits: "book phone",
    },
    Prefix {
        name: "confirmation",
        lines: &["I'd like to book a men's haircut tomorrow at 3pm", "Sam Lee", "415-555-0199"],
        waits: "book confirmation",
    },
    Prefix {
        name: "what to change",
        lines: &["I'd like to book a men's haircut tomorrow at 3pm", "Sam Lee", "415-555-0199", "no"],
        waits: "book change",
    },
    Prefix { name: "after a booking", lines: BOOKED, waits: "nothing" },
    Prefix {
        name: "reschedule time",
        lines: &[
            "I'd like to book a men's haircut tomorrow at 3pm",
            "Sam Lee",
            "415-555-0199",
            "yes",
            "I need to reschedule my appointment",
        ],
        waits: "reschedule datetime",
    },
    Prefix {
        name: "reschedule confirmation",
        lines: &[
            "I'd like to book a men's haircut tomorrow at 3pm",
            "Sam Lee",
            "415-555-0199",
            "yes",
            "I need to reschedule my appointment",
            // Not "Wednesday at 4pm": that starts a new booking (reported).
            "Wednesday 4pm",
        ],
        waits: "reschedule confirmation",
    },
    Prefix {
        name: "reschedule phone",
        lines: &["I need to reschedule my appointment"],
        waits: "reschedule phone",
    },
    Prefix {
        name: "cancel confirmation",
        lines: &[
            "I'd like to book a men's haircut tomorrow at 3pm",
            "Sam Lee",
            "415-555-0199",
            "yes",
            "I need to cancel my appointment",
        ],
        waits: "cancel confirmation",
    },
    Prefix { name: "cancel phone", lines: &["I need to cancel my appointment"], waits: "cancel phone" },
    Prefix { name: "check phone", lines: &["When is my appointment?"], waits: "check phone" },
    Prefix {
        name: "handoff offer",
        lines: &["what's the capital of Spain?", "who won the football game last night?"],
        waits: "handoff offer",
    },
    Prefix { name: "handed off", lines: &["I want to talk to a person"], waits: "nothing" },
];

/// Starts a conversation and sends `prefix`'s lines.
fn start(prefix: &Prefix) -> (Conversation, Vec<(String, Turn)>) {
    let mut c = Conversation::new();
    let mut turns = Vec::new();
    for line in prefix.lines {
        let turn = c.send(line).unwrap_or_else(|e| panic!("prefix {:?}, {line:?}: {e}", prefix.name));
        turns.push((line.to_string(), turn));
    }
    (c, turns)
}

#[test]
fn prefixes_reach_their_prompts() {
    for p in PREFIXES {
        let (c, _) = start(p);
        assert_eq!(c.waiting(), p.waits, "prefix {:?}", p.name);
    }
}

// ---------------------------------------------------------------------------
// Strategies.

fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(default_cases);
    let seed = std::env::var("PROPTEST_RNG_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5a10);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    }
}

fn prefix() -> impl Strategy<Value = &'static Prefix> {
    (0..PREFIXES.len()).prop_map(|i| &PREFIXES[i])
}

/// Pieces of text that tend to break byte-oriented code.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        // Emoji, with skin tones, joiners and flags.
        prop::sample::select(vec!["👍", "👍🏽", "👩‍👩‍👧", "🇺🇸", "❤️", "✂️", "💇‍♀️", "😀"]).prop_map(str::to_string),
        // Letters with combining marks.
        prop::sample::select(vec![
            "e\u{301}",
            "Jose\u{301}",
            "n\u{303}",
            "a\u{308}\u{308}\u{308}",
            "\u{301}"
        ])
        .prop_map(str::to_string),
        // Right-to-left text and direction marks.
        prop::sample::select(vec!["مرحبا", "שלום", "\u{200f}", "\u{202e}abc", "محمد علي"])
            .prop_map(str::to_string),
        // Other scripts.
        prop::sample::select(vec![
            "José Herrera",
            "Alicia Muñoz",
            "Đặng",
            "김민준",
            "山田太郎",
            "Ærøskøbing",
            "ß"
        ])
        .prop_map(str::to_string),
        // Digits of several kinds, and punctuation.
        "[0-9]{1,12}".prop_map(|s| s),
        prop::sample::select(vec![
            "٣", "३", "１２", "½", "3:", ":30", "-", "+1", "(", ")", "/", ".", "?!", "'", "\"", "{", "}"
        ])
        .prop_map(str::to_string),
        // Whitespace of several kinds.
        prop::sample::select(vec![" ", "\t", "\n", "\u{a0}", "\u{2028}", "\u{200b}", "\u{feff}"])
            .prop_map(str::to_string),
        // Words the engine knows.
        prop::sample::select(vec![
            "yes", "no", "tomorrow", "at", "3pm", "Friday", "with", "Sofia", "Maria", "haircut", "cancel",
            "move", "book", "name", "is", "my", "around", "ish", "morning", "after", "before", "pm",
        ])
        .prop_map(str::to_string),
        // A very long word.
        (1usize..600, prop::sample::select(vec!["a", "é", "👍", "9"])).prop_map(|(n, s)| s.repeat(n)),
        any::<char>().prop_map(String::from),
    ]
}

/// A message of mixed pieces, separated or not.
fn mixed() -> impl Strategy<Value = String> {
    prop::collection::vec((piece(), prop::bool::ANY), 1..12).prop_map(|parts| {
        let mut s = String::new();
        for (p, space) in parts {
            s.push_str(&p);
            if space {
                s.push(' ');
            }
        }
        s
    })
}

/// Strings around the size limit: just under, at and over it, in one- and
/// multi-byte characters, some padded with whitespace the engine trims.
fn around_the_limit() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["a", "é", "€", "👍", "e\u{301}", "book me a haircut "]),
        0usize..24,
        prop::bool::ANY,
    )
        .prop_map(|(unit, slack, pad)| {
            let target = MAX_MESSAGE_BYTES - 12 + slack;
            let mut s = String::new();
            while s.len() + unit.len() <= target {
                s.push_str(unit);
            }
            if pad {
                s = format!("  {s}\n ");
            }
            s
        })
}

/// Any message at all.
fn message() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        4 => mixed(),
        1 => around_the_limit(),
        1 => prop::sample::select(vec!["", " ", "\n\t", "\u{a0}", "\u{200b}"]).prop_map(str::to_string),
    ]
}

// ---------------------------------------------------------------------------
// Property 1: no panic, typed errors only, a state that round-trips.

thread_local! {
    /// Inside [`catching`]: where the last panic happened, and why.
    static CAUGHT: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, turning a panic into its message and location. While shrinking
/// a panicking case runs hundreds of times; its panics are recorded instead
/// of printed. Panics outside `catching` print as usual.
fn catching<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let caught = CAUGHT.with(|c| {
                let mut c = c.borrow_mut();
                match c.as_mut() {
                    Some(slot) => {
                        *slot = info.to_string();
                        true
                    }
                    None => false,
                }
            });
            if !caught {
                default(info);
            }
        }));
    });
    CAUGHT.with(|c| *c.borrow_mut() = Some(String::new()));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    let message = CAUGHT.with(|c| c.borrow_mut().take()).unwrap_or_default();
    result.map_err(|_| message)
}

fn check_handled(c: &mut Conversation, text: &str) -> Result<Option<Turn>, TestCaseError> {
    let before = c.waiting();
    let result = match catching(|| c.send(text)) {
        Ok(r) => r,
        Err(panic) => {
            return Err(TestCaseError::fail(format!("at {before:?}, {text:?} panics: {panic}")));
        }
    };
    let trimmed = text.trim();
    match result {
        Ok(turn) => {
            prop_assert!(!trimmed.is_empty(), "an empty message was handled: {text:?}");
            prop_assert!(trimmed.len() <= MAX_MESSAGE_BYTES, "a message over the limit was handled");
            let json = serde_json::to_string(&turn.state).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: ConversationState =
                serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}: {json}")))?;
            prop_assert_eq!(&back, &turn.state, "the state does not round-trip through JSON: {}", json);
            Ok(Some(turn))
        }
        Err(EngineError::EmptyMessage) => {
            prop_assert!(trimmed.is_empty(), "EmptyMessage for {:?}", text);
            Ok(None)
        }
        Err(EngineError::MessageTooLong(n)) => {
            prop_assert!(
                trimmed.len() > MAX_MESSAGE_BYTES,
                "MessageTooLong({}) for {} bytes",
                n,
                trimmed.len()
            );
            Ok(None)
        }
        Err(e) => Err(TestCaseError::fail(format!("unexpected error at {before:?} on {text:?}: {e:?}"))),
    }
}

#[test]
fn no_panic_at_any_prompt() {
    let mut runner = TestRunner::new(config(256));
    let strategy = (prefix(), prop::collection::vec(message(), 1..3));
    let result = runner.run(&strategy, |(p, messages)| {
        let (mut c, _) = start(p);
        for m in &messages {
            check_handled(&mut c, m)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
