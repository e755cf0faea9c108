//! `NativeEngine`: one bot, its bookings and its conversations, behind the
//! Python class `concierge.Engine`. Conversations and bookings live in
//! memory, or in a [`NativeStore`] when the engine was given one.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, FixedOffset, Utc};
use concierge_core::booking::{
    Booker, BookingEngine, BookingRequest, Calendar, Catalog, Customer, SlotQuery, StaffPreference,
};
use concierge_core::dialog::{Action, ConversationState, Engine, Event, Turn, TurnContext, BUILTIN_ACTIONS};
use concierge_core::language_model::{CompletionRequest, LanguageModel, PromptMessage};
use concierge_core::spec::BotSpec;
use concierge_service::{ItemKind, Record, ServiceError};
use concierge_store::StoreError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::action::PythonAction;
use crate::calendar::PythonCalendar;
use crate::error::{guarded, Failure};
use crate::language_model::PythonLanguageModel;
use crate::store::NativeStore;
use crate::values::{booking_dict, parse_dict, serde_to_py, slot_dict, slots_dict, turn_dict};

/// Locks `mutex`, also after a panic elsewhere poisoned it (every value
/// behind these locks is replaced whole, never left half-written).
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A bot: the spec, the engine built from it (lazily, and again when an
/// action or language model is registered), its bookings and its
/// conversations, in memory or in a store.
#[pyclass(frozen, module = "concierge._concierge")]
pub(crate) struct NativeEngine {
    spec: BotSpec,
    booker: Mutex<Arc<BookingEngine>>,
    actions: Mutex<BTreeMap<String, Arc<dyn Action>>>,
    language_model: Mutex<Option<Arc<dyn LanguageModel>>>,
    built: Mutex<Option<Arc<Engine>>>,
    /// Conversations in memory, when there is no store.
    conversations: Mutex<HashMap<String, Arc<Mutex<ConversationState>>>>,
    store: Option<Py<NativeStore>>,
}

/// A conversation state read back from a store (`{}` for a new one).
fn stored_state(state: serde_json::Value) -> Result<ConversationState, Failure> {
    serde_json::from_value(state).map_err(|e| StoreError::Corrupt(format!("conversation state: {e}")).into())
}

impl NativeEngine {
    fn new(spec: BotSpec, store: Option<Py<NativeStore>>) -> Result<Self, Failure> {
        let booker = match &store {
            Some(store) => {
                BookingEngine::new(Catalog::from_spec(&spec.business)?, store.get().booking_repository())
            }
            None => BookingEngine::in_memory(&spec.business)?,
        };
        Ok(NativeEngine {
            spec,
            booker: Mutex::new(Arc::new(booker)),
            actions: Mutex::new(BTreeMap::new()),
            language_model: Mutex::new(None),
            built: Mutex::new(None),
            conversations: Mutex::new(HashMap::new()),
            store,
        })
    }

    /// The engine, built now if it is not yet (call without the GIL).
    fn engine(&self) -> Result<Arc<Engine>, Failure> {
        let mut built = lock(&self.built);
        if let Some(engine) = built.as_ref() {
            return Ok(Arc::clone(engine));
        }
        let booker: Arc<dyn Booker> = self.booker();
        let mut builder = Engine::builder(self.spec.clone(), booker);
        for (name, action) in lock(&self.actions).iter() {
            builder = builder.action(name.clone(), Arc::clone(action));
        }
        if let Some(model) = lock(&self.language_model).as_ref() {
            builder = builder.language_model(Arc::clone(model));
        }
        let engine = Arc::new(builder.build()?);
        *built = Some(Arc::clone(&engine));
        Ok(engine)
    }

    /// The store, if the engine has one.
    fn store(&self) -> Option<&NativeStore> {
        self.store.as_ref().map(Py::get)
    }

    /// Runs `future` to completion: on the store's tokio runtime when the
    /// engine has a store (sqlx needs it), else on the calling thread.
    fn run<T>(&self, future: impl Future<Output = Result<T, Failure>>) -> Result<T, Failure> {
        if self.store.is_some() {
            crate::runtime::block_on(future)
        } else {
            futures::executor::block_on(future)
        }
    }

    /// The in-memory conversation `id`, created empty when new.
    fn conversation(&self, id: &str) -> Arc<Mutex<ConversationState>> {
        Arc::clone(lock(&self.conversations).entry(id.to_string()).or_default())
    }

    /// The booking engine (cheap to clone: it shares its repository).
    fn booker(&self) -> Arc<BookingEngine> {
        Arc::clone(&lock(&self.booker))
    }

    fn timezone(&self) -> chrono_tz::Tz {
        self.booker().catalog().timezone()
    }

    /// One turn of in-memory conversation `conversation_id`.
    fn handle_in_memory(
        &self,
        conversation_id: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Turn, Failure> {
        let engine = self.engine()?;
        let conversation = self.conversation(conversation_id);
        // One turn at a time per conversation; others run in parallel.
        let mut state = lock(&conversation);
        let ctx = TurnContext { now, seed: state.turns, conversation_id: conversation_id.to_string() };
        let turn = futures::executor::block_on(engine.handle(state.clone(), text, &ctx))?;
        *state = turn.state.clone();
        Ok(turn)
    }

    /// One turn of stored conversation `conversation_id`, run and stored by
    /// the conversation service (as the server does), so concurrent turns
    /// (from any process) apply one after the other and the widget can
    /// redraw the conversation.
    async fn handle_stored(
        &self,
        store: &NativeStore,
        conversation_id: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Turn, Failure> {
        let engine = self.engine()?;
        let entry = store.entry(conversation_id);
        let _turn = entry.turn.lock().await;
        let id = store.open_or_create(&entry, conversation_id).await?;
        let sent = store.conversations().send(store.tenant(), &id, text, &engine, now).await?;
        Ok(sent.turn)
    }

    /// Hands stored conversation `conversation_id` back to the bot; the
    /// engine's events (none when nobody had it).
    async fn release_stored(
        &self,
        store: &NativeStore,
        conversation_id: &str,
    ) -> Result<Vec<Event>, Failure> {
        let engine = self.engine()?;
        let entry = store.entry(conversation_id);
        let _turn = entry.turn.lock().await;
        let Some(id) = store.find(&entry, conversation_id).await? else { return Ok(Vec::new()) };
        let step = match store.conversations().release(store.tenant(), &id, None, &engine).await {
            Ok(step) => step,
            Err(ServiceError::NotHandedOff) => return Ok(Vec::new()),
            Err(other) => return Err(other.into()),
        };
        let events = step.items.iter().filter_map(|item| match &item.kind {
            ItemKind::Event { event } => match Record::from_json(event) {
                Record::Engine(event) => Some(event),
                _ => None,
            },
            _ => None,
        });
        Ok(events.collect())
    }
}

#[pymethods]
impl NativeEngine {
    /// Loads a YAML (or JSON) spec; conversations and bookings go to `store` if given.
    #[staticmethod]
    #[pyo3(signature = (text, store=None))]
    fn from_yaml(py: Python<'_>, text: &str, store: Option<Py<NativeStore>>) -> PyResult<Self> {
        Ok(py.allow_threads(|| guarded(|| NativeEngine::new(BotSpec::from_yaml(text)?, store)))?)
    }

    /// Loads a JSON spec; conversations and bookings go to `store` if given.
    #[staticmethod]
    #[pyo3(signature = (text, store=None))]
    fn from_json(py: Python<'_>, text: &str, store: Option<Py<NativeStore>>) -> PyResult<Self> {
        Ok(py.allow_threads(|| guarded(|| NativeEngine::new(BotSpec::from_json(text)?, store)))?)
    }

    /// The business's IANA time zone.
    #[getter]
    fn business_timezone(&self) -> String {
        self.timezone().name().to_string()
    }

    /// Actions the spec's flows call that are neither built in nor registered.
    fn missing_actions(&self) -> Vec<String> {
        let actions = lock(&self.actions);
        let mut missing: Vec<String> = self
            .spec
            .flows
            .iter()
            .flat_map(|f| f.steps.iter().filter_map(|s| s.action.clone()))
            .filter(|a| !BUILTIN_ACTIONS.contains(&a.as_str()) && !actions.contains_key(a))
            .collect();
        missing.sort();
        missing.dedup();
        missing
    }

    /// Registers (or replaces) a host action; the engine is rebuilt on next use.
    fn register_action(&self, py: Python<'_>, name: String, callable: Py<PyAny>) {
        let action: Arc<dyn Action> = Arc::new(PythonAction::new(callable));
        py.allow_threads(|| {
            lock(&self.actions).insert(name, action);
            *lock(&self.built) = None;
        });
    }

    /// Adds a calendar provider: a staff member's (`staff`), or the
    /// business's (`None`); the engine is rebuilt on next use. Bookings made
    /// so far are kept.
    #[pyo3(signature = (provider, staff=None))]
    fn add_calendar(&self, py: Python<'_>, provider: Py<PyAny>, staff: Option<String>) -> PyResult<()> {
        let calendar: Arc<dyn Calendar> = Arc::new(PythonCalendar::new(provider));
        py.allow_threads(|| {
            guarded(|| {
                {
                    let mut booker = lock(&self.booker);
                    let with = BookingEngine::clone(&booker).with_calendar(staff, calendar)?;
                    *booker = Arc::new(with);
                }
                // Never hold both locks: `engine()` takes `built`, then `booker`.
                *lock(&self.built) = None;
                Ok(())
            })
        })?;
        Ok(())
    }

    /// Sets (or with `None` removes) the language model: a callable taking
    /// a request dict and returning the text; the engine is rebuilt on next use.
    fn set_language_model(&self, py: Python<'_>, callable: Option<Py<PyAny>>) {
        let model = callable.map(|c| Arc::new(PythonLanguageModel::new(c)) as Arc<dyn LanguageModel>);
        py.allow_threads(|| {
            *lock(&self.language_model) = model;
            *lock(&self.built) = None;
        });
    }

    /// Whether a language model is set.
    fn has_language_model(&self) -> bool {
        lock(&self.language_model).is_some()
    }

    /// Asks the language model through core's `LanguageModel` trait, as the
    /// engine does; for testing a registered model. Raises `RuntimeError`
    /// with the `LanguageModelError` when it fails, `LookupError` when none is set.
    fn complete_with_language_model(
        &self,
        py: Python<'_>,
        purpose: String,
        messages: Vec<(String, String)>,
        max_tokens: u32,
    ) -> PyResult<String> {
        let Some(model) = lock(&self.language_model).clone() else {
            return Err(pyo3::exceptions::PyLookupError::new_err("no language model is set"));
        };
        let request = CompletionRequest {
            purpose,
            messages: messages.into_iter().map(|(role, content)| PromptMessage { role, content }).collect(),
            max_tokens,
        };
        py.allow_threads(|| futures::executor::block_on(model.complete(&request)))
            .map_err(|e| pyo3::exceptions::PyRuntimeError::new_err(e.to_string()))
    }

    /// Builds the engine now (training the NLU) instead of on first use.
    fn build(&self, py: Python<'_>) -> PyResult<()> {
        py.allow_threads(|| guarded(|| self.engine().map(drop)))?;
        Ok(())
    }

    /// The NLU's reading of `text` at `now`.
    fn parse<'py>(
        &self,
        py: Python<'py>,
        text: &str,
        now: DateTime<FixedOffset>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let parse = py.allow_threads(|| guarded(|| Ok(self.engine()?.parse(text, now.to_utc()))))?;
        parse_dict(py, text, &parse)
    }

    /// Handles one message of conversation `conversation_id`.
    fn handle<'py>(
        &self,
        py: Python<'py>,
        conversation_id: &str,
        text: &str,
        now: DateTime<FixedOffset>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let now = now.to_utc();
        let turn = py.allow_threads(|| {
            guarded(|| match self.store() {
                Some(store) => self.run(self.handle_stored(store, conversation_id, text, now)),
                None => self.handle_in_memory(conversation_id, text, now),
            })
        })?;
        turn_dict(py, text, &turn)
    }

    /// Hands a conversation back to the bot after a person had it; returns the events.
    fn release<'py>(&self, py: Python<'py>, conversation_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let events = py.allow_threads(|| {
            guarded(|| {
                if let Some(store) = self.store() {
                    return self.run(self.release_stored(store, conversation_id));
                }
                let engine = self.engine()?;
                let conversation = self.conversation(conversation_id);
                let mut state = lock(&conversation);
                let (next, events) = engine.release(state.clone());
                *state = next;
                Ok(events)
            })
        })?;
        serde_to_py(py, &events)
    }

    /// The slots conversation `conversation_id` has collected, or `None` if it is unknown.
    fn slots<'py>(&self, py: Python<'py>, conversation_id: &str) -> PyResult<Option<Bound<'py, PyDict>>> {
        let slots = py.allow_threads(|| {
            guarded(|| {
                if let Some(store) = self.store() {
                    return self.run(async {
                        let entry = store.entry(conversation_id);
                        let Some(id) = store.find(&entry, conversation_id).await? else { return Ok(None) };
                        let current = store.store().load_conversation(store.tenant(), &id).await?;
                        Ok(Some(stored_state(current.state)?.slots))
                    });
                }
                let conversation = lock(&self.conversations).get(conversation_id).cloned();
                Ok(conversation.map(|c| lock(&c).slots.clone()))
            })
        })?;
        slots.map(|slots| slots_dict(py, &slots)).transpose()
    }

    /// Forgets conversation `conversation_id` (in a store: closes it, so the
    /// next message starts a new one); whether it existed.
    fn reset(&self, py: Python<'_>, conversation_id: &str) -> PyResult<bool> {
        Ok(py.allow_threads(|| {
            guarded(|| match self.store() {
                Some(store) => self.run(store.close(conversation_id)),
                None => Ok(lock(&self.conversations).remove(conversation_id).is_some()),
            })
        })?)
    }

    /// Bookable slots of `service` starting in `[start, end)`.
    #[pyo3(signature = (service, start, end, staff, now))]
    fn find_slots<'py>(
        &self,
        py: Python<'py>,
        service: String,
        start: DateTime<FixedOffset>,
        end: DateTime<FixedOffset>,
        staff: Option<String>,
        now: DateTime<FixedOffset>,
    ) -> PyResult<Bound<'py, PyList>> {
        let query = SlotQuery {
            service,
            from: start.to_utc(),
            to: end.to_utc(),
            staff: staff.map_or(StaffPreference::Any, StaffPreference::Specific),
        };
        let slots = py.allow_threads(|| {
            guarded(|| self.run(async { Ok(self.booker().slots(&query, now.to_utc()).await?) }))
        })?;
        let tz = self.timezone();
        let list = PyList::empty(py);
        for slot in &slots {
            list.append(slot_dict(py, slot, tz)?)?;
        }
        Ok(list)
    }

    /// Books `service` at `start` for a customer; the same `request_key` books once.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (service, start, customer_name, phone, email, staff, request_key, now))]
    fn book<'py>(
        &self,
        py: Python<'py>,
        service: String,
        start: DateTime<FixedOffset>,
        customer_name: String,
        phone: Option<String>,
        email: Option<String>,
        staff: Option<String>,
        request_key: &str,
        now: DateTime<FixedOffset>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let request = BookingRequest { service, start: start.to_utc(), staff };
        let customer = Customer { name: customer_name, phone, email };
        let booking = py.allow_threads(|| {
            guarded(|| {
                self.run(async {
                    Ok(self.booker().book(&request, &customer, request_key, now.to_utc()).await?)
                })
            })
        })?;
        booking_dict(py, &booking, self.timezone())
    }

    /// Cancels a booking.
    fn cancel<'py>(
        &self,
        py: Python<'py>,
        booking_id: &str,
        now: DateTime<FixedOffset>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let booking = py.allow_threads(|| {
            guarded(|| self.run(async { Ok(self.booker().cancel(booking_id, now.to_utc()).await?) }))
        })?;
        booking_dict(py, &booking, self.timezone())
    }

    /// A booking by id.
    fn booking<'py>(&self, py: Python<'py>, booking_id: &str) -> PyResult<Bound<'py, PyDict>> {
        let booking =
            py.allow_threads(|| guarded(|| self.run(async { Ok(self.booker().get(booking_id).await?) })))?;
        booking_dict(py, &booking, self.timezone())
    }
}
