//! The SQLite backend: what it does differently from PostgreSQL (the queries
//! themselves are shared, in [`crate::sql`]). One database file in WAL mode, read through a pool of
//! connections and written through a single connection. SQLite allows one
//! writer at a time; queueing writers on that connection inside the process
//! is fair and prompt, where competing for the file lock would leave the
//! losers sleeping in SQLite's busy handler. Every write starts with
//! `BEGIN IMMEDIATE`, so other processes sharing the file queue on its lock
//! (up to the busy timeout) instead of failing when a read transaction tries
//! to upgrade. Conversation turns are written in groups
//! ([`group_commit`]): one disk flush for many turns.

mod group_commit;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
    SqliteTransactionManager,
};
use sqlx::{Row, Sqlite, SqliteConnection, Transaction, TransactionManager};

use crate::sql::{Backend, Seat};
use crate::{AppendedTurn, EncryptionKey, StoreError, TenantId, TurnWrite};
use group_commit::{PendingTurn, TurnWriter};

/// How long a writer waits for the file lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many connections read at the same time.
const READ_CONNECTIONS: u32 = 8;

/// A store in one SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Reads.
    pool: SqlitePool,
    /// Writes: one connection.
    writes: SqlitePool,
    turns: TurnWriter,
    key: Option<EncryptionKey>,
}

/// When SQLite waits for the disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SqliteDurability {
    /// Every commit is on disk before it returns (`synchronous=FULL`): a
    /// stored turn survives power loss. One disk flush per commit bounds the
    /// write rate by the disk's flush rate.
    #[default]
    Full,
    /// Commits reach the write-ahead log and the disk at checkpoints
    /// (`synchronous=NORMAL`): a stored turn survives a crash of the process,
    /// but a power loss may lose the last commits. Much faster writes.
    Normal,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and migrates it.
    pub async fn open(path: impl AsRef<Path>, key: Option<EncryptionKey>) -> Result<Self, StoreError> {
        Self::open_with(path, key, SqliteDurability::Full).await
    }

    /// Opens (creating if needed) the database file at `path` with the given
    /// durability and migrates it.
    pub async fn open_with(
        path: impl AsRef<Path>,
        key: Option<EncryptionKey>,
        durability: SqliteDurability,
    ) -> Result<Self, StoreError> {
        let synchronous = match durability {
            SqliteDurability::Full => SqliteSynchronous::Full,
            SqliteDurability::Normal => SqliteSynchronous::Normal,
        };
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        let writes = pool_options(1).acquire_timeout(BUSY_TIMEOUT).connect_with(options.clone()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&writes).await?;
        let pool = pool_options(READ_CONNECTIONS).connect_with(options).await?;
        Ok(SqliteStore { pool, turns: TurnWriter::new(writes.clone()), writes, key })
    }

    /// The connection pool for reads (for tools and tests that inspect raw rows).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Closes every connection (waiting for writes in progress).
    pub async fn close(&self) {
        self.writes.close().await;
        self.pool.close().await;
    }
}

/// Pool settings for both pools. A connection goes back into the pool only
/// outside any transaction: sqlx can lose track of a transaction whose
/// `BEGIN` was dropped half-way (a client that disconnected), and such a
/// connection would hold the file's write lock, or an old snapshot, for good.
/// It is closed instead (closing rolls back) and the pool opens a fresh one.
/// A transaction dropped the ordinary way (its rollback still queued) is
/// closed too: rare, and cheaper than a round trip on every release.
impl Backend for SqliteStore {
    type Db = Sqlite;
    type Instant = i64;
    type Reader = PoolConnection<Sqlite>;

    fn encryption_key(&self) -> Option<&EncryptionKey> {
        self.key.as_ref()
    }

    fn instant(time: DateTime<Utc>) -> i64 {
        us(time)
    }

    fn from_instant(stored: i64) -> Result<DateTime<Utc>, StoreError> {
        from_us(stored)
    }

    const KEEPS_BLOCKS: bool = false;

    async fn lock_staff(
        _conn: &mut SqliteConnection,
        _tenant: &TenantId,
        _staff: &[&str],
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        Ok(()) // Every write holds the database's write lock (`BEGIN IMMEDIATE`).
    }

    /// Counts the active bookings that overlap the seat's time: another
    /// sitting takes it all, the same sitting one seat each.
    async fn admit(
        conn: &mut SqliteConnection,
        tenant: &TenantId,
        seat: &Seat<'_>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT sitting, capacity FROM bookings WHERE tenant_id = $1 AND staff_id = $2 \
             AND blocked_from < $3 AND blocked_until > $4 AND id <> $5 \
             AND (status = 'confirmed' OR (status = 'held' \
                  AND held_until > $6))",
        )
        .bind(tenant.as_str())
        .bind(seat.staff)
        .bind(us(seat.span.1))
        .bind(us(seat.span.0))
        .bind(seat.except)
        .bind(us(now))
        .fetch_all(conn)
        .await?;
        let mut seats_left = i64::from(seat.capacity);
        for row in &rows {
            let other_sitting: String = row.try_get("sitting")?;
            let other_capacity: i64 = row.try_get("capacity")?;
            seats_left = seats_left.min(other_capacity);
            if other_sitting != seat.sitting {
                seats_left = 0;
            }
        }
        if rows.len() as i64 >= seats_left {
            return Err(StoreError::SlotTaken { staff: seat.staff.to_owned() });
        }
        Ok(())
    }

    fn is_slot_conflict(_error: &sqlx::Error) -> bool {
        false // Overlaps are refused by `admit`, before anything is written.
    }

    const NAME: &'static str = "sqlite";
    const LOCK_ROWS: &'static str = "";
    const SEARCH_MESSAGES: &'static str = "SELECT conversation_id, CAST(seq AS INTEGER) AS seq, body \
        FROM conversation_text WHERE conversation_text MATCH $2 AND tenant_id = $1 \
        ORDER BY bm25(conversation_text) LIMIT $3";

    async fn read(&self, _tenant: &TenantId) -> Result<PoolConnection<Sqlite>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    async fn lock(_conn: &mut SqliteConnection, _key: &str) -> Result<(), StoreError> {
        Ok(()) // Every write holds the database's write lock (`BEGIN IMMEDIATE`).
    }

    /// Queues the turn for the next group commit ([`group_commit`]).
    async fn append(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        expected_last_seq: i64,
        write: &TurnWrite,
    ) -> Result<AppendedTurn, StoreError> {
        let encode = |value: &serde_json::Value| {
            serde_json::to_string(value).map_err(|e| StoreError::Invalid(format!("unencodable event: {e}")))
        };
        let turn = PendingTurn {
            tenant: tenant.clone(),
            conversation_id: conversation_id.to_owned(),
            expected_last_seq,
            events: write.events.iter().map(encode).collect::<Result<_, _>>()?,
            state: encode(&write.state)?,
            status: write.status,
        };
        self.turns.append(turn).await
    }

    async fn read_api_key(&self, _prefix: &str) -> Result<PoolConnection<Sqlite>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    async fn read_tenant_list(&self) -> Result<PoolConnection<Sqlite>, StoreError> {
        Ok(self.pool.acquire().await?)
    }

    async fn write(&self, _tenant: &TenantId) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.writes.begin_with("BEGIN IMMEDIATE").await?)
    }
}

fn pool_options(connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new().max_connections(connections).after_release(|conn, _| {
        Box::pin(async move { Ok(SqliteTransactionManager::get_transaction_depth(conn) == 0) })
    })
}

/// Booking times are stored as Unix microseconds (the precision PostgreSQL keeps).
fn us(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

fn from_us(us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {us} out of range")))
}
