//! Rust failures mapped onto the Python exception hierarchy of
//! `concierge.errors`, and the guard that keeps panics from crossing the
//! boundary as `PanicException`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use concierge_core::booking::BookingError;
use concierge_core::dialog::EngineError;
use concierge_core::nlu::NluError;
use concierge_core::spec::SpecError;
use concierge_service::{EngineLoadError, ServiceError};
use concierge_store::StoreError;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use pyo3::BoundObject;

/// Why a call into the engine failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The bot spec is invalid.
    Spec(SpecError),
    /// The engine could not be built or refused a message.
    Engine(EngineError),
    /// A booking operation failed.
    Booking(BookingError),
    /// The store failed.
    Store(StoreError),
    /// The conversation cannot take this step now (closed, or not in the
    /// hands it needs to be in).
    Conversation(String),
    /// Other writers kept changing a conversation; gave up after this many tries.
    TooManyConflicts(u32),
    /// The runtime the store needs could not start.
    Runtime(String),
    /// Rust code panicked; a bug, reported as `concierge.Error`.
    Panic(String),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        match e {
            ServiceError::Store(e) | ServiceError::Engine(EngineLoadError::Store(e)) => Failure::Store(e),
            ServiceError::EmptyMessage => Failure::Engine(EngineError::EmptyMessage),
            ServiceError::MessageTooLong { bytes, .. } => Failure::Engine(EngineError::MessageTooLong(bytes)),
            ServiceError::Turn(e) => e.into(),
            ServiceError::Busy(tries) => Failure::TooManyConflicts(tries),
            ServiceError::InvalidSpec(e) => Failure::Spec(e),
            ServiceError::CorruptState(message) => {
                Failure::Store(StoreError::Corrupt(format!("conversation state: {message}")))
            }
            other => Failure::Conversation(other.to_string()),
        }
    }
}

impl From<SpecError> for Failure {
    fn from(e: SpecError) -> Self {
        Failure::Spec(e)
    }
}

impl From<EngineError> for Failure {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Spec(e) | EngineError::Nlu(NluError::Spec(e)) => Failure::Spec(e),
            other => Failure::Engine(other),
        }
    }
}

impl From<BookingError> for Failure {
    fn from(e: BookingError) -> Self {
        match e {
            BookingError::InvalidSpec(e) => Failure::Spec(e),
            other => Failure::Booking(other),
        }
    }
}

/// The snake_case name of a booking error's kind, `BookingError.kind` in Python.
fn booking_kind(e: &BookingError) -> &'static str {
    match e {
        BookingError::UnknownService(_) => "unknown_service",
        BookingError::UnknownStaff(_) => "unknown_staff",
        BookingError::NotFound(_) => "not_found",
        BookingError::NotAvailable(_) => "not_available",
        BookingError::NotAllowed(_) => "not_allowed",
        BookingError::Invalid(_) => "invalid",
        BookingError::Backend(_) => "backend",
        BookingError::EndBeforeStart { .. } => "end_before_start",
        BookingError::RangeTooLong { .. } => "range_too_long",
        BookingError::NonexistentLocalTime { .. } => "nonexistent_local_time",
        BookingError::InvalidSpec(_) => "invalid_spec",
    }
}

/// The snake_case name of a store error's kind, `StoreError.kind` in Python.
fn store_kind(e: &StoreError) -> &'static str {
    match e {
        StoreError::NotFound { .. } => "not_found",
        StoreError::Conflict { .. } => "conflict",
        StoreError::Duplicate(_) => "duplicate",
        StoreError::Invalid(_) => "invalid",
        StoreError::RoleBypassesRowSecurity(_) => "role_bypasses_row_security",
        StoreError::Corrupt(_) => "corrupt",
        StoreError::Migration(_) => "migration",
        // Database failures, and whatever else the store may add.
        _ => "database",
    }
}

/// The `concierge.errors` class `name` called with `args`, as a `PyErr`.
fn python_error<'py, A>(py: Python<'py>, name: &str, args: A) -> PyErr
where
    A: IntoPyObject<'py, Target = PyTuple>,
    A::Error: Into<PyErr>,
{
    let made = (|| -> PyResult<Bound<'py, PyAny>> {
        let class = py.import("concierge.errors")?.getattr(name)?;
        let args = args.into_pyobject(py).map_err(Into::into)?.into_bound();
        class.call1(args)
    })();
    match made {
        Ok(instance) => PyErr::from_value(instance),
        Err(e) => e,
    }
}

impl From<Failure> for PyErr {
    fn from(failure: Failure) -> PyErr {
        Python::with_gil(|py| match failure {
            Failure::Spec(e) => {
                let problems: Vec<(String, String)> =
                    e.problems.iter().map(|p| (p.path.clone(), p.message.clone())).collect();
                // The headline only: Python's `SpecError.__str__` lists the problems.
                let headline = e.to_string().lines().next().unwrap_or_default().to_string();
                match PyList::new(py, problems) {
                    Ok(list) => python_error(py, "SpecError", (headline, list)),
                    Err(err) => err,
                }
            }
            Failure::Engine(e @ (EngineError::EmptyMessage | EngineError::MessageTooLong(_))) => {
                python_error(py, "MessageError", (e.to_string(),))
            }
            Failure::Engine(e) => python_error(py, "DialogError", (e.to_string(),)),
            Failure::Booking(e) => python_error(py, "BookingError", (e.to_string(), booking_kind(&e))),
            Failure::Store(e) => python_error(py, "StoreError", (e.to_string(), store_kind(&e))),
            Failure::TooManyConflicts(tries) => python_error(
                py,
                "StoreError",
                (format!("conversation kept changing: gave up after {tries} tries"), "conflict"),
            ),
            Failure::Conversation(message) => python_error(py, "StoreError", (message, "conflict")),
            Failure::Runtime(message) => python_error(py, "StoreError", (message, "runtime")),
            Failure::Panic(message) => {
                python_error(py, "Error", (format!("internal error in the Concierge engine: {message}"),))
            }
        })
    }
}

/// Runs `f`, turning a panic into [`Failure::Panic`].
pub(crate) fn guarded<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Err(Failure::Panic(message))
    })
}
