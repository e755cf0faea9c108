//! Publishable keys and tenants with chosen ids, as the reference server uses them.

use concierge_store::{NewPublishableKey, StoreError, TenantId};

use crate::backend::{run_story, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishable_keys_belong_to_one_tenant_and_name_its_bot() {
    run_story("publishable keys", publishable_keys_story).await;
}

async fn publishable_keys_story(backend: Backend) {
    let store = &backend.store;
    let salon = TenantId::parse("demo-salon").unwrap();
    assert_eq!(store.create_tenant_with_id(&salon, "Salon").await.unwrap().id, salon);
    assert_eq!(store.tenant(&salon).await.unwrap().name, "Salon");
    assert!(matches!(store.create_tenant_with_id(&salon, "Again").await, Err(StoreError::Duplicate(_))));
    let other = store.create_tenant("Other").await.unwrap().id;
    let bot = store.create_bot(&salon, "Concierge").await.unwrap();
    let other_bot = store.create_bot(&other, "Theirs").await.unwrap();

    let key = |key: &str, bot: &str, origins: &[&str]| NewPublishableKey {
        key: key.into(),
        bot_id: bot.into(),
        allowed_origins: origins.iter().map(|o| o.to_string()).collect(),
    };
    let stored = store.put_publishable_key(&salon, &key("pk_demo_salon", &bot.id, &["*"])).await.unwrap();
    assert_eq!(stored.tenant_id, salon);
    assert_eq!(store.publishable_key(&salon, "pk_demo_salon").await.unwrap(), Some(stored));
    // Another tenant neither sees the key nor can point a key at a bot it does not own.
    assert_eq!(store.publishable_key(&other, "pk_demo_salon").await.unwrap(), None);
    assert!(matches!(
        store.put_publishable_key(&other, &key("pk_other_key", &bot.id, &[])).await,
        Err(StoreError::NotFound { .. })
    ));
    store.put_publishable_key(&other, &key("pk_other_key", &other_bot.id, &[])).await.unwrap();
    // Replacing a key changes its origins; bad keys and origins are refused.
    store
        .put_publishable_key(&salon, &key("pk_demo_salon", &bot.id, &["https://salon.example"]))
        .await
        .unwrap();
    let listed = store.publishable_keys(&salon).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].allowed_origins, ["https://salon.example"]);
    assert!(matches!(
        store.put_publishable_key(&salon, &key("pk demo", &bot.id, &[])).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        store.put_publishable_key(&salon, &key("pk_demo_salon", &bot.id, &["salon.example/x"])).await,
        Err(StoreError::Invalid(_))
    ));
    // Deleting is scoped too.
    assert!(matches!(
        store.delete_publishable_key(&other, "pk_demo_salon").await,
        Err(StoreError::NotFound { .. })
    ));
    store.delete_publishable_key(&salon, "pk_demo_salon").await.unwrap();
    assert_eq!(store.publishable_key(&salon, "pk_demo_salon").await.unwrap(), None);
    assert_eq!(store.publishable_keys(&other).await.unwrap().len(), 1);
}
