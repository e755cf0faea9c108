//! The audit log.

use async_trait::async_trait;
use sqlx::types::Json;

use super::{query, Backend, Col, Columns, Conn, Param, Run};
use crate::{AuditEntry, AuditStore, NewAuditEntry, StoreError, TenantId};

/// The columns [`audit_from_row`] reads.
pub(super) const AUDIT_COLUMNS: &str = "id, actor, action, target, details, recorded_at";

pub(super) fn audit_from_row(row: &impl Columns) -> Result<AuditEntry, StoreError> {
    let details: Json<serde_json::Value> = row.col("details")?;
    Ok(AuditEntry {
        id: row.col("id")?,
        actor: row.col("actor")?,
        action: row.col("action")?,
        target: row.col("target")?,
        details: details.0,
        recorded_at: row.col("recorded_at")?,
    })
}

/// Records `entry` in `conn`'s transaction.
pub(super) async fn insert_audit<B: Backend>(
    conn: &mut Conn<B>,
    tenant: &TenantId,
    entry: &NewAuditEntry,
) -> Result<AuditEntry, StoreError> {
    let row = query::<B>(
        "INSERT INTO audit_log (tenant_id, actor, action, target, details, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, actor, action, target, details, recorded_at",
    )
    .param(tenant.as_str())
    .param(entry.actor.as_str())
    .param(entry.action.as_str())
    .param(entry.target.as_deref())
    .param(Json(&entry.details))
    .param(crate::time::now())
    .fetch_one_in(conn)
    .await
    .map_err(|e| super::write_error(e, "audit entry"))?;
    audit_from_row(&row)
}

#[async_trait]
impl<B: Backend> AuditStore for B {
    async fn record_audit(&self, tenant: &TenantId, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        let mut tx = self.write(tenant).await?;
        let recorded = insert_audit::<B>(&mut tx, tenant, entry).await?;
        tx.commit().await?;
        Ok(recorded)
    }

    async fn audit_log(&self, tenant: &TenantId) -> Result<Vec<AuditEntry>, StoreError> {
        let mut conn = self.read(tenant).await?;
        let rows = query::<B>(
            "SELECT id, actor, action, target, details, recorded_at FROM audit_log \
             WHERE tenant_id = $1 ORDER BY id",
        )
        .param(tenant.as_str())
        .fetch_all_in(&mut *conn)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }
}
