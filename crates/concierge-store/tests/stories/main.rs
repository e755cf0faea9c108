//! Story tests for `concierge-store`, generic over the backend (one test
//! binary). Every story runs on SQLite (a temporary file); when
//! `CONCIERGE_TEST_POSTGRES_URL` names a PostgreSQL server (the URL may be a
//! superuser's), the same story also runs on PostgreSQL, in a fresh database
//! owned by a fresh ordinary role so row-level security applies. Each story
//! prints the backends it ran on.

mod analytics;
mod backend;
mod booking_engine;
mod cancellation;
mod catalog;
mod concurrency;
mod durability;
mod isolation;
mod knowledge;
mod privacy;
mod publishable_keys;
mod search;
mod secrets;
mod sessions;
mod tenants;
