//! Opening each backend for a story, and reporting where stories ran.

use std::future::Future;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::str::FromStr;
use std::sync::Arc;

use concierge_store::{EncryptionKey, PostgresStore, SqliteStore, Store};
use futures::FutureExt;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::SqlitePool;

/// The variable naming a PostgreSQL server to run the stories on as well.
pub(crate) const POSTGRES_URL_VAR: &str = "CONCIERGE_TEST_POSTGRES_URL";

/// Direct access to the database under a store, to check what is really stored.
pub(crate) enum Raw {
    /// The SQLite pool.
    Sqlite(SqlitePool),
    /// The PostgreSQL pool, connected as the application role.
    Postgres(PgPool),
}

/// Where a backend's data lives, to open it again.
pub(crate) enum Location {
    Sqlite(std::path::PathBuf),
    Postgres(Box<PgConnectOptions>),
}

/// One backend, freshly created, for one story.
pub(crate) struct Backend {
    /// The store under test.
    pub store: Arc<dyn Store>,
    /// The raw database.
    pub raw: Raw,
    /// Where it lives.
    pub location: Location,
    /// On PostgreSQL, the same database reached with the (possibly
    /// superuser) credentials of the test server's URL.
    pub admin_options: Option<Box<PgConnectOptions>>,
}

impl Backend {
    /// Opens the same database again with another encryption key.
    pub(crate) async fn open_again(&self, key: Option<EncryptionKey>) -> Arc<dyn Store> {
        match &self.location {
            Location::Sqlite(path) => Arc::new(SqliteStore::open(path, key).await.unwrap()),
            Location::Postgres(options) => {
                Arc::new(PostgresStore::connect_with((**options).clone(), key, false).await.unwrap())
            }
        }
    }
}

struct PostgresScratch {
    admin: PgPool,
    database: String,
    role: String,
}

impl PostgresScratch {
    async fn create(admin_url: &str) -> (Self, PgConnectOptions) {
        let admin = PgPoolOptions::new()
            .max_connections(2)
            .connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to {POSTGRES_URL_VAR}: {e}"));
        let suffix = uuid::Uuid::new_v4().simple().to_string()[..16].to_owned();
        let role = format!("concierge_app_{suffix}");
        let database = format!("concierge_test_{suffix}");
        sqlx::query(&format!(
            "CREATE ROLE {role} LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
        ))
        .execute(&admin)
        .await
        .unwrap_or_else(|e| panic!("the role in {POSTGRES_URL_VAR} must be able to CREATE ROLE: {e}"));
        sqlx::query(&format!("CREATE DATABASE {database} OWNER {role}"))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| {
                panic!("the role in {POSTGRES_URL_VAR} must be able to CREATE DATABASE: {e}")
            });
        let options = PgConnectOptions::from_str(admin_url)
            .unwrap()
            .username(&role)
            .password("app")
            .database(&database);
        (PostgresScratch { admin, database, role }, options)
    }

    async fn drop_all(self) {
        sqlx::query(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database))
            .execute(&self.admin)
            .await
            .unwrap();
        sqlx::query(&format!("DROP ROLE IF EXISTS {}", self.role)).execute(&self.admin).await.unwrap();
        self.admin.close().await;
    }
}

/// A fresh random encryption key for a story.
pub(crate) fn test_key() -> EncryptionKey {
    EncryptionKey::generate()
}

/// Runs `story` on a fresh SQLite file and, when configured, on a fresh
/// PostgreSQL database; then prints which backends it ran on.
pub(crate) async fn run_story<F, Fut>(name: &str, story: F)
where
    F: Fn(Backend) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut ran = Vec::new();

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("concierge.db");
    let sqlite = SqliteStore::open(&path, Some(test_key())).await.unwrap();
    let raw = Raw::Sqlite(sqlite.pool().clone());
    story(Backend { store: Arc::new(sqlite), raw, location: Location::Sqlite(path), admin_options: None })
        .await;
    ran.push("sqlite");

    if let Ok(url) = std::env::var(POSTGRES_URL_VAR) {
        if !url.is_empty() {
            let (scratch, options) = PostgresScratch::create(&url).await;
            let admin_options = PgConnectOptions::from_str(&url).unwrap().database(&scratch.database);
            let postgres =
                PostgresStore::connect_with(options.clone(), Some(test_key()), false).await.unwrap();
            let raw = Raw::Postgres(postgres.pool().clone());
            let pool = postgres.pool().clone();
            // Drop the scratch database even when the story fails.
            let outcome = AssertUnwindSafe(story(Backend {
                store: Arc::new(postgres),
                raw,
                location: Location::Postgres(Box::new(options)),
                admin_options: Some(Box::new(admin_options)),
            }))
            .catch_unwind()
            .await;
            pool.close().await;
            scratch.drop_all().await;
            if let Err(panic) = outcome {
                std::panic::resume_unwind(panic);
            }
            ran.push("postgres");
        }
    }

    // Written to the real stdout (not the test harness's capture) so a
    // plain `cargo test` shows it.
    let mut out = std::io::stdout().lock();
    writeln!(out, "story {name:?} ran on: {}", ran.join(", ")).unwrap();
    out.flush().unwrap();
}

/// A web conversation of `tenant` (for `customer`, if any) whose log holds
/// `events`, each stored as a turn of its own: its id.
pub(crate) async fn logged_conversation(
    store: &dyn Store,
    tenant: &concierge_store::TenantId,
    customer: Option<String>,
    events: &[serde_json::Value],
) -> String {
    let new = concierge_store::NewConversation {
        bot_id: None,
        channel: "web".into(),
        external_ref: None,
        customer_id: customer,
        state: serde_json::json!({}),
    };
    let id = store.create_conversation(tenant, &new).await.unwrap().id;
    for (i, event) in events.iter().enumerate() {
        let write = concierge_store::TurnWrite {
            events: vec![event.clone()],
            state: serde_json::json!({}),
            status: None,
        };
        store.append_turn(tenant, &id, i as i64, &write).await.unwrap();
    }
    id
}
