//! The PostgreSQL backend. Every operation runs in a transaction that first
//! sets `app.tenant_id`, which the row-level security policies of the schema
//! check; overlapping bookings are refused by the `bookings_no_overlap`
//! exclusion constraint, and conversation turns by a conditional update on
//! the sequence number.

use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use concierge_core::booking::{Booking, BookingStatus, Customer};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::types::Json;
use sqlx::{Postgres, Row, Transaction};

use crate::booking::{blocks, check_transition, parse_status, sitting_key, status_name};
use crate::customer::{redacted_event, ERASED_NAME};
use crate::prelude::*;
use crate::refresh_token;
use crate::sql::conversations::refusal;
use crate::sql::Backend;
use crate::tenant::new_id;
use crate::{
    ApiKey, AppendedTurn, AuditEntry, Conversation, ConversationStatus, CustomerRecord, EncryptionKey,
    ErasureReport, IssuedRefreshToken, KnowledgeEntry, NewAuditEntry, NewBooking, NewConversation,
    NewCustomer, PublishableKey, RefreshToken, Schedule, Service, StaffMember, StoreError, StoredBooking,
    StoredEvent, TenantId, TurnWrite, User,
};

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

    fn key(&self) -> Result<&EncryptionKey, StoreError> {
        self.key.as_ref().ok_or(StoreError::NoEncryptionKey)
    }
}

impl Backend for PostgresStore {
    type Db = Postgres;
    type Instant = DateTime<Utc>;
    type Reader = Transaction<'static, Postgres>;

    fn encryption_key(&self) -> Option<&EncryptionKey> {
        self.key.as_ref()
    }

    const NAME: &'static str = "postgres";
    const LOCK_ROWS: &'static str = "FOR UPDATE";

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

    async fn write(&self, tenant: &TenantId) -> Result<Transaction<'static, Postgres>, StoreError> {
        self.scoped(tenant).await
    }
}

fn is_exclusion_violation(error: &sqlx::Error) -> bool {
    matches!(error, sqlx::Error::Database(db) if db.code().as_deref() == Some(EXCLUSION_VIOLATION))
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

const BOOKING_COLUMNS: &str = "id, reference, service_id, staff_id, starts_at, ends_at, \
     blocked_from, blocked_until, held_until, capacity, customer_id, customer_name, \
     customer_phone, customer_email, status, request_key, rescheduled_from, rescheduled_to, \
     created_at";

fn booking_from_row(row: &PgRow) -> Result<StoredBooking, StoreError> {
    let capacity: i32 = row.try_get("capacity")?;
    Ok(StoredBooking {
        booking: Booking {
            id: row.try_get("id")?,
            reference: row.try_get("reference")?,
            service: row.try_get("service_id")?,
            staff: row.try_get("staff_id")?,
            start: row.try_get("starts_at")?,
            end: row.try_get("ends_at")?,
            customer: Customer {
                name: row.try_get("customer_name")?,
                phone: row.try_get("customer_phone")?,
                email: row.try_get("customer_email")?,
            },
            status: parse_status(row.try_get("status")?)?,
        },
        request_key: row.try_get("request_key")?,
        held_until: row.try_get("held_until")?,
        blocked_from: row.try_get("blocked_from")?,
        blocked_until: row.try_get("blocked_until")?,
        capacity: u32::try_from(capacity).map_err(|_| StoreError::Corrupt(format!("capacity {capacity}")))?,
        customer_id: row.try_get("customer_id")?,
        rescheduled_from: row.try_get("rescheduled_from")?,
        rescheduled_to: row.try_get("rescheduled_to")?,
        created_at: row.try_get("created_at")?,
    })
}

fn publishable_key_from_row(row: &PgRow) -> Result<PublishableKey, StoreError> {
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

fn conversation_from_row(row: &PgRow) -> Result<Conversation, StoreError> {
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

fn customer_from_row(row: &PgRow) -> Result<CustomerRecord, StoreError> {
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

fn knowledge_from_row(row: &PgRow) -> Result<KnowledgeEntry, StoreError> {
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
    tx: &mut Transaction<'static, Postgres>,
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

fn api_key_from_row(row: &PgRow) -> Result<ApiKey, StoreError> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        tenant_id: TenantId::parse(row.try_get("tenant_id")?)?,
        label: row.try_get("label")?,
        prefix: row.try_get("prefix")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn audit_from_row(row: &PgRow) -> Result<AuditEntry, StoreError> {
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

fn event_from_row(row: &PgRow) -> Result<StoredEvent, StoreError> {
    let event: Json<serde_json::Value> = row.try_get("event")?;
    Ok(StoredEvent {
        seq: row.try_get("seq")?,
        turn: row.try_get("turn")?,
        event: event.0,
        recorded_at: row.try_get("recorded_at")?,
    })
}

const USER_COLUMNS: &str = "id, tenant_id, email, role, created_at";

fn user_from_row(row: &PgRow) -> Result<User, StoreError> {
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

fn refresh_from_row(row: &PgRow) -> Result<RefreshToken, StoreError> {
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
    tx: &mut Transaction<'static, Postgres>,
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
    tx: &mut Transaction<'static, Postgres>,
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

/// Serialises booking writes for one staff member (until the transaction
/// ends) and clears `blocks` on their holds that lapsed by `now`, so the
/// exclusion constraints see exactly the bookings that take time at `now`.
async fn lock_staff(
    tx: &mut Transaction<'static, Postgres>,
    tenant: &TenantId,
    staff: &[&str],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    // Always in the same order, so two writers never wait on each other's lock.
    let mut staff = staff.to_vec();
    staff.sort_unstable();
    staff.dedup();
    for member in staff {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1::text || '/' || $2::text, 0))")
            .bind(tenant.as_str())
            .bind(member)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE bookings SET blocks = false WHERE tenant_id = $1 AND staff_id = $2 AND blocks \
             AND status = 'held' AND held_until <= $3",
        )
        .bind(tenant.as_str())
        .bind(member)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Under [`lock_staff`]: refuses a seat at `sitting` when every seat of it
/// is taken. (Different sittings are refused by `bookings_no_overlap`.)
async fn check_seats(
    tx: &mut Transaction<'static, Postgres>,
    tenant: &TenantId,
    staff: &str,
    sitting: &str,
    capacity: u32,
    except: &str,
) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT count(*) AS taken, min(capacity) AS capacity FROM bookings \
         WHERE tenant_id = $1 AND staff_id = $2 AND blocks AND sitting = $3 AND id <> $4",
    )
    .bind(tenant.as_str())
    .bind(staff)
    .bind(sitting)
    .bind(except)
    .fetch_one(&mut **tx)
    .await?;
    let taken: i64 = row.try_get("taken")?;
    let other_capacity: Option<i32> = row.try_get("capacity")?;
    let seats = i64::from(capacity).min(other_capacity.map_or(i64::MAX, i64::from));
    if taken >= seats {
        return Err(StoreError::SlotTaken { staff: staff.to_owned() });
    }
    Ok(())
}

async fn booking_in(
    tx: &mut Transaction<'static, Postgres>,
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
    tx: &mut Transaction<'static, Postgres>,
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

/// Inserts `booking` with its reschedule link; the exclusion constraints
/// have the last word.
async fn insert_booking(
    tx: &mut Transaction<'static, Postgres>,
    tenant: &TenantId,
    booking: &NewBooking,
    rescheduled_from: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (blocked_from, blocked_until) = booking.blocked_span();
    sqlx::query(
        "INSERT INTO bookings (id, tenant_id, reference, service_id, staff_id, starts_at, \
         ends_at, blocked_from, blocked_until, held_until, capacity, sitting, blocks, \
         customer_id, customer_name, customer_phone, customer_email, status, request_key, \
         rescheduled_from, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21)",
    )
    .bind(&booking.id)
    .bind(tenant.as_str())
    .bind(&booking.reference)
    .bind(&booking.service)
    .bind(&booking.staff)
    .bind(booking.start)
    .bind(booking.end)
    .bind(blocked_from)
    .bind(blocked_until)
    .bind(booking.held_until)
    .bind(i32::try_from(booking.capacity).unwrap_or(i32::MAX))
    .bind(booking.sitting())
    .bind(booking.blocks_at(now))
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
    .map_err(|e| {
        if is_exclusion_violation(&e) {
            StoreError::SlotTaken { staff: booking.staff.clone() }
        } else {
            map_write_error(e, "booking")
        }
    })?;
    Ok(())
}

#[async_trait]
impl BookingStore for PostgresStore {
    async fn put_service(&self, tenant: &TenantId, service: &Service) -> Result<(), StoreError> {
        let mut tx = self.scoped(tenant).await?;
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
        let mut tx = self.scoped(tenant).await?;
        let rows = sqlx::query(
            "SELECT id, name, duration_minutes, details FROM services WHERE tenant_id = $1 \
             ORDER BY id",
        )
        .bind(tenant.as_str())
        .fetch_all(&mut *tx)
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
        let mut tx = self.scoped(tenant).await?;
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
        let mut tx = self.scoped(tenant).await?;
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
        let mut tx = self.scoped(tenant).await?;
        let rows = sqlx::query("SELECT id, name, details FROM staff WHERE tenant_id = $1 ORDER BY id")
            .bind(tenant.as_str())
            .fetch_all(&mut *tx)
            .await?;
        rows.iter()
            .map(|row| {
                let details: Json<serde_json::Value> = row.try_get("details")?;
                Ok(StaffMember { id: row.try_get("id")?, name: row.try_get("name")?, details: details.0 })
            })
            .collect()
    }

    async fn delete_staff(&self, tenant: &TenantId, staff_id: &str) -> Result<(), StoreError> {
        let mut tx = self.scoped(tenant).await?;
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
        let mut tx = self.scoped(tenant).await?;
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
        let mut tx = self.scoped(tenant).await?;
        let row = sqlx::query(
            "SELECT staff_id, weekly_hours FROM schedules WHERE tenant_id = $1 AND staff_id = $2",
        )
        .bind(tenant.as_str())
        .bind(staff_id)
        .fetch_optional(&mut *tx)
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
        if let Some(key) = &booking.request_key {
            if let Some(existing) = self.booking_by_request_key(tenant, key).await? {
                return Ok(existing);
            }
        }
        let mut tx = self.scoped(tenant).await?;
        if booking.blocks_at(now) {
            lock_staff(&mut tx, tenant, &[&booking.staff], now).await?;
            // A concurrent call with the same request key may have committed
            // while this one waited for the lock.
            if let Some(key) = &booking.request_key {
                if let Some(existing) = booking_by_column(&mut tx, tenant, "request_key", key).await? {
                    return Ok(existing);
                }
            }
            check_seats(&mut tx, tenant, &booking.staff, &booking.sitting(), booking.capacity, &booking.id)
                .await?;
        }
        match insert_booking(&mut tx, tenant, booking, None, now).await {
            Ok(()) => {}
            Err(StoreError::Duplicate(what)) => {
                drop(tx);
                // A concurrent call with the same request key won the race.
                if let Some(key) = &booking.request_key {
                    if let Some(existing) = self.booking_by_request_key(tenant, key).await? {
                        return Ok(existing);
                    }
                }
                return Err(StoreError::Duplicate(what));
            }
            Err(other) => return Err(other),
        }
        let created = booking_in(&mut tx, tenant, &booking.id).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn booking(&self, tenant: &TenantId, id: &str) -> Result<StoredBooking, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        booking_in(&mut tx, tenant, id).await
    }

    async fn transition_booking(
        &self,
        tenant: &TenantId,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        let staff = booking_in(&mut tx, tenant, id).await?.booking.staff;
        lock_staff(&mut tx, tenant, &[&staff], now).await?;
        // Read again under the lock: another writer may have changed it.
        let current = booking_in(&mut tx, tenant, id).await?;
        check_transition(&current, from, to, now)?;
        let was_blocking = blocks(current.booking.status, current.held_until, now);
        let blocking = blocks(to, current.held_until, now);
        if blocking && !was_blocking {
            let booking = &current.booking;
            check_seats(
                &mut tx,
                tenant,
                &staff,
                &sitting_key(&booking.service, booking.start, booking.end),
                current.capacity,
                id,
            )
            .await?;
        }
        let updated = sqlx::query(
            "UPDATE bookings SET status = $3, blocks = $4, held_until = $6, updated_at = $5 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(id)
        .bind(status_name(to))
        .bind(blocking)
        .bind(crate::time::now())
        // Only a held booking keeps a hold deadline.
        .bind(if to == BookingStatus::Held { current.held_until } else { None })
        .execute(&mut *tx)
        .await;
        match updated {
            Ok(_) => {}
            Err(e) if is_exclusion_violation(&e) => return Err(StoreError::SlotTaken { staff }),
            Err(e) => return Err(e.into()),
        }
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
        let mut tx = self.scoped(tenant).await?;
        let old_staff = booking_in(&mut tx, tenant, old_id).await?.booking.staff;
        lock_staff(&mut tx, tenant, &[&old_staff, &new.staff], now).await?;
        if let Some(key) = &new.request_key {
            if let Some(existing) = booking_by_column(&mut tx, tenant, "request_key", key).await? {
                return Ok(existing);
            }
        }
        let old = booking_in(&mut tx, tenant, old_id).await?;
        if !blocks(old.booking.status, old.held_until, now) {
            return Err(StoreError::WrongState { id: old_id.to_owned(), status: old.booking.status });
        }
        // Release the old booking's time first, so the new one may overlap it.
        sqlx::query(
            "UPDATE bookings SET status = 'rescheduled', blocks = false, held_until = NULL, \
             rescheduled_to = $3, \
             updated_at = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(old_id)
        .bind(&new.id)
        .bind(crate::time::now())
        .execute(&mut *tx)
        .await?;
        if new.blocks_at(now) {
            check_seats(&mut tx, tenant, &new.staff, &new.sitting(), new.capacity, &new.id).await?;
        }
        insert_booking(&mut tx, tenant, new, Some(old_id), now).await?;
        let created = booking_in(&mut tx, tenant, &new.id).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn booking_by_reference(
        &self,
        tenant: &TenantId,
        reference: &str,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        booking_by_column(&mut tx, tenant, "reference", reference).await
    }

    async fn booking_by_request_key(
        &self,
        tenant: &TenantId,
        request_key: &str,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        booking_by_column(&mut tx, tenant, "request_key", request_key).await
    }

    async fn active_bookings_between(
        &self,
        tenant: &TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        let rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 \
             AND blocked_from < $2 AND blocked_until > $3 \
             AND (status = 'confirmed' OR (status = 'held' \
                  AND held_until > $4)) \
             ORDER BY starts_at, id"
        ))
        .bind(tenant.as_str())
        .bind(to)
        .bind(from)
        .bind(now)
        .fetch_all(&mut *tx)
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
        let mut tx = self.scoped(tenant).await?;
        let rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 \
             AND ($2::text IS NULL OR staff_id = $2) AND blocked_from < $3 AND blocked_until > $4 \
             ORDER BY starts_at, id"
        ))
        .bind(tenant.as_str())
        .bind(staff)
        .bind(to)
        .bind(from)
        .fetch_all(&mut *tx)
        .await?;
        rows.iter().map(booking_from_row).collect()
    }

    async fn bookings_for_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        let rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND customer_phone = $2 \
             ORDER BY starts_at, id"
        ))
        .bind(tenant.as_str())
        .bind(phone)
        .fetch_all(&mut *tx)
        .await?;
        rows.iter().map(booking_from_row).collect()
    }
}

#[async_trait]
impl CustomerStore for PostgresStore {
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
        let mut tx = self.scoped(tenant).await?;
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
        let mut tx = self.scoped(tenant).await?;
        let row = sqlx::query(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.as_str())
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("customer", id))?;
        customer_from_row(&row)
    }

    async fn customer_by_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Option<CustomerRecord>, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        let row = sqlx::query(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1",
        )
        .bind(tenant.as_str())
        .bind(phone)
        .fetch_optional(&mut *tx)
        .await?;
        row.as_ref().map(customer_from_row).transpose()
    }

    async fn export_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
    ) -> Result<serde_json::Value, StoreError> {
        let mut tx = self.scoped(tenant).await?;
        let customer = self.customer(tenant, customer_id).await?;
        let conversation_rows = sqlx::query(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 \
             AND customer_id = $2 ORDER BY created_at, id"
        ))
        .bind(tenant.as_str())
        .bind(customer_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut conversations = Vec::new();
        for row in &conversation_rows {
            let conversation = conversation_from_row(row)?;
            let events = self.events(tenant, &conversation.id, 0).await?;
            conversations.push(crate::privacy::conversation_json(&conversation, &events));
        }
        let booking_rows = sqlx::query(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND (customer_id = $2 \
             OR ($3::text IS NOT NULL AND customer_phone = $3) \
             OR ($4::text IS NOT NULL AND customer_email = $4)) ORDER BY starts_at, id"
        ))
        .bind(tenant.as_str())
        .bind(customer_id)
        .bind(&customer.phone)
        .bind(&customer.email)
        .fetch_all(&mut *tx)
        .await?;
        let bookings = booking_rows.iter().map(booking_from_row).collect::<Result<Vec<_>, _>>()?;
        let audit_rows = sqlx::query(
            "SELECT id, actor, action, target, details, recorded_at FROM audit_log \
             WHERE tenant_id = $1 AND target = $2 ORDER BY id",
        )
        .bind(tenant.as_str())
        .bind(crate::privacy::customer_target(customer_id))
        .fetch_all(&mut *tx)
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
        let mut tx = self.scoped(tenant).await?;
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
             OR ($3::text IS NOT NULL AND customer_phone = $3) \
             OR ($4::text IS NOT NULL AND customer_email = $4))",
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
    tx: &mut Transaction<'static, Postgres>,
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
    tx: &mut Transaction<'static, Postgres>,
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
