use std::sync::{Mutex, MutexGuard, OnceLock};

use chrono::{DateTime, Utc};
use futures::executor::block_on;
use serde_json::json;

use super::*;
use crate::dialog::{BookingView, CustomerView, Event};
use crate::spec::BotSpec;

const SALON: &str = include_str!("../../../../examples/salon/bot.yaml");

/// One runner for every test: training the classifier is the slow part.
fn runner() -> MutexGuard<'static, TestRunner> {
    static RUNNER: OnceLock<Mutex<TestRunner>> = OnceLock::new();
    RUNNER
        .get_or_init(|| Mutex::new(TestRunner::new(BotSpec::from_yaml(SALON).unwrap(), None).unwrap()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn now() -> DateTime<Utc> {
    "2026-03-04T15:00:00Z".parse().unwrap()
}

fn run(yaml: &str) -> Vec<TestOutcome> {
    let file = TestFile::from_yaml(yaml).unwrap();
    let mut runner = runner();
    file.tests.iter().map(|t| block_on(runner.run(t, now()))).collect()
}

fn problems(yaml: &str) -> Vec<String> {
    TestFile::from_yaml(yaml).unwrap_err().problems.iter().map(ToString::to_string).collect()
}

const BOOKING: &str = r#"
now: 2026-03-04T10:00:00-05:00
tests:
  - name: colour in one message
    steps:
      - user: I'd like to book a colour on Friday at 10am
        intent: book_appointment
        slots: {service: colour, datetime: "2026-03-06T15:00:00Z", customer_name: null}
        bot_contains: what name
      - user: Jane Doe
        slots: {customer_name: Jane Doe}
      - user: (212) 555-0123
        bot_matches: "^To confirm: a Colour"
        buttons: [Yes, No]
        no_events: [booking_confirmed]
      - user: yes
        events:
          - {type: booking_confirmed, service: Colour, start: "2026-03-06T10:00:00-05:00", customer: {name: Jane Doe, phone: "+12125550123"}}
          - flow_completed
    bookings:
      - {service: Colour, staff: Maria, customer: {name: Jane Doe}}
"#;

#[test]
fn a_passing_conversation() {
    let outcomes = run(BOOKING);
    assert_eq!(outcomes.len(), 1);
    assert!(outcomes[0].passed(), "{}", outcomes[0].failure.as_ref().unwrap());
    assert_eq!(outcomes[0].steps_run, 4);
}

#[test]
fn bookings_are_emptied_between_tests() {
    let twice = format!("{BOOKING}\n  - name: again\n    steps:\n      - user: hi\n    bookings: []\n");
    let outcomes = run(&twice);
    assert!(outcomes.iter().all(TestOutcome::passed), "{outcomes:?}");
}

#[test]
fn the_first_failed_expectation_is_reported_with_the_transcript() {
    let outcomes = run(r#"
tests:
  - name: wrong service
    now: 2026-03-04T10:00:00-05:00
    steps:
      - user: Can I book an appointment?
        bot_contains: Which service
      - user: a blow dry please
        bot_contains: Blow-dry
        slots: {service: colour, staff: never checked}
"#);
    let failure = outcomes[0].failure.as_ref().unwrap();
    assert_eq!(failure.step, Some(1));
    assert_eq!(failure.expectation, r#"slots: service = "colour""#);
    assert_eq!(failure.actual, r#"service = "blow_dry""#);
    let text = failure.to_string();
    assert!(text.starts_with("step 2: user: \"a blow dry please\"\n"), "{text}");
    assert!(
        text.contains("    > Can I book an appointment?\n      bot: Which service would you like?"),
        "{text}"
    );
    assert!(text.contains("service = blow_dry"), "{text}");
}

#[test]
fn reply_and_event_misses_show_what_happened() {
    let outcomes = run(r#"
now: 2026-03-04T10:00:00-05:00
tests:
  - name: exact text
    steps:
      - user: hi
        bot: Hello there
  - name: missing event
    steps:
      - user: do you have parking?
        events: [{type: kb_answer, id: prices}]
  - name: unexpected event
    steps:
      - user: do you have parking?
        no_events: [kb_answer]
  - name: wrong intent
    steps:
      - user: do you have parking?
        intent: greet
"#);
    let f: Vec<&TestFailure> = outcomes.iter().map(|o| o.failure.as_ref().unwrap()).collect();
    assert!(f[0].actual.contains("Salon Lumière"), "{}", f[0].actual);
    assert!(f[1].actual.contains(r#""id":"parking""#), "{}", f[1].actual);
    assert!(!f[1].actual.contains("bot_message"), "{}", f[1].actual);
    assert!(f[2].actual.starts_with("the event {"), "{}", f[2].actual);
    assert!(f[3].actual.starts_with("intent "), "{}", f[3].actual);
}

#[test]
fn existing_bookings_can_be_found_moved_and_cancelled() {
    let outcomes = run(r#"
now: 2026-03-04T10:00:00-05:00
tests:
  - name: cancel an existing booking
    existing_bookings:
      - {service: Men's haircut, start: "2026-03-06T11:00:00-05:00", customer: {name: Sam Lee, phone: "+12125550199"}}
    steps:
      - user: I need to cancel my appointment
        bot_contains: phone number
      - user: 212 555 0199
        bot_contains: cancel your
      - user: yes
        events: [booking_cancelled]
    bookings: []
  - name: the booking is there when nothing is done
    existing_bookings:
      - {service: mens_haircut, start: "2026-03-06T11:00:00-05:00", staff: sofia, customer: {name: Sam Lee}}
    steps:
      - user: hi
    bookings:
      - {service: Men's haircut, staff: Sofia, start: "2026-03-06T16:00:00Z"}
"#);
    for o in &outcomes {
        assert!(o.passed(), "{}: {}", o.name, o.failure.as_ref().unwrap());
    }
}

#[test]
fn a_setup_booking_that_cannot_be_made_fails_the_test() {
    let outcomes = run(r#"
now: 2026-03-04T10:00:00-05:00
tests:
  - name: sunday
    existing_bookings:
      - {service: colour, start: "2026-03-08T11:00:00-05:00", customer: {name: Sam Lee}}
    steps:
      - user: hi
"#);
    let f = outcomes[0].failure.as_ref().unwrap();
    assert_eq!(f.step, None);
    assert_eq!(f.expectation, "existing_bookings[0]");
    assert!(f.to_string().starts_with("before the conversation\n"), "{f}");
}

#[test]
fn final_bookings_must_match_in_number_and_fields() {
    let outcomes = run(r#"
tests:
  - name: nothing booked
    steps:
      - user: hi
    bookings: [{service: Colour}]
"#);
    let f = outcomes[0].failure.as_ref().unwrap();
    assert_eq!((f.expectation.as_str(), f.actual.as_str()), ("bookings", "(none)"));
    assert!(f.to_string().starts_with("after the conversation\n"), "{f}");
}

#[test]
fn typos_and_unknown_names_are_errors_with_their_place() {
    let found = problems(
        r#"
tests:
  - name: typo
    steps:
      - user: hi
        bot_contians: Welcome
"#,
    );
    assert_eq!(found.len(), 1);
    assert!(found[0].starts_with(r#"test "typo", step 1: tests[0].steps[0]"#), "{found:?}");
    assert!(found[0].contains("unknown field `bot_contians`"), "{found:?}");

    let found = problems(
        r#"
now: yesterday
tests:
  - name: a
    steps:
      - user: hi
        events: [{type: booking_made}, {type: kb_answer, answer: x}, {type: booking_confirmed, when: x}]
        bot_matches: "(unclosed"
      - user: ""
  - name: a
    steps: []
    bookings: [{service: Colour, customer: {email: x}}]
"#,
    );
    let expected = [
        "now: expected an RFC 3339 time",
        r#"test "a", step 1: tests[0].steps[0].bot_matches[0]: invalid regular expression"#,
        r#"test "a", step 1: tests[0].steps[0].events[0].type: unknown event type "booking_made""#,
        r#"test "a", step 1: tests[0].steps[0].events[1].answer: kb_answer events have no field "answer""#,
        r#"test "a", step 1: tests[0].steps[0].events[2].when: booking_confirmed events have no field"#,
        r#"test "a", step 2: tests[0].steps[1].user: the user line is empty"#,
        r#"test "a": tests[1].name: another test in this file has the same name"#,
        r#"test "a": tests[1].steps: a test needs at least one step"#,
        r#"test "a": tests[1].bookings[0].customer.email: customers have no field"#,
    ];
    assert_eq!(found.len(), expected.len(), "{found:#?}");
    for (f, e) in found.iter().zip(expected) {
        assert!(f.starts_with(e), "{f:?} should start with {e:?}");
    }
}

#[test]
fn yaml_scalars_are_user_lines() {
    let file =
        TestFile::from_yaml("tests:\n  - name: n\n    steps:\n      - user: 4\n      - user: yes\n").unwrap();
    let users: Vec<&str> = file.tests[0].steps.iter().map(|s| s.user.as_str()).collect();
    assert_eq!(users, ["4", "yes"]);
}

#[test]
fn booking_fields_at_the_top_of_an_event_move_under_booking() {
    let file = TestFile::from_yaml(
        "tests:\n  - name: n\n    steps:\n      - user: yes\n        events: [{type: booking_confirmed, service: Colour, booking: {staff: Maria}}]\n",
    )
    .unwrap();
    let Expectation::Event(p) = &file.tests[0].steps[0].expectations[0] else { panic!() };
    assert_eq!(*p, json!({"type": "booking_confirmed", "booking": {"service": "Colour", "staff": "Maria"}}));
}

#[test]
fn subset_matching() {
    let actual = json!({"type": "kb_answer", "id": "parking", "score": 0.5, "list": [1, 2], "n": null});
    assert!(contains(&actual, &json!({"type": "kb_answer"})));
    assert!(contains(&actual, &json!({"score": 0.5, "list": [1, 2], "n": null, "missing": null})));
    assert!(!contains(&actual, &json!({"list": [1]})));
    assert!(!contains(&actual, &json!({"id": "prices"})));
    assert!(contains(&json!({"t": "2026-03-06T10:00:00-05:00"}), &json!({"t": "2026-03-06T15:00:00Z"})));
    assert!(contains(&json!({"n": "2"}), &json!({"n": 2})));
}

/// Every event the engine can produce, once: the match is exhaustive, so a
/// new variant does not compile until [`EVENT_FIELDS`] knows it.
fn one_of_each() -> Vec<Event> {
    let booking = BookingView {
        id: "b".into(),
        reference: "R".into(),
        service: "s".into(),
        start: "t".into(),
        end: "t".into(),
        staff: "x".into(),
        customer: CustomerView { name: "n".into(), phone: None },
    };
    let all = vec![
        Event::UserMessage { text: "t".into() },
        Event::IntentDetected { name: "n".into(), confidence: 1.0 },
        Event::SlotSet { name: "n".into(), value: "v".into() },
        Event::FlowStarted { flow: "f".into() },
        Event::FlowCompleted { flow: "f".into() },
        Event::FlowCancelled { flow: "f".into() },
        Event::KbAnswer { id: "i".into(), title: "t".into(), source: "s".into(), score: 1.0 },
        Event::OutOfScope { text: "t".into() },
        Event::HandoffRequested { reason: "r".into() },
        Event::HandoffReleased,
        Event::BookingConfirmed { booking: booking.clone() },
        Event::BookingCancelled { booking_id: "b".into() },
        Event::BookingRescheduled { from_booking_id: "a".into(), booking },
        Event::BotMessage { text: "t".into() },
    ];
    for e in &all {
        match e {
            Event::UserMessage { .. }
            | Event::IntentDetected { .. }
            | Event::SlotSet { .. }
            | Event::FlowStarted { .. }
            | Event::FlowCompleted { .. }
            | Event::FlowCancelled { .. }
            | Event::KbAnswer { .. }
            | Event::OutOfScope { .. }
            | Event::HandoffRequested { .. }
            | Event::HandoffReleased
            | Event::BookingConfirmed { .. }
            | Event::BookingCancelled { .. }
            | Event::BookingRescheduled { .. }
            | Event::BotMessage { .. } => {}
        }
    }
    all
}

#[test]
fn the_event_table_matches_the_events() {
    let events = one_of_each();
    assert_eq!(events.len(), EVENT_FIELDS.len());
    for (event, (kind, fields)) in events.iter().zip(EVENT_FIELDS) {
        let v = serde_json::to_value(event).unwrap();
        assert_eq!(v["type"], *kind);
        let mut keys: Vec<&str> =
            v.as_object().unwrap().keys().map(String::as_str).filter(|k| *k != "type").collect();
        let mut want = fields.to_vec();
        keys.sort_unstable();
        want.sort_unstable();
        assert_eq!(keys, want, "{kind}");
        if let Some(b) = v.get("booking") {
            let mut keys: Vec<&str> = b.as_object().unwrap().keys().map(String::as_str).collect();
            let mut want = BOOKING_FIELDS.to_vec();
            keys.sort_unstable();
            want.sort_unstable();
            assert_eq!(keys, want);
        }
    }
}
