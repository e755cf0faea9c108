//! Tenant A can never read or change tenant B's data, even with B's ids.

use chrono::{TimeZone, Utc};
use concierge_core::booking::{BookingStatus, Customer};
use concierge_store::{
    ConversationStatus, NewBooking, NewConversation, NewCustomer, NewKnowledgeEntry, StoreError, TurnWrite,
};
use serde_json::json;

use crate::backend::{run_story, Backend, Raw};

fn assert_not_found<T: std::fmt::Debug>(result: Result<T, StoreError>, what: &str) {
    match result {
        Err(StoreError::NotFound { .. }) => {}
        other => panic!("{what}: expected NotFound, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_never_see_or_change_each_others_data() {
    run_story("tenant isolation", isolation_story).await;
}

async fn isolation_story(backend: Backend) {
    let store = backend.store.as_ref();
    let a = store.create_tenant("Salon A").await.unwrap().id;
    let b = store.create_tenant("Salon B").await.unwrap().id;

    // Tenant A's data.
    let alice = store
        .create_customer(
            &a,
            &NewCustomer { name: Some("Alice".into()), phone: Some("+15550001".into()), email: None },
        )
        .await
        .unwrap();
    let conversation = store
        .create_conversation(
            &a,
            &NewConversation {
                bot_id: None,
                channel: "web".into(),
                external_ref: None,
                customer_id: Some(alice.id.clone()),
                state: json!({"step": "greeting"}),
            },
        )
        .await
        .unwrap();
    store
        .append_turn(
            &a,
            &conversation.id,
            0,
            &TurnWrite::new(vec![json!({"type": "user_message", "text": "hi"})], json!({"step": "menu"})),
        )
        .await
        .unwrap();
    store
        .put_knowledge_entry(
            &a,
            &NewKnowledgeEntry {
                id: "parking".into(),
                title: "Parking".into(),
                alternatives: vec![],
                source: "admin".into(),
                body: "Free parking behind the salon.".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    let start = Utc.with_ymd_and_hms(2030, 5, 6, 10, 0, 0).unwrap();
    let booking = store
        .create_booking(
            &a,
            &NewBooking {
                customer_id: Some(alice.id.clone()),
                ..NewBooking::confirmed(
                    "booking-a",
                    "AAA111",
                    "cut",
                    "sam",
                    start,
                    start + chrono::Duration::minutes(30),
                    Customer { name: "Alice".into(), phone: Some("+15550001".into()), email: None },
                )
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let key = store.create_api_key(&a, "widget").await.unwrap();

    // Tenant B, holding A's real ids, reads nothing...
    assert_not_found(store.load_conversation(&b, &conversation.id).await, "load");
    assert_not_found(store.events(&b, &conversation.id, 0).await, "events");
    assert_not_found(store.customer(&b, &alice.id).await, "customer");
    assert_not_found(store.export_customer(&b, &alice.id).await, "export");
    assert_not_found(store.knowledge_entry(&b, "parking").await, "knowledge");
    assert_not_found(store.booking(&b, &booking.booking.id).await, "booking");
    assert!(store.customer_by_phone(&b, "+15550001").await.unwrap().is_none());
    assert!(store.bookings_for_phone(&b, "+15550001").await.unwrap().is_empty());
    assert!(store
        .bookings_between(&b, None, start - chrono::Duration::days(1), start + chrono::Duration::days(1))
        .await
        .unwrap()
        .is_empty());
    assert!(store.knowledge_entries(&b).await.unwrap().is_empty());
    assert!(store.conversations_with_status(&b, ConversationStatus::Bot).await.unwrap().is_empty());

    // ... and changes nothing.
    assert_not_found(
        store
            .append_turn(
                &b,
                &conversation.id,
                1,
                &TurnWrite::new(vec![json!({"type": "x"})], json!({"hijacked": true})),
            )
            .await,
        "append",
    );
    assert_not_found(
        store.set_conversation_status(&b, &conversation.id, ConversationStatus::Closed).await,
        "status",
    );
    assert_not_found(
        store.transition_booking(&b, &booking.booking.id, &[], BookingStatus::Cancelled, Utc::now()).await,
        "cancel",
    );
    assert_not_found(store.delete_knowledge_entry(&b, "parking").await, "delete");
    assert_not_found(store.erase_customer(&b, &alice.id, "mallory").await, "erase");
    assert_not_found(store.revoke_api_key(&b, &key.key.id).await, "revoke");
    // B cannot attach A's customer to its own conversation.
    let stolen = store
        .create_conversation(
            &b,
            &NewConversation {
                bot_id: None,
                channel: "web".into(),
                external_ref: None,
                customer_id: Some(alice.id.clone()),
                state: json!({}),
            },
        )
        .await;
    assert!(stolen.is_err(), "cross-tenant reference accepted: {stolen:?}");
    // B's entry with the same id is B's own; A's is untouched.
    store
        .put_knowledge_entry(
            &b,
            &NewKnowledgeEntry {
                id: "parking".into(),
                title: "Parking".into(),
                alternatives: vec![],
                source: "admin".into(),
                body: "No parking, sorry.".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();
    // B's staff member "sam" is not A's: the same time is free for B.
    store
        .create_booking(
            &b,
            &NewBooking::confirmed(
                "booking-b",
                "BBB222",
                "cut",
                "sam",
                start,
                start + chrono::Duration::minutes(30),
                Customer { name: "Bob".into(), phone: None, email: None },
            ),
            Utc::now(),
        )
        .await
        .unwrap();

    // Guessed ids fare no better.
    for guess in ["1", "admin", &uuid::Uuid::new_v4().to_string()] {
        assert_not_found(store.load_conversation(&b, guess).await, "guessed conversation");
        assert_not_found(store.customer(&b, guess).await, "guessed customer");
        assert_not_found(store.booking(&b, guess).await, "guessed booking");
    }

    // A sees its data exactly as it left it.
    let reloaded = store.load_conversation(&a, &conversation.id).await.unwrap();
    assert_eq!(reloaded.state, json!({"step": "menu"}));
    assert_eq!(reloaded.last_seq, 1);
    assert_eq!(reloaded.status, ConversationStatus::Bot);
    assert_eq!(store.knowledge_entry(&a, "parking").await.unwrap().body, "Free parking behind the salon.");
    assert_eq!(
        store.booking(&a, &booking.booking.id).await.unwrap().booking.status,
        BookingStatus::Confirmed
    );
    assert_eq!(store.customer(&a, &alice.id).await.unwrap().name.as_deref(), Some("Alice"));
    let authenticated = store.authenticate_api_key(&key.secret).await.unwrap().expect("A's key still works");
    assert_eq!(authenticated.tenant_id, a);

    if let Raw::Postgres(pool) = &backend.raw {
        row_level_security_is_a_second_wall(pool, &a, &b, &conversation.id).await;
    }
    if let Some(admin) = &backend.admin_options {
        roles_that_bypass_row_security_are_refused(admin).await;
    }
}

/// The store will not run as a role that row-level security does not bind.
async fn roles_that_bypass_row_security_are_refused(admin: &sqlx::postgres::PgConnectOptions) {
    let pool = sqlx::PgPool::connect_with(admin.clone()).await.unwrap();
    let bypasses: bool =
        sqlx::query_scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(&pool)
            .await
            .unwrap();
    pool.close().await;
    if bypasses {
        let refused = concierge_store::PostgresStore::connect_with(admin.clone(), None, false).await;
        assert!(
            matches!(refused, Err(StoreError::RoleBypassesRowSecurity(_))),
            "a superuser connection was accepted: {refused:?}"
        );
    }
}

/// On PostgreSQL, even a raw query that forgets `WHERE tenant_id` sees only
/// the rows of the tenant set for the transaction, and none without one.
async fn row_level_security_is_a_second_wall(
    pool: &sqlx::PgPool,
    a: &concierge_store::TenantId,
    b: &concierge_store::TenantId,
    conversation_id: &str,
) {
    let unscoped: i64 =
        sqlx::query_scalar("SELECT count(*) FROM conversations").fetch_one(pool).await.unwrap();
    assert_eq!(unscoped, 0, "no tenant set: no rows");
    for (tenant, expected) in [(b, 0_i64), (a, 1)] {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
            .bind(tenant.as_str())
            .execute(&mut *tx)
            .await
            .unwrap();
        let seen: i64 = sqlx::query_scalar("SELECT count(*) FROM conversations WHERE id = $1")
            .bind(conversation_id)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        assert_eq!(seen, expected, "tenant {tenant}");
        let changed = sqlx::query("UPDATE customers SET name = 'pwned'")
            .execute(&mut *tx)
            .await
            .unwrap()
            .rows_affected();
        assert_eq!(changed, expected as u64, "an unscoped update reached past tenant {tenant}");
        tx.rollback().await.unwrap();
    }
    let bypass: bool =
        sqlx::query_scalar("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(!bypass, "the application role must not bypass row-level security");
}
