//! Secrets at rest: integration credentials encrypted, passwords and API keys hashed.

use concierge_store::{EncryptionKey, Integration, StoreError};
use serde_json::json;
use sqlx::Row;

use crate::backend::{run_story, Backend, Raw};

const TOKEN: &str = "sk_live_51HfakeTOKENvalue9876";

/// Every stored column of the integration row, as bytes.
async fn raw_integration_row(backend: &Backend, tenant: &str) -> Vec<Vec<u8>> {
    match &backend.raw {
        Raw::Sqlite(pool) => {
            let row = sqlx::query(
                "SELECT kind, CAST(config AS BLOB) AS config, credentials_ciphertext \
                 FROM integrations WHERE tenant_id = $1",
            )
            .bind(tenant)
            .fetch_one(pool)
            .await
            .unwrap();
            ["kind", "config", "credentials_ciphertext"]
                .iter()
                .map(|c| row.try_get::<Vec<u8>, _>(*c).unwrap())
                .collect()
        }
        Raw::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
                .bind(tenant)
                .execute(&mut *tx)
                .await
                .unwrap();
            let row = sqlx::query(
                "SELECT convert_to(kind, 'UTF8') AS kind, convert_to(config::text, 'UTF8') AS config, \
                 credentials_ciphertext FROM integrations WHERE tenant_id = $1",
            )
            .bind(tenant)
            .fetch_one(&mut *tx)
            .await
            .unwrap();
            ["kind", "config", "credentials_ciphertext"]
                .iter()
                .map(|c| row.try_get::<Vec<u8>, _>(*c).unwrap())
                .collect()
        }
    }
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credentials_are_stored_encrypted_and_read_back_decrypted() {
    run_story("secrets at rest", secrets_story).await;
}

async fn secrets_story(backend: Backend) {
    let store = backend.store.as_ref();
    let tenant = store.create_tenant("Clinic").await.unwrap().id;
    let integration = Integration {
        kind: "calendar".into(),
        config: json!({"calendar_id": "front-desk"}),
        credentials: json!({"api_token": TOKEN, "user": "clinic-bot"}),
    };
    store.put_integration(&tenant, &integration).await.unwrap();

    let row = raw_integration_row(&backend, tenant.as_str()).await;
    assert!(contains(&row[1], "front-desk"), "config is plain");
    for column in &row {
        assert!(!contains(column, TOKEN), "plaintext token in a stored column");
        assert!(!contains(column, "clinic-bot"));
    }
    assert!(row[2].len() > 12 + 16, "nonce, ciphertext and tag");

    let read = store.integration(&tenant, "calendar").await.unwrap();
    assert_eq!(read, integration);
    assert!(!format!("{read:?}").contains(TOKEN), "Debug hides credentials");

    // Writing again seals under a new nonce.
    store.put_integration(&tenant, &integration).await.unwrap();
    assert_ne!(raw_integration_row(&backend, tenant.as_str()).await[2], row[2]);

    // The wrong key cannot read them; no key cannot write them.
    let wrong = backend.open_again(Some(EncryptionKey::generate())).await;
    assert!(matches!(wrong.integration(&tenant, "calendar").await, Err(StoreError::Decryption)));
    let keyless = backend.open_again(None).await;
    assert!(matches!(keyless.put_integration(&tenant, &integration).await, Err(StoreError::NoEncryptionKey)));

    // Passwords: argon2 hashes, verified, wrong ones refused.
    let user = store.create_user(&tenant, "owner@clinic.test", "correct horse", "owner").await.unwrap();
    let verified = store.verify_user(&tenant, "owner@clinic.test", "correct horse").await.unwrap();
    assert_eq!(verified, Some(user));
    assert_eq!(store.verify_user(&tenant, "owner@clinic.test", "wrong horse").await.unwrap(), None);
    let hash: String = match &backend.raw {
        Raw::Sqlite(pool) => {
            sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(pool).await.unwrap()
        }
        Raw::Postgres(pool) => {
            let mut tx = pool.begin().await.unwrap();
            sqlx::query("SELECT set_config('app.tenant_id', $1, true)")
                .bind(tenant.as_str())
                .execute(&mut *tx)
                .await
                .unwrap();
            sqlx::query_scalar("SELECT password_hash FROM users").fetch_one(&mut *tx).await.unwrap()
        }
    };
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("correct horse"));

    // API keys: only a hash is stored; revoked keys stop working.
    let issued = store.create_api_key(&tenant, "website widget").await.unwrap();
    assert!(!format!("{issued:?}").contains(&issued.secret));
    let found = store.authenticate_api_key(&issued.secret).await.unwrap();
    assert_eq!(found.as_ref().map(|k| &k.id), Some(&issued.key.id));
    let forged = format!("{}x", issued.secret);
    assert_eq!(store.authenticate_api_key(&forged).await.unwrap(), None);
    assert_eq!(store.authenticate_api_key("not a key").await.unwrap(), None);
    store.revoke_api_key(&tenant, &issued.key.id).await.unwrap();
    assert_eq!(store.authenticate_api_key(&issued.secret).await.unwrap(), None);
}
