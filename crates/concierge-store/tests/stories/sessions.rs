//! Staff sessions and administration: refresh-token families with rotation
//! and reuse detection, user and key listings, conversation filters.

use chrono::{TimeDelta, Utc};
use concierge_store::{
    ConversationFilter, ConversationStatus, NewConversation, RefreshRejection, Schedule, Service,
    StaffMember, StoreError,
};
use serde_json::json;

use crate::backend::{run_story, Backend};

fn rejection(result: Result<impl std::fmt::Debug, StoreError>) -> RefreshRejection {
    match result {
        Err(StoreError::RefreshRejected(why)) => why,
        other => panic!("expected a refused refresh token, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    run_story("refresh token families", refresh_story).await;
}

async fn refresh_story(backend: Backend) {
    let store = backend.store;
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let user = store.create_user(&tenant, " Ann@Salon.test", "pw", "owner").await.unwrap();
    assert_eq!(user.email, "ann@salon.test", "emails are kept trimmed and lower-case");
    let found = store.verify_user(&tenant, "ANN@salon.test ", "pw").await.unwrap();
    assert_eq!(found.map(|u| u.id), Some(user.id.clone()), "found in any case");
    let now = Utc::now();
    let ttl = TimeDelta::days(14);

    let first = store.issue_refresh_token(&tenant, &user.id, None, now, ttl).await.unwrap();
    assert!(first.secret.starts_with(&format!("rt_{tenant}.")));
    assert_eq!(first.token.user_id, user.id);
    let second = store.rotate_refresh_token(&first.secret, now, ttl).await.unwrap();
    assert_eq!(second.token.family_id, first.token.family_id);
    assert_ne!(second.secret, first.secret);
    let used = store.find_refresh_token(&first.secret).await.unwrap().unwrap();
    assert!(used.used_at.is_some() && used.revoked_at.is_none());
    let third = store.rotate_refresh_token(&second.secret, now, ttl).await.unwrap();

    // Presenting the first token again: refused, and the whole family with it.
    assert_eq!(
        rejection(store.rotate_refresh_token(&first.secret, now, ttl).await),
        RefreshRejection::Reused
    );
    assert_eq!(
        rejection(store.rotate_refresh_token(&third.secret, now, ttl).await),
        RefreshRejection::Revoked
    );
    let newest = store.find_refresh_token(&third.secret).await.unwrap().unwrap();
    assert!(newest.revoked_at.is_some());

    // Another login is a separate family, untouched by that revocation.
    let other = store.issue_refresh_token(&tenant, &user.id, None, now, ttl).await.unwrap();
    assert_ne!(other.token.family_id, first.token.family_id);
    let other = store.rotate_refresh_token(&other.secret, now, ttl).await.unwrap();

    // Logout revokes the family.
    store.revoke_refresh_family(&tenant, &other.token.family_id).await.unwrap();
    assert_eq!(
        rejection(store.rotate_refresh_token(&other.secret, now, ttl).await),
        RefreshRejection::Revoked
    );

    // An expired token is refused, and its family is not revoked by it.
    let short =
        store.issue_refresh_token(&tenant, &user.id, None, now, TimeDelta::seconds(30)).await.unwrap();
    let later = now + TimeDelta::seconds(31);
    assert_eq!(
        rejection(store.rotate_refresh_token(&short.secret, later, ttl).await),
        RefreshRejection::Expired
    );
    let still = store.find_refresh_token(&short.secret).await.unwrap().unwrap();
    assert!(still.used_at.is_none() && still.revoked_at.is_none());

    // Unknown and malformed tokens.
    let forged = format!("rt_{tenant}.{}", "ab".repeat(32));
    assert_eq!(rejection(store.rotate_refresh_token(&forged, now, ttl).await), RefreshRejection::Unknown);
    assert_eq!(rejection(store.rotate_refresh_token("nonsense", now, ttl).await), RefreshRejection::Unknown);
    assert!(store.find_refresh_token("nonsense").await.unwrap().is_none());

    // A token moved to another tenant's name is unknown there.
    let other_tenant = store.create_tenant("Clinic").await.unwrap().id;
    let fresh = store.issue_refresh_token(&tenant, &user.id, None, now, ttl).await.unwrap();
    let moved = fresh.secret.replacen(tenant.as_str(), other_tenant.as_str(), 1);
    assert_eq!(rejection(store.rotate_refresh_token(&moved, now, ttl).await), RefreshRejection::Unknown);
    // Nor can a token be issued for a user of another tenant.
    assert!(store.issue_refresh_token(&other_tenant, &user.id, None, now, ttl).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rotations_of_one_token_let_at_most_one_through() {
    run_story("concurrent refresh", concurrent_refresh_story).await;
}

async fn concurrent_refresh_story(backend: Backend) {
    let store = backend.store;
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let user = store.create_user(&tenant, "ann@salon.test", "pw", "owner").await.unwrap();
    let now = Utc::now();
    let ttl = TimeDelta::days(1);
    let first = store.issue_refresh_token(&tenant, &user.id, None, now, ttl).await.unwrap();
    let attempts = (0..8).map(|_| {
        let store = store.clone();
        let secret = first.secret.clone();
        tokio::spawn(async move { store.rotate_refresh_token(&secret, now, ttl).await })
    });
    let results = futures::future::join_all(attempts).await;
    let winners: Vec<_> = results.into_iter().filter_map(|r| r.unwrap().ok()).collect();
    assert_eq!(winners.len(), 1, "{} rotations of one token succeeded", winners.len());
    // The losers presented a used token, so the family is revoked.
    for winner in winners {
        assert_eq!(
            rejection(store.rotate_refresh_token(&winner.secret, now, ttl).await),
            RefreshRejection::Revoked
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administration_listings_are_scoped_and_filtered() {
    run_story("administration listings", listings_story).await;
}

async fn listings_story(backend: Backend) {
    let store = backend.store;
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let other = store.create_tenant("Clinic").await.unwrap().id;

    let bob = store.create_user(&tenant, "bob@salon.test", "pw", "agent").await.unwrap();
    let ann = store.create_user(&tenant, "ann@salon.test", "pw", "owner").await.unwrap();
    store.create_user(&other, "zed@clinic.test", "pw", "owner").await.unwrap();
    assert_eq!(store.user(&tenant, &bob.id).await.unwrap(), bob);
    assert!(matches!(store.user(&other, &bob.id).await, Err(StoreError::NotFound { .. })));
    assert_eq!(store.users(&tenant).await.unwrap(), vec![ann, bob]);

    let key = store.create_api_key(&tenant, "crm").await.unwrap();
    store.create_api_key(&other, "other").await.unwrap();
    store.revoke_api_key(&tenant, &key.key.id).await.unwrap();
    let keys = store.api_keys(&tenant).await.unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].id, key.key.id);
    assert!(keys[0].revoked_at.is_some());

    let bot = store.create_bot(&tenant, "front desk").await.unwrap();
    store.create_bot(&other, "theirs").await.unwrap();
    store.add_bot_version(&tenant, &bot.id, &json!({"v": 1})).await.unwrap();
    store.add_bot_version(&tenant, &bot.id, &json!({"v": 2})).await.unwrap();
    let bots = store.bots(&tenant).await.unwrap();
    assert_eq!(bots.iter().map(|b| b.id.as_str()).collect::<Vec<_>>(), [bot.id.as_str()]);
    let versions = store.bot_versions(&tenant, &bot.id).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| (v.version, v.spec["v"].as_i64())).collect::<Vec<_>>(),
        [(1, Some(1)), (2, Some(2))]
    );
    assert!(matches!(store.bot_versions(&other, &bot.id).await, Err(StoreError::NotFound { .. })));

    let mut ids = Vec::new();
    for channel in ["web", "web", "sms"] {
        let c = store
            .create_conversation(
                &tenant,
                &NewConversation {
                    bot_id: None,
                    channel: channel.into(),
                    external_ref: None,
                    customer_id: None,
                    state: json!({}),
                },
            )
            .await
            .unwrap();
        ids.push(c.id);
    }
    store
        .create_conversation(
            &other,
            &NewConversation {
                bot_id: None,
                channel: "web".into(),
                external_ref: None,
                customer_id: None,
                state: json!({}),
            },
        )
        .await
        .unwrap();
    let before_handoff = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store.set_conversation_status(&tenant, &ids[0], ConversationStatus::WithHuman).await.unwrap();

    let all = store.list_conversations(&tenant, &ConversationFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].id, ids[0], "most recently updated first");
    let with_human = store
        .list_conversations(
            &tenant,
            &ConversationFilter { status: Some(ConversationStatus::WithHuman), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(with_human.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [ids[0].as_str()]);
    let recent = store
        .list_conversations(
            &tenant,
            &ConversationFilter { updated_since: Some(before_handoff), ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(recent.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [ids[0].as_str()]);
    let page = store
        .list_conversations(&tenant, &ConversationFilter { limit: 2, offset: 1, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(
        page.iter().map(|c| &c.id).collect::<Vec<_>>(),
        all[1..].iter().map(|c| &c.id).collect::<Vec<_>>()
    );

    let service = Service { id: "cut".into(), name: "Cut".into(), duration_minutes: 30, details: json!({}) };
    store.put_service(&tenant, &service).await.unwrap();
    let staff = StaffMember { id: "ann".into(), name: "Ann".into(), details: json!({}) };
    store.put_staff(&tenant, &staff).await.unwrap();
    store
        .put_schedule(
            &tenant,
            &Schedule { staff_id: "ann".into(), weekly_hours: json!({"monday": ["09:00-17:00"]}) },
        )
        .await
        .unwrap();
    assert!(matches!(store.delete_service(&other, "cut").await, Err(StoreError::NotFound { .. })));
    assert!(matches!(store.delete_staff(&other, "ann").await, Err(StoreError::NotFound { .. })));
    store.delete_service(&tenant, "cut").await.unwrap();
    store.delete_staff(&tenant, "ann").await.unwrap();
    assert!(store.services(&tenant).await.unwrap().is_empty());
    assert!(store.staff(&tenant).await.unwrap().is_empty());
    assert!(store.schedule(&tenant, "ann").await.unwrap().is_none());
    assert!(matches!(store.delete_service(&tenant, "cut").await, Err(StoreError::NotFound { .. })));
}
