//! The operator's view of tenants: time zones, disabling, listing, one-time
//! invitations for a new owner, and erasing a whole tenant.

use chrono::{Duration, TimeDelta, TimeZone, Utc};
use concierge_core::booking::Customer;
use concierge_store::{
    ConversationFilter, InviteRejection, NewAuditEntry, NewBooking, NewConversation, NewCustomer,
    NewKnowledgeEntry, NewPublishableKey, Store, StoreError, TenantId, TurnWrite,
};
use serde_json::json;

use crate::backend::{run_story, Backend, Raw};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_are_listed_disabled_and_given_a_time_zone() {
    run_story("tenant lifecycle", lifecycle_story).await;
}

async fn lifecycle_story(backend: Backend) {
    let store = backend.store.as_ref();
    let salon = store.create_tenant_with_id(&TenantId::parse("salon").unwrap(), "Salon").await.unwrap();
    let clinic = store.create_tenant_with_id(&TenantId::parse("clinic").unwrap(), " Clinic ").await.unwrap();
    assert_eq!(clinic.name, "Clinic");
    assert!(matches!(
        store.create_tenant_with_id(&TenantId::parse("blank").unwrap(), "  ").await,
        Err(StoreError::Invalid(_))
    ));

    let zoned = store.set_tenant_timezone(&salon.id, Some("Europe/Dublin")).await.unwrap();
    assert_eq!(zoned.timezone.as_deref(), Some("Europe/Dublin"));
    assert!(matches!(
        store.set_tenant_timezone(&salon.id, Some("Mars/Olympus")).await,
        Err(StoreError::Invalid(_))
    ));
    let missing = TenantId::parse("nobody").unwrap();
    assert!(matches!(store.set_tenant_timezone(&missing, None).await, Err(StoreError::NotFound { .. })));

    let disabled = store.set_tenant_disabled(&clinic.id, true).await.unwrap();
    let when = disabled.disabled_at.expect("disabled");
    let again = store.set_tenant_disabled(&clinic.id, true).await.unwrap();
    assert_eq!(again.disabled_at, Some(when), "disabling twice keeps the first time");
    assert_eq!(store.set_tenant_disabled(&clinic.id, false).await.unwrap().disabled_at, None);
    assert!(matches!(store.set_tenant_disabled(&missing, true).await, Err(StoreError::NotFound { .. })));

    // Every tenant, by id, whatever tenant a connection last served.
    let listed: Vec<(String, Option<String>)> =
        store.tenants().await.unwrap().into_iter().map(|t| (t.id.to_string(), t.timezone)).collect();
    assert_eq!(listed, [("clinic".into(), None), ("salon".into(), Some("Europe/Dublin".into()))]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_invitation_sets_a_password_once() {
    run_story("invitations", invitation_story).await;
}

fn rejection(result: Result<impl std::fmt::Debug, StoreError>) -> InviteRejection {
    match result {
        Err(StoreError::InviteRejected(why)) => why,
        other => panic!("expected a refused invitation, got {other:?}"),
    }
}

async fn invitation_story(backend: Backend) {
    let store = backend.store.as_ref();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let owner =
        store.create_user(&tenant, "owner@salon.test", "unguessable placeholder", "owner").await.unwrap();
    let now = Utc::now();
    let invite = store.create_invite(&tenant, &owner.id, now, TimeDelta::days(7)).await.unwrap();
    assert!(invite.secret.starts_with(&format!("inv_{tenant}.")));
    assert!(!format!("{invite:?}").contains(&invite.secret), "Debug hides the secret");

    let user = store.accept_invite(&invite.secret, "a new password", now).await.unwrap();
    assert_eq!(user.id, owner.id);
    let logged_in = store.verify_user(&tenant, "owner@salon.test", "a new password").await.unwrap();
    assert_eq!(logged_in.map(|u| u.id), Some(owner.id.clone()));
    assert!(store
        .verify_user(&tenant, "owner@salon.test", "unguessable placeholder")
        .await
        .unwrap()
        .is_none());

    // Once only.
    assert_eq!(rejection(store.accept_invite(&invite.secret, "another", now).await), InviteRejection::Used);
    assert!(store.verify_user(&tenant, "owner@salon.test", "another").await.unwrap().is_none());

    // Not after it expires.
    let late = store.create_invite(&tenant, &owner.id, now, TimeDelta::hours(1)).await.unwrap();
    let after = now + TimeDelta::hours(2);
    assert_eq!(rejection(store.accept_invite(&late.secret, "late", after).await), InviteRejection::Expired);

    // Malformed, unknown, or presented as another tenant's.
    let other = store.create_tenant("Other").await.unwrap().id;
    let moved = late.secret.replacen(tenant.as_str(), other.as_str(), 1);
    for bad in ["", "inv_", "rt_x.00", moved.as_str(), &format!("inv_{tenant}.{}", "0".repeat(64))] {
        assert_eq!(rejection(store.accept_invite(bad, "pw", now).await), InviteRejection::Unknown, "{bad:?}");
    }
    // An invitation for a user the tenant does not have is refused.
    assert!(store.create_invite(&tenant, "no-such-user", now, TimeDelta::days(1)).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_tenant_erases_everything_it_holds_and_nothing_else() {
    run_story("tenant erasure", erasure_story).await;
}

/// Gives `tenant` a row in most of its tables.
async fn fill(store: &dyn Store, tenant: &TenantId, who: &str) {
    let user = store.create_user(tenant, &format!("{who}@example.test"), "pw", "owner").await.unwrap();
    store.create_invite(tenant, &user.id, Utc::now(), TimeDelta::days(1)).await.unwrap();
    store.issue_refresh_token(tenant, &user.id, None, Utc::now(), TimeDelta::days(1)).await.unwrap();
    store.create_api_key(tenant, "zapier").await.unwrap();
    let bot = store.create_bot(tenant, "Concierge").await.unwrap();
    let version = store.add_bot_version(tenant, &bot.id, &json!({"name": who})).await.unwrap();
    store.activate_bot_version(tenant, &bot.id, version).await.unwrap();
    store
        .put_publishable_key(
            tenant,
            &NewPublishableKey {
                key: format!("pk_{who}_widget"),
                bot_id: bot.id.clone(),
                allowed_origins: vec!["*".into()],
            },
        )
        .await
        .unwrap();
    let customer = store
        .create_customer(
            tenant,
            &NewCustomer { name: Some(who.into()), phone: Some("+15550001111".into()), email: None },
        )
        .await
        .unwrap();
    let conversation = store
        .create_conversation(
            tenant,
            &NewConversation {
                bot_id: Some(bot.id.clone()),
                channel: "web".into(),
                external_ref: None,
                customer_id: Some(customer.id.clone()),
                state: json!({}),
            },
        )
        .await
        .unwrap();
    store
        .append_turn(
            tenant,
            &conversation.id,
            0,
            &TurnWrite::new(
                vec![
                    json!({"type": "user_message", "text": who}),
                    json!({"type": "bot_reply", "text": "hi"}),
                ],
                json!({}),
            ),
        )
        .await
        .unwrap();
    let start = Utc.with_ymd_and_hms(2030, 7, 1, 14, 0, 0).unwrap();
    store
        .create_booking(
            tenant,
            &NewBooking {
                customer_id: Some(customer.id),
                ..NewBooking::confirmed(
                    "b1",
                    "R-1",
                    "cut",
                    "maria",
                    start,
                    start + Duration::minutes(30),
                    Customer { name: who.into(), phone: Some("+15550001111".into()), email: None },
                )
            },
            Utc::now(),
        )
        .await
        .unwrap();
    store
        .put_knowledge_entry(
            tenant,
            &NewKnowledgeEntry {
                id: "hours".into(),
                title: "Opening hours".into(),
                alternatives: vec![],
                source: "admin".into(),
                body: format!("{who} opens at 9"),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    store
        .record_audit(
            tenant,
            &NewAuditEntry { actor: who.into(), action: "test".into(), target: None, details: json!({}) },
        )
        .await
        .unwrap();
}

async fn erasure_story(backend: Backend) {
    let store = backend.store.as_ref();
    let gone = store.create_tenant_with_id(&TenantId::parse("gone").unwrap(), "Gone").await.unwrap().id;
    let kept = store.create_tenant_with_id(&TenantId::parse("kept").unwrap(), "Kept").await.unwrap().id;
    fill(store, &gone, "gone").await;
    fill(store, &kept, "kept").await;

    let erasure = store.delete_tenant(&gone).await.unwrap();
    let rows = |table: &str| erasure.rows.iter().find(|(t, _)| t == table).map(|(_, n)| *n);
    for (table, expected) in [
        ("users", 1),
        ("user_invites", 1),
        ("refresh_tokens", 1),
        ("api_keys", 1),
        ("bots", 1),
        ("bot_versions", 1),
        ("publishable_keys", 1),
        ("customers", 1),
        ("conversations", 1),
        ("conversation_events", 2),
        ("bookings", 1),
        ("knowledge_entries", 1),
        ("audit_log", 1),
        ("tenants", 1),
    ] {
        assert_eq!(rows(table), Some(expected), "{table}: {:?}", erasure.rows);
    }
    // Every table with a tenant column is emptied of the tenant's rows: a
    // table added later and forgotten by the erasure fails here. The search
    // index (a virtual table) follows the event log by its triggers.
    if let Raw::Sqlite(pool) = &backend.raw {
        let indexed: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM conversation_text WHERE tenant_id = 'gone'")
                .fetch_one(pool)
                .await
                .unwrap();
        assert_eq!(indexed, 0, "the search index keeps the erased tenant's messages");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) c \
             WHERE m.type = 'table' AND c.name = 'tenant_id' AND m.sql NOT LIKE 'CREATE VIRTUAL%' \
             ORDER BY m.name",
        )
        .fetch_all(pool)
        .await
        .unwrap();
        for table in &tables {
            assert!(rows(table).is_some(), "{table} holds tenant rows the erasure does not delete");
            let left: i64 =
                sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE tenant_id = 'gone'"))
                    .fetch_one(pool)
                    .await
                    .unwrap();
            assert_eq!(left, 0, "{table}");
        }
    }
    assert!(matches!(store.tenant(&gone).await, Err(StoreError::NotFound { .. })));
    assert!(matches!(store.delete_tenant(&gone).await, Err(StoreError::NotFound { .. })));
    assert_eq!(store.tenants().await.unwrap().len(), 1);

    // The id can be used again, and nothing of the old tenant comes back with it.
    store.create_tenant_with_id(&gone, "Gone again").await.unwrap();
    assert!(store.users(&gone).await.unwrap().is_empty());
    assert!(store.bots(&gone).await.unwrap().is_empty());
    assert!(store.knowledge_entries(&gone).await.unwrap().is_empty());
    assert!(store.audit_log(&gone).await.unwrap().is_empty());
    assert!(store.publishable_key(&gone, "pk_gone_widget").await.unwrap().is_none());
    assert!(store.list_conversations(&gone, &ConversationFilter::default()).await.unwrap().is_empty());
    assert!(store.bookings_for_phone(&gone, "+15550001111").await.unwrap().is_empty());

    // The other tenant keeps all of its data.
    assert_eq!(store.users(&kept).await.unwrap().len(), 1);
    assert_eq!(store.bots(&kept).await.unwrap().len(), 1);
    assert_eq!(store.knowledge_entries(&kept).await.unwrap()[0].body, "kept opens at 9");
    assert!(store.publishable_key(&kept, "pk_kept_widget").await.unwrap().is_some());
    assert_eq!(store.list_conversations(&kept, &ConversationFilter::default()).await.unwrap().len(), 1);
    assert_eq!(store.bookings_for_phone(&kept, "+15550001111").await.unwrap().len(), 1);
    assert!(store.verify_user(&kept, "kept@example.test", "pw").await.unwrap().is_some());
}
