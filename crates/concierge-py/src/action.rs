//! Python callables as host actions of the dialog engine.

use async_trait::async_trait;
use concierge_core::dialog::{Action, ActionCall, ActionError, ActionResult};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::values::{slot_value, slots_dict};

/// A Python callable run by a flow's `action` step.
///
/// It is called (with the GIL) with one argument, a dict of the
/// conversation's slots, and returns `None` (outcome `ok`) or a dict with
/// an `outcome` (default `ok`), `slots` to set and `say`, a text or a list
/// of texts. An exception, or a result of the wrong shape, is outcome
/// `failed`, which flows handle like any failed action.
pub(crate) struct PythonAction {
    callable: Py<PyAny>,
}

impl PythonAction {
    /// Wraps `callable`.
    pub(crate) fn new(callable: Py<PyAny>) -> Self {
        PythonAction { callable }
    }

    fn call(&self, py: Python<'_>, call: &ActionCall<'_>) -> PyResult<ActionResult> {
        let returned = self.callable.bind(py).call1((slots_dict(py, call.slots)?,))?;
        if returned.is_none() {
            return Ok(ActionResult { outcome: "ok".into(), ..ActionResult::default() });
        }
        let dict = returned.downcast::<PyDict>().map_err(|_| {
            PyTypeError::new_err(format!("action {:?} must return a dict or None", call.name))
        })?;
        let outcome = match dict.get_item("outcome")? {
            Some(o) if !o.is_none() => o.extract::<String>()?,
            _ => "ok".to_string(),
        };
        let mut slots = Vec::new();
        if let Some(given) = dict.get_item("slots")? {
            for (name, value) in given.downcast::<PyDict>()?.iter() {
                slots.push((name.extract::<String>()?, slot_value(&value)?));
            }
        }
        let say = match dict.get_item("say")? {
            None => Vec::new(),
            Some(s) if s.is_none() => Vec::new(),
            Some(s) if s.is_instance_of::<PyString>() => vec![s.extract::<String>()?],
            Some(s) => s.extract::<Vec<String>>()?,
        };
        Ok(ActionResult { outcome, slots, say })
    }
}

#[async_trait]
impl Action for PythonAction {
    async fn run(&self, call: ActionCall<'_>) -> Result<ActionResult, ActionError> {
        Python::with_gil(|py| self.call(py, &call).map_err(|e| ActionError(e.to_string())))
    }
}
