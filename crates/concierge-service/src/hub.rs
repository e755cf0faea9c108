//! The live hub: new stored items of a conversation, pushed to whoever
//! listens to it (WebSocket clients, an agent's console).
//!
//! Each conversation that has listeners gets a `tokio::sync::broadcast`
//! channel, created on the first [`Hub::subscribe`] and dropped when the
//! last [`Subscription`] goes. Publishing to a conversation nobody listens
//! to costs one map lookup. The hub lives in one process: items reach
//! listeners connected to the server that stored them; a listener that
//! lagged (or reconnects) catches up from the store by sequence number.
//!
//! The conversation service ([`crate::Conversations`]) publishes every item
//! it stores, after storing it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use concierge_store::TenantId;
use tokio::sync::broadcast;

use crate::record::Item;

/// How many batches a slow listener may fall behind before it must catch up from the store.
const CHANNEL_CAPACITY: usize = 64;

type Key = (TenantId, String);

/// Live channels of the conversations that have listeners.
#[derive(Debug, Default)]
pub struct Hub {
    channels: Mutex<HashMap<Key, broadcast::Sender<Arc<[Item]>>>>,
}

/// A listener's end: batches of items in stored order. Dropping it leaves the conversation.
#[derive(Debug)]
pub struct Subscription {
    hub: Arc<Hub>,
    key: Key,
    /// Batches of new items.
    pub receiver: broadcast::Receiver<Arc<[Item]>>,
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Arc<Hub> {
        Arc::new(Hub::default())
    }

    /// Starts listening to a conversation.
    pub fn subscribe(self: &Arc<Self>, tenant: &TenantId, conversation_id: &str) -> Subscription {
        let key = (tenant.clone(), conversation_id.to_owned());
        let mut channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        let receiver =
            channels.entry(key.clone()).or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0).subscribe();
        Subscription { hub: self.clone(), key, receiver }
    }

    /// Pushes newly stored items to the conversation's listeners, if any.
    pub fn publish(&self, tenant: &TenantId, conversation_id: &str, items: Vec<Item>) {
        if items.is_empty() {
            return;
        }
        let key = (tenant.clone(), conversation_id.to_owned());
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = channels.get(&key) {
            // No receivers left is fine: the items are stored either way.
            let _ = sender.send(items.into());
        }
    }

    /// How many listeners a conversation has.
    pub fn listeners(&self, tenant: &TenantId, conversation_id: &str) -> usize {
        let channels = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        channels.get(&(tenant.clone(), conversation_id.to_owned())).map_or(0, |s| s.receiver_count())
    }

    /// How many conversations have listeners.
    pub fn live_conversations(&self) -> usize {
        self.channels.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let mut channels = self.hub.channels.lock().unwrap_or_else(|p| p.into_inner());
        // This receiver still counts until the struct's fields drop.
        if channels.get(&self.key).is_some_and(|s| s.receiver_count() <= 1) {
            channels.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ItemKind;

    fn item(seq: i64) -> Item {
        Item { seq, turn: 1, kind: ItemKind::Event { event: serde_json::json!({"type": "x"}) } }
    }

    #[tokio::test]
    async fn listeners_get_their_conversation_only_and_channels_go_with_them() {
        let hub = Hub::new();
        let tenant = TenantId::parse("t").unwrap();
        let mut a = hub.subscribe(&tenant, "a");
        let b = hub.subscribe(&tenant, "b");
        hub.publish(&tenant, "a", vec![item(1), item(2)]);
        hub.publish(&TenantId::parse("u").unwrap(), "a", vec![item(9)]);
        let batch = a.receiver.recv().await.unwrap();
        assert_eq!(batch.iter().map(|i| i.seq).collect::<Vec<_>>(), [1, 2]);
        assert!(a.receiver.try_recv().is_err());
        assert_eq!(hub.live_conversations(), 2);
        drop(b);
        assert_eq!(hub.live_conversations(), 1);
        let a2 = hub.subscribe(&tenant, "a");
        drop(a);
        assert_eq!(hub.listeners(&tenant, "a"), 1);
        drop(a2);
        assert_eq!(hub.live_conversations(), 0);
    }
}
