//! The PostgreSQL backend: what it does differently from SQLite (the queries
//! themselves are shared, in [`crate::sql`]). Every operation runs in a
//! transaction that first sets `app.tenant_id`, which the row-level security
//! policies of the schema check; overlapping bookings are refused by the
//! `bookings_no_overlap` exclusion constraint under per-staff advisory
//! locks, and conversation turns by a conditional update on the sequence
//! number.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};

use crate::sql::conversations::refusal;
use crate::sql::{Backend, Seat};
use crate::{AppendedTurn, ConversationStatus, EncryptionKey, StoreError, TenantId, TurnWrite};

/// SQLSTATE of an exclusion-constraint violation.
const EXCLUSION_VIOLATION: &str = "23P01";

/// A store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    key: Option<EncryptionKey>,
}

impl PostgresStore {
    /// Connects to `url` and migrates the database. Refuses roles that
    /// bypass row-level security (superusers, `BYPASSRLS`): connect as an
    /// ordinary role that owns the database.
    pub async fn connect(url: &str, key: Option<EncryptionKey>) -> Result<Self, StoreError> {
        let options = PgConnectOptions::from_str(url)?;
        Self::connect_with(options, key, false).await
    }

    /// Connects with explicit options; `allow_row_security_bypass` lets a
    /// superuser connect (tenant scoping in queries still applies, but the
    /// row-level security wall does not).
    pub async fn connect_with(
        options: PgConnectOptions,
        key: Option<EncryptionKey>,
        allow_row_security_bypass: bool,
    ) -> Result<Self, StoreError> {
        let pool = PgPoolOptions::new().max_connections(16).connect_with(options).await?;
        let store = PostgresStore { pool, key };
        if !allow_row_security_bypass {
            if let Some(role) = store.role_bypassing_row_security().await? {
                return Err(StoreError::RoleBypassesRowSecurity(role));
            }
        }
        sqlx::migrate!("./migrations/postgres").run(&store.pool).await?;
        Ok(store)
    }

    /// The connected role's name if it bypasses row-level security.
    pub async fn role_bypassing_row_security(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query(
            "SELECT rolname, rolsuper OR rolbypassrls AS bypasses FROM pg_roles \
             WHERE rolname = current_user",
        )
        .fetch_one(&self.pool)
        .await?;
        let bypasses: bool = row.try_get("bypasses")?;
        Ok(bypasses.then(|| row.try_get("rolname")).transpose()?)
    }

    /// The connection pool (for tools and tests that inspect raw rows).
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A transaction scoped to `tenant` for row-level security.
    async fn scoped(&self, tenant: &TenantId) -> Result<Transaction<'static, Postgres>, StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
            .bind(tenant.as_str())
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

impl Backend for PostgresStore {
    type Db = Postgres;
    type Instant = DateTime<Utc>;
    type Reader = Transaction<'static, Postgres>;

    fn encryption_key(&self) -> Option<&EncryptionKey> {
        self.key.as_ref()
    }

    fn instant(time: DateTime<Utc>) -> DateTime<Utc> {
        time
    }

    fn from_instant(stored: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
        Ok(stored)
    }

    const KEEPS_BLOCKS: bool = true;

    /// Takes an advisory lock per staff member and clears `blocks` on their
    /// holds that lapsed by `now`, so the exclusion constraints see exactly
    /// the bookings that take time at `now`.
    async fn lock_staff(
        conn: &mut PgConnection,
        tenant: &TenantId,
        staff: &[&str],
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // Always in the same order, so two writers never wait on each other's lock.
        let mut staff = staff.to_vec();
        staff.sort_unstable();
        staff.dedup();
        for member in staff {
            Self::lock(conn, &format!("{}/{member}", tenant.as_str())).await?;
            sqlx::query(
                "UPDATE bookings SET blocks = false WHERE tenant_id = $1 AND staff_id = $2 AND blocks \
                 AND status = 'held' AND held_until <= $3",
            )
            .bind(tenant.as_str())
            .bind(member)
            .bind(now)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    /// Refuses a seat at a sitting whose seats are all taken (overlaps with
    /// other sittings are refused by the `bookings_no_overlap` constraint).
    async fn admit(
        conn: &mut PgConnection,
        tenant: &TenantId,
        seat: &Seat<'_>,
        _now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let row = sqlx::query(
            "SELECT count(*) AS taken, min(capacity) AS capacity FROM bookings \
             WHERE tenant_id = $1 AND staff_id = $2 AND blocks AND sitting = $3 AND id <> $4",
        )
        .bind(tenant.as_str())
        .bind(seat.staff)
        .bind(seat.sitting)
        .bind(seat.except)
        .fetch_one(conn)
        .await?;
        let taken: i64 = row.try_get("taken")?;
        let other_capacity: Option<i32> = row.try_get("capacity")?;
        let seats = i64::from(seat.capacity).min(other_capacity.map_or(i64::MAX, i64::from));
        if taken >= seats {
            return Err(StoreError::SlotTaken { staff: seat.staff.to_owned() });
        }
        Ok(())
    }

    fn is_slot_conflict(error: &sqlx::Error) -> bool {
        matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some(EXCLUSION_VIOLATION))
    }

    const NAME: &'static str = "postgres";
    const LOCK_ROWS: &'static str = "FOR UPDATE";
    const SEARCH_MESSAGES: &'static str = "SELECT conversation_id, seq, event ->> 'text' AS body \
        FROM conversation_events, plainto_tsquery('simple', replace($2, '\"', '')) AS q \
        WHERE tenant_id = $1 AND event ->> 'type' IN ('user_message', 'reply', 'agent_message') \
        AND to_tsvector('simple', coalesce(event ->> 'text', '')) @@ q \
        ORDER BY ts_rank(to_tsvector('simple', coalesce(event ->> 'text', '')), q) DESC, recorded_at DESC \
        LIMIT $3";

    async fn read(&self, tenant: &TenantId) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.scoped(tenant).await
    }

    async fn lock(conn: &mut PgConnection, key: &str) -> Result<(), StoreError> {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(key).execute(conn).await?;
        Ok(())
    }

    /// Updates the conversation first: the row lock that takes makes a
    /// concurrent append wait, then find the sequence number moved and
    /// update nothing (inserting first would abort the transaction on a
    /// unique violation instead).
    async fn append(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        expected_last_seq: i64,
        write: &TurnWrite,
    ) -> Result<AppendedTurn, StoreError> {
        let events = &write.events;
        let count = i64::try_from(events.len())
            .map_err(|_| StoreError::Invalid("too many events in one turn".into()))?;
        let new_last_seq = expected_last_seq + count;
        let now = crate::time::now();
        let mut tx = self.scoped(tenant).await?;
        // The row lock this takes makes a concurrent append wait, then see
        // the new sequence number and update nothing.
        let turn: Option<i64> = sqlx::query_scalar(
            "UPDATE conversations SET state = $4, last_seq = $5, turns = turns + 1, \
             updated_at = $6, status = COALESCE($7, status) \
             WHERE tenant_id = $1 AND id = $2 AND last_seq = $3 RETURNING turns",
        )
        .bind(tenant.as_str())
        .bind(conversation_id)
        .bind(expected_last_seq)
        .bind(Json(&write.state))
        .bind(new_last_seq)
        .bind(now)
        .bind(write.status.map(ConversationStatus::as_str))
        .fetch_optional(&mut *tx)
        .await?;
        let Some(turn) = turn else {
            return Err(refusal::<Self>(&mut tx, tenant, conversation_id, expected_last_seq).await?);
        };
        // One statement for all the turn's events: a round trip per event adds up.
        let mut insert = sqlx::QueryBuilder::<Postgres>::new(
            "INSERT INTO conversation_events (tenant_id, conversation_id, seq, turn, event, recorded_at) ",
        );
        insert.push_values((expected_last_seq + 1..).zip(events), |mut row, (seq, event)| {
            row.push_bind(tenant.as_str())
                .push_bind(conversation_id)
                .push_bind(seq)
                .push_bind(turn)
                .push_bind(Json(event))
                .push_bind(now);
        });
        insert.build().execute(&mut *tx).await.map_err(|e| match &e {
            // Another writer took these sequence numbers: a lost race, not a failure.
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
                conversation: conversation_id.to_owned(),
                expected: expected_last_seq,
                actual: new_last_seq,
            },
            _ => StoreError::Database(e),
        })?;
        tx.commit().await?;
        Ok(AppendedTurn { turn, first_seq: expected_last_seq + 1, last_seq: new_last_seq })
    }

    async fn read_api_key(&self, prefix: &str) -> Result<Transaction<'static, Postgres>, StoreError> {
        // The lookup policy shows the row with this prefix, whatever its tenant.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('app.api_key_prefix', $1, true)")
            .bind(prefix)
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }

    async fn read_tenant_list(&self) -> Result<Transaction<'static, Postgres>, StoreError> {
        // The operator policy shows every row of `tenants` and no other table.
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT set_config('app.operator', 'on', true)").execute(&mut *tx).await?;
        Ok(tx)
    }

    async fn write(&self, tenant: &TenantId) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.scoped(tenant).await
    }
}
