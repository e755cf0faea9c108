//! A process killed with SIGKILL in the middle of handoff steps never
//! leaves a conversation whose log and status disagree: each step (take
//! over, a person's message, release, a customer's message) is one write.
//!
//! The test binary plays both parts: the parent spawns this same binary
//! running only [`handoff_crash_child`], which steps three conversations
//! through take-over and release for ever, printing `step <n>` after each;
//! the parent kills it after a varying number of steps plus a varying
//! delay (so some kills land inside a write), reopens the database and
//! checks every conversation. On SQLite always, on PostgreSQL when
//! `CONCIERGE_TEST_POSTGRES_URL` names a server.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use concierge_core::dialog::{ConversationState, Mode};
use concierge_service::{Conversations, Hub, Record};
use concierge_store::{ConversationStatus, PostgresStore, SqliteStore, Store, TenantId};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

use support::{new_conversation, small_engine};

const CHILD_URL_VAR: &str = "CONCIERGE_HANDOFF_CHILD_URL";
const CHILD_TENANT_VAR: &str = "CONCIERGE_HANDOFF_CHILD_TENANT";
const POSTGRES_URL_VAR: &str = "CONCIERGE_TEST_POSTGRES_URL";
const CONVERSATIONS: usize = 3;

/// (steps reported before the kill, extra microseconds before it) per round.
const KILLS: [(u64, u64); 8] =
    [(0, 0), (1, 300), (2, 0), (3, 700), (5, 1500), (8, 150), (13, 2500), (21, 50)];

/// Opens the store at `url`: `sqlite://PATH`, or PostgreSQL options as a URL.
async fn open(url: &str) -> Arc<dyn Store> {
    match url.strip_prefix("sqlite://") {
        Some(path) => Arc::new(SqliteStore::open(path, None).await.unwrap()),
        // The scratch role below is an ordinary role, but the test server's
        // own URL may be a superuser's: row-level security is not the point here.
        None => Arc::new(
            PostgresStore::connect_with(PgConnectOptions::from_str(url).unwrap(), None, true).await.unwrap(),
        ),
    }
}

/// The status the log says the conversation has.
fn status_from_log(records: &[Record]) -> ConversationStatus {
    concierge_service::status_after(records).unwrap_or(ConversationStatus::Bot)
}

async fn check_agreement(store: &dyn Store, tenant: &TenantId, ids: &[String], round: usize) -> Vec<i64> {
    let mut seqs = Vec::new();
    for id in ids {
        let conversation = store.load_conversation(tenant, id).await.unwrap();
        let events = store.events(tenant, id, 0).await.unwrap();
        assert_eq!(events.len() as i64, conversation.last_seq, "round {round}: gapless log of {id}");
        let records: Vec<Record> = events.iter().map(|e| Record::from_json(&e.event)).collect();
        assert_eq!(
            status_from_log(&records),
            conversation.status,
            "round {round}: status of {id} vs its log"
        );
        let state: ConversationState = serde_json::from_value(conversation.state).unwrap();
        let with_person = conversation.status == ConversationStatus::WithHuman;
        assert_eq!(state.mode == Mode::HandedOff, with_person, "round {round}: engine state of {id}");
        seqs.push(conversation.last_seq);
    }
    seqs
}

async fn crash_story(url: &str, backend: &str) {
    let store = open(url).await;
    let tenant = store.create_tenant("Crash").await.unwrap().id;
    let mut ids = Vec::new();
    for _ in 0..CONVERSATIONS {
        ids.push(new_conversation(store.as_ref(), &tenant).await);
    }
    drop(store);
    let mut total_steps = 0;
    for (round, (steps, micros)) in KILLS.into_iter().enumerate() {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["handoff_crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_URL_VAR, url)
            .env(CHILD_TENANT_VAR, tenant.as_str())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let reached = lines.by_ref().map_while(Result::ok).any(|line| match line.strip_prefix("step ") {
            Some(n) => n.trim().parse::<u64>().unwrap() >= steps,
            None => line == "ready" && steps == 0,
        });
        assert!(reached, "round {round}: the child stopped before step {steps} (run it alone to see why)");
        std::thread::sleep(Duration::from_micros(micros));
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        total_steps += lines.map_while(Result::ok).filter(|l| l.starts_with("step ")).count() as u64 + steps;

        let store = open(url).await;
        let seqs = check_agreement(store.as_ref(), &tenant, &ids, round).await;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{backend} round {round}: killed after {steps} steps (+{micros} µs); log lengths {seqs:?}"
        )
        .unwrap();
    }
    assert!(total_steps >= KILLS.iter().map(|(s, _)| s).sum::<u64>(), "the child stepped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_process_never_leaves_a_handoff_half_written() {
    let dir = tempfile::tempdir().unwrap();
    crash_story(&format!("sqlite://{}", dir.path().join("crash.db").display()), "sqlite").await;

    let Some(admin_url) = std::env::var(POSTGRES_URL_VAR).ok().filter(|u| !u.is_empty()) else {
        println!("PostgreSQL skipped: {POSTGRES_URL_VAR} is not set");
        return;
    };
    let admin = PgPoolOptions::new().max_connections(1).connect(&admin_url).await.unwrap();
    let database = format!("concierge_crash_{}", &uuid_suffix());
    sqlx::query(&format!("CREATE DATABASE {database}")).execute(&admin).await.unwrap();
    let url = {
        let mut url = admin_url.clone();
        let cut = url.rfind('/').unwrap();
        url.replace_range(cut + 1.., &database);
        url
    };
    crash_story(&url, "postgres").await;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)")).execute(&admin).await.unwrap();
}

fn uuid_suffix() -> String {
    format!("{:x}{:x}", std::process::id(), Utc::now().timestamp_micros())
}

/// The child half of [`a_killed_process_never_leaves_a_handoff_half_written`];
/// does nothing unless spawned by it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoff_crash_child() {
    let Ok(url) = std::env::var(CHILD_URL_VAR) else {
        return;
    };
    let tenant = TenantId::parse(&std::env::var(CHILD_TENANT_VAR).unwrap()).unwrap();
    let engine = small_engine();
    let store = open(&url).await;
    let service = Conversations::new(store.clone(), Hub::new());
    let ids: Vec<String> = store
        .list_conversations(&tenant, &Default::default())
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut out = std::io::stdout().lock();
    writeln!(out, "ready").unwrap();
    out.flush().unwrap();
    for step in 1_u64.. {
        let id = &ids[step as usize % ids.len()];
        let conversation = store.load_conversation(&tenant, id).await.unwrap();
        match conversation.status {
            ConversationStatus::WithHuman if conversation.last_seq % 3 == 0 => {
                service.agent_message(&tenant, id, "Ana", "Still here").await.map(drop)
            }
            ConversationStatus::WithHuman if step % 2 == 0 => {
                service.send(&tenant, id, "are you there?", &engine, Utc::now()).await.map(drop)
            }
            ConversationStatus::WithHuman => {
                service.release(&tenant, id, Some("Ana"), &engine).await.map(drop)
            }
            _ => service.take_over(&tenant, id, "Ana").await.map(drop),
        }
        .unwrap();
        writeln!(out, "step {step}").unwrap();
        out.flush().unwrap();
    }
}
