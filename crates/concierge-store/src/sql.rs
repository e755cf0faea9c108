//! The store, written once for both backends.
//!
//! Every query and every row mapping lives here, one module per area
//! (`sql/tenants.rs`, `sql/bots.rs`, ...), each implementing its area's trait
//! (see [`crate::store`]) for every [`Backend`]. A backend ([`crate::SqliteStore`],
//! [`crate::PostgresStore`]) implements [`Backend`]: how it begins a read and
//! a write, how it stores booking instants, and the few hooks where the two
//! databases really work differently. It keeps nothing else.
//!
//! Why generic code rather than one driver: sqlx's `Any` driver maps neither
//! UUIDs nor time types. The shared code is generic over `B: Backend`, whose
//! `Db` is the sqlx database; what the code binds and reads is stated once in
//! [`database`]. The two dialects accept the same SQL for everything shared
//! (`$1` placeholders, `ON CONFLICT ... DO UPDATE`, `RETURNING`, `->>` on
//! JSON text), so each statement is one string.
//!
//! What stays in the backends:
//! - **Transactions.** SQLite reads from a pool and writes through one
//!   connection with `BEGIN IMMEDIATE` (and turns through group commit);
//!   PostgreSQL runs everything in a transaction scoped to the tenant for
//!   row-level security.
//! - **Booking instants.** SQLite keeps them as Unix microseconds (integers
//!   compare fast in its overlap check), PostgreSQL as `timestamptz` (its
//!   exclusion constraints need ranges): [`Backend::Instant`].
//! - **The booking rule.** SQLite checks overlaps itself under its write
//!   lock; PostgreSQL takes advisory locks and leaves overlaps to its
//!   exclusion constraints, which read a `blocks` flag SQLite does not keep.
//! - **Appending a turn**, the hot path: group commit on SQLite, a
//!   conditional update then one insert on PostgreSQL.
//!
//! Adding a table: a migration per backend, and its queries once, here.

mod analytics;
mod audit;
mod auth;
mod bookings;
mod bots;
pub(crate) mod conversations;
mod customers;
mod database;
mod integrations;
mod knowledge;
mod tenants;

use std::future::Future;
use std::ops::DerefMut;

use sqlx::query::Query;
use sqlx::{Database, Transaction};

use chrono::{DateTime, Utc};

use crate::{AppendedTurn, EncryptionKey, StoreError, TenantId, TurnWrite};
pub(crate) use bookings::Seat;
use database::Args;
pub(crate) use database::{Binds, Col, Columns, Param, Reads, ReadsStr, RowsAffected, Run, Sql};

/// A query on `B`'s database: sqlx's `query`, with the database named (it
/// cannot be inferred from a connection type).
pub(crate) fn query<B: Backend>(sql: &str) -> Query<'_, B::Db, Args<'_, B::Db>> {
    sqlx::query(sql)
}

/// The row type of a backend.
pub(crate) type Row<B> = <<B as Backend>::Db as Database>::Row;

/// The connection type of a backend.
pub(crate) type Conn<B> = <<B as Backend>::Db as Database>::Connection;

/// What a backend provides to the shared store code.
pub(crate) trait Backend: Send + Sync + 'static {
    // The database and how it is reached.
    /// The sqlx database.
    type Db: Sql
        + for<'q> Binds<'q, Self::Instant>
        + for<'q> Binds<'q, Option<Self::Instant>>
        + Database<Row: Reads<Self::Instant> + Reads<Option<Self::Instant>>>;
    /// A connection reads run on.
    type Reader: DerefMut<Target = Conn<Self>> + Send;
    /// The backend's name (`sqlite`, `postgres`).
    const NAME: &'static str;
    /// A connection to read `tenant`'s data.
    fn read(&self, tenant: &TenantId) -> impl Future<Output = Result<Self::Reader, StoreError>> + Send;
    /// A connection to find the API key with this prefix, whatever its tenant.
    fn read_api_key(&self, prefix: &str) -> impl Future<Output = Result<Self::Reader, StoreError>> + Send;
    /// A connection that sees every row of `tenants` (and nothing else of
    /// any tenant): the operator's listing.
    fn read_tenant_list(&self) -> impl Future<Output = Result<Self::Reader, StoreError>> + Send;
    /// A transaction to write `tenant`'s data.
    fn write(
        &self,
        tenant: &TenantId,
    ) -> impl Future<Output = Result<Transaction<'static, Self::Db>, StoreError>> + Send;
    /// Takes the lock named `key` until `conn`'s transaction ends (so that
    /// racing writers of one thing queue): an advisory lock on PostgreSQL,
    /// nothing on SQLite, whose writes hold the whole database's lock.
    fn lock(conn: &mut Conn<Self>, key: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// What ends a `SELECT` that locks the rows it reads until the
    /// transaction ends (PostgreSQL's `FOR UPDATE`; empty on SQLite, whose
    /// writes hold the whole database's lock).
    const LOCK_ROWS: &'static str;
    /// The messages of `$1`'s conversations matching the words `$2` (each
    /// in double quotes, separated by spaces), best first, at most `$3`:
    /// `conversation_id`, `seq`, `body`. SQLite reads its FTS5 index
    /// (`conversation_text`), PostgreSQL its full-text index on the log.
    const SEARCH_MESSAGES: &'static str;
    /// The key integration credentials are sealed with, if configured.
    fn encryption_key(&self) -> Option<&EncryptionKey>;

    // Conversations: appending a turn, the hot path.
    /// Appends a turn (at least one event) to a conversation at
    /// `expected_last_seq`, as [`crate::ConversationStore::append_turn`] says.
    fn append(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        expected_last_seq: i64,
        write: &TurnWrite,
    ) -> impl Future<Output = Result<AppendedTurn, StoreError>> + Send;

    // Bookings: how instants are stored, and the booking rule.
    /// How booking instants are stored.
    type Instant: Copy + Send + Sync + 'static;
    /// Booking instants as stored.
    fn instant(time: DateTime<Utc>) -> Self::Instant;
    /// A stored booking instant.
    fn from_instant(stored: Self::Instant) -> Result<DateTime<Utc>, StoreError>;
    /// Whether bookings keep a `blocks` flag (PostgreSQL: whether a booking
    /// takes its time, which its exclusion constraints read), written with
    /// every booking status change.
    const KEEPS_BLOCKS: bool;
    /// Serialises booking writes for these staff members until `conn`'s
    /// transaction ends, as of `now`.
    fn lock_staff(
        conn: &mut Conn<Self>,
        tenant: &TenantId,
        staff: &[&str],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Under [`Backend::lock_staff`]: [`StoreError::SlotTaken`] when, at
    /// `now`, active bookings leave no room for `seat`.
    fn admit(
        conn: &mut Conn<Self>,
        tenant: &TenantId,
        seat: &Seat<'_>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Whether the database refused a write because it would double-book.
    fn is_slot_conflict(error: &sqlx::Error) -> bool;
}

impl<B: Backend> crate::Store for B {
    fn backend(&self) -> &'static str {
        B::NAME
    }
}

/// A failed write as a store error: a unique violation is a duplicate, a
/// foreign-key violation a reference to something the tenant does not have.
pub(crate) fn write_error(error: sqlx::Error, what: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what.to_owned()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::not_found("record referenced by this tenant's", what)
        }
        _ => StoreError::Database(error),
    }
}

/// The store's encryption key, or [`StoreError::NoEncryptionKey`].
fn encryption_key<B: Backend>(backend: &B) -> Result<&EncryptionKey, StoreError> {
    backend.encryption_key().ok_or(StoreError::NoEncryptionKey)
}
