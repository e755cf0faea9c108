//! Customers, and what privacy law lets them ask for: everything stored about
//! them, and its erasure.

use async_trait::async_trait;
use sqlx::types::Json;

use super::audit::{audit_from_row, insert_audit, AUDIT_COLUMNS};
use super::bookings::{booking_from_row, BOOKING_COLUMNS};
use super::conversations::{conversation_from_row, events_after, CONVERSATION_COLUMNS};
use super::{query, Backend, Col, Columns, Param, RowsAffected, Run};
use crate::customer::{redacted_event, ERASED_NAME};
use crate::tenant::new_id;
use crate::{CustomerRecord, CustomerStore, ErasureReport, NewCustomer, StoreError, TenantId};

fn customer_from_row(row: &impl Columns) -> Result<CustomerRecord, StoreError> {
    Ok(CustomerRecord {
        id: row.col("id")?,
        name: row.col("name")?,
        phone: row.col("phone")?,
        email: row.col("email")?,
        created_at: row.col("created_at")?,
        erased_at: row.col("erased_at")?,
    })
}

#[async_trait]
impl<B: Backend> CustomerStore for B {
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
        let mut tx = self.write(tenant).await?;
        query::<B>(
            "INSERT INTO customers (id, tenant_id, name, phone, email, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .param(record.id.as_str())
        .param(tenant.as_str())
        .param(record.name.as_deref())
        .param(record.phone.as_deref())
        .param(record.email.as_deref())
        .param(record.created_at)
        .execute_in(&mut *tx)
        .await
        .map_err(|e| super::write_error(e, "customer"))?;
        tx.commit().await?;
        Ok(record)
    }

    async fn customer(&self, tenant: &TenantId, id: &str) -> Result<CustomerRecord, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND id = $2",
        )
        .param(tenant.as_str())
        .param(id)
        .fetch_optional_in(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("customer", id))?;
        customer_from_row(&row)
    }

    async fn customer_by_phone(
        &self,
        tenant: &TenantId,
        phone: &str,
    ) -> Result<Option<CustomerRecord>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let row = query::<B>(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND phone = $2 ORDER BY created_at LIMIT 1",
        )
        .param(tenant.as_str())
        .param(phone)
        .fetch_optional_in(&mut *conn)
        .await?;
        row.as_ref().map(customer_from_row).transpose()
    }

    async fn export_customer(
        &self,
        tenant: &TenantId,
        customer_id: &str,
    ) -> Result<serde_json::Value, StoreError> {
        let customer = self.customer(tenant, customer_id).await?;
        let mut conn = self.read(tenant).await?;
        let conversation_rows = query::<B>(&format!(
            "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE tenant_id = $1 \
             AND customer_id = $2 ORDER BY created_at, id"
        ))
        .param(tenant.as_str())
        .param(customer_id)
        .fetch_all_in(&mut *conn)
        .await?;
        let mut conversations = Vec::new();
        for row in &conversation_rows {
            let conversation = conversation_from_row(row)?;
            let events = events_after::<B>(&mut conn, tenant, &conversation.id, 0).await?;
            conversations.push(crate::privacy::conversation_json(&conversation, &events));
        }
        let booking_rows = query::<B>(&format!(
            "SELECT {BOOKING_COLUMNS} FROM bookings WHERE tenant_id = $1 AND (customer_id = $2 \
             OR ($3 IS NOT NULL AND customer_phone = $3) \
             OR ($4 IS NOT NULL AND customer_email = $4)) ORDER BY starts_at, id"
        ))
        .param(tenant.as_str())
        .param(customer_id)
        .param(customer.phone.as_deref())
        .param(customer.email.as_deref())
        .fetch_all_in(&mut *conn)
        .await?;
        let bookings = booking_rows.iter().map(booking_from_row::<B>).collect::<Result<Vec<_>, _>>()?;
        let audit_rows = query::<B>(&format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE tenant_id = $1 AND target = $2 ORDER BY id"
        ))
        .param(tenant.as_str())
        .param(crate::privacy::customer_target(customer_id))
        .fetch_all_in(&mut *conn)
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
        let mut tx = self.write(tenant).await?;
        let row = query::<B>(
            "SELECT id, name, phone, email, created_at, erased_at FROM customers \
             WHERE tenant_id = $1 AND id = $2",
        )
        .param(tenant.as_str())
        .param(customer_id)
        .fetch_optional_in(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found("customer", customer_id))?;
        let customer = customer_from_row(&row)?;
        let conversation_ids =
            query::<B>("SELECT id FROM conversations WHERE tenant_id = $1 AND customer_id = $2")
                .param(tenant.as_str())
                .param(customer_id)
                .fetch_all_in(&mut *tx)
                .await?
                .iter()
                .map(|row| row.col("id"))
                .collect::<Result<Vec<String>, _>>()?;
        let mut report = ErasureReport {
            conversations: conversation_ids.len() as u64,
            events_redacted: 0,
            bookings_anonymised: 0,
        };
        let now = crate::time::now();
        let erased_state = crate::privacy::erased_state();
        for conversation_id in &conversation_ids {
            let events = query::<B>(
                "SELECT seq, event FROM conversation_events \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .param(tenant.as_str())
            .param(conversation_id.as_str())
            .fetch_all_in(&mut *tx)
            .await?;
            for event in &events {
                let seq: i64 = event.col("seq")?;
                let body: Json<serde_json::Value> = event.col("event")?;
                query::<B>(
                    "UPDATE conversation_events SET event = $4 \
                     WHERE tenant_id = $1 AND conversation_id = $2 AND seq = $3",
                )
                .param(tenant.as_str())
                .param(conversation_id.as_str())
                .param(seq)
                .param(Json(&redacted_event(&body.0)))
                .execute_in(&mut *tx)
                .await?;
                report.events_redacted += 1;
            }
            // A rating's comment is the customer's words; its score stays for the figures.
            query::<B>(
                "UPDATE conversation_ratings SET comment = NULL \
                 WHERE tenant_id = $1 AND conversation_id = $2",
            )
            .param(tenant.as_str())
            .param(conversation_id.as_str())
            .execute_in(&mut *tx)
            .await?;
            query::<B>(
                "UPDATE conversations SET state = $3, status = 'closed', updated_at = $4 \
                 WHERE tenant_id = $1 AND id = $2",
            )
            .param(tenant.as_str())
            .param(conversation_id.as_str())
            .param(Json(&erased_state))
            .param(now)
            .execute_in(&mut *tx)
            .await?;
        }
        let anonymised = query::<B>(
            "UPDATE bookings SET customer_name = $5, customer_phone = NULL, \
             customer_email = NULL, updated_at = $6 WHERE tenant_id = $1 AND (customer_id = $2 \
             OR ($3 IS NOT NULL AND customer_phone = $3) \
             OR ($4 IS NOT NULL AND customer_email = $4))",
        )
        .param(tenant.as_str())
        .param(customer_id)
        .param(customer.phone.as_deref())
        .param(customer.email.as_deref())
        .param(ERASED_NAME)
        .param(now)
        .execute_in(&mut *tx)
        .await?;
        report.bookings_anonymised = anonymised.rows_affected();
        query::<B>(
            "UPDATE customers SET name = NULL, phone = NULL, email = NULL, erased_at = $3 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .param(tenant.as_str())
        .param(customer_id)
        .param(now)
        .execute_in(&mut *tx)
        .await?;
        insert_audit::<B>(&mut tx, tenant, &crate::privacy::erasure_audit(customer_id, actor, &report))
            .await?;
        tx.commit().await?;
        Ok(report)
    }
}
