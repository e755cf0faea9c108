//! The SQLite backend: one database file in WAL mode, read through a pool of
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

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use concierge_core::booking::{Booking, BookingStatus, Customer};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
    SqliteTransactionManager,
};
use sqlx::types::Json;
use sqlx::{Row, Sqlite, SqliteConnection, Transaction, TransactionManager};

use crate::booking::{blocks, check_transition, parse_status, sitting_key, status_name};
use crate::customer::{redacted_event, ERASED_NAME};
use crate::prelude::*;
use crate::refresh_token;
use crate::sql::Backend;
use crate::tenant::new_id;
use crate::{
    ApiKey, AppendedTurn, AuditEntry, Conversation, ConversationStatus, CustomerRecord, EncryptionKey,
    ErasureReport, IssuedRefreshToken, KnowledgeEntry, NewAuditEntry, NewBooking, NewConversation,
    NewCustomer, PublishableKey, RefreshToken, Schedule, Service, StaffMember, StoreError, StoredBooking,
    StoredEvent, TenantId, TurnWrite, User,
};
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

    /// A write transaction that holds the database's write lock from its first
    /// statement, so check-then-write sequences are atomic.
    async fn write(&self) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.writes.begin_with("BEGIN IMMEDIATE").await?)
    }

    fn key(&self) -> Result<&EncryptionKey, StoreError> {
        self.key.as_ref().ok_or(StoreError::NoEncryptionKey)
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

    const NAME: &'static str = "sqlite";
    const LOCK_ROWS: &'static str = "";

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

    async fn write(&self, _tenant: &TenantId) -> Result<Transaction<'static, Sqlite>, StoreError> {
        Ok(self.writes.begin_with("BEGIN IMMEDIATE").await?)
    }
}

fn pool_options(connections: u32) -> SqlitePoolOptions {
    SqlitePoolOptions::new().max_connections(connections).after_release(|conn, _| {
        Box::pin(async move { Ok(SqliteTransactionManager::get_transaction_depth(conn) == 0) })
    })
}

fn map_write_error(error: sqlx::Error, what: &str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate(what.to_owned()),
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
            StoreError::not_found("record referenced by this tenant's", what)
        }
        _ => StoreError::Database(error),
    }
}

/// Booking times are stored as Unix microseconds (the precision PostgreSQL keeps).
fn us(time: DateTime<Utc>) -> i64 {
    time.timestamp_micros()
}

fn from_us(us: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp_micros(us)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp {us} out of range")))
}

const BOOKING_COLUMNS: &str = "id, reference, service_id, staff_id, starts_at_us, ends_at_us, \
     blocked_from_us, blocked_until_us, held_until_us, capacity, customer_id, customer_name, \
     customer_phone, customer_email, status, request_key, rescheduled_from, rescheduled_to, \
     created_at";

fn booking_from_row(row: &SqliteRow) -> Result<StoredBooking, StoreError> {
    let held_until: Option<i64> = row.try_get("held_until_us")?;
    let capacity: i64 = row.try_get("capacity")?;
    Ok(StoredBooking {
        booking: Booking {
            id: row.try_get("id")?,
            reference: row.try_get("reference")?,
            service: row.try_get("service_id")?,
            staff: row.try_get("staff_id")?,
            start: from_us(row.try_get("starts_at_us")?)?,
            end: from_us(row.try_get("ends_at_us")?)?,
            customer: Customer {
                name: row.try_get("customer_name")?,
                phone: row.try_get("customer_phone")?,
                email: row.try_get("customer_email")?,
            },
            status: parse_status(row.try_get("status")?)?,
        },
        request_key: row.try_get("request_key")?,
        held_until: held_until.map(from_us).transpose()?,
        blocked_from: from_us(row.try_get("blocked_from_us")?)?,
        blocked_until: from_us(row.try_get("blocked_until_us")?)?,
        capacity: u32::try_from(capacity).map_err(|_| StoreError::Corrupt(format!("capacity {capacity}")))?,
        customer_id: row.try_get("customer_id")?,
        rescheduled_from: row.try_get("rescheduled_from")?,
        rescheduled_to: row.try_get("rescheduled_to")?,
        created_at: row.try_get("created_at")?,
    })
}

fn publishable_key_from_row(row: &SqliteRow) -> Result<PublishableKey, StoreError> {
    let origins: Json<Vec<String>> = row.try_get("allowed_origins")?;
    Ok(PublishableKey {
        key: row.try_get("key")?,
        tenant_id: TenantId::parse(row.try_get("tenant_id")?)?,
        bot_id: row.try_get("bot_id")?,
        allowed_origins: origins.0,
        created_at: row.try_get("created_at")?,
    })
}

const CONVERSATION_COLUMNS: &str = "id, tenant_id, bot_id, channel, external_ref, customer_id, \
     status, state, \
     last_seq, turns, created_at, updated_at";

fn conversation_from_row(row: &SqliteRow) -> Result<Conversation, StoreError> {
    let state: Json<serde_json::Value> = row.try_get("state")?;
    Ok(Conversation {
        id: row.try_get("id")?,
        tenant_id: TenantId::parse(row.try_get("tenant_id")?)?,
        bot_id: row.try_get("bot_id")?,
        channel: row.try_get("channel")?,
        external_ref: row.try_get("external_ref")?,
        customer_id: row.try_get("customer_id")?,
        status: ConversationStatus::parse(row.try_get("status")?)?,
        state: state.0,
        last_seq: row.try_get("last_seq")?,
        turns: row.try_get("turns")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn customer_from_row(row: &SqliteRow) -> Result<CustomerRecord, StoreError> {
    Ok(CustomerRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        phone: row.try_get("phone")?,
        email: row.try_get("email")?,
        created_at: row.try_get("created_at")?,
        erased_at: row.try_get("erased_at")?,
    })
}

const KNOWLEDGE_COLUMNS: &str = "id, title, alternatives, body, source, tags, updated_at";

fn knowledge_from_row(row: &SqliteRow) -> Result<KnowledgeEntry, StoreError> {
    let tags: Json<Vec<String>> = row.try_get("tags")?;
    let alternatives: Json<Vec<String>> = row.try_get("alternatives")?;
    Ok(KnowledgeEntry {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        alternatives: alternatives.0,
        body: row.try_get("body")?,
        source: row.try_get("source")?,
        tags: tags.0,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Counts one more change to the tenant's knowledge entries.
async fn bump_knowledge_revision(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO knowledge_revisions (tenant_id, revision) VALUES ($1, 1) \
         ON CONFLICT (tenant_id) DO UPDATE SET revision = knowledge_revisions.revision + 1",
    )
    .bind(tenant.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn api_key_from_row(row: &SqliteRow) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        tenant_id: TenantId::parse(row.try_get("tenant_id")?)?,
        label: row.try_get("label")?,
        prefix: row.try_get("prefix")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn audit_from_row(row: &SqliteRow) -> Result<AuditEntry, StoreError> {
    let details: Json<serde_json::Value> = row.try_get("details")?;
    Ok(AuditEntry {
        id: row.try_get("id")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        details: details.0,
        recorded_at: row.try_get("recorded_at")?,
    })
}

fn event_from_row(row: &SqliteRow) -> Result<StoredEvent, StoreError> {
    let event: Json<serde_json::Value> = row.try_get("event")?;
    Ok(StoredEvent {
        seq: row.try_get("seq")?,
        turn: row.try_get("turn")?,
        event: event.0,
        recorded_at: row.try_get("recorded_at")?,
    })
}

const USER_COLUMNS: &str = "id, tenant_id, email, role, created_at";

fn user_from_row(row: &SqliteRow) -> Result<User, StoreError> {
    Ok(User {
        id: row.try_get("id")?,
        tenant_id: TenantId::parse(row.try_get("tenant_id")?)?,
        email: row.try_get("email")?,
        role: row.try_get("role")?,
        created_at: row.try_get("created_at")?,
    })
}

const REFRESH_COLUMNS: &str =
    "id, tenant_id, user_id, family_id, created_at, expires_at, used_at, revoked_at";

fn refresh_from_row(row: &SqliteRow) -> Result<RefreshToken, StoreError> {
    Ok(RefreshToken {
        id: row.try_get("id")?,
        tenant_id: TenantId::parse(row.try_get("tenant_id")?)?,
        user_id: row.try_get("user_id")?,
        family_id: row.try_get("family_id")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

/// Stores a new refresh token of `user_id` (in `family`, or a new one).
async fn insert_refresh_token(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    user_id: &str,
    family: Option<&str>,
    now: DateTime<Utc>,
    ttl: TimeDelta,
) -> Result<IssuedRefreshToken, StoreError> {
    let now = crate::time::truncate(now);
    let expires_at = now
        .checked_add_signed(ttl)
        .filter(|at| *at > now)
        .ok_or_else(|| StoreError::Invalid(format!("refresh token lifetime {ttl} out of range")))?;
    let secret = refresh_token::generate(tenant);
    let token = RefreshToken {
        id: new_id(),
        tenant_id: tenant.clone(),
        user_id: user_id.to_owned(),
        family_id: family.map_or_else(new_id, str::to_owned),
        created_at: now,
        expires_at,
        used_at: None,
        revoked_at: None,
    };
    sqlx::query(
        "INSERT INTO refresh_tokens (id, tenant_id, user_id, family_id, token_hash, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&token.id)
    .bind(tenant.as_str())
    .bind(user_id)
    .bind(&token.family_id)
    .bind(refresh_token::hash(&secret))
    .bind(token.created_at)
    .bind(token.expires_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| map_write_error(e, "user"))?;
    Ok(IssuedRefreshToken { token, secret })
}

/// Marks every live token of a family revoked.
async fn revoke_family(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    family_id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND family_id = $2 \
         AND revoked_at IS NULL",
    )
    .bind(tenant.as_str())
    .bind(family_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Refuses a booking of `staff` at `sitting` over `[from, until)` with
/// `capacity` seats when, at `now`, an active booking other than `except`
/// takes that time (a different sitting, or every seat of the same one).
#[allow(clippy::too_many_arguments)]
async fn admit(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    staff: &str,
    sitting: &str,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    capacity: u32,
    except: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let rows = sqlx::query(
        "SELECT sitting, capacity FROM bookings WHERE tenant_id = $1 AND staff_id = $2 \
         AND blocked_from_us < $3 AND blocked_until_us > $4 AND id <> $5 \
         AND (status = 'confirmed' OR (status = 'held' \
              AND held_until_us > $6))",
    )
    .bind(tenant.as_str())
    .bind(staff)
    .bind(us(until))
    .bind(us(from))
    .bind(except)
    .bind(us(now))
    .fetch_all(&mut **tx)
    .await?;
    let mut seats_left = i64::from(capacity);
    for row in &rows {
        let other_sitting: String = row.try_get("sitting")?;
        let other_capacity: i64 = row.try_get("capacity")?;
        seats_left = seats_left.min(other_capacity);
        if other_sitting != sitting {
            seats_left = 0;
        }
    }
    if rows.len() as i64 >= seats_left {
        return Err(StoreError::SlotTaken { staff: staff.to_owned() });
    }
    Ok(())
}

async fn booking_in(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    id: &str,
) -> Result<StoredBooking, StoreError> {
    let row =
        sqlx::query(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND id = $2"))
            .bind(tenant.as_str())
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
            .ok_or_else(|| StoreError::not_found("booking", id))?;
    booking_from_row(&row)
}

/// The booking whose `column` (`reference` or `request_key`) is `value`.
async fn booking_by_column(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    column: &'static str,
    value: &str,
) -> Result<Option<StoredBooking>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND {column} = $2"
    ))
    .bind(tenant.as_str())
    .bind(value)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(booking_from_row).transpose()
}

/// Inserts `booking` (already admitted) with its reschedule link.
async fn insert_booking(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    booking: &NewBooking,
    rescheduled_from: Option<&str>,
) -> Result<StoredBooking, StoreError> {
    let (blocked_from, blocked_until) = booking.blocked_span();
    sqlx::query(
        "INSERT INTO bookings (id, tenant_id, reference, service_id, staff_id, starts_at_us, \
         ends_at_us, blocked_from_us, blocked_until_us, held_until_us, capacity, sitting, \
         customer_id, customer_name, customer_phone, customer_email, status, request_key, \
         rescheduled_from, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20)",
    )
    .bind(&booking.id)
    .bind(tenant.as_str())
    .bind(&booking.reference)
    .bind(&booking.service)
    .bind(&booking.staff)
    .bind(us(booking.start))
    .bind(us(booking.end))
    .bind(us(blocked_from))
    .bind(us(blocked_until))
    .bind(booking.held_until.map(us))
    .bind(i64::from(booking.capacity))
    .bind(booking.sitting())
    .bind(&booking.customer_id)
    .bind(&booking.customer.name)
    .bind(&booking.customer.phone)
    .bind(&booking.customer.email)
    .bind(status_name(booking.status))
    .bind(&booking.request_key)
    .bind(rescheduled_from)
    .bind(booking.created_at.map_or_else(crate::time::now, crate::time::truncate))
    .execute(&mut **tx)
    .await
    .map_err(|e| map_write_error(e, "booking"))?;
    booking_in(tx, tenant, &booking.id).await
}

#[async_trait]
impl BookingStore for SqliteStore {
    async fn put_service(&self, tenant: &TenantId, service: &Service) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO services (tenant_id, id, name, duration_minutes, details) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, id) DO UPDATE SET \
             name = excluded.name, duration_minutes = excluded.duration_minutes, \
             details = excluded.details",
        )
        .bind(tenant.as_str())
        .bind(&service.id)
        .bind(&service.name)
        .bind(service.duration_minutes)
        .bind(Json(&service.details))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_write_error(e, "service"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn services(&self, tenant: &TenantId) -> Result<Vec<Service>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, duration_minutes, details FROM services WHERE tenant_id = $1 \
             ORDER BY id",
        )
        .bind(tenant.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let details: Json<serde_json::Value> = row.try_get("details")?;
                Ok(Service {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    duration_minutes: row.try_get("duration_minutes")?,
                    details: details.0,
                })
            })
            .collect()
    }

    async fn delete_service(&self, tenant: &TenantId, service_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        let done = sqlx::query("DELETE FROM services WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(service_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("service", service_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_staff(&self, tenant: &TenantId, staff: &StaffMember) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO staff (tenant_id, id, name, details) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, \
             details = excluded.details",
        )
        .bind(tenant.as_str())
        .bind(&staff.id)
        .bind(&staff.name)
        .bind(Json(&staff.details))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_write_error(e, "staff member"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn staff(&self, tenant: &TenantId) -> Result<Vec<StaffMember>, StoreError> {
        let rows = sqlx::query("SELECT id, name, details FROM staff WHERE tenant_id = $1 ORDER BY id")
            .bind(tenant.as_str())
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let details: Json<serde_json::Value> = row.try_get("details")?;
                Ok(StaffMember { id: row.try_get("id")?, name: row.try_get("name")?, details: details.0 })
            })
            .collect()
    }

    async fn delete_staff(&self, tenant: &TenantId, staff_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query("DELETE FROM schedules WHERE tenant_id = $1 AND staff_id = $2")
            .bind(tenant.as_str())
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query("DELETE FROM staff WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.as_str())
            .bind(staff_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("staff member", staff_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_schedule(&self, tenant: &TenantId, schedule: &Schedule) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO schedules (tenant_id, staff_id, weekly_hours) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, staff_id) DO UPDATE SET weekly_hours = excluded.weekly_hours",
        )
        .bind(tenant.as_str())
        .bind(&schedule.staff_id)
        .bind(Json(&schedule.weekly_hours))
        .execute(&mut *tx)
        .await
        .map_err(|e| match map_write_error(e, "schedule") {
            StoreError::NotFound { .. } => StoreError::not_found("staff member", schedule.staff_id.as_str()),
            other => other,
        })?;
        tx.commit().await?;
        Ok(())
    }

    async fn schedule(&self, tenant: &TenantId, staff_id: &str) -> Result<Option<Schedule>, StoreError> {
        let row = sqlx::query(
            "SELECT staff_id, weekly_hours FROM schedules WHERE tenant_id = $1 AND staff_id = $2",
        )
        .bind(tenant.as_str())
        .bind(staff_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            let hours: Json<serde_json::Value> = row.try_get("weekly_hours")?;
            Ok(Schedule { staff_id: row.try_get("staff_id")?, weekly_hours: hours.0 })
        })
        .transpose()
    }

    async fn create_booking(
        &self,
        tenant: &TenantId,
        booking: &NewBooking,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError> {
        booking.validate()?;
        let mut tx = self.write().await?;
        if let Some(key) = &booking.request_key {
            if let Some(existing) = booking_by_column(&mut tx, tenant, "request_key", key).await? {
                return Ok(existing);
            }
        }
        if booking.blocks_at(now) {
            admit(
                &mut tx,
                tenant,
                &booking.staff,
                &booking.sitting(),
                booking.blocked_span(),
                booking.capacity,
                &booking.id,
                now,
            )
            .await?;
        }
        let created = insert_booking(&mut tx, tenant, booking, None).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn booking(&self, tenant: &TenantId, id: &str) -> Result<StoredBooking, StoreError> {
        let row =
            sqlx::query(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND id = $2"))
                .bind(tenant.as_str())
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .ok_or_else(|| StoreError::not_found("booking", id))?;
        booking_from_row(&row)
    }

    async fn transition_booking(
        &self,
        tenant: &TenantId,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError> {
        let mut tx = self.write().await?;
        let current = booking_in(&mut tx, tenant, id).await?;
        check_transition(&current, from, to, now)?;
        let was_blocking = blocks(current.booking.status, current.held_until, now);
        if blocks(to, current.held_until, now) && !was_blocking {
            let booking = &current.booking;
            admit(
                &mut tx,
                tenant,
                &booking.staff,
                &sitting_key(&booking.service, booking.start, booking.end),
                (current.blocked_from, current.blocked_until),
                current.capacity,
                id,
                now,
            )
            .await?;
        }
        // Only a held booking keeps a hold deadline.
        let held_until = if to == BookingStatus::Held { current.held_until } else { None };
        sqlx::query(
            "UPDATE bookings SET status = $3, held_until_us = $5, updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(id)
        .bind(status_name(to))
        .bind(crate::time::now())
        .bind(held_until.map(us))
        .execute(&mut *tx)
        .await?;
        let updated = booking_in(&mut tx, tenant, id).await?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn reschedule_booking(
        &self,
        tenant: &TenantId,
        old_id: &str,
        new: &NewBooking,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError> {
        new.validate()?;
        let mut tx = self.write().await?;
        if let Some(key) = &new.request_key {
            if let Some(existing) = booking_by_column(&mut tx, tenant, "request_key", key).await? {
                return Ok(existing);
            }
        }
        let old = booking_in(&mut tx, tenant, old_id).await?;
        if !blocks(old.booking.status, old.held_until, now) {
            return Err(StoreError::WrongState { id: old_id.to_owned(), status: old.booking.status });
        }
        if new.blocks_at(now) {
            admit(&mut tx, tenant, &new.staff, &new.sitting(), new.blocked_span(), new.capacity, old_id, now)
                .await?;
        }
        let created = insert_booking(&mut tx, tenant, new, Some(old_id)).await?;
        sqlx::query(
            "UPDATE bookings SET status = 'rescheduled', held_until_us = NULL, rescheduled_to = $3, \
             updated_at = $4 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(old_id)
        .bind(&new.id)
        .bind(crate::time::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn booking_by_reference(
        &self,
        tenant: &TenantId,
        reference: &str,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut conn = self.pool.begin().await?;
        booking_by_column(&mut conn, tenant, "reference", reference).await
    }

    async fn booking_by_request_key(
        &self,
        tenant: &TenantId,
        request_key: &str,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut conn = self.pool.begin().await?;
        booking_by_column(&mut conn, tenant, "request_key", request_key).await
    }

    async fn active_bookings_between(
        &self,
        tenant: &TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 \
             AND blocked_from_us < $2 AND blocked_until_us > $3 \
             AND (status = 'confirmed' OR (status = 'held' \
                  AND held_until_us > $4)) \
             ORDER BY starts_at_us, id"
        ))
        .bind(tenant.as_str())
        .bind(us(to))
        .bind(us(from))
        .bind(us(now))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(booking_from_row).collect()
    }

    async fn bookings_between(
        &self,
        tenant: &TenantId,
        staff: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 \
             AND ($2 IS NULL OR staff_id = $2) AND blocked_from_us < $3 AND blocked_until_us > $4 \
             ORDER BY starts_at_us, id"
        ))
        .bind(tenant.as_str())
        .bind(staff)
        .bind(us(to))
        .bind(us(from))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(booking_from_row).collect()
    }

    async fn bookings_for_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND customer_phone = $2 \
             ORDER BY starts_at_us, id"
        ))
        .bind(tenant.as_str())
        .bind(phone)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(booking_from_row).collect()
    }
}

#[async_trait]
impl CustomerStore for SqliteStore {
    async fn create_customer(
        &self,
        tenant: &TenantId,
        customer: &NewCustomer,
    ) -> Result<CustomerRecord, StoreError> {
        let record = CustomerRecord {
            id: new_id(),
            name: customer.name.clone(),
            phone: customer.phone.clone(),
            email: customer.email.clone(),
            created_at: crate::time::now(),
            erased_at: None,
        };
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO customers (id, tenant_id, name, phone, email, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&record.id)
        .bind(tenant.as_str())
        .bind(&record.name)
        .bind(&record.phone)
        .bind(&record.email)
        .bind(record.created_at)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_write_error(e, "customer"))?;
        tx.commit().await?;
        Ok(record)
    }

    async fn customer(&self, tenant: &TenantId, id: &str) -> Result<CustomerRecord, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("customer", id))?;
        customer_from_row(&row)
    }

    async fn customer_by_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Option<CustomerRecord>, StoreError> {
        let row = sqlx::query(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1",
        )
        .bind(tenant.as_str())
        .bind(phone)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(customer_from_row).transpose()
    }

    async fn export_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
    ) -> Result<serde_json::Value, StoreError> {
        let customer = self.customer(tenant, customer_id).await?;
        let conversation_rows = sqlx::query(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 \
             AND customer_id = $2 ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .bind(customer_id)
        .fetch_all(&self.pool)
        .await?;
        let mut conversations = Vec::new();
        for row in &conversation_rows {
            let conversation = conversation_from_row(row)?;
            let events = self.events(tenant, &conversation.id, 0).await?;
            conversations.push(crate::privacy::conversation_json(&conversation, &events));
        }
        let booking_rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND (customer_id = $2 \
             OR ($3 IS NOT NULL AND customer_phone = $3) \
             OR ($4 IS NOT NULL AND customer_email = $4)) ORDER BY starts_at_us, id"
        ))
        .bind(tenant.as_str())
        .bind(customer_id)
        .bind(&customer.phone)
        .bind(&customer.email)
        .fetch_all(&self.pool)
        .await?;
        let bookings = booking_rows.iter().map(booking_from_row).collect::<Result<Vec<_>, _>>()?;
        let audit_rows = sqlx::query(
            "SELECT id, actor, action, target, details, recorded_at FROM audit_log \
             WHERE tenant_id = $1 AND target = $2 ORDER BY id",
        )
        .bind(tenant.as_str())
        .bind(crate::privacy::customer_target(customer_id))
        .fetch_all(&self.pool)
        .await?;
        let audit = audit_rows.iter().map(audit_from_row).collect::<Result<Vec<_>, _>>()?;
        Ok(crate::privacy::export_json(&customer, conversations, &bookings, &audit))
    }

    async fn erase_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        actor: &str,
    ) -> Result<ErasureReport, StoreError> {
        let mut tx = self.write().await?;
        let row = sqlx::query(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(customer_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("customer", customer_id))?;
        let customer = customer_from_row(&row)?;
        let conversation_ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM conversations WHERE tenant_id = $1 AND customer_id = $2")
                .bind(tenant.as_str())
                .bind(customer_id)
                .fetch_all(&mut *tx)
                .await?;
        let mut report = ErasureReport {
            conversations: conversation_ids.len() as u64,
            events_redacted: 0,
            bookings_anonymised: 0,
        };
        let now = crate::time::now();
        for conversation_id in &conversation_ids {
            let events = sqlx::query(
                "SELECT seq, event FROM conversation_events \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .bind(tenant.as_str())
            .bind(conversation_id)
            .fetch_all(&mut *tx)
            .await?;
            for event in &events {
                let seq: i64 = event.try_get("seq")?;
                let body: Json<serde_json::Value> = event.try_get("event")?;
                sqlx::query(
                    "UPDATE conversation_events SET event = $4 \
                     WHERE tenant_id = $1 AND conversation_id = $2 AND seq = $3",
                )
                .bind(tenant.as_str())
                .bind(conversation_id)
                .bind(seq)
                .bind(Json(redacted_event(&body.0)))
                .execute(&mut *tx)
                .await?;
                report.events_redacted += 1;
            }
            sqlx::query(
                "UPDATE conversations SET state = $3, status = 'closed', updated_at = $4 \
                 WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.as_str())
            .bind(conversation_id)
            .bind(Json(crate::privacy::erased_state()))
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let anonymised = sqlx::query(
            "UPDATE bookings SET customer_name = $5, customer_phone = NULL, \
             customer_email = NULL, updated_at = $6 WHERE tenant_id = $1 AND (customer_id = $2 \
             OR ($3 IS NOT NULL AND customer_phone = $3) \
             OR ($4 IS NOT NULL AND customer_email = $4))",
        )
        .bind(tenant.as_str())
        .bind(customer_id)
        .bind(&customer.phone)
        .bind(&customer.email)
        .bind(ERASED_NAME)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        report.bookings_anonymised = anonymised.rows_affected();
        sqlx::query(
            "UPDATE customers SET name = NULL, phone = NULL, email = NULL, erased_at = $3 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(customer_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        insert_audit(&mut tx, tenant, &crate::privacy::erasure_audit(customer_id, actor, &report)).await?;
        tx.commit().await?;
        Ok(report)
    }
}

async fn insert_audit(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    entry: &NewAuditEntry,
) -> Result<AuditEntry, StoreError> {
    let row = sqlx::query(
        "INSERT INTO audit_log (tenant_id, actor, action, target, details, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, actor, action, target, details, recorded_at",
    )
    .bind(tenant.as_str())
    .bind(&entry.actor)
    .bind(&entry.action)
    .bind(&entry.target)
    .bind(Json(&entry.details))
    .bind(crate::time::now())
    .fetch_one(&mut **tx)
    .await
    .map_err(|e| map_write_error(e, "audit entry"))?;
    audit_from_row(&row)
}

/// Inserts a new conversation in `tx`.
async fn insert_conversation(
    tx: &mut Transaction<'static, Sqlite>,
    tenant: &TenantId,
    conversation: &NewConversation,
) -> Result<Conversation, StoreError> {
    let now = crate::time::now();
    let created = Conversation {
        id: new_id(),
        tenant_id: tenant.clone(),
        bot_id: conversation.bot_id.clone(),
        channel: conversation.channel.clone(),
        external_ref: conversation.external_ref.clone(),
        customer_id: conversation.customer_id.clone(),
        status: ConversationStatus::Bot,
        state: conversation.state.clone(),
        last_seq: 0,
        turns: 0,
        created_at: now,
        updated_at: now,
    };
    sqlx::query(
        "INSERT INTO conversations (id, tenant_id, bot_id, channel, external_ref, customer_id, \
         status, state, last_seq, turns, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, $9, $9)",
    )
    .bind(&created.id)
    .bind(tenant.as_str())
    .bind(&created.bot_id)
    .bind(&created.channel)
    .bind(&created.external_ref)
    .bind(&created.customer_id)
    .bind(created.status.as_str())
    .bind(Json(&created.state))
    .bind(now)
    .execute(&mut **tx)
    .await
    .map_err(|e| map_write_error(e, "conversation"))?;
    Ok(created)
}
