//! Races: many attempts at one staff slot, many messages to one conversation.

use std::sync::Arc;

use chrono::{Duration, TimeZone, Utc};
use concierge_core::booking::{BookingStatus, Customer};
use concierge_store::{
    run_turn, NewBooking, NewConversation, Store, StoreError, TenantId, TurnWrite, DEFAULT_TURN_ATTEMPTS,
};
use serde_json::json;

use crate::backend::{run_story, Backend, Raw};

fn attempt(i: usize, staff: &str, start: chrono::DateTime<Utc>, minutes: i64) -> NewBooking {
    NewBooking {
        status: BookingStatus::Held,
        held_until: Some(Utc::now() + Duration::minutes(10)),
        ..NewBooking::confirmed(
            format!("attempt-{i}-{}", uuid::Uuid::new_v4()),
            format!("REF{i:04}{staff}"),
            "cut",
            staff,
            start,
            start + Duration::minutes(minutes),
            Customer { name: format!("Customer {i}"), phone: None, email: None },
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_attempts_at_one_slot_make_one_booking() {
    run_story("50 concurrent bookings of one slot", booking_race_story).await;
}

async fn booking_race_story(backend: Backend) {
    let store = backend.store.clone();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let start = Utc.with_ymd_and_hms(2030, 3, 4, 9, 0, 0).unwrap();

    // 50 attempts at overlapping times (9:00, 9:10, 9:20 for an hour) at once.
    let attempts = (0..50).map(|i| {
        let store = store.clone();
        let tenant = tenant.clone();
        let booking = attempt(i, "sam", start + Duration::minutes(10 * (i % 3) as i64), 60);
        tokio::spawn(async move { store.create_booking(&tenant, &booking, Utc::now()).await })
    });
    let results = futures::future::join_all(attempts).await;
    let mut won = Vec::new();
    for result in results {
        match result.unwrap() {
            Ok(booking) => won.push(booking),
            Err(StoreError::SlotTaken { staff }) => assert_eq!(staff, "sam"),
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(won.len(), 1, "exactly one attempt books the slot");
    let stored =
        store.bookings_between(&tenant, Some("sam"), start, start + Duration::hours(3)).await.unwrap();
    assert_eq!(stored, won);
    let winner = won[0].booking.clone();

    // Touching but not overlapping is fine ([start, end) ranges); another
    // staff member at the same time is fine.
    let now = Utc::now();
    store.create_booking(&tenant, &attempt(100, "sam", winner.end, 30), now).await.unwrap();
    store.create_booking(&tenant, &attempt(101, "kim", winner.start, 60), now).await.unwrap();
    // Cancelling frees the slot; bringing the cancelled one back is refused.
    store.transition_booking(&tenant, &winner.id, &[], BookingStatus::Cancelled, now).await.unwrap();
    let replacement =
        store.create_booking(&tenant, &attempt(102, "sam", winner.start, 30), now).await.unwrap();
    assert!(matches!(
        store.transition_booking(&tenant, &winner.id, &[], BookingStatus::Confirmed, now).await,
        Err(StoreError::SlotTaken { .. })
    ));
    let confirmed = store
        .transition_booking(&tenant, &replacement.booking.id, &[], BookingStatus::Confirmed, now)
        .await
        .unwrap();
    assert_eq!(confirmed.booking.status, BookingStatus::Confirmed);

    // The same request key books once, even when sent twice at once.
    let mut keyed = attempt(200, "lee", start, 45);
    keyed.request_key = Some("request-1".into());
    let mut keyed_again = keyed.clone();
    keyed_again.id = "another-id".into();
    keyed_again.reference = "OTHERREF".into();
    let (first, second) = tokio::join!(
        store.create_booking(&tenant, &keyed, now),
        store.create_booking(&tenant, &keyed_again, now)
    );
    assert_eq!(first.unwrap().booking.id, second.unwrap().booking.id);

    // Bad input is refused with a typed error.
    let backwards = attempt(300, "sam", start, -30);
    assert!(matches!(store.create_booking(&tenant, &backwards, now).await, Err(StoreError::Invalid(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buffers_lapsed_holds_and_seats_follow_the_booking_rule() {
    run_story("booking rule: buffers, lapsed holds, seats", booking_rule_story).await;
}

/// A confirmed booking (no hold to lapse).
fn confirmed(i: usize, staff: &str, start: chrono::DateTime<Utc>, minutes: i64) -> NewBooking {
    NewBooking { status: BookingStatus::Confirmed, held_until: None, ..attempt(i, staff, start, minutes) }
}

async fn booking_rule_story(backend: Backend) {
    let store = backend.store.as_ref();
    let tenant = store.create_tenant("Studio").await.unwrap().id;
    let ten = Utc.with_ymd_and_hms(2030, 9, 2, 10, 0, 0).unwrap();
    let now = Utc.with_ymd_and_hms(2030, 9, 1, 12, 0, 0).unwrap();

    // A 10:00-11:00 colour with 15 minutes of clean-up keeps 11:00-11:15 taken.
    let colour =
        NewBooking { blocked_until: Some(ten + Duration::minutes(75)), ..confirmed(1, "ana", ten, 60) };
    store.create_booking(&tenant, &colour, now).await.unwrap();
    assert!(matches!(
        store.create_booking(&tenant, &confirmed(2, "ana", ten + Duration::minutes(60), 30), now).await,
        Err(StoreError::SlotTaken { .. })
    ));
    store.create_booking(&tenant, &confirmed(3, "ana", ten + Duration::minutes(75), 30), now).await.unwrap();

    // A hold that lapsed no longer takes time, though it stays `held`.
    let hold = NewBooking {
        status: BookingStatus::Held,
        held_until: Some(now + Duration::minutes(5)),
        ..confirmed(4, "ben", ten, 60)
    };
    let hold = store.create_booking(&tenant, &hold, now).await.unwrap();
    assert!(matches!(
        store.create_booking(&tenant, &confirmed(5, "ben", ten, 60), now + Duration::minutes(4)).await,
        Err(StoreError::SlotTaken { .. })
    ));
    let later = now + Duration::minutes(6);
    store.create_booking(&tenant, &confirmed(6, "ben", ten, 60), later).await.unwrap();
    assert_eq!(store.booking(&tenant, &hold.booking.id).await.unwrap().booking.status, BookingStatus::Held);

    // A class with 3 seats takes 3 bookings at exactly its time, not 4,
    // and nothing else may overlap it.
    let seat =
        |i: usize| NewBooking { service: "yoga".into(), capacity: 3, ..confirmed(10 + i, "cat", ten, 60) };
    for i in 0..3 {
        store.create_booking(&tenant, &seat(i), now).await.unwrap();
    }
    assert!(matches!(store.create_booking(&tenant, &seat(3), now).await, Err(StoreError::SlotTaken { .. })));
    let overlapping = NewBooking {
        service: "yoga".into(),
        capacity: 3,
        ..confirmed(20, "cat", ten + Duration::minutes(30), 60)
    };
    assert!(matches!(
        store.create_booking(&tenant, &overlapping, now).await,
        Err(StoreError::SlotTaken { .. })
    ));
    let taken = store.bookings_between(&tenant, Some("cat"), ten, ten + Duration::hours(2)).await.unwrap();
    assert_eq!(taken.len(), 3);
    assert!(taken.iter().all(|b| b.capacity == 3));

    // Transitions check the current status and lapsed holds.
    let lapsing = NewBooking {
        status: BookingStatus::Held,
        held_until: Some(now + Duration::minutes(5)),
        ..confirmed(30, "dee", ten, 30)
    };
    let lapsing = store.create_booking(&tenant, &lapsing, now).await.unwrap();
    let id = lapsing.booking.id.as_str();
    assert!(matches!(
        store
            .transition_booking(&tenant, id, &[BookingStatus::Confirmed], BookingStatus::Cancelled, now)
            .await,
        Err(StoreError::WrongState { status: BookingStatus::Held, .. })
    ));
    assert!(matches!(
        store.transition_booking(&tenant, id, &[BookingStatus::Held], BookingStatus::Confirmed, later).await,
        Err(StoreError::HoldExpired(_))
    ));
    let kept = store
        .transition_booking(&tenant, id, &[BookingStatus::Held], BookingStatus::Confirmed, now)
        .await
        .unwrap();
    assert_eq!(kept.booking.status, BookingStatus::Confirmed);

    // Rescheduling moves a booking in one step, onto time that overlaps its
    // old one, links both ways, and is refused onto taken time.
    let moved = NewBooking {
        request_key: Some("move-1".into()),
        ..confirmed(31, "dee", ten + Duration::minutes(15), 30)
    };
    let new = store.reschedule_booking(&tenant, id, &moved, now).await.unwrap();
    assert_eq!(new.rescheduled_from.as_deref(), Some(id));
    let old = store.booking(&tenant, id).await.unwrap();
    assert_eq!(old.booking.status, BookingStatus::Rescheduled);
    assert_eq!(old.rescheduled_to.as_deref(), Some(new.booking.id.as_str()));
    let again = store.reschedule_booking(&tenant, id, &moved, now).await.unwrap();
    assert_eq!(again, new, "a used request key returns the same booking");
    assert!(matches!(
        store.reschedule_booking(&tenant, id, &confirmed(32, "dee", ten, 30), now).await,
        Err(StoreError::WrongState { .. })
    ));
    let onto_ana = confirmed(33, "ana", ten + Duration::minutes(30), 30);
    assert!(matches!(
        store.reschedule_booking(&tenant, &new.booking.id, &onto_ana, now).await,
        Err(StoreError::SlotTaken { .. })
    ));
    assert_eq!(
        store.booking(&tenant, &new.booking.id).await.unwrap().booking.status,
        BookingStatus::Confirmed,
        "a refused reschedule changes nothing"
    );
    let by_reference = store.booking_by_reference(&tenant, &new.booking.reference).await.unwrap();
    assert_eq!(by_reference.as_ref(), Some(&new));
    assert_eq!(store.booking_by_request_key(&tenant, "move-1").await.unwrap(), Some(new.clone()));
    let active: Vec<String> = store
        .active_bookings_between(&tenant, ten, ten + Duration::hours(2), later)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.booking.staff)
        .collect();
    // ana's colour and follow-up, ben's later booking (the hold lapsed), 3 yoga seats, dee's move.
    let mut staff = active.clone();
    staff.sort();
    assert_eq!(staff, ["ana", "ana", "ben", "cat", "cat", "cat", "dee"], "{active:?}");

    if let Raw::Postgres(pool) = &backend.raw {
        the_database_itself_refuses_overlaps(pool, &tenant, ten).await;
    }
}

/// On PostgreSQL the exclusion constraints refuse an overlapping row even
/// from a raw INSERT that skips the store's checks and lock.
async fn the_database_itself_refuses_overlaps(
    pool: &sqlx::PgPool,
    tenant: &concierge_store::TenantId,
    ten: chrono::DateTime<Utc>,
) {
    for (id, service, staff, capacity) in [("raw-1", "cut", "ana", 1), ("raw-2", "other", "cat", 3)] {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
            .bind(tenant.as_str())
            .execute(&mut *tx)
            .await
            .unwrap();
        let error = sqlx::query(
            "INSERT INTO bookings (id, tenant_id, reference, service_id, staff_id, starts_at, \
             ends_at, blocked_from, blocked_until, capacity, sitting, blocks, customer_name, \
             status, created_at, updated_at) \
             VALUES ($1, $2, $1, $3, $4, $5, $6, $5, $6, $7, $1, true, 'x', 'confirmed', $5, $5)",
        )
        .bind(id)
        .bind(tenant.as_str())
        .bind(service)
        .bind(staff)
        .bind(ten + Duration::minutes(15))
        .bind(ten + Duration::minutes(45))
        .bind(capacity)
        .execute(&mut *tx)
        .await
        .expect_err("an overlapping active booking must be refused by the database");
        let code = error.as_database_error().and_then(|e| e.code()).map(|c| c.to_string());
        assert_eq!(code.as_deref(), Some("23P01"), "{error}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_messages_make_twenty_ordered_turns() {
    run_story("20 concurrent messages to one conversation", turn_race_story).await;
}

async fn turn_race_story(backend: Backend) {
    let store: Arc<dyn Store> = backend.store.clone();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let conversation = store
        .create_conversation(
            &tenant,
            &NewConversation {
                bot_id: None,
                channel: "web".into(),
                external_ref: None,
                customer_id: None,
                state: json!({"seen": []}),
            },
        )
        .await
        .unwrap();

    let messages = (0..20).map(|i| {
        let store = store.clone();
        let tenant: TenantId = tenant.clone();
        let id = conversation.id.clone();
        tokio::spawn(async move {
            run_turn(store.as_ref(), &tenant, &id, DEFAULT_TURN_ATTEMPTS, |current| async move {
                // The "engine": remember the message, reply with how many came before.
                let mut seen = current.state["seen"].as_array().cloned().unwrap_or_default();
                let before = seen.len();
                seen.push(json!(i));
                let write = TurnWrite {
                    events: vec![
                        json!({"type": "user_message", "message": i}),
                        json!({"type": "bot_reply", "message": i, "after": before}),
                    ],
                    state: json!({"seen": seen}),
                    status: None,
                };
                Ok::<_, std::convert::Infallible>((write, before))
            })
            .await
        })
    });
    let results = futures::future::join_all(messages).await;
    let mut turns: Vec<i64> = results.into_iter().map(|r| r.unwrap().unwrap().0.turn).collect();
    turns.sort_unstable();
    assert_eq!(turns, (1..=20).collect::<Vec<_>>());

    let after = store.load_conversation(&tenant, &conversation.id).await.unwrap();
    assert_eq!(after.turns, 20);
    assert_eq!(after.last_seq, 40);
    let mut seen: Vec<i64> =
        after.state["seen"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
    assert_eq!(seen.len(), 20, "no message lost from the state");
    seen.sort_unstable();
    assert_eq!(seen, (0..20).collect::<Vec<_>>());

    let events = store.events(&tenant, &conversation.id, 0).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<_>>(), "gapless sequence numbers");
    for (k, pair) in events.chunks(2).enumerate() {
        // Each turn's two events sit together, never interleaved with another's.
        assert_eq!(pair[0].turn, k as i64 + 1);
        assert_eq!(pair[1].turn, k as i64 + 1);
        assert_eq!(pair[0].event["type"], "user_message");
        assert_eq!(pair[1].event["type"], "bot_reply");
        assert_eq!(pair[0].event["message"], pair[1].event["message"]);
        // Every turn saw the state left by all the turns before it.
        assert_eq!(pair[1].event["after"], json!(k));
    }

    // A writer holding a stale sequence number is told so, and changes
    // nothing, not even the status its turn carries.
    let late = TurnWrite::new(vec![json!({"type": "late"})], json!({}))
        .with_status(concierge_store::ConversationStatus::WithHuman);
    let stale = store.append_turn(&tenant, &conversation.id, 38, &late).await;
    assert!(matches!(stale, Err(StoreError::Conflict { expected: 38, actual: 40, .. })));
    let empty = store.append_turn(&tenant, &conversation.id, 40, &TurnWrite::new(vec![], json!({}))).await;
    assert!(matches!(empty, Err(StoreError::Invalid(_))));
    assert_eq!(store.load_conversation(&tenant, &conversation.id).await.unwrap(), after);

    // A turn that hands the conversation over moves its status with it.
    let handed = store.append_turn(&tenant, &conversation.id, 40, &late).await.unwrap();
    let now = store.load_conversation(&tenant, &conversation.id).await.unwrap();
    assert_eq!((now.last_seq, now.status), (handed.last_seq, concierge_store::ConversationStatus::WithHuman));
    let plain = TurnWrite::new(vec![json!({"type": "note"})], json!({}));
    store.append_turn(&tenant, &conversation.id, 41, &plain).await.unwrap();
    let status = store.load_conversation(&tenant, &conversation.id).await.unwrap().status;
    assert_eq!(status, concierge_store::ConversationStatus::WithHuman, "a turn without a status keeps it");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_turns_keeps_each_turns_outcome() {
    run_story("a burst of turns to many conversations", turn_burst_story).await;
}

/// Many conversations written at once (SQLite commits such a burst as one
/// group): the good turns land, a stale one and one naming another tenant's
/// conversation are refused, and the refused ones write nothing.
async fn turn_burst_story(backend: Backend) {
    let store: Arc<dyn Store> = backend.store.clone();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let other = store.create_tenant("Other").await.unwrap().id;
    let mut ids = Vec::new();
    for _ in 0..30 {
        let new = NewConversation {
            bot_id: None,
            channel: "web".into(),
            external_ref: None,
            customer_id: None,
            state: json!({"n": 0}),
        };
        ids.push(store.create_conversation(&tenant, &new).await.unwrap().id);
    }
    // (tenant, conversation, expected last_seq) for each write of the burst.
    let mut writes: Vec<(TenantId, String, i64)> =
        ids.iter().map(|id| (tenant.clone(), id.clone(), 0)).collect();
    writes.push((tenant.clone(), ids[3].clone(), 7));
    writes.push((other.clone(), ids[5].clone(), 0));
    let burst = writes.iter().enumerate().map(|(i, (tenant, id, expected))| {
        let store = store.clone();
        async move {
            let events = vec![json!({"type": "user_message", "i": i}), json!({"type": "bot_reply", "i": i})];
            store.append_turn(tenant, id, *expected, &TurnWrite::new(events, json!({"n": i}))).await
        }
    });
    let results = futures::future::join_all(burst).await;

    for (i, result) in results.iter().take(30).enumerate() {
        let appended = result.as_ref().unwrap();
        assert_eq!((appended.turn, appended.first_seq, appended.last_seq), (1, 1, 2), "turn {i}");
    }
    assert!(matches!(results[30], Err(StoreError::Conflict { expected: 7, .. })), "{:?}", results[30]);
    assert!(matches!(results[31], Err(StoreError::NotFound { .. })), "{:?}", results[31]);
    for (i, id) in ids.iter().enumerate() {
        let conversation = store.load_conversation(&tenant, id).await.unwrap();
        assert_eq!((conversation.turns, conversation.last_seq), (1, 2));
        assert_eq!(conversation.state, json!({"n": i}), "each conversation has its own turn's state");
        let events = store.events(&tenant, id, 0).await.unwrap();
        let numbers: Vec<_> = events.iter().map(|e| e.event["i"].clone()).collect();
        assert_eq!(numbers, [json!(i), json!(i)], "only its own turn's events");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_first_messages_for_one_reference_share_one_conversation() {
    run_story("20 concurrent opens of one conversation reference", reference_race_story).await;
}

async fn reference_race_story(backend: Backend) {
    let store = backend.store.clone();
    let tenant = TenantId::parse("salon-by-name").unwrap();
    let created = store.create_tenant_with_id(&tenant, "Salon").await.unwrap();
    assert_eq!(
        (created.id.as_str(), store.tenant(&tenant).await.unwrap().name.as_str()),
        ("salon-by-name", "Salon")
    );
    assert!(matches!(store.create_tenant_with_id(&tenant, "Again").await, Err(StoreError::Duplicate(_))));

    let new = NewConversation {
        bot_id: None,
        channel: "python".into(),
        external_ref: Some("web-42".into()),
        customer_id: None,
        state: json!({}),
    };
    let opens = (0..20).map(|_| {
        let (store, tenant, new) = (store.clone(), tenant.clone(), new.clone());
        tokio::spawn(async move { store.open_or_create_conversation_by_ref(&tenant, &new).await.unwrap().id })
    });
    let ids: Vec<String> = futures::future::join_all(opens).await.into_iter().map(Result::unwrap).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "one conversation for one reference: {ids:?}");
    let found = store.open_conversation_by_ref(&tenant, "python", "web-42").await.unwrap().unwrap();
    assert_eq!(found.id, ids[0]);

    // Closed, the reference starts a new conversation.
    store
        .set_conversation_status(&tenant, &ids[0], concierge_store::ConversationStatus::Closed)
        .await
        .unwrap();
    let next = store.open_or_create_conversation_by_ref(&tenant, &new).await.unwrap();
    assert_ne!(next.id, ids[0]);
    let no_ref = NewConversation { external_ref: None, ..new };
    assert!(matches!(
        store.open_or_create_conversation_by_ref(&tenant, &no_ref).await,
        Err(StoreError::Invalid(_))
    ));
}
