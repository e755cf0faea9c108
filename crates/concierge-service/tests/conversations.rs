//! The conversation service's steps, on a real SQLite store.

mod support;

use chrono::{TimeZone, Utc};
use concierge_service::{Conversations, Hub, ItemKind, ServiceError};
use concierge_store::ConversationStatus;
use serde_json::json;

use support::{new_conversation, salon_engine, sqlite_store};

#[tokio::test]
async fn a_handoff_runs_from_request_to_release_with_the_status_in_each_write() {
    let dir = tempfile::tempdir().unwrap();
    let (store, tenant) = sqlite_store(dir.path()).await;
    let hub = Hub::new();
    let service = Conversations::new(store.clone(), hub.clone());
    let engine = salon_engine();
    let id = new_conversation(store.as_ref(), &tenant).await;
    let mut listener = hub.subscribe(&tenant, &id);
    let now = Utc.with_ymd_and_hms(2026, 3, 2, 14, 0, 0).unwrap();

    let hello = service.send(&tenant, &id, "  hi there ", &engine, now).await.unwrap();
    assert_eq!(hello.status, ConversationStatus::Bot);
    assert_eq!(hello.appended.turn, 1);
    assert_eq!(hello.items.first().map(|i| i.seq), Some(1));
    // The engine's events, then one reply item per reply.
    let replies: Vec<&str> = hello
        .items
        .iter()
        .filter_map(|i| match &i.kind {
            ItemKind::Reply { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(replies, hello.turn.replies.iter().map(|r| r.text.as_str()).collect::<Vec<_>>());
    assert_eq!(listener.receiver.recv().await.unwrap().as_ref(), hello.items.as_slice());

    let asked = service.send(&tenant, &id, "Can I speak to a human?", &engine, now).await.unwrap();
    assert_eq!(asked.status, ConversationStatus::WaitingForHuman);
    assert_eq!(
        store.load_conversation(&tenant, &id).await.unwrap().status,
        ConversationStatus::WaitingForHuman
    );

    let early = service.agent_message(&tenant, &id, "Ana", "Hello!").await;
    assert!(matches!(early, Err(ServiceError::NotTakenOver)), "{early:?}");
    let joined = service.take_over(&tenant, &id, "Ana").await.unwrap();
    assert_eq!(joined.status, ConversationStatus::WithHuman);
    assert_eq!(
        joined.items[0].kind,
        ItemKind::Event { event: json!({"type": "agent_joined", "agent": "Ana"}) }
    );
    assert!(matches!(service.take_over(&tenant, &id, "Bo").await, Err(ServiceError::AlreadyTakenOver)));

    // While a person has it, the bot only logs the customer.
    let quiet = service.send(&tenant, &id, "are you there?", &engine, now).await.unwrap();
    assert!(quiet.turn.replies.is_empty(), "{:?}", quiet.turn.replies);
    assert_eq!(quiet.status, ConversationStatus::WithHuman);
    let said = service.agent_message(&tenant, &id, "Ana", " Yes, I'm here. ").await.unwrap();
    assert_eq!(
        said.items[0].kind,
        ItemKind::AgentMessage { text: "Yes, I'm here.".into(), agent: "Ana".into() }
    );

    let back = service.release(&tenant, &id, Some("Ana"), &engine).await.unwrap();
    assert_eq!(back.status, ConversationStatus::Bot);
    let types: Vec<serde_json::Value> = back
        .items
        .iter()
        .map(|i| match &i.kind {
            ItemKind::Event { event } => event["type"].clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(types, [json!("handoff_released"), json!("agent_left")]);
    assert!(matches!(service.release(&tenant, &id, None, &engine).await, Err(ServiceError::NotHandedOff)));
    let again = service.send(&tenant, &id, "what are your opening hours?", &engine, now).await.unwrap();
    assert!(!again.turn.replies.is_empty());

    // Everything published is what the store has, in order (compared
    // without numbers: a float read back from JSON may differ in its last bit).
    let stored = store.events(&tenant, &id, 0).await.unwrap();
    let items: Vec<_> = stored.iter().map(|e| shape(&concierge_service::Item::from_stored(e))).collect();
    let published: Vec<_> =
        [hello.items, asked.items, joined.items, quiet.items, said.items, back.items, again.items]
            .concat()
            .iter()
            .map(shape)
            .collect();
    assert_eq!(items, published);
}

/// An item as JSON, numbers other than its place left out.
fn shape(item: &concierge_service::Item) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Number(n) if n.is_f64() => *value = json!("number"),
            serde_json::Value::Array(values) => values.iter_mut().for_each(strip),
            serde_json::Value::Object(fields) => fields.values_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(item).unwrap();
    strip(&mut value);
    value
}

#[tokio::test]
async fn bad_messages_and_closed_conversations_are_refused_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let (store, tenant) = sqlite_store(dir.path()).await;
    let service = Conversations::new(store.clone(), Hub::new());
    let engine = salon_engine();
    let id = new_conversation(store.as_ref(), &tenant).await;
    let now = Utc::now();

    assert!(matches!(
        service.send(&tenant, &id, " \n ", &engine, now).await,
        Err(ServiceError::EmptyMessage)
    ));
    let long = "a".repeat(5000);
    assert!(matches!(
        service.send(&tenant, &id, &long, &engine, now).await,
        Err(ServiceError::MessageTooLong { bytes: 5000, .. })
    ));
    let missing = service.send(&tenant, "no-such-conversation", "hi", &engine, now).await;
    assert!(
        matches!(missing, Err(ServiceError::Store(concierge_store::StoreError::NotFound { .. }))),
        "{missing:?}"
    );
    let other = store.create_tenant("Other").await.unwrap().id;
    let foreign = service.send(&other, &id, "hi", &engine, now).await;
    assert!(
        matches!(foreign, Err(ServiceError::Store(concierge_store::StoreError::NotFound { .. }))),
        "{foreign:?}"
    );
    assert_eq!(store.load_conversation(&tenant, &id).await.unwrap().last_seq, 0);

    let closed = service.close(&tenant, &id).await.unwrap();
    assert_eq!(closed.status, ConversationStatus::Closed);
    assert_eq!(closed.items[0].kind, ItemKind::Event { event: json!({"type": "closed"}) });
    assert!(matches!(service.send(&tenant, &id, "hi", &engine, now).await, Err(ServiceError::Closed)));
    assert!(matches!(service.take_over(&tenant, &id, "Ana").await, Err(ServiceError::Closed)));
    assert!(matches!(service.close(&tenant, &id).await, Err(ServiceError::Closed)));
    assert_eq!(store.load_conversation(&tenant, &id).await.unwrap().last_seq, 1);
}
