//! Export everything about a customer; erase a customer.

use chrono::{Duration, TimeZone, Utc};
use concierge_core::booking::{BookingStatus, Customer};
use concierge_store::{NewBooking, NewConversation, NewCustomer, NewKnowledgeEntry, TurnWrite};
use serde_json::json;

use crate::backend::{run_story, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customers_can_be_exported_and_erased() {
    run_story("export and erase", privacy_story).await;
}

fn booking_for(id: &str, customer: &str, phone: &str, customer_id: Option<String>) -> NewBooking {
    let start = Utc.with_ymd_and_hms(2030, 7, 1, 14, 0, 0).unwrap() + Duration::hours(id.len() as i64);
    NewBooking {
        customer_id,
        ..NewBooking::confirmed(
            id,
            format!("R-{id}"),
            "massage",
            format!("staff-{id}"),
            start,
            start + Duration::minutes(50),
            Customer { name: customer.into(), phone: Some(phone.into()), email: None },
        )
    }
}

async fn privacy_story(backend: Backend) {
    let store = backend.store.as_ref();
    let tenant = store.create_tenant("Spa").await.unwrap().id;
    let dana = store
        .create_customer(
            &tenant,
            &NewCustomer {
                name: Some("Dana Quixote".into()),
                phone: Some("+15557770123".into()),
                email: Some("dana@example.test".into()),
            },
        )
        .await
        .unwrap();
    let other = store
        .create_customer(
            &tenant,
            &NewCustomer { name: Some("Eve Other".into()), phone: Some("+15550009999".into()), email: None },
        )
        .await
        .unwrap();
    let mut conversations = Vec::new();
    for (customer, text) in
        [(&dana, "Hi, I'm Dana Quixote, call me on +15557770123"), (&other, "Hi, I'm Eve Other")]
    {
        let conversation = store
            .create_conversation(
                &tenant,
                &NewConversation {
                    bot_id: None,
                    channel: "sms".into(),
                    external_ref: None,
                    customer_id: Some(customer.id.clone()),
                    state: json!({}),
                },
            )
            .await
            .unwrap();
        store
            .append_turn(
                &tenant,
                &conversation.id,
                0,
                &TurnWrite::new(
                    vec![
                        json!({"type": "user_message", "text": text}),
                        json!({"type": "bot_reply", "text": "Welcome!"}),
                    ],
                    json!({"slots": {"name": customer.name}}),
                ),
            )
            .await
            .unwrap();
        conversations.push(conversation.id);
    }
    store
        .create_booking(
            &tenant,
            &booking_for("b1", "Dana Quixote", "+15557770123", Some(dana.id.clone())),
            Utc::now(),
        )
        .await
        .unwrap();
    // Booked by phone before the customer record existed: found by phone.
    store
        .create_booking(&tenant, &booking_for("b22", "Dana Q.", "+15557770123", None), Utc::now())
        .await
        .unwrap();
    store
        .create_booking(
            &tenant,
            &booking_for("b333", "Eve Other", "+15550009999", Some(other.id.clone())),
            Utc::now(),
        )
        .await
        .unwrap();
    store
        .put_knowledge_entry(
            &tenant,
            &NewKnowledgeEntry {
                id: "hours".into(),
                title: "Opening hours".into(),
                alternatives: vec![],
                source: "admin".into(),
                body: "9 to 5".into(),
                tags: vec![],
            },
        )
        .await
        .unwrap();

    // Export: the customer, their conversations with every event, their bookings.
    let export = store.export_customer(&tenant, &dana.id).await.unwrap();
    assert_eq!(export["customer"]["name"], "Dana Quixote");
    assert_eq!(export["customer"]["email"], "dana@example.test");
    let exported_conversations = export["conversations"].as_array().unwrap();
    assert_eq!(exported_conversations.len(), 1);
    assert_eq!(exported_conversations[0]["id"], json!(conversations[0]));
    assert_eq!(
        exported_conversations[0]["events"][0]["event"]["text"],
        "Hi, I'm Dana Quixote, call me on +15557770123"
    );
    let mut booking_ids: Vec<&str> =
        export["bookings"].as_array().unwrap().iter().map(|b| b["booking"]["id"].as_str().unwrap()).collect();
    booking_ids.sort_unstable();
    assert_eq!(booking_ids, ["b1", "b22"]);
    let text = export.to_string();
    assert!(!text.contains("Eve Other"), "another customer's data leaked into the export");

    // Erase.
    let report = store.erase_customer(&tenant, &dana.id, "user:owner").await.unwrap();
    assert_eq!(report.conversations, 1);
    assert_eq!(report.events_redacted, 2);
    assert_eq!(report.bookings_anonymised, 2);

    let after = store.export_customer(&tenant, &dana.id).await.unwrap();
    let text = after.to_string();
    for personal in ["Dana", "Quixote", "+15557770123", "dana@example.test"] {
        assert!(!text.contains(personal), "{personal} survived erasure: {text}");
    }
    assert!(after["customer"]["erased_at"].is_string());
    assert_eq!(after["audit"][0]["action"], "customer.erase", "the export shows the erasure");
    let events = store.events(&tenant, &conversations[0], 0).await.unwrap();
    assert_eq!(events.len(), 2, "events stay, redacted, so sequence numbers hold");
    assert_eq!(events[0].event, json!({"redacted": true, "kind": "user_message"}));
    let anonymised = store.booking(&tenant, "b22").await.unwrap().booking;
    assert_eq!(anonymised.customer.name, "[erased]");
    assert_eq!(anonymised.customer.phone, None);
    assert_eq!(anonymised.status, BookingStatus::Confirmed, "the slot stays booked");
    assert!(store.bookings_for_phone(&tenant, "+15557770123").await.unwrap().is_empty());

    // The audit entry is kept, naming the customer by id only.
    let audit = store.audit_log(&tenant).await.unwrap();
    let erasure = audit.iter().find(|e| e.action == "customer.erase").expect("erasure audited");
    assert_eq!(erasure.actor, "user:owner");
    assert_eq!(erasure.target.as_deref(), Some(format!("customer:{}", dana.id).as_str()));
    assert!(!serde_json::to_string(erasure).unwrap().contains("Dana"));

    // Everyone else is untouched.
    let eve = store.export_customer(&tenant, &other.id).await.unwrap();
    assert_eq!(eve["customer"]["name"], "Eve Other");
    assert_eq!(eve["conversations"][0]["events"][0]["event"]["text"], "Hi, I'm Eve Other");
    assert_eq!(store.booking(&tenant, "b333").await.unwrap().booking.customer.name, "Eve Other");
    assert_eq!(store.knowledge_entry(&tenant, "hours").await.unwrap().body, "9 to 5");
}
