//! Concierge's reference server and outside-service clients, shared by the
//! `concierge` binary and its integration tests.

pub mod calendar;
pub mod server;
