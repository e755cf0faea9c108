//! A Python callable as the engine's language model.

use async_trait::async_trait;
use concierge_core::language_model::{CompletionRequest, LanguageModel, LanguageModelError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// A Python callable the engine asks to word answers.
///
/// It is called (with the GIL) with one argument, a dict of `purpose`,
/// `messages` (a list of `{"role", "content"}` dicts) and `max_tokens`, and
/// returns the answer as a `str`. The Python package wraps the user's
/// function to give it a `concierge.CompletionRequest` and to await it when
/// it is a coroutine function. An exception or a non-`str` answer is a
/// [`LanguageModelError`]: the engine then answers without the model.
pub(crate) struct PythonLanguageModel {
    callable: Py<PyAny>,
}

impl PythonLanguageModel {
    /// Wraps `callable`.
    pub(crate) fn new(callable: Py<PyAny>) -> Self {
        PythonLanguageModel { callable }
    }

    fn call(&self, py: Python<'_>, request: &CompletionRequest) -> PyResult<String> {
        self.callable.bind(py).call1((request_dict(py, request)?,))?.extract::<String>()
    }
}

/// A request as the dict the Python wrapper reads.
pub(crate) fn request_dict<'py>(
    py: Python<'py>,
    request: &CompletionRequest,
) -> PyResult<Bound<'py, PyDict>> {
    let messages = PyList::empty(py);
    for message in &request.messages {
        let item = PyDict::new(py);
        item.set_item("role", &message.role)?;
        item.set_item("content", &message.content)?;
        messages.append(item)?;
    }
    let dict = PyDict::new(py);
    dict.set_item("purpose", &request.purpose)?;
    dict.set_item("messages", messages)?;
    dict.set_item("max_tokens", request.max_tokens)?;
    Ok(dict)
}

#[async_trait]
impl LanguageModel for PythonLanguageModel {
    async fn complete(&self, request: &CompletionRequest) -> Result<String, LanguageModelError> {
        Python::with_gil(|py| self.call(py, request).map_err(|e| LanguageModelError(e.to_string())))
    }
}
