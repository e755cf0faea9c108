//! A business becomes a tenant as an operator would make it one: `concierge
//! tenants create` on the server's database prints an invitation link, the
//! owner sets a password on the invitation page's API and logs in; a
//! disabled tenant's logins, invitations and chats are refused; a deleted
//! tenant is gone. On SQLite, and on PostgreSQL when
//! `CONCIERGE_TEST_POSTGRES_URL` names a server.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use concierge_http::server::config::{LimitsConfig, RateConfig, ServerConfig};
use concierge_http::server::{self, AppState};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::net::TcpListener;

mod support;
use support::Backend;

const SPEC: &str = r#"
version: 1
business:
  name: Kiez Barber
  timezone: Europe/Berlin
  hours:
    tuesday: ["10:00-18:00"]
  services:
    - id: cut
      name: Cut
      duration_minutes: 30
  staff:
    - id: jo
      name: Jo
intents:
  - name: hello
    examples: [hi there, hello, good morning]
knowledge:
  - id: parking
    question: Do you have parking?
    answer: "Park in the yard behind the shop."
"#;

const OWNER: &str = "Owner@Kiez-Barber.test";
const PASSWORD: &str = "a long enough password";

/// Runs `concierge tenants ARGS --database URL`; returns (success, stdout, stderr).
fn tenants(database: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_concierge"))
        .arg("tenants")
        .args(args)
        .args(["--database", database])
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// The invitation in the link a command printed.
fn invitation(stdout: &str) -> String {
    let link =
        stdout.lines().find(|l| l.contains("/invite#")).unwrap_or_else(|| panic!("no link in {stdout}"));
    assert!(link.starts_with("https://concierge.example/invite#inv_kiez-barber."), "{link}");
    link.split_once('#').unwrap().1.to_owned()
}

async fn start(database_url: String, dir: &Path) -> (String, AppState, tokio::sync::oneshot::Sender<()>) {
    start_with(ServerConfig { database_url: Some(database_url), ..ServerConfig::default() }, dir).await
}

async fn start_with(
    config: ServerConfig,
    dir: &Path,
) -> (String, AppState, tokio::sync::oneshot::Sender<()>) {
    let config = ServerConfig {
        data_dir: dir.to_path_buf(),
        limits: LimitsConfig {
            per_ip: RateConfig::UNLIMITED,
            per_tenant: RateConfig::UNLIMITED,
            ..LimitsConfig::default()
        },
        ..config
    };
    let (state, _) = server::start(config).await.unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    (base, state, stop)
}

async fn post(
    http: &reqwest::Client,
    url: String,
    headers: Vec<(&'static str, String)>,
    body: Value,
) -> (StatusCode, Value) {
    let mut request = http.post(url).json(&body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap() })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_creates_a_tenant_whose_owner_sets_a_password_and_logs_in() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let database = match &backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("data/concierge.db").display()),
            Backend::Postgres(admin_url) => support::postgres_database(admin_url).await,
        };
        let spec = dir.path().join("bot.yaml");
        std::fs::write(&spec, SPEC).unwrap();
        let public = "https://concierge.example/";
        let spec_arg = spec.to_str().unwrap();
        let create = [
            "create",
            "--slug",
            "kiez-barber",
            "--name",
            "Kiez Barber",
            "--timezone",
            "Europe/Berlin",
            "--owner-email",
            OWNER,
            "--bot",
            spec_arg,
            "--public-url",
            public,
        ];
        let (ok, stdout, stderr) = tenants(&database, &create);
        assert!(ok, "{stderr}");
        let token = invitation(&stdout);
        // Bad input is refused before anything is written.
        let (ok, _, stderr) = tenants(&database, &create);
        assert!(!ok && stderr.contains("already exists"), "{stderr}");
        let (ok, _, stderr) = tenants(
            &database,
            &[
                "create",
                "--slug",
                "x y",
                "--name",
                "X",
                "--timezone",
                "Europe/Berlin",
                "--owner-email",
                "a@b.test",
            ],
        );
        assert!(!ok && stderr.contains("bad tenant slug"), "{stderr}");
        let (ok, _, stderr) = tenants(
            &database,
            &[
                "create",
                "--slug",
                "mars",
                "--name",
                "X",
                "--timezone",
                "Mars/Olympus",
                "--owner-email",
                "a@b.test",
            ],
        );
        assert!(!ok && stderr.contains("unknown time zone"), "{stderr}");
        let (ok, stdout, _) = tenants(&database, &["list"]);
        assert!(
            ok && stdout.contains("kiez-barber")
                && stdout.contains("Europe/Berlin")
                && stdout.contains("1 tenant(s)"),
            "{stdout}"
        );

        let (base, _state, stop) = start(database.clone(), dir.path()).await;
        let http = reqwest::Client::new();
        let page = http.get(format!("{base}/invite")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("/invite.js"));

        // The owner cannot log in before choosing a password.
        let login = |password: &'static str| {
            post(
                &http,
                format!("{base}/v1/auth/login"),
                vec![],
                json!({"tenant": "kiez-barber", "email": OWNER, "password": password}),
            )
        };
        let accept = |token: String, password: &'static str| {
            post(
                &http,
                format!("{base}/v1/auth/invites/accept"),
                vec![],
                json!({"token": token, "password": password}),
            )
        };
        let (status, body) = accept(token.clone(), "short").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        let (status, body) = accept(token.clone(), PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["role"], "owner");
        let (status, body) = accept(token.clone(), "another long password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
        assert!(body["error"]["message"].as_str().unwrap().contains("already used"), "{body}");
        let (status, body) = login(PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{backend:?}: {body}");
        let access = body["access_token"].as_str().unwrap().to_owned();
        let bots = http.get(format!("{base}/v1/admin/bots")).bearer_auth(&access).send().await.unwrap();
        let bots: Value = bots.json().await.unwrap();
        assert_eq!(bots["bots"].as_array().map(Vec::len), Some(1), "the bot from --bot is there: {bots}");

        // The owner makes a widget key for the bot, and a chat runs on it.
        let bot_id = bots["bots"][0]["id"].as_str().unwrap().to_owned();
        let keys = format!("{base}/v1/admin/publishable-keys");
        let auth = || format!("Bearer {access}");
        let (status, body) =
            post(&http, keys.clone(), vec![], json!({"bot_id": bot_id, "allowed_origins": ["example.com"]}))
                .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "no credentials: {body}");
        let owner = |body: Value| {
            let auth = auth();
            let keys = keys.clone();
            let http = http.clone();
            async move {
                let response =
                    http.post(keys).header("Authorization", auth).json(&body).send().await.unwrap();
                let status = response.status();
                (status, response.json::<Value>().await.unwrap())
            }
        };
        let (status, body) = owner(json!({"bot_id": bot_id, "allowed_origins": ["example.com"]})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "an origin needs its scheme: {body}");
        let (status, body) = owner(json!({"bot_id": "no-such-bot", "allowed_origins": ["*"]})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        let (status, created) =
            owner(json!({"bot_id": bot_id, "allowed_origins": ["https://kiez-barber.example"]})).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let key = created["key"].as_str().unwrap().to_owned();
        assert!(key.starts_with("pk_") && key.len() == 27, "{key}");
        let key = key.as_str();
        let listed: Value =
            http.get(&keys).header("Authorization", auth()).send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["keys"][0]["key"], key);
        assert_eq!(listed["keys"][0]["allowed_origins"], json!(["https://kiez-barber.example"]));
        let chat = |key: &str| {
            post(
                &http,
                format!("{base}/v1/chat/kiez-barber/conversations"),
                vec![("X-Concierge-Key", key.to_owned())],
                json!({}),
            )
        };
        let (status, conversation) = chat(key).await;
        assert_eq!(status, StatusCode::CREATED, "{conversation}");
        let message = |conversation: &Value| {
            let id = conversation["conversation_id"].as_str().unwrap();
            let token = conversation["token"].as_str().unwrap().to_owned();
            http.post(format!("{base}/v1/chat/kiez-barber/conversations/{id}/messages"))
                .bearer_auth(token)
                .json(&json!({"text": "do you have parking?"}))
                .send()
        };
        assert_eq!(message(&conversation).await.unwrap().status(), StatusCode::OK);

        // Disabled: logins, new invitations, new chats and open chats are refused.
        let (ok, stdout, stderr) = tenants(&database, &["disable", "kiez-barber"]);
        assert!(ok && stdout.contains("disabled"), "{stderr}");
        assert_eq!(login(PASSWORD).await.0, StatusCode::FORBIDDEN);
        let (ok, stdout, stderr) =
            tenants(&database, &["invite", "kiez-barber", "--email", OWNER, "--public-url", public]);
        assert!(ok, "{stderr}");
        assert_eq!(accept(invitation(&stdout), PASSWORD).await.0, StatusCode::FORBIDDEN);
        assert_eq!(chat(key).await.0, StatusCode::FORBIDDEN);
        // The engine cache notices within its time-to-live.
        tokio::time::sleep(concierge_service::ACTIVE_VERSION_TTL + Duration::from_millis(200)).await;
        assert_eq!(message(&conversation).await.unwrap().status(), StatusCode::FORBIDDEN);
        let (ok, _, stderr) = tenants(&database, &["enable", "kiez-barber"]);
        assert!(ok, "{stderr}");
        assert_eq!(login(PASSWORD).await.0, StatusCode::OK);

        // A revoked key opens no conversation.
        let revoked =
            http.delete(format!("{keys}/{key}")).header("Authorization", auth()).send().await.unwrap();
        assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
        assert_eq!(chat(key).await.0, StatusCode::UNAUTHORIZED);
        let again =
            http.delete(format!("{keys}/{key}")).header("Authorization", auth()).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_FOUND);

        // Deleted: refused without --yes, then gone.
        let (ok, _, stderr) = tenants(&database, &["delete", "kiez-barber"]);
        assert!(!ok && stderr.contains("--yes"), "{stderr}");
        let (ok, stdout, stderr) = tenants(&database, &["delete", "kiez-barber", "--yes"]);
        assert!(ok && stdout.contains("erased"), "{stderr}");
        assert_eq!(login(PASSWORD).await.0, StatusCode::UNAUTHORIZED);
        assert_eq!(chat(key).await.0, StatusCode::UNAUTHORIZED);
        let (_, stdout, _) = tenants(&database, &["list"]);
        assert!(stdout.contains("0 tenant(s)"), "{stdout}");
        let _ = stop.send(());
        eprintln!("tenant lifecycle on {}: ok", backend.name());
    }
}

const OPERATOR_TOKEN: &str = "operator-token-for-the-tenant-test-0123456789";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosting_operator_provisions_and_erases_tenants_over_the_operator_api() {
    for backend in Backend::all() {
        let dir = tempfile::tempdir().unwrap();
        let database = match &backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("concierge.db").display()),
            Backend::Postgres(admin_url) => support::postgres_database(admin_url).await,
        };
        // Without an operator token the API does not exist.
        let (base, _state, stop) = start(database.clone(), dir.path()).await;
        let http = reqwest::Client::new();
        let tenants_url = format!("{base}/v1/operator/tenants");
        let off = http.get(&tenants_url).bearer_auth(OPERATOR_TOKEN).send().await.unwrap();
        assert_eq!(off.status(), StatusCode::NOT_FOUND);
        let _ = stop.send(());

        let config = ServerConfig {
            database_url: Some(database.clone()),
            public_url: Some("https://concierge.example".into()),
            operator_token: Some(server::config::Secret::new(OPERATOR_TOKEN)),
            ..ServerConfig::default()
        };
        let (base, _state, stop) = start_with(config, dir.path()).await;
        let tenants_url = format!("{base}/v1/operator/tenants");
        let operator = vec![("Authorization", format!("Bearer {OPERATOR_TOKEN}"))];
        for wrong in ["", "Bearer operator-token", "Bearer operator-token-for-the-tenant-test-012345678"] {
            let response = http.get(&tenants_url).header("Authorization", wrong).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{wrong:?}");
        }
        let provision = |body: Value| post(&http, tenants_url.clone(), operator.clone(), body);
        let request = json!({
            "slug": "kiez-barber", "name": "Kiez Barber", "timezone": "Europe/Berlin",
            "owner_email": OWNER, "bot_spec": SPEC,
        });
        let (status, made) = provision(request.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{made}");
        assert_eq!(made["tenant"]["timezone"], "Europe/Berlin");
        assert_eq!(made["bot_version"], 1);
        let link = made["owner_invitation"]["url"].as_str().unwrap();
        assert!(link.starts_with("https://concierge.example/invite#inv_kiez-barber."), "{link}");
        let (status, body) = provision(request.clone()).await;
        assert_eq!(status, StatusCode::CONFLICT, "{body}");
        // Bad input is refused, and nothing is left of it.
        let broken = SPEC.replace("name: Cut", "name: [");
        for (body, expected) in [
            (json!({"slug": "a b", "name": "X", "timezone": "UTC", "owner_email": "a@b.test"}), 400),
            (
                json!({"slug": "mars", "name": "X", "timezone": "Mars/Olympus", "owner_email": "a@b.test"}),
                400,
            ),
            (json!({"slug": "mars", "name": "X", "timezone": "UTC", "owner_email": "nobody"}), 400),
            (
                json!({"slug": "mars", "name": "X", "timezone": "UTC", "owner_email": "a@b.test", "bot_spec": broken}),
                422,
            ),
            (
                json!({"slug": "mars", "name": "X", "timezone": "UTC", "owner_email": "a@b.test", "extra": 1}),
                400,
            ),
        ] {
            let (status, answer) = provision(body.clone()).await;
            assert_eq!(status.as_u16(), expected, "{body}: {answer}");
        }
        let listed: Value =
            http.get(&tenants_url).bearer_auth(OPERATOR_TOKEN).send().await.unwrap().json().await.unwrap();
        let ids: Vec<&str> =
            listed["tenants"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["kiez-barber"], "{listed}");

        // The owner sets a password through the link and logs in.
        let token = link.split_once('#').unwrap().1;
        let accept = json!({"token": token, "password": PASSWORD});
        let (status, body) = post(&http, format!("{base}/v1/auth/invites/accept"), vec![], accept).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let login = || {
            post(
                &http,
                format!("{base}/v1/auth/login"),
                vec![],
                json!({"tenant": "kiez-barber", "email": OWNER, "password": PASSWORD}),
            )
        };
        assert_eq!(login().await.0, StatusCode::OK);

        // Disable, invite again, enable.
        let (status, body) =
            post(&http, format!("{tenants_url}/kiez-barber/disable"), operator.clone(), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body["disabled_at"].is_string(), "{body}");
        assert_eq!(login().await.0, StatusCode::FORBIDDEN);
        let (status, body) =
            post(&http, format!("{tenants_url}/kiez-barber/enable"), operator.clone(), json!({})).await;
        assert!(status == StatusCode::OK && body["disabled_at"].is_null(), "{body}");
        assert_eq!(login().await.0, StatusCode::OK);
        let invite = format!("{tenants_url}/kiez-barber/invites");
        let (status, body) = post(&http, invite.clone(), operator.clone(), json!({"email": OWNER})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["email"], OWNER.to_lowercase());
        let (status, _) = post(&http, invite, operator.clone(), json!({"email": "nobody@kiez.test"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) =
            post(&http, format!("{tenants_url}/no-such/disable"), operator.clone(), json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // Erasing needs the id repeated, then the tenant is gone.
        let erase = |confirm: &str| {
            http.delete(format!("{tenants_url}/kiez-barber?confirm={confirm}"))
                .bearer_auth(OPERATOR_TOKEN)
                .send()
        };
        assert_eq!(erase("kiez").await.unwrap().status(), StatusCode::BAD_REQUEST);
        let erased = erase("kiez-barber").await.unwrap();
        assert_eq!(erased.status(), StatusCode::OK);
        let erased: Value = erased.json().await.unwrap();
        assert!(
            erased["rows"]["users"].as_u64() == Some(1) && erased["rows"]["bots"].as_u64() == Some(1),
            "{erased}"
        );
        assert_eq!(login().await.0, StatusCode::UNAUTHORIZED);
        let listed: Value =
            http.get(&tenants_url).bearer_auth(OPERATOR_TOKEN).send().await.unwrap().json().await.unwrap();
        assert_eq!(listed["tenants"], json!([]));
        let _ = stop.send(());
        eprintln!("operator API on {}: ok", backend.name());
    }
}
