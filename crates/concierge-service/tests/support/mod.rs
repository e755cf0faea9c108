//! What the service's tests share: a salon engine and fresh stores.

// Each test binary uses a part of it.
#![allow(dead_code)]

use std::path::Path;
use std::sync::Arc;

use concierge_core::booking::BookingEngine;
use concierge_core::dialog::Engine;
use concierge_core::spec::BotSpec;
use concierge_store::prelude::*;
use concierge_store::{NewConversation, SqliteStore, Store, TenantId};

/// The example salon's engine, booking in memory.
pub(crate) fn salon_engine() -> Arc<Engine> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/salon/bot.yaml");
    let spec = BotSpec::from_yaml(&std::fs::read_to_string(path).unwrap()).unwrap();
    let booker = BookingEngine::in_memory(&spec.business).unwrap();
    Arc::new(Engine::builder(spec, Arc::new(booker)).build().unwrap())
}

/// A one-service shop's engine, quick to build (for tests that need an
/// engine but not its answers).
pub(crate) fn small_engine() -> Arc<Engine> {
    let spec = BotSpec::from_yaml(
        "version: 1\n\
         business:\n  name: Corner Barber\n  timezone: Europe/London\n\
         \x20 hours:\n    monday: [\"09:00-17:00\"]\n\
         \x20 services:\n    - id: cut\n      name: Haircut\n      duration_minutes: 30\n\
         \x20 staff:\n    - id: sam\n      name: Sam\n\
         intents:\n  - name: greet\n    examples: [hello, hi there, good morning]\n\
         \x20 - name: book\n    examples: [book a haircut, can I get a cut, an appointment please]\n",
    )
    .unwrap();
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
