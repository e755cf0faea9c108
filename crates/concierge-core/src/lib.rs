//! The Concierge engine: everything a conversational concierge for a business
//! needs, as pure logic with no I/O and no async runtime.
//!
//! - [`spec`]: the declarative bot spec (YAML or JSON), loaded and validated.
//! - [`nlu`]: intent classification and entity extraction (dates and times,
//!   numbers, emails, phone numbers, list and regex entities).
//! - [`knowledge`]: search over the business's knowledge base.
//! - [`booking`]: availability, slots and bookings over services, staff and hours.
//! - [`language_model`]: the optional seam to a generative model.
//! - [`dialog`]: the deterministic conversation engine that ties them together.
//! - [`conversation_test`]: conversation tests for bot authors (`concierge test`).
//!
//! Storage, calendars and other I/O sit behind `async-trait` traits that the
//! host implements; the clock and randomness are passed in with every turn.
#![deny(missing_docs)]

pub mod booking;
pub mod conversation_test;
pub mod dialog;
pub mod embedding;
pub mod knowledge;
pub mod language_model;
pub mod lexicon;
pub mod nlu;
pub mod spec;
