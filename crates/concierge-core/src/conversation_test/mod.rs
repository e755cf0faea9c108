//! Conversation tests for bot authors: what `concierge test` runs.
//!
//! A test file is YAML: the bot it is for, and tests that each hold a
//! conversation (user lines) with expectations on every turn, under a fixed
//! clock:
//!
//! ```yaml
//! bot: bot.yaml                       # relative to this file
//! now: 2026-03-04T10:00:00-05:00      # the clock of every test (a test may set its own)
//! tests:
//!   - name: book in one message
//!     steps:
//!       - user: I'd like a colour on Friday at 10am
//!         intent: book_appointment
//!         slots: {service: colour}
//!         bot_contains: What name
//!       - user: Jane Doe
//!       - user: 212 555 0123
//!       - user: yes
//!         events:
//!           - {type: booking_confirmed, service: Colour, start: 2026-03-06T10:00:00-05:00}
//!     bookings:                       # what is on the books at the end, in start order
//!       - {service: Colour, customer: {name: Jane Doe}}
//! ```
//!
//! Expectations name what `concierge chat --jsonl` shows: event types and
//! fields are the serialized [`Event`](crate::dialog::Event)s (a booking
//! event's booking fields may be written at its top level), slot values are
//! as the `slot_set` events show them (ids for services, RFC 3339 for
//! times; times match by instant). Events and bookings match as subsets:
//! only the fields written are compared.
//!
//! The parts:
//! - [`TestFile::from_yaml`] parses strictly: an unknown key, an unknown
//!   event type or a field no such event has is a [`TestFileError`] naming
//!   the test and step, so a typo cannot pass silently.
//! - [`TestRunner`] owns one [`Engine`](crate::dialog::Engine) (trained once)
//!   over in-memory bookings that are emptied before every test, and runs
//!   one [`TestCase`] at a time, stopping at the first failed expectation.
//! - A [`TestFailure`] displays as a readable diff with the transcript so far.
//!
//! The core reads no files and keeps no time: hosts (the CLI, the Python
//! wheel) read the files, pass the clock for tests without one, time the
//! runs and write reports.

mod format;
mod matching;
mod runner;
#[cfg(test)]
mod tests;

pub use format::{
    ExistingBooking, Expectation, TestCase, TestFile, TestFileError, TestFileProblem, TestStep,
    BOOKING_FIELDS, CUSTOMER_FIELDS, EVENT_FIELDS,
};
pub use matching::{contains, same_text};
pub use runner::{TestFailure, TestOutcome, TestRunner, TestRunnerError, TranscriptTurn, CONVERSATION_ID};
