//! Conversation search: every word of the query in one message, per tenant,
//! best first; erased words are no longer found.

use concierge_store::{StoreError, TenantId};
use serde_json::json;

use crate::backend::{logged_conversation, run_story, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conversations_are_found_by_what_was_said_in_them() {
    run_story("conversation search", search_story).await;
}

async fn conversation(
    backend: &Backend,
    tenant: &TenantId,
    customer: Option<String>,
    lines: &[(&str, &str)],
) -> String {
    let events: Vec<_> = lines.iter().map(|(kind, text)| json!({"type": kind, "text": text})).collect();
    logged_conversation(backend.store.as_ref(), tenant, customer, &events).await
}

async fn search_story(backend: Backend) {
    let store = backend.store.as_ref();
    let tenant = store.create_tenant("Salon").await.unwrap().id;
    let other = store.create_tenant("Other").await.unwrap().id;
    let customer = store
        .create_customer(
            &tenant,
            &concierge_store::NewCustomer {
                name: Some("Zoë Quinn".into()),
                phone: Some("+12125550100".into()),
                email: None,
            },
        )
        .await
        .unwrap()
        .id;
    let balayage = conversation(
        &backend,
        &tenant,
        Some(customer.clone()),
        &[
            ("user_message", "Do you do balayage on curly hair?"),
            ("reply", "Yes, Maria does balayage on every hair type."),
        ],
    )
    .await;
    let parking = conversation(
        &backend,
        &tenant,
        None,
        &[
            ("user_message", "is there parking near the salon"),
            ("agent_message", "Yes, behind the salon on Maple Lane"),
        ],
    )
    .await;
    conversation(&backend, &other, None, &[("user_message", "balayage price please")]).await;

    let found = store.search_conversations(&tenant, "BALAYAGE", 10).await.unwrap();
    assert_eq!(found.iter().map(|h| h.conversation.id.as_str()).collect::<Vec<_>>(), [balayage.as_str()]);
    assert!(found[0].text.to_lowercase().contains("balayage"), "{:?}", found[0]);
    // Every word, in one message; staff messages count.
    let found = store.search_conversations(&tenant, "maple lane", 10).await.unwrap();
    assert_eq!(found.iter().map(|h| h.conversation.id.as_str()).collect::<Vec<_>>(), [parking.as_str()]);
    assert_eq!(found[0].seq, 2);
    assert!(store.search_conversations(&tenant, "balayage parking", 10).await.unwrap().is_empty());
    // Another tenant's words are not found, nor a query without words.
    assert!(store.search_conversations(&other, "maple", 10).await.unwrap().is_empty());
    assert_eq!(store.search_conversations(&other, "balayage", 10).await.unwrap().len(), 1);
    assert!(matches!(store.search_conversations(&tenant, " \"*()- ", 10).await, Err(StoreError::Invalid(_))));
    // What an erased customer said is no longer found.
    store.erase_customer(&tenant, &customer, "test").await.unwrap();
    assert!(store.search_conversations(&tenant, "curly", 10).await.unwrap().is_empty());
}
