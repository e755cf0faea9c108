//! The live hub: new stored items of a conversation, pushed to whoever
//! listens to it (a customer's WebSocket), and every change to a tenant's
//! conversations, pushed to its staff's live inbox.
//!
//! Each conversation (and each tenant) that has listeners gets a
//! `tokio::sync::broadcast` channel, created on the first subscription and
//! dropped when the last one goes. Publishing where nobody listens costs a
//! map lookup. The hub lives in one process: items reach listeners
//! connected to the server that stored them; a listener that lagged (or
//! reconnects) catches up from the store by sequence number.
//!
//! The conversation service ([`crate::Conversations`]) publishes every item
//! it stores, after storing it.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use concierge_store::{ConversationStatus, TenantId};
use tokio::sync::broadcast;

use crate::record::Item;

/// How many batches a slow listener may fall behind before it must catch up from the store.
const CHANNEL_CAPACITY: usize = 64;

/// Broadcast channels by key, each kept while it has receivers.
#[derive(Debug)]
struct Channels<K, T> {
    senders: Mutex<HashMap<K, broadcast::Sender<T>>>,
}

impl<K: Eq + Hash + Clone, T: Clone> Channels<K, T> {
    fn subscribe(&self, key: &K) -> broadcast::Receiver<T> {
        let mut senders = self.senders.lock().unwrap_or_else(|p| p.into_inner());
        senders.entry(key.clone()).or_insert_with(|| broadcast::channel(CHANNEL_CAPACITY).0).subscribe()
    }

    fn send(&self, key: &K, value: T) {
        let senders = self.senders.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = senders.get(key) {
            // No receivers left is fine: what is sent is stored either way.
            let _ = sender.send(value);
        }
    }

    fn receivers(&self, key: &K) -> usize {
        let senders = self.senders.lock().unwrap_or_else(|p| p.into_inner());
        senders.get(key).map_or(0, |s| s.receiver_count())
    }

    fn len(&self) -> usize {
        self.senders.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Called as a receiver of `key` is dropped (it still counts).
    fn leave(&self, key: &K) {
        let mut senders = self.senders.lock().unwrap_or_else(|p| p.into_inner());
        if senders.get(key).is_some_and(|s| s.receiver_count() <= 1) {
            senders.remove(key);
        }
    }
}

impl<K, T> Default for Channels<K, T> {
    fn default() -> Self {
        Channels { senders: Mutex::new(HashMap::new()) }
    }
}

type Key = (TenantId, String);

/// A change to one of a tenant's conversations: its status after the
/// change and the items stored.
#[derive(Debug, Clone)]
pub struct InboxUpdate {
    /// The conversation.
    pub conversation_id: String,
    /// Its status now.
    pub status: ConversationStatus,
    /// The items the change stored.
    pub items: Arc<[Item]>,
}

/// Live channels of the conversations and tenants that have listeners.
#[derive(Debug, Default)]
pub struct Hub {
    conversations: Channels<Key, Arc<[Item]>>,
    inboxes: Channels<TenantId, Arc<InboxUpdate>>,
}

/// A listener's end: batches of items in stored order. Dropping it leaves the conversation.
#[derive(Debug)]
pub struct Subscription {
    hub: Arc<Hub>,
    key: Key,
    /// Batches of new items.
    pub receiver: broadcast::Receiver<Arc<[Item]>>,
}

/// A tenant's live inbox: every change to its conversations. Dropping it
/// stops listening.
#[derive(Debug)]
pub struct InboxSubscription {
    hub: Arc<Hub>,
    tenant: TenantId,
    /// Changes, in the order they were stored.
    pub receiver: broadcast::Receiver<Arc<InboxUpdate>>,
}

impl Hub {
    /// An empty hub.
    pub fn new() -> Arc<Hub> {
        Arc::new(Hub::default())
    }

    /// Starts listening to a conversation.
    pub fn subscribe(self: &Arc<Self>, tenant: &TenantId, conversation_id: &str) -> Subscription {
        let key = (tenant.clone(), conversation_id.to_owned());
        let receiver = self.conversations.subscribe(&key);
        Subscription { hub: self.clone(), key, receiver }
    }

    /// Starts listening to every conversation of a tenant.
    pub fn subscribe_inbox(self: &Arc<Self>, tenant: &TenantId) -> InboxSubscription {
        let receiver = self.inboxes.subscribe(tenant);
        InboxSubscription { hub: self.clone(), tenant: tenant.clone(), receiver }
    }

    /// Pushes newly stored items to the conversation's listeners and the
    /// tenant's inbox, if any.
    pub fn publish(
        &self,
        tenant: &TenantId,
        conversation_id: &str,
        status: ConversationStatus,
        items: Vec<Item>,
    ) {
        if items.is_empty() {
            return;
        }
        let items: Arc<[Item]> = items.into();
        self.conversations.send(&(tenant.clone(), conversation_id.to_owned()), items.clone());
        let update = InboxUpdate { conversation_id: conversation_id.to_owned(), status, items };
        self.inboxes.send(tenant, Arc::new(update));
    }

    /// How many listeners a conversation has.
    pub fn listeners(&self, tenant: &TenantId, conversation_id: &str) -> usize {
        self.conversations.receivers(&(tenant.clone(), conversation_id.to_owned()))
    }

    /// How many conversations have listeners.
    pub fn live_conversations(&self) -> usize {
        self.conversations.len()
    }

    /// How many tenants have a live inbox open.
    pub fn live_inboxes(&self) -> usize {
        self.inboxes.len()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.conversations.leave(&self.key);
    }
}

impl Drop for InboxSubscription {
    fn drop(&mut self) {
        self.hub.inboxes.leave(&self.tenant);
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
        hub.publish(&tenant, "a", ConversationStatus::Bot, vec![item(1), item(2)]);
        hub.publish(&TenantId::parse("u").unwrap(), "a", ConversationStatus::Bot, vec![item(9)]);
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

    #[tokio::test]
    async fn an_inbox_gets_every_conversation_of_its_tenant_only() {
        let hub = Hub::new();
        let tenant = TenantId::parse("t").unwrap();
        let mut inbox = hub.subscribe_inbox(&tenant);
        hub.publish(&tenant, "a", ConversationStatus::Bot, vec![item(1)]);
        hub.publish(&TenantId::parse("u").unwrap(), "x", ConversationStatus::Bot, vec![item(1)]);
        hub.publish(&tenant, "b", ConversationStatus::WaitingForHuman, vec![item(4)]);
        let first = inbox.receiver.recv().await.unwrap();
        let second = inbox.receiver.recv().await.unwrap();
        assert_eq!((first.conversation_id.as_str(), first.status), ("a", ConversationStatus::Bot));
        assert_eq!(
            (second.conversation_id.as_str(), second.status),
            ("b", ConversationStatus::WaitingForHuman)
        );
        assert!(inbox.receiver.try_recv().is_err());
        assert_eq!(hub.live_inboxes(), 1);
        drop(inbox);
        assert_eq!(hub.live_inboxes(), 0);
    }
}
