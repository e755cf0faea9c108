//! The outside probe of `concierge serve --demo`, as tests: each finding of
//! the probe (slow and idle connections, connection floods, the public
//! metrics, plain-text errors, password spraying, oversized WebSocket
//! frames, request ids, array bodies, proxies) against a real server on
//! loopback, with short limits set here.

use std::time::{Duration, Instant};

use concierge_http::server::config::{
    AuthConfig, Cidr, HttpConfig, LimitsConfig, RateConfig, Secret, ServerConfig,
};
use concierge_http::server::demo::{DEMO_ADMIN_EMAIL, DEMO_KEY, DEMO_TENANT};
use concierge_http::server::{serve, start, AppState};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

const PASSWORD: &str = "probe-password-1";

struct Probe {
    addr: std::net::SocketAddr,
    state: AppState,
    http: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
    _dir: tempfile::TempDir,
}

impl Probe {
    /// The demo server with `adjust` applied to its configuration.
    async fn start(adjust: impl FnOnce(&mut ServerConfig)) -> Probe {
        let dir = tempfile::tempdir().unwrap();
        let mut config = ServerConfig {
            data_dir: dir.path().to_path_buf(),
            demo: true,
            admin_password: Some(Secret::new(PASSWORD)),
            limits: LimitsConfig {
                per_ip: RateConfig::UNLIMITED,
                per_tenant: RateConfig::UNLIMITED,
                ..LimitsConfig::default()
            },
            ..ServerConfig::default()
        };
        adjust(&mut config);
        let (state, _) = start(config).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(state.clone(), listener, async move {
            let _ = stopped.await;
        }));
        Probe { addr, state, http: reqwest::Client::new(), stop: Some(stop), task, _dir: dir }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        tokio::time::timeout(Duration::from_secs(30), &mut self.task).await.unwrap().unwrap().unwrap();
    }

    async fn login(&self, email: &str) -> reqwest::Response {
        self.http
            .post(self.url("/v1/auth/login"))
            .json(&json!({ "tenant": DEMO_TENANT, "email": email, "password": PASSWORD }))
            .send()
            .await
            .unwrap()
    }

    async fn access_token(&self) -> String {
        let body: Value = self.login(DEMO_ADMIN_EMAIL).await.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_owned()
    }

    async fn conversation(&self) -> (String, String) {
        let response = self
            .http
            .post(self.url(&format!("/v1/chat/{DEMO_TENANT}/conversations")))
            .header("X-Concierge-Key", DEMO_KEY)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        (body["conversation_id"].as_str().unwrap().into(), body["token"].as_str().unwrap().into())
    }

    /// Sends raw bytes on a fresh connection and reads until the server closes it.
    async fn raw(&self, request: &[u8]) -> String {
        let mut stream = TcpStream::connect(self.addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut answer = Vec::new();
        let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
        String::from_utf8_lossy(&answer).into_owned()
    }
}

/// The status and JSON error of a raw HTTP answer, asserting it is JSON.
fn raw_json_error(answer: &str) -> (u16, Value) {
    let status: u16 = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("{answer:?}"));
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_else(|| panic!("{answer:?}"));
    assert!(head.to_lowercase().contains("content-type: application/json"), "{answer}");
    let body: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"));
    assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{body}");
    (status, body)
}

/// The status and JSON error of a response, asserting it is JSON.
async fn json_error(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    assert_eq!(content_type.as_deref(), Some("application/json"), "{status}: {text}");
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(body["error"]["code"].is_string() && body["error"]["message"].is_string(), "{body}");
    (status, body)
}

/// Whether the server closes `stream` (EOF or reset) within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// Sends one `GET /healthz` on `stream` and reads its 200 answer, leaving
/// the connection open (keep-alive).
async fn healthz_on(stream: &mut TcpStream) {
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&answer).contains("\"ok\"") {
        let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.unwrap().unwrap();
        assert!(n > 0, "closed before the answer: {:?}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buf[..n]);
    }
    assert!(answer.starts_with(b"HTTP/1.1 200"), "{:?}", String::from_utf8_lossy(&answer));
}

/// How long after `since` the server closes `stream`, if within `limit`.
async fn closed_after(stream: &mut TcpStream, since: Instant, limit: Duration) -> Option<Duration> {
    closed_within(stream, limit.saturating_sub(since.elapsed())).await.then(|| since.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_closed_at_the_header_timeout_not_the_keep_alive_one() {
    let probe = Probe::start(|config| {
        config.http.header_read_timeout = Duration::from_secs(1);
        config.http.keep_alive_timeout = Duration::from_secs(30);
    })
    .await;
    // A first request that never finishes its headers.
    let started = Instant::now();
    let mut slow = TcpStream::connect(probe.addr).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    // A connection that says nothing at all.
    let mut silent = TcpStream::connect(probe.addr).await.unwrap();
    // A second request, begun on a kept-alive connection, that never finishes.
    let mut second = TcpStream::connect(probe.addr).await.unwrap();
    healthz_on(&mut second).await;
    let second_started = Instant::now();
    second.write_all(b"GET /healthz HTTP/1.1\r\nHo").await.unwrap();

    for (what, stream, since) in [
        ("slow", &mut slow, started),
        ("silent", &mut silent, started),
        ("second", &mut second, second_started),
    ] {
        let closed = closed_after(stream, since, Duration::from_secs(5)).await;
        println!("{what}: closed after {closed:?} (header timeout 1 s)");
        let closed = closed.unwrap_or_else(|| panic!("{what}: still open after 5 s"));
        assert!(
            closed >= Duration::from_millis(900) && closed < Duration::from_secs(3),
            "{what}: {closed:?}"
        );
    }
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_are_closed_at_the_keep_alive_timeout_not_the_header_one() {
    let probe = Probe::start(|config| {
        config.http.header_read_timeout = Duration::from_secs(1);
        config.http.keep_alive_timeout = Duration::from_secs(3);
    })
    .await;
    let mut idle = TcpStream::connect(probe.addr).await.unwrap();
    healthz_on(&mut idle).await;
    // Idle past the header timeout: still open, and a next request is answered.
    let answered = Instant::now();
    assert!(!closed_within(&mut idle, Duration::from_secs(2)).await, "closed at the header timeout");
    healthz_on(&mut idle).await;
    let answered_again = Instant::now();
    let closed = closed_after(&mut idle, answered_again, Duration::from_secs(8)).await;
    println!(
        "idle: open {:?} after a response, closed {closed:?} after the next (keep-alive 3 s)",
        answered_again - answered
    );
    let closed = closed.expect("an idle connection is closed");
    assert!(closed >= Duration::from_millis(2900) && closed < Duration::from_secs(5), "{closed:?}");

    // The other way round: keep-alive shorter than the header timeout.
    let probe2 = Probe::start(|config| {
        config.http.header_read_timeout = Duration::from_secs(3);
        config.http.keep_alive_timeout = Duration::from_secs(1);
    })
    .await;
    let mut idle = TcpStream::connect(probe2.addr).await.unwrap();
    healthz_on(&mut idle).await;
    let closed = closed_after(&mut idle, Instant::now(), Duration::from_secs(5)).await;
    println!("idle: closed {closed:?} after a response (keep-alive 1 s, header 3 s)");
    let closed = closed.expect("an idle connection is closed");
    assert!(closed >= Duration::from_millis(900) && closed < Duration::from_millis(2500), "{closed:?}");
    probe2.stop().await;
    probe.stop().await;
}

/// Reads what the server answers on `stream` until it closes the
/// connection (or `limit` passes): the answer, and when it ended.
async fn answer_until_closed(stream: &mut (impl AsyncReadExt + Unpin), limit: Duration) -> (String, Instant) {
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => answer.extend_from_slice(&buf[..n]),
            Ok(_) => break,
            Err(_) => panic!("still open after {limit:?}: {:?}", String::from_utf8_lossy(&answer)),
        }
    }
    (String::from_utf8_lossy(&answer).into_owned(), Instant::now())
}

/// The head of a chat message of `length` bytes, sent before its body.
async fn message_head(probe: &Probe, length: usize) -> String {
    let (id, token) = probe.conversation().await;
    format!(
        "POST /v1/chat/{DEMO_TENANT}/conversations/{id}/messages HTTP/1.1\r\nHost: x\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_body_gets_408_at_the_body_timeout() {
    let probe = Probe::start(|config| config.http.body_read_timeout = Duration::from_secs(1)).await;
    let head = message_head(&probe, 20).await;
    let mut stream = TcpStream::connect(probe.addr).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    // 5 of the 20 bytes promised, then nothing.
    stream.write_all(br#"{"tex"#).await.unwrap();
    let stalled = Instant::now();
    let (answer, closed) = answer_until_closed(&mut stream, Duration::from_secs(10)).await;
    let after = closed - stalled;
    println!("stalled body: answered and closed after {after:?} (body timeout 1 s)");
    let (status, body) = raw_json_error(&answer);
    assert_eq!((status, body["error"]["code"].as_str()), (408, Some("timeout")), "{answer}");
    assert!(answer.to_lowercase().contains("\r\nconnection: close\r\n"), "{answer}");
    assert!(after >= Duration::from_millis(900) && after < Duration::from_secs(3), "{after:?}");
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_longer_than_the_request_timeout_gets_408() {
    // A body trickled a byte every 200 ms: no pause reaches the body timeout,
    // but the whole request outlasts the request timeout.
    let probe = Probe::start(|config| {
        config.http.request_timeout = Duration::from_secs(1);
        config.http.body_read_timeout = Duration::from_secs(10);
    })
    .await;
    let body = json!({ "text": "a message typed very, very slowly" }).to_string();
    let head = message_head(&probe, body.len()).await;
    let (mut reader, mut writer) = TcpStream::connect(probe.addr).await.unwrap().into_split();
    writer.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let trickle = tokio::spawn(async move {
        for byte in body.bytes() {
            if writer.write_all(&[byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let (answer, closed) = answer_until_closed(&mut reader, Duration::from_secs(10)).await;
    let after = closed - started;
    println!("trickled body: answered and closed after {after:?} (request timeout 1 s, body timeout 10 s)");
    let (status, body) = raw_json_error(&answer);
    assert_eq!((status, body["error"]["code"].as_str()), (408, Some("timeout")), "{answer}");
    assert!(answer.to_lowercase().contains("\r\nconnection: close\r\n"), "{answer}");
    assert!(after >= Duration::from_millis(900) && after < Duration::from_secs(3), "{after:?}");
    trickle.abort();
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_stuck_on_a_locked_database_gets_408_at_the_request_timeout() {
    use sqlx::Connection;
    let probe = Probe::start(|config| config.http.request_timeout = Duration::from_secs(1)).await;
    // Another process holds the database's write lock (the store would wait 30 s for it).
    let url = probe.state.config.effective_database_url();
    let mut other = sqlx::SqliteConnection::connect(&url).await.unwrap();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut other).await.unwrap();
    let start = || {
        probe
            .http
            .post(probe.url(&format!("/v1/chat/{DEMO_TENANT}/conversations")))
            .header("X-Concierge-Key", DEMO_KEY)
            .send()
    };
    let started = Instant::now();
    let response = start().await.unwrap();
    let after = started.elapsed();
    println!("locked database: answered after {after:?} (request timeout 1 s)");
    let (status, body) = json_error(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (408, Some("timeout")), "{body}");
    assert!(after >= Duration::from_millis(900) && after < Duration::from_secs(3), "{after:?}");
    // Once the lock is gone, the same request succeeds.
    sqlx::query("ROLLBACK").execute(&mut other).await.unwrap();
    assert_eq!(start().await.unwrap().status(), 201);
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_per_address_cap_are_refused() {
    let probe = Probe::start(|config| {
        config.http.max_connections_per_ip = 5;
        config.http.metrics_token = Some(Secret::new("scrape-me"));
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..5 {
        let mut stream = TcpStream::connect(probe.addr).await.unwrap();
        stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await.unwrap();
        held.push(stream);
    }
    // Give the server time to accept them all.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut extra = TcpStream::connect(probe.addr).await.unwrap();
    let _ = extra.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(closed_within(&mut extra, Duration::from_secs(2)).await, "the sixth connection is closed");
    // One freed place is usable again.
    drop(held.pop());
    let mut answered = false;
    for _ in 0..50 {
        if let Ok(response) = probe.http.get(probe.url("/healthz")).send().await {
            answered = response.status() == 200;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answered);
    // The refusal is counted for the operator (asked once the held
    // connections are gone, so the scrape is not refused itself).
    drop(held);
    let mut text = String::new();
    for _ in 0..50 {
        let scrape = probe.http.get(probe.url("/metrics")).bearer_auth("scrape-me").send().await;
        if let Ok(response) = scrape {
            text = response.text().await.unwrap_or_default();
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let refused: u64 = text
        .lines()
        .find_map(|line| line.strip_prefix("concierge_connections_refused_total "))
        .and_then(|count| count.trim().parse().ok())
        .expect("the refusal counter is exported");
    assert!(refused >= 1, "{refused}");
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_need_the_configured_token() {
    let open = Probe::start(|_| {}).await;
    let (status, body) = json_error(open.http.get(open.url("/metrics")).send().await.unwrap()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("not_found")), "no token: no metrics");
    open.stop().await;

    let probe = Probe::start(|config| config.http.metrics_token = Some(Secret::new("scrape-me"))).await;
    let (status, _) = json_error(probe.http.get(probe.url("/metrics")).send().await.unwrap()).await;
    assert_eq!(status, 401);
    let wrong = probe.http.get(probe.url("/metrics")).bearer_auth("scrape-you").send().await.unwrap();
    assert_eq!(json_error(wrong).await.0, 401);
    let right = probe.http.get(probe.url("/metrics")).bearer_auth("scrape-me").send().await.unwrap();
    assert_eq!(right.status(), 200);
    assert!(right.text().await.unwrap().contains("concierge_"));
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_malformed_request_gets_a_json_error() {
    let probe = Probe::start(|_| {}).await;
    let token = probe.access_token().await;
    let admin =
        |method: reqwest::Method, path: &str| probe.http.request(method, probe.url(path)).bearer_auth(&token);
    let get = reqwest::Method::GET;
    let post = reqwest::Method::POST;

    let cases = [
        ("bookings without from", admin(get.clone(), "/v1/admin/bookings"), 400),
        ("a bad query value", admin(get.clone(), "/v1/admin/bookings?from=x&to=y"), 400),
        (
            "a version that is not a number",
            admin(post.clone(), "/v1/admin/bots/b/versions/notanint/activate"),
            400,
        ),
        (
            "a spec that is not UTF-8",
            admin(post.clone(), "/v1/admin/bots/b/versions")
                .header("content-type", "application/yaml")
                .body(vec![0xff, 0xfe, 0x00, 0x80]),
            400,
        ),
        (
            "a 2 MB upload",
            admin(post.clone(), "/v1/admin/bots/b/versions")
                .header("content-type", "application/yaml")
                .body(vec![b'a'; 2 * 1024 * 1024]),
            413,
        ),
        ("a tenant that is not UTF-8", probe.http.post(probe.url("/v1/chat/%ff/conversations")), 400),
        ("no such route", probe.http.get(probe.url("/nowhere")), 404),
        ("a wrong method", probe.http.delete(probe.url("/healthz")), 405),
    ];
    for (what, request, expected) in cases {
        let (status, body) = json_error(request.send().await.unwrap()).await;
        assert_eq!(status, expected, "{what}: {body}");
    }

    // Refused before the body is read: the server does not wait for 10 GB.
    let huge = probe
        .raw(b"POST /v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n")
        .await;
    assert_eq!(raw_json_error(&huge).0, 413, "{huge}");
    // And the client is told the connection ends (the body stays unread),
    // so it does not send its next request on it.
    assert!(huge.to_lowercase().contains("\r\nconnection: close\r\n"), "{huge}");

    // What hyper answers by itself: headers too large, a bad request line.
    let mut many = b"GET /healthz HTTP/1.1\r\nHost: x\r\n".to_vec();
    for i in 0..200 {
        many.extend_from_slice(format!("X-H{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    let (status, body) = raw_json_error(&probe.raw(&many).await);
    assert_eq!((status, body["error"]["code"].as_str()), (431, Some("headers_too_large")));
    let (status, _) = raw_json_error(&probe.raw(b"NOT A REQUEST LINE\r\n\r\n").await);
    assert_eq!(status, 400);
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_spraying_from_one_address_is_rate_limited() {
    let probe = Probe::start(|config| {
        config.auth = AuthConfig {
            login_rate_per_ip: RateConfig { per_second: 0.01, burst: 4 },
            ..AuthConfig::default()
        };
    })
    .await;
    let mut statuses = Vec::new();
    for i in 0..12 {
        let response = probe.login(&format!("staff{i}@demo-salon.test")).await;
        statuses.push(response.status().as_u16());
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
            assert_eq!(json_error(response).await.1["error"]["code"], "rate_limited");
        }
    }
    assert_eq!(statuses[..4], [401; 4], "{statuses:?}");
    assert!(statuses[4..].iter().all(|s| *s == 429), "{statuses:?}");
    probe.stop().await;
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

async fn socket(probe: &Probe, query: &str) -> Socket {
    let (id, token) = probe.conversation().await;
    let url = format!("ws://{}/v1/chat/{DEMO_TENANT}/conversations/{id}/ws?token={token}{query}", probe.addr);
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

/// The close frame the server ends `socket` with.
async fn close_code(socket: &mut Socket) -> (u16, String) {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Close(Some(frame))))) => {
                return (frame.code.into(), frame.reason.to_string())
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("no close frame: {other:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_frames_over_the_limit_are_closed_with_1009() {
    let probe = Probe::start(|_| {}).await;
    let mut ws = socket(&probe, "").await;
    let text = json!({ "type": "message", "text": "a".repeat(20 * 1024) }).to_string();
    ws.send(Message::Text(text.into())).await.unwrap();
    let (code, reason) = close_code(&mut ws).await;
    assert_eq!(code, 1009, "{reason}");
    assert!(!reason.is_empty());
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_websockets_are_closed_with_1008_and_shutdown_says_1001() {
    let probe = Probe::start(|config| config.http.websocket_idle_timeout = Duration::from_secs(1)).await;
    let mut ws = socket(&probe, "").await;
    assert_eq!(close_code(&mut ws).await.0, 1008);
    let mut open = socket(&probe, "").await;
    // Let the session start (it reads the conversation once) before stopping.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let stopping = tokio::spawn(probe.stop());
    assert_eq!(close_code(&mut open).await.0, 1001);
    stopping.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_websocket_without_a_token_gets_401() {
    let probe = Probe::start(|_| {}).await;
    let (id, _) = probe.conversation().await;
    let path = format!("/v1/chat/{DEMO_TENANT}/conversations/{id}/ws");
    let response = probe
        .http
        .get(probe.url(&path))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (401, Some("unauthorized")));
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_request_id_is_replaced_and_a_good_one_kept() {
    let probe = Probe::start(|_| {}).await;
    let id_of = |sent: String| {
        let request = probe.http.get(probe.url("/healthz")).header("x-request-id", sent);
        async move {
            let response = request.send().await.unwrap();
            response.headers()["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(id_of("trace-42.a:b_c".into()).await, "trace-42.a:b_c");
    for bad in ["x".repeat(6000), "<script>alert(1)</script>".into(), "a b".into()] {
        let echoed = id_of(bad.clone()).await;
        assert_ne!(echoed, bad);
        assert_eq!(echoed.len(), 36, "a fresh UUID: {echoed}");
    }
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_array_body_is_refused() {
    let probe = Probe::start(|_| {}).await;
    let (id, token) = probe.conversation().await;
    let response = probe
        .http
        .post(probe.url(&format!("/v1/chat/{DEMO_TENANT}/conversations/{id}/messages")))
        .bearer_auth(&token)
        .json(&json!(["hi"]))
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(response).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_request")), "{body}");
    probe.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_trusted_proxy_names_the_client_of_the_rate_limits() {
    let limited = |config: &mut ServerConfig| {
        config.limits.per_ip = RateConfig { per_second: 0.01, burst: 2 };
    };
    let start_as = |client: &'static str| {
        move |probe: &Probe| {
            probe
                .http
                .post(probe.url(&format!("/v1/chat/{DEMO_TENANT}/conversations")))
                .header("X-Concierge-Key", DEMO_KEY)
                .header("X-Forwarded-For", client)
                .send()
        }
    };
    // Untrusted: the header is ignored, everyone is 127.0.0.1.
    let probe = Probe::start(limited).await;
    let statuses: Vec<u16> =
        futures::future::join_all(["1.1.1.1", "2.2.2.2", "3.3.3.3"].map(|c| start_as(c)(&probe)))
            .await
            .into_iter()
            .map(|r| r.unwrap().status().as_u16())
            .collect();
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "{statuses:?}");
    // The audit log records the socket's address, not the header.
    assert_eq!(audited_client(&probe, "198.51.100.9").await, "127.0.0.1");
    probe.stop().await;

    // Behind a trusted proxy, each forwarded client has its own bucket.
    let probe = Probe::start(|config| {
        limited(config);
        config.http = HttpConfig {
            trusted_proxies: vec![Cidr::parse("127.0.0.1/32").unwrap()],
            ..HttpConfig::default()
        };
    })
    .await;
    for client in ["1.1.1.1", "2.2.2.2", "3.3.3.3"] {
        for _ in 0..2 {
            assert_eq!(start_as(client)(&probe).await.unwrap().status(), 201, "{client}");
        }
    }
    assert_eq!(start_as("1.1.1.1")(&probe).await.unwrap().status(), 429);

    // The audit log records the forwarded client too.
    assert_eq!(audited_client(&probe, "198.51.100.9").await, "198.51.100.9");
    probe.stop().await;
}

/// The client the audit log records for a bot created by a request that
/// says `X-Forwarded-For: forwarded`.
async fn audited_client(probe: &Probe, forwarded: &str) -> Value {
    let token = probe.access_token().await;
    let created = probe
        .http
        .post(probe.url("/v1/admin/bots"))
        .bearer_auth(&token)
        .header("X-Forwarded-For", forwarded)
        .json(&json!({ "name": "audited" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let tenant = concierge_store::TenantId::parse(DEMO_TENANT).unwrap();
    let log = probe.state.store.audit_log(&tenant).await.unwrap();
    let entry = log.iter().find(|e| e.action == "bot.create").unwrap();
    entry.details["client"].clone()
}
