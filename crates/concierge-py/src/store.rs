//! `NativeStore`: a `concierge-store` database (SQLite or PostgreSQL) and one
//! of its tenants, behind the Python class `concierge.Store`.
//!
//! An engine given a store keeps its conversations (state and event log) and
//! its bookings there instead of in memory. A Python conversation id is the
//! `external_ref` of a store conversation on the channel [`CHANNEL`]: the
//! first message creates it, later messages (from this process or another
//! one, now or after a restart) continue it until it is reset (closed).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use concierge_core::booking::BookingRepository;
use concierge_service::{Conversations, Hub, ServiceError};
use concierge_store::{
    open, NewConversation, Store, StoreBookingRepository, StoreConfig, StoreError, TenantId,
};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use tokio::sync::OnceCell;

use crate::engine::lock;
use crate::error::{guarded, Failure};
use crate::runtime::block_on;
use crate::values::serde_to_py;

/// The channel of conversations held through the Python package.
pub(crate) const CHANNEL: &str = "python";

/// What this process knows about one Python conversation id.
#[derive(Default)]
pub(crate) struct ConversationEntry {
    /// The store's id of the open conversation, once looked up or created.
    id: OnceCell<String>,
    /// Held during a turn, so turns of one conversation in this process
    /// queue instead of racing (and retrying) in `run_turn`.
    pub(crate) turn: tokio::sync::Mutex<()>,
}

/// A store, the tenant whose data it reads and writes, and the mapping from
/// Python conversation ids to store conversations.
#[pyclass(frozen, module = "concierge._concierge")]
pub(crate) struct NativeStore {
    store: Arc<dyn Store>,
    conversations: Conversations,
    tenant: TenantId,
    entries: Mutex<HashMap<String, Arc<ConversationEntry>>>,
}

impl NativeStore {
    /// The database.
    pub(crate) fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// The conversation service over the store: every stored step goes through it.
    pub(crate) fn conversations(&self) -> &Conversations {
        &self.conversations
    }

    /// The tenant.
    pub(crate) fn tenant(&self) -> &TenantId {
        &self.tenant
    }

    /// The tenant's bookings, for the booking engine.
    pub(crate) fn booking_repository(&self) -> Arc<dyn BookingRepository> {
        Arc::new(StoreBookingRepository::new(Arc::clone(&self.store), self.tenant.clone()))
    }

    /// This process's entry for conversation `external`.
    pub(crate) fn entry(&self, external: &str) -> Arc<ConversationEntry> {
        Arc::clone(lock(&self.entries).entry(external.to_owned()).or_default())
    }

    /// The store's id of conversation `external`, created on first use.
    pub(crate) async fn open_or_create(
        &self,
        entry: &ConversationEntry,
        external: &str,
    ) -> Result<String, Failure> {
        let id = entry.id.get_or_try_init(|| self.lookup_or_create(external)).await?;
        Ok(id.clone())
    }

    /// The id of the open conversation `external` in the store, created now
    /// if there is none (atomically: processes racing on a new id agree).
    async fn lookup_or_create(&self, external: &str) -> Result<String, Failure> {
        let new = NewConversation {
            bot_id: None,
            channel: CHANNEL.to_owned(),
            external_ref: Some(external.to_owned()),
            customer_id: None,
            state: serde_json::json!({}),
        };
        Ok(self.store.open_or_create_conversation_by_ref(&self.tenant, &new).await?.id)
    }

    /// The store's id of conversation `external` if it is open; never creates one.
    pub(crate) async fn find(
        &self,
        entry: &ConversationEntry,
        external: &str,
    ) -> Result<Option<String>, Failure> {
        if let Some(id) = entry.id.get() {
            return Ok(Some(id.clone()));
        }
        let open = self.store.open_conversation_by_ref(&self.tenant, CHANNEL, external).await?;
        Ok(open.map(|c| c.id))
    }

    /// Closes conversation `external` (the next message starts a new one);
    /// whether it was open.
    pub(crate) async fn close(&self, external: &str) -> Result<bool, Failure> {
        let entry = self.entry(external);
        let _turn = entry.turn.lock().await;
        let found = self.find(&entry, external).await?;
        if let Some(id) = &found {
            match self.conversations.close(&self.tenant, id).await {
                // Closed meanwhile (by another process): closed either way.
                Ok(_) | Err(ServiceError::Closed) => {}
                Err(other) => return Err(other.into()),
            }
        }
        let mut conversations = lock(&self.entries);
        if conversations.get(external).is_some_and(|e| Arc::ptr_eq(e, &entry)) {
            conversations.remove(external);
        }
        Ok(found.is_some())
    }

    /// Opens the database at `url` (running its migrations) for tenant
    /// `tenant`, created with name `tenant_name` when it does not exist.
    async fn connect(url: String, tenant: String, tenant_name: Option<String>) -> Result<Self, Failure> {
        let tenant = TenantId::parse(&tenant)?;
        let store = open(&StoreConfig { url, encryption_key: None }).await?;
        let name = tenant_name.unwrap_or_else(|| tenant.as_str().to_owned());
        match store.tenant(&tenant).await {
            Ok(_) => {}
            Err(StoreError::NotFound { .. }) => match store.create_tenant_with_id(&tenant, &name).await {
                // Another process created it in between: use it.
                Ok(_) | Err(StoreError::Duplicate(_)) => {}
                Err(other) => return Err(other.into()),
            },
            Err(other) => return Err(other.into()),
        }
        let service = Conversations::new(store.clone(), Hub::new());
        Ok(NativeStore { store, conversations: service, tenant, entries: Mutex::new(HashMap::new()) })
    }
}

#[pymethods]
impl NativeStore {
    /// Opens a store by URL (`sqlite://path` or `postgres://...`) for a tenant id.
    #[staticmethod]
    #[pyo3(signature = (url, tenant, tenant_name=None))]
    fn open(py: Python<'_>, url: String, tenant: String, tenant_name: Option<String>) -> PyResult<Self> {
        Ok(py.allow_threads(|| guarded(|| block_on(NativeStore::connect(url, tenant, tenant_name))))?)
    }

    /// `sqlite` or `postgres`.
    #[getter]
    fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// The tenant id.
    #[getter]
    fn tenant_id(&self) -> String {
        self.tenant.as_str().to_owned()
    }

    /// The stored event log of open conversation `conversation_id`, oldest
    /// first, as dicts of `seq`, `turn`, `event` and `recorded_at`; `None`
    /// if no such conversation is open.
    fn events<'py>(&self, py: Python<'py>, conversation_id: &str) -> PyResult<Option<Bound<'py, PyList>>> {
        let stored = py.allow_threads(|| {
            guarded(|| {
                block_on(async {
                    let entry = self.entry(conversation_id);
                    let Some(id) = self.find(&entry, conversation_id).await? else { return Ok(None) };
                    Ok(Some(self.store.events(&self.tenant, &id, 0).await?))
                })
            })
        })?;
        let Some(stored) = stored else { return Ok(None) };
        let list = PyList::empty(py);
        for event in &stored {
            let dict = PyDict::new(py);
            dict.set_item("seq", event.seq)?;
            dict.set_item("turn", event.turn)?;
            dict.set_item("event", serde_to_py(py, &event.event)?)?;
            dict.set_item("recorded_at", event.recorded_at)?;
            list.append(dict)?;
        }
        Ok(Some(list))
    }
}
