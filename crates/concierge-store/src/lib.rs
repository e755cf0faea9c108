//! Persistence for Concierge: an embedded SQLite file by default, PostgreSQL
//! to scale out, with the same behaviour on both.
//!
//! Everything goes through [`Store`], an umbrella over one async trait per
//! area ([`TenantStore`], [`AuthStore`], [`BotStore`], [`ConversationStore`],
//! [`KnowledgeStore`], [`BookingStore`], [`IntegrationStore`],
//! [`AuditStore`], [`CustomerStore`], [`AnalyticsStore`]); hosts hold an
//! `Arc<dyn Store>`, and `use concierge_store::prelude::*;` brings the area
//! traits into scope for calls on a concrete store.
//!
//! Layout:
//! - `src/store.rs`, `src/store/<area>.rs`: the contract, one trait per area.
//! - `src/sql.rs`, `src/sql/<area>.rs`: the one implementation of every area
//!   for both backends: every query and row mapping, written once, generic
//!   over a crate-private `Backend` trait (`src/sql.rs` explains the choice;
//!   `src/sql/database.rs` states sqlx's per-type bounds once).
//! - `src/sqlite.rs` ([`SqliteStore`]) and `src/postgres.rs`
//!   ([`PostgresStore`]): only what differs: opening and migrating,
//!   transactions (SQLite: one writer connection, `BEGIN IMMEDIATE`, group
//!   commit of turns in `src/sqlite/group_commit.rs`; PostgreSQL: a
//!   transaction scoped to the tenant for row-level security), booking
//!   instants (Unix microseconds on SQLite, `timestamptz` on PostgreSQL) and
//!   the booking rule (SQLite's admission check; PostgreSQL's advisory locks
//!   and exclusion constraints).
//! - `migrations/<backend>/`: each backend's schema, run by `sqlx::migrate!`
//!   when the store opens. Adding a table is a migration per backend plus its
//!   queries in `src/sql/`.
//!
//! Queries are runtime-checked (`query(..).bind(..)`), so the crate builds
//! without a live database. sqlx's `Any` driver is not used: it maps neither
//! UUIDs nor time types.
//!
//! Invariants every backend keeps:
//! - **Tenant scoping.** Every method that touches tenant data takes a
//!   [`TenantId`] and every query filters by it; composite foreign keys keep
//!   references inside one tenant. On PostgreSQL, row-level security keyed on
//!   the `app.tenant_id` setting of each transaction is a second wall.
//! - **Single-writer conversations.** A conversation's events carry a gapless
//!   per-conversation sequence number; [`ConversationStore::append_turn`] only succeeds
//!   when the caller saw the latest sequence number, and [`run_turn`] retries
//!   on [`StoreError::Conflict`], so concurrent messages apply one after the
//!   other, never interleaved, never lost.
//! - **No double booking.** Active (confirmed, or held and not lapsed)
//!   bookings of one staff member never overlap except as seats of one
//!   sitting, enforced by the database: exclusion constraints on PostgreSQL,
//!   a `BEGIN IMMEDIATE` check-and-insert on SQLite (see [`booking`]).
//!   [`StoreBookingRepository`] offers this as core's `BookingRepository`.
//! - **Secrets at rest.** Passwords are argon2 hashes, API keys are stored as
//!   SHA-256 hashes, integration credentials are sealed with AES-256-GCM under
//!   an [`EncryptionKey`] from configuration.
//!
//! A host runs a conversation turn like this (the closure is where the
//! dialog engine's `handle` goes; it may run more than once on conflicts):
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use concierge_store::prelude::*;
//! use concierge_store::{open, run_turn, NewConversation, StoreConfig, TurnWrite};
//! use serde_json::json;
//!
//! let store = open(&StoreConfig {
//!     url: "sqlite://concierge.db".into(),
//!     encryption_key: None,
//! })
//! .await?;
//! let tenant = store.create_tenant("Salon").await?.id;
//! let conversation = store
//!     .create_conversation(
//!         &tenant,
//!         &NewConversation {
//!             bot_id: None,
//!             channel: "web".into(),
//!             external_ref: None,
//!             customer_id: None,
//!             state: json!({}),
//!         },
//!     )
//!     .await?;
//! let (appended, replies) = run_turn(store.as_ref(), &tenant, &conversation.id, 100, |current| async move {
//!     // let turn = engine.handle(serde_json::from_value(current.state)?, message, ctx).await?;
//!     let write = TurnWrite::new(vec![json!({"type": "user_message", "text": "hi"})], current.state);
//!     Ok::<_, std::convert::Infallible>((write, vec!["Hello!"]))
//! })
//! .await?;
//! assert_eq!(appended.turn, 1);
//! # let _ = replies;
//! # Ok(())
//! # }
//! ```

mod analytics;
mod api_key;
mod audit;
pub mod booking;
mod booking_repository;
mod bot;
mod catalog;
mod conversation;
mod conversation_filter;
mod crypto;
mod customer;
mod error;
mod integration;
mod invite;
mod knowledge;
mod open;
mod password;
mod postgres;
mod privacy;
mod publishable_key;
mod refresh_token;
mod sql;
mod sqlite;
mod store;
mod tenant;
mod tenant_token;
mod time;
mod turn;

/// The storage traits, to call their methods on a `dyn Store`:
/// `use concierge_store::prelude::*;`.
pub mod prelude {
    pub use crate::store::{
        AnalyticsStore, AuditStore, AuthStore, BookingStore, BotStore, ConversationStore, CustomerStore,
        IntegrationStore, KnowledgeStore, Store, TenantStore,
    };
}

pub use analytics::{
    ConversationFacts, Count, DailyRollup, DayFigures, Rating, Report, ReportDay, ReportInputs,
    IDLE_ENDS_CONVERSATION, MAX_RATING_COMMENT, MAX_REPORT_DAYS,
};
pub use api_key::{ApiKey, IssuedApiKey};
pub use audit::{AuditEntry, NewAuditEntry};
pub use booking::{NewBooking, StoredBooking};
pub use booking_repository::StoreBookingRepository;
pub use bot::{Bot, BotVersion};
pub use catalog::{Schedule, Service, StaffMember};
pub use conversation::{
    AppendedTurn, Conversation, ConversationHit, ConversationStatus, NewConversation, StoredEvent,
    MAX_SEARCH_WORDS,
};
pub use conversation_filter::{ConversationFilter, MAX_CONVERSATION_PAGE};
pub use crypto::{EncryptionKey, KeyError};
pub use customer::{CustomerRecord, ErasureReport, NewCustomer};
pub use error::StoreError;
pub use integration::Integration;
pub use invite::{tenant_of as invite_tenant, InviteRejection, IssuedInvite};
pub use knowledge::{KnowledgeEntry, KnowledgeVector, NewKnowledgeEntry, ADMIN_SOURCE};
pub use open::{open, StoreConfig};
pub use password::check_password_of_unknown_account;
pub use postgres::PostgresStore;
pub use publishable_key::{NewPublishableKey, PublishableKey};
pub use refresh_token::{IssuedRefreshToken, RefreshRejection, RefreshToken};
pub use sqlite::{SqliteDurability, SqliteStore};
pub use store::{
    AnalyticsStore, AuditStore, AuthStore, BookingStore, BotStore, ConversationStore, CustomerStore,
    IntegrationStore, KnowledgeStore, Store, TenantStore,
};
pub use tenant::{Tenant, TenantErasure, TenantId, User};
pub use turn::{run_turn, TurnError, TurnWrite, DEFAULT_TURN_ATTEMPTS};
