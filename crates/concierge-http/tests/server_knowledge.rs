//! Knowledge on the server, end to end: entries typed into the admin API or
//! imported from documents are answered by the tenant's bot (and only that
//! tenant's) on the next message; with a sentence encoder, embeddings are
//! stored once and only changed texts are embedded again; `concierge kb
//! import --database` updates a tenant's knowledge section by section.
//!
//! Each test runs on a real SQLite file, and on PostgreSQL too when
//! `CONCIERGE_TEST_POSTGRES_URL` names a server (a fresh database owned by a
//! fresh ordinary role, so row-level security applies).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use concierge_core::embedding::fixture::tiny_bert;
use concierge_core::knowledge::{entry_texts, KnowledgeEntry};
use concierge_core::spec::BotSpec;
use concierge_http::server::config::{LimitsConfig, RateConfig, ServerConfig};
use concierge_http::server::{self, AppState};
use concierge_service::knowledge::{merge_stored_knowledge, SentenceEncoder};
use concierge_store::{open, NewPublishableKey, StoreConfig, TenantId};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

mod support;
use support::Backend;

const PASSWORD: &str = "demo password for the knowledge tests";

/// The barber: a small bot (quick to build) with knowledge of its own.
const BARBER: &str = "corner-barber";
const BARBER_KEY: &str = "pk_corner_barber";
const BARBER_OWNER: &str = "owner@corner-barber.test";
const BARBER_SPEC: &str = r#"
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
  - id: hours
    question: When are you open?
    answer: "Mondays from ten to six."
  - id: prices
    question: How much is a shave?
    alternatives: [shave price]
    answer: "A shave is 20 euros."
"#;

/// The florist: another tenant, with no knowledge in its spec.
const FLORIST: &str = "corner-florist";
const FLORIST_KEY: &str = "pk_corner_florist";
const FLORIST_OWNER: &str = "owner@corner-florist.test";
const FLORIST_SPEC: &str = r#"
version: 1
business:
  name: Corner Florist
  timezone: Europe/Paris
  hours:
    monday: ["10:00-18:00"]
  services:
    - id: bouquet
      name: Bouquet
      duration_minutes: 20
  staff:
    - id: ann
      name: Ann
intents:
  - name: hello
    examples: [hi there, hello, good morning]
responses:
  hi: Hello!
flows: []
"#;

/// Knowledge for a second bot of the barber's tenant.
const ROSES: &str = "knowledge:\n  - id: roses\n    question: Do you sell roses?\n    answer: Red and white roses, every day.\n";
const ROSES_KEY: &str = "pk_corner_barber_roses";

/// The database a test uses: a SQLite file in `dir`, or a fresh PostgreSQL
/// database owned by a fresh role.
async fn database_url(backend: &Backend, dir: &Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite://{}", dir.join("concierge.db").display()),
        Backend::Postgres(admin_url) => support::postgres_database(admin_url).await,
    }
}

/// A server on loopback.
struct TestServer {
    base: String,
    http: reqwest::Client,
    state: AppState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl TestServer {
    async fn start(dir: &Path, database_url: &str, model_path: Option<PathBuf>) -> TestServer {
        let config = ServerConfig {
            data_dir: dir.to_path_buf(),
            database_url: Some(database_url.to_owned()),
            limits: LimitsConfig {
                per_ip: RateConfig::UNLIMITED,
                per_tenant: RateConfig::UNLIMITED,
                ..LimitsConfig::default()
            },
            model_path,
            ..ServerConfig::default()
        };
        let (state, _) = server::start(config).await.unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(server::serve(state.clone(), listener, async move {
            let _ = stopped.await;
        }));
        TestServer {
            base: format!("http://{addr}"),
            http: reqwest::Client::new(),
            state,
            stop: Some(stop),
            task: Some(task),
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

    /// Sends a JSON request; returns the status and the body (null when empty).
    async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method.parse().unwrap(), format!("{}{path}", self.base));
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

    async fn token(&self, tenant: &str, email: &str) -> String {
        let login = json!({"tenant": tenant, "email": email, "password": PASSWORD});
        let (status, body) = self.call("POST", "/v1/auth/login", None, Some(login)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["access_token"].as_str().unwrap().to_owned()
    }

    /// Creates or replaces a knowledge entry through the admin API.
    async fn put_entry(&self, token: &str, id: &str, entry: Value) -> Value {
        let (status, body) =
            self.call("PUT", &format!("/v1/admin/knowledge/{id}"), Some(token), Some(entry)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Seeds a tenant running `spec`: its bot (active), publishable key
    /// and owner (unless they exist); returns the owner's access token.
    async fn tenant(&self, id: &str, spec: &str, key: &str, owner: &str) -> String {
        let store = &self.state.store;
        let tenant = TenantId::parse(id).unwrap();
        if store.tenant(&tenant).await.is_err() {
            store.create_tenant_with_id(&tenant, id).await.unwrap();
            let bot = store.create_bot(&tenant, "front desk").await.unwrap();
            let spec: Value = serde_yaml::from_str(spec).unwrap();
            let version = store.add_bot_version(&tenant, &bot.id, &spec).await.unwrap();
            store.activate_bot_version(&tenant, &bot.id, version).await.unwrap();
            let key =
                NewPublishableKey { key: key.into(), bot_id: bot.id, allowed_origins: vec!["*".into()] };
            store.put_publishable_key(&tenant, &key).await.unwrap();
            store.create_user(&tenant, owner, PASSWORD, "owner").await.unwrap();
        }
        self.token(id, owner).await
    }

    async fn barber(&self) -> String {
        self.tenant(BARBER, BARBER_SPEC, BARBER_KEY, BARBER_OWNER).await
    }

    /// Starts a conversation of `tenant`: (id, token).
    async fn conversation(&self, tenant: &str, key: &str) -> (String, String) {
        let response = self
            .http
            .post(format!("{}/v1/chat/{tenant}/conversations", self.base))
            .header("X-Concierge-Key", key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let body: Value = response.json().await.unwrap();
        (body["conversation_id"].as_str().unwrap().to_owned(), body["token"].as_str().unwrap().to_owned())
    }

    /// The customer says `text` in a new conversation of `tenant`; returns the turn.
    async fn ask(&self, tenant: &str, key: &str, text: &str) -> Turn {
        let (id, token) = self.conversation(tenant, key).await;
        let path = format!("/v1/chat/{tenant}/conversations/{id}/messages");
        let (status, body) = self.call("POST", &path, Some(&token), Some(json!({ "text": text }))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        Turn(body)
    }
}

/// A turn as the public API returns it.
struct Turn(Value);

impl Turn {
    /// The `kb_answer` event, if any.
    fn kb_answer(&self) -> Option<&Value> {
        self.0["events"].as_array().unwrap().iter().find(|e| e["type"] == "kb_answer")
    }

    fn has_event(&self, kind: &str) -> bool {
        self.0["events"].as_array().unwrap().iter().any(|e| e["type"] == kind)
    }

    /// Every reply text, joined.
    fn text(&self) -> String {
        let replies = self.0["replies"].as_array().unwrap();
        replies.iter().map(|r| r["text"].as_str().unwrap()).collect::<Vec<_>>().join("\n")
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_knowledge_is_answered_by_the_tenants_bot_only() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(&backend, dir.path()).await;
        let server = TestServer::start(dir.path(), &url, None).await;
        let owner = server.barber().await;
        let question = "do you have a rooftop terrace?";

        // Before: the barber does not know.
        let before = server.ask(BARBER, BARBER_KEY, question).await;
        assert!(before.kb_answer().is_none(), "{:?}: {}", backend, before.0);

        // Added through the admin API: answered on the next message, with its source.
        let stored = server
            .put_entry(
                &owner,
                "terrace",
                json!({
                    "title": "Do you have a rooftop terrace?",
                    "alternatives": ["can we sit outside upstairs"],
                    "body": "Our rooftop terrace is open from May to September.",
                    "source": "docs/policies.md#terrace",
                }),
            )
            .await;
        assert_eq!(stored["source"], "docs/policies.md#terrace");
        assert_eq!(stored["alternatives"], json!(["can we sit outside upstairs"]));
        let answered = server.ask(BARBER, BARBER_KEY, question).await;
        let event = answered.kb_answer().unwrap_or_else(|| panic!("{:?}: {}", backend, answered.0));
        assert_eq!(
            (event["id"].as_str(), event["source"].as_str()),
            (Some("terrace"), Some("docs/policies.md#terrace"))
        );
        assert!(answered.text().contains("open from May to September"), "{}", answered.0);
        // The spec's own knowledge still answers.
        let parking = server.ask(BARBER, BARBER_KEY, "do you have parking?").await;
        assert_eq!(parking.kb_answer().unwrap()["id"], "parking", "{}", parking.0);

        // Edited: the next answer is the new text.
        let edited =
            json!({"title": "Do you have a rooftop terrace?", "body": "The terrace is closed for repairs."});
        assert_eq!(server.put_entry(&owner, "terrace", edited).await["source"], "admin");
        let answered = server.ask(BARBER, BARBER_KEY, question).await;
        assert_eq!(answered.kb_answer().unwrap()["id"], "terrace", "{}", answered.0);
        assert!(answered.text().contains("closed for repairs"), "{}", answered.0);
        assert!(!answered.text().contains("May to September"), "{}", answered.0);

        // A stored entry with a spec entry's id replaces it.
        server
            .put_entry(
                &owner,
                "parking",
                json!({"title": "Do you have parking?", "body": "Valet parking only."}),
            )
            .await;
        let parking = server.ask(BARBER, BARBER_KEY, "do you have parking?").await;
        assert_eq!(parking.kb_answer().unwrap()["source"], "admin", "{}", parking.0);
        assert!(parking.text().contains("Valet parking only."), "{}", parking.0);

        // Deleted: the bot says it does not know and offers a person.
        let (status, _) = server.call("DELETE", "/v1/admin/knowledge/terrace", Some(&owner), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let unknown = server.ask(BARBER, BARBER_KEY, question).await;
        assert!(unknown.kb_answer().is_none(), "{}", unknown.0);
        assert!(unknown.has_event("out_of_scope"), "{}", unknown.0);
        assert!(!unknown.text().contains("terrace"), "{}", unknown.0);

        // The florist's entry answers the florist's customers, never the barber's.
        let florist = server.tenant(FLORIST, FLORIST_SPEC, FLORIST_KEY, FLORIST_OWNER).await;
        let rides = json!({"title": "Do you deliver by helicopter?", "body": "Yes, helicopters leave from the roof."});
        server.put_entry(&florist, "helicopter", rides).await;
        let ask = "do you deliver by helicopter?";
        let theirs = server.ask(FLORIST, FLORIST_KEY, ask).await;
        assert_eq!(theirs.kb_answer().unwrap()["id"], "helicopter", "{}", theirs.0);
        let ours = server.ask(BARBER, BARBER_KEY, ask).await;
        assert!(ours.kb_answer().is_none_or(|e| e["id"] != "helicopter"), "{}", ours.0);
        assert!(!ours.text().contains("roof"), "{}", ours.0);
        // And the florist's admin cannot see or delete the barber's entries.
        let (status, _) = server.call("GET", "/v1/admin/knowledge/parking", Some(&florist), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = server.call("DELETE", "/v1/admin/knowledge/parking", Some(&florist), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Imported through the admin API: answered; a re-import without the section deletes it.
        let document = "# Scalp massage\n\nEvery colour comes with a free scalp massage.\n\n\
                        # Lockers\n\nLockers for coats are by the door.\n";
        let import = json!({"name": "docs/extras.md", "content": document});
        let (status, report) =
            server.call("POST", "/v1/admin/knowledge/import", Some(&owner), Some(import)).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!(report["added"], json!(["extras/scalp-massage", "extras/lockers"]), "{report}");
        let massage = server.ask(BARBER, BARBER_KEY, "is there a scalp massage?").await;
        let event = massage.kb_answer().unwrap_or_else(|| panic!("{}", massage.0));
        assert_eq!(event["id"], "extras/scalp-massage");
        assert_eq!(event["source"], "docs/extras.md#scalp-massage");
        let import =
            json!({"name": "docs/extras.md", "content": "# Lockers\n\nLockers for coats are by the door.\n"});
        let (_, report) = server.call("POST", "/v1/admin/knowledge/import", Some(&owner), Some(import)).await;
        assert_eq!(
            (report["removed"].clone(), report["unchanged"].clone()),
            (json!(["extras/scalp-massage"]), json!(1))
        );
        let gone = server.ask(BARBER, BARBER_KEY, "is there a scalp massage?").await;
        assert!(gone.kb_answer().is_none_or(|e| e["id"] != "extras/scalp-massage"), "{}", gone.0);
        let bad = json!({"name": "notes.docx", "content": "x"});
        let (status, body) = server.call("POST", "/v1/admin/knowledge/import", Some(&owner), Some(bad)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        server.stop().await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn embeddings_are_stored_once_and_only_changed_texts_are_embedded_again() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        tiny_bert(7).write_to(&model).unwrap();
        let model_name = SentenceEncoder::load(&model).unwrap().model;
        let url = database_url(&backend, dir.path()).await;
        let tenant = TenantId::parse(BARBER).unwrap();

        // First start: every text of the spec's and the stored entries is embedded and stored.
        let server = TestServer::start(dir.path(), &url, Some(model.clone())).await;
        let owner = server.barber().await;
        server
            .put_entry(&owner, "dogs", json!({"title": "Can I bring my dog?", "body": "Dogs are welcome."}))
            .await;
        server.ask(BARBER, BARBER_KEY, "do you have parking?").await;
        let embedded = server.state.engines.embedded_texts();
        let stored = server.state.store.knowledge_vectors(&tenant, &model_name).await.unwrap();
        let mut spec = BotSpec::from_yaml(BARBER_SPEC).unwrap();
        let dogs = concierge_store::KnowledgeEntry {
            id: "dogs".into(),
            title: "Can I bring my dog?".into(),
            alternatives: Vec::new(),
            body: "Dogs are welcome.".into(),
            source: "admin".into(),
            tags: Vec::new(),
            updated_at: chrono::Utc::now(),
        };
        merge_stored_knowledge(&mut spec, vec![dogs]);
        let texts: HashSet<String> =
            spec.knowledge.iter().flat_map(|k| entry_texts(&KnowledgeEntry::from_spec(k))).collect();
        assert_eq!(embedded, texts.len() as u64, "{backend:?}");
        assert_eq!(stored.len() as u64, embedded, "{backend:?}");

        // A second bot of the tenant embeds only its own spec's texts, and
        // keeps the first bot's vectors.
        let store = &server.state.store;
        let bot = store.create_bot(&tenant, "roses desk").await.unwrap();
        let roses = format!("{FLORIST_SPEC}{ROSES}");
        let spec: Value = serde_yaml::from_str(&roses).unwrap();
        let version = store.add_bot_version(&tenant, &bot.id, &spec).await.unwrap();
        store.activate_bot_version(&tenant, &bot.id, version).await.unwrap();
        let key =
            NewPublishableKey { key: ROSES_KEY.into(), bot_id: bot.id, allowed_origins: vec!["*".into()] };
        store.put_publishable_key(&tenant, &key).await.unwrap();
        let turn = server.ask(BARBER, ROSES_KEY, "do you sell roses?").await;
        assert_eq!(turn.kb_answer().map(|e| e["id"].clone()), Some(json!("roses")), "{}", turn.0);
        let roses_texts =
            entry_texts(&KnowledgeEntry::from_spec(&BotSpec::from_yaml(&roses).unwrap().knowledge[0]));
        assert_eq!(server.state.engines.embedded_texts(), embedded + roses_texts.len() as u64);
        server.stop().await;

        // Restart on the same data: nothing is embedded, for either bot.
        let server = TestServer::start(dir.path(), &url, Some(model.clone())).await;
        let owner = server.barber().await;
        server.ask(BARBER, BARBER_KEY, "do you have parking?").await;
        server.ask(BARBER, ROSES_KEY, "do you sell roses?").await;
        assert_eq!(server.state.engines.embedded_texts(), 0, "{backend:?}");

        // A changed answer re-embeds that entry's answer text alone; its old
        // vector is dropped, so the store holds as many vectors as before.
        server
            .put_entry(&owner, "dogs", json!({"title": "Can I bring my dog?", "body": "Guide dogs only."}))
            .await;
        server.ask(BARBER, BARBER_KEY, "can I bring my dog?").await;
        assert_eq!(server.state.engines.embedded_texts(), 1, "{backend:?}");
        let after = server.state.store.knowledge_vectors(&tenant, &model_name).await.unwrap();
        assert_eq!(after.len(), stored.len() + roses_texts.len(), "{backend:?}");
        server.stop().await;
    }
}

fn concierge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concierge")).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kb_import_updates_a_tenants_knowledge_section_by_section() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(&backend, dir.path()).await;
        let store = open(&StoreConfig { url: url.clone(), encryption_key: None }).await.unwrap();
        let tenant = TenantId::parse("north-salon").unwrap();
        store.create_tenant_with_id(&tenant, "North Salon").await.unwrap();
        let other = TenantId::parse("south-salon").unwrap();
        store.create_tenant_with_id(&other, "South Salon").await.unwrap();

        let docs = dir.path().join("docs");
        std::fs::create_dir_all(&docs).unwrap();
        let policies = docs.join("policies.md");
        std::fs::write(
            &policies,
            "# Deposits\n\nA deposit of 20 dollars holds a booking.\n\n\
             # Late arrivals\n\nWe wait fifteen minutes.\n\n# Refunds\n\nDeposits are refunded within a week.\n",
        )
        .unwrap();
        let doc = policies.to_str().unwrap();
        let import = ["kb", "import", "--database", url.as_str(), "--tenant", "north-salon", doc];
        let first = stdout(&concierge(&import));
        for id in ["policies/deposits", "policies/late-arrivals", "policies/refunds"] {
            assert!(first.contains(&format!("+ {id}")), "{first}");
        }
        let entries = store.knowledge_entries(&tenant).await.unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].source, format!("{doc}#deposits"));
        assert!(store.knowledge_entries(&other).await.unwrap().is_empty(), "{backend:?}");
        let revision = store.knowledge_revision(&tenant).await.unwrap();

        // Edit one section, drop another: exactly those change.
        std::fs::write(
            &policies,
            "# Deposits\n\nA deposit of 30 dollars holds a booking.\n\n# Late arrivals\n\nWe wait fifteen minutes.\n",
        )
        .unwrap();
        let second = stdout(&concierge(&import));
        assert!(second.contains("0 added, 1 updated, 1 removed, 1 unchanged"), "{second}");
        assert!(second.contains("~ policies/deposits") && second.contains("- policies/refunds"), "{second}");
        assert!(!second.contains("late-arrivals"), "{second}");
        let entries = store.knowledge_entries(&tenant).await.unwrap();
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, ["policies/deposits", "policies/late-arrivals"]);
        assert_eq!(entries[0].body, "A deposit of 30 dollars holds a booking.");
        // Two writes: one update, one delete.
        assert_eq!(store.knowledge_revision(&tenant).await.unwrap(), revision + 2);

        // Unknown tenants are refused with a message, not a panic.
        let missing = concierge(&["kb", "import", "--database", url.as_str(), "--tenant", "nobody", doc]);
        assert!(!missing.status.success());
        let stderr = String::from_utf8_lossy(&missing.stderr);
        assert!(stderr.contains("nobody") && !stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn kb_import_without_a_database_still_writes_the_bots_knowledge_file() {
    let dir = tempfile::tempdir().unwrap();
    let bot = dir.path().join("bot.yaml");
    std::fs::write(&bot, BARBER_SPEC).unwrap();
    let doc = dir.path().join("extras.md");
    std::fs::write(&doc, "# Scalp massage\n\nEvery shave comes with a free scalp massage.\n").unwrap();
    let (bot, doc) = (bot.to_str().unwrap(), doc.to_str().unwrap());
    let out = stdout(&concierge(&["kb", "import", "--bot", bot, doc]));
    assert!(out.contains("+ extras/scalp-massage"), "{out}");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("bot.knowledge.json")).unwrap())
            .unwrap();
    assert_eq!(file["entries"][0]["id"], "extras/scalp-massage");
    let hits = stdout(&concierge(&["kb", "search", "--bot", bot, "is there a scalp massage?"]));
    assert!(hits.starts_with("1. ") && hits.contains("extras/scalp-massage"), "{hits}");
    // --bot and --database do not mix.
    let both =
        concierge(&["kb", "import", "--bot", bot, "--database", "sqlite://x.db", "--tenant", "t", doc]);
    assert!(!both.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_server_answers_from_what_kb_import_wrote_into_its_database() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let url = database_url(&backend, dir.path()).await;
        let server = TestServer::start(dir.path(), &url, None).await;
        server.barber().await;
        let question = "is there a scalp massage?";
        assert!(server.ask(BARBER, BARBER_KEY, question).await.kb_answer().is_none());

        let doc = dir.path().join("extras.md");
        std::fs::write(&doc, "# Scalp massage\n\nEvery shave comes with a free scalp massage.\n").unwrap();
        let (url, doc) = (url.clone(), doc.to_str().unwrap().to_owned());
        let out = tokio::task::spawn_blocking(move || {
            concierge(&["kb", "import", "--database", &url, "--tenant", BARBER, &doc])
        })
        .await
        .unwrap();
        assert!(stdout(&out).contains("+ extras/scalp-massage"));

        // Another process changed the knowledge: the server notices its
        // revision once the cached one expires (ACTIVE_VERSION_TTL).
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let turn = server.ask(BARBER, BARBER_KEY, question).await;
            if let Some(event) = turn.kb_answer() {
                assert_eq!(event["id"], "extras/scalp-massage", "{}", turn.0);
                break;
            }
            assert!(std::time::Instant::now() < deadline, "{backend:?}: never answered: {}", turn.0);
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        server.stop().await;
    }
}
