//! The test file format: parsing, strict checking and the validated types.
//!
//! Parsing is strict on purpose: an unknown key, an unknown event type or
//! an event field that no event has is an error, so that a typo cannot
//! make an assertion silently pass.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, FixedOffset};
use regex::Regex;
use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A parsed, checked test file.
#[derive(Debug, Clone)]
pub struct TestFile {
    /// The bot spec the tests are for, relative to the test file.
    pub bot: Option<String>,
    /// The tests, in file order.
    pub tests: Vec<TestCase>,
}

/// One conversation and what must happen in it.
#[derive(Debug, Clone)]
pub struct TestCase {
    /// The test's name, unique in its file.
    pub name: String,
    /// The fixed clock of the conversation (the test's `now`, else the file's).
    pub now: Option<DateTime<FixedOffset>>,
    /// Added to each turn's seed (which is otherwise the turn number, as in
    /// `concierge chat`), to pick other response variations.
    pub seed: u64,
    /// Bookings on the books before the conversation starts.
    pub existing_bookings: Vec<ExistingBooking>,
    /// The user's lines and what each turn must do.
    pub steps: Vec<TestStep>,
    /// The confirmed bookings expected at the end, in start order, each as
    /// a subset of the booking as events show it; `None` checks nothing.
    pub bookings: Option<Vec<Value>>,
}

/// A booking made before the conversation, for rescheduling, cancelling or
/// checking tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExistingBooking {
    /// A service id, name or synonym.
    pub service: String,
    /// When it starts.
    pub start: DateTime<FixedOffset>,
    /// A staff member's id, or anyone free.
    pub staff: Option<String>,
    /// Who it is for.
    pub customer_name: String,
    /// Their phone, in E.164 form.
    pub customer_phone: Option<String>,
}

/// One user line and the expectations on the turn it starts.
#[derive(Debug, Clone)]
pub struct TestStep {
    /// What the user says.
    pub user: String,
    /// Moves the clock to this time from this step on.
    pub now: Option<DateTime<FixedOffset>>,
    /// What the turn must do, checked in order; the first miss fails the test.
    pub expectations: Vec<Expectation>,
}

/// One assertion about a turn.
#[derive(Debug, Clone)]
pub enum Expectation {
    /// Some reply is exactly this text (`bot: "..."`).
    Reply(String),
    /// The replies are exactly these texts, in order (`bot: [...]`).
    Replies(Vec<String>),
    /// Some reply contains this text, ignoring case (`bot_contains`).
    ReplyContains(String),
    /// No reply contains this text, ignoring case (`bot_not_contains`).
    ReplyLacks(String),
    /// Some reply matches this regular expression (`bot_matches`).
    ReplyMatches(Regex),
    /// These quick replies are offered, by title (`buttons`).
    Buttons(Vec<String>),
    /// The message was classified as this intent (`intent`).
    Intent(String),
    /// Some event of the turn contains this one (`events`).
    Event(Value),
    /// No event of the turn contains this one (`no_events`).
    NoEvent(Value),
    /// After the turn the slot has this value, or is unset for `None` (`slots`).
    Slot {
        /// The slot.
        name: String,
        /// Its expected value as text (as `concierge chat` events show it).
        value: Option<String>,
    },
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Reply(t) => write!(f, "bot: {t:?}"),
            Expectation::Replies(ts) => write!(f, "bot: {ts:?}"),
            Expectation::ReplyContains(t) => write!(f, "bot_contains: {t:?}"),
            Expectation::ReplyLacks(t) => write!(f, "bot_not_contains: {t:?}"),
            Expectation::ReplyMatches(r) => write!(f, "bot_matches: {:?}", r.as_str()),
            Expectation::Buttons(b) => write!(f, "buttons: {b:?}"),
            Expectation::Intent(i) => write!(f, "intent: {i}"),
            Expectation::Event(e) => write!(f, "events: {e}"),
            Expectation::NoEvent(e) => write!(f, "no_events: {e}"),
            Expectation::Slot { name, value: Some(v) } => write!(f, "slots: {name} = {v:?}"),
            Expectation::Slot { name, value: None } => write!(f, "slots: {name} unset"),
        }
    }
}

/// Why a test file could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct TestFileError {
    /// Every problem found, in file order.
    pub problems: Vec<TestFileProblem>,
}

impl fmt::Display for TestFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "invalid test file ({n} problem{})", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// One thing wrong in a test file, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFileProblem {
    /// Where, as a path such as `tests[1].steps[2].bot_contians`.
    pub path: String,
    /// The name of the test it is in, when known.
    pub test: Option<String>,
    /// The step it is in, counted from 1, when it is in one.
    pub step: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for TestFileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.test, self.step) {
            (Some(t), Some(s)) => write!(f, "test {t:?}, step {s}: ")?,
            (Some(t), None) => write!(f, "test {t:?}: ")?,
            (None, Some(s)) => write!(f, "step {s}: ")?,
            (None, None) => {}
        }
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// The event types tests can name, with the fields each has (as
/// `concierge chat --jsonl` shows them).
pub const EVENT_FIELDS: &[(&str, &[&str])] = &[
    ("user_message", &["text"]),
    ("intent_detected", &["name", "confidence"]),
    ("slot_set", &["name", "value"]),
    ("flow_started", &["flow"]),
    ("flow_completed", &["flow"]),
    ("flow_cancelled", &["flow"]),
    ("kb_answer", &["id", "title", "source", "score"]),
    ("out_of_scope", &["text"]),
    ("handoff_requested", &["reason"]),
    ("handoff_released", &[]),
    ("booking_confirmed", &["booking"]),
    ("booking_cancelled", &["booking_id"]),
    ("booking_rescheduled", &["from_booking_id", "booking"]),
    ("bot_message", &["text"]),
];

/// The fields of a booking in events and in `bookings`.
pub const BOOKING_FIELDS: &[&str] = &["id", "reference", "service", "start", "end", "staff", "customer"];

/// The fields of a booking's customer.
pub const CUSTOMER_FIELDS: &[&str] = &["name", "phone"];

impl TestFile {
    /// Parses and checks a YAML test file, reporting every problem found.
    pub fn from_yaml(text: &str) -> Result<TestFile, TestFileError> {
        let de = serde_yaml::Deserializer::from_str(text);
        let raw: RawFile = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            let full = e.into_inner().to_string();
            let message = full.strip_prefix(&format!("{path}: ")).unwrap_or(&full).to_string();
            let (test, step) = locate(text, &path);
            TestFileError { problems: vec![TestFileProblem { path, test, step, message }] }
        })?;
        raw.check()
    }
}

/// The test name and step number a path such as `tests[1].steps[2].bot`
/// points into, read from the document as far as it parses.
fn locate(text: &str, path: &str) -> (Option<String>, Option<usize>) {
    let index = |prefix: &str, s: &str| -> Option<usize> {
        let rest = s.strip_prefix(prefix)?;
        rest[..rest.find(']')?].parse().ok()
    };
    let Some(test) = index("tests[", path) else { return (None, None) };
    let step = path.find(".steps[").and_then(|i| index(".steps[", &path[i..])).map(|s| s + 1);
    let name = serde_yaml::from_str::<serde_yaml::Value>(text)
        .ok()
        .and_then(|doc| doc.get("tests")?.get(test)?.get("name")?.as_str().map(str::to_string));
    (name, step)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    bot: Option<String>,
    #[serde(default)]
    now: Option<String>,
    tests: Vec<RawCase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    name: String,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    existing_bookings: Vec<RawExisting>,
    steps: Vec<RawStep>,
    #[serde(default)]
    bookings: Option<Vec<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExisting {
    service: String,
    start: String,
    #[serde(default)]
    staff: Option<String>,
    customer: RawCustomer,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCustomer {
    name: String,
    #[serde(default)]
    phone: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    #[serde(deserialize_with = "scalar")]
    user: String,
    #[serde(default)]
    now: Option<String>,
    #[serde(default)]
    bot: Option<Texts>,
    #[serde(default)]
    bot_contains: Option<Texts>,
    #[serde(default)]
    bot_not_contains: Option<Texts>,
    #[serde(default)]
    bot_matches: Option<Texts>,
    #[serde(default)]
    buttons: Option<Texts>,
    #[serde(default)]
    intent: Option<String>,
    #[serde(default)]
    events: Option<Vec<Value>>,
    #[serde(default)]
    no_events: Option<Vec<Value>>,
    #[serde(default)]
    slots: Option<BTreeMap<String, Value>>,
}

/// One text or a list of texts; numbers and booleans are taken as written.
struct Texts {
    list: Vec<String>,
    one: bool,
}

impl<'de> Deserialize<'de> for Texts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Array(items) => {
                let list = items
                    .into_iter()
                    .map(|v| scalar_text(&v).ok_or_else(|| de::Error::custom("expected a list of texts")))
                    .collect::<Result<_, _>>()?;
                Ok(Texts { list, one: false })
            }
            v => scalar_text(&v)
                .map(|t| Texts { list: vec![t], one: true })
                .ok_or_else(|| de::Error::custom("expected a text or a list of texts")),
        }
    }
}

fn scalar<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    scalar_text(&Value::deserialize(d)?).ok_or_else(|| de::Error::custom("expected a text"))
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Collects problems while the raw file is checked.
struct Checker {
    problems: Vec<TestFileProblem>,
    test: Option<String>,
    step: Option<usize>,
}

impl Checker {
    fn push(&mut self, path: String, message: impl Into<String>) {
        self.problems.push(TestFileProblem {
            path,
            test: self.test.clone(),
            step: self.step,
            message: message.into(),
        });
    }

    fn time(&mut self, path: String, text: &str) -> Option<DateTime<FixedOffset>> {
        match DateTime::parse_from_rfc3339(text) {
            Ok(t) => Some(t),
            Err(e) => {
                self.push(
                    path,
                    format!(
                        "expected an RFC 3339 time such as 2026-03-02T09:00:00-05:00, got {text:?} ({e})"
                    ),
                );
                None
            }
        }
    }
}

impl RawFile {
    fn check(self) -> Result<TestFile, TestFileError> {
        let mut c = Checker { problems: Vec::new(), test: None, step: None };
        let file_now = self.now.as_deref().and_then(|t| c.time("now".into(), t));
        if self.tests.is_empty() {
            c.push("tests".into(), "the file has no tests");
        }
        let mut seen = std::collections::BTreeSet::new();
        let mut tests = Vec::with_capacity(self.tests.len());
        for (i, raw) in self.tests.into_iter().enumerate() {
            let at = format!("tests[{i}]");
            c.test = Some(raw.name.clone());
            c.step = None;
            if raw.name.trim().is_empty() {
                c.push(format!("{at}.name"), "a test needs a name");
            } else if !seen.insert(raw.name.clone()) {
                c.push(format!("{at}.name"), "another test in this file has the same name");
            }
            let now = match &raw.now {
                Some(t) => c.time(format!("{at}.now"), t),
                None => file_now,
            };
            let existing = raw
                .existing_bookings
                .into_iter()
                .enumerate()
                .filter_map(|(j, b)| b.check(&format!("{at}.existing_bookings[{j}]"), &mut c))
                .collect();
            if raw.steps.is_empty() {
                c.push(format!("{at}.steps"), "a test needs at least one step");
            }
            let mut steps = Vec::with_capacity(raw.steps.len());
            for (j, step) in raw.steps.into_iter().enumerate() {
                c.step = Some(j + 1);
                steps.push(step.check(&format!("{at}.steps[{j}]"), &mut c));
            }
            c.step = None;
            let bookings = raw.bookings.map(|list| {
                list.into_iter()
                    .enumerate()
                    .map(|(j, b)| {
                        check_booking(&b, &format!("{at}.bookings[{j}]"), &mut c);
                        b
                    })
                    .collect()
            });
            tests.push(TestCase {
                name: raw.name,
                now,
                seed: raw.seed,
                existing_bookings: existing,
                steps,
                bookings,
            });
        }
        if c.problems.is_empty() {
            Ok(TestFile { bot: self.bot, tests })
        } else {
            Err(TestFileError { problems: c.problems })
        }
    }
}

impl RawExisting {
    fn check(self, at: &str, c: &mut Checker) -> Option<ExistingBooking> {
        let start = c.time(format!("{at}.start"), &self.start);
        if let Some(p) = &self.customer.phone {
            let digits = p.strip_prefix('+').unwrap_or("");
            if digits.len() < 8 || !digits.chars().all(|ch| ch.is_ascii_digit()) {
                c.push(
                    format!("{at}.customer.phone"),
                    format!("expected E.164 form such as +61412345678, got {p:?}"),
                );
            }
        }
        Some(ExistingBooking {
            service: self.service,
            start: start?,
            staff: self.staff,
            customer_name: self.customer.name,
            customer_phone: self.customer.phone,
        })
    }
}

impl RawStep {
    fn check(self, at: &str, c: &mut Checker) -> TestStep {
        if self.user.trim().is_empty() {
            c.push(format!("{at}.user"), "the user line is empty");
        }
        let now = self.now.as_deref().and_then(|t| c.time(format!("{at}.now"), t));
        let mut expect = Vec::new();
        if let Some(t) = self.bot {
            if t.one {
                expect.extend(t.list.into_iter().map(Expectation::Reply));
            } else {
                expect.push(Expectation::Replies(t.list));
            }
        }
        for t in self.bot_contains.map(|t| t.list).unwrap_or_default() {
            expect.push(Expectation::ReplyContains(t));
        }
        for t in self.bot_not_contains.map(|t| t.list).unwrap_or_default() {
            expect.push(Expectation::ReplyLacks(t));
        }
        for (k, t) in self.bot_matches.map(|t| t.list).unwrap_or_default().into_iter().enumerate() {
            match Regex::new(&t) {
                Ok(r) => expect.push(Expectation::ReplyMatches(r)),
                Err(e) => {
                    c.push(format!("{at}.bot_matches[{k}]"), format!("invalid regular expression: {e}"))
                }
            }
        }
        if let Some(b) = self.buttons {
            expect.push(Expectation::Buttons(b.list));
        }
        if let Some(i) = self.intent {
            expect.push(Expectation::Intent(i));
        }
        for (k, e) in self.events.unwrap_or_default().into_iter().enumerate() {
            if let Some(p) = event_pattern(e, &format!("{at}.events[{k}]"), c) {
                expect.push(Expectation::Event(p));
            }
        }
        for (k, e) in self.no_events.unwrap_or_default().into_iter().enumerate() {
            if let Some(p) = event_pattern(e, &format!("{at}.no_events[{k}]"), c) {
                expect.push(Expectation::NoEvent(p));
            }
        }
        for (name, v) in self.slots.unwrap_or_default() {
            let value = match &v {
                Value::Null => None,
                other => match scalar_text(other) {
                    Some(t) => Some(t),
                    None => {
                        c.push(format!("{at}.slots.{name}"), "expected a text, a number or null (unset)");
                        continue;
                    }
                },
            };
            expect.push(Expectation::Slot { name, value });
        }
        TestStep { user: self.user, now, expectations: expect }
    }
}

/// Checks an event pattern and normalises it: a bare type name becomes
/// `{type: ...}`, and booking fields written at the top of a booking event
/// (`{type: booking_confirmed, service: Colour}`) move under `booking`.
fn event_pattern(v: Value, at: &str, c: &mut Checker) -> Option<Value> {
    let mut map = match v {
        Value::String(t) => Map::from_iter([("type".to_string(), Value::String(t))]),
        Value::Object(m) => m,
        _ => {
            c.push(at.to_string(), "expected an event type or a map with a `type`");
            return None;
        }
    };
    let Some(kind) = map.get("type").and_then(Value::as_str).map(str::to_string) else {
        c.push(at.to_string(), "an event needs a `type`");
        return None;
    };
    let Some((_, fields)) = EVENT_FIELDS.iter().find(|(t, _)| *t == kind) else {
        let known: Vec<&str> = EVENT_FIELDS.iter().map(|(t, _)| *t).collect();
        c.push(format!("{at}.type"), format!("unknown event type {kind:?} (known: {})", known.join(", ")));
        return None;
    };
    if fields.contains(&"booking") {
        let moved: Vec<String> =
            map.keys().filter(|k| *k != "booking" && BOOKING_FIELDS.contains(&k.as_str())).cloned().collect();
        if !moved.is_empty() {
            let mut booking = match map.remove("booking") {
                Some(Value::Object(b)) => b,
                _ => Map::new(),
            };
            for k in moved {
                if let Some(v) = map.remove(&k) {
                    booking.insert(k, v);
                }
            }
            map.insert("booking".into(), Value::Object(booking));
        }
    }
    for key in map.keys() {
        if key != "type" && !fields.contains(&key.as_str()) {
            c.push(
                format!("{at}.{key}"),
                format!("{kind} events have no field {key:?} (they have: {})", event_fields(fields)),
            );
        }
    }
    if let Some(b) = map.get("booking") {
        check_booking(b, &format!("{at}.booking"), c);
    }
    Some(Value::Object(map))
}

fn check_booking(b: &Value, at: &str, c: &mut Checker) {
    let Value::Object(fields) = b else {
        c.push(at.to_string(), "expected a map of booking fields");
        return;
    };
    for (key, v) in fields {
        if !BOOKING_FIELDS.contains(&key.as_str()) {
            c.push(
                format!("{at}.{key}"),
                format!("bookings have no field {key:?} (they have: {})", BOOKING_FIELDS.join(", ")),
            );
        } else if key == "customer" {
            match v {
                Value::Object(cust) => {
                    for k in cust.keys().filter(|k| !CUSTOMER_FIELDS.contains(&k.as_str())) {
                        c.push(
                            format!("{at}.customer.{k}"),
                            format!("customers have no field {k:?} (they have: name, phone)"),
                        );
                    }
                }
                _ => c.push(format!("{at}.customer"), "expected a map such as {name: Jane Doe}"),
            }
        }
    }
}

/// The fields an event pattern may have, booking fields included for
/// booking events.
fn event_fields(fields: &[&str]) -> String {
    if fields.is_empty() {
        return "none".into();
    }
    let mut all = fields.join(", ");
    if fields.contains(&"booking") {
        all.push_str(" and the booking's ");
        all.push_str(&BOOKING_FIELDS.join(", "));
    }
    all
}
