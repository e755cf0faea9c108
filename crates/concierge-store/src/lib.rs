//! Persistence for Concierge (SQLite and PostgreSQL). Filled by the persistence issue.
