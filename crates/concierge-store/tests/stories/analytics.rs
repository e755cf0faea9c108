//! The analytics report on a constructed log with a known answer, and
//! ratings (CSAT): once per conversation, checked, erased with the customer.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::America::New_York;
use concierge_core::booking::{BookingStatus, Customer};
use concierge_store::{NewBooking, StoreError, TenantId};
use serde_json::{json, Value};

use crate::backend::{logged_conversation, run_story, Backend, Raw};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_report_counts_a_constructed_log_exactly() {
    run_story("analytics report", report_story).await;
}

/// A conversation whose events happened at the given instants.
async fn conversation(
    backend: &Backend,
    tenant: &TenantId,
    started: DateTime<Utc>,
    log: &[(i64, Value)],
) -> String {
    let events: Vec<Value> = log.iter().map(|(_, e)| e.clone()).collect();
    let id = logged_conversation(backend.store.as_ref(), tenant, None, &events).await;
    let last = log.last().map_or(started, |(s, _)| started + Duration::seconds(*s));
    let times: Vec<(i64, DateTime<Utc>)> =
        log.iter().enumerate().map(|(i, (s, _))| (i as i64 + 1, started + Duration::seconds(*s))).collect();
    retime(backend, tenant, &id, started, last, &times).await;
    id
}

/// Sets when a conversation started and last changed and when each of its
/// events was recorded, directly in the database.
async fn retime(
    backend: &Backend,
    tenant: &TenantId,
    id: &str,
    created: DateTime<Utc>,
    updated: DateTime<Utc>,
    events: &[(i64, DateTime<Utc>)],
) {
    let conversation =
        "UPDATE conversations SET created_at = $3, updated_at = $4 WHERE tenant_id = $1 AND id = $2";
    let event = "UPDATE conversation_events SET recorded_at = $4 WHERE tenant_id = $1 AND conversation_id = $2 AND seq = $3";
    match &backend.raw {
        Raw::Sqlite(pool) => {
            sqlx::query(conversation)
                .bind(tenant.as_str())
                .bind(id)
                .bind(created)
                .bind(updated)
                .execute(pool)
                .await
                .unwrap();
            for (seq, at) in events {
                sqlx::query(event)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(seq)
                    .bind(at)
                    .execute(pool)
                    .await
                    .unwrap();
            }
        }
        Raw::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
                .bind(tenant.as_str())
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query(conversation)
                .bind(tenant.as_str())
                .bind(id)
                .bind(created)
                .bind(updated)
                .execute(&mut *tx)
                .await
                .unwrap();
            for (seq, at) in events {
                sqlx::query(event)
                    .bind(tenant.as_str())
                    .bind(id)
                    .bind(seq)
                    .bind(at)
                    .execute(&mut *tx)
                    .await
                    .unwrap();
            }
            tx.commit().await.unwrap();
        }
    }
}

fn said(text: &str) -> Value {
    json!({"type": "user_message", "text": text})
}

fn kind(kind: &str) -> Value {
    json!({"type": kind})
}

async fn report_story(backend: Backend) {
    let store = backend.store.as_ref();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let other = store.create_tenant("Other").await.unwrap().id;
    let local =
        |d: u32, h: u32, m: u32| New_York.with_ymd_and_hms(2026, 3, d, h, m, 0).unwrap().with_timezone(&Utc);

    // Monday 2 March (New York): a booking the bot made alone, left idle.
    conversation(
        &backend,
        &tenant,
        local(2, 10, 0),
        &[
            (0, said("cut tomorrow at 11")),
            (0, json!({"type": "intent_detected", "name": "book_appointment", "confidence": 0.9})),
            (1, kind("booking_confirmed")),
            (1, json!({"type": "reply", "text": "Booked"})),
            (60, said("thanks")),
            (61, json!({"type": "reply", "text": "Bye"})),
        ],
    )
    .await;
    // Monday 23:30 New York (Tuesday in UTC): handed off, answered by a
    // person 90 s later, closed after 600 s, rated 5.
    let handed_off = conversation(
        &backend,
        &tenant,
        local(2, 23, 30),
        &[
            (0, said("can I talk to someone")),
            (10, json!({"type": "handoff_requested", "reason": "asked"})),
            (70, json!({"type": "agent_joined", "agent": "Ana"})),
            (100, json!({"type": "agent_message", "text": "Hi, Ana here", "agent": "Ana"})),
            (130, json!({"type": "agent_message", "text": "Anything else?", "agent": "Ana"})),
            (600, kind("closed")),
        ],
    )
    .await;
    store.rate_conversation(&tenant, &handed_off, 5, Some("  Quick and kind ")).await.unwrap();
    // Monday: a widget opened and left silent (no conversation counted).
    conversation(&backend, &tenant, local(2, 12, 0), &[]).await;
    // Tuesday 3 March: two unanswered questions worded alike, a
    // cancellation, closed by the bot's side after 30 s, rated 2.
    let unanswered = conversation(
        &backend,
        &tenant,
        local(3, 9, 0),
        &[
            (0, said("Do you sell wigs?")),
            (0, json!({"type": "out_of_scope", "text": "Do you sell wigs?"})),
            (5, said(" do you sell WIGS? ")),
            (5, json!({"type": "out_of_scope", "text": " do you sell WIGS? "})),
            (6, kind("booking_cancelled")),
            (30, kind("closed")),
        ],
    )
    .await;
    store.rate_conversation(&tenant, &unanswered, 2, None).await.unwrap();
    // Wednesday 4 March, outside the range; and another tenant's conversation.
    conversation(&backend, &tenant, local(4, 9, 0), &[(0, said("hello"))]).await;
    conversation(&backend, &other, local(2, 10, 0), &[(0, said("hello")), (1, kind("booking_confirmed"))])
        .await;
    // A no-show on Tuesday.
    let start = local(3, 15, 0);
    let booking = NewBooking::confirmed(
        "b1",
        "REF1",
        "cut",
        "ana",
        start,
        start + Duration::minutes(30),
        Customer { name: "Kim".into(), phone: None, email: None },
    );
    store.create_booking(&tenant, &booking, local(1, 9, 0)).await.unwrap();
    store
        .transition_booking(
            &tenant,
            "b1",
            &[BookingStatus::Confirmed],
            BookingStatus::NoShow,
            local(3, 16, 0),
        )
        .await
        .unwrap();

    let (monday, tuesday) =
        (NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(), NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
    let report = store.report(&tenant, New_York, monday, tuesday, local(5, 9, 0)).await.unwrap();
    assert_eq!(report.days.iter().map(|d| d.day).collect::<Vec<_>>(), [monday, tuesday]);
    let (mon, tue, all) = (&report.days[0].figures, &report.days[1].figures, &report.totals);
    assert_eq!((mon.conversations, mon.messages, mon.handoffs), (2, 3, 1));
    assert_eq!(mon.handoff_rate, Some(0.5));
    assert_eq!(mon.resolved_by_bot, 1, "the idle bot-only conversation");
    assert_eq!(mon.first_response_seconds, Some(90.0));
    assert_eq!(mon.resolution_seconds, Some(600.0));
    assert_eq!((mon.bookings_made, mon.bookings_cancelled, mon.no_shows), (1, 0, 0));
    assert_eq!((mon.ratings, mon.csat_average, mon.csat_satisfied), (1, Some(5.0), Some(1.0)));
    assert_eq!((tue.conversations, tue.messages, tue.handoffs, tue.resolved_by_bot), (1, 2, 0, 1));
    assert_eq!((tue.bookings_cancelled, tue.no_shows, tue.first_response_seconds), (1, 1, None));
    assert_eq!((tue.ratings, tue.csat_average, tue.csat_satisfied), (1, Some(2.0), Some(0.0)));
    assert_eq!((all.conversations, all.messages, all.handoffs, all.resolved_by_bot), (3, 5, 1, 2));
    assert_eq!(all.resolution_seconds, Some(315.0));
    assert_eq!((all.ratings, all.csat_average, all.csat_satisfied), (2, Some(3.5), Some(0.5)));
    assert_eq!(all.handoff_rate, Some(1.0 / 3.0));
    assert_eq!(report.unanswered.len(), 1);
    assert_eq!((report.unanswered[0].key.as_str(), report.unanswered[0].count), ("do you sell wigs?", 2));
    assert_eq!(
        report.top_intents.iter().map(|c| (c.key.as_str(), c.count)).collect::<Vec<_>>(),
        [("book_appointment", 1)]
    );

    // Ratings: once, in range, trimmed, of this tenant's conversations only.
    let rating = store.rating(&tenant, &handed_off).await.unwrap().unwrap();
    assert_eq!((rating.score, rating.comment.as_deref()), (5, Some("Quick and kind")));
    assert!(matches!(
        store.rate_conversation(&tenant, &handed_off, 4, None).await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(matches!(
        store.rate_conversation(&tenant, &handed_off, 6, None).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.rate_conversation(&other, &handed_off, 3, None).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.rating(&other, &handed_off).await.unwrap(), None);
    let long = "x".repeat(concierge_store::MAX_RATING_COMMENT + 1);
    let fresh = conversation(&backend, &tenant, local(2, 11, 0), &[]).await;
    assert!(matches!(
        store.rate_conversation(&tenant, &fresh, 3, Some(&long)).await,
        Err(StoreError::Invalid(_))
    ));
    // The other tenant's report sees only its own conversation.
    let theirs = store.report(&other, New_York, monday, tuesday, local(5, 9, 0)).await.unwrap();
    assert_eq!((theirs.totals.conversations, theirs.totals.bookings_made, theirs.totals.ratings), (1, 1, 0));
    // Ranges are checked.
    assert!(matches!(
        store.report(&tenant, New_York, tuesday, monday, local(5, 9, 0)).await,
        Err(StoreError::Invalid(_))
    ));
}
