//! Round trips of everything else a tenant stores: bots and spec versions,
//! services, staff, schedules, statuses, audit
//! entries and daily rollups.

use chrono::NaiveDate;
use concierge_store::{
    ConversationStatus, NewAuditEntry, NewConversation, Schedule, Service, StaffMember, StoreError, TurnWrite,
};
use serde_json::json;

use crate::backend::{run_story, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_configuration_round_trips() {
    run_story("configuration round trip", catalog_story).await;
}

async fn catalog_story(backend: Backend) {
    let store = backend.store.as_ref();
    let tenant = store.create_tenant("Barber").await.unwrap().id;
    assert_eq!(store.tenant(&tenant).await.unwrap().name, "Barber");

    // Bots: versions numbered from 1, one active.
    let bot = store.create_bot(&tenant, "front desk").await.unwrap();
    assert_eq!(store.active_bot_version(&tenant, &bot.id).await.unwrap(), None);
    let v1 = store.add_bot_version(&tenant, &bot.id, &json!({"greeting": "Hello"})).await.unwrap();
    let v2 = store.add_bot_version(&tenant, &bot.id, &json!({"greeting": "Hi there"})).await.unwrap();
    assert_eq!((v1, v2), (1, 2));
    store.activate_bot_version(&tenant, &bot.id, v1).await.unwrap();
    let active = store.active_bot_version(&tenant, &bot.id).await.unwrap().unwrap();
    assert_eq!((active.version, active.spec), (1, json!({"greeting": "Hello"})));
    assert!(matches!(
        store.activate_bot_version(&tenant, &bot.id, 7).await,
        Err(StoreError::NotFound { .. })
    ));

    // Services, staff and schedules replace on put.
    let mut cut = Service {
        id: "cut".into(),
        name: "Haircut".into(),
        duration_minutes: 30,
        details: json!({"price_cents": 2500}),
    };
    store.put_service(&tenant, &cut).await.unwrap();
    cut.duration_minutes = 45;
    store.put_service(&tenant, &cut).await.unwrap();
    assert_eq!(store.services(&tenant).await.unwrap(), vec![cut]);
    let sam = StaffMember { id: "sam".into(), name: "Sam".into(), details: json!({"services": ["cut"]}) };
    store.put_staff(&tenant, &sam).await.unwrap();
    assert_eq!(store.staff(&tenant).await.unwrap(), vec![sam]);
    let hours = Schedule { staff_id: "sam".into(), weekly_hours: json!({"mon": [["09:00", "17:00"]]}) };
    store.put_schedule(&tenant, &hours).await.unwrap();
    assert_eq!(store.schedule(&tenant, "sam").await.unwrap(), Some(hours));
    assert!(store
        .put_schedule(&tenant, &Schedule { staff_id: "nobody".into(), weekly_hours: json!({}) })
        .await
        .is_err());

    // Conversation status moves through the handoff states.
    let conversation = store
        .create_conversation(
            &tenant,
            &NewConversation {
                bot_id: Some(bot.id.clone()),
                channel: "whatsapp".into(),
                external_ref: None,
                customer_id: None,
                state: json!(null),
            },
        )
        .await
        .unwrap();
    store
        .set_conversation_status(&tenant, &conversation.id, ConversationStatus::WaitingForHuman)
        .await
        .unwrap();
    let waiting =
        store.conversations_with_status(&tenant, ConversationStatus::WaitingForHuman).await.unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].id, conversation.id);
    assert_eq!(waiting[0].bot_id.as_deref(), Some(bot.id.as_str()));

    // Incoming messages find their open conversation by the channel's own id.
    let sms = store
        .create_conversation(
            &tenant,
            &NewConversation {
                bot_id: None,
                channel: "sms".into(),
                external_ref: Some("+15551230000".into()),
                customer_id: None,
                state: json!({}),
            },
        )
        .await
        .unwrap();
    let found = store.open_conversation_by_ref(&tenant, "sms", "+15551230000").await.unwrap();
    assert_eq!(found.map(|c| c.id), Some(sms.id.clone()));
    assert_eq!(store.open_conversation_by_ref(&tenant, "whatsapp", "+15551230000").await.unwrap(), None);
    store.set_conversation_status(&tenant, &sms.id, ConversationStatus::Closed).await.unwrap();
    assert_eq!(
        store.open_conversation_by_ref(&tenant, "sms", "+15551230000").await.unwrap(),
        None,
        "closed conversations are not reopened"
    );

    // Audit log in order; rollups add up per day and metric.
    for action in ["bot.activate", "service.update"] {
        store
            .record_audit(
                &tenant,
                &NewAuditEntry {
                    actor: "user:1".into(),
                    action: action.into(),
                    target: None,
                    details: json!({}),
                },
            )
            .await
            .unwrap();
    }
    let actions: Vec<String> =
        store.audit_log(&tenant).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(actions, ["bot.activate", "service.update"]);
    let monday = NaiveDate::from_ymd_opt(2030, 1, 7).unwrap();
    let tuesday = monday.succ_opt().unwrap();
    for (day, metric, delta) in [
        (monday, "conversations", 3),
        (monday, "conversations", 2),
        (monday, "bookings", 1),
        (tuesday, "conversations", 4),
    ] {
        store.add_to_rollup(&tenant, day, metric, delta).await.unwrap();
    }
    let rollups: Vec<(NaiveDate, String, i64)> = store
        .rollups(&tenant, monday, monday)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.day, r.metric, r.value))
        .collect();
    assert_eq!(rollups, [(monday, "bookings".to_string(), 1), (monday, "conversations".to_string(), 5)]);
    assert_eq!(store.rollups(&tenant, monday, tuesday).await.unwrap().len(), 3);

    // Rebuilding a day counts what was stored that day, and can be repeated.
    let today = store.load_conversation(&tenant, &sms.id).await.unwrap().created_at.date_naive();
    store
        .append_turn(
            &tenant,
            &sms.id,
            0,
            &TurnWrite::new(
                vec![
                    json!({"type": "user_message", "text": "hi"}),
                    json!({"type": "bot_reply", "text": "hello"}),
                ],
                json!({}),
            ),
        )
        .await
        .unwrap();
    store
        .append_turn(
            &tenant,
            &sms.id,
            2,
            &TurnWrite::new(vec![json!({"type": "user_message", "text": "thanks"})], json!({})),
        )
        .await
        .unwrap();
    store.add_to_rollup(&tenant, today, "widget.opened", 7).await.unwrap();
    for _ in 0..2 {
        let counters: Vec<(String, i64)> = store
            .rebuild_daily_rollups(&tenant, today)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.metric, r.value))
            .collect();
        let expected: Vec<(String, i64)> = [
            ("bookings.created", 0),
            ("conversations.started", 2),
            ("events.bot_reply", 1),
            ("events.user_message", 2),
            ("turns", 2),
            ("widget.opened", 7),
        ]
        .into_iter()
        .map(|(m, v)| (m.to_string(), v))
        .collect();
        assert_eq!(counters, expected);
    }
    drop(backend);
}
