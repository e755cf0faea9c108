//! A process killed with SIGKILL while writing turns loses none it reported.
//!
//! The test binary plays both parts: the parent test spawns this same binary
//! running only [`durability_child_process`] with `CHILD_DB_VAR` set; the
//! child appends turns forever, printing `committed <seq>` after each commit,
//! until the parent kills it.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use concierge_store::prelude::*;
use concierge_store::{NewConversation, SqliteStore, TenantId, TurnWrite};
use serde_json::json;

const CHILD_DB_VAR: &str = "CONCIERGE_DURABILITY_CHILD_DB";
const CHILD_TENANT_VAR: &str = "CONCIERGE_DURABILITY_CHILD_TENANT";
const CHILD_CONVERSATION_VAR: &str = "CONCIERGE_DURABILITY_CHILD_CONVERSATION";

/// Reports to wait for before killing the writer.
const COMMITS_BEFORE_KILL: i64 = 150;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkilled_writer_loses_no_committed_turn() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("durable.db");
    let store = SqliteStore::open(&path, None).await.unwrap();
    let tenant = store.create_tenant("Durable").await.unwrap().id;
    let conversation = store
        .create_conversation(
            &tenant,
            &NewConversation {
                bot_id: None,
                channel: "web".into(),
                external_ref: None,
                customer_id: None,
                state: json!({"n": 0}),
            },
        )
        .await
        .unwrap();
    store.close().await;

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["durability_child_process", "--nocapture", "--test-threads=1"])
        .env(CHILD_DB_VAR, &path)
        .env(CHILD_TENANT_VAR, tenant.as_str())
        .env(CHILD_CONVERSATION_VAR, &conversation.id)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut reported = 0_i64;
    for line in lines.by_ref() {
        if let Some(seq) = line.unwrap().strip_prefix("committed ") {
            reported = seq.trim().parse().unwrap();
            if reported >= COMMITS_BEFORE_KILL {
                break;
            }
        }
    }
    assert!(reported >= COMMITS_BEFORE_KILL, "the writer stopped early");
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success(), "the writer was killed, not finished");
    // Reports already in the pipe when the writer died count too.
    for line in lines {
        if let Some(seq) = line.unwrap().strip_prefix("committed ") {
            reported = reported.max(seq.trim().parse().unwrap());
        }
    }

    let reopened = SqliteStore::open(&path, None).await.unwrap();
    let after = reopened.load_conversation(&tenant, &conversation.id).await.unwrap();
    assert!(after.last_seq >= reported, "reported {reported} committed, found {}", after.last_seq);
    let events = reopened.events(&tenant, &conversation.id, 0).await.unwrap();
    assert_eq!(events.len() as i64, after.last_seq);
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event.seq, i as i64 + 1);
        assert_eq!(event.event, json!({"type": "tick", "n": i + 1}));
    }
    assert_eq!(after.state, json!({"n": after.last_seq}));
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "durability: writer SIGKILLed after reporting {reported} committed turns; {} found after reopening",
        after.last_seq
    )
    .unwrap();
}

/// The child half of [`sigkilled_writer_loses_no_committed_turn`]; does
/// nothing unless spawned by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn durability_child_process() {
    let Ok(path) = std::env::var(CHILD_DB_VAR) else {
        return;
    };
    let tenant = TenantId::parse(&std::env::var(CHILD_TENANT_VAR).unwrap()).unwrap();
    let conversation = std::env::var(CHILD_CONVERSATION_VAR).unwrap();
    let store = SqliteStore::open(&path, None).await.unwrap();
    let mut seq = store.load_conversation(&tenant, &conversation).await.unwrap().last_seq;
    let mut out = std::io::stdout().lock();
    loop {
        let next = seq + 1;
        let appended = store
            .append_turn(
                &tenant,
                &conversation,
                seq,
                &TurnWrite::new(vec![json!({"type": "tick", "n": next})], json!({"n": next})),
            )
            .await
            .unwrap();
        seq = appended.last_seq;
        writeln!(out, "committed {seq}").unwrap();
        out.flush().unwrap();
    }
}
