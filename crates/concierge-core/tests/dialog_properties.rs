//! Properties of the dialog engine over the salon demo, with answers nobody
//! scripted.
//!
//! Over 600 lines on purpose: one integration-test binary (fast to link) with
//! the prompts and the properties over them.
//!
//! Scripted prefixes bring a conversation to every kind of prompt the salon
//! flows have (service, day and time, name, phone, the booking confirmation,
//! "what would you like to change", the reschedule and cancel questions, the
//! offer of a person, ...); from there the properties send arbitrary text:
//!
//! * `no_panic_at_any_prompt`: any Unicode string is either handled or
//!   refused with a typed error (`EmptyMessage`, `MessageTooLong`), never a
//!   panic, and the state it returns survives a JSON round trip;
//! * `no_false_claim`: over several turns of mixed realistic and arbitrary
//!   answers, a reply saying something is booked, moved or cancelled comes
//!   only with the matching event (and every such event is told, as it is),
//!   no reply or button carries an unrendered `{placeholder}`, and a booking
//!   is exactly what the latest confirmation named (service, staff, time,
//!   name, phone), with a confirmation before every booking.
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
    ConversationState, Engine, EngineError, Event, Turn, TurnContext, Waiting, MAX_MESSAGE_BYTES,
};
use concierge_core::spec::{BotSpec, ResponseSpec, VariationSpec};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use regex::Regex;

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
    spec: BotSpec,
}

fn salon() -> &'static Salon {
    static SALON: OnceLock<Salon> = OnceLock::new();
    SALON.get_or_init(|| {
        let spec = salon_spec();
        let booker = Arc::new(FreshBooker::new(&spec));
        let engine = Engine::builder(spec.clone(), booker.clone()).build().unwrap();
        Salon { engine, booker, spec }
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

// ---------------------------------------------------------------------------
// Property 2: nothing claimed that did not happen.

/// Answers a customer might give at any prompt.
const REALISTIC: &[&str] = &[
    // Services.
    "a men's haircut",
    "colour",
    "blow dry please",
    "women's cut",
    "haircut",
    "I'd like to book a colour on Friday at 11am",
    "book me one",
    // Days and times, exact, loose and impossible.
    "tomorrow at 3pm",
    "Friday",
    "Saturday at 10am",
    "around 2",
    "11ish",
    "in the morning",
    "first thing in the morning",
    "after 5",
    "any time before 11",
    "Sunday at 3pm",
    "next Tuesday at 5:30pm",
    "at 4",
    "3 works",
    "tomorrow",
    "today at 6pm",
    "Monday at 10",
    "Christmas day at 10am",
    "in a year",
    "what times do you have?",
    "anything later?",
    "the 2:30 one",
    "with Sofia",
    "with Maria at 4pm",
    // Names.
    "Sam Lee",
    "José Herrera",
    "my name is Alicia Muñoz",
    "Anne-Marie O'Brien",
    "name's Marcus Johnson",
    "Daniel Park",
    // Phones.
    "415-555-0199",
    "+1 212 555 0147",
    "(212) 555-0123",
    "555",
    // Yes and no.
    "yes",
    "no",
    "yes please",
    "nope",
    "ya",
    "yes 👍",
    "perfect, book it",
    "sounds good",
    // Corrections.
    "no, make it 4pm",
    "actually make it Wednesday",
    "actually make it 4",
    "the time",
    "the service",
    "my number",
    "change the name to Jo Bloggs",
    "sorry I meant wednesday",
    "make it a colour instead",
    // Cancel, move, stop.
    "I need to cancel my appointment",
    "cancel it",
    "can I move my booking?",
    "could we move that to Friday, same time?",
    "move it to Thursday at 2pm",
    "When is my appointment?",
    "never mind",
    "start over",
    // Questions and the rest.
    "do you have parking?",
    "how much is a haircut?",
    "what are your opening hours?",
    "are you open on Sunday?",
    "I want to talk to a person",
    "operator",
    "what's the capital of Spain?",
    "hi",
    "thanks",
    "bye",
    "help",
];

/// One answer: mostly realistic, sometimes anything at all (without braces,
/// so that an echoed answer cannot pass for an unrendered placeholder).
fn answer() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(REALISTIC).prop_map(str::to_string),
        1 => message().prop_map(|s| s.replace(['{', '}'], "")),
    ]
}

/// A response of the salon as a pattern: its literal text, with each
/// placeholder a capture group named after it (`business` uncaptured).
struct Template {
    name: &'static str,
    patterns: Vec<Regex>,
}

impl Template {
    fn new(spec: &BotSpec, name: &'static str) -> Template {
        let texts: Vec<String> = match spec.responses.get(name).expect(name) {
            ResponseSpec::Text(t) => vec![t.clone()],
            ResponseSpec::Variations(v) => v
                .iter()
                .map(|v| match v {
                    VariationSpec::Text(t) => t.clone(),
                    VariationSpec::Rich { text, .. } => text.clone(),
                })
                .collect(),
        };
        let placeholder = Regex::new(r"\{([A-Za-z_.]+)\}").unwrap();
        let patterns = texts
            .iter()
            .map(|text| {
                let mut pattern = String::from("^");
                let mut seen = Vec::new();
                let mut last = 0;
                for c in placeholder.captures_iter(text) {
                    let whole = c.get(0).unwrap();
                    pattern.push_str(&regex::escape(&text[last..whole.start()]));
                    let key = &c[1];
                    if key.starts_with("business") || seen.contains(&key.to_string()) {
                        pattern.push_str("(?:.+?)");
                    } else {
                        pattern.push_str(&format!("(?P<{key}>.+?)"));
                        seen.push(key.to_string());
                    }
                    last = whole.end();
                }
                pattern.push_str(&regex::escape(&text[last..]));
                pattern.push('$');
                Regex::new(&pattern).unwrap()
            })
            .collect();
        Template { name, patterns }
    }

    /// The placeholders' values in `text`, when `text` is this response.
    fn read(&self, text: &str) -> Option<HashMap<String, String>> {
        self.patterns.iter().find_map(|p| {
            p.captures(text).map(|c| {
                p.capture_names()
                    .flatten()
                    .filter_map(|n| c.name(n).map(|m| (n.to_string(), m.as_str().to_string())))
                    .collect()
            })
        })
    }
}

struct Templates {
    booked: Template,
    rescheduled: Template,
    cancelled: Template,
    confirm_booking: Template,
}

fn templates() -> &'static Templates {
    static T: OnceLock<Templates> = OnceLock::new();
    T.get_or_init(|| {
        let spec = &salon().spec;
        Templates {
            booked: Template::new(spec, "booked"),
            rescheduled: Template::new(spec, "rescheduled"),
            cancelled: Template::new(spec, "cancelled"),
            confirm_booking: Template::new(spec, "confirm_booking"),
        }
    })
}

/// Words that claim a booking was made, moved or cancelled, in any reply.
const CLAIMS: [(&str, &str); 3] = [
    ("You're booked", "booking_confirmed"),
    ("is now on", "booking_rescheduled"),
    ("is cancelled", "booking_cancelled"),
];

/// A time as the salon's replies say it: "Tuesday, March 3 at 3:00 PM".
fn spoken(rfc3339: &str) -> String {
    DateTime::parse_from_rfc3339(rfc3339).unwrap().format("%A, %B %-d at %-I:%M %p").to_string()
}

fn service_name(id: &str) -> String {
    let spec = &salon().spec;
    spec.business.services.iter().find(|s| s.id == id).map_or(id.to_string(), |s| s.name.clone())
}

/// What the customer was last asked to confirm, by placeholder.
type Confirmation = HashMap<String, String>;

/// Checks one turn; `confirmed` is the latest booking confirmation the
/// customer saw since the last booking.
fn check_claims(
    said: &str,
    turn: &Turn,
    confirmed: &mut Option<Confirmation>,
    transcript: &str,
) -> Result<(), TestCaseError> {
    let t = templates();
    let placeholder = Regex::new(r"\{[A-Za-z_.]+\}").unwrap();
    let kind = |e: &Event| match e {
        Event::BookingConfirmed { .. } => Some("booking_confirmed"),
        Event::BookingRescheduled { .. } => Some("booking_rescheduled"),
        Event::BookingCancelled { .. } => Some("booking_cancelled"),
        _ => None,
    };
    let happened: Vec<&str> = turn.events.iter().filter_map(kind).collect();
    let context = || format!("after {said:?}\n{transcript}");

    for r in &turn.replies {
        for text in std::iter::once(&r.text).chain(r.buttons.iter().map(|b| &b.title)) {
            if let Some(m) = placeholder.find(text) {
                return Err(TestCaseError::fail(format!(
                    "a reply carries the unrendered {}: {text:?}, {}",
                    m.as_str(),
                    context()
                )));
            }
        }
        for (words, event) in CLAIMS {
            if r.text.contains(words) && !happened.contains(&event) {
                return Err(TestCaseError::fail(format!(
                    "{:?} claims {event} but the turn's events are {happened:?}, {}",
                    r.text,
                    context()
                )));
            }
        }
    }

    // Every booking event is told, and told as it is.
    for e in &turn.events {
        match e {
            Event::BookingConfirmed { booking } => {
                let told = turn.replies.iter().find_map(|r| t.booked.read(&r.text));
                let Some(told) = told else {
                    return Err(TestCaseError::fail(format!(
                        "booking {} was made but no reply says `{}`, {}",
                        booking.reference,
                        t.booked.name,
                        context()
                    )));
                };
                prop_assert_eq!(told.get("booking_reference"), Some(&booking.reference), "{}", context());
                prop_assert_eq!(told.get("booking_time"), Some(&spoken(&booking.start)), "{}", context());
                let Some(asked) = confirmed.take() else {
                    return Err(TestCaseError::fail(format!(
                        "booking {} was made without a confirmation, {}",
                        booking.reference,
                        context()
                    )));
                };
                let booked = [
                    ("service", booking.service.clone()),
                    ("staff", booking.staff.clone()),
                    ("datetime", spoken(&booking.start)),
                    ("customer_name", booking.customer.name.clone()),
                    ("phone", booking.customer.phone.clone().unwrap_or_default()),
                ];
                for (slot, value) in booked {
                    prop_assert_eq!(
                        asked.get(slot),
                        Some(&value),
                        "the booking's {} is not what was confirmed ({:?}), {}",
                        slot,
                        &asked,
                        context()
                    );
                }
            }
            Event::BookingRescheduled { booking, .. } => {
                let told = turn.replies.iter().find_map(|r| t.rescheduled.read(&r.text));
                let Some(told) = told else {
                    return Err(TestCaseError::fail(format!(
                        "booking {} was moved but no reply says `{}`, {}",
                        booking.reference,
                        t.rescheduled.name,
                        context()
                    )));
                };
                prop_assert_eq!(told.get("booking_service"), Some(&booking.service), "{}", context());
                prop_assert_eq!(told.get("booking_time"), Some(&spoken(&booking.start)), "{}", context());
                prop_assert_eq!(told.get("booking_staff"), Some(&booking.staff), "{}", context());
                prop_assert_eq!(told.get("booking_reference"), Some(&booking.reference), "{}", context());
            }
            Event::BookingCancelled { booking_id } => {
                let told = turn.replies.iter().find_map(|r| t.cancelled.read(&r.text));
                let Some(told) = told else {
                    return Err(TestCaseError::fail(format!(
                        "booking {booking_id} was cancelled but no reply says `{}`, {}",
                        t.cancelled.name,
                        context()
                    )));
                };
                let b = futures::executor::block_on(salon().booker.current().get(booking_id)).unwrap();
                let start = b.start.with_timezone(&chrono_tz::America::New_York).fixed_offset().to_rfc3339();
                prop_assert_eq!(
                    told.get("booking_service"),
                    Some(&service_name(&b.service)),
                    "{}",
                    context()
                );
                prop_assert_eq!(told.get("booking_time"), Some(&spoken(&start)), "{}", context());
            }
            _ => {}
        }
    }

    // The confirmation the customer sees last is the one a booking must match.
    if let Some(asked) = turn.replies.iter().rev().find_map(|r| t.confirm_booking.read(&r.text)) {
        *confirmed = Some(asked);
    }
    Ok(())
}

/// A readable record of a conversation so far, for failure messages.
fn record(transcript: &mut String, said: &str, turn: &Turn) {
    use std::fmt::Write;
    writeln!(transcript, "  > {said:?}").unwrap();
    for e in &turn.events {
        match e {
            Event::BookingConfirmed { booking } => {
                writeln!(transcript, "    [booking_confirmed {booking:?}]")
            }
            Event::BookingRescheduled { booking, .. } => {
                writeln!(transcript, "    [booking_rescheduled {booking:?}]")
            }
            Event::BookingCancelled { booking_id } => {
                writeln!(transcript, "    [booking_cancelled {booking_id}]")
            }
            Event::FlowStarted { flow } => writeln!(transcript, "    [flow started {flow}]"),
            _ => Ok(()),
        }
        .unwrap();
    }
    for r in &turn.replies {
        writeln!(transcript, "    bot: {}", r.text).unwrap();
    }
}

#[test]
fn no_false_claim() {
    let mut runner = TestRunner::new(config(256));
    let strategy = (prefix(), prop::collection::vec(answer(), 2..9));
    let result = runner.run(&strategy, |(p, answers)| {
        let mut c = Conversation::new();
        let mut confirmed = None;
        let mut transcript = format!("  (prefix {:?}, clock {})\n", p.name, now());
        for line in p.lines.iter().copied().chain(answers.iter().map(String::as_str)) {
            let turn = match catching(|| c.send(line)) {
                Ok(Ok(turn)) => turn,
                Ok(Err(_)) => continue,
                Err(panic) => {
                    return Err(TestCaseError::fail(format!("{line:?} panics: {panic}\n{transcript}")));
                }
            };
            record(&mut transcript, line, &turn);
            check_claims(line, &turn, &mut confirmed, &transcript)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
