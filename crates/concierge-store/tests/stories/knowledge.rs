//! Knowledge entries with their sources and phrasings, the per-tenant cache
//! of text embeddings, and the revision counter, each kept to its tenant.

use concierge_store::{KnowledgeVector, NewKnowledgeEntry, StoreError};

use crate::backend::{run_story, Backend};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn knowledge_and_its_vectors_round_trip_per_tenant() {
    run_story("knowledge round trip", knowledge_story).await;
}

fn entry(id: &str, body: &str) -> NewKnowledgeEntry {
    NewKnowledgeEntry {
        id: id.into(),
        title: "How much is a haircut?".into(),
        alternatives: vec!["haircut price".into(), "what does a cut cost".into()],
        body: body.into(),
        source: "docs/prices.md#haircuts".into(),
        tags: vec!["pricing".into()],
    }
}

fn vector(seed: f32) -> Vec<f32> {
    (0..384).map(|i| (i as f32 * seed).sin() / 3.0).collect()
}

async fn knowledge_story(backend: Backend) {
    let store = backend.store.as_ref();
    let a = store.create_tenant("Barber").await.unwrap().id;
    let b = store.create_tenant("Florist").await.unwrap().id;
    assert_eq!(store.knowledge_revision(&a).await.unwrap(), 0);

    // Entries keep their phrasings and source; each change counts a revision.
    store.put_knowledge_entry(&a, &entry("prices", "A haircut is 25 dollars.")).await.unwrap();
    let stored = store.knowledge_entry(&a, "prices").await.unwrap();
    assert_eq!(stored.alternatives, ["haircut price", "what does a cut cost"]);
    assert_eq!(stored.source, "docs/prices.md#haircuts");
    assert_eq!(stored.tags, ["pricing"]);
    assert_eq!(store.knowledge_revision(&a).await.unwrap(), 1);
    store.put_knowledge_entry(&a, &entry("prices", "A haircut is 30 dollars.")).await.unwrap();
    assert_eq!(store.knowledge_entry(&a, "prices").await.unwrap().body, "A haircut is 30 dollars.");
    assert_eq!(store.knowledge_revision(&a).await.unwrap(), 2);
    assert!(matches!(store.put_knowledge_entry(&a, &entry("", "x")).await, Err(StoreError::Invalid(_))));

    // Vectors come back bit for bit, by model.
    let first = KnowledgeVector { text_hash: "h1".into(), vector: vector(0.37) };
    let second = KnowledgeVector { text_hash: "h2".into(), vector: vector(0.11) };
    store.update_knowledge_vectors(&a, "minilm", &[first.clone(), second.clone()], &[]).await.unwrap();
    assert_eq!(store.knowledge_vectors(&a, "minilm").await.unwrap(), [first.clone(), second.clone()]);
    assert!(store.knowledge_vectors(&a, "other").await.unwrap().is_empty());
    // Removing one hash keeps the other; storing vectors is no knowledge change.
    store.update_knowledge_vectors(&a, "minilm", &[], &["h2".into()]).await.unwrap();
    assert_eq!(store.knowledge_vectors(&a, "minilm").await.unwrap(), std::slice::from_ref(&first));
    assert_eq!(store.knowledge_revision(&a).await.unwrap(), 2);
    let empty = KnowledgeVector { text_hash: "h3".into(), vector: Vec::new() };
    assert!(matches!(
        store.update_knowledge_vectors(&a, "minilm", &[empty], &[]).await,
        Err(StoreError::Invalid(_))
    ));

    // Tenant B sees none of A's entries, vectors or revisions, and its own
    // entry with the same id leaves A's alone.
    assert!(store.knowledge_entries(&b).await.unwrap().is_empty());
    assert!(store.knowledge_vectors(&b, "minilm").await.unwrap().is_empty());
    assert_eq!(store.knowledge_revision(&b).await.unwrap(), 0);
    assert!(matches!(store.knowledge_entry(&b, "prices").await, Err(StoreError::NotFound { .. })));
    assert!(matches!(store.delete_knowledge_entry(&b, "prices").await, Err(StoreError::NotFound { .. })));
    store.put_knowledge_entry(&b, &entry("prices", "Roses are 3 dollars.")).await.unwrap();
    store.update_knowledge_vectors(&b, "minilm", std::slice::from_ref(&second), &[]).await.unwrap();
    assert_eq!(store.knowledge_entry(&a, "prices").await.unwrap().body, "A haircut is 30 dollars.");
    assert_eq!(store.knowledge_vectors(&a, "minilm").await.unwrap(), std::slice::from_ref(&first));
    assert_eq!(store.knowledge_revision(&a).await.unwrap(), 2);

    // A new model replaces the old model's vectors.
    store.update_knowledge_vectors(&a, "minilm-v2", std::slice::from_ref(&second), &[]).await.unwrap();
    assert!(store.knowledge_vectors(&a, "minilm").await.unwrap().is_empty());
    assert_eq!(store.knowledge_vectors(&b, "minilm").await.unwrap(), [second]);

    store.delete_knowledge_entry(&a, "prices").await.unwrap();
    assert!(store.knowledge_entries(&a).await.unwrap().is_empty());
    assert_eq!(store.knowledge_revision(&a).await.unwrap(), 3);
    assert_eq!(store.knowledge_entries(&b).await.unwrap().len(), 1);
}
