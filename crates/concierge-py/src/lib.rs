//! Python bindings for Concierge: the native module `concierge._concierge`.
//!
//! The Python package `concierge` (in `python/`) wraps this module in
//! Pythonic types: dataclasses for parses, turns and bookings, an exception
//! hierarchy defined in `concierge.errors`, and `async` variants. This
//! module keeps the Rust side small: [`engine::NativeEngine`] holds one bot
//! (its engine, bookings and conversations), releases the GIL while it
//! parses, handles turns and books, and returns plain Python values.

mod action;
mod calendar;
mod engine;
mod error;
mod values;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _concierge(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<engine::NativeEngine>()?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
