//! The catalog (services, staff, schedules) and bookings.
//!
//! The booking rule (see [`crate::booking`]) is each backend's to enforce
//! ([`Backend::lock_staff`], [`Backend::admit`]); the flows around it (request
//! keys, transitions, reschedules) are written once, here.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use concierge_core::booking::{Booking, BookingStatus, Customer};
use sqlx::types::Json;

use super::{query, Backend, Col, Conn, Param, ReadsStr, Row, RowsAffected, Run};
use crate::booking::{blocks, check_transition, parse_status, sitting_key, status_name};
use crate::{BookingStore, NewBooking, Schedule, Service, StaffMember, StoreError, StoredBooking, TenantId};

/// The columns [`booking_from_row`] reads.
pub(super) const BOOKING_COLUMNS: &str = "id, reference, service_id, staff_id, starts_at, ends_at, \
     blocked_from, blocked_until, held_until, capacity, customer_id, customer_name, \
     customer_phone, customer_email, status, request_key, rescheduled_from, rescheduled_to, \
     created_at";

/// A seat a booking asks for: the time of one staff member, at one sitting
/// (same service, start and end) of `capacity` seats.
pub(crate) struct Seat<'a> {
    /// The staff member.
    pub(crate) staff: &'a str,
    /// The sitting ([`sitting_key`]).
    pub(crate) sitting: &'a str,
    /// The time it blocks, `[from, until)`.
    pub(crate) span: (DateTime<Utc>, DateTime<Utc>),
    /// How many seats the sitting has.
    pub(crate) capacity: u32,
    /// A booking that does not count against it (the booking itself).
    pub(crate) except: &'a str,
}

impl<'a> Seat<'a> {
    fn of(booking: &'a NewBooking, sitting: &'a str, except: &'a str) -> Self {
        Seat {
            staff: &booking.staff,
            sitting,
            span: booking.blocked_span(),
            capacity: booking.capacity,
            except,
        }
    }
}

pub(super) fn booking_from_row<B: Backend>(row: &Row<B>) -> Result<StoredBooking, StoreError> {
    let instant = |column: &str| B::from_instant(row.col(column)?);
    let held_until: Option<B::Instant> = row.col("held_until")?;
    let capacity: i32 = row.col("capacity")?;
    Ok(StoredBooking {
        booking: Booking {
            id: row.col("id")?,
            reference: row.col("reference")?,
            service: row.col("service_id")?,
            staff: row.col("staff_id")?,
            start: instant("starts_at")?,
            end: instant("ends_at")?,
            customer: Customer {
                name: row.col("customer_name")?,
                phone: row.col("customer_phone")?,
                email: row.col("customer_email")?,
            },
            status: parse_status(row.col_str("status")?)?,
        },
        request_key: row.col("request_key")?,
        held_until: held_until.map(B::from_instant).transpose()?,
        blocked_from: instant("blocked_from")?,
        blocked_until: instant("blocked_until")?,
        capacity: u32::try_from(capacity).map_err(|_| StoreError::Corrupt(format!("capacity {capacity}")))?,
        customer_id: row.col("customer_id")?,
        rescheduled_from: row.col("rescheduled_from")?,
        rescheduled_to: row.col("rescheduled_to")?,
        created_at: row.col("created_at")?,
    })
}

/// A failed booking write: taking time the database refuses is
/// [`StoreError::SlotTaken`].
fn booking_error<B: Backend>(error: sqlx::Error, staff: &str) -> StoreError {
    if B::is_slot_conflict(&error) {
        StoreError::SlotTaken { staff: staff.to_owned() }
    } else {
        super::write_error(error, "booking")
    }
}

async fn booking_in<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    id: &str,
) -> Result<StoredBooking, StoreError> {
    let row = query::<B>(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND id = $2"))
        .param(tenant.as_str())
        .param(id)
        .fetch_optional_in(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("booking", id))?;
    booking_from_row::<B>(&row)
}

/// The booking whose `column` (`reference` or `request_key`) is `value`.
async fn booking_by_column<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    column: &'static str,
    value: &str,
) -> Result<Option<StoredBooking>, StoreError> {
    let row =
        query::<B>(&format!("SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND {column} = $2"))
            .param(tenant.as_str())
            .param(value)
            .fetch_optional_in(conn)
            .await?;
    row.as_ref().map(booking_from_row::<B>).transpose()
}

/// Inserts `booking` (admitted already) with its reschedule link; `blocks`
/// says whether it takes its time now (PostgreSQL's exclusion constraints,
/// which read that flag, have the last word).
async fn insert_booking<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    booking: &NewBooking,
    rescheduled_from: Option<&str>,
    blocks: bool,
) -> Result<(), StoreError> {
    let (blocked_from, blocked_until) = booking.blocked_span();
    let (blocks_column, blocks_value) = if B::KEEPS_BLOCKS { (", blocks", ", $21") } else { ("", "") };
    let sql = format!(
        "INSERT INTO bookings (id, tenant_id, reference, service_id, staff_id, starts_at, \
         ends_at, blocked_from, blocked_until, held_until, capacity, sitting, \
         customer_id, customer_name, customer_phone, customer_email, status, request_key, \
         rescheduled_from, created_at, updated_at{blocks_column}) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20{blocks_value})"
    );
    let sitting = booking.sitting();
    let mut insert = query::<B>(&sql)
        .param(booking.id.as_str())
        .param(tenant.as_str())
        .param(booking.reference.as_str())
        .param(booking.service.as_str())
        .param(booking.staff.as_str())
        .param(B::instant(booking.start))
        .param(B::instant(booking.end))
        .param(B::instant(blocked_from))
        .param(B::instant(blocked_until))
        .param(booking.held_until.map(B::instant))
        .param(i32::try_from(booking.capacity).unwrap_or(i32::MAX))
        .param(sitting.as_str())
        .param(booking.customer_id.as_deref())
        .param(booking.customer.name.as_str())
        .param(booking.customer.phone.as_deref())
        .param(booking.customer.email.as_deref())
        .param(status_name(booking.status))
        .param(booking.request_key.as_deref())
        .param(rescheduled_from)
        .param(booking.created_at.map_or_else(crate::time::now, crate::time::truncate));
    if B::KEEPS_BLOCKS {
        insert = insert.param(blocks);
    }
    insert.execute_in(conn).await.map_err(|e| booking_error::<B>(e, &booking.staff))?;
    Ok(())
}

#[async_trait]
impl<B: Backend> BookingStore for B {
    async fn put_service(&self, tenant: &TenantId, service: &Service) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO services (tenant_id, id, name, duration_minutes, details) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, id) DO UPDATE SET \
             name = excluded.name, duration_minutes = excluded.duration_minutes, \
             details = excluded.details",
        )
        .param(tenant.as_str())
        .param(service.id.as_str())
        .param(service.name.as_str())
        .param(service.duration_minutes)
        .param(Json(&service.details))
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "service"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn services(&self, tenant: &TenantId) -> Result<Vec<Service>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(
            "SELECT id, name, duration_minutes, details FROM services WHERE tenant_id = $1 \
             ORDER BY id",
        )
        .param(tenant.as_str())
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter()
            .map(|row| {
                let details: Json<serde_json::Value> = row.col("details")?;
                Ok(Service {
                    id: row.col("id")?,
                    name: row.col("name")?,
                    duration_minutes: row.col("duration_minutes")?,
                    details: details.0,
                })
            })
            .collect()
    }

    async fn delete_service(&self, tenant: &TenantId, service_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        let done = query::<B>("DELETE FROM services WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(service_id)
            .execute_in(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("service", service_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_staff(&self, tenant: &TenantId, staff: &StaffMember) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO staff (tenant_id, id, name, details) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, \
             details = excluded.details",
        )
        .param(tenant.as_str())
        .param(staff.id.as_str())
        .param(staff.name.as_str())
        .param(Json(&staff.details))
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "staff member"))?;
        tx.commit().await?;
        Ok(())
    }

    async fn staff(&self, tenant: &TenantId) -> Result<Vec<StaffMember>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>("SELECT id, name, details FROM staff WHERE tenant_id = $1 ORDER BY id")
            .param(tenant.as_str())
            .fetch_all_in(&mut *conn)
            .await?;
        rows.iter()
            .map(|row| {
                let details: Json<serde_json::Value> = row.col("details")?;
                Ok(StaffMember { id: row.col("id")?, name: row.col("name")?, details: details.0 })
            })
            .collect()
    }

    async fn delete_staff(&self, tenant: &TenantId, staff_id: &str) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        query::<B>("DELETE FROM schedules WHERE tenant_id = $1 AND staff_id = $2")
            .param(tenant.as_str())
            .param(staff_id)
            .execute_in(&mut *tx)
            .await?;
        let done = query::<B>("DELETE FROM staff WHERE tenant_id = $1 AND id = $2")
            .param(tenant.as_str())
            .param(staff_id)
            .execute_in(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::not_found("staff member", staff_id));
        }
        tx.commit().await?;
        Ok(())
    }

    async fn put_schedule(&self, tenant: &TenantId, schedule: &Schedule) -> Result<(), StoreError> {
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO schedules (tenant_id, staff_id, weekly_hours) VALUES ($1, $2, $3) \
             ON CONFLICT (tenant_id, staff_id) DO UPDATE SET weekly_hours = excluded.weekly_hours",
        )
        .param(tenant.as_str())
        .param(schedule.staff_id.as_str())
        .param(Json(&schedule.weekly_hours))
        .execute_in(&mut *tx)
        .await
        .map_err(|e| match super::write_error(e, "schedule") {
            StoreError::NotFound { .. } => StoreError::not_found("staff member", schedule.staff_id.as_str()),
            other => other,
        })?;
        tx.commit().await?;
        Ok(())
    }

    async fn schedule(&self, tenant: &TenantId, staff_id: &str) -> Result<Option<Schedule>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row =
            query::<B>("SELECT staff_id, weekly_hours FROM schedules WHERE tenant_id = $1 AND staff_id = $2")
                .param(tenant.as_str())
                .param(staff_id)
                .fetch_optional_in(&mut *conn)
                .await?;
        row.map(|row| {
            let hours: Json<serde_json::Value> = row.col("weekly_hours")?;
            Ok(Schedule { staff_id: row.col("staff_id")?, weekly_hours: hours.0 })
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
        let blocks = booking.blocks_at(now);
        let mut tx = self.write(tenant).await?;
        if blocks {
            B::lock_staff(&mut tx, tenant, &[&booking.staff], now).await?;
        }
        // A call with the same request key may have committed while this
        // one waited for the lock.
        if let Some(key) = &booking.request_key {
            if let Some(existing) = booking_by_column::<B>(&mut tx, tenant, "request_key", key).await? {
                return Ok(existing);
            }
        }
        if blocks {
            let sitting = booking.sitting();
            B::admit(&mut tx, tenant, &Seat::of(booking, &sitting, &booking.id), now).await?;
        }
        match insert_booking::<B>(&mut tx, tenant, booking, None, blocks).await {
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
        let created = booking_in::<B>(&mut tx, tenant, &booking.id).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn booking(&self, tenant: &TenantId, id: &str) -> Result<StoredBooking, StoreError> {
        let mut conn = self.read(tenant).await?;
        booking_in::<B>(&mut conn, tenant, id).await
    }

    async fn transition_booking(
        &self,
        tenant: &TenantId,
        id: &str,
        from: &[BookingStatus],
        to: BookingStatus,
        now: DateTime<Utc>,
    ) -> Result<StoredBooking, StoreError> {
        let mut tx = self.write(tenant).await?;
        let staff = booking_in::<B>(&mut tx, tenant, id).await?.booking.staff;
        B::lock_staff(&mut tx, tenant, &[&staff], now).await?;
        // Read again under the lock: another writer may have changed it.
        let current = booking_in::<B>(&mut tx, tenant, id).await?;
        check_transition(&current, from, to, now)?;
        let was_blocking = blocks(current.booking.status, current.held_until, now);
        let blocking = blocks(to, current.held_until, now);
        if blocking && !was_blocking {
            let booking = &current.booking;
            let sitting = sitting_key(&booking.service, booking.start, booking.end);
            let seat = Seat {
                staff: &staff,
                sitting: &sitting,
                span: (current.blocked_from, current.blocked_until),
                capacity: current.capacity,
                except: id,
            };
            B::admit(&mut tx, tenant, &seat, now).await?;
        }
        let sql = format!(
            "UPDATE bookings SET status = $3, held_until = $4, updated_at = $5{} \
             WHERE tenant_id = $1 AND id = $2",
            if B::KEEPS_BLOCKS { ", blocks = $6" } else { "" }
        );
        let mut update = query::<B>(&sql)
            .param(tenant.as_str())
            .param(id)
            .param(status_name(to))
            // Only a held booking keeps a hold deadline.
            .param(if to == BookingStatus::Held { current.held_until.map(B::instant) } else { None })
            .param(crate::time::now());
        if B::KEEPS_BLOCKS {
            update = update.param(blocking);
        }
        update.execute_in(&mut *tx).await.map_err(|e| booking_error::<B>(e, &staff))?;
        let updated = booking_in::<B>(&mut tx, tenant, id).await?;
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
        let mut tx = self.write(tenant).await?;
        let old_staff = booking_in::<B>(&mut tx, tenant, old_id).await?.booking.staff;
        B::lock_staff(&mut tx, tenant, &[&old_staff, &new.staff], now).await?;
        if let Some(key) = &new.request_key {
            if let Some(existing) = booking_by_column::<B>(&mut tx, tenant, "request_key", key).await? {
                return Ok(existing);
            }
        }
        let old = booking_in::<B>(&mut tx, tenant, old_id).await?;
        if !blocks(old.booking.status, old.held_until, now) {
            return Err(StoreError::WrongState { id: old_id.to_owned(), status: old.booking.status });
        }
        // Release the old booking's time first, so the new one may overlap it.
        let sql = format!(
            "UPDATE bookings SET status = 'rescheduled', held_until = NULL, rescheduled_to = $3, \
             updated_at = $4{} WHERE tenant_id = $1 AND id = $2",
            if B::KEEPS_BLOCKS { ", blocks = false" } else { "" }
        );
        query::<B>(&sql)
            .param(tenant.as_str())
            .param(old_id)
            .param(new.id.as_str())
            .param(crate::time::now())
            .execute_in(&mut *tx)
            .await?;
        let blocks = new.blocks_at(now);
        if blocks {
            let sitting = new.sitting();
            B::admit(&mut tx, tenant, &Seat::of(new, &sitting, &new.id), now).await?;
        }
        insert_booking::<B>(&mut tx, tenant, new, Some(old_id), blocks).await?;
        let created = booking_in::<B>(&mut tx, tenant, &new.id).await?;
        tx.commit().await?;
        Ok(created)
    }

    async fn booking_by_reference(
        &self,
        tenant: &TenantId,
        reference: &str,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut conn = self.read(tenant).await?;
        booking_by_column::<B>(&mut conn, tenant, "reference", reference).await
    }

    async fn booking_by_request_key(
        &self,
        tenant: &TenantId,
        request_key: &str,
    ) -> Result<Option<StoredBooking>, StoreError> {
        let mut conn = self.read(tenant).await?;
        booking_by_column::<B>(&mut conn, tenant, "request_key", request_key).await
    }

    async fn active_bookings_between(
        &self,
        tenant: &TenantId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 \
             AND blocked_from < $2 AND blocked_until > $3 \
             AND (status = 'confirmed' OR (status = 'held' AND held_until > $4)) \
             ORDER BY starts_at, id"
        ))
        .param(tenant.as_str())
        .param(B::instant(to))
        .param(B::instant(from))
        .param(B::instant(now))
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(booking_from_row::<B>).collect()
    }

    async fn bookings_between(
        &self,
        tenant: &TenantId,
        staff: Option<&str>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 \
             AND ($2 IS NULL OR staff_id = $2) AND blocked_from < $3 AND blocked_until > $4 \
             ORDER BY starts_at, id"
        ))
        .param(tenant.as_str())
        .param(staff)
        .param(B::instant(to))
        .param(B::instant(from))
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(booking_from_row::<B>).collect()
    }

    async fn bookings_for_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Vec<StoredBooking>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND customer_phone = $2 \
             ORDER BY starts_at, id"
        ))
        .param(tenant.as_str())
        .param(phone)
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(booking_from_row::<B>).collect()
    }
}
