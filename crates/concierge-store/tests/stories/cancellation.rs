//! Writes given up half-way (a client that disconnects drops its request's
//! future at any await point) never leave a connection stuck in a
//! transaction: the store keeps writing, and every finished write is there.

use std::time::{Duration, Instant};

use concierge_store::{NewConversation, TurnWrite};
use serde_json::json;

use crate::backend::{run_story, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_dropped_at_any_point_leave_the_store_writable() {
    run_story("writes dropped half-way", dropped_writes_story).await;
}

async fn dropped_writes_story(backend: Backend) {
    let store = backend.store.clone();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let mut finished = 0;
    for i in 0..600_u32 {
        let mut write = Box::pin(store.create_tenant("Dropped"));
        // Poll it a varying number of times, letting the database's threads
        // run for a varying time in between, then drop it wherever it is.
        let polls = i % 30;
        let mut done = false;
        for _ in 0..polls {
            if futures::poll!(write.as_mut()).is_ready() {
                done = true;
                break;
            }
            let spin = Duration::from_micros(u64::from(i % 7) * 40);
            let started = Instant::now();
            while started.elapsed() < spin {
                std::hint::spin_loop();
            }
            tokio::task::yield_now().await;
        }
        finished += usize::from(done);
    }
    // Still writable, on every path: a plain write, a turn, a conversation.
    let conversation = NewConversation {
        bot_id: None,
        channel: "web".into(),
        external_ref: None,
        customer_id: None,
        state: json!({}),
    };
    let created =
        tokio::time::timeout(Duration::from_secs(20), store.create_conversation(&tenant, &conversation))
            .await
            .expect("a write after dropped ones does not hang")
            .expect("a write after dropped ones succeeds");
    let turn = store
        .append_turn(
            &tenant,
            &created.id,
            0,
            &TurnWrite::new(vec![json!({"type": "hello"})], json!({"n": 1})),
        )
        .await;
    assert_eq!(turn.unwrap().last_seq, 1);
    assert!(store.create_tenant("After").await.is_ok());
    println!("{finished} of 600 dropped writes had finished before they were dropped");
}
