//! The admin API and its authentication, end to end: a real server on
//! loopback over a real SQLite file, and over PostgreSQL too when
//! `CONCIERGE_TEST_POSTGRES_URL` names a server (each run in a fresh
//! database owned by a fresh ordinary role, so row-level security applies).

use std::net::SocketAddr;
use std::time::Duration;

use concierge_http::server::config::AuthConfig;
use concierge_http::server::config::{HttpConfig, LimitsConfig, RateConfig, Secret, ServerConfig};
use concierge_http::server::demo::{DEMO_ADMIN_EMAIL, DEMO_KEY, DEMO_TENANT};
use concierge_http::server::{self, AppState};
use concierge_store::{NewPublishableKey, TenantId};
use futures::StreamExt;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::Message;

mod support;
use support::Backend;

const PASSWORD: &str = "demo password for the admin tests";

/// A small valid bot (its engine builds much faster than the salon's).
const SMALL_SPEC: &str = r#"
version: 1
business:
  name: Corner Barber
  timezone: Europe/Paris
  hours:
    monday: ["10:00-18:00"]
  services:
    - id: shave
      name: Shave
      duration_minutes: 20
  staff:
    - id: leo
      name: Leo
intents:
  - name: hello
    examples: [hi there, hello, good morning]
  - name: book
    examples: ["I want a [shave](service)", "book me in"]
entities:
  - name: service
    from_services: true
slots:
  - name: service
    type: service
responses:
  which_service: What would you like done?
flows:
  - name: book
    triggers: [book]
    steps:
      - collect: service
        prompt: which_service
knowledge:
  - id: parking
    question: Do you have parking?
    alternatives: [Where can I park?]
    answer: "Park in the yard behind the shop."
"#;

/// The small bot's tenant, publishable key and owner.
const BARBER: &str = "corner-barber";
const BARBER_KEY: &str = "pk_corner_barber";
const BARBER_OWNER: &str = "owner@corner-barber.test";
/// A server running on loopback for one test.
struct TestServer {
    base: String,
    addr: SocketAddr,
    http: reqwest::Client,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    async fn start(backend: &Backend, auth: AuthConfig) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let database_url = match backend {
            Backend::Sqlite => None,
            Backend::Postgres(admin_url) => Some(support::postgres_database(admin_url).await),
        };
        let config = ServerConfig {
            data_dir: dir.path().to_path_buf(),
            database_url,
            demo: true,
            admin_password: Some(Secret::new(PASSWORD)),
            limits: LimitsConfig {
                per_ip: RateConfig::UNLIMITED,
                per_tenant: RateConfig::UNLIMITED,
                ..LimitsConfig::default()
            },
            auth,
            http: HttpConfig { metrics_token: Some(Secret::new("admin-metrics")), ..HttpConfig::default() },
            ..ServerConfig::default()
        };
        TestServer::serve(config, dir).await
    }

    /// A server over `config`, on an ephemeral loopback port; `dir` lives as long as it.
    async fn serve(config: ServerConfig, dir: tempfile::TempDir) -> TestServer {
        let (state, _) = server::start(config).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(state.clone(), listener, async move {
            let _ = stopped.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            addr,
            http: reqwest::Client::new(),
            state,
            stop: Some(stop),
            task: Some(task),
            _dir: dir,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a JSON request; returns the status and the body (null when empty).
    async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() };
        (status, body)
    }

    async fn login(&self, tenant: &str, email: &str, password: &str) -> (StatusCode, Value) {
        self.call(
            "POST",
            "/v1/auth/login",
            None,
            Some(json!({"tenant": tenant, "email": email, "password": password})),
        )
        .await
    }

    /// Logs in and returns (access token, refresh token).
    async fn tokens(&self, tenant: &str, email: &str, password: &str) -> (String, String) {
        let (status, body) = self.login(tenant, email, password).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        (
            body["access_token"].as_str().unwrap().to_owned(),
            body["refresh_token"].as_str().unwrap().to_owned(),
        )
    }

    async fn owner(&self) -> String {
        self.tokens(DEMO_TENANT, DEMO_ADMIN_EMAIL, PASSWORD).await.0
    }

    /// A second tenant, `other-spa`, with an owner who can log in.
    async fn other_tenant(&self) -> TenantId {
        let other = TenantId::parse("other-spa").unwrap();
        self.state.store.create_tenant_with_id(&other, "Other spa").await.unwrap();
        self.state.store.create_user(&other, "owner@other-spa.test", PASSWORD, "owner").await.unwrap();
        other
    }

    async fn refresh(&self, refresh_token: &str) -> (StatusCode, Value) {
        self.call("POST", "/v1/auth/refresh", None, Some(json!({ "refresh_token": refresh_token }))).await
    }

    /// Seeds the small bot's tenant: the bot (version 1 active), its
    /// publishable key and an owner; returns the owner's access token and the bot's id.
    async fn barber(&self) -> (String, String) {
        let store = &self.state.store;
        let tenant = TenantId::parse(BARBER).unwrap();
        store.create_tenant_with_id(&tenant, "Corner Barber").await.unwrap();
        let bot = store.create_bot(&tenant, "front desk").await.unwrap();
        let spec: Value = serde_yaml::from_str(SMALL_SPEC).unwrap();
        let version = store.add_bot_version(&tenant, &bot.id, &spec).await.unwrap();
        store.activate_bot_version(&tenant, &bot.id, version).await.unwrap();
        store
            .put_publishable_key(
                &tenant,
                &NewPublishableKey {
                    key: BARBER_KEY.into(),
                    bot_id: bot.id.clone(),
                    allowed_origins: vec!["*".into()],
                },
            )
            .await
            .unwrap();
        store.create_user(&tenant, BARBER_OWNER, PASSWORD, "owner").await.unwrap();
        (self.tokens(BARBER, BARBER_OWNER, PASSWORD).await.0, bot.id)
    }

    /// Starts a demo conversation through the public API: (id, token).
    async fn conversation(&self) -> (String, String) {
        self.conversation_with(DEMO_TENANT, DEMO_KEY).await
    }

    /// Starts a conversation of `tenant` through the public API: (id, token).
    async fn conversation_with(&self, tenant: &str, key: &str) -> (String, String) {
        let response = self
            .http
            .post(self.url(&format!("/v1/chat/{tenant}/conversations")))
            .header("X-Concierge-Key", key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        (body["conversation_id"].as_str().unwrap().to_owned(), body["token"].as_str().unwrap().to_owned())
    }

    /// The customer of a `tenant` conversation says something; returns the bot's reply texts.
    async fn say(&self, tenant: &str, id: &str, token: &str, text: &str) -> Vec<String> {
        let (status, body) = self
            .call(
                "POST",
                &format!("/v1/chat/{tenant}/conversations/{id}/messages"),
                Some(token),
                Some(json!({ "text": text })),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["replies"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap().to_owned()).collect()
    }
}

fn error_code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_else(|| panic!("not an error body: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_session() {
    for backend in Backend::all() {
        let server = TestServer::start(&backend, AuthConfig::default()).await;

        // Wrong password, unknown email and unknown tenant look the same.
        let (wrong_password, a) = server.login(DEMO_TENANT, DEMO_ADMIN_EMAIL, "not the password").await;
        let (unknown_user, b) = server.login(DEMO_TENANT, "nobody@demo-salon.test", PASSWORD).await;
        let (unknown_tenant, c) = server.login("no-such-tenant", DEMO_ADMIN_EMAIL, PASSWORD).await;
        for (status, body) in [(wrong_password, &a), (unknown_user, &b), (unknown_tenant, &c)] {
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert_eq!(error_code(body), "unauthorized");
        }
        assert!(a == b && b == c, "{a} / {b} / {c}");

        let (status, login) = server.login(DEMO_TENANT, DEMO_ADMIN_EMAIL, PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{login}");
        assert_eq!(login["role"], "owner");
        assert_eq!(login["expires_in"], 900);
        let access = login["access_token"].as_str().unwrap();
        let (status, _) = server.call("GET", "/v1/admin/conversations", Some(access), None).await;
        assert_eq!(status, StatusCode::OK);

        let first = login["refresh_token"].as_str().unwrap().to_owned();
        let (status, second) = server.refresh(&first).await;
        assert_eq!(status, StatusCode::OK, "{second}");
        let second_token = second["refresh_token"].as_str().unwrap().to_owned();
        let (status, _) =
            server.call("GET", "/v1/admin/conversations", second["access_token"].as_str(), None).await;
        assert_eq!(status, StatusCode::OK);
        let (status, third) = server.refresh(&second_token).await;
        assert_eq!(status, StatusCode::OK);
        let newest = third["refresh_token"].as_str().unwrap().to_owned();

        // The first token again: refused, and the newest token dies with it.
        let (status, body) = server.refresh(&first).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("reused"), "{body}");
        let (status, body) = server.refresh(&newest).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

        // Logout ends a session.
        let (_, refresh) = server.tokens(DEMO_TENANT, DEMO_ADMIN_EMAIL, PASSWORD).await;
        let (status, _) =
            server.call("POST", "/v1/auth/logout", None, Some(json!({ "refresh_token": refresh }))).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        assert_eq!(server.refresh(&refresh).await.0, StatusCode::UNAUTHORIZED);

        // No credentials, a made-up token, bad JSON.
        let (status, body) = server.call("GET", "/v1/admin/conversations", None, None).await;
        assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"));
        let (status, _) =
            server.call("GET", "/v1/admin/conversations", Some("eyJhbGciOiJIUzI1NiJ9.e30.x"), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        let response = server
            .http
            .post(server.url("/v1/auth/refresh"))
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_refresh_token_is_rejected() {
    let auth = AuthConfig { refresh_ttl: Duration::from_secs(1), ..AuthConfig::default() };
    let server = TestServer::start(&Backend::Sqlite, auth).await;
    let (_, refresh) = server.tokens(DEMO_TENANT, DEMO_ADMIN_EMAIL, PASSWORD).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (status, body) = server.refresh(&refresh).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"), "{body}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_attempts_are_limited_per_address_and_email() {
    let auth = AuthConfig { login_rate: RateConfig { per_second: 0.01, burst: 3 }, ..AuthConfig::default() };
    let server = TestServer::start(&Backend::Sqlite, auth).await;
    for _ in 0..3 {
        assert_eq!(server.login(DEMO_TENANT, DEMO_ADMIN_EMAIL, "guess").await.0, StatusCode::UNAUTHORIZED);
    }
    let response = server
        .http
        .post(server.url("/v1/auth/login"))
        .json(&json!({"tenant": DEMO_TENANT, "email": DEMO_ADMIN_EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry_after >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(error_code(&body), "rate_limited");
    // Another email from the same address is not held back.
    assert_eq!(server.login(DEMO_TENANT, "other@demo-salon.test", "guess").await.0, StatusCode::UNAUTHORIZED);
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_tenants_credentials_get_no_data() {
    for backend in Backend::all() {
        let server = TestServer::start(&backend, AuthConfig::default()).await;
        let store = server.state.store.clone();
        let other = server.other_tenant().await;
        let other_key = store.create_api_key(&other, "their crm").await.unwrap().secret;

        let owner = server.owner().await;
        let (conversation, _) = server.conversation().await;
        let demo = TenantId::parse(DEMO_TENANT).unwrap();
        let events = [json!({"type": "user_message", "text": "my phone is +1 415 555 0100"})];
        let write = concierge_store::TurnWrite::new(events.to_vec(), json!({}));
        store.append_turn(&demo, &conversation, 0, &write).await.unwrap();
        let (status, mine) =
            server.call("GET", &format!("/v1/admin/conversations/{conversation}"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(mine["events"][0]["event"], events[0], "{mine}");

        let (theirs, _) = server.tokens("other-spa", "owner@other-spa.test", PASSWORD).await;
        for credential in [theirs.as_str(), other_key.as_str()] {
            let (status, body) = server
                .call("GET", &format!("/v1/admin/conversations/{conversation}"), Some(credential), None)
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
            assert!(body.get("events").is_none());
            let (status, _) = server
                .call(
                    "POST",
                    &format!("/v1/admin/conversations/{conversation}/takeover"),
                    Some(credential),
                    None,
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND);
            let (status, list) = server.call("GET", "/v1/admin/conversations", Some(credential), None).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(list["conversations"], json!([]));
            let (status, bots) = server.call("GET", "/v1/admin/bots", Some(credential), None).await;
            assert_eq!(status, StatusCode::OK);
            assert_eq!(bots["bots"], json!([]));
        }
        // The demo conversation is untouched.
        let (_, after) =
            server.call("GET", &format!("/v1/admin/conversations/{conversation}"), Some(&owner), None).await;
        assert_eq!(after["conversation"]["status"], "bot");

        // A token signed with another server's secret proves nothing.
        let foreign = concierge_http::server::auth::access_token::issue(
            &[9; 32],
            &TenantId::parse(DEMO_TENANT).unwrap(),
            "someone",
            concierge_http::server::auth::Role::Owner,
            chrono::Utc::now(),
            Duration::from_secs(60),
        )
        .unwrap();
        let (status, _) = server.call("GET", "/v1/admin/conversations", Some(&foreign), None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_decide_what_each_caller_may_do() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    let owner = server.owner().await;
    for (email, role) in [("agent@demo-salon.test", "agent"), ("admin@demo-salon.test.example", "admin")] {
        let (status, body) = server
            .call(
                "POST",
                "/v1/admin/users",
                Some(&owner),
                Some(json!({"email": email, "password": PASSWORD, "role": role})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (agent, _) = server.tokens(DEMO_TENANT, "agent@demo-salon.test", PASSWORD).await;
    let (admin, _) = server.tokens(DEMO_TENANT, "admin@demo-salon.test.example", PASSWORD).await;
    let (status, bots) = server.call("GET", "/v1/admin/bots", Some(&owner), None).await;
    assert_eq!(status, StatusCode::OK);
    let bot = bots["bots"][0]["id"].as_str().unwrap().to_owned();
    let (status, key) =
        server.call("POST", "/v1/admin/api-keys", Some(&owner), Some(json!({"label": "crm"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let api_key = key["secret"].as_str().unwrap().to_owned();

    let upload = |token: String| {
        let server = &server;
        let bot = bot.clone();
        async move {
            server
                .http
                .post(server.url(&format!("/v1/admin/bots/{bot}/versions")))
                .bearer_auth(token)
                .header("content-type", "application/yaml")
                .body(SMALL_SPEC)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Agents handle conversations only.
    assert_eq!(server.call("GET", "/v1/admin/conversations", Some(&agent), None).await.0, StatusCode::OK);
    assert_eq!(upload(agent.clone()).await, StatusCode::FORBIDDEN);
    let (status, body) = server.call("GET", "/v1/admin/knowledge", Some(&agent), None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    // Admins manage the bot but not access.
    assert_eq!(upload(admin.clone()).await, StatusCode::CREATED);
    assert_eq!(server.call("GET", "/v1/admin/api-keys", Some(&admin), None).await.0, StatusCode::FORBIDDEN);
    assert_eq!(server.call("GET", "/v1/admin/users", Some(&admin), None).await.0, StatusCode::FORBIDDEN);
    // API keys act as admins.
    assert_eq!(upload(api_key.clone()).await, StatusCode::CREATED);
    assert_eq!(server.call("GET", "/v1/admin/knowledge", Some(&api_key), None).await.0, StatusCode::OK);
    assert_eq!(
        server.call("POST", "/v1/admin/api-keys", Some(&api_key), Some(json!({"label": "x"}))).await.0,
        StatusCode::FORBIDDEN
    );
    // Owners see every account and key; a revoked key stops working.
    let (_, users) = server.call("GET", "/v1/admin/users", Some(&owner), None).await;
    assert_eq!(users["users"].as_array().unwrap().len(), 3);
    let key_id = key["key"]["id"].as_str().unwrap();
    assert_eq!(
        server.call("DELETE", &format!("/v1/admin/api-keys/{key_id}"), Some(&owner), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        server.call("GET", "/v1/admin/knowledge", Some(&api_key), None).await.0,
        StatusCode::UNAUTHORIZED
    );
    server.stop().await;
}

/// Reads WebSocket frames until one matches, or fails after a few seconds.
async fn next_matching<S>(socket: &mut S, wanted: impl Fn(&Value) -> bool) -> Value
where
    S: futures::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .expect("no matching WebSocket frame within 10 s")
            .expect("the WebSocket closed")
            .unwrap();
        if let Message::Text(text) = frame {
            let value: Value = serde_json::from_str(text.as_str()).unwrap();
            if wanted(&value) {
                return value;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_takes_over_answers_on_the_websocket_and_hands_back() {
    for backend in Backend::all() {
        let server = TestServer::start(&backend, AuthConfig::default()).await;
        let (owner, _) = server.barber().await;
        let (id, token) = server.conversation_with(BARBER, BARBER_KEY).await;
        let (mut socket, _) = tokio_tungstenite::connect_async(format!(
            "ws://{}/v1/chat/{BARBER}/conversations/{id}/ws?token={token}",
            server.addr
        ))
        .await
        .unwrap();
        assert!(!server.say(BARBER, &id, &token, "do you have parking?").await.is_empty());

        let (status, taken) =
            server.call("POST", &format!("/v1/admin/conversations/{id}/takeover"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK, "{taken}");
        assert_eq!(taken["status"], "with_human");
        let (status, _) =
            server.call("POST", &format!("/v1/admin/conversations/{id}/takeover"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The bot stays silent while a person has the conversation.
        assert_eq!(server.say(BARBER, &id, &token, "do you have parking?").await, Vec::<String>::new());

        let (status, sent) = server
            .call(
                "POST",
                &format!("/v1/admin/conversations/{id}/messages"),
                Some(&owner),
                Some(json!({"text": "Hi, this is Maria from the salon."})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        let pushed = next_matching(&mut socket, |v| v["type"] == "agent_message").await;
        assert_eq!(pushed["text"], "Hi, this is Maria from the salon.");

        let (status, released) =
            server.call("POST", &format!("/v1/admin/conversations/{id}/release"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK, "{released}");
        next_matching(&mut socket, |v| v["type"] == "event" && v["event"]["type"] == "handoff_released")
            .await;
        let replies = server.say(BARBER, &id, &token, "do you have parking?").await;
        assert_eq!(replies, ["Park in the yard behind the shop."]);

        // An agent message outside a takeover is refused.
        let (status, body) = server
            .call(
                "POST",
                &format!("/v1/admin/conversations/{id}/messages"),
                Some(&owner),
                Some(json!({"text": "hi"})),
            )
            .await;
        assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"));

        // Everything is in the log, in order.
        let (_, detail) =
            server.call("GET", &format!("/v1/admin/conversations/{id}"), Some(&owner), None).await;
        let types: Vec<&str> = detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"]["type"].as_str().unwrap())
            .collect();
        let position = |t: &str| {
            types.iter().position(|x| *x == t).unwrap_or_else(|| panic!("{t} missing in {types:?}"))
        };
        assert!(position("agent_joined") < position("agent_message"));
        assert!(position("agent_message") < position("handoff_released"));
        let _ = socket.close(None).await;
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_inbox_shows_a_handoff_and_a_close_to_its_tenant_only() {
    use futures::SinkExt;
    for backend in Backend::all() {
        let server = TestServer::start(&backend, AuthConfig::default()).await;
        server.other_tenant().await;
        let owner = server.owner().await;
        let (theirs, _) = server.tokens("other-spa", "owner@other-spa.test", PASSWORD).await;
        let inbox_url = format!("ws://{}/v1/admin/inbox/ws", server.addr);
        let open = |token: String| {
            let url = inbox_url.clone();
            async move {
                let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
                let auth = json!({"type": "auth", "token": token}).to_string();
                socket.send(Message::Text(auth.into())).await.unwrap();
                socket
            }
        };

        // A wrong credential gets an error and a close.
        let mut refused = open("not-a-token".into()).await;
        let error = next_matching(&mut refused, |v| v["type"] == "error").await;
        assert_eq!(error["error"]["code"], "unauthorized", "{error}");

        let mut inbox = open(owner.clone()).await;
        next_matching(&mut inbox, |v| v["type"] == "ready").await;
        let mut other_inbox = open(theirs).await;
        next_matching(&mut other_inbox, |v| v["type"] == "ready").await;

        let (id, token) = server.conversation().await;
        server.say(DEMO_TENANT, &id, &token, "can I talk to a real person please").await;
        let update = next_matching(&mut inbox, |v| v["type"] == "update").await;
        assert_eq!(update["conversation_id"], id.as_str());
        assert_eq!(update["status"], "waiting_for_human", "{update}");
        assert!(update["items"].as_array().is_some_and(|items| !items.is_empty()), "{update}");

        let (status, closed) =
            server.call("POST", &format!("/v1/admin/conversations/{id}/close"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK, "{closed}");
        let update = next_matching(&mut inbox, |v| v["type"] == "update" && v["status"] == "closed").await;
        assert_eq!(update["conversation_id"], id.as_str());
        let (status, _) =
            server.call("POST", &format!("/v1/admin/conversations/{id}/close"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::CONFLICT);

        // The other tenant's inbox heard nothing of it.
        let quiet = tokio::time::timeout(Duration::from_millis(300), async {
            next_matching(&mut other_inbox, |v| v["type"] == "update").await
        })
        .await;
        assert!(quiet.is_err(), "another tenant's inbox got {quiet:?}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spec_uploads_are_validated_and_activation_changes_the_answers() {
    for backend in Backend::all() {
        let server = TestServer::start(&backend, AuthConfig::default()).await;
        let (owner, bot) = server.barber().await;
        let upload = |body: String, content_type: &'static str| {
            let server = &server;
            let owner = owner.clone();
            let bot = bot.clone();
            async move {
                let response = server
                    .http
                    .post(server.url(&format!("/v1/admin/bots/{bot}/versions")))
                    .bearer_auth(owner)
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                (response.status(), response.json::<Value>().await.unwrap())
            }
        };

        let broken = SMALL_SPEC.replacen("collect: service", "collect: servic", 1);
        assert_ne!(broken, SMALL_SPEC);
        let (status, body) = upload(broken, "application/yaml").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("flows.book.steps[0]") && message.contains("servic"), "{message}");

        let changed = SMALL_SPEC.replacen("in the yard behind", "on the square in front of", 1);
        assert_ne!(changed, SMALL_SPEC);
        // JSON is accepted as well as YAML.
        let as_json: Value = serde_yaml::from_str(&changed).unwrap();
        let (status, saved) = upload(as_json.to_string(), "application/json").await;
        assert_eq!(status, StatusCode::CREATED, "{saved}");
        let version = saved["version"].as_i64().unwrap();
        assert_eq!(version, 2);

        let (id, token) = server.conversation_with(BARBER, BARBER_KEY).await;
        let before = server.say(BARBER, &id, &token, "do you have parking?").await;
        assert_eq!(before, ["Park in the yard behind the shop."]);

        let (status, _) = server
            .call("POST", &format!("/v1/admin/bots/{bot}/versions/{version}/activate"), Some(&owner), None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let (_, versions) =
            server.call("GET", &format!("/v1/admin/bots/{bot}/versions"), Some(&owner), None).await;
        let active: Vec<(i64, bool)> = versions["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| (v["version"].as_i64().unwrap(), v["active"].as_bool().unwrap()))
            .collect();
        assert_eq!(active, [(1, false), (2, true)]);
        let after = server.say(BARBER, &id, &token, "do you have parking?").await;
        assert_eq!(after, ["Park on the square in front of the shop."]);

        let (status, _) = server
            .call("POST", &format!("/v1/admin/bots/{bot}/versions/9/activate"), Some(&owner), None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_catalog_and_bookings_round_trip() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    let owner = server.owner().await;
    let put = |path: String, body: Value| {
        let server = &server;
        let owner = owner.clone();
        async move { server.call("PUT", &path, Some(&owner), Some(body)).await }
    };

    let (status, entry) = put(
        "/v1/admin/knowledge/wifi".into(),
        json!({"title": "Do you have wifi?", "body": "Yes, ask at the desk.", "tags": ["amenities"]}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{entry}");
    let (_, entries) = server.call("GET", "/v1/admin/knowledge", Some(&owner), None).await;
    assert!(entries["entries"].as_array().unwrap().iter().any(|e| e["id"] == "wifi"));
    assert_eq!(
        server.call("DELETE", "/v1/admin/knowledge/wifi", Some(&owner), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        server.call("GET", "/v1/admin/knowledge/wifi", Some(&owner), None).await.0,
        StatusCode::NOT_FOUND
    );

    assert_eq!(
        put("/v1/admin/services/trim".into(), json!({"name": "Trim", "duration_minutes": 20})).await.0,
        StatusCode::OK
    );
    let (status, body) =
        put("/v1/admin/services/bad".into(), json!({"name": "Bad", "duration_minutes": 0})).await;
    assert_eq!((status, error_code(&body)), (StatusCode::BAD_REQUEST, "invalid_request"));
    assert_eq!(put("/v1/admin/staff/zoe".into(), json!({"name": "Zoe"})).await.0, StatusCode::OK);
    let hours = json!({"weekly_hours": {"tuesday": ["09:00-17:00"]}});
    assert_eq!(put("/v1/admin/staff/zoe/hours".into(), hours.clone()).await, (StatusCode::OK, hours.clone()));
    assert_eq!(
        server.call("GET", "/v1/admin/staff/zoe/hours", Some(&owner), None).await,
        (StatusCode::OK, hours)
    );
    let (status, _) =
        put("/v1/admin/staff/zoe/hours".into(), json!({"weekly_hours": {"tuesday": ["17:00-09:00"]}})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    let booking = json!({
        "service": "trim", "staff": "zoe",
        "start": "2031-03-04T15:00:00Z", "end": "2031-03-04T15:20:00Z",
        "customer": {"name": "Jane Doe", "phone": "+14155550100"}
    });
    let (status, made) = server.call("POST", "/v1/admin/bookings", Some(&owner), Some(booking.clone())).await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    assert_eq!(made["status"], "confirmed");
    let (status, body) = server.call("POST", "/v1/admin/bookings", Some(&owner), Some(booking)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"));
    let (_, listed) = server
        .call(
            "GET",
            "/v1/admin/bookings?from=2031-03-04T00:00:00Z&to=2031-03-05T00:00:00Z&staff=zoe",
            Some(&owner),
            None,
        )
        .await;
    assert_eq!(listed["bookings"].as_array().unwrap().len(), 1);
    // Moved an hour later, keeping its 20 minutes; the old one is marked moved.
    let old_id = made["id"].as_str().unwrap();
    let (status, moved) = server
        .call(
            "POST",
            &format!("/v1/admin/bookings/{old_id}/move"),
            Some(&owner),
            Some(json!({"start": "2031-03-04T16:00:00Z"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(
        (&moved["start"], &moved["end"], &moved["staff"], &moved["status"]),
        (&json!("2031-03-04T16:00:00Z"), &json!("2031-03-04T16:20:00Z"), &json!("zoe"), &json!("confirmed"))
    );
    let (_, old) = server.call("GET", &format!("/v1/admin/bookings/{old_id}"), Some(&owner), None).await;
    assert_eq!(old["status"], "rescheduled", "{old}");
    // Moving the old one again, onto a taken slot, or to nobody fails and changes nothing.
    let again = json!({"start": "2031-03-04T17:00:00Z"});
    let (status, body) =
        server.call("POST", &format!("/v1/admin/bookings/{old_id}/move"), Some(&owner), Some(again)).await;
    assert_eq!((status, error_code(&body)), (StatusCode::CONFLICT, "conflict"));
    let blocker = json!({
        "service": "trim", "staff": "zoe",
        "start": "2031-03-04T18:00:00Z", "end": "2031-03-04T18:20:00Z",
        "customer": {"name": "John Roe"}
    });
    assert_eq!(
        server.call("POST", "/v1/admin/bookings", Some(&owner), Some(blocker)).await.0,
        StatusCode::CREATED
    );
    let id = moved["id"].as_str().unwrap();
    for (body, expected) in [
        (json!({"start": "2031-03-04T18:10:00Z"}), StatusCode::CONFLICT),
        (json!({"start": "2031-03-04T19:00:00Z", "staff": "nobody"}), StatusCode::NOT_FOUND),
        (json!({"start": "not a time"}), StatusCode::BAD_REQUEST),
    ] {
        let path = format!("/v1/admin/bookings/{id}/move");
        let (status, answer) = server.call("POST", &path, Some(&owner), Some(body)).await;
        assert_eq!(status, expected, "{answer}");
    }
    let (_, kept) = server.call("GET", &format!("/v1/admin/bookings/{id}"), Some(&owner), None).await;
    assert_eq!((&kept["status"], &kept["start"]), (&json!("confirmed"), &json!("2031-03-04T16:00:00Z")));
    let (status, cancelled) =
        server.call("POST", &format!("/v1/admin/bookings/{id}/cancel"), Some(&owner), None).await;
    assert_eq!((status, &cancelled["status"]), (StatusCode::OK, &json!("cancelled")));
    assert_eq!(
        server.call("POST", &format!("/v1/admin/bookings/{id}/cancel"), Some(&owner), None).await.0,
        StatusCode::CONFLICT
    );

    assert_eq!(
        server.call("DELETE", "/v1/admin/staff/zoe", Some(&owner), None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        server.call("GET", "/v1/admin/staff/zoe/hours", Some(&owner), None).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        server.call("DELETE", "/v1/admin/services/trim", Some(&owner), None).await.0,
        StatusCode::NO_CONTENT
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_routes_are_in_the_openapi_description() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    let (status, doc) = server.call("GET", "/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/v1/auth/login",
        "/v1/auth/refresh",
        "/v1/auth/logout",
        "/v1/admin/conversations",
        "/v1/admin/conversations/{id}/takeover",
        "/v1/admin/conversations/{id}/release",
        "/v1/admin/conversations/{id}/messages",
        "/v1/admin/knowledge/{id}",
        "/v1/admin/services/{id}",
        "/v1/admin/staff/{id}/hours",
        "/v1/admin/bookings",
        "/v1/admin/bots/{bot}/versions",
        "/v1/admin/bots/{bot}/versions/{version}/activate",
        "/v1/admin/api-keys",
        "/v1/admin/users",
    ] {
        assert!(paths.contains_key(path), "{path} missing from /openapi.json");
    }
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert!(schemes.contains_key("access_token") && schemes.contains_key("api_key"), "{schemes:?}");
    server.stop().await;
}

// --- configuration, login timing, handoff metrics and the admin route review -------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_access_token_lifetime_from_the_config_file_makes_tokens_expire() {
    use concierge_http::server::config::Overrides;

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("concierge.toml");
    std::fs::write(&file, "[auth]\naccess_token_ttl_seconds = 60\n").unwrap();
    let issued_at = chrono::DateTime::parse_from_rfc3339("2026-03-02T09:00:00-05:00").unwrap().to_utc();
    // One data directory (database and secret) seen by servers whose fixed
    // clocks stand at different times.
    let config_at = |seconds_later: i64| {
        let overrides = Overrides {
            data_dir: Some(dir.path().join("data")),
            demo: true,
            now: Some(issued_at + chrono::TimeDelta::seconds(seconds_later)),
            ..Overrides::default()
        };
        let env = |name: &str| (name == "CONCIERGE_ADMIN_PASSWORD").then(|| PASSWORD.to_owned());
        ServerConfig::load(Some(&file), env, overrides).unwrap()
    };

    let server = TestServer::serve(config_at(0), tempfile::tempdir().unwrap()).await;
    let (status, login) = server.login(DEMO_TENANT, DEMO_ADMIN_EMAIL, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{login}");
    assert_eq!(login["expires_in"], 60);
    let access = login["access_token"].as_str().unwrap().to_owned();
    let refresh = login["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(server.call("GET", "/v1/admin/conversations", Some(&access), None).await.0, StatusCode::OK);
    server.stop().await;

    let server = TestServer::serve(config_at(59), tempfile::tempdir().unwrap()).await;
    assert_eq!(server.call("GET", "/v1/admin/conversations", Some(&access), None).await.0, StatusCode::OK);
    server.stop().await;

    // Past the configured 60 s (the default would be 15 minutes): refused,
    // and the refresh token (default 14 days) gets a new one.
    let server = TestServer::serve(config_at(61), tempfile::tempdir().unwrap()).await;
    let (status, body) = server.call("GET", "/v1/admin/conversations", Some(&access), None).await;
    assert_eq!((status, error_code(&body)), (StatusCode::UNAUTHORIZED, "unauthorized"));
    assert!(body["error"]["message"].as_str().unwrap().contains("expired"), "{body}");
    let (status, renewed) = server.refresh(&refresh).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    assert_eq!(
        server.call("GET", "/v1/admin/conversations", renewed["access_token"].as_str(), None).await.0,
        StatusCode::OK
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_without_an_account_gets_the_wrong_password_answer() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    let (status, wrong_password) = server.login(DEMO_TENANT, DEMO_ADMIN_EMAIL, "not the password").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for (tenant, email) in [
        (DEMO_TENANT, "nobody@demo-salon.test"),
        ("no-such-tenant", DEMO_ADMIN_EMAIL),
        ("Not a tenant id!", DEMO_ADMIN_EMAIL),
    ] {
        let (status, body) = server.login(tenant, email, "not the password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{tenant} {email}");
        assert_eq!(body, wrong_password, "{tenant} {email}");
    }
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_bot_can_be_built_before_its_first_customer() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    assert_eq!(server.state.engines.built(), 0);
    let tenant = TenantId::parse(DEMO_TENANT).unwrap();
    server::warm_engines(&server.state, &tenant).await;
    assert_eq!(server.state.engines.built(), 1, "the salon engine is built");
    let (conversation, token) = server.conversation().await;
    server.say(DEMO_TENANT, &conversation, &token, "is there parking?").await;
    assert_eq!(server.state.engines.built(), 1, "the first message used it");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_takes_the_email_in_any_case() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    let typed = format!(" {} ", DEMO_ADMIN_EMAIL.to_uppercase());
    let (status, body) = server.login(DEMO_TENANT, &typed, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["access_token"].is_string());
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handoffs_by_the_bot_and_by_takeover_and_releases_are_counted() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    let owner = server.owner().await;
    // The bot hands one conversation over when asked for a person.
    let (asked, token) = server.conversation().await;
    server.say(DEMO_TENANT, &asked, &token, "I want to talk to a person").await;
    // A person takes another one over, and hands it back.
    let (taken, _) = server.conversation().await;
    for step in ["takeover", "release"] {
        let (status, body) =
            server.call("POST", &format!("/v1/admin/conversations/{taken}/{step}"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
    }
    let metrics = server
        .http
        .get(server.url("/metrics"))
        .bearer_auth("admin-metrics")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for line in [
        r#"concierge_handoffs_total{kind="bot",tenant="demo-salon"} 1"#,
        r#"concierge_handoffs_total{kind="takeover",tenant="demo-salon"} 1"#,
        r#"concierge_handoff_releases_total{tenant="demo-salon"} 1"#,
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} missing from:\n{metrics}");
    }
    server.stop().await;
}

/// Every admin route that names a record (review of the admin handlers):
/// a staff member of another tenant, or its API key, gets 404 and changes
/// nothing; an agent gets 403 from everything beyond conversations.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_admin_route_checks_the_tenant_and_the_role() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    let owner = server.owner().await;
    let put = |path: &'static str, body: Value| {
        let server = &server;
        let owner = owner.clone();
        async move {
            let (status, body) = server.call("PUT", path, Some(&owner), Some(body)).await;
            assert!(status.is_success(), "{path}: {status} {body}");
            body
        }
    };
    put("/v1/admin/services/gloss", json!({"name": "Gloss", "duration_minutes": 30})).await;
    put("/v1/admin/staff/nina", json!({"name": "Nina"})).await;
    put("/v1/admin/staff/nina/hours", json!({"weekly_hours": {"monday": ["09:00-17:00"]}})).await;
    let (status, booking) = server
        .call(
            "POST",
            "/v1/admin/bookings",
            Some(&owner),
            Some(json!({
                "service": "gloss", "staff": "nina",
                "start": "2030-03-04T14:00:00Z", "end": "2030-03-04T14:30:00Z",
                "customer": {"name": "Ada"},
            })),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{booking}");
    let booking = booking["id"].as_str().unwrap().to_owned();
    let (_, bots) = server.call("GET", "/v1/admin/bots", Some(&owner), None).await;
    let bot = bots["bots"][0]["id"].as_str().unwrap().to_owned();
    let (status, key) =
        server.call("POST", "/v1/admin/api-keys", Some(&owner), Some(json!({"label": "crm"}))).await;
    assert_eq!(status, StatusCode::CREATED);
    let (key_id, key_secret) =
        (key["key"]["id"].as_str().unwrap().to_owned(), key["secret"].as_str().unwrap().to_owned());
    let (conversation, _) = server.conversation().await;

    let store = server.state.store.clone();
    let other = TenantId::parse("other-spa").unwrap();
    store.create_tenant_with_id(&other, "Other spa").await.unwrap();
    store.create_user(&other, "owner@other-spa.test", PASSWORD, "owner").await.unwrap();
    let their_key = store.create_api_key(&other, "their crm").await.unwrap().secret;
    let (theirs, _) = server.tokens("other-spa", "owner@other-spa.test", PASSWORD).await;

    let targeted: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/v1/admin/conversations/{conversation}"), None),
        ("POST", format!("/v1/admin/conversations/{conversation}/takeover"), None),
        ("POST", format!("/v1/admin/conversations/{conversation}/release"), None),
        ("POST", format!("/v1/admin/conversations/{conversation}/messages"), Some(json!({"text": "hi"}))),
        ("DELETE", "/v1/admin/services/gloss".into(), None),
        ("DELETE", "/v1/admin/staff/nina".into(), None),
        ("GET", "/v1/admin/staff/nina/hours".into(), None),
        (
            "PUT",
            "/v1/admin/staff/nina/hours".into(),
            Some(json!({"weekly_hours": {"sunday": ["09:00-10:00"]}})),
        ),
        ("GET", format!("/v1/admin/bookings/{booking}"), None),
        ("POST", format!("/v1/admin/bookings/{booking}/cancel"), None),
        (
            "POST",
            format!("/v1/admin/bookings/{booking}/move"),
            Some(json!({"start": "2030-03-05T10:00:00Z"})),
        ),
        ("GET", format!("/v1/admin/bots/{bot}/versions"), None),
        ("POST", format!("/v1/admin/bots/{bot}/versions/1/activate"), None),
        ("DELETE", format!("/v1/admin/api-keys/{key_id}"), None),
    ];
    for credential in [theirs.as_str(), their_key.as_str()] {
        for (method, path, body) in &targeted {
            let (status, answer) = server.call(method, path, Some(credential), body.clone()).await;
            // Their API key cannot touch keys at all (owners only); everything else is "not found".
            let expected = if path.contains("api-keys") && credential == their_key {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(status, expected, "{method} {path}: {answer}");
        }
        let (_, list) = server
            .call(
                "GET",
                "/v1/admin/bookings?from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z",
                Some(credential),
                None,
            )
            .await;
        assert_eq!(list["bookings"], json!([]), "{list}");
    }
    // Nothing of the demo tenant changed.
    let (_, hours) = server.call("GET", "/v1/admin/staff/nina/hours", Some(&owner), None).await;
    assert_eq!(hours["weekly_hours"], json!({"monday": ["09:00-17:00"]}));
    let (_, stored) = server.call("GET", &format!("/v1/admin/bookings/{booking}"), Some(&owner), None).await;
    assert_eq!(stored["status"], "confirmed", "{stored}");
    let (_, detail) =
        server.call("GET", &format!("/v1/admin/conversations/{conversation}"), Some(&owner), None).await;
    assert_eq!(detail["conversation"]["status"], "bot");
    assert_eq!(server.call("GET", "/v1/admin/services", Some(&key_secret), None).await.0, StatusCode::OK);

    // An agent of the tenant: conversations only.
    let (status, _) = server
        .call(
            "POST",
            "/v1/admin/users",
            Some(&owner),
            Some(json!({"email": "agent@demo-salon.test", "password": PASSWORD, "role": "agent"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let (agent, _) = server.tokens(DEMO_TENANT, "agent@demo-salon.test", PASSWORD).await;
    let admin_only: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", "/v1/admin/services".into(), None),
        ("PUT", "/v1/admin/services/wax".into(), Some(json!({"name": "Wax", "duration_minutes": 20}))),
        ("DELETE", "/v1/admin/services/gloss".into(), None),
        ("GET", "/v1/admin/staff".into(), None),
        ("PUT", "/v1/admin/staff/ola".into(), Some(json!({"name": "Ola"}))),
        ("DELETE", "/v1/admin/staff/nina".into(), None),
        ("GET", "/v1/admin/staff/nina/hours".into(), None),
        ("PUT", "/v1/admin/staff/nina/hours".into(), Some(json!({"weekly_hours": {}}))),
        ("GET", "/v1/admin/bookings?from=2030-03-01T00:00:00Z&to=2030-04-01T00:00:00Z".into(), None),
        ("GET", format!("/v1/admin/bookings/{booking}"), None),
        ("POST", format!("/v1/admin/bookings/{booking}/cancel"), None),
        (
            "POST",
            format!("/v1/admin/bookings/{booking}/move"),
            Some(json!({"start": "2030-03-05T10:00:00Z"})),
        ),
        ("GET", "/v1/admin/bots".into(), None),
        ("POST", "/v1/admin/bots".into(), Some(json!({"name": "second"}))),
        ("GET", format!("/v1/admin/bots/{bot}/versions"), None),
        ("POST", format!("/v1/admin/bots/{bot}/versions/1/activate"), None),
        ("GET", "/v1/admin/knowledge".into(), None),
        ("GET", "/v1/admin/api-keys".into(), None),
        ("POST", "/v1/admin/api-keys".into(), Some(json!({"label": "mine"}))),
        ("DELETE", format!("/v1/admin/api-keys/{key_id}"), None),
        ("GET", "/v1/admin/users".into(), None),
        (
            "POST",
            "/v1/admin/users".into(),
            Some(json!({"email": "x@y.test", "password": PASSWORD, "role": "owner"})),
        ),
        ("POST", "/v1/admin/users/invites".into(), Some(json!({"email": "x@y.test", "role": "owner"}))),
        ("DELETE", "/v1/admin/users/someone".into(), None),
        ("GET", "/v1/admin/audit-log".into(), None),
        ("POST", "/v1/admin/knowledge/try".into(), Some(json!({"text": "do you have parking?"}))),
        ("GET", "/v1/admin/publishable-keys".into(), None),
    ];
    for (method, path, body) in &admin_only {
        let (status, answer) = server.call(method, path, Some(&agent), body.clone()).await;
        assert_eq!((status, error_code(&answer)), (StatusCode::FORBIDDEN, "forbidden"), "{method} {path}");
    }
    assert_eq!(server.call("GET", "/v1/admin/conversations", Some(&agent), None).await.0, StatusCode::OK);
    assert_eq!(
        server.call("GET", "/v1/admin/services", Some(&owner), None).await.1["services"][0]["id"],
        "gloss"
    );
    server.stop().await;
}

/// A handoff answered by a person, closed and rated by the customer shows in
/// the analytics report exactly; a rating is taken once, checked, and only
/// with the conversation's own token; the conversation is found by a search
/// of its words; another tenant's report and search are empty.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rated_handoff_shows_in_the_analytics_report() {
    for backend in Backend::all() {
        let server = TestServer::start(&backend, AuthConfig::default()).await;
        server.other_tenant().await;
        let owner = server.owner().await;
        let (theirs, _) = server.tokens("other-spa", "owner@other-spa.test", PASSWORD).await;
        let (id, token) = server.conversation().await;
        server.say(DEMO_TENANT, &id, &token, "can I talk to a real person please").await;
        for (step, body) in [
            ("takeover", None),
            ("messages", Some(json!({"text": "Hi, Ana here. How can I help?"}))),
            ("close", None),
        ] {
            let (status, answer) = server
                .call("POST", &format!("/v1/admin/conversations/{id}/{step}"), Some(&owner), body)
                .await;
            assert!(status.is_success(), "{step}: {status} {answer}");
        }
        let rating = format!("/v1/chat/{DEMO_TENANT}/conversations/{id}/rating");
        let (status, body) = server.call("POST", &rating, Some(&token), Some(json!({"score": 9}))).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = server.call("POST", &rating, Some(&owner), Some(json!({"score": 5}))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a staff token is no conversation token: {body}");
        let (status, body) = server
            .call("POST", &rating, Some(&token), Some(json!({"score": 5, "comment": " lovely "})))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, json!({"score": 5, "comment": "lovely"}));
        let (status, body) = server.call("POST", &rating, Some(&token), Some(json!({"score": 1}))).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");

        let (status, report) = server.call("GET", "/v1/admin/analytics", Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        let totals = &report["totals"];
        assert_eq!(report["days"].as_array().map(Vec::len), Some(30), "{report}");
        assert_eq!(report["time_zone"], "America/New_York");
        assert_eq!(
            (totals["conversations"].as_i64(), totals["handoffs"].as_i64()),
            (Some(1), Some(1)),
            "{totals}"
        );
        assert_eq!((totals["ratings"].as_i64(), totals["csat_average"].as_f64()), (Some(1), Some(5.0)));
        assert_eq!(totals["resolved_by_bot"], 0);
        let first_response = totals["first_response_seconds"].as_f64().expect("a first response time");
        assert!((0.0..60.0).contains(&first_response), "{first_response}");
        assert!(totals["resolution_seconds"].as_f64().is_some(), "{totals}");
        let (status, body) =
            server.call("GET", "/v1/admin/analytics?from=2026-02-01&to=2025-01-01", Some(&owner), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) =
            server.call("GET", "/v1/admin/analytics?from=yesterday", Some(&owner), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

        // The conversation is found by what was said in it, by its own tenant only.
        let (status, found) =
            server.call("GET", "/v1/admin/conversations/search?q=REAL%20person", Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK, "{found}");
        assert_eq!(found["hits"][0]["conversation"]["id"], id.as_str(), "{found}");
        assert!(found["hits"][0]["text"].as_str().is_some_and(|t| t.contains("real person")), "{found}");
        let (status, found) =
            server.call("GET", "/v1/admin/conversations/search?q=Ana%20here", Some(&owner), None).await;
        assert_eq!((status, found["hits"].as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{found}");
        let (status, body) =
            server.call("GET", "/v1/admin/conversations/search?q=%3F%3F", Some(&owner), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, none) =
            server.call("GET", "/v1/admin/conversations/search?q=person", Some(&theirs), None).await;
        assert_eq!((status, none["hits"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)), "{none}");

        let (status, other) = server.call("GET", "/v1/admin/analytics", Some(&theirs), None).await;
        assert_eq!(status, StatusCode::OK, "{other}");
        assert_eq!(
            (other["totals"]["conversations"].as_i64(), other["totals"]["ratings"].as_i64()),
            (Some(0), Some(0))
        );
        server.stop().await;
    }
}

/// An owner invites a colleague with a role: the link sets the colleague's
/// password and logs them in with that role; the owner removes them, which
/// ends their session; the audit log shows both, newest first; another
/// tenant's owner can neither remove the colleague nor read the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_owner_invites_a_colleague_and_removes_them_and_the_audit_log_shows_it() {
    for backend in Backend::all() {
        let server = TestServer::start(&backend, AuthConfig::default()).await;
        server.other_tenant().await;
        let owner = server.owner().await;
        let (theirs, _) = server.tokens("other-spa", "owner@other-spa.test", PASSWORD).await;
        let invite = json!({"email": " Ana@Demo-Salon.test ", "role": "agent"});
        let (status, invited) =
            server.call("POST", "/v1/admin/users/invites", Some(&owner), Some(invite)).await;
        assert_eq!(status, StatusCode::CREATED, "{invited}");
        assert_eq!(invited["user"]["email"], "ana@demo-salon.test");
        assert_eq!(invited["user"]["role"], "agent");
        let url = invited["url"].as_str().unwrap();
        let secret = url.split_once("/invite#").expect("an invitation link").1.to_owned();
        assert!(secret.starts_with("inv_demo-salon."), "an invitation to this tenant: {url}");
        let again = json!({"email": "ana@demo-salon.test", "role": "admin"});
        let (status, _) = server.call("POST", "/v1/admin/users/invites", Some(&owner), Some(again)).await;
        assert_eq!(status, StatusCode::CONFLICT, "the email is taken");
        let bad = json!({"email": "not an email", "role": "agent"});
        let (status, _) = server.call("POST", "/v1/admin/users/invites", Some(&owner), Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);

        let accept = json!({"token": secret, "password": "Ana's long passphrase"});
        let (status, session) = server.call("POST", "/v1/auth/invites/accept", None, Some(accept)).await;
        assert_eq!(status, StatusCode::OK, "{session}");
        assert_eq!(
            (session["role"].as_str(), session["tenant"].as_str()),
            (Some("agent"), Some(DEMO_TENANT))
        );
        let ana = session["access_token"].as_str().unwrap().to_owned();
        let ana_id = invited["user"]["id"].as_str().unwrap().to_owned();
        assert_eq!(session["user_id"].as_str(), Some(ana_id.as_str()));
        assert_eq!(server.call("GET", "/v1/admin/conversations", Some(&ana), None).await.0, StatusCode::OK);
        assert_eq!(
            server.call("GET", "/v1/admin/audit-log", Some(&ana), None).await.0,
            StatusCode::FORBIDDEN
        );
        let refresh = json!({"refresh_token": session["refresh_token"]});

        let path = format!("/v1/admin/users/{ana_id}");
        assert_eq!(server.call("DELETE", &path, Some(&theirs), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(server.call("DELETE", &path, Some(&ana), None).await.0, StatusCode::FORBIDDEN);
        let (_, me) = server.call("GET", "/v1/admin/users", Some(&owner), None).await;
        let owner_id = me["users"].as_array().unwrap().iter().find(|u| u["role"] == "owner").unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let (status, body) =
            server.call("DELETE", &format!("/v1/admin/users/{owner_id}"), Some(&owner), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an owner cannot remove themselves: {body}");
        assert_eq!(server.call("DELETE", &path, Some(&owner), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(server.call("DELETE", &path, Some(&owner), None).await.0, StatusCode::NOT_FOUND);
        let (status, _) = server.call("POST", "/v1/auth/refresh", None, Some(refresh)).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a removed user's session is over");
        let (status, _) = server.login(DEMO_TENANT, "ana@demo-salon.test", "Ana's long passphrase").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "a removed user cannot log in");

        let (status, log) = server.call("GET", "/v1/admin/audit-log?limit=2", Some(&owner), None).await;
        assert_eq!(status, StatusCode::OK, "{log}");
        let actions: Vec<&str> =
            log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        assert_eq!(actions, ["user.remove", "user.invite"], "{log}");
        assert_eq!(log["entries"][0]["target"], ana_id.as_str());
        let (status, _) = server.call("GET", "/v1/admin/audit-log?limit=0", Some(&owner), None).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (_, theirs_log) = server.call("GET", "/v1/admin/audit-log", Some(&theirs), None).await;
        assert!(
            theirs_log["entries"].as_array().unwrap().iter().all(|e| e["target"] != ana_id.as_str()),
            "{theirs_log}"
        );
        server.stop().await;
    }
}

/// A question tried from the console is answered as the bot would answer
/// it, stored nowhere; an empty one is refused, and a tenant without an
/// active bot is told so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_question_tried_on_the_bot_names_the_entry_and_the_replies() {
    let server = TestServer::start(&Backend::Sqlite, AuthConfig::default()).await;
    server.other_tenant().await;
    let owner = server.owner().await;
    let (theirs, _) = server.tokens("other-spa", "owner@other-spa.test", PASSWORD).await;
    let (_, before) = server.call("GET", "/v1/admin/conversations", Some(&owner), None).await;
    let ask = |text: &str| json!({ "text": text });
    let (status, tried) = server
        .call("POST", "/v1/admin/knowledge/try", Some(&owner), Some(ask("where can I leave my car?")))
        .await;
    assert_eq!(status, StatusCode::OK, "{tried}");
    assert_eq!(tried["answer"]["id"], "parking", "{tried}");
    assert!(tried["replies"][0].as_str().unwrap().contains("parking"), "{tried}");
    let (_, after) = server.call("GET", "/v1/admin/conversations", Some(&owner), None).await;
    assert_eq!(before["conversations"], after["conversations"], "nothing is stored");
    let (status, _) = server.call("POST", "/v1/admin/knowledge/try", Some(&owner), Some(ask("  "))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = server
        .call("POST", "/v1/admin/knowledge/try", Some(&theirs), Some(ask("do you have parking?")))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the other tenant has no bot: {body}");
    server.stop().await;
}
