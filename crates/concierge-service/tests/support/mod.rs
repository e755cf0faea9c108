//! What the service's tests share: a salon engine and fresh stores.

use std::path::Path;
use std::sync::Arc;

use concierge_core::booking::BookingEngine;
use concierge_core::dialog::Engine;
use concierge_core::spec::BotSpec;
use concierge_store::{NewConversation, SqliteStore, Store, TenantId};

/// The example salon's engine, booking in memory.
pub(crate) fn salon_engine() -> Arc<Engine> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/salon/bot.yaml");
    let spec = BotSpec::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
    let booker = BookingEngine::in_memory(&spec.business).unwrap();
    Arc::new(Engine::builder(spec, Arc::new(booker)).build().unwrap())
}

/// A fresh SQLite store in `dir` with one tenant.
pub(crate) async fn sqlite_store(dir: &Path) -> (Arc<dyn Store>, TenantId) {
    let store = SqliteStore::open(dir.join("service.db"), None).await.unwrap();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    (Arc::new(store), tenant)
}

/// A new web conversation without a bot of the store's (the engine is given).
pub(crate) async fn new_conversation(store: &dyn Store, tenant: &TenantId) -> String {
    let new = NewConversation {
        bot_id: None,
        channel: "web".into(),
        external_ref: None,
        customer_id: None,
        state: serde_json::json!({}),
    };
    store.create_conversation(tenant, &new).await.unwrap().id
}
