//! Concierge's outside-service clients, shared by the `concierge` binary
//! and its integration tests.

pub mod calendar;
