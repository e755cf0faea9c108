//! Running a test case against an engine with fresh in-memory bookings.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::format::{ExistingBooking, Expectation, TestCase};
use super::matching::{contains, same_text};
use crate::booking::{
    Availability, Booker, Booking, BookingEngine, BookingError, BookingRequest, BookingStatus, Catalog,
    Customer, InMemoryBookingRepository, Slot,
};
use crate::dialog::{BookingView, ConversationState, Engine, EngineError, Event, Reply, TurnContext};
use crate::nlu::Nlu;
use crate::spec::{BotSpec, BusinessSpec};

/// The conversation id of every test conversation: the same as
/// `concierge chat`'s, so booking references match what chat shows.
pub const CONVERSATION_ID: &str = "cli";

/// Why a runner could not be built.
#[derive(Debug, thiserror::Error)]
pub enum TestRunnerError {
    /// The business section could not become a booking catalog.
    #[error("setting up bookings: {0}")]
    Booking(#[from] BookingError),
    /// The engine could not be built.
    #[error(transparent)]
    Engine(#[from] EngineError),
}

/// Runs test cases, one at a time, against one engine whose bookings are
/// kept in memory and emptied before every test.
pub struct TestRunner {
    engine: Engine,
    booker: Arc<FreshBooker>,
}

impl fmt::Debug for TestRunner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TestRunner").field("engine", &self.engine).finish_non_exhaustive()
    }
}

impl TestRunner {
    /// A runner for `spec` with `nlu` (the spec's lexical classifier when `None`).
    pub fn new(spec: BotSpec, nlu: Option<Nlu>) -> Result<TestRunner, TestRunnerError> {
        let business = spec.business.clone();
        TestRunner::with_engine(&business, |booker| {
            let builder = Engine::builder(spec, booker);
            match nlu {
                Some(nlu) => builder.nlu(nlu).build(),
                None => builder.build(),
            }
        })
    }

    /// A runner over an engine that `build` makes around the booker it is
    /// given (for hosts that register their own actions).
    pub fn with_engine(
        business: &BusinessSpec,
        build: impl FnOnce(Arc<dyn Booker>) -> Result<Engine, EngineError>,
    ) -> Result<TestRunner, TestRunnerError> {
        let booker = Arc::new(FreshBooker::new(Catalog::from_spec(business)?));
        let engine = build(booker.clone())?;
        Ok(TestRunner { engine, booker })
    }

    /// The engine the tests talk to.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Runs one test from empty bookings and a new conversation, with the
    /// test's clock or else `default_now`, and stops at the first failed
    /// expectation.
    pub async fn run(&mut self, case: &TestCase, default_now: DateTime<Utc>) -> TestOutcome {
        self.booker.reset();
        let mut now = case.now.map_or(default_now, |t| t.with_timezone(&Utc));
        let mut transcript = Vec::new();
        let fail =
            |step, expectation: String, expected: String, actual: String, transcript: Vec<TranscriptTurn>| {
                TestOutcome {
                    name: case.name.clone(),
                    steps_run: transcript.len(),
                    failure: Some(TestFailure { step, expectation, expected, actual, transcript }),
                }
            };
        for (i, existing) in case.existing_bookings.iter().enumerate() {
            if let Err(e) = self.booker.seed(existing, i, now).await {
                return fail(
                    None,
                    format!("existing_bookings[{i}]"),
                    format!("a {} at {} can be booked", existing.service, existing.start.to_rfc3339()),
                    e.to_string(),
                    transcript,
                );
            }
        }
        let mut state = ConversationState::default();
        for (i, step) in case.steps.iter().enumerate() {
            if let Some(t) = step.now {
                now = t.with_timezone(&Utc);
            }
            let ctx = TurnContext {
                now,
                seed: case.seed.wrapping_add(state.turns),
                conversation_id: CONVERSATION_ID.into(),
            };
            let turn = match self.engine.handle(state.clone(), &step.user, &ctx).await {
                Ok(turn) => turn,
                Err(e) => {
                    transcript.push(TranscriptTurn {
                        user: step.user.clone(),
                        replies: Vec::new(),
                        events: Vec::new(),
                    });
                    return fail(
                        Some(i),
                        "the turn".into(),
                        "a turn".into(),
                        format!("error: {e}"),
                        transcript,
                    );
                }
            };
            transcript.push(TranscriptTurn {
                user: step.user.clone(),
                replies: turn.replies.clone(),
                events: turn.events.clone(),
            });
            for expectation in &step.expectations {
                if let Some(actual) = check(expectation, &turn.replies, &turn.events, &turn.state) {
                    return fail(
                        Some(i),
                        expectation.to_string(),
                        expected_text(expectation),
                        actual,
                        transcript,
                    );
                }
            }
            state = turn.state;
        }
        if let Some(expected) = &case.bookings {
            let actual = self.booker.confirmed(self.engine.spec().business.tz());
            if !same_bookings(expected, &actual) {
                return fail(None, "bookings".into(), lines(expected), lines(&actual), transcript);
            }
        }
        TestOutcome { name: case.name.clone(), steps_run: transcript.len(), failure: None }
    }
}

/// Whether every expected booking matches its own actual one, and none is left over.
fn same_bookings(expected: &[Value], actual: &[Value]) -> bool {
    let mut unused: Vec<&Value> = actual.iter().collect();
    expected.len() == actual.len()
        && expected.iter().all(|w| match unused.iter().position(|h| contains(h, w)) {
            Some(i) => {
                unused.remove(i);
                true
            }
            None => false,
        })
}

fn lines(values: &[Value]) -> String {
    if values.is_empty() {
        return "(none)".into();
    }
    values.iter().map(Value::to_string).collect::<Vec<_>>().join("\n")
}

fn expected_text(e: &Expectation) -> String {
    match e {
        Expectation::Reply(t) => format!("a reply {t:?}"),
        Expectation::Replies(ts) => quoted(ts.iter()),
        Expectation::ReplyContains(t) => format!("a reply containing {t:?}"),
        Expectation::ReplyLacks(t) => format!("no reply containing {t:?}"),
        Expectation::ReplyMatches(r) => format!("a reply matching /{}/", r.as_str()),
        Expectation::Buttons(b) => {
            format!("buttons {}", brackets(b.iter().map(String::as_str)))
        }
        Expectation::Intent(i) => format!("intent {i}"),
        Expectation::Event(p) => format!("an event containing {p}"),
        Expectation::NoEvent(p) => format!("no event containing {p}"),
        Expectation::Slot { name, value: Some(v) } => format!("{name} = {v:?}"),
        Expectation::Slot { name, value: None } => format!("{name} unset"),
    }
}

fn brackets<'a>(titles: impl Iterator<Item = &'a str>) -> String {
    titles.map(|t| format!("[{t}]")).collect::<Vec<_>>().join(" ")
}

fn quoted<'a>(texts: impl Iterator<Item = &'a String>) -> String {
    let v: Vec<String> = texts.map(|t| format!("{t:?}")).collect();
    if v.is_empty() {
        "(no reply)".into()
    } else {
        v.join("\n")
    }
}

/// Checks one expectation; `Some(what actually happened)` when it fails.
fn check(e: &Expectation, replies: &[Reply], events: &[Event], state: &ConversationState) -> Option<String> {
    let said = || quoted(replies.iter().map(|r| &r.text));
    let lower = |t: &str| t.to_lowercase();
    let ok = match e {
        Expectation::Reply(t) => replies.iter().any(|r| r.text == *t),
        Expectation::Replies(ts) => {
            replies.len() == ts.len() && replies.iter().zip(ts).all(|(r, t)| r.text == *t)
        }
        Expectation::ReplyContains(t) => replies.iter().any(|r| lower(&r.text).contains(&lower(t))),
        Expectation::ReplyLacks(t) => !replies.iter().any(|r| lower(&r.text).contains(&lower(t))),
        Expectation::ReplyMatches(re) => replies.iter().any(|r| re.is_match(&r.text)),
        Expectation::Buttons(want) => {
            let offered: Vec<&str> =
                replies.iter().flat_map(|r| &r.buttons).map(|b| b.title.as_str()).collect();
            if want.iter().all(|w| offered.contains(&w.as_str())) {
                return None;
            }
            return Some(if offered.is_empty() {
                "no buttons".into()
            } else {
                format!("buttons {}", brackets(offered.into_iter()))
            });
        }
        Expectation::Intent(want) => {
            let got = events.iter().find_map(|e| match e {
                Event::IntentDetected { name, confidence } => Some((name.as_str(), *confidence)),
                _ => None,
            });
            return match got {
                Some((name, _)) if name == want => None,
                Some((name, confidence)) => Some(format!("intent {name} ({confidence:.2})")),
                None => Some("no intent (the message was not classified)".into()),
            };
        }
        Expectation::Event(p) => {
            let json = event_values(events);
            if json.iter().any(|e| contains(e, p)) {
                return None;
            }
            return Some(events_text(&json));
        }
        Expectation::NoEvent(p) => {
            let json = event_values(events);
            return json.iter().find(|e| contains(e, p)).map(|e| format!("the event {e}"));
        }
        Expectation::Slot { name, value } => {
            let got = state.slots.get(name).map(|v| v.display());
            return match (value, &got) {
                (None, None) => None,
                (Some(w), Some(h)) if same_text(w, h) => None,
                (_, Some(h)) => Some(format!("{name} = {h:?}")),
                (_, None) => Some(format!("{name} unset")),
            };
        }
    };
    if ok {
        None
    } else {
        Some(said())
    }
}

fn event_values(events: &[Event]) -> Vec<Value> {
    events.iter().filter_map(|e| serde_json::to_value(e).ok()).collect()
}

/// The events of a turn, one per line, without the message echoes.
fn events_text(events: &[Value]) -> String {
    let shown: Vec<String> = events
        .iter()
        .filter(|e| !matches!(e["type"].as_str(), Some("user_message" | "bot_message")))
        .map(Value::to_string)
        .collect();
    if shown.is_empty() {
        "(no events)".into()
    } else {
        shown.join("\n")
    }
}

/// The result of one test.
#[derive(Debug, Clone)]
pub struct TestOutcome {
    /// The test's name.
    pub name: String,
    /// How many steps ran.
    pub steps_run: usize,
    /// The first failed expectation, if any.
    pub failure: Option<TestFailure>,
}

impl TestOutcome {
    /// Whether every expectation held.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// The first expectation of a test that did not hold.
#[derive(Debug, Clone)]
pub struct TestFailure {
    /// The step it is in (from 0); `None` for the setup and the final bookings.
    pub step: Option<usize>,
    /// The expectation as written, such as `bot_contains: "Which service"`.
    pub expectation: String,
    /// What was expected, in words.
    pub expected: String,
    /// What the bot said or did instead.
    pub actual: String,
    /// The conversation up to and including the failing turn.
    pub transcript: Vec<TranscriptTurn>,
}

/// One turn of a test conversation.
#[derive(Debug, Clone)]
pub struct TranscriptTurn {
    /// What the user said.
    pub user: String,
    /// What the bot said.
    pub replies: Vec<Reply>,
    /// What happened.
    pub events: Vec<Event>,
}

impl fmt::Display for TestFailure {
    /// A readable diff: where, what was expected, what happened, and the
    /// conversation so far.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.step {
            Some(i) => {
                let user = self.transcript.get(i).map_or("", |t| t.user.as_str());
                writeln!(f, "step {}: user: {user:?}", i + 1)?;
            }
            None => writeln!(
                f,
                "{}",
                if self.transcript.is_empty() { "before the conversation" } else { "after the conversation" }
            )?,
        }
        writeln!(f, "  failed:   {}", self.expectation)?;
        write_block(f, "  expected: ", &self.expected)?;
        write_block(f, "  actual:   ", &self.actual)?;
        if !self.transcript.is_empty() {
            writeln!(f, "  transcript:")?;
        }
        for turn in &self.transcript {
            writeln!(f, "    > {}", turn.user)?;
            for r in &turn.replies {
                writeln!(f, "      bot: {}", r.text)?;
                if !r.buttons.is_empty() {
                    writeln!(f, "           {}", brackets(r.buttons.iter().map(|b| b.title.as_str())))?;
                }
            }
            let notes: Vec<String> = turn.events.iter().filter_map(summary).collect();
            if !notes.is_empty() {
                writeln!(f, "      ({})", notes.join("; "))?;
            }
        }
        Ok(())
    }
}

fn write_block(f: &mut fmt::Formatter<'_>, head: &str, text: &str) -> fmt::Result {
    let pad = " ".repeat(head.len());
    for (i, line) in text.lines().enumerate() {
        writeln!(f, "{}{line}", if i == 0 { head } else { &pad })?;
    }
    if text.is_empty() {
        writeln!(f, "{head}")?;
    }
    Ok(())
}

/// A short note on an event for transcripts; `None` for message echoes.
fn summary(e: &Event) -> Option<String> {
    Some(match e {
        Event::UserMessage { .. } | Event::BotMessage { .. } => return None,
        Event::IntentDetected { name, confidence } => format!("intent {name} {confidence:.2}"),
        Event::SlotSet { name, value } => format!("{name} = {value}"),
        Event::FlowStarted { flow } => format!("flow {flow} started"),
        Event::FlowCompleted { flow } => format!("flow {flow} completed"),
        Event::FlowCancelled { flow } => format!("flow {flow} cancelled"),
        Event::KbAnswer { id, .. } => format!("kb answer {id}"),
        Event::OutOfScope { .. } => "out of scope".into(),
        Event::HandoffRequested { reason } => format!("handoff: {reason}"),
        Event::HandoffReleased => "handoff released".into(),
        Event::BookingConfirmed { booking } => {
            format!(
                "booked {} {} with {}, {}",
                booking.service, booking.start, booking.staff, booking.reference
            )
        }
        Event::BookingCancelled { booking_id } => format!("cancelled {booking_id}"),
        Event::BookingRescheduled { booking, .. } => {
            format!("moved to {} with {}", booking.start, booking.staff)
        }
    })
}

/// A [`Booker`] over in-memory bookings that can be emptied between tests.
struct FreshBooker {
    catalog: Catalog,
    current: Mutex<(BookingEngine, Arc<InMemoryBookingRepository>)>,
}

impl FreshBooker {
    fn new(catalog: Catalog) -> FreshBooker {
        let current = Mutex::new(FreshBooker::empty(&catalog));
        FreshBooker { catalog, current }
    }

    fn empty(catalog: &Catalog) -> (BookingEngine, Arc<InMemoryBookingRepository>) {
        let repository = Arc::new(InMemoryBookingRepository::new());
        (BookingEngine::new(catalog.clone(), repository.clone()), repository)
    }

    fn lock(&self) -> MutexGuard<'_, (BookingEngine, Arc<InMemoryBookingRepository>)> {
        self.current.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn reset(&self) {
        *self.lock() = FreshBooker::empty(&self.catalog);
    }

    fn engine(&self) -> BookingEngine {
        self.lock().0.clone()
    }

    async fn seed(&self, b: &ExistingBooking, i: usize, now: DateTime<Utc>) -> Result<Booking, BookingError> {
        let service = self.catalog.service(&b.service)?.id.clone();
        let request = BookingRequest { service, start: b.start.with_timezone(&Utc), staff: b.staff.clone() };
        let customer =
            Customer { name: b.customer_name.clone(), phone: b.customer_phone.clone(), email: None };
        self.engine().book(&request, &customer, &format!("existing-{i}"), now).await
    }

    /// The confirmed bookings in start order, as events show them.
    fn confirmed(&self, tz: chrono_tz::Tz) -> Vec<Value> {
        let mut bookings: Vec<Booking> = self
            .lock()
            .1
            .all()
            .into_iter()
            .map(|r| r.booking)
            .filter(|b| b.status == BookingStatus::Confirmed)
            .collect();
        bookings.sort_by(|a, b| (a.start, &a.id).cmp(&(b.start, &b.id)));
        bookings
            .iter()
            .map(|b| {
                let service =
                    self.catalog.service(&b.service).map_or(b.service.as_str(), |s| s.name.as_str());
                let staff = self.catalog.staff_member(&b.staff).map_or(b.staff.as_str(), |s| s.name.as_str());
                serde_json::to_value(BookingView::new(b, service, staff, tz)).unwrap_or(Value::Null)
            })
            .collect()
    }
}

#[async_trait]
impl Booker for FreshBooker {
    async fn check(
        &self,
        request: &BookingRequest,
        now: DateTime<Utc>,
    ) -> Result<Availability, BookingError> {
        self.engine().check(request, now).await
    }

    async fn book(
        &self,
        request: &BookingRequest,
        customer: &Customer,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        self.engine().book(request, customer, request_key, now).await
    }

    async fn cancel(&self, booking_id: &str, now: DateTime<Utc>) -> Result<Booking, BookingError> {
        self.engine().cancel(booking_id, now).await
    }

    async fn reschedule(
        &self,
        booking_id: &str,
        new_start: DateTime<Utc>,
        request_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Booking, BookingError> {
        self.engine().reschedule(booking_id, new_start, request_key, now).await
    }

    async fn free_slots(
        &self,
        request: &BookingRequest,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Slot>, BookingError> {
        self.engine().free_slots(request, until, now).await
    }

    async fn get(&self, booking_id: &str) -> Result<Booking, BookingError> {
        self.engine().get(booking_id).await
    }

    async fn upcoming_for_phone(
        &self,
        phone: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Booking>, BookingError> {
        self.engine().upcoming_for_phone(phone, now).await
    }
}
