//! Test support shared by the server test files: the database backends a
//! test runs on, and fresh PostgreSQL databases owned by ordinary roles (the
//! server refuses roles that bypass row-level security).

#![allow(dead_code)] // each test file uses its own part

use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

/// Names the PostgreSQL server to test against (an admin role's URL).
pub(crate) const POSTGRES_URL_VAR: &str = "CONCIERGE_TEST_POSTGRES_URL";

/// Where the server keeps its data.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    /// A SQLite file in the server's data directory.
    Sqlite,
    /// A fresh database on the PostgreSQL server at this (admin) URL.
    Postgres(String),
}

impl Backend {
    /// SQLite, and PostgreSQL when configured (a notice is printed when not).
    pub(crate) fn all() -> Vec<Backend> {
        let mut backends = vec![Backend::Sqlite];
        match std::env::var(POSTGRES_URL_VAR) {
            Ok(url) if !url.is_empty() => backends.push(Backend::Postgres(url)),
            _ => eprintln!("note: {POSTGRES_URL_VAR} is unset; PostgreSQL runs of the server tests skipped"),
        }
        backends
    }

    /// Its name in test output.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }
}

/// A fresh PostgreSQL database owned by a fresh ordinary role.
pub(crate) struct PostgresScratch {
    admin: PgPool,
    database: String,
    role: String,
}

impl PostgresScratch {
    /// Creates the role and its database; returns them and the role's URL.
    pub(crate) async fn create(admin_url: &str) -> (PostgresScratch, String) {
        let admin = PgPoolOptions::new().max_connections(2).connect(admin_url).await.unwrap();
        let suffix = uuid_suffix();
        let role = format!("concierge_srv_{suffix}");
        let database = format!("concierge_srv_{suffix}");
        sqlx::query(&format!("CREATE ROLE {role} LOGIN PASSWORD 'app' NOSUPERUSER NOBYPASSRLS"))
            .execute(&admin)
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {database} OWNER {role}")).execute(&admin).await.unwrap();
        let options = PgConnectOptions::from_str(admin_url).unwrap();
        let url = format!("postgres://{role}:app@{}:{}/{database}", options.get_host(), options.get_port());
        (PostgresScratch { admin, database, role }, url)
    }

    /// Drops the database and the role.
    pub(crate) async fn drop_all(self) {
        let drop_db = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database);
        sqlx::query(&drop_db).execute(&self.admin).await.unwrap();
        sqlx::query(&format!("DROP ROLE IF EXISTS {}", self.role)).execute(&self.admin).await.unwrap();
        self.admin.close().await;
    }
}

fn uuid_suffix() -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{:x}{:x}", std::process::id(), nanos % 0xffff_ffff)
}

/// A fresh database owned by a fresh ordinary role, left in place for the
/// throwaway test server to remove; returns the role's URL.
pub(crate) async fn postgres_database(admin_url: &str) -> String {
    let (scratch, url) = PostgresScratch::create(admin_url).await;
    scratch.admin.close().await;
    url
}
