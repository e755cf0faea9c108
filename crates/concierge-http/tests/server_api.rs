//! The reference server over real sockets: a server in this process on an
//! ephemeral loopback port, a real SQLite file (and a fresh PostgreSQL
//! database when `CONCIERGE_TEST_POSTGRES_URL` is set), and reqwest and
//! tokio-tungstenite as clients.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use concierge_http::server::config::{HttpConfig, LimitsConfig, LogFormat, RateConfig, Secret, ServerConfig};
use concierge_http::server::{serve, start, AppState};
use concierge_store::{NewPublishableKey, TenantId};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

mod support;
use support::{Backend, PostgresScratch};

const NOW: &str = "2026-03-02T09:00:00-05:00";

/// The token `/metrics` wants in these tests.
const METRICS_TOKEN: &str = "test-metrics-token";

const FOUNDATION: [&str; 10] = [
    "Hi",
    "I'd like to book a women's haircut tomorrow at 3pm",
    "Jane Doe",
    "do you have parking?",
    "+1 415 555 0100",
    "yes",
    "actually I need to cancel that appointment",
    "yes",
    "what's the capital of France?",
    "I want to talk to a person",
];

/// A small bot, quick to build, for the protocol tests.
const TINY_BOT: &str = r#"
version: 1
business:
  name: Tiny Shop
  timezone: America/New_York
  hours:
    tuesday: ["09:00-17:00"]
  services:
    - id: cut
      name: Haircut
      duration_minutes: 30
  staff:
    - id: ann
      name: Ann
intents:
  - name: greet
    examples: [hi, hello]
  - name: book
    examples: ["book a [cut](service) [tomorrow](datetime)"]
entities:
  - name: service
    from_services: true
slots:
  - name: service
    type: service
responses:
  ask_service: Which service?
flows:
  - name: book
    triggers: [book]
    steps:
      - collect: service
        prompt: ask_service
"#;

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..").join(path)
}

fn salon() -> String {
    std::fs::read_to_string(repo("examples/salon/bot.yaml")).unwrap()
}

// --- the server under test ----------------------------------------------------

struct TestServer {
    base: String,
    ws_base: String,
    state: AppState,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    scratch: Option<PostgresScratch>,
    _dir: tempfile::TempDir,
}

fn unlimited() -> LimitsConfig {
    LimitsConfig {
        per_ip: RateConfig::UNLIMITED,
        per_tenant: RateConfig::UNLIMITED,
        ..LimitsConfig::default()
    }
}

impl TestServer {
    async fn start(backend: &Backend, limits: LimitsConfig) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let (scratch, database_url) = match backend {
            Backend::Sqlite => (None, None),
            Backend::Postgres(url) => {
                let (scratch, url) = PostgresScratch::create(url).await;
                (Some(scratch), Some(url))
            }
        };
        let config = ServerConfig {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url,
            data_dir: dir.path().to_owned(),
            now: Some(chrono::DateTime::parse_from_rfc3339(NOW).unwrap().into()),
            limits,
            log_format: LogFormat::Text,
            http: HttpConfig { metrics_token: Some(Secret::new(METRICS_TOKEN)), ..HttpConfig::default() },
            ..ServerConfig::default()
        };
        let (state, _) = start(config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(state.clone(), listener, async move {
            let _ = stopped.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            ws_base: format!("ws://{addr}"),
            state,
            http: reqwest::Client::new(),
            stop: Some(stop),
            task,
            scratch,
            _dir: dir,
        }
    }

    /// Adds a tenant running `spec` with publishable key `key`.
    async fn add_tenant(&self, id: &str, spec_yaml: &str, key: &str, origins: &[&str]) {
        let store = &self.state.store;
        let tenant = TenantId::parse(id).unwrap();
        store.create_tenant_with_id(&tenant, id).await.unwrap();
        let spec = concierge_core::spec::BotSpec::from_yaml(spec_yaml).unwrap();
        let bot = store.create_bot(&tenant, "bot").await.unwrap();
        let version =
            store.add_bot_version(&tenant, &bot.id, &serde_json::to_value(spec).unwrap()).await.unwrap();
        store.activate_bot_version(&tenant, &bot.id, version).await.unwrap();
        let key = NewPublishableKey {
            key: key.into(),
            bot_id: bot.id,
            allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
        };
        store.put_publishable_key(&tenant, &key).await.unwrap();
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), &mut self.task).await.unwrap().unwrap().unwrap();
        if let Some(scratch) = self.scratch.take() {
            scratch.drop_all().await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Starts a conversation: (id, token).
    async fn conversation(&self, tenant: &str, key: &str) -> (String, String) {
        let response = self
            .http
            .post(self.url(&format!("/v1/chat/{tenant}/conversations")))
            .header("X-Concierge-Key", key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        (body["conversation_id"].as_str().unwrap().into(), body["token"].as_str().unwrap().into())
    }

    async fn post_message(&self, tenant: &str, id: &str, token: &str, text: &str) -> reqwest::Response {
        self.http
            .post(self.url(&format!("/v1/chat/{tenant}/conversations/{id}/messages")))
            .bearer_auth(token)
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap()
    }

    async fn say(&self, tenant: &str, id: &str, token: &str, text: &str) -> Value {
        let response = self.post_message(tenant, id, token, text).await;
        assert_eq!(response.status(), 200, "{text}");
        response.json().await.unwrap()
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open_socket(server: &TestServer, tenant: &str, id: &str, query: &str) -> Socket {
    let url = format!("{}/v1/chat/{tenant}/conversations/{id}/ws?{query}", server.ws_base);
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(60), socket.next())
            .await
            .expect("the server answers within a minute")
            .expect("the socket stays open")
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(text.as_str()).unwrap();
        }
    }
}

/// Sends a message and returns what the socket pushed up to `done`.
async fn ws_say(socket: &mut Socket, text: &str) -> Vec<Value> {
    let frame = json!({ "type": "message", "text": text }).to_string();
    socket.send(Message::Text(frame.into())).await.unwrap();
    let mut pushed = Vec::new();
    loop {
        let item = next_json(socket).await;
        if item["type"] == "done" {
            return pushed;
        }
        pushed.push(item);
    }
}

/// The `concierge chat --jsonl` lines for the foundation transcript.
fn cli_transcript() -> Vec<Value> {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .args(["chat", "--bot"])
        .arg(repo("examples/salon/bot.yaml"))
        .args(["--now", NOW, "--jsonl"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let input = FOUNDATION.iter().map(|l| format!("{l}\n")).collect::<String>();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Booking ids and references a transcript generated (they differ between runs).
fn generated_ids(turns: &[Value]) -> Vec<String> {
    let mut ids = Vec::new();
    for turn in turns {
        for event in turn["events"].as_array().unwrap() {
            if let Some(booking) = event.get("booking") {
                for key in ["id", "reference"] {
                    ids.push(booking[key].as_str().unwrap().to_owned());
                }
            }
        }
    }
    ids
}

/// `value` with generated ids replaced and fractions read as `f32` (a
/// confidence is an `f32`: written straight from it or through a JSON
/// value, it prints with different digits, which rounding to a number of
/// places does not always even out).
fn normalized(value: &Value, ids: &[String]) -> Value {
    fn round(value: &mut Value) {
        match value {
            Value::Number(n) if n.is_f64() => *value = json!(n.as_f64().unwrap() as f32),
            Value::Array(values) => values.iter_mut().for_each(round),
            Value::Object(fields) => fields.values_mut().for_each(round),
            _ => {}
        }
    }
    let mut text = value.to_string();
    for (i, id) in ids.iter().enumerate() {
        text = text.replace(id.as_str(), &format!("<generated {}>", i % 2));
    }
    let mut value = serde_json::from_str(&text).unwrap();
    round(&mut value);
    value
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap_or("?")).collect()
}

// --- the stories -------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_foundation_transcript_over_http_and_websocket_matches_the_cli() {
    let cli = tokio::task::spawn_blocking(cli_transcript);
    let backends = Backend::all();
    let mut servers = Vec::new();
    for backend in &backends {
        let server = TestServer::start(backend, unlimited()).await;
        server.add_tenant("salon", &salon(), "pk_salon_test", &["*"]).await;
        servers.push(server);
    }
    let cli = cli.await.unwrap();
    assert_eq!(cli.len(), FOUNDATION.len());
    for (server, backend) in servers.into_iter().zip(&backends) {
        foundation_story(&server, &cli, backend.name()).await;
        server.stop().await;
        println!("foundation transcript over HTTP and WebSocket: ran on {}", backend.name());
    }
}

async fn foundation_story(server: &TestServer, cli: &[Value], backend: &str) {
    // Over HTTP: each response is the CLI's line, up to generated ids.
    let cli_ids = generated_ids(cli);
    let (id, token) = server.conversation("salon", "pk_salon_test").await;
    let mut http_turns = Vec::new();
    for line in FOUNDATION {
        http_turns.push(server.say("salon", &id, &token, line).await);
    }
    let http_ids = generated_ids(&http_turns);
    let mut http_last_seq = 0;
    for ((turn, expected), line) in http_turns.iter().zip(cli).zip(FOUNDATION) {
        assert_eq!(turn["user"], line);
        for field in ["events", "replies", "intent", "entities"] {
            assert_eq!(
                normalized(&turn[field], &http_ids),
                normalized(&expected[field], &cli_ids),
                "{backend}: {field} of {line}"
            );
        }
        assert!(turn["seq"].as_i64().unwrap() > http_last_seq);
        http_last_seq = turn["seq"].as_i64().unwrap();
    }
    let booking =
        &cli[5]["events"].as_array().unwrap().iter().find(|e| e["type"] == "booking_confirmed").unwrap()
            ["booking"];
    assert_eq!(booking["start"], "2026-03-03T15:00:00-05:00");

    // Over the WebSocket: the pushed `event` items of each turn are the CLI's events.
    let (id, token) = server.conversation("salon", "pk_salon_test").await;
    let mut socket = open_socket(server, "salon", &id, &format!("token={token}&after=0")).await;
    let mut seq_after_turn = Vec::new();
    let mut last_seq = 0;
    let mut ws_turns = Vec::new();
    for line in FOUNDATION {
        let pushed = ws_say(&mut socket, line).await;
        assert_eq!(pushed[0]["type"], "typing", "{line}");
        let items = pushed[1..].to_vec();
        for item in &items {
            let seq = item["seq"].as_i64().unwrap();
            assert_eq!(seq, last_seq + 1, "gapless sequence numbers");
            last_seq = seq;
        }
        seq_after_turn.push(last_seq);
        let events: Vec<Value> =
            items.iter().filter(|i| i["type"] == "event").map(|i| i["event"].clone()).collect();
        let replies: Vec<Value> = items.iter().filter(|i| i["type"] == "reply").cloned().collect();
        ws_turns.push(json!({ "events": events, "replies": replies }));
    }
    let ws_ids = generated_ids(&ws_turns);
    for ((turn, expected), line) in ws_turns.iter().zip(cli).zip(FOUNDATION) {
        assert_eq!(
            normalized(&turn["events"], &ws_ids),
            normalized(&expected["events"], &cli_ids),
            "{backend} ws: {line}"
        );
        let texts = |replies: &Value| -> Vec<Value> {
            replies
                .as_array()
                .unwrap()
                .iter()
                .map(|r| json!({"text": r["text"], "buttons": r.get("buttons")}))
                .collect()
        };
        assert_eq!(
            normalized(&json!(texts(&turn["replies"])), &ws_ids),
            normalized(&json!(texts(&expected["replies"])), &cli_ids),
            "{backend} ws replies: {line}"
        );
    }
    // Quick replies travel with their reply.
    let buttons_seen =
        cli.iter().any(|l| l["replies"].as_array().unwrap().iter().any(|r| r.get("buttons").is_some()));
    assert!(buttons_seen, "the salon offers quick replies somewhere in the transcript");
    drop(socket);

    // Reconnecting after the fifth turn resumes exactly from there.
    let resume_from = seq_after_turn[4];
    let mut socket = open_socket(server, "salon", &id, &format!("token={token}&after={resume_from}")).await;
    let mut replayed = Vec::new();
    while replayed.len() < (last_seq - resume_from) as usize {
        replayed.push(next_json(&mut socket).await);
    }
    let seqs: Vec<i64> = replayed.iter().map(|i| i["seq"].as_i64().unwrap()).collect();
    assert_eq!(seqs, ((resume_from + 1)..=last_seq).collect::<Vec<_>>());
    let first_event = replayed.iter().find(|i| i["type"] == "event").unwrap();
    assert_eq!(first_event["event"], json!({"type": "user_message", "text": FOUNDATION[5]}));
    // ... and the same items are listed over HTTP.
    let listed: Value = server
        .http
        .get(server.url(&format!("/v1/chat/salon/conversations/{id}/items?after={resume_from}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["items"], json!(replayed));

    // after=0 replays the whole conversation: user messages and bot replies.
    let mut socket = open_socket(server, "salon", &id, &format!("token={token}&after=0")).await;
    let mut all = Vec::new();
    while all.len() < last_seq as usize {
        all.push(next_json(&mut socket).await);
    }
    let users: Vec<&Value> = all
        .iter()
        .filter(|i| i["type"] == "event" && i["event"]["type"] == "user_message")
        .map(|i| &i["event"]["text"])
        .collect();
    assert_eq!(users, FOUNDATION.iter().map(|l| json!(l)).collect::<Vec<_>>().iter().collect::<Vec<_>>());
    assert!(all.iter().filter(|i| i["type"] == "reply").count() >= FOUNDATION.len() - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_key_or_token_gets_no_data() {
    let server = TestServer::start(&Backend::Sqlite, unlimited()).await;
    server.add_tenant("shop-a", TINY_BOT, "pk_shop_a_key", &["*"]).await;
    server.add_tenant("shop-b", TINY_BOT, "pk_shop_b_key", &["*"]).await;
    let (a_id, a_token) = server.conversation("shop-a", "pk_shop_a_key").await;
    let (b_id, b_token) = server.conversation("shop-b", "pk_shop_b_key").await;
    server.say("shop-a", &a_id, &a_token, "hello zebra").await;

    let check = |response: reqwest::Response, allowed: &'static [u16]| async move {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        assert!(allowed.contains(&status), "status {status}: {body}");
        assert!(body["error"]["code"].is_string(), "{body}");
        assert!(!body.to_string().contains("zebra"), "no conversation data in {body}");
    };
    // B's key cannot open conversations of A; no key, no conversation.
    let post = |tenant: &str, key: Option<&str>| {
        let mut request = server.http.post(server.url(&format!("/v1/chat/{tenant}/conversations")));
        if let Some(key) = key {
            request = request.header("X-Concierge-Key", key);
        }
        request.send()
    };
    check(post("shop-a", Some("pk_shop_b_key")).await.unwrap(), &[401, 403]).await;
    check(post("shop-a", None).await.unwrap(), &[401]).await;
    check(post("no-such-shop", Some("pk_shop_a_key")).await.unwrap(), &[401, 404]).await;
    // B's token does not open A's conversation, under either tenant's path.
    check(server.post_message("shop-a", &a_id, &b_token, "hi").await, &[401, 403, 404]).await;
    check(server.post_message("shop-b", &a_id, &b_token, "hi").await, &[401, 403, 404]).await;
    check(server.post_message("shop-b", &a_id, &a_token, "hi").await, &[401, 403, 404]).await;
    check(server.post_message("shop-a", &b_id, &a_token, "hi").await, &[401, 403, 404]).await;
    let items = server
        .http
        .get(server.url(&format!("/v1/chat/shop-a/conversations/{a_id}/items?after=0")))
        .bearer_auth(&b_token)
        .send()
        .await
        .unwrap();
    check(items, &[401, 403, 404]).await;
    // Nor does it open A's WebSocket.
    let url = format!("{}/v1/chat/shop-a/conversations/{a_id}/ws?token={b_token}&after=0", server.ws_base);
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert!([401, 403, 404].contains(&response.status().as_u16()));
        }
        other => panic!("expected a refused upgrade, got {other:?}"),
    }
    // A's own token still works, and A's conversation holds only A's turn.
    let turn = server.say("shop-a", &a_id, &a_token, "hello").await;
    assert_eq!(turn["events"][0]["text"], "hello");
    server.stop().await;
}

async fn error_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/json"), "{status}: {content_type}");
    let body: Value = response.json().await.unwrap();
    assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{body}");
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_bursts_get_json_errors() {
    let limits = LimitsConfig {
        per_ip: RateConfig { per_second: 1.0, burst: 12 },
        per_tenant: RateConfig::UNLIMITED,
        ..LimitsConfig::default()
    };
    let server = TestServer::start(&Backend::Sqlite, limits).await;
    server.add_tenant("shop", TINY_BOT, "pk_shop_key_1", &["https://shop.example"]).await;
    let (id, token) = server.conversation("shop", "pk_shop_key_1").await;
    let messages = server.url(&format!("/v1/chat/shop/conversations/{id}/messages"));
    let post_raw = |body: String| {
        server
            .http
            .post(&messages)
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };

    let (status, body) = error_of(post_raw("{\"text\": ".into()).await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str().unwrap()), (400, "bad_json"));
    let (status, body) =
        error_of(post_raw(json!({"text": "hi", "extra": 1}).to_string()).await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str().unwrap()), (400, "invalid_request"));
    let (status, body) = error_of(post_raw(json!({"text": "   "}).to_string()).await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str().unwrap()), (400, "empty_message"));
    let big = "a".repeat(100 * 1024);
    let (status, body) = error_of(post_raw(json!({ "text": big }).to_string()).await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str().unwrap()), (413, "payload_too_large"));
    let long = "word ".repeat(1000);
    let (status, body) = error_of(post_raw(json!({ "text": long }).to_string()).await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str().unwrap()), (413, "message_too_long"));
    let not_json = server.http.post(&messages).bearer_auth(&token).body("text=hi").send().await.unwrap();
    assert_eq!(error_of(not_json).await.0, 415);
    let (status, _) = error_of(server.http.get(server.url("/v1/nothing/here")).send().await.unwrap()).await;
    assert_eq!(status, 404);

    // CORS: the tenant's origin may, others may not; preflights are answered.
    let preflight = |origin: &'static str| {
        server
            .http
            .request(reqwest::Method::OPTIONS, &messages)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization, content-type")
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert_eq!(allowed.status(), 204);
    assert_eq!(allowed.headers()["access-control-allow-origin"], "https://shop.example");
    assert!(allowed.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
    let (status, _) = error_of(preflight("https://evil.example").await.unwrap()).await;
    assert_eq!(status, 403);
    let from_evil = server
        .http
        .post(&messages)
        .bearer_auth(&token)
        .header("Origin", "https://evil.example")
        .json(&json!({"text": "hi"}))
        .send()
        .await
        .unwrap();
    let (status, _) = error_of(from_evil).await;
    assert_eq!(status, 403);
    let from_shop = server
        .http
        .post(&messages)
        .bearer_auth(&token)
        .header("Origin", "https://shop.example")
        .json(&json!({"text": "hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(from_shop.status(), 200);
    assert_eq!(from_shop.headers()["access-control-allow-origin"], "https://shop.example");
    // Security headers on every answer.
    for header in ["x-content-type-options", "x-frame-options", "referrer-policy", "content-security-policy"]
    {
        assert!(from_shop.headers().contains_key(header), "{header}");
    }
    assert!(from_shop.headers().contains_key("x-request-id"));

    // A burst over the per-IP limit (12, refilled at 1/s) is refused with Retry-After.
    let mut refused = None;
    for _ in 0..20 {
        let response = server.post_message("shop", &id, &token, "hi").await;
        if response.status() == 429 {
            refused = Some(response);
            break;
        }
        assert_eq!(response.status(), 200);
    }
    let refused = refused.expect("the burst is limited");
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after), "{retry_after}");
    let (_, body) = error_of(refused).await;
    assert_eq!(body["error"]["code"], "rate_limited");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operations_endpoints_are_served() {
    let server = TestServer::start(&Backend::Sqlite, unlimited()).await;
    server.add_tenant("shop", TINY_BOT, "pk_shop_key_1", &["*"]).await;
    let (id, token) = server.conversation("shop", "pk_shop_key_1").await;
    server.say("shop", &id, &token, "hi").await;
    server.say("shop", &id, &token, "hello").await;

    let get = |path: &str| server.http.get(server.url(path)).send();
    let health: Value = get("/healthz").await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let ready: Value = get("/readyz").await.unwrap().json().await.unwrap();
    assert_eq!(ready, json!({"status": "ok", "database": "sqlite"}));

    let metrics = server
        .http
        .get(server.url("/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("concierge_turns_total{tenant=\"shop\"} 2"), "{metrics}");
    assert!(metrics.contains("concierge_intents_total{intent=\"greet\",tenant=\"shop\"} 2"), "{metrics}");
    assert!(metrics.contains("concierge_conversations_started_total{tenant=\"shop\"} 1"), "{metrics}");
    assert!(
        metrics.contains(
            "concierge_http_requests_total{method=\"POST\",route=\"/v1/chat/{tenant}/conversations/{id}/messages\",status=\"200\"} 2"
        ),
        "{metrics}"
    );
    assert!(metrics.contains("concierge_http_request_duration_seconds_bucket"), "{metrics}");

    let openapi: Value = get("/openapi.json").await.unwrap().json().await.unwrap();
    assert!(openapi["openapi"].as_str().unwrap().starts_with("3.1"), "{}", openapi["openapi"]);
    let paths = openapi["paths"].as_object().unwrap();
    for path in [
        "/v1/chat/{tenant}/conversations",
        "/v1/chat/{tenant}/conversations/{id}/messages",
        "/v1/chat/{tenant}/conversations/{id}/ws",
        "/healthz",
        "/metrics",
    ] {
        assert!(paths.contains_key(path), "{path} documented");
    }
    assert!(openapi["components"]["schemas"]["ErrorBody"].is_object());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_bookings_of_one_slot_confirm_exactly_one() {
    // The salon with one stylist, so 3pm tomorrow is one slot.
    let one_stylist = salon().replace("    - id: sofia\n      name: Sofia\n", "");
    assert_ne!(one_stylist, salon());
    for backend in Backend::all() {
        let server = TestServer::start(&backend, unlimited()).await;
        server.add_tenant("salon", &one_stylist, "pk_salon_test", &["*"]).await;
        let server = std::sync::Arc::new(server);
        let conversations = futures::future::join_all((0..50).map(|i| {
            let server = server.clone();
            tokio::spawn(async move {
                const FIRST: [&str; 10] = [
                    "Jane", "Maya", "Olivia", "Emma", "Ava", "Sophia", "Isabella", "Mia", "Amelia", "Harper",
                ];
                const LAST: [&str; 5] = ["Doe", "Smith", "Jones", "Brown", "Garcia"];
                let (id, token) = server.conversation("salon", "pk_salon_test").await;
                let mut turns = Vec::new();
                for line in [
                    "I'd like to book a women's haircut tomorrow at 3pm".to_owned(),
                    format!("{} {}", FIRST[i % 10], LAST[i / 10]),
                    format!("+1 415 555 {:04}", 1000 + i),
                ] {
                    turns.push(server.say("salon", &id, &token, &line).await);
                }
                (id, token, turns)
            })
        }))
        .await;
        // Everyone says yes at once.
        let finals = futures::future::join_all(conversations.into_iter().map(|c| {
            let server = server.clone();
            let (id, token, mut turns) = c.unwrap();
            tokio::spawn(async move {
                turns.push(server.say("salon", &id, &token, "yes").await);
                turns
            })
        }))
        .await;
        let mut confirmed = 0;
        let mut offered_alternatives = 0;
        for turns in finals {
            let turns = turns.unwrap();
            let events: Vec<Value> =
                turns.iter().flat_map(|t| t["events"].as_array().unwrap().clone()).collect();
            let bookings = events.iter().filter(|e| e["type"] == "booking_confirmed").count();
            confirmed += bookings;
            let replies: Vec<String> = turns
                .iter()
                .flat_map(|t| t["replies"].as_array().unwrap().iter().map(|r| r["text"].to_string()))
                .collect();
            if bookings == 0 && replies.iter().any(|r| r.contains("isn't available")) {
                offered_alternatives += 1;
            } else if bookings == 0 {
                panic!("neither booked nor offered alternatives: {:?} {replies:?}", types(&events));
            }
        }
        assert_eq!(confirmed, 1, "{}", backend.name());
        assert_eq!(offered_alternatives, 49, "{}", backend.name());
        let metrics = server.state.metrics.render();
        assert!(
            metrics.contains("concierge_bookings_total{kind=\"confirmed\",tenant=\"salon\"} 1"),
            "{metrics}"
        );
        let server = std::sync::Arc::into_inner(server).unwrap();
        server.stop().await;
        println!("50 concurrent bookings of one slot: ran on {}", backend.name());
    }
}
