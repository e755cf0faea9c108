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
//! The one exception: with the `embedding` feature,
//! `embedding::MiniLm::from_dir` reads the model's three files from a
//! directory, for native hosts (`MiniLm::from_bytes` takes them as bytes).
//!
//! Cargo features:
//! - `ingest` (default): importing Markdown, HTML, text and FAQ files into
//!   knowledge entries (`knowledge::ingest`).
//! - `embedding`: the MiniLM sentence encoder (candle, tokenizers) and the
//!   embedding intent classifier.
//! - `ann`: the approximate vector index `knowledge::HnswIndex` (hnsw_rs,
//!   native only), for large knowledge bases; without it dense search scans
//!   every vector.
//! - `test-fixtures`: `embedding::fixture`, a tiny BERT for tests and
//!   benches; a dev-dependency feature only.
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
