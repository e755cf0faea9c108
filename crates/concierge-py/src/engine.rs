//! `NativeEngine`: one bot, its bookings and its conversations, behind the
//! Python class `concierge.Engine`.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, FixedOffset};
use concierge_core::booking::{
    Booker, BookingEngine, BookingRequest, Calendar, Customer, SlotQuery, StaffPreference,
};
use concierge_core::dialog::{Action, ConversationState, Engine, TurnContext, BUILTIN_ACTIONS};
use concierge_core::spec::BotSpec;
use futures::executor::block_on;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::action::PythonAction;
use crate::calendar::PythonCalendar;
use crate::error::{guarded, Failure};
use crate::values::{booking_dict, parse_dict, serde_to_py, slot_dict, slots_dict, turn_dict};

/// Locks `mutex`, also after a panic elsewhere poisoned it (every value
/// behind these locks is replaced whole, never left half-written).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A bot: the spec, the engine built from it (lazily, and again when an
/// action is registered), its in-memory bookings and its conversations.
#[pyclass(frozen, module = "concierge._concierge")]
pub(crate) struct NativeEngine {
    spec: BotSpec,
    booker: Mutex<Arc<BookingEngine>>,
    actions: Mutex<BTreeMap<String, Arc<dyn Action>>>,
    built: Mutex<Option<Arc<Engine>>>,
    conversations: Mutex<HashMap<String, Arc<Mutex<ConversationState>>>>,
}

impl NativeEngine {
    fn new(spec: BotSpec) -> Result<Self, Failure> {
        let booker = Arc::new(BookingEngine::in_memory(&spec.business)?);
        Ok(NativeEngine {
            spec,
            booker: Mutex::new(booker),
            actions: Mutex::new(BTreeMap::new()),
            built: Mutex::new(None),
            conversations: Mutex::new(HashMap::new()),
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
        let engine = Arc::new(builder.build()?);
        *built = Some(Arc::clone(&engine));
        Ok(engine)
    }

    /// The conversation `id`, created empty when new.
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
}

#[pymethods]
impl NativeEngine {
    /// Loads a YAML (or JSON) spec.
    #[staticmethod]
    fn from_yaml(py: Python<'_>, text: &str) -> PyResult<Self> {
        Ok(py.allow_threads(|| guarded(|| NativeEngine::new(BotSpec::from_yaml(text)?)))?)
    }

    /// Loads a JSON spec.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        Ok(py.allow_threads(|| guarded(|| NativeEngine::new(BotSpec::from_json(text)?)))?)
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
        let turn = py.allow_threads(|| {
            guarded(|| {
                let engine = self.engine()?;
                let conversation = self.conversation(conversation_id);
                // One turn at a time per conversation; others run in parallel.
                let mut state = lock(&conversation);
                let ctx = TurnContext {
                    now: now.to_utc(),
                    seed: state.turns,
                    conversation_id: conversation_id.to_string(),
                };
                let turn = block_on(engine.handle(state.clone(), text, &ctx))?;
                *state = turn.state.clone();
                Ok(turn)
            })
        })?;
        turn_dict(py, text, &turn)
    }

    /// Hands a conversation back to the bot after a person had it; returns the events.
    fn release<'py>(&self, py: Python<'py>, conversation_id: &str) -> PyResult<Bound<'py, PyAny>> {
        let events = py.allow_threads(|| {
            guarded(|| {
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
        let conversation = lock(&self.conversations).get(conversation_id).cloned();
        let Some(conversation) = conversation else { return Ok(None) };
        let slots = py.allow_threads(|| lock(&conversation).slots.clone());
        Ok(Some(slots_dict(py, &slots)?))
    }

    /// Forgets conversation `conversation_id`; whether it existed.
    fn reset(&self, py: Python<'_>, conversation_id: &str) -> bool {
        py.allow_threads(|| lock(&self.conversations).remove(conversation_id).is_some())
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
        let slots =
            py.allow_threads(|| guarded(|| Ok(block_on(self.booker().slots(&query, now.to_utc()))?)))?;
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
            guarded(|| Ok(block_on(self.booker().book(&request, &customer, request_key, now.to_utc()))?))
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
        let booking =
            py.allow_threads(|| guarded(|| Ok(block_on(self.booker().cancel(booking_id, now.to_utc()))?)))?;
        booking_dict(py, &booking, self.timezone())
    }

    /// A booking by id.
    fn booking<'py>(&self, py: Python<'py>, booking_id: &str) -> PyResult<Bound<'py, PyDict>> {
        let booking = py.allow_threads(|| guarded(|| Ok(block_on(self.booker().get(booking_id))?)))?;
        booking_dict(py, &booking, self.timezone())
    }
}
