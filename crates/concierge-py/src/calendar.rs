//! Python objects as calendars of the booking engine.

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, Utc};
use concierge_core::booking::{BusyPeriod, Calendar, CalendarError, CalendarEvent};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// A Python calendar provider (see `concierge.CalendarProvider`).
///
/// `free_busy(start, end)` is required and returns `(start, end)` pairs of
/// aware datetimes; `events`, `create_event`, `update_event` and
/// `delete_event` are optional (a calendar without them is read-only).
/// Events are dicts with `uid`, `summary`, `description`, `start`, `end`.
/// An exception is [`CalendarError::Unreachable`]; an answer of the wrong
/// shape is [`CalendarError::Malformed`].
pub(crate) struct PythonCalendar {
    provider: Py<PyAny>,
}

impl PythonCalendar {
    /// Wraps `provider`.
    pub(crate) fn new(provider: Py<PyAny>) -> Self {
        PythonCalendar { provider }
    }

    /// Calls `method` if the provider has it; `Ok(None)` if it does not.
    fn call<T>(
        &self,
        method: &str,
        args: impl for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyTuple>>,
        read: impl for<'py> FnOnce(&Bound<'py, PyAny>) -> PyResult<T>,
    ) -> Result<Option<T>, CalendarError> {
        Python::with_gil(|py| {
            let provider = self.provider.bind(py);
            if !provider.hasattr(method).map_err(|e| CalendarError::Unreachable(e.to_string()))? {
                return Ok(None);
            }
            let args = args(py).map_err(|e| CalendarError::Malformed(e.to_string()))?;
            let answer =
                provider.call_method1(method, args).map_err(|e| CalendarError::Unreachable(e.to_string()))?;
            read(&answer).map(Some).map_err(|e| CalendarError::Malformed(format!("{method}: {e}")))
        })
    }
}

fn event_dict<'py>(py: Python<'py>, event: &CalendarEvent) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("uid", &event.uid)?;
    dict.set_item("summary", &event.summary)?;
    dict.set_item("description", &event.description)?;
    dict.set_item("start", event.start)?;
    dict.set_item("end", event.end)?;
    Ok(dict)
}

fn read_event(item: &Bound<'_, PyAny>) -> PyResult<CalendarEvent> {
    let field = |name: &str| item.get_item(name);
    Ok(CalendarEvent {
        uid: field("uid")?.extract()?,
        summary: field("summary")?.extract()?,
        description: field("description")?.extract()?,
        start: field("start")?.extract::<DateTime<FixedOffset>>()?.to_utc(),
        end: field("end")?.extract::<DateTime<FixedOffset>>()?.to_utc(),
    })
}

#[async_trait]
impl Calendar for PythonCalendar {
    async fn free_busy(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<BusyPeriod>, CalendarError> {
        let periods = self.call(
            "free_busy",
            |py| (from, to).into_pyobject(py),
            |answer| {
                let mut out = Vec::new();
                for item in answer.try_iter()? {
                    let (start, end): (DateTime<FixedOffset>, DateTime<FixedOffset>) = item?.extract()?;
                    out.push(BusyPeriod { start: start.to_utc(), end: end.to_utc() });
                }
                Ok(out)
            },
        )?;
        periods
            .ok_or_else(|| CalendarError::Malformed("the calendar provider has no free_busy method".into()))
    }

    async fn events(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<CalendarEvent>, CalendarError> {
        let events = self.call(
            "events",
            |py| (from, to).into_pyobject(py),
            |answer| answer.try_iter()?.map(|item| read_event(&item?)).collect::<PyResult<Vec<_>>>(),
        )?;
        let mut events = events.unwrap_or_default();
        events.sort_by_key(|e| e.start);
        Ok(events)
    }

    async fn create_event(&self, event: &CalendarEvent) -> Result<(), CalendarError> {
        self.call("create_event", |py| (event_dict(py, event)?,).into_pyobject(py), |_| Ok(()))?;
        Ok(())
    }

    async fn update_event(&self, event: &CalendarEvent) -> Result<(), CalendarError> {
        self.call("update_event", |py| (event_dict(py, event)?,).into_pyobject(py), |_| Ok(()))?;
        Ok(())
    }

    async fn delete_event(&self, uid: &str) -> Result<(), CalendarError> {
        self.call("delete_event", |py| (uid,).into_pyobject(py), |_| Ok(()))?;
        Ok(())
    }
}
